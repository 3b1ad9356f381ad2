#!/usr/bin/env bash
# Training speed of the U-Net (`train --architecture unet`, 32 channels, depth 2,
# batch 64, blind dropout 0:0.7) against PyTorch training the same module the
# same way (Benchmarks/reference/train_unet.py), side by side in one run:
# ITERATIONS steps each, RUNS interleaved pairs, training images per second
# without the evaluations. Needs torch importable (e.g. PYTHONPATH).
# Usage: Benchmarks/unet-train-speed.sh [ITERATIONS] [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${AE_FILTER_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/ae-filter/fashion-mnist}"
iterations="${1:-100}" runs="${2:-2}"
swift build --quiet --package-path "$root" -c release --product ae-filter >&2
"$root/scripts/build-modules" >&2
bin="$root/.build/release/ae-filter"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%Y-%m-%d)"
for run in $(seq "$runs"); do
  for backend in blas cpu; do
    "$bin" train --data "$data" --architecture unet --channels 32 --depth 2 --batch-size 64 --noise-range 0:0.7 \
      --schedule cosine --iterations "$iterations" --eval-every 1000000 --backend "$backend" --force -q \
      --log "$work/log-$run-$backend" -o "$work/m.safetensors" > /dev/null
    python3 - "$work/log-$run-$backend" "$backend" <<'PY'
import json, sys
point = [json.loads(l) for l in open(sys.argv[1])][-1]
# The last evaluation's rate counts training only up to it; its elapsed time includes the final evaluation.
print(f"ae-filter train --backend {sys.argv[2]}: {point['images_per_s']:.0f} images/s")
PY
  done
  python3 "$root/Benchmarks/reference/train_unet.py" --data "$data" --out "$work/t.safetensors" \
    --steps "$iterations" | tail -1 | sed 's/^/PyTorch train_unet.py: /'
done
