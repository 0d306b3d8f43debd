#!/usr/bin/env bash
# Runs Rotor's JMH benchmarks with the exact options docs/benchmarks.md quotes, building the
# benchmark jar first if it is missing or older than the sources.
#
#   benchmarks/run.sh [cached|layers|primitives|audit|storm|all]      (default: all)
#
# JMH's output for each run goes to $RESULTS/<benchmark>-t<threads>.txt (and .json), with a
# machine.txt describing the machine; each .txt starts with the exact command and the load
# average. RESULTS defaults to benchmarks/results.
# Needs python3 with moto[server] for the comparison with the AWS caching client.
set -euo pipefail
# A session of its own, so that raising its priority (below) touches nothing else.
if [ -z "${ROTOR_BENCH_SESSION:-}" ] && command -v setsid >/dev/null; then
  ROTOR_BENCH_SESSION=1 exec setsid --wait "$0" "$@"
fi
cd "$(dirname "$0")/.."

what="${1:-all}"
case "$what" in
  cached|layers|primitives|audit|storm|all) ;;
  *) echo "usage: $0 [cached|layers|primitives|audit|storm|all]" >&2; exit 2 ;;
esac

. .mvn/select-jdk.sh
rotor_select_jdk

jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml core/pom.xml core/src providers/local/pom.xml providers/local/src benchmarks/pom.xml benchmarks/src -newer "$jar" -print -quit)" ]; then
  echo "run: building $jar"
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi

results="${RESULTS:-benchmarks/results}"
mkdir -p "$results"

# The options every figure in docs/benchmarks.md was measured with. Durable appends wait on
# the disk, which other processes share: twice the measured iterations for a usable error.
read_opts=(-f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc)
audit_opts=(-f 1 -wi 3 -w 2s -i 10 -r 2s -prof gc)
# The refresh storm samples read latency; several TTLs per iteration.
storm_opts=(-f 1 -wi 2 -w 5s -i 5 -r 5s)

{
  echo "date:   $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc:  $(nproc)"
  echo "cpu:    $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "family $(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
    "model $(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "$(sed -n 's/^cpu MHz[[:space:]]*: //p' /proc/cpuinfo | head -n 1) MHz," \
    "$(grep -q hypervisor /proc/cpuinfo && echo "virtual machine" || echo "bare metal")"
  echo "kernel: $(uname -r), clock source $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
  echo "java:   $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 2 | tail -n 1)"
  echo "disk:   $(df -hT "${TMPDIR:-/tmp}" | awk 'NR==2 {print $1, $2, $3, "(temp dir on " $7 ")"}')"
} > "$results/machine.txt"
cat "$results/machine.txt"

# Other processes on a small machine take the cores from the benchmark threads. Where allowed
# (root), the runs get a higher scheduling priority: the kernel groups processes by session
# (autogroup), so this script runs in a session of its own and raises that session's priority
# (and the process nice value, for kernels without autogroup). The control benchmark in
# CachedReadBenchmark shows whether the threads kept their cores.
prio=()
if nice -n -15 true 2>/dev/null; then
  prio=(nice -n -15)
  if [ -w /proc/self/autogroup ] && echo -15 2>/dev/null > /proc/self/autogroup; then
    echo "run: session scheduling priority $(cat /proc/self/autogroup)"
  fi
fi

# What the temp dir's disk does alone right now: 1000 appends of 512 bytes, each synced.
fsync_probe() {
  local f secs
  f=$(mktemp "${TMPDIR:-/tmp}/rotor-bench-fsync-XXXXXX")
  secs=$(LC_ALL=C dd if=/dev/zero of="$f" bs=512 count=1000 oflag=dsync 2>&1 | sed -n 's/.* copied, \([0-9.]*\) s.*/\1/p')
  rm -f "$f"
  awk -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f synced writes/s (%.0f us each)", 1000 / s, s * 1000; else print "unknown" }'
}

run() { # name threads benchmark-regexp jmh-options...
  local name="$1" threads="$2" pattern="$3" out="$results/$1-t$2"
  shift 3
  local cmd=(${prio[@]+"${prio[@]}"} "$JAVA_HOME/bin/java" -jar "$jar" "$pattern" "$@" -t "$threads" -rf json -rff "$out.json")
  echo "run: $name on $threads thread(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
  {
    echo "# command: ${cmd[*]}"
    echo "# started: $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
    echo "# session scheduling group: $(cat /proc/self/autogroup 2>/dev/null || echo "n/a")"
    [ "$name" != audit-append ] || echo "# disk alone before: $(fsync_probe)"
  } > "$out.txt"
  "${cmd[@]}" >> "$out.txt" 2>&1 \
    || { echo "run: $name failed, see $out.txt" >&2; tail -n 30 "$out.txt" >&2; exit 1; }
  {
    [ "$name" != audit-append ] || echo "# disk alone after: $(fsync_probe)"
    echo "# ended: $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
  } >> "$out.txt"
  # the summary table JMH ends with
  sed -n '/^Benchmark  /,/^$/p' "$out.txt"
}

if [ "$what" = cached ] || [ "$what" = all ]; then
  for t in 1 2; do
    run cached-read "$t" 'dev\.rotor\.benchmarks\.CachedReadBenchmark\.' "${read_opts[@]}"
  done
fi
if [ "$what" = layers ] || [ "$what" = all ]; then
  for t in 1 2; do
    run cached-read-layers "$t" 'dev\.rotor\.benchmarks\.CachedReadLayersBenchmark\.' "${read_opts[@]}"
  done
fi
if [ "$what" = primitives ] || [ "$what" = all ]; then
  for t in 1 2; do
    run hit-primitives "$t" 'dev\.rotor\.benchmarks\.HitPrimitivesBenchmark\.' "${read_opts[@]}"
  done
fi
if [ "$what" = audit ] || [ "$what" = all ]; then
  for t in 1 4 16 64; do
    run audit-append "$t" 'dev\.rotor\.benchmarks\.AuditAppendBenchmark\.' "${audit_opts[@]}"
  done
fi
if [ "$what" = storm ] || [ "$what" = all ]; then
  run refresh-storm 64 'dev\.rotor\.benchmarks\.RefreshStormBenchmark\.' "${storm_opts[@]}"
fi
echo "run: results in $results"
