#!/usr/bin/env bash
# Denoise the images find(1) selects (here: PNGs changed in the last N days),
# NUL-separated so any file name works; outputs keep their relative paths.
# Usage: find-files-from.sh IN_DIR OUT_DIR [DAYS]     (AE_FILTER: the binary, default ae-filter)
set -euo pipefail
ae_filter="${AE_FILTER:-ae-filter}"
find "$1" -type f -name '*.png' -mtime "-${3:-3650}" -print0 |
  "$ae_filter" --files-from - -0 --noise 0.5 --summary -o "$2/"
