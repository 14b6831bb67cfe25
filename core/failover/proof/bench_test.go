package proof_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/microsoft/go-mssqldb"

	"pcfailover/core/failover"
	"pcfailover/core/filecopy"
	"pcfailover/core/lab"
	"pcfailover/core/report"
)

// RTO benchmark knobs: log backups scaled down from a busy Persistent Chat pool's
// (tens of MB each every 15 minutes) to 256 KiB, restored at a simulated 64 MB/s, with
// 2 ms per statement and 5 ms per RESTORE HEADERONLY of network and server latency.
const (
	benchLogSize     = 256 << 10
	benchRestoreMBps = 64
)

func rtoScenario(n int) lab.Scenario {
	tail := 0
	return lab.Scenario{
		Name:        fmt.Sprintf("rto-%d", n),
		RestoreMode: "norecovery",
		Logs: lab.LogPlan{Count: n + 1, Copied: n/2 + 1, Restored: 1, TransactionsPerLog: 2, TailTransactions: &tail,
			SizeBytes: benchLogSize, FullSizeBytes: 1 << 20, Interval: lab.Duration(time.Minute)},
		Throughput: lab.Throughput{RestoreMBps: benchRestoreMBps, StatementLatency: lab.Duration(2 * time.Millisecond),
			HeaderLatency: lab.Duration(5 * time.Millisecond)},
	}
}

// Share-bound knobs: log backups of 1 MiB of payload (a 1.05 MB file) restored at 48 MB/s
// (about 24 ms each with the statement latency), every one still to copy from a share
// reached as over a WAN: 5 ms per file opened and 90 MB/s shared by all copies (about
// 17 ms per file one after the other, 25 ms with hashing, writing and flushing the copy),
// so that the total copy is about the total restore (measured: bench.sh prints both).
const (
	shareBoundLogSize     = 1 << 20
	shareBoundRestoreMBps = 48
	shareBoundMBps        = 90
	shareBoundLatency     = 5 * time.Millisecond
)

func shareBoundScenario(n int) lab.Scenario {
	s := rtoScenario(n)
	s.Name = fmt.Sprintf("rto-share-%d", n)
	s.Logs.Copied = 1
	s.Logs.SizeBytes = shareBoundLogSize
	s.Throughput.RestoreMBps = shareBoundRestoreMBps
	s.Throughput.ShareMBps = shareBoundMBps
	s.Throughput.ShareLatency = lab.Duration(shareBoundLatency)
	return s
}

// BenchmarkRTOShareBound is BenchmarkRTO where the share is slow (shareBoundScenario):
// the tool's copies (copy-ahead, options.copyParallelism at a time) must hide the share
// behind the restores, which stay in LSN order; the manual runbook copies everything,
// then restores (the copies read through the same share model).
func BenchmarkRTOShareBound(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("logs=%d", n), func(b *testing.B) { benchRTO(b, func() lab.Scenario { return shareBoundScenario(n) }) })
	}
}

// BenchmarkRTO measures the SQL half of a failover (steps 0-4, in process) with 10, 100
// and 1000 log backups to apply, half of them still to be copied from the share, against
// two references measured on a twin lab: the floor, max(total copy, total restore) plus
// the run's fixed costs (everything but the copy/restore pipeline), and the manual
// runbook's order, copy all then restore all (total copy + total restore + fixed costs).
func BenchmarkRTO(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("logs=%d", n), func(b *testing.B) { benchRTO(b, func() lab.Scenario { return rtoScenario(n) }) })
	}
}

// benchRTO runs the tool on a lab of scenario() and the manual runbook on a twin, and
// reports the seconds of each, the floor, the fixed costs and the two ratios.
func benchRTO(b *testing.B, scenario func() lab.Scenario) {
	var tool, fixed, floor, manual, copies, restores time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := startLab(b, scenario(), lyncSkip)
		cfg := p.engineConfig(b, false)
		b.StartTimer()
		start := time.Now()
		r := failover.Failover(context.Background(), cfg)
		took := time.Since(start)
		b.StopTimer()
		if r.Outcome != report.OutcomeSucceeded {
			b.Fatalf("%s %+v", r.Outcome, r.Errors)
		}
		pipe := pipelineSpan(r)
		f := took - pipe
		twin := startLab(b, scenario(), lyncSkip)
		cp, rs := manualRunbook(b, twin, cfg.ShareOpener)
		tool += took
		fixed += f
		floor += max(cp, rs) + f
		manual += cp + rs + f
		copies += cp
		restores += rs
		b.StartTimer()
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(per(tool), "tool-s")
	b.ReportMetric(per(floor), "floor-s")
	b.ReportMetric(per(manual), "manual-s")
	b.ReportMetric(per(fixed), "fixed-s")
	b.ReportMetric(float64(tool)/float64(floor), "tool/floor")
	b.ReportMetric(float64(manual)/float64(tool), "manual/tool")
	b.ReportMetric(per(copies), "copy-s")
	b.ReportMetric(per(restores), "restore-s")
}

// pipelineSpan is the time from the start of the copy or restore step to the end of the
// later one (they overlap: file k+1 copies while file k restores).
func pipelineSpan(r *report.Report) time.Duration {
	var first, last time.Time
	for _, id := range []string{failover.StepCopyLogs, failover.StepRestoreLogs} {
		s := r.StepByID(id)
		if s == nil || s.StartedAt == nil {
			continue
		}
		end := s.StartedAt.Add(time.Duration(s.DurationMs) * time.Millisecond)
		if first.IsZero() || s.StartedAt.Before(first) {
			first = *s.StartedAt
		}
		if end.After(last) {
			last = end
		}
	}
	return last.Sub(first)
}

// manualRunbook does what the manual runbook does on p: copy every log backup not in
// the copy folder (one after the other), then restore every unrestored one in order. It
// returns the two totals.
func manualRunbook(b *testing.B, p *proofLab, open filecopy.Opener) (copyTotal, restoreTotal time.Duration) {
	b.Helper()
	ctx := context.Background()
	var paths []string
	start := time.Now()
	for _, l := range p.info.Facts.Logs {
		if l.Restored {
			continue
		}
		if !l.InCopy {
			if _, err := filecopy.Copy(ctx, filepath.Join(p.info.Share, l.Name), p.info.CopyDestination, filecopy.Options{Open: open}); err != nil {
				b.Fatal(err)
			}
		}
		paths = append(paths, filepath.Join(p.info.CopyDestination, l.Name))
	}
	copyTotal = time.Since(start)
	db, err := sql.Open("sqlserver", p.info.Instances[lab.RoleBackup].DSN("master"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start = time.Now()
	for _, path := range paths {
		if _, err := db.ExecContext(ctx, "RESTORE LOG ["+p.info.Database+"] FROM DISK = @p1 WITH NORECOVERY", path); err != nil {
			b.Fatalf("restore %s: %v", path, err)
		}
	}
	return copyTotal, time.Since(start)
}

// BenchmarkPlanTenThousandFiles plans against folders holding 10,000 files (old log
// backups already restored, other databases' backups, stray files) around the 20 files
// of the chain: planning time and SQL round trips (batches and RPCs the backup instance
// received, all of discovery) per candidate file (RESTORE HEADERONLY statements).
func BenchmarkPlanTenThousandFiles(b *testing.B) {
	s := rtoScenario(20)
	p := startLab(b, s, lyncSkip)
	for i := 0; i < 10000; i++ {
		var name, dir string
		switch i % 4 {
		case 0, 1: // already restored log backups, older than the chain (share and copy)
			name, dir = fmt.Sprintf("mgc_2025%010d.trn", i), p.info.Share
			if i%4 == 1 {
				dir = p.info.CopyDestination
			}
		case 2:
			name, dir = fmt.Sprintf("other_%010d.trn", i), p.info.Share
		default:
			name, dir = fmt.Sprintf("notes-%d.txt", i), p.info.CopyDestination
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			b.Fatal(err)
		}
		// As old as their names say (the engine also reads any log backup newer than
		// the last restored one, whatever its name).
		old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(path, old, old); err != nil {
			b.Fatal(err)
		}
	}
	cfg := p.engineConfig(b, false)
	bk := p.lab.Instance(lab.RoleBackup)
	var stmts, candidates int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := len(bk.Statements())
		r := failover.Plan(context.Background(), cfg)
		if r.Outcome != report.OutcomePlanned {
			b.Fatalf("%s %+v", r.Outcome, r.Errors)
		}
		stmts += len(bk.Statements()) - before
		candidates = 0
		for _, st := range bk.Statements()[before:] {
			// one round trip may hold several RESTORE HEADERONLY statements
			candidates += strings.Count(strings.ToUpper(st.Text), "RESTORE HEADERONLY")
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(stmts)/float64(b.N), "sql-round-trips")
	b.ReportMetric(float64(candidates), "headers-read")
	if candidates > 0 {
		b.ReportMetric(float64(stmts)/float64(b.N)/float64(candidates), "round-trips/candidate")
	}
}

// BenchmarkCopyPeakRSS copies a 2 GiB file (sparse source) with filecopy in a child
// process and reports its peak resident set (VmHWM): the copy streams through a fixed
// buffer, so memory does not grow with the file.
func BenchmarkCopyPeakRSS(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "mgc_20261125120000.trn")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for i := 0; i < b.N; i++ {
		dst := filepath.Join(dir, fmt.Sprintf("copy%d", i))
		if err := os.Mkdir(dst, 0o755); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "PCFAILOVER_PEAKRSS_SRC="+src, "PCFAILOVER_PEAKRSS_DST="+dst)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "PEAKRSS "); ok {
				fields := strings.Fields(v)
				kb, _ := strconv.ParseFloat(fields[0], 64)
				secs, _ := strconv.ParseFloat(fields[1], 64)
				b.ReportMetric(kb/1024, "peak-rss-MiB")
				b.ReportMetric(2048/secs, "copy-MiB/s")
			}
		}
		os.RemoveAll(dst)
	}
}

// copyPeakRSSChild is BenchmarkCopyPeakRSS's child process (TestMain runs it when
// PCFAILOVER_PEAKRSS_SRC is set): it copies and prints its VmHWM and the copy's duration.
func copyPeakRSSChild(src, dst string) int {
	start := time.Now()
	if _, err := filecopy.Copy(context.Background(), src, dst, filecopy.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	took := time.Since(start)
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			fmt.Printf("PEAKRSS %s %.3f\n", strings.Fields(v)[0], took.Seconds())
		}
	}
	return 0
}
