#!/usr/bin/env bash
# Runs the project's benchmarks (not tests: scripts/test.sh does not run them) and prints
# one table: RTO of lab failovers with 10, 100 and 1000 log backups (and 100 and 1000 where
# the share is slow, share-bound: a latency per file opened and a shared MB/s) against the floor
# max(total copy, total restore) + fixed costs and against the manual runbook's order
# (copy all, then restore all); PowerShell per-command overhead of pshost against a new
# process per command; planning time and SQL round trips with 10,000 files in the
# folders; peak RSS while copying a 2 GiB file. Usage: scripts/bench.sh [-raw]
# (-raw also prints go test's own output). Takes a few minutes.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_go
ensure_pwsh
raw=0; [ "${1:-}" = "-raw" ] && raw=1
out=$(mktemp); trap 'rm -f "$out"' EXIT
status=0
run() { go test "$1" -run '^$' -bench "$2" -benchtime "$3" -timeout 30m >>"$out" 2>&1 || status=1; }
say "RTO (10, 100, 1000 log backups)"
run ./core/failover/proof '^BenchmarkRTO$' 1x
say "RTO, share-bound (100, 1000 log backups)"
# The 100-log row lasts a few seconds and the copy time of a few seconds varies by 10 % from
# run to run on a shared disk: it is the mean of 3 runs.
run ./core/failover/proof '^BenchmarkRTOShareBound$/^logs=100$' 3x
run ./core/failover/proof '^BenchmarkRTOShareBound$/^logs=1000$' 1x
say "planning with 10,000 files"
run ./core/failover/proof '^BenchmarkPlanTenThousandFiles$' 3x
say "peak RSS copying 2 GiB"
run ./core/failover/proof '^BenchmarkCopyPeakRSS$' 1x
say "PowerShell: warm pshost vs a process per command"
run ./pshost '^BenchmarkInvoke$' 200x
run ./pshost '^BenchmarkNewProcessPerCommand$' 3x
run ./pshost '^BenchmarkColdStart$' 3x
[ "$raw" = 1 ] && cat "$out"
grep -q '^Benchmark' "$out" || { cat "$out" >&2; die "no benchmark ran"; }
# metric VALUE UNIT from a benchmark line
metric() { awk -v u="$2" '$1 ~ "^"b {for (i=3;i<=NF;i++) if ($(i+1)==u) print $i}' b="$1" "$out" | head -1; }
ns() { awk '$1 ~ "^"b {print $3}' b="$1" "$out" | head -1; }
sec() { awk -v v="$1" 'BEGIN { if (v=="") print "-"; else printf "%.2f", v }'; }
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go env GOVERSION), $(date -u +%Y-%m-%d)"
echo
printf '%-34s %10s %10s %10s %10s %10s %11s\n' "RTO (SQL half, in process)" "tool s" "floor s" "manual s" "fixed s" "tool/floor" "manual/tool"
row() { # label benchmark-prefix
  printf '%-34s %10s %10s %10s %10s %10s %11s\n' "$1" "$(sec "$(metric "$2" tool-s)")" "$(sec "$(metric "$2" floor-s)")" \
    "$(sec "$(metric "$2" manual-s)")" "$(sec "$(metric "$2" fixed-s)")" "$(sec "$(metric "$2" tool/floor)")" "$(sec "$(metric "$2" manual/tool)")"
}
for n in 10 100 1000; do row "$n log backups" "BenchmarkRTO/logs=$n-"; done
for n in 100 1000; do row "$n logs, share-bound" "BenchmarkRTOShareBound/logs=$n-"; done
printf '%-34s %10s %10s\n' "share-bound: manual copy, restore" "copy s" "restore s"
for n in 100 1000; do
  b="BenchmarkRTOShareBound/logs=$n-"
  printf '%-34s %10s %10s\n' "$n logs" "$(sec "$(metric "$b" copy-s)")" "$(sec "$(metric "$b" restore-s)")"
done
echo
npp=$(ns BenchmarkNewProcessPerCommand-); cold=$(ns BenchmarkColdStart-)
printf '%-34s %10s\n' "PowerShell, per command" "ms"
printf '%-34s %10s\n' "pshost, warm host (median)" "$(awk -v v="$(metric BenchmarkInvoke- median-ms)" 'BEGIN{printf "%.2f", v}')"
printf '%-34s %10s\n' "new pwsh process per command" "$(awk -v v="$npp" 'BEGIN{printf "%.0f", v/1e6}')"
printf '%-34s %10s\n' "pshost cold start + 1 command" "$(awk -v v="$cold" 'BEGIN{printf "%.0f", v/1e6}')"
echo
b=BenchmarkPlanTenThousandFiles-
printf '%-34s %10s %10s %10s %12s\n' "Planning, 10,000 files" "ms" "headers" "SQL trips" "trips/file"
printf '%-34s %10s %10s %10s %12s\n' "plan (read-only discovery)" "$(awk -v v="$(ns "$b")" 'BEGIN{printf "%.0f", v/1e6}')" \
  "$(metric "$b" headers-read)" "$(metric "$b" sql-round-trips)" "$(metric "$b" round-trips/candidate)"
echo
b=BenchmarkCopyPeakRSS-
printf '%-34s %10s %10s\n' "Copy of a 2 GiB file" "peak MiB" "MiB/s"
printf '%-34s %10s %10s\n' "filecopy.Copy in a child process" "$(metric "$b" peak-rss-MiB)" "$(metric "$b" copy-MiB/s)"
exit $status
