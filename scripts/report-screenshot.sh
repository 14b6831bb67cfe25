#!/usr/bin/env bash
# Screenshot a pcfailover HTML report with headless Chromium, to check that it renders
# (with its chart) without any external asset.
#   scripts/report-screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]
# Installs Debian's chromium package with apt-get when it is missing (unless
# PCFAILOVER_NO_INSTALL=1). Chromium runs with --headless --no-sandbox --disable-gpu
# --disable-background-networking --no-first-run, in a throwaway profile.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2; exit 2; }
page=$1 out=$2 size=${3:-1280x2400}
[ -f "$page" ] || { echo "$0: $page: no such file" >&2; exit 2; }
if ! command -v chromium >/dev/null 2>&1; then
  if [ "${PCFAILOVER_NO_INSTALL:-}" = 1 ]; then
    echo "$0: chromium is not installed" >&2; exit 1
  fi
  command -v apt-get >/dev/null 2>&1 || { echo "$0: chromium is missing and apt-get is not available: install Chromium" >&2; exit 1; }
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing chromium (apt-get)" >&2
  $sudo apt-get install -y chromium >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y chromium >&2; }
fi
abs_page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
case "$out" in /*) abs_out=$out ;; *) abs_out=$PWD/$out ;; esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$abs_out"
timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${size/x/,}" --screenshot="$abs_out" "file://$abs_page" >&2 2>"$profile/chromium.log" || {
  cat "$profile/chromium.log" >&2; exit 1; }
[ -s "$abs_out" ] || { echo "$0: chromium wrote no screenshot" >&2; cat "$profile/chromium.log" >&2; exit 1; }
echo "$abs_out"
