#!/usr/bin/env bash
# Rotor quickstart: the rotation daemon at work for about a minute, with nothing installed but a
# JDK. An embedded PostgreSQL, the local encrypted store (its master key made by `rotor keygen`)
# and the daemon (dev.rotor.daemon.RotorDaemon) rotating a database password, a signing key and
# an API key on intervals of seconds, while an application loop keeps querying the database with
# the CURRENT credential. Then `rotor status` and `rotor audit verify` on what it left.
#
# Run it after building once:   ./mvnw -B -DskipTests package && examples/quickstart.sh
# It works in ./quickstart-data at the repository root (or in $QUICKSTART_DIR), starting fresh
# each time. QUICKSTART_SECONDS sets how long the daemon runs (default 60). No secret value is
# printed. Exits non-zero if a query or a rotation failed, or if the audit log does not verify.
# The CLI basics (put, get, promote, versions) are in examples/store-basics.sh.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dir="${QUICKSTART_DIR:-$root/quickstart-data}"
seconds="${QUICKSTART_SECONDS:-60}"
marker=".rotor-quickstart"

step() { printf '\n==> %s\n' "$*"; }
# Shows the command, then runs it.
rotor() { printf '$ rotor %s\n' "$*"; "$root/bin/rotor" "$@"; }

for f in "$root/rotator-daemon/target/rotor.jar" "$root/examples/target/classes/dev/rotor/examples/DaemonDemo.class" \
         "$root/examples/target/lib"; do
  if [ ! -e "$f" ]; then
    echo "quickstart: $f not found; run ./mvnw -B -DskipTests package first" >&2
    exit 1
  fi
done
if [ -e "$dir" ] && [ ! -f "$dir/$marker" ]; then
  echo "quickstart: $dir exists and was not made by this script; move it away or set QUICKSTART_DIR" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
touch "$dir/$marker"
cd "$dir"

# shellcheck source=../.mvn/select-jdk.sh
. "$root/.mvn/select-jdk.sh"
rotor_select_jdk

step "Create the local store's master key (a 0600 file; the key itself is never printed)"
rotor keygen --out master.key

# The demo: embedded PostgreSQL, rotor.yaml, the daemon and the application loop (see DaemonDemo).
"$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -Dlogback.configurationFile="$root/examples/target/classes/demo-logback.xml" -cp "$root/examples/target/classes:$root/examples/target/lib/*" \
  dev.rotor.examples.DaemonDemo "$dir" "$seconds"

step "What the daemon knows: last rotation, next due time and state of each secret (with intervals of seconds, some are due again by now)"
rotor status

step "Every version of the database credential, with its stages"
rotor versions secret://main/db/app

step "Check the audit log: every read, write and rotation step above, hash-chained"
rotor audit verify audit.jsonl

step "Done. Look around: cd $dir && $root/bin/rotor --help"
