#!/usr/bin/env bash
# A grid comparing the embedded models: one row per image, four panels each:
# input | noisy | the tutorial model's output | the blind model's output,
# at one noise level (the same noise for both models). Written as a PGM, and
# as a PNG if ImageMagick is installed.
# Usage: compare-models.sh LEVEL OUT_BASENAME IMAGE...   (AE_FILTER: the binary, default ae-filter)
set -euo pipefail
ae_filter="${AE_FILTER:-ae-filter}"
level="$1" out="$2" scale=4
shift 2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() { "$ae_filter" --noise "$level" --seed 1 --scale "$scale" --format idx "$@"; }
run --emit input "$@" > "$work/input.idx"
run --emit noisy "$@" > "$work/noisy.idx"
run --model tutorial "$@" > "$work/tutorial.idx"
run --model blind "$@" > "$work/blind.idx"
python3 - "$work" "$out.pgm" <<'PY'
import sys
work, out = sys.argv[1:]
panels = []
for name in ["input", "noisy", "tutorial", "blind"]:
    data = open(f"{work}/{name}.idx", "rb").read()
    count, rows, columns = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    panels.append([data[16 + i * rows * columns:16 + (i + 1) * rows * columns] for i in range(count)])
count, side = len(panels[0]), columns
lines = []
for image in range(count):
    for y in range(side):
        # A 2-pixel grey gap between panels.
        lines.append(b"\x80\x80".join(p[image][y * side:(y + 1) * side] for p in panels))
width = len(lines[0])
with open(out, "wb") as f:
    f.write(b"P5\n%d %d\n255\n" % (width, len(lines)) + b"".join(lines))
PY
if command -v convert >/dev/null && convert -version 2>/dev/null | grep -q ImageMagick; then
  convert "$out.pgm" "$out.png"
fi
echo "wrote $out.pgm$([ -f "$out.png" ] && echo " and $out.png")"
