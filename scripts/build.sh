#!/usr/bin/env bash
# Builds pcfailover for this machine and for Windows amd64 into
# module/PCFailover/bin/<os>-<arch>/, where the module looks for it, stamped with the
# version of module/PCFailover/PCFailover.psd1 (ModuleVersion, the one version source).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_go
out="$ROOT/module/PCFailover/bin"
host="$(go env GOOS)-$(go env GOARCH)"
ldflags=$(version_ldflags)
go build -ldflags "$ldflags" -o "$out/$host/pcfailover" ./cli
GOOS=windows GOARCH=amd64 go build -ldflags "$ldflags" -o "$out/windows-amd64/pcfailover.exe" ./cli
say "built $out/$host/pcfailover and $out/windows-amd64/pcfailover.exe (version $(module_version))"
