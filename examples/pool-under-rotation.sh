#!/usr/bin/env bash
# A HikariCP application under load while its database password rotates underneath it, with
# nothing installed but a JDK: an embedded PostgreSQL, a RotatingDataSource (pool of 10) whose
# credentials come from a secret and follow its rotation, 4 threads querying nonstop, and the
# rotation engine with the PostgreSQL rotator changing the password every few seconds. It prints
# each rotation and, at the end, the failed-query count (0 is the point) and the query latency.
#
# Run it after building once:   ./mvnw -B -DskipTests package && examples/pool-under-rotation.sh
# POOL_SECONDS sets how long it runs (default 30), POOL_ROTATE_EVERY the seconds between
# rotations (default 3), POOL_STRATEGY single-user (default) or alternating. No secret value is
# printed. Exits non-zero if a query or a rotation failed.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
seconds="${POOL_SECONDS:-30}"
every="${POOL_ROTATE_EVERY:-3}"
strategy="${POOL_STRATEGY:-single-user}"

for f in "$root/examples/target/classes/dev/rotor/examples/PoolUnderRotation.class" "$root/examples/target/lib"; do
  if [ ! -e "$f" ]; then
    echo "pool-under-rotation: $f not found; run ./mvnw -B -DskipTests package first" >&2
    exit 1
  fi
done

# shellcheck source=../.mvn/select-jdk.sh
. "$root/.mvn/select-jdk.sh"
rotor_select_jdk

exec "$JAVA_HOME/bin/java" -Dlogback.configurationFile="$root/examples/target/classes/demo-logback.xml" \
  -cp "$root/examples/target/classes:$root/examples/target/lib/*" \
  dev.rotor.examples.PoolUnderRotation "$seconds" "$every" "$strategy"
