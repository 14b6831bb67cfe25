#!/usr/bin/env bash
# The project's one test command: bootstrap, go vet (Linux and Windows), staticcheck,
# go test -race over every package, a Windows build of every package, and every Pester
# test under module/. Prints one summary line "N passed, N failed[, N skipped]" counting
# Go and Pester tests together; exits non-zero on any failure or when nothing ran.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/bootstrap.sh" || die "bootstrap failed"
ensure_go
ensure_pwsh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
step() { say "== $*"; }

step "go vet (linux, windows)"
go vet ./... || status=1
GOOS=windows GOARCH=amd64 go vet ./... || status=1

step "staticcheck"
go tool staticcheck ./... || status=1

step "windows build of every package"
GOOS=windows GOARCH=amd64 go build ./... || status=1

step "go test -race"
# PCFAILOVER_TEST_BINARY lets CLI-level tests run the binary bootstrap built.
export PCFAILOVER_TEST_BINARY="$ROOT/module/PCFailover/bin/$(go env GOOS)-$(go env GOARCH)/pcfailover"
go test -race -json -timeout 40m ./... > "$work/go.json" 2> "$work/go.stderr"
gorc=$?
cat "$work/go.stderr" >&2
# Counts tests and shows the output of each failed test (and build errors) on stderr.
go build -o "$work/testsummary" ./scripts/testsummary || status=1
read -r go_pass go_fail go_skip < <("$work/testsummary" < "$work/go.json" || echo "0 1 0")
if [ "$gorc" -ne 0 ] && [ "$go_fail" -eq 0 ]; then go_fail=1; fi
[ "$gorc" -eq 0 ] || status=1
say "go: $go_pass passed, $go_fail failed, $go_skip skipped"

step "pester"
pester_out="$work/pester.txt"
pwsh -NoLogo -NoProfile -NonInteractive -Command "
  \$ErrorActionPreference = 'Stop'
  Import-Module '$PESTER_PSD1'
  \$c = New-PesterConfiguration
  \$c.Run.Path = '$ROOT/module'
  \$c.Run.PassThru = \$true
  \$c.Run.Exit = \$false
  \$c.Output.Verbosity = 'Normal'
  \$r = Invoke-Pester -Configuration \$c
  \$failed = \$r.FailedCount + \$r.FailedBlocksCount + \$r.FailedContainersCount
  Set-Content -LiteralPath '$pester_out' -Value ('{0} {1} {2}' -f \$r.PassedCount, \$failed, \$r.SkippedCount)
  if (\$failed -gt 0) { exit 1 }
" || status=1
if [ -s "$pester_out" ]; then
  read -r ps_pass ps_fail ps_skip < "$pester_out"
else
  ps_pass=0; ps_fail=1; ps_skip=0; status=1
fi

passed=$((go_pass + ps_pass)); failed=$((go_fail + ps_fail)); skipped=$((go_skip + ps_skip))
[ "$passed" -gt 0 ] || status=1
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] || status=1
exit $status
