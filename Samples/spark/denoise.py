"""Denoise a folder tree of images with ae-filter on Spark, into a mirrored folder.

    spark-submit --master 'local[2]' Samples/spark/denoise.py \
        [--partitions N] [--ae-filter PATH] INPUT_DIR OUTPUT_DIR [ae-filter options...]

Every image file under INPUT_DIR (what `ae-filter -o DIR INPUT_DIR` would pick
up) is keyed by its path relative to INPUT_DIR. The key chooses the image's
noise (REPRODUCIBILITY in ae-filter(1)), so OUTPUT_DIR gets the same bytes as
`ae-filter [options] -o OUTPUT_DIR/ INPUT_DIR`, however many partitions there
are: sub/x.jpg becomes OUTPUT_DIR/sub/x.png. Options after OUTPUT_DIR go to
ae-filter unchanged (e.g. --noise 0.5 --seed 7). A record that fails is named
on standard error with its message, the other outputs are still written, and
the exit status is then 1.
"""

import argparse
import base64
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections import Counter

from pyspark import SparkConf, SparkContext

# The extensions `ae-filter -o DIR FOLDER` picks up, in any case.
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "jpe", "jfif", "pgm", "ppm", "pbm", "pnm"}


def list_images(root, skip_dir=None):
    """Paths of the image files under root, relative to it, in byte order.
    Like ae-filter's walk: hidden entries and links to folders are skipped,
    and so is skip_dir (the output folder, when it lies inside the input).
    A folder that cannot be read stops the run before any image is sent."""
    def unreadable(error):
        raise error
    keys = []
    for folder, dirs, files in os.walk(root, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not (skip_dir and os.path.samefile(os.path.join(folder, d), skip_dir))]
        for name in files:
            stem, _, extension = name.rpartition(".")
            if stem and not name.startswith(".") and extension.lower() in IMAGE_EXTENSIONS:
                keys.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(keys, key=os.fsencode)


def output_name(key):
    """Where a key's PNG goes under the output folder: its extension becomes .png."""
    folder, _, name = key.rpartition("/")
    stem = name.rpartition(".")[0] or name
    return f"{folder}/{stem}.png" if folder else f"{stem}.png"


def unsendable(key):
    """Why a key cannot travel as a line of text through pipe(), if it cannot."""
    if "\t" in key or "\n" in key:
        return "a name with a tab or newline cannot be a lines-mode key"
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return "a name that is not UTF-8 cannot go through PySpark's pipe (text only)"
    return None


def read_records(input_dir):
    """For mapPartitions, on the executors: paths -> `KEY<TAB>base64` lines.
    It must not raise (pipe() feeds ae-filter from a thread: an exception there
    would leave ae-filter waiting), so a file that cannot be read is reported
    here and sent nowhere; the driver then finds its key without an output."""
    def read(keys):
        for key in keys:
            try:
                with open(os.path.join(input_dir, key), "rb") as f:
                    data = f.read()
            except OSError as error:
                print(f"denoise.py: {key}: cannot read: {error.strerror}", file=sys.stderr)
                continue
            yield key + "\t" + base64.b64encode(data).decode("ascii")
    return read


def write_outputs(output_dir):
    """For mapPartitions, on the executors: ae-filter's lines -> PNG files.
    Yields (key, None) for each file written and (key, message) for each
    failure, so only these small pairs go back to the driver."""
    def write(lines):
        for line in lines:
            key, _, payload = line.partition("\t")
            if not payload or payload.startswith("\terror: "):
                # --on-error mark: KEY<TAB><TAB>error: MESSAGE (ae-filter said so on stderr too).
                yield key, payload.partition("error: ")[2] or "no output"
                continue
            path = os.path.join(output_dir, output_name(key))
            try:
                write_whole(path, base64.b64decode(payload))
                yield key, None
            except OSError as error:
                yield key, f"cannot write {path}: {error.strerror}"
    return write


def write_whole(path, data):
    """Writes a file whole: a temporary file beside it, renamed into place."""
    folder, name = os.path.split(path)
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(folder, f".{name}.{uuid.uuid4().hex}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def spark_context(app="ae-filter denoise"):
    """A SparkContext that listens on 127.0.0.1 only, without the web UI.
    spark-submit's --master wins; run from plain Python it is local[2]."""
    conf = (SparkConf().setAppName(app).setIfMissing("spark.master", "local[2]")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false")
            .set("spark.log.level", "WARN"))
    return SparkContext(conf=conf)


def denoise(sc, input_dir, output_dir, ae_filter, options=(), partitions=None):
    """Runs the job. Returns the keys found and what came back for them:
    (key, None) for each PNG written, (key, message) for each failure."""
    os.makedirs(output_dir, exist_ok=True)
    keys = list_images(input_dir, skip_dir=output_dir)
    results, claimed, sendable = [], {}, []
    for key in keys:
        if unsendable(key):
            results.append((key, unsendable(key)))
        elif output_name(key) in claimed:  # a.png beside a.jpg: the first wins, as in ae-filter
            results.append((key, f"its output is also the output of {claimed[output_name(key)]}"))
        else:
            claimed[output_name(key)] = key
            sendable.append(key)
    # pipe() starts ae-filter with an empty environment: an absolute path, and
    # the variables ae-filter reads (plugins, temporary files) passed on.
    command = shlex.join([os.path.abspath(ae_filter), "--lines", "--on-error", "mark", *options])
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "HOME", "TMPDIR") or k.startswith("AE_FILTER")}
    # The driver ships paths only; executors read the bytes, partitions at a time.
    results += (sc.parallelize(sendable, partitions or sc.defaultParallelism)
                .mapPartitions(read_records(os.path.abspath(input_dir)))
                # A bad record is marked; ae-filter itself failing fails the task.
                .pipe(command, env=env, checkCode=True)
                .mapPartitions(write_outputs(os.path.abspath(output_dir)))
                .collect())
    return keys, results


def failures(keys, results):
    """(key, message) for every key without exactly one good output."""
    counts = Counter(key for key, _ in results)
    found = [(key, message) for key, message in results if message]
    found += [(key, "no output") for key in keys if counts[key] == 0]  # e.g. not read: said above
    found += [(key, f"{counts[key]} outputs") for key in set(keys) if counts[key] > 1]
    found += [(key, "not an input") for key in counts.keys() - set(keys)]
    return found


class Arguments(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 64, as ae-filter's do
        self.print_usage(sys.stderr)
        self.exit(64, f"{self.prog}: error: {message}\n")


def main():
    parser = Arguments(prog="denoise.py", description=__doc__.split("\n")[0])
    parser.add_argument("--partitions", type=int, metavar="N",
                        help="default: the context's default parallelism")
    parser.add_argument("--ae-filter", metavar="PATH", default=shutil.which("ae-filter"),
                        help="default: ae-filter on PATH")
    parser.add_argument("input_dir")
    parser.add_argument("output_dir")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="ae-filter options")
    args = parser.parse_args()
    if args.partitions is not None and args.partitions < 1:
        parser.error("--partitions must be at least 1")
    if not args.ae_filter:
        parser.error("no ae-filter on PATH: install it or pass --ae-filter PATH")
    if not os.path.isdir(args.input_dir):
        parser.error(f"{args.input_dir}: not a folder")
    # ae-filter judges its options once, on no input, before Spark starts:
    # a usage error (exit 64) is one line here instead of a failed job.
    check = [args.ae_filter, "--lines", "--on-error", "mark", *args.options]
    status = subprocess.run(check, stdin=subprocess.DEVNULL).returncode
    if status:
        sys.exit(status)

    sc = spark_context()
    try:
        keys, results = denoise(sc, args.input_dir, args.output_dir, args.ae_filter,
                                args.options, args.partitions)
    except OSError as error:  # an input folder it cannot list, an output folder it cannot make
        sys.exit(f"denoise.py: {error}")
    finally:
        sc.stop()
    failed = failures(keys, results)
    for key, message in sorted(failed):
        shown = os.fsencode(key).decode("utf-8", "backslashreplace").replace("\t", "\\t").replace("\n", "\\n")
        print(f"denoise.py: {shown}: {message}", file=sys.stderr)
    print(f"denoise.py: {len(keys) - len(failed)} of {len(keys)} images denoised into {args.output_dir}",
          file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
