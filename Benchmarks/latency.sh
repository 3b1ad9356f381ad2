#!/usr/bin/env bash
# Single-image latency of the whole process, ae-filter shirt.png > out.png, with
# the embedded model: the shipped configuration (static Swift runtime, lld) and the
# default dynamic debug-free build. Usage: Benchmarks/latency.sh   (prints medians)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
swift build --quiet --package-path "$root" -c release --product ae-filter >&2
swift build --quiet --package-path "$root" -c release --product ae-filter \
  --static-swift-stdlib -Xswiftc -use-ld=lld --scratch-path "$root/.build-static" >&2
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
sample="$root/Samples/shirt.png"
hyperfine -N --warmup 5 --runs 100 --export-json "$json" --output=null \
  "$root/.build-static/release/ae-filter $sample" \
  "$root/.build-static/release/ae-filter --noise 0.5 $sample" \
  "$root/.build/release/ae-filter $sample" >&2
python3 - "$json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["median"] * 1e3:6.1f} ms median  {r["command"]}')
PY
