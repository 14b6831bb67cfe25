#!/usr/bin/env bash
# Demo: builds if needed, starts a simulated 'disaster' lab (the primary data center is gone,
# log backups wait on the share and in the copy folder), fails the pool over through the
# PowerShell module (Invoke-PCFailover in pwsh), shows the report and the final state, and
# stops the lab on exit, whatever happens.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_pwsh
case "$(uname -s)" in Darwin) os=darwin ;; *) os=linux ;; esac
case "$(uname -m)" in aarch64 | arm64) arch=arm64 ;; *) arch=amd64 ;; esac
bin="$ROOT/module/PCFailover/bin/$os-$arch/pcfailover"

# Build when the binary is missing (a fresh clone: bootstrap also installs pwsh and Pester)
# or older than the Go sources.
if [ ! -x "$bin" ] || ! command -v pwsh >/dev/null 2>&1; then
  say "building (scripts/bootstrap.sh)"
  "$ROOT/scripts/bootstrap.sh"
  ensure_pwsh
elif [ -n "$(find "$ROOT/cli" "$ROOT/core" "$ROOT/pshost" -name '*.go' -newer "$bin" -print -quit 2>/dev/null)" ]; then
  say "sources changed: rebuilding (scripts/build.sh)"
  "$ROOT/scripts/build.sh"
fi
[ -x "$bin" ] || die "the build did not produce $bin"

if ! "$bin" lab --help >/dev/null 2>&1 || ! "$bin" failover --help >/dev/null 2>&1; then
  echo "pcfailover demo: not yet available (this build has no 'lab' or 'failover' command)"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pcfailover-demo.XXXXXX")
lab_dir="$work/lab"
cleanup() {
  "$bin" lab down --dir "$lab_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a 'disaster' lab in $lab_dir"
"$bin" lab up --dir "$lab_dir" --scenario disaster > /dev/null || die "pcfailover lab up failed (see $lab_dir/lab.log)"

export PCFAILOVER_BINARY="$bin"
export PCFAILOVER_DEMO_LAB="$lab_dir/lab.json"   # lab up prints it with passwords redacted
rc=0
pwsh -NoLogo -NoProfile -NonInteractive -Command '
$ErrorActionPreference = "Stop"
$lab = Get-Content -LiteralPath $env:PCFAILOVER_DEMO_LAB -Raw | ConvertFrom-Json
# The environment the lab request names: the SQL password variables (passwordEnv) and
# LYNCSIM_STATE. The module reads passwords from there; none is ever on a command line.
foreach ($variable in $lab.env.PSObject.Properties) {
    [Environment]::SetEnvironmentVariable($variable.Name, [string]$variable.Value)
}
Import-Module (Join-Path $env:ROOT "module/PCFailover/PCFailover.psd1")

function Show-Title([string]$Text) { Write-Host ""; Write-Host "== $Text" -ForegroundColor Cyan }

Show-Title "The lab: pool $($lab.pool), scenario $($lab.scenario)"
foreach ($role in $lab.instances.PSObject.Properties) {
    Write-Host ("  {0,-13} {1,-22} {2,-18} host {3,-12} up={4}" -f $role.Name, $role.Value.address, $role.Value.serverName, $role.Value.machineName, $role.Value.up)
}
Write-Host "  share        $($lab.sqlPaths.share)  (here: $($lab.share))"
Write-Host "  copy folder  $($lab.sqlPaths.copyDestination) on the backup host  (here: $($lab.copyDestination))"
Write-Host "  request      $($lab.request)"

Show-Title "Invoke-PCFailover -RequestPath <lab request> -WhatIf   (plans, changes nothing)"
Invoke-PCFailover -RequestPath $lab.request -WhatIf -WarningAction SilentlyContinue

Show-Title "Invoke-PCFailover -RequestPath <lab request> -Confirm:`$false"
$report = Invoke-PCFailover -RequestPath $lab.request -Confirm:$false
$report | Format-List | Out-String -Width 160 | Write-Host

Show-Title "Steps"
$report.Steps | Format-Table -AutoSize | Out-String -Width 160 | Write-Host

Show-Title "Log backups"
$report.Files | Format-Table -AutoSize | Out-String -Width 160 | Write-Host

Show-Title "Final state"
Write-Host ("  database {0} on the backup instance: {1}" -f $report.Database, $report.DatabaseState)
if ($lab.lync.module -and (Test-Path -LiteralPath $lab.lync.module)) {
    Import-Module $lab.lync.module
    $state = Get-CsPersistentChatState -Identity ("service:PersistentChatServer:{0}" -f $lab.pool)
    Write-Host ("  Persistent Chat pool {0}: {1}" -f $lab.pool, $state.PoolState)
    $service = Get-CsService -PersistentChatServer -PoolFqdn $lab.pool | Select-Object -First 1
    if ($service) { Write-Host ("  active servers: {0}" -f (@($service.ActiveServers) -join ", ")) }
}
if ($report.Outcome -ne "succeeded") { exit 1 }
' || rc=$?

echo
say "lab status:"
"$bin" lab status --dir "$lab_dir" || true
exit $rc
