package proof_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/checkpoint"
	"pcfailover/core/journal"
)

// recordCheckpoints runs one complete failover (steps 0-7, through the binary, LyncSim
// for the Lync half) on a fresh lab and returns every checkpoint it reached, in order,
// without repeats, and how long the run took.
func recordCheckpoints(t *testing.T, primaryUp bool) ([]string, time.Duration) {
	t.Helper()
	p := startLab(t, smallScenario("crash-record", primaryUp))
	file := filepath.Join(t.TempDir(), "checkpoints.txt")
	r := p.failover(t, []string{checkpoint.EnvRecord + "=" + file})
	if r.code != 0 {
		t.Fatalf("recording run: %s", r)
	}
	p.checkFailedOver(t, p.wantTxn(), true)
	p.requireMutatingOnce(t)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	// The order the recording saw is the order of invariant 2 as well.
	at := func(name string) int {
		for i, c := range out {
			if c == name {
				return i
			}
		}
		return -1
	}
	if s, d := at("after:journal-snapshot"), at("before:sp_delete_log_shipping_secondary_database"); s < 0 || d < 0 || s > d {
		t.Fatalf("snapshot journaled at checkpoint %d, log shipping removed at %d", s, d)
	}
	return out, r.took
}

// TestCrashAnywhere is the crash-anywhere harness: for every checkpoint a complete
// failover reaches (the SQL half, the copy, the Lync half), a fresh lab, a run that
// exits abruptly at that checkpoint, then the same request again: it must finish with the
// database ONLINE holding every transaction, the pool FailedOver with its mirror and
// active servers, each mutating cmdlet run exactly once, and invariants 1-3 and 6 intact.
func TestCrashAnywhere(t *testing.T) {
	start := time.Now()
	cps, full := recordCheckpoints(t, true)
	t.Logf("a complete failover reaches %d checkpoints (%s): %s", len(cps), full.Round(time.Millisecond), strings.Join(cps, " "))
	if len(cps) < 30 {
		t.Fatalf("only %d checkpoints", len(cps))
	}
	var mu sync.Mutex
	passed := 0
	t.Run("at", func(t *testing.T) {
		for _, cp := range cps {
			t.Run(cp, func(t *testing.T) {
				t.Parallel()
				crashThenRerun(t, cp)
				if !t.Failed() {
					mu.Lock()
					passed++
					mu.Unlock()
				}
			})
		}
	})
	t.Logf("crash-anywhere: %d checkpoints, %d passed, in %s", len(cps), passed, time.Since(start).Round(time.Second))
}

func crashThenRerun(t *testing.T, cp string) {
	p := startLab(t, smallScenario("crash", true))
	r := p.failover(t, []string{checkpoint.EnvCrashAt + "=" + cp})
	if r.code != checkpoint.CrashExitCode {
		t.Fatalf("crash run at %s: %s, want exit %d", cp, r, checkpoint.CrashExitCode)
	}
	if len(bytes.TrimSpace(r.stdout)) != 0 {
		t.Fatalf("the crashed run wrote a report: an abrupt exit writes nothing")
	}
	// The crashed run's state is safe as it stands: never recovered early.
	p.checkSQLInvariants(t)
	_, lockErr := os.Stat(filepath.Join(p.info.RunDirectory, journal.LockFile))
	r = p.failover(t, nil)
	if r.code != 0 {
		t.Fatalf("re-run after a crash at %s: %s", cp, r)
	}
	p.checkFailedOver(t, p.wantTxn(), true)
	p.requireMutatingOnce(t)
	// A crash after the lock was taken leaves the lock of a dead process: the re-run
	// took it over and said so.
	if lockErr == nil {
		if !strings.Contains(strings.Join(r.rep.Warnings, " "), "took over the lock") {
			t.Errorf("re-run did not report the stale lock: %v", r.rep.Warnings)
		}
	}
}

// TestSIGKILLAtRandomMoments kills the binary (SIGKILL: no handler runs) at random
// moments of a failover, then re-runs it; the seed is printed and can be replayed with
// PCFAILOVER_CRASH_SEED.
func TestSIGKILLAtRandomMoments(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL is Unix; crash points cover Windows")
	}
	const kills = 5
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PCFAILOVER_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PCFAILOVER_CRASH_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (replay: PCFAILOVER_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// Calibrate the window on one uninterrupted run.
	p := startLab(t, smallScenario("sigkill-calibrate", false))
	r := p.failover(t, nil)
	if r.code != 0 {
		t.Fatalf("calibration run: %s", r)
	}
	window := r.took
	start := time.Now()
	for i := range kills {
		// A kill after the run ended proves nothing: draw again (at most 3 times) with
		// the window shrunk to what that run took.
		for attempt := 0; attempt < 3; attempt++ {
			delay := time.Duration(rng.Int64N(int64(window) * 7 / 10))
			if killAt(t, fmt.Sprintf("%d.%d@%s", i, attempt, delay.Round(time.Millisecond)), delay, &window) {
				break
			}
		}
	}
	t.Logf("%d SIGKILLs in %s", kills, time.Since(start).Round(time.Second))
}

// TestStaleLockOfACrashedRun: a run that crashed holding the lock leaves the lock file
// naming a dead process; the next run detects that it is stale, takes it over (warning),
// and finishes. A lock naming a live process still blocks (exit 3, holder named).
func TestStaleLockOfACrashedRun(t *testing.T) {
	p := startLab(t, smallScenario("stale-lock", false), lyncSkip)
	r := p.failover(t, []string{checkpoint.EnvCrashAt + "=after:lock"})
	if r.code != checkpoint.CrashExitCode {
		t.Fatalf("crash run: %s", r)
	}
	lockPath := filepath.Join(p.info.RunDirectory, journal.LockFile)
	b, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatalf("the crashed run left no lock file: %v", err)
	}
	// While a live process holds it, a second run is blocked naming the holder.
	live := journal.Holder{Host: mustHostname(t), PID: os.Getpid(), RunID: "live-run-0001", Command: "failover", StartedAt: time.Now()}
	if err := os.Remove(lockPath); err != nil {
		t.Fatal(err)
	}
	l, err := journal.Acquire(p.info.RunDirectory, live)
	if err != nil {
		t.Fatal(err)
	}
	r = p.failover(t, nil)
	if r.code != 3 || r.rep == nil || len(r.rep.Errors) == 0 || r.rep.Errors[0].Code != "PCFailover.Locked" || !strings.Contains(r.rep.Errors[0].Message, "live-run-0001") {
		t.Fatalf("live lock: %s", r)
	}
	l.Release()
	// Put the crashed run's lock back: the next run takes it over.
	if err := os.WriteFile(lockPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r = p.failover(t, nil)
	if r.code != 0 {
		t.Fatalf("run after the crash: %s", r)
	}
	if !strings.Contains(strings.Join(r.rep.Warnings, " "), "took over the lock") {
		t.Fatalf("stale lock not reported: %v", r.rep.Warnings)
	}
	p.checkFailedOver(t, p.wantTxn(), false)
}

func mustHostname(t *testing.T) string {
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// killAt runs a failover on a fresh lab, SIGKILLs it after delay, re-runs it and checks
// the result; it reports whether the kill happened before the run ended (else window
// becomes that run's duration).
func killAt(t *testing.T, name string, delay time.Duration, window *time.Duration) (killed bool) {
	t.Run(name, func(t *testing.T) {
		p := startLab(t, smallScenario("sigkill", false))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := p.command(ctx, t, nil, "failover", "--request", p.request, "--output", "json")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		began := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(delay, func() { _ = cmd.Process.Kill() })
		err := cmd.Wait()
		killed = !timer.Stop()
		first := finish(t, cmd, &out, &errb, err, began)
		if !killed {
			*window = first.took
			t.Logf("the run ended (exit %d) before the kill at %s", first.code, delay)
			return
		}
		t.Logf("killed after %s", delay)
		p.checkSQLInvariants(t)
		r := p.failover(t, nil)
		if r.code != 0 {
			t.Fatalf("re-run after SIGKILL at %s: %s", delay, r)
		}
		p.checkFailedOver(t, p.wantTxn(), true)
		p.requireMutatingOnce(t)
	})
	return killed
}
