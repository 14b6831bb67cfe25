#!/usr/bin/env bash
# Builds pcfailover for this machine and for Windows amd64 into
# module/PCFailover/bin/<os>-<arch>/, where the module looks for it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_go
out="$ROOT/module/PCFailover/bin"
host="$(go env GOOS)-$(go env GOARCH)"
go build -o "$out/$host/pcfailover" ./cli
GOOS=windows GOARCH=amd64 go build -o "$out/windows-amd64/pcfailover.exe" ./cli
say "built $out/$host/pcfailover and $out/windows-amd64/pcfailover.exe"
