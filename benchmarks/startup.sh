#!/usr/bin/env bash
# Startup resolution: SecretResolver through a Rotor's AWS store against bare AWS SDK calls
# (GetSecretValue one by one, BatchGetSecretValue), all reading the same secrets from a local
# moto server in the same run. docs/benchmarks.md ("Startup resolution") quotes its output.
#
#   benchmarks/startup.sh [refs=50] [warmup=20] [rounds=50]
#
# Builds the benchmark jar first if it is missing or older than the sources. The output also
# goes to $RESULTS/startup-resolution.txt (RESULTS defaults to benchmarks/results).
# Needs python3 with moto[server].
set -euo pipefail
cd "$(dirname "$0")/.."

refs="${1:-50}" warmup="${2:-20}" rounds="${3:-50}"
for n in "$refs" "$warmup" "$rounds"; do
  case "$n" in
    ''|*[!0-9]*) echo "usage: $0 [refs=50] [warmup=20] [rounds=50]" >&2; exit 2 ;;
  esac
done

. .mvn/select-jdk.sh
rotor_select_jdk

jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml core/pom.xml core/src providers/local/pom.xml providers/local/src \
    providers/aws/pom.xml providers/aws/src benchmarks/pom.xml benchmarks/src -newer "$jar" -print -quit)" ]; then
  echo "startup: building $jar"
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi

results="${RESULTS:-benchmarks/results}"
mkdir -p "$results"
out="$results/startup-resolution.txt"
cmd=("$JAVA_HOME/bin/java" -cp "$jar" dev.rotor.benchmarks.StartupResolutionBench "$refs" "$warmup" "$rounds")
{
  echo "# command: ${cmd[*]}"
  echo "# started: $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 2 | tail -n 1)"
} > "$out"
"${cmd[@]}" 2>&1 | tee -a "$out"
echo "# ended: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out"
