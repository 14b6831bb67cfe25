#!/usr/bin/env bash
# scripts/release.sh OUTDIR: builds pcfailover for Windows amd64 and Linux amd64, stamped with
# the module manifest's ModuleVersion (the one version source), and writes
#   OUTDIR/PCFailover-<version>.zip  the PCFailover module folder, ready to copy into a
#                                    Modules folder: manifest, scripts, formats, en-US help,
#                                    bin/windows-amd64/pcfailover.exe, bin/linux-amd64/pcfailover,
#                                    LICENSE, README.md, CHANGELOG.md (no tests, no LyncSim)
#   OUTDIR/SHA256SUMS                sha256sum format, one line per archive
# The archive is made with zip when it is installed, otherwise with python3's zipfile
# (PCFAILOVER_ZIP=python forces that); both keep the Linux binary executable.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] && [ -n "$1" ] || die "usage: scripts/release.sh OUTDIR"
mkdir -p "$1" || die "cannot create $1"
outdir=$(cd "$1" && pwd)
cd "$ROOT"
ensure_go
version=$(module_version)
ldflags=$(version_ldflags)
name="PCFailover-$version.zip"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mod="$stage/PCFailover"
mkdir -p "$mod/bin/windows-amd64" "$mod/bin/linux-amd64"
src="$ROOT/module/PCFailover"
for item in PCFailover.psd1 PCFailover.psm1 PCFailover.Format.ps1xml Public Private en-US; do
  [ -e "$src/$item" ] || die "module/PCFailover/$item is missing"
  cp -R "$src/$item" "$mod/"
done
cp "$ROOT/LICENSE" "$ROOT/README.md" "$ROOT/CHANGELOG.md" "$mod/"

say "building pcfailover $version for windows-amd64 and linux-amd64"
CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -trimpath -ldflags "$ldflags" -o "$mod/bin/windows-amd64/pcfailover.exe" ./cli
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "$ldflags" -o "$mod/bin/linux-amd64/pcfailover" ./cli
chmod 0755 "$mod/bin/linux-amd64/pcfailover"

rm -f "$outdir/$name"
if [ "${PCFAILOVER_ZIP:-}" != "python" ] && command -v zip >/dev/null 2>&1; then
  (cd "$stage" && zip -q -r -X "$outdir/$name" PCFailover)
else
  command -v python3 >/dev/null 2>&1 || die "neither zip nor python3 is installed"
  python3 - "$stage" "$outdir/$name" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, dirs, files in os.walk(os.path.join(root, "PCFailover")):
        dirs.sort()
        z.write(folder, os.path.relpath(folder, root))
        for f in sorted(files):
            path = os.path.join(folder, f)
            # from_file keeps the Unix mode (the Linux binary stays executable).
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, root))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as fh:
                z.writestr(info, fh.read())
PY
fi

if command -v sha256sum >/dev/null 2>&1; then
  (cd "$outdir" && sha256sum "$name" > SHA256SUMS)
else
  (cd "$outdir" && shasum -a 256 "$name" > SHA256SUMS)
fi
say "wrote $outdir/$name and $outdir/SHA256SUMS"
printf '%s\n' "$outdir/$name"
