#!/usr/bin/env bash
# Throughput of whole ae-filter processes on the 10,000 Fashion-MNIST test images
# (28x28 PNG files from `ae-filter data export`, --noise 0.5, the tutorial's
# checkpoint), side by side in one run with the anchors: the PyTorch + Pillow
# filter (Benchmarks/reference/torch_filter.py, when torch is importable) and
# ImageMagick's mogrify (resizing only, when installed). Medians of RUNS runs,
# interleaved. Files live under BENCH_DIR (default: $TMPDIR or /tmp); every run
# writes to a folder of its own, and nothing is deleted until the end: on some
# file systems, creating files right after deleting many is several times slower.
# Usage: Benchmarks/filter-speed.sh [RUNS] [--million]
#   --million also streams 1,000,000 images through one process and reports its peak RSS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${AE_FILTER_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/ae-filter/fashion-mnist}"
runs="${1:-3}"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%Y-%m-%d)"
swift build --quiet --package-path "$root" -c release --product ae-filter >&2
bin="$root/.build/release/ae-filter"
ckpt="$root/Tests/Reference/tutorial-pytorch-4800it.safetensors"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/ae-filter-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$bin" data export --data "$data" --split test --out "$work/in" >&2
cat "$work"/in/*.png > "$work/stream.png"
count=$(ls "$work/in" | wc -l)

# name, command (run with bash -c; $OUT is a fresh folder or file each run)
cases=(
  "ae-filter folder -> folder|$bin --model $ckpt --noise 0.5 -o \$OUT/ $work/in"
  "ae-filter PNG stream -> PNG stream|$bin --model $ckpt --noise 0.5 < $work/stream.png > \$OUT"
  "ae-filter folder -> folder, -j 1|$bin --model $ckpt --noise 0.5 -j 1 -o \$OUT/ $work/in"
  "ae-filter folder -> folder, --model blind (U-Net)|$bin --model blind --noise 0.5 -o \$OUT/ $work/in"
  "ae-filter PNG stream -> PNG stream, --model blind|$bin --model blind --noise 0.5 < $work/stream.png > \$OUT"
)
if python3 -c 'import torch, PIL, safetensors' 2>/dev/null; then
  cases+=("PyTorch + Pillow torch_filter.py, files -> folder|python3 $root/Benchmarks/reference/torch_filter.py $ckpt --noise 0.5 --out \$OUT $work/in/*.png")
fi
if command -v mogrify >/dev/null && mogrify -version 2>/dev/null | grep -q ImageMagick; then
  cases+=("ImageMagick mogrify -resize 28x28 -colorspace gray (I/O only)|mkdir \$OUT && mogrify -path \$OUT -resize 28x28 -colorspace gray $work/in/*.png")
fi

declare -A times
for run in $(seq "$runs"); do
  index=0
  for entry in "${cases[@]}"; do
    name="${entry%%|*}"; command="${entry#*|}"
    index=$((index + 1))
    OUT="$work/out-$run-$index"
    start=$(date +%s.%N)
    OUT="$OUT" bash -c "$command" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    end=$(date +%s.%N)
    times[$name]+="$(python3 -c "print($end - $start)") "
  done
done
python3 - "$count" "${#cases[@]}" <<PY
import statistics, sys
count = int(sys.argv[1])
results = {}
$(for entry in "${cases[@]}"; do name="${entry%%|*}"; echo "results['''$name'''] = statistics.median([${times[$name]// /, }0][:-1])"; done)
torch = next((t for n, t in results.items() if n.startswith('PyTorch')), None)
for name, t in results.items():
    ratio = f'  {torch / t:5.1f}x PyTorch' if torch else ''
    print(f'{t:7.2f} s  {count / t:8.0f} img/s{ratio}  {name}')
PY
if [[ "${2:-}" == "--million" ]]; then
  python3 - "$bin" "$ckpt" "$work/in/00000-ankle-boot.png" <<'PY'
import resource, subprocess, sys, threading, time
bin, ckpt, png = sys.argv[1], sys.argv[2], open(sys.argv[3], 'rb').read()
n = 1_000_000
p = subprocess.Popen([bin, '--model', ckpt, '--noise', '0.5', '--summary'], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
def feed():
    chunk = png * 1000
    for _ in range(n // 1000): p.stdin.write(chunk)
    p.stdin.close()
start = time.time()
threading.Thread(target=feed).start()
out = 0
while block := p.stdout.read(1 << 20): out += len(block)
err = p.stderr.read().decode().strip()
p.wait()
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f'1,000,000-image PNG stream: {time.time() - start:.1f} s, peak RSS {rss / 1024:.1f} MiB, {out} bytes out, exit {p.returncode}; {err}')
PY
fi
