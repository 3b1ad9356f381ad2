"""Denoise a tree of images with ae-filter on Spark, into PNG files or a Parquet table.

    spark-submit [--master URL] --archives ae-filter-VERSION-linux-x86_64.tar.gz#ae-filter \\
        Samples/spark/denoise.py [--form rdd|dataframe] [--output-format png|parquet] \\
        [--partitions N] [--ae-filter PATH] INPUT OUTPUT [ae-filter options...]

INPUT and OUTPUT are folders or Hadoop file system URIs (file://, hdfs://,
s3a://, ...). Every image file under INPUT (what `ae-filter -o DIR INPUT` would
pick up) is read by Spark's binaryFile source and keyed by its path relative to
INPUT. The key chooses the image's noise (REPRODUCIBILITY in ae-filter(1)), so
the output holds the same bytes as `ae-filter [options] -o OUTPUT/ INPUT`,
however the job is partitioned: with --output-format png (the default)
sub/x.jpg becomes OUTPUT/sub/x.png; with parquet, OUTPUT is a table of key,
png and error. Options after OUTPUT go to ae-filter unchanged (e.g. --noise 0.5
--seed 7); unless they set --jobs, each task's ae-filter gets -j spark.task.cpus.
The job runs where spark-submit sends it: it never sets the master.

ae-filter itself: --ae-filter PATH if given (that path on every machine), else
the release archive shipped with `--archives ...#ae-filter` (each executor
finds it in its working directory), else ae-filter on PATH. Its options are
checked once on the driver before any Spark job: a usage error exits 64.
A record that fails is named on standard error with its message, every other
output is still written, and the exit status is then 1.
"""

import argparse
import base64
import glob
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from urllib.parse import unquote, urlsplit

from pyspark import SparkFiles, TaskContext
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# The extensions `ae-filter -o DIR FOLDER` picks up, in any case.
IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "jpe", "jfif", "pgm", "ppm", "pbm", "pnm")
# The name the archive is shipped under: --archives X.tar.gz#ae-filter.
ARCHIVE_NAME = "ae-filter"
RESULT_SCHEMA = "key string, png binary, error string"


def spark_session(app="ae-filter denoise"):
    """The session spark-submit configured (master, deploy mode, resources):
    nothing here overrides them. Run from plain Python, PySpark's default
    (local[*]) applies."""
    return SparkSession.builder.appName(app).getOrCreate()


def find_ae_filter(explicit=None):
    """The ae-filter to run here, on the driver or an executor: `explicit`,
    else bin/ae-filter inside the archive shipped as #ae-filter (unpacked in
    SparkFiles' root: the working directory on executors, a temporary folder
    on the driver), else ae-filter on PATH. None when there is none."""
    if explicit:
        return os.path.abspath(explicit)
    roots = []
    try:
        roots.append(SparkFiles.getRootDirectory())
    except Exception:  # no SparkContext here (e.g. before it starts)
        pass
    roots.append(os.getcwd())
    for root in roots:
        # ae-filter/ae-filter-VERSION/bin/ae-filter (the release archive), or a
        # flat archive with bin/ at its top.
        found = sorted(glob.glob(os.path.join(glob.escape(root), ARCHIVE_NAME, "*", "bin", "ae-filter")))
        found += [os.path.join(root, ARCHIVE_NAME, "bin", "ae-filter")]
        for path in found:
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return os.path.abspath(path)
    return shutil.which("ae-filter")


def check_options(ae_filter, options):
    """Runs ae-filter on no input with the job's options: 0 if it accepts them,
    else its exit status (64 for a usage error, with its one-line message)."""
    return subprocess.run([ae_filter, "--lines", "--on-error", "mark", *options],
                          stdin=subprocess.DEVNULL).returncode


def path_glob():
    """pathGlobFilter for IMAGE_EXTENSIONS in any case: *.{[pP][nN][gG],...}."""
    def any_case(extension):
        return "".join(f"[{c.lower()}{c.upper()}]" for c in extension)
    return "?*.{" + ",".join(any_case(e) for e in IMAGE_EXTENSIONS) + "}"


def output_name(key):
    """Where a key's PNG goes under the output folder: its extension becomes .png."""
    folder, _, name = key.rpartition("/")
    stem = name.rpartition(".")[0] or name
    return f"{folder}/{stem}.png" if folder else f"{stem}.png"


def unsendable(key):
    """Why a key cannot travel as a lines-mode record, if it cannot."""
    if "\t" in key or "\n" in key or "\r" in key:
        return "a name with a tab or newline cannot be a lines-mode key"
    return None


def with_jobs(options, task_cpus):
    """The options, with `-j TASK_CPUS` first unless they set --jobs: one
    ae-filter per task, as many threads as cores Spark gave the task (by
    default ae-filter would use every core of the machine, in each task)."""
    def sets_jobs(option):
        return (option in ("-j", "--jobs") or option.startswith("--jobs=")
                or (option.startswith("-j") and option[2:].isdigit()))
    return list(options) if any(sets_jobs(o) for o in options) else ["-j", str(task_cpus), *options]


def path_string(uri):
    """Hadoop's Path.toString() for a path's URI: file:///a%20b -> file:/a b."""
    parts = urlsplit(uri)
    authority = f"//{parts.netloc}" if parts.netloc else ""
    return f"{parts.scheme}:{authority}{unquote(parts.path)}" if parts.scheme else unquote(parts.path)


def hadoop_path(spark, uri):
    """(Hadoop FileSystem, qualified Path) for a path or URI, on the driver."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, fs.makeQualified(path)


# --- On the executors -------------------------------------------------------


def pipe_records(ae_filter, options):
    """For mapPartitions: (key, bytes) -> (key, png, error) through one
    `ae-filter --lines --on-error mark` per partition, found on the executor.
    What RDD.pipe(checkCode=True) does, with bytes instead of text: a bad
    record comes back with its error, and ae-filter failing fails the task."""
    def run(records):
        binary = find_ae_filter(ae_filter)
        if not binary:
            raise RuntimeError("no ae-filter on this executor: ship the release archive with "
                               "--archives ae-filter-VERSION-linux-x86_64.tar.gz#ae-filter, "
                               "or install it and pass --ae-filter PATH")
        process = subprocess.Popen([binary, "--lines", "--on-error", "mark", *options],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        failure = []

        def feed():
            try:
                for key, data in records:
                    process.stdin.write(key.encode("utf-8") + b"\t" + base64.b64encode(data) + b"\n")
            except BaseException as error:  # reported below, once ae-filter has stopped
                failure.append(error)
            finally:
                try:
                    process.stdin.close()
                except OSError:
                    pass

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        for line in process.stdout:
            key, _, payload = line.rstrip(b"\n").partition(b"\t")
            key = key.decode("utf-8")
            if not payload or payload.startswith(b"\terror: "):
                # --on-error mark: KEY<TAB><TAB>error: MESSAGE (and a line on stderr).
                yield key, None, payload.partition(b"error: ")[2].decode("utf-8", "replace") or "no output"
            else:
                yield key, base64.b64decode(payload), None
        status = process.wait()
        feeder.join()
        if failure:
            raise failure[0]
        if status:
            raise RuntimeError(f"{binary} exited with status {status}")
    return run


def pipe_batches(ae_filter, options, rows_per_batch=1000):
    """For mapInArrow: batches of (key, content) -> batches of (key, png, error),
    the partition's batches through one ae-filter process (pipe_records)."""
    def run(batches):
        import pyarrow as pa
        schema = pa.schema([("key", pa.string()), ("png", pa.binary()), ("error", pa.string())])

        def records():
            for batch in batches:
                yield from zip(batch.column("key").to_pylist(), batch.column("content").to_pylist())

        rows = []
        for row in pipe_records(ae_filter, options)(records()):
            rows.append(row)
            if len(rows) == rows_per_batch:
                yield pa.RecordBatch.from_arrays([pa.array(c) for c in zip(*rows)], schema=schema)
                rows = []
        if rows:
            yield pa.RecordBatch.from_arrays([pa.array(c) for c in zip(*rows)], schema=schema)
    return run


class PngWriter:
    """Writes PNGs under an output URI from an executor, each whole: into a
    folder of this task attempt's own under OUTPUT/_temporary, then renamed
    into place. A retried or killed attempt leaves at most its own temporary
    folder (the driver deletes _temporary at the end); the final names are
    fixed by the keys and the bytes by the seed, so an attempt renaming over an
    earlier one's file puts the same bytes there."""

    def __init__(self, output_uri, job_id):
        from pyarrow import fs as arrow_fs
        parts = urlsplit(output_uri)
        if parts.scheme in ("", "file"):
            self.fs, self.root = arrow_fs.LocalFileSystem(), parts.path
        else:  # hdfs:// through libhdfs; s3a:// is S3 to Arrow
            scheme = {"s3a": "s3", "s3n": "s3"}.get(parts.scheme, parts.scheme)
            self.fs, self.root = arrow_fs.FileSystem.from_uri(parts._replace(scheme=scheme).geturl())
        self.root = self.root.rstrip("/")
        attempt = TaskContext.get().taskAttemptId()
        self.temporary = f"{self.root}/_temporary/{job_id}/attempt-{attempt}"
        self.folders = set()

    def folder(self, path):
        folder = path.rpartition("/")[0]
        if folder not in self.folders:
            self.fs.create_dir(folder, recursive=True)
            self.folders.add(folder)

    def write(self, key, png):
        """None, or why the key's PNG could not be written."""
        final = f"{self.root}/{output_name(key)}"
        temporary = f"{self.temporary}/{output_name(key)}"
        try:
            self.folder(temporary)
            with self.fs.open_output_stream(temporary) as f:
                f.write(png)
            self.folder(final)
            try:
                self.fs.move(temporary, final)  # replaces on a local disk and HDFS-like stores
            except OSError:
                self.fs.delete_file(final)  # stores whose rename will not replace
                self.fs.move(temporary, final)
            return None
        except Exception as error:  # OSError, ArrowException
            return f"cannot write {final}: {error}"


def write_records(output_uri, job_id):
    """For mapPartitions: (key, png, error) -> (key, error), each PNG written."""
    def run(rows):
        writer = PngWriter(output_uri, job_id)
        for key, png, error in rows:
            yield key, error if error else writer.write(key, png)
    return run


def write_batches(output_uri, job_id):
    """For mapInArrow: batches of (key, png, error) -> batches of (key, error)."""
    def run(batches):
        import pyarrow as pa
        writer = PngWriter(output_uri, job_id)
        for batch in batches:
            keys, pngs, errors = (batch.column(n).to_pylist() for n in ("key", "png", "error"))
            errors = [e if e else writer.write(k, p) for k, p, e in zip(keys, pngs, errors)]
            yield pa.RecordBatch.from_arrays([pa.array(keys, pa.string()), pa.array(errors, pa.string())],
                                             names=["key", "error"])
    return run


# --- On the driver -----------------------------------------------------------


def denoise(spark, input_uri, output_uri, options=(), partitions=None, form="rdd",
            output_format="png", ae_filter=None):
    """Runs the job. Returns the keys found and what came back for them:
    (key, None) for each PNG written, (key, message) for each failure."""
    sc = spark.sparkContext
    options = with_jobs(options, sc.getConf().get("spark.task.cpus", "1"))
    in_fs, in_path = hadoop_path(spark, input_uri)
    if not in_fs.exists(in_path) or not in_fs.getFileStatus(in_path).isDirectory():
        raise NotADirectoryError(f"{input_uri}: not a folder")
    out_fs, out_path = hadoop_path(spark, output_uri)
    if output_format == "parquet" and out_fs.exists(out_path):
        raise FileExistsError(f"{output_uri}: exists; a table is written whole, to a new path")
    prefix = in_path.toString().rstrip("/") + "/"
    output = out_path.toString().rstrip("/")

    # One listing (the relation lists once, at load); content is read only by
    # the job. Spark's listing skips names that start with '.' (as ae-filter
    # does) and also those that start with '_'.
    files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
             .option("pathGlobFilter", path_glob()).load(prefix)
             .where(F.col("path").startswith(prefix))
             .withColumn("key", F.expr(f"substring(path, {len(prefix) + 1})")))
    inside = output[len(prefix):] + "/" if (output + "/").startswith(prefix) else None
    if inside:  # the output inside the input
        files = files.where(~F.col("key").startswith(inside))
    # The keys from the listing itself, without a job: inputFiles() gives the
    # paths as URIs, the path column as Hadoop's Path.toString() writes them.
    keys = [path[len(prefix):] for path in map(path_string, files.inputFiles()) if path.startswith(prefix)]
    keys = sorted((k for k in keys if not (inside and k.startswith(inside))), key=lambda k: k.encode("utf-8"))

    results, claimed, refused = [], {}, set()
    for key in keys:
        if unsendable(key):
            results.append((key, unsendable(key)))
            refused.add(key)
        elif output_name(key) in claimed:  # a.png beside a.jpg: the first wins, as in ae-filter
            results.append((key, f"its output is also the output of {claimed[output_name(key)]}"))
            refused.add(key)
        else:
            claimed[output_name(key)] = key
    records = files.select("key", "content")
    if refused:
        records = records.where(~F.col("key").isin(list(refused)))
    if partitions:
        # Fewer partitions than the source's: merge them, without a shuffle of
        # the images' bytes; more: a shuffle.
        if partitions <= records.rdd.getNumPartitions():
            records = records.coalesce(partitions)
        else:
            records = records.repartition(partitions)

    if form == "rdd":
        denoised = records.rdd.map(tuple).mapPartitions(pipe_records(ae_filter, options))
    else:
        denoised = records.mapInArrow(pipe_batches(ae_filter, options), RESULT_SCHEMA)

    if output_format == "parquet":
        # Spark's writer and its commit protocol: the table appears whole at
        # the end, each task's part once, whatever was retried.
        table = denoised if form != "rdd" else spark.createDataFrame(denoised, RESULT_SCHEMA)
        table.write.parquet(output)
        results += [(row.key, row.error) for row in spark.read.parquet(output).select("key", "error").collect()]
        return keys, results

    out_fs.mkdirs(out_path)
    job_id = f"ae-filter-{sc.applicationId}-{os.getpid()}-{id(records)}"
    try:
        if form == "rdd":
            results += denoised.mapPartitions(write_records(output, job_id)).collect()
        else:
            written = denoised.mapInArrow(write_batches(output, job_id), "key string, error string")
            results += [(row.key, row.error) for row in written.collect()]
    finally:
        jvm = sc._jvm
        out_fs.delete(jvm.org.apache.hadoop.fs.Path(f"{output}/_temporary/{job_id}"), True)
        temporary = jvm.org.apache.hadoop.fs.Path(f"{output}/_temporary")
        if out_fs.exists(temporary) and len(out_fs.listStatus(temporary)) == 0:
            out_fs.delete(temporary, False)
    return keys, results


def failures(keys, results):
    """(key, message) for every key without exactly one good output."""
    counts = Counter(key for key, _ in results)
    found = [(key, message) for key, message in results if message]
    found += [(key, "no output") for key in keys if counts[key] == 0]
    found += [(key, f"{counts[key]} outputs") for key in set(keys) if counts[key] > 1]
    found += [(key, "not an input") for key in counts.keys() - set(keys)]
    return found


class Arguments(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 64, as ae-filter's do
        self.print_usage(sys.stderr)
        self.exit(64, f"{self.prog}: error: {message}\n")


def main():
    parser = Arguments(prog="denoise.py", description=__doc__.split("\n")[0])
    parser.add_argument("--form", choices=("rdd", "dataframe"), default="rdd",
                        help="RDD mapPartitions (default) or DataFrame mapInArrow")
    parser.add_argument("--output-format", choices=("png", "parquet"), default="png",
                        help="PNG files under OUTPUT (default), or a Parquet table of key, png, error")
    parser.add_argument("--partitions", type=int, metavar="N",
                        help="repartition the images into N (default: as Spark's binaryFile source splits them)")
    parser.add_argument("--ae-filter", metavar="PATH",
                        help="ae-filter at PATH on every machine (default: the shipped archive, else PATH)")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="ae-filter options")
    args = parser.parse_args()
    if args.partitions is not None and args.partitions < 1:
        parser.error("--partitions must be at least 1")

    spark = spark_session()
    try:
        # ae-filter judges its options once, on no input, before any Spark job:
        # a usage error (exit 64) is one line here instead of failed tasks.
        binary = find_ae_filter(args.ae_filter)
        if not binary or not os.access(binary, os.X_OK):
            parser.error("no ae-filter: ship the release archive with --archives "
                         "ae-filter-VERSION-linux-x86_64.tar.gz#ae-filter, or pass --ae-filter PATH")
        status = check_options(binary, args.options)
        if status:
            sys.exit(status)
        try:
            keys, results = denoise(spark, args.input, args.output, args.options, args.partitions,
                                    args.form, args.output_format, args.ae_filter)
        except (NotADirectoryError, FileExistsError) as error:
            parser.error(str(error))
    finally:
        spark.stop()
    failed = failures(keys, results)
    for key, message in sorted(failed):
        shown = key.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        print(f"denoise.py: {shown}: {message}", file=sys.stderr)
    print(f"denoise.py: {len(keys) - len(failed)} of {len(keys)} images denoised into {args.output}",
          file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
