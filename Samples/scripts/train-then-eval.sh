#!/usr/bin/env bash
# Train a checkpoint, evaluate it against the noisy input and a median filter,
# and denoise a sample with it.
# Usage: train-then-eval.sh DATA_DIR OUT_DIR [ITERATIONS]   (default: the tutorial's 4,800)
#        (AE_FILTER: the binary, default ae-filter; `ae-filter data fetch DATA_DIR` gets the data)
set -euo pipefail
ae_filter="${AE_FILTER:-ae-filter}"
samples="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$2"
"$ae_filter" train --data "$1" --iterations "${3:-4800}" -o "$2/model.safetensors" --log "$2/train.jsonl"
"$ae_filter" eval --data "$1" --model "$2/model.safetensors" --json > "$2/eval.json"
"$ae_filter" --model "$2/model.safetensors" --noise 0.5 --emit triptych --scale 4 "$samples/shirt.png" > "$2/shirt-triptych.png"
echo "checkpoint $2/model.safetensors; test metrics in $2/eval.json; a sample in $2/shirt-triptych.png"
