# Shared by the scripts: sourced, not run. Finds the project root and puts Go and pwsh on PATH.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT

say() { printf 'pcfailover: %s\n' "$*" >&2; }
die() { printf 'pcfailover: error: %s\n' "$*" >&2; exit 1; }

# go_ok: a Go >= 1.26 is on PATH.
go_ok() {
  command -v go >/dev/null 2>&1 || return 1
  local v major minor
  v=$(go env GOVERSION 2>/dev/null | sed 's/^go//') || return 1
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  [ "$major" -gt 1 ] || [ "$minor" -ge 26 ]
}

# ensure_go: Go >= 1.26 on PATH, using ../shared/bin/go-env (offline toolchain and module
# mirror) when it exists.
ensure_go() {
  local goenv="$ROOT/../shared/bin/go-env"
  if [ -x "$goenv" ] || [ -f "$goenv" ]; then
    # go-env also points GOPROXY at the offline mirror, which this machine needs.
    eval "$(sh "$goenv")" || die "../shared/bin/go-env failed"
  fi
  go_ok || die "Go >= 1.26 is required: install it from https://go.dev/dl/ (or place ../shared/bin/go-env beside the project)"
  export GOFLAGS="${GOFLAGS:-} -mod=readonly"
}

# module_version: the release version, read from ModuleVersion in the module manifest (the
# one place the version is written; build.sh and release.sh stamp it into the binary).
module_version() {
  local v
  v=$(sed -n "s/^[[:space:]]*ModuleVersion[[:space:]]*=[[:space:]]*'\([0-9][0-9.]*\)'.*/\1/p" \
    "$ROOT/module/PCFailover/PCFailover.psd1" | head -n 1)
  [ -n "$v" ] || die "no ModuleVersion = 'x.y.z' in module/PCFailover/PCFailover.psd1"
  printf '%s\n' "$v"
}

# version_ldflags: the -ldflags that stamp module_version into core/buildinfo.
version_ldflags() {
  printf -- '-X pcfailover/core/buildinfo.Version=%s\n' "$(module_version)"
}

# ensure_pwsh: PowerShell 7 on PATH, from PATH or ~/.dotnet/tools.
ensure_pwsh() {
  if ! command -v pwsh >/dev/null 2>&1 && [ -x "$HOME/.dotnet/tools/pwsh" ]; then
    export PATH="$PATH:$HOME/.dotnet/tools"
  fi
}

PESTER_VERSION=5.7.1
PESTER_PSD1="$HOME/.nuget/packages/pester/$PESTER_VERSION/tools/Pester.psd1"
export PESTER_PSD1
