#!/usr/bin/env bash
# The emergency-rotation runbook (docs/operations.md, "Emergency rotation") as a script: a
# credential leaked, so rotate it now, revoke the old one at once, and prove it happened.
#
#   examples/emergency-rotation.sh CONFIG REF REASON
#
#   CONFIG  the rotor.yaml of the daemon (its stores, rotators, policies and audit.file)
#   REF     the whole secret, e.g. secret://main/api/partner-key (a policy must cover it)
#   REASON  why, for the audit log, e.g. "key pasted in #ops, INC-4711"
#
# Steps: 1. what is CURRENT now; 2. rotor rotate REF --emergency --reason REASON; 3. the new
# version is CURRENT, no PREVIOUS is left (the old credential is revoked) and rotor status
# shows the secret; 4. the audit log verifies (rotor audit verify) and holds the run's
# ROTATION_STARTED (emergency, reason), ROTATION_SUCCEEDED and ROTATION_RETIRED records.
# No secret value is printed.
#
# After the quickstart (examples/quickstart.sh), for example:
#   examples/emergency-rotation.sh quickstart-data/rotor.yaml secret://main/api/partner-key "INC-4711"
#
# Environment: ROTOR, the rotor command (default: bin/rotor of this repository); AUDIT_LOG,
# the audit log to check (default: audit.file of CONFIG, relative to CONFIG's directory).
# Exit codes: 0 all checks passed; 2 usage; rotor's own code if a rotor command failed (4 another
# run holds the secret, 8 the rotation failed, ...); 1 if a check after the rotation failed.
# The CLI writes the audit log itself: stop a daemon that has the same audit.file open, or give
# the CLI a copy of rotor.yaml with an audit.file of its own (see docs/operations.md).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
rotor_cmd="${ROTOR:-$root/bin/rotor}"

usage() {
  cat >&2 <<EOF
usage: $0 CONFIG REF REASON
  CONFIG  the daemon's rotor.yaml
  REF     the secret to rotate, e.g. secret://main/db/app (no #field, no ?stage)
  REASON  why, recorded in the audit log, e.g. "password pasted in #ops, INC-4711"
EOF
  exit 2
}

[ $# -eq 3 ] || usage
config="$1" ref="$2" reason="$3"
if [ ! -f "$config" ]; then
  echo "emergency-rotation: config '$config' is not a file" >&2
  usage
fi
case "$ref" in
  secret://*/*) ;;
  *) echo "emergency-rotation: REF must look like secret://<store>/<path>" >&2; usage ;;
esac
case "$ref" in
  *'#'*|*'?'*) echo "emergency-rotation: REF must name a whole secret: no #field, no ?stage or ?version" >&2; usage ;;
esac
if [ -z "${reason//[[:space:]]/}" ]; then
  echo "emergency-rotation: REASON must not be empty: it is what the audit log records" >&2
  usage
fi
config_dir="$(cd "$(dirname "$config")" && pwd)"
config="$config_dir/$(basename "$config")"
path="${ref#secret://*/}"

# fd 3: the terminal's stdout, for what is shown while output is also captured for the checks.
exec 3>&1
step() { printf '\n==> %s\n' "$*" >&3; }
show() { printf '$ rotor'; printf ' %q' "$@"; printf '\n'; }
fail() { printf 'emergency-rotation: FAILED: %s\n' "$*" >&2; exit "${2:-1}"; }
# Shows the command, then runs it; a failure ends the script with rotor's exit code.
rotor() {
  show "$@"
  local code=0
  "$rotor_cmd" --config "$config" "$@" || code=$?
  [ "$code" -eq 0 ] || fail "'rotor $1' exited with $code (see docs/cli.md for exit codes)" "$code"
}
# The same, with the output kept for the checks (and shown).
rotor_out() {
  show "$@" >&3
  local code=0 out
  out="$("$rotor_cmd" --config "$config" "$@")" || code=$?
  printf '%s\n' "$out" >&3
  [ "$code" -eq 0 ] || fail "'rotor $1' exited with $code (see docs/cli.md for exit codes)" "$code"
  printf '%s\n' "$out"
}
field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ +/, ""); print; exit }'; }

# audit.file from the config: "audit:" followed by an indented "file:", or "audit: { file: ... }".
audit_log="${AUDIT_LOG:-}"
if [ -z "$audit_log" ]; then
  audit_log="$(awk '
    /^audit:[[:space:]]*\{/ { if (match($0, /file:[[:space:]]*[^,}[:space:]]+/)) { v = substr($0, RSTART, RLENGTH); sub(/file:[[:space:]]*/, "", v); print v; exit } }
    /^audit:[[:space:]]*(#.*)?$/ { inaudit = 1; next }
    inaudit && /^[^[:space:]#]/ { inaudit = 0 }
    inaudit && /^[[:space:]]+file:/ { v = $0; sub(/^[[:space:]]+file:[[:space:]]*/, "", v); sub(/[[:space:]]+#.*$/, "", v); gsub(/["'\'']/, "", v); print v; exit }
  ' "$config")"
  [ -n "$audit_log" ] || fail "$config has no audit.file; an emergency rotation must be audited (or set AUDIT_LOG)" 2
  case "$audit_log" in /*) ;; *) audit_log="$config_dir/${audit_log#./}" ;; esac
fi

step "1. What is CURRENT now"
before="$(rotor_out get "$ref")"
old_version="$(printf '%s\n' "$before" | field version)"
[ -n "$old_version" ] || fail "could not read the CURRENT version of $ref"

step "2. Rotate now and revoke the old credential at once"
rotated="$(rotor_out rotate "$ref" --emergency --reason "$reason")"
case "$rotated" in
  *"old credential revoked"*) ;;
  *) fail "the rotation did not report the old credential as revoked: check 'rotor versions $ref' and the alerts" ;;
esac
run_id="$(printf '%s\n' "$rotated" | sed -n 's/.*(run \([^,)]*\).*/\1/p' | head -n 1)"
[ -n "$run_id" ] || fail "no run id in the output of rotate"

step "3. The new version is CURRENT and no PREVIOUS is left"
after="$(rotor_out get "$ref")"
new_version="$(printf '%s\n' "$after" | field version)"
[ -n "$new_version" ] && [ "$new_version" != "$old_version" ] \
  || fail "CURRENT is still version $old_version"
versions="$(rotor_out versions "$ref")"
if printf '%s\n' "$versions" | grep -q PREVIOUS; then
  fail "a PREVIOUS version is still there: the old credential was not retired (see docs/operations.md, recovery)"
fi
rotor status

step "4. The audit log verifies and records the run (request id $run_id)"
rotor audit verify "$audit_log"
run_lines="$(grep -F "\"requestId\":\"$run_id\"" "$audit_log" | grep -F "\"path\":\"$path\"" || true)"
started="$(printf '%s\n' "$run_lines" | grep -F '"action":"ROTATION_STARTED"' || true)"
[ -n "$started" ] || fail "no ROTATION_STARTED record of run $run_id in $audit_log"
printf '%s\n' "$started" | grep -qF '; emergency' || fail "the ROTATION_STARTED record of run $run_id is not marked emergency"
# The reason as JSON writes it: backslashes and quotes escaped.
json_reason="$(printf '%s' "$reason" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
printf '%s\n' "$started" | grep -qF "reason=$json_reason" || fail "the ROTATION_STARTED record of run $run_id does not hold the reason"
printf '%s\n' "$run_lines" | grep -qF '"action":"ROTATION_SUCCEEDED"' || fail "no ROTATION_SUCCEEDED record of run $run_id"
printf '%s\n' "$run_lines" | grep -qF '"action":"ROTATION_RETIRED"' || fail "no ROTATION_RETIRED record of run $run_id"
echo "audit: ROTATION_STARTED (emergency, reason), ROTATION_SUCCEEDED, ROTATION_RETIRED of run $run_id"

step "Done: $ref rotated from version $old_version to $new_version, old credential revoked"
echo "Next (docs/operations.md): check that the alert went out, that the old credential is refused"
echo "by the target, and that the consumers picked up the new one."
