package proof_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/checkpoint"
	"pcfailover/core/lab"
)

// startFailedOver starts the built-in scenario failedover (a completed failover, writes
// on the new primary, the primary site rebuilt) with its ready failback request.
func startFailedOver(t *testing.T) *proofLab {
	t.Helper()
	pw := pwshDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: filepath.Join(t.TempDir(), "lab"), Scenario: "failedover"})
	if err != nil {
		t.Fatalf("start lab failedover: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	p := &proofLab{lab: l, info: l.Info(), request: l.Info().FailbackRequest, pwsh: pw}
	return p
}

// failback runs `pcfailover failback` on the lab's failback request.
func (p *proofLab) failback(t *testing.T, extraEnv []string) result {
	t.Helper()
	return p.run(t, extraEnv, "failback", "--request", p.request, "--output", "json")
}

// checkFailedBack asserts the state a complete failback leaves: the primary's database
// ONLINE with every transaction the backup had when the writers stopped, the pool Normal
// with the primary data center's servers active, the backup restoring again, no lock.
func (p *proofLab) checkFailedBack(t *testing.T) {
	t.Helper()
	want := p.info.Facts.FailedOver.BackupTransactions
	pst, ok := p.lab.Instance(lab.RolePrimary).Database(p.info.Database)
	if !ok || pst.State != "ONLINE" || pst.Standby || pst.Txn != want {
		t.Errorf("primary after failback: %s (standby %v) with %d transactions, want ONLINE with %d", pst.State, pst.Standby, pst.Txn, want)
	}
	bst := p.backupDB(t)
	if bst.State != "RESTORING" && !bst.Standby {
		t.Errorf("backup after failback: %s, want RESTORING or STANDBY", bst.State)
	}
	ls := p.lync(t)
	for _, pool := range ls.PersistentChatPools {
		if pool.PoolFqdn == p.info.Pool && pool.PoolState != "Normal" {
			t.Errorf("pool state %s, want Normal", pool.PoolState)
		}
	}
	if _, err := os.Stat(filepath.Join(p.info.RunDirectory, "pcfailover.lock")); err == nil {
		t.Errorf("lock file left after a finished failback")
	}
}

// TestFailbackCrashAnywhere extends the crash-anywhere harness to failback (landed in
// core/failback): a complete failback's checkpoints are recorded, then a crash at each of
// a spread of them (8, evenly over the run, the Lync and SQL halves both; every one with
// PCFAILOVER_FAILBACK_CRASH_ALL=1: a failed-over lab costs a whole failover to build, too
// much for CI at every checkpoint), and a re-run that must end failed back with every
// transaction.
func TestFailbackCrashAnywhere(t *testing.T) {
	start := time.Now()
	p := startFailedOver(t)
	file := filepath.Join(t.TempDir(), "checkpoints.txt")
	r := p.failback(t, []string{checkpoint.EnvRecord + "=" + file})
	if r.code != 0 {
		t.Fatalf("recording failback: %s", r)
	}
	p.checkFailedBack(t)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var all []string
	for _, cp := range strings.Fields(string(b)) {
		if !seen[cp] {
			seen[cp] = true
			all = append(all, cp)
		}
	}
	pick := all
	if os.Getenv("PCFAILOVER_FAILBACK_CRASH_ALL") == "" {
		const n = 8
		pick = nil
		for i := 0; i < n && len(all) > 0; i++ {
			pick = append(pick, all[(2*i+1)*len(all)/(2*n)])
		}
	}
	t.Logf("a complete failback reaches %d checkpoints: %s", len(all), strings.Join(all, " "))
	var mu sync.Mutex
	passed := 0
	t.Run("at", func(t *testing.T) {
		for _, cp := range pick {
			t.Run(cp, func(t *testing.T) {
				t.Parallel()
				q := startFailedOver(t)
				r := q.failback(t, []string{checkpoint.EnvCrashAt + "=" + cp})
				if r.code != checkpoint.CrashExitCode {
					t.Fatalf("crash run at %s: %s", cp, r)
				}
				r = q.failback(t, nil)
				if r.code != 0 {
					t.Fatalf("re-run after a crash at %s: %s", cp, r)
				}
				q.checkFailedBack(t)
				if !t.Failed() {
					mu.Lock()
					passed++
					mu.Unlock()
				}
			})
		}
	})
	t.Logf("failback crash-anywhere: crashed at %d of %d checkpoints, %d passed, in %s", len(pick), len(all), passed, time.Since(start).Round(time.Second))
}
