#!/usr/bin/env bash
# Single-image latency of the whole process: ae-filter < 28x28.png > out.png.
# Usage: Benchmarks/latency.sh [MODEL]   (prints the median in ms)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:-$root/../shared/reference/tutorial-pytorch-4800it.safetensors}"
swift build --package-path "$root" -c release --product ae-filter >&2
bin="$root/.build/release/ae-filter"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
hyperfine -N --warmup 5 --runs 100 --export-json "$json" --output=null \
  "$bin --model $model $root/Samples/shirt.png" \
  "$bin --model $model --noise 0.5 $root/Samples/shirt.png" >&2
python3 - "$json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["median"] * 1e3:6.1f} ms median  {r["command"]}')
PY
