#!/usr/bin/env bash
# Single-image latency of whole processes, side by side in one hyperfine run:
# the installed configuration (static Swift runtime, lld; scripts/install) with
# each embedded model (the default, blind, first), with and without noise, and
# ImageMagick's convert resizing the same image to 28x28 (/usr/bin/convert: the
# real one, not a wrapper); then the one-liner `cat shirt.png | ae-filter
# --noise 0.5` against `cat shirt.png | convert -`. Prints the medians,
# each one's ratio to convert, and how much longer the blind model takes than the tutorial's.
# Usage: Benchmarks/latency.sh [RUNS]   (needs hyperfine and imagemagick)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-100}"
swift build --quiet --package-path "$root" -c release --product ae-filter \
  --static-swift-stdlib -Xswiftc -use-ld=lld --scratch-path "$root/.build-static" >&2
bin="$root/.build-static/release/ae-filter"
sample="$root/Samples/shirt.png"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%Y-%m-%d)"
report() {
  python3 - "$json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
for r in results:
    print(f'{r["median"] * 1e3:6.1f} ms median  ({r["median"] / base:.2f}x convert)  {r["command"]}')
# Issue 16's measure: the default (blind) model's one image against the tutorial model's.
blind = [r for r in results if "--noise 0.5" in r["command"] and "--model" not in r["command"]]
tutorial = [r for r in results if "--model tutorial --noise 0.5" in r["command"]]
if blind and tutorial:
    print(f'{(blind[0]["median"] - tutorial[0]["median"]) * 1e3:6.1f} ms  blind minus tutorial, with noise')
PY
}
hyperfine -N --warmup 10 --runs "$runs" --export-json "$json" --output=null \
  "/usr/bin/convert $sample -resize 28x28 png:-" \
  "$bin --noise 0.5 $sample" \
  "$bin --model tutorial --noise 0.5 $sample" \
  "$bin $sample" \
  "$bin --model tutorial $sample" >&2
report
# The README's one-liner as written, through a shell (which both sides pay).
hyperfine --warmup 10 --runs "$runs" --export-json "$json" --output=null \
  "cat $sample | /usr/bin/convert - -resize 28x28 png:-" \
  "cat $sample | $bin --noise 0.5" \
  "cat $sample | $bin --model tutorial --noise 0.5" >&2
report
