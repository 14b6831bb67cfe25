#!/usr/bin/env bash
# Runs every Go fuzz target of the project (func FuzzXxx in a _test.go file) for a bounded
# time each, one after the other, and prints a table. Usage:
#   scripts/fuzz.sh [-t DURATION] [REGEXP]
# DURATION is per target (default 20s, or $FUZZTIME); REGEXP selects targets by name.
# A failing input is written by `go test` under the package's testdata/fuzz/<target>/:
# commit it, it becomes a seed that every `go test` run replays.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
fuzztime=${FUZZTIME:-20s}
if [ "${1:-}" = "-t" ]; then fuzztime=$2; shift 2; fi
filter=${1:-.}
ensure_go

mapfile -t targets < <(grep -rl --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . |
  while read -r f; do
    dir=$(dirname "$f")
    grep -oE '^func Fuzz[A-Za-z0-9_]*' "$f" | sed "s|^func |$dir |"
  done | sort -u | grep -E " .*$filter")
[ "${#targets[@]}" -gt 0 ] || die "no fuzz target matches $filter"

status=0
printf '%-32s %-28s %-8s %s\n' PACKAGE TARGET RESULT DETAIL
for t in "${targets[@]}"; do
  dir=${t% *}; name=${t#* }
  log=$(mktemp)
  if go test "$dir" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" >"$log" 2>&1; then
    result=ok
    detail=$(grep -oE 'execs: [0-9]+' "$log" | tail -1)
  else
    result=FAIL; status=1
    detail=$(grep -E 'Failing input written to|--- FAIL|panic:' "$log" | head -2 | tr '\n' ' ')
  fi
  printf '%-32s %-28s %-8s %s\n' "${dir#./}" "$name" "$result" "$detail"
  [ "$result" = ok ] || sed -n '1,40p' "$log" >&2
  rm -f "$log"
done
exit $status
