#!/usr/bin/env bash
# Rotor store basics with the CLI: a local encrypted store, one database credential rotated by
# hand (put a PENDING version, check that readers still get CURRENT, promote), and a verified
# audit log. (examples/quickstart.sh shows the daemon rotating on its own.)
#
# Run it after building once:   ./mvnw -B -DskipTests package && examples/store-basics.sh
# It works in ./store-basics-data at the repository root (or in $QUICKSTART_DIR), starting fresh
# each time. No secret value is printed except the one field the last step reveals on purpose.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dir="${QUICKSTART_DIR:-$root/store-basics-data}"
marker=".rotor-quickstart"

step() { printf '\n==> %s\n' "$*"; }
# Shows the command, then runs it; values only ever arrive on stdin, so nothing secret is shown.
rotor() { printf '$ rotor %s\n' "$*"; "$root/bin/rotor" "$@"; }
random_password() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }

if [ ! -f "$root/rotator-daemon/target/rotor.jar" ]; then
  echo "store-basics: rotator-daemon/target/rotor.jar not found; run ./mvnw -B -DskipTests package first" >&2
  exit 1
fi
if [ -e "$dir" ] && [ ! -f "$dir/$marker" ]; then
  echo "store-basics: $dir exists and was not made by this script; move it away or set QUICKSTART_DIR" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
touch "$dir/$marker"
cd "$dir"

step "Write rotor.yaml: one local encrypted store named 'main' and a hash-chained audit log (in $dir)"
cat > rotor.yaml <<'YAML'
actor: quickstart
stores:
  main:
    type: local
    path: ./store
    keyFile: ./master.key
audit:
  file: ./audit.jsonl
YAML
cat rotor.yaml

step "Create the store's master key (a 0600 file; the key itself is never printed)"
rotor keygen --out master.key

step "Store the first version of a database credential, read from stdin"
printf '{"username":"app","password":"%s"}' "$(random_password)" | rotor put secret://main/db/app --tag owner=quickstart

step "Rotation, part 1: store the next credential as PENDING"
printf '{"username":"app_v2","password":"%s"}' "$(random_password)" | rotor put --pending secret://main/db/app

step "Readers still get CURRENT (version 1) while the new one is PENDING"
rotor get secret://main/db/app

step "Rotation, part 2: promote PENDING to CURRENT (compare-and-set on the CURRENT it saw)"
rotor promote secret://main/db/app

step "Reveal one field of the new CURRENT value: the username, not the password"
rotor get --reveal 'secret://main/db/app#username'
echo

step "Every version with its stages"
rotor versions secret://main/db/app

step "Check the audit log: every access above was recorded, hash-chained"
rotor audit verify audit.jsonl

step "Done. Try: cd $dir && $root/bin/rotor --help"
