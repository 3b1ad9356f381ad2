#!/usr/bin/env bash
# A grid of input | noisy | denoised triptychs, one row per image, from the
# first N Fashion-MNIST test images. The rows come out as one IDX file, whose
# pixels stacked are the grid: written as a PGM, and as a PNG if ImageMagick is
# installed.
# Usage: triptych-grid.sh DATA_DIR OUT_BASENAME [N]   (AE_FILTER: the binary, default ae-filter)
set -euo pipefail
ae_filter="${AE_FILTER:-ae-filter}"
count="${3:-8}" scale=4
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$ae_filter" data export --data "$1" --limit "$count" --out "$work/in" >/dev/null
"$ae_filter" --noise 0.5 --seed 1 --emit triptych --scale "$scale" --format idx "$work/in" > "$work/rows.idx"
{ printf 'P5\n%d %d\n255\n' $((84 * scale)) $((28 * scale * count)); tail -c +17 "$work/rows.idx"; } > "$2.pgm"
if command -v convert >/dev/null && convert -version 2>/dev/null | grep -q ImageMagick; then
  convert "$2.pgm" "$2.png"
fi
echo "wrote $2.pgm$([ -f "$2.png" ] && echo " and $2.png")"
