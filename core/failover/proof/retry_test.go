package proof_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/sqlsim"
)

// retryMatches are the statements issue 12 names, each with what the report calls it.
var retryMatches = []struct{ match, statement string }{
	{`^\s*RESTORE\s+LOG`, "RESTORE LOG"},
	{`^\s*RESTORE\s+DATABASE\s+\S+\s+WITH\s+RECOVERY`, "WITH RECOVERY"},
	{`sp_delete_log_shipping_secondary_database`, "sp_delete_log_shipping_secondary_database"},
	{`^\s*KILL`, "KILL"},
}

// TestFaultTransientSQLRetried (FAULTS.md rows 1 and 1b): the connection drops, or SQL
// Server picks the statement as a deadlock victim (1205), twice in a row on each kind
// of statement that changes something; the run reconnects, observes and tries again
// within options.retry, ends with every transaction in one run, and lists each retry.
func TestFaultTransientSQLRetried(t *testing.T) {
	for _, m := range retryMatches {
		for _, f := range []sqlsim.Fault{{Drop: true, Times: 2}, {Error: 1205, Times: 2}} {
			name := "drop"
			if f.Error != 0 {
				name = "1205"
			}
			t.Run(m.statement+"/"+name, func(t *testing.T) {
				p := startLab(t, smallScenario("retry", false), lyncSkip)
				f.Match = m.match
				if err := p.lab.Instance(lab.RoleBackup).AddFault(f); err != nil {
					t.Fatal(err)
				}
				r := p.engine(t, nil, p.engineConfig(t, false))
				p.requireSucceeded(t, r)
				p.checkSQLInvariants(t)
				n := 0
				for _, rt := range r.Retries {
					if strings.Contains(rt.Statement, m.statement) && rt.Outcome == "retried" && rt.Error != "" && rt.Attempt >= 1 {
						n++
					}
				}
				if n < 2 {
					t.Fatalf("want 2 retries of %s listed, got %+v", m.statement, r.Retries)
				}
			})
		}
	}
}

// TestFaultTransientRetriesExhausted (row 1c): the connection keeps dropping on RESTORE
// LOG beyond options.retry.attempts: the run fails (exit 1) with every try listed, the
// database still restoring; once the network is back a re-run finishes.
func TestFaultTransientRetriesExhausted(t *testing.T) {
	p := startLab(t, smallScenario("exhausted", false), lyncSkip)
	bk := p.lab.Instance(lab.RoleBackup)
	if err := bk.AddFault(sqlsim.Fault{Match: `^\s*RESTORE\s+LOG`, Drop: true, Times: 50}); err != nil {
		t.Fatal(err)
	}
	cfg := p.engineConfig(t, false)
	cfg.Request.Options.Retry.Attempts = 3
	r := p.engine(t, nil, cfg)
	p.requireSafeStop(t, r, 1)
	if db := p.backupDB(t); db.State == "ONLINE" && !db.Standby {
		t.Fatal("recovered although RESTORE LOG never succeeded")
	}
	if len(r.Retries) != 3 || r.Retries[2].Outcome != "exhausted" || r.Errors[0].Code != report.CodeConnectionFailed ||
		!strings.Contains(r.Errors[0].Message, "3 attempts") {
		t.Fatalf("retries %+v errors %+v", r.Retries, r.Errors)
	}
	for i, rt := range r.Retries {
		if rt.Attempt != i+1 || !strings.Contains(rt.Statement, "RESTORE LOG") || rt.Step != failover.StepRestoreLogs {
			t.Fatalf("retry %d: %+v", i, rt)
		}
	}
	bk.ClearFaults()
	p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
}

// TestFaultNonTransientNeverRetried: an error SQL Server raises for a cause a retry
// cannot fix (here 3241 on RESTORE LOG... any number but 1205) is not retried.
func TestFaultNonTransientNeverRetried(t *testing.T) {
	p := startLab(t, smallScenario("permanent", false), lyncSkip)
	bk := p.lab.Instance(lab.RoleBackup)
	if err := bk.AddFault(sqlsim.Fault{Match: `^\s*RESTORE\s+DATABASE\s+\S+\s+WITH\s+RECOVERY`, Error: 50000, Times: 1}); err != nil {
		t.Fatal(err)
	}
	r := p.engine(t, nil, p.engineConfig(t, false))
	p.requireSafeStop(t, r, 1)
	if len(r.Retries) != 0 {
		t.Fatalf("retried a non-transient error: %+v", r.Retries)
	}
	bk.ClearFaults()
	p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
}

// TestFaultBackupInstanceRestarts (row 4): the backup instance goes down during a
// statement and comes back a moment later (logins fail meanwhile): the run retries,
// reconnects when it answers, and finishes in one run.
func TestFaultBackupInstanceRestarts(t *testing.T) {
	for _, m := range retryMatches {
		t.Run(m.statement, func(t *testing.T) {
			p := startLab(t, smallScenario("restart", false), lyncSkip)
			bk := p.lab.Instance(lab.RoleBackup)
			if err := bk.AddFault(sqlsim.Fault{Match: m.match, Down: true, Times: 1}); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				// Bring it back a second after it went down (a restart).
				for !bk.IsDown() {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
				select {
				case <-stop:
				case <-time.After(time.Second):
					bk.SetDown(false)
				}
			}()
			cfg := p.engineConfig(t, false)
			cfg.Request.Options.Retry.Attempts = 20
			r := p.engine(t, nil, cfg)
			p.requireSucceeded(t, r)
			p.checkSQLInvariants(t)
			if len(r.Retries) == 0 {
				t.Fatal("no retry listed")
			}
			t.Logf("%d retries: %s", len(r.Retries), fmt.Sprint(r.Retries[0].Error))
		})
	}
}

// TestShareBoundLabThroughTheBinary: a lab with a share modelled as a network share
// (throughput.shareMBps/shareLatency) hands the model to the binary (lab.json env
// PCFAILOVER_SHARE_SIM); the failover copies through it and finishes with every
// transaction. A malformed model is refused (exit 2) naming the variable.
func TestShareBoundLabThroughTheBinary(t *testing.T) {
	s := smallScenario("share-bound", false)
	s.Throughput.ShareMBps = 50
	s.Throughput.ShareLatency = lab.Duration(2 * time.Millisecond)
	p := startLab(t, s, lyncSkip)
	if p.info.Env["PCFAILOVER_SHARE_SIM"] == "" {
		t.Fatalf("lab env %v has no PCFAILOVER_SHARE_SIM", p.info.Env)
	}
	if r := p.failover(t, []string{"PCFAILOVER_SHARE_SIM=mbps=fast"}); r.code != 2 || !strings.Contains(string(r.stdout)+string(r.stderr), "PCFAILOVER_SHARE_SIM") {
		t.Fatalf("malformed share model: %s", r)
	}
	r := p.failover(t, nil)
	if r.code != 0 || r.rep == nil {
		t.Fatalf("%s", r)
	}
	p.checkSQLInvariants(t)
	p.checkFailedOver(t, p.wantTxn(), false)
}
