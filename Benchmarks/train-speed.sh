#!/usr/bin/env bash
# Wall time of the tutorial's default protocol (4,800 iterations, 10 test evaluations)
# with ae-filter train, and, when PyTorch is installed, of the tutorial's own script
# (Benchmarks/reference/seed_train.py) on the same machine in the same run.
# Usage: Benchmarks/train-speed.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${AE_FILTER_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/ae-filter/fashion-mnist}"
runs="${1:-1}"
swift_total=0; torch_total=0
swift build --quiet --package-path "$root" -c release --product ae-filter >&2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$root/.build/release/ae-filter" train --data "$data" -o "$out/m.safetensors" 2>"$out/log"
  end=$(date +%s.%N)
  swift_s=$(python3 -c "print(f'{$end - $start:.1f}')")
  echo "ae-filter train (default protocol): ${swift_s} s wall, $(tail -1 "$out/log")"
  if python3 -c 'import torch, torchvision' 2>/dev/null; then
    mkdir -p "$out/root/FashionMNIST/raw"
    for f in "$data"/*.gz; do gunzip -c "$f" > "$out/root/FashionMNIST/raw/$(basename "$f" .gz)"; done
    start=$(date +%s.%N)
    python3 "$root/Benchmarks/reference/seed_train.py" --root "$out/root" --iters 4800 > "$out/torch.log"
    end=$(date +%s.%N)
    torch_s=$(python3 -c "print(f'{$end - $start:.1f}')")
    echo "PyTorch seed_train.py: ${torch_s} s wall ($(tail -1 "$out/torch.log")); ratio $(python3 -c "print(f'{$torch_s / $swift_s:.2f}')")x"
    swift_total=$(python3 -c "print(f'{$swift_total + $swift_s:.1f}')")
    torch_total=$(python3 -c "print(f'{$torch_total + $torch_s:.1f}')")
  else
    echo "PyTorch is not installed here: compare with docs/performance.md and Benchmarks/runs/ (the tutorial's code took 102.6 s on a 2-core machine of this kind)"
  fi
done
if [[ "$torch_total" != 0 ]]; then
  echo "all $runs runs: ae-filter ${swift_total} s, PyTorch ${torch_total} s; ratio $(python3 -c "print(f'{$torch_total / $swift_total:.2f}')")x"
fi
