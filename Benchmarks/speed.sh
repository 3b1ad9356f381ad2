#!/usr/bin/env bash
# Every speed ratio of issue 23, for each CPU path this machine can run, in
# one command: the default model (`blind`, the U-Net) folder -> folder and
# stream -> stream against PyTorch + Pillow running the same U-Net with
# blind's weights (Benchmarks/reference/torch_filter.py, batches of 100);
# `--model tutorial` the same way; one image against ImageMagick's convert;
# U-Net training (`--backend blas` and `cpu`) against train_unet.py; the
# tutorial's training against seed_train.py (when torchvision is there).
#
# Paths: `avx512` (when the CPU has it) runs every kernel natively; `avx2`
# runs what an AVX2 machine gets: AE_FILTER_CPU_PATH=avx2 (the cpu backend's
# kernel), OPENBLAS_CORETYPE=Haswell (OpenBLAS's), and PyTorch limited the
# same way (ATEN_CPU_CAPABILITY=avx2, DNNL_MAX_CPU_ISA=AVX2). Every case runs
# its rounds interleaved with its anchor. The peak is measured by a C loop of
# independent fused multiply-adds on every core (Benchmarks/peak.c).
#
# Raw rows and the command go to Benchmarks/runs/DATE-CPU/speed-HHMMZ.{csv,txt}.
# Needs torch, Pillow and safetensors importable (e.g. PYTHONPATH).
# Usage: Benchmarks/speed.sh [--quick] [--rounds N] [--paths "avx512 avx2"] [--baseline BIN]
#                            [--images N] [--one-image-rounds N] [--train-iterations N]
#   --quick     1,000 images, 30 one-image rounds, 10 training iterations (a few minutes a path)
#   --baseline  also runs another ae-filter binary beside this one (before/after in one run;
#               give a static build for its one-image rows to compare like with like)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
swift build --quiet --package-path "$root" -c release --product ae-filter >&2
# One image runs the installed configuration (static Swift runtime, lld), built
# here so that it is never an older build's.
swift build --quiet --package-path "$root" -c release --product ae-filter \
  --static-swift-stdlib -Xswiftc -use-ld=lld --scratch-path "$root/.build-static" >&2
"$root/scripts/build-modules" >&2
exec python3 "$root/Benchmarks/speed.py" --root "$root" "$@"
