#!/usr/bin/env bash
# Split a long file list into chunks of 500 and run one ae-filter per chunk with
# GNU parallel, two jobs at a time (on several machines: add --sshlogin).
# Each ae-filter process already uses every core; chunks help when the list is
# spread over machines, or to bound the work one process loses on a crash.
# Usage: parallel-chunks.sh IN_DIR OUT_DIR            (AE_FILTER: the binary, default ae-filter)
set -euo pipefail
ae_filter="${AE_FILTER:-ae-filter}"
find "$1" -type f -name '*.png' -print0 |
  parallel --null --pipe -N 500 --jobs 2 "$ae_filter" --files-from - -0 -j 1 --noise 0.5 -o "$2/"
