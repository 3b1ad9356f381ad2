#!/usr/bin/env bash
# The 10,000 Fashion-MNIST test images (28x28 PNG files from `ae-filter data
# export`), --model tutorial --noise 0.5 --seed 7, folder to folder three ways: one ae-filter
# process; GNU parallel over chunks of 1,000 files (`find | parallel --pipe -N
# 1000 ae-filter --files-from -`, from inside the folder, so that paths and noise
# are the same); and Samples/spark/denoise.py on Spark local[2] at the context's
# default parallelism, the context's start timed apart from the job (for a
# standalone cluster, per executor core: Benchmarks/spark-cluster.sh), the
# Spark job run twice (the first warms up). The outputs must be identical. One run each; prints seconds and images/s.
# The binary is $AE_FILTER, else .build/release/ae-filter (build it first);
# PySpark as scripts/spark-test installs it. Files live under BENCH_DIR
# (default: $TMPDIR or /tmp).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${AE_FILTER:-$root/.build/release/ae-filter}")"
[ -x "$bin" ] || { echo "spark.sh: no ae-filter at $bin: swift build -c release, or set AE_FILTER" >&2; exit 1; }
if ! python3 -c 'import pyspark' 2>/dev/null; then
  export PYTHONPATH="${AE_FILTER_PYSPARK:-${XDG_CACHE_HOME:-$HOME/.cache}/ae-filter/pyspark}${PYTHONPATH:+:$PYTHONPATH}"
  python3 -c 'import pyspark' 2>/dev/null || { echo "spark.sh: no PySpark: run scripts/spark-test once" >&2; exit 1; }
fi
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$(command -v python3)}" SPARK_LOCAL_IP=127.0.0.1 PYTHONDONTWRITEBYTECODE=1
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/ae-filter-spark-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" data export --split test --out in >/dev/null
count=$(find in -type f | wc -l)
# The tutorial model, so that the cost of the ways of running shows, not the U-Net.
options=(--model tutorial --noise 0.5 --seed 7)
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

start=$(now)
"$bin" "${options[@]}" -o "$work/direct/" in
direct=$(seconds "$start" "$(now)")

start=$(now)
(cd in && find . -type f -name '*.png' | parallel --pipe -N 1000 "$bin" "${options[@]}" --files-from - -o "$work/parallel/")
parallel=$(seconds "$start" "$(now)")

read -r context job warm partitions < <(python3 - "$root/Samples/spark" "$bin" "${options[@]}" 2>spark.log <<'PY'
import sys, time
from pyspark.sql import SparkSession
sys.path.insert(0, sys.argv[1])
import denoise

start = time.monotonic()
# Run outside spark-submit, the harness picks the master; the sample never does.
spark = (SparkSession.builder.master("local[2]").appName("ae-filter benchmark")
         .config("spark.ui.enabled", "false").config("spark.log.level", "WARN").getOrCreate())
sc = spark.sparkContext
sc.addPyFile(denoise.__file__)
context = time.monotonic() - start
# The same job twice: the first pays for the Python workers, the SQL plan's
# code generation and the JIT; the second shows the steady cost.
times, failed = [], []
for output in ("spark", "spark-again"):
    start = time.monotonic()
    keys, results = denoise.denoise(spark, "in", output, sys.argv[3:], sc.defaultParallelism, ae_filter=sys.argv[2])
    times.append(time.monotonic() - start)
    failed += denoise.failures(keys, results)
print(f"{context:.2f} {times[0]:.2f} {times[1]:.2f} {sc.defaultParallelism}" if not failed else f"failed: {failed[:3]}")
spark.stop()
PY
) || { tail -20 spark.log >&2; exit 1; }
[[ "$context" =~ ^[0-9.]+$ ]] || { echo "spark.sh: the Spark job failed: $context $job $partitions" >&2; exit 1; }
diff -rq direct parallel && diff -rq direct spark && diff -rq direct spark-again || { echo "spark.sh: the outputs differ" >&2; exit 1; }

echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "$count images, 28x28 PNG, ${options[*]}; outputs identical"
printf '%-48s %8s %9s\n' "" seconds "images/s"
row() { printf '%-48s %8s %9s\n' "$1" "$2" "${3:-$(awk -v n="$count" -v t="$2" 'BEGIN { printf "%.0f", n / t }')}"; }
row "ae-filter -o DIR folder" "$direct"
row "GNU parallel --pipe -N 1000, --files-from -" "$parallel"
row "Spark local[2]: context start" "$context" "-"
row "Spark local[2]: job ($partitions partitions)" "$job"
row "Spark local[2]: the same job again" "$warm"
row "Spark local[2]: context start + job" "$(awk -v a="$context" -v b="$job" 'BEGIN { printf "%.2f", a + b }')"
