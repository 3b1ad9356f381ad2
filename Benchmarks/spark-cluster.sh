#!/usr/bin/env bash
# Throughput per executor core on a Spark standalone cluster, against a direct
# run, in one run: the 10,000 Fashion-MNIST test images (28x28 PNG files from
# `ae-filter data export`), --noise 0.5 --seed 7 with the default model, folder
# to folder. First one ae-filter process with -j 1 and with -j 2; then a
# master and 1, then 2 workers of one core each (spark-class, 127.0.0.1 only,
# this user), each time Samples/spark/denoise.py's RDD form submitted with the
# release archive (--archives ...#ae-filter), PNG files out, at PARTITIONS
# partitions (default 8). The application's start (context, executors, their
# Python workers: a warm-up job) is timed apart from the job. Every output
# must equal the direct run's. Prints a table and writes the rows as CSV to
# OUT_DIR (default Benchmarks/runs/DATE-CPU/) as spark-cluster-HHMMZ.csv, with
# spark-cluster-HHMMZ.txt: the command, machine and load (UTC start time).
# The archive is $AE_FILTER_ARCHIVE, else scripts/package --no-deb builds it;
# PySpark as scripts/spark-test installs it. Files live under BENCH_DIR
# (default: $TMPDIR or /tmp). Usage: Benchmarks/spark-cluster.sh [PARTITIONS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
partitions="${1:-8}"
archive="$(realpath "${AE_FILTER_ARCHIVE:-$("$root/scripts/package" --no-deb | tail -1)}")"
pyspark_dir="${AE_FILTER_PYSPARK:-${XDG_CACHE_HOME:-$HOME/.cache}/ae-filter/pyspark}"
PYTHONPATH="$pyspark_dir" python3 -c 'import pyspark, pyarrow' 2>/dev/null ||
  { echo "spark-cluster.sh: no PySpark in $pyspark_dir: run scripts/spark-test once" >&2; exit 1; }
export PYTHONPATH="$pyspark_dir${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 SPARK_LOCAL_IP=127.0.0.1
export SPARK_HOME="$pyspark_dir/pyspark" PYSPARK_PYTHON="${PYSPARK_PYTHON:-$(command -v python3)}"
cpu="$(lscpu | sed -n 's/^Model name: *//p')"
out_dir="${OUT_DIR:-$root/Benchmarks/runs/$(date -u +%F)-$(tr 'A-Z' 'a-z' <<<"$cpu" | sed 's/([^)]*)//g; s/[^a-z0-9]\+/-/g; s/^-//; s/-$//')-$(nproc)c}"
stamp="$(date -u +%H%MZ)"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/ae-filter-spark-cluster-XXXXXX")"
pids=()
stop() { for pid in "$@"; do kill "$pid" 2>/dev/null || true; done; for pid in "$@"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done; }
trap 'stop "${pids[@]}"; rm -rf "$work"' EXIT
cd "$work"
mkdir -p local logs && tar -C local -xzf "$archive"
bin="$(echo "$work"/local/*/bin/ae-filter)"
"$bin" data export --split test --out in >/dev/null
count=$(find in -type f | wc -l)
options=(--noise 0.5 --seed 7)
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rows=()
row() { # HOW WORKERS CORES SECONDS [START] [PARTITIONS]
  rows+=("$1,$2,$3,${6:-},${5:-},$4,$(awk -v n="$count" -v t="$4" -v c="$3" 'BEGIN { printf "%.0f,%.0f", n / t, n / t / c }')")
}

for jobs in 1 2; do
  start=$(now)
  "$bin" -j "$jobs" "${options[@]}" -o "$work/direct-$jobs/" in
  row "ae-filter -j $jobs" 0 "$jobs" "$(seconds "$start" "$(now)")"
done
diff -rq direct-1 direct-2 >/dev/null || { echo "spark-cluster.sh: -j 1 and -j 2 differ" >&2; exit 1; }

cat >job.py <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
import denoise

start = time.monotonic()
spark = denoise.spark_session("ae-filter spark-cluster benchmark")
sc = spark.sparkContext
sc.addPyFile(denoise.__file__)
workers = int(sys.argv[2])
sc.parallelize(range(4 * workers), 4 * workers).map(lambda _: denoise.find_ae_filter()).collect()
started = time.monotonic() - start
start = time.monotonic()
keys, results = denoise.denoise(spark, "in", sys.argv[3], sys.argv[5:], int(sys.argv[4]))
job = time.monotonic() - start
failed = denoise.failures(keys, results)
print(f"{started:.2f} {job:.2f}" if not failed else f"failed: {failed[:3]}")
spark.stop()
PY
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false" "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port 0 >logs/master.log 2>&1 &
pids+=($!)
for workers in 1 2; do
  worker_pids=()
  for n in $(seq "$workers"); do
    mkdir -p "worker-$workers-$n"
    "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
      --cores 1 --memory 1g --work-dir "$work/worker-$workers-$n" "spark://127.0.0.1:$port" >"logs/worker-$workers-$n.log" 2>&1 &
    worker_pids+=($!) pids+=($!)
  done
  until [ "$(cat logs/worker-"$workers"-*.log | grep -c 'Successfully registered with master')" = "$workers" ]; do sleep 0.5; done
  read -r started job < <("$SPARK_HOME/bin/spark-submit" --master "spark://127.0.0.1:$port" --archives "$archive#ae-filter" \
    --conf spark.executor.memory=768m --conf spark.ui.enabled=false --conf spark.log.level=WARN \
    job.py "$root/Samples/spark" "$workers" "spark-$workers" "$partitions" "${options[@]}" 2>"logs/job-$workers.log") ||
    { tail -20 "logs/job-$workers.log" >&2; exit 1; }
  [[ "$started" =~ ^[0-9.]+$ ]] || { echo "spark-cluster.sh: the job failed: $started $job" >&2; exit 1; }
  diff -rq direct-1 "spark-$workers" >/dev/null || { echo "spark-cluster.sh: spark-$workers differs from the direct run" >&2; exit 1; }
  row "Spark standalone" "$workers" "$workers" "$job" "$started" "$partitions"
  stop "${worker_pids[@]}"
done

load="$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$out_dir"
{
  echo "how,workers,cores,partitions,app_start_s,seconds,images_per_s,images_per_s_per_core"
  printf '%s\n' "${rows[@]}"
} >"$out_dir/spark-cluster-$stamp.csv"
{
  echo "Benchmarks/spark-cluster.sh $partitions"
  echo "$(date -u +%FT%TZ), $cpu, $(nproc) cores, load average $load at the end"
  echo "$count images, 28x28 PNG, ${options[*]}; archive $(basename "$archive"); outputs identical"
  echo "git $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with local changes)')"
} >"$out_dir/spark-cluster-$stamp.txt"
cat "$out_dir/spark-cluster-$stamp.txt"
column -s, -t "$out_dir/spark-cluster-$stamp.csv"
echo "written: $out_dir/spark-cluster-$stamp.csv"
