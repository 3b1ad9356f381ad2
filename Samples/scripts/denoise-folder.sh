#!/usr/bin/env bash
# Denoise every image under a folder into a mirrored folder tree; rerunning
# resumes where an interrupted run stopped.
# Usage: denoise-folder.sh IN_DIR OUT_DIR [NOISE]     (AE_FILTER: the binary, default ae-filter)
set -euo pipefail
ae_filter="${AE_FILTER:-ae-filter}"
"$ae_filter" --noise "${3:-0.5}" --skip-existing --summary -o "$2/" "$1"
