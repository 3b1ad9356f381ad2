#!/usr/bin/env bash
# Load test: 100,000 files in one folder run, and a 1,000,000-image stream, each
# checked for loss: outputs = inputs - reported failures. Files live under
# BENCH_DIR (default: $TMPDIR or /tmp); about 1 GB of disk while it runs.
# Usage: Benchmarks/load.sh [FILES] [STREAM_IMAGES]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${AE_FILTER_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/ae-filter/fashion-mnist}"
files="${1:-100000}" images="${2:-1000000}"
swift build --quiet --package-path "$root" -c release --product ae-filter >&2
bin="$root/.build/release/ae-filter"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/ae-filter-load-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Folder: the 10,000 test images copied into one folder until there are FILES,
# with one corrupt file per 10,000 to be reported, not lost.
"$bin" data export --data "$data" --split test --out "$work/test" >/dev/null
mkdir "$work/in"
n=0
while [ "$n" -lt "$files" ]; do
  for f in "$work"/test/*.png; do
    [ "$n" -ge "$files" ] && break
    if [ $((n % 10000)) -eq 9999 ]; then head -c 100 "$f" > "$work/in/$n.png"; else ln "$f" "$work/in/$n.png"; fi
    n=$((n + 1))
  done
done
start=$(date +%s.%N)
set +e
"$bin" --noise 0.5 --summary -o "$work/out/" "$work/in" 2> "$work/folder.err"
status=$?
set -e
end=$(date +%s.%N)
failed=$(grep -c "invalid PNG" "$work/folder.err" || true)
written=$(find "$work/out" -type f | wc -l)
echo "folder: $files files in $(python3 -c "print(f'{$end - $start:.1f}')") s, exit $status; $written written + $failed reported = $((written + failed)); $(tail -1 "$work/folder.err")"
[ $((written + failed)) -eq "$files" ] || { echo "LOST $((files - written - failed)) files" >&2; exit 1; }

# Stream: IMAGES PNGs through one pipe into an IDX file, counted from its header and size.
python3 - "$bin" "$work/test/00000-ankle-boot.png" "$images" "$work/stream.idx" <<'PY'
import resource, struct, subprocess, sys, threading, time, os
bin, png, n, out = sys.argv[1], open(sys.argv[2], 'rb').read(), int(sys.argv[3]), sys.argv[4]
with open(out, 'wb') as sink:
    p = subprocess.Popen([bin, '--noise', '0.5', '--format', 'idx', '--summary'], stdin=subprocess.PIPE, stdout=sink, stderr=subprocess.PIPE)
    def feed():
        chunk = png * 1000
        for _ in range(n // 1000): p.stdin.write(chunk)
        p.stdin.write(png * (n % 1000))
        p.stdin.close()
    start = time.time()
    threading.Thread(target=feed).start()
    err = p.stderr.read().decode().strip()
    p.wait()
count = struct.unpack('>I', open(out, 'rb').read(8)[4:])[0]
size = os.path.getsize(out)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f'stream: {n} images in {time.time() - start:.1f} s, exit {p.returncode}, IDX holds {count} images '
      f'({size} bytes = 16 + {count} x 784: {size == 16 + count * 784}), peak RSS {rss:.1f} MiB; {err}')
sys.exit(0 if count == n and size == 16 + n * 784 and p.returncode == 0 else 1)
PY
