#!/usr/bin/env bash
# Idempotent setup for development and CI: Go (offline toolchain when ../shared is beside
# the project), PowerShell 7.6.9 (dotnet global tool), Pester 5.7.1 (NuGet), sqlcheck
# (.tools/sqlcheck, a .NET console), then the Linux and Windows binaries where the
# PCFailover module looks for them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_go
say "go: $(go env GOVERSION) ($(command -v go))"

ensure_pwsh
if ! command -v pwsh >/dev/null 2>&1; then
  command -v dotnet >/dev/null 2>&1 || die "PowerShell 7 is required and dotnet is missing: install PowerShell 7 (https://aka.ms/powershell) or the .NET SDK"
  say "installing PowerShell 7.6.9 as a dotnet global tool"
  dotnet tool install --global PowerShell --version 7.6.9 >&2 || die "dotnet tool install PowerShell failed"
  export PATH="$PATH:$HOME/.dotnet/tools"
fi
say "pwsh: $(pwsh -NoLogo -NoProfile -Command '$PSVersionTable.PSVersion.ToString()')"

if [ ! -f "$PESTER_PSD1" ]; then
  command -v dotnet >/dev/null 2>&1 || die "Pester $PESTER_VERSION is missing and dotnet is not there to restore it"
  say "restoring Pester $PESTER_VERSION from NuGet"
  tmp=$(mktemp -d)
  cat > "$tmp/pester.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$PESTER_VERSION]" /></ItemGroup>
</Project>
XML
  dotnet restore "$tmp/pester.csproj" >&2 || die "dotnet restore of Pester failed"
  rm -rf "$tmp"
  [ -f "$PESTER_PSD1" ] || die "Pester was restored but $PESTER_PSD1 is missing"
fi
say "pester: $PESTER_PSD1"

# Headless Chromium renders the HTML report in TestHTMLReportRendersInChromium
# (scripts/report-screenshot.sh). Only in CI or on request: the package is large (the
# install took 138 s on the 2-core CI box, with package lists already fetched).
if [ "${CI:-}" = true ] || [ "${PCFAILOVER_INSTALL_CHROMIUM:-}" = 1 ]; then
  if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    say "installing chromium (apt-get) for the HTML report check"
    t0=$(date +%s)
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2 ||
      { $sudo apt-get update >&2 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2; } ||
      die "apt-get install chromium failed"
    say "chromium installed in $(( $(date +%s) - t0 ))s"
  fi
  command -v chromium >/dev/null 2>&1 && say "chromium: $(chromium --version 2>/dev/null | head -1)"
fi

# sqlcheck (scripts/sqlcheck): Microsoft's T-SQL parser as a second opinion on every
# statement the tool sends (TestStatementsParseOnSQLServer in core/failover/proof). Rebuilt
# only when its sources change; restore needs NuGet. First build on the 2-core dev box
# (empty ~/.nuget cache for ScriptDom, restore from NuGet included): 5 s idle, 19 s with
# the other engineers' tests running; up to date: under 1 s (a hash of its two sources).
SQLCHECK_OUT="$ROOT/.tools/sqlcheck"
sqlcheck_stamp=$(cat "$ROOT/scripts/sqlcheck/SqlCheck.csproj" "$ROOT/scripts/sqlcheck/Program.cs" | sha256sum | cut -d' ' -f1)
if [ -f "$SQLCHECK_OUT/sqlcheck.dll" ] && [ "$(cat "$SQLCHECK_OUT/.stamp" 2>/dev/null)" = "$sqlcheck_stamp" ]; then
  say "sqlcheck: up to date ($SQLCHECK_OUT)"
else
  command -v dotnet >/dev/null 2>&1 || die "sqlcheck needs the .NET SDK (dotnet, net10.0): install it from https://dot.net"
  say "building sqlcheck (dotnet build, restores Microsoft.SqlServer.TransactSql.ScriptDom from NuGet)"
  t0=$(date +%s)
  rm -rf "$SQLCHECK_OUT"
  dotnet build "$ROOT/scripts/sqlcheck/SqlCheck.csproj" -c Release -nologo -v quiet -o "$SQLCHECK_OUT" >&2 ||
    die "dotnet build of scripts/sqlcheck failed"
  printf '%s\n' "$sqlcheck_stamp" > "$SQLCHECK_OUT/.stamp"
  say "sqlcheck built in $(( $(date +%s) - t0 ))s: $SQLCHECK_OUT/sqlcheck.dll"
fi

"$ROOT/scripts/build.sh"
