package drill_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pcfailover/core/drill"
	"pcfailover/core/lab"
	"pcfailover/core/lab/labtest"
	"pcfailover/core/report"
	"pcfailover/core/sqlsim"
	"pcfailover/core/winpath"
)

// startSlowLab starts a disaster lab whose restores run at 20 MB/s, so a drill takes
// long enough to be interrupted in the middle.
func startSlowLab(t *testing.T) *labRun {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "slow.json")
	doc := `{"name":"slow","primaryUp":false,"restoreMode":"standby",
	 "logs":{"count":6,"copied":4,"restored":2,"sizeBytes":2097152,"fullSizeBytes":41943040,"interval":"15m"},
	 "throughput":{"restoreMBps":20}}`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return startLabOptions(t, lab.Options{Dir: filepath.Join(dir, "lab"), ScenarioFile: file})
}

// A drill interrupted while it restores still drops its copy, reports "interrupted" and
// leaves production as it was.
func TestDrillInterruptedDropsTheCopy(t *testing.T) {
	lr := startSlowLab(t)
	before := lr.state(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the full restore is under way (the copy exists, RESTORING).
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			for _, n := range lr.lab.Instance(lab.RoleBackup).Databases() {
				if strings.HasPrefix(n, lr.info.Database+"_drill_") {
					time.Sleep(200 * time.Millisecond)
					cancel()
					return
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	rep := drill.Run(ctx, drill.Config{Request: lr.req, Passwords: lr.pw})
	if rep.Outcome != report.OutcomeInterrupted || rep.ExitCode != 4 {
		t.Fatalf("outcome %s: %+v", rep.Outcome, rep.Errors)
	}
	if !rep.Drill.Dropped {
		t.Fatalf("copy not dropped: %+v", rep.StepByID(drill.StepDrop))
	}
	for _, n := range lr.lab.Instance(lab.RoleBackup).Databases() {
		if strings.Contains(n, "_drill_") {
			t.Errorf("%s left behind", n)
		}
	}
	after := lr.state(t)
	for role := range before.sql {
		b, _ := withoutDrillHistory(before.sql[role], lr.info.Database)
		a, _ := withoutDrillHistory(after.sql[role], lr.info.Database)
		if diff := cmp.Diff(b, a); diff != "" {
			t.Errorf("%s changed:\n%s", role, diff)
		}
	}
	if h, _ := drill.ReadHistory(drill.HistoryPath(lr.req)); len(h) != 1 || h[0].Outcome != report.OutcomeInterrupted {
		t.Errorf("history %+v", h)
	}
}

// A copy left by an earlier drill (a crash before its drop) is reported, never dropped
// by another drill; a full backup given explicitly is used.
func TestDrillReportsLeftoverCopiesAndTakesAGivenFullBackup(t *testing.T) {
	lr := startLab(t, "clean")
	bk := lr.lab.Instance(lab.RoleBackup)
	left := lr.info.Database + "_drill_20200101000000"
	dir := t.TempDir()
	err := bk.RestoreDatabase(context.Background(), left, lr.info.Facts.FullBackup, sqlsim.RestoreOptions{Mode: sqlsim.NoRecovery,
		Move: []sqlsim.MoveFile{{LogicalName: "mgc", PhysicalName: filepath.Join(dir, "l.mdf")}, {LogicalName: "mgc_log", PhysicalName: filepath.Join(dir, "l.ldf")}}})
	if err != nil {
		t.Fatal(err)
	}
	req := *lr.req
	d := *req.Drill
	d.FullBackup = lr.info.Facts.FullBackup // DIR/backups, not the share
	req.Drill = &d
	rep := drill.Run(context.Background(), drill.Config{Request: &req, Passwords: lr.pw})
	if rep.Outcome != report.OutcomeSucceeded {
		t.Fatalf("outcome %s %+v", rep.Outcome, rep.Errors)
	}
	if rep.Drill.FullBackup != lr.info.Facts.FullBackup {
		t.Errorf("full backup %s", rep.Drill.FullBackup)
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), left) {
		t.Errorf("no warning about %s: %v", left, rep.Warnings)
	}
	if _, ok := bk.Database(left); !ok {
		t.Errorf("the drill dropped a copy it did not create")
	}
}

// Without any usable full backup the drill is blocked before it creates anything.
func TestDrillWithoutFullBackupIsBlocked(t *testing.T) {
	lr := startLab(t, "clean")
	// ShareFullBackup is a SQL Server path (\\SQLPCPRI\LogShip\...): remove the file
	// where this machine reaches the share.
	if err := os.Remove(filepath.Join(lr.info.Share, winpath.BaseName(lr.info.Facts.ShareFullBackup))); err != nil {
		t.Fatal(err)
	}
	rep := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
	if rep.Outcome != report.OutcomeBlocked || rep.ExitCode != 3 || rep.Errors[0].Code != report.CodeInvalidRequest {
		t.Fatalf("outcome %s %+v", rep.Outcome, rep.Errors)
	}
	if rep.Drill.Dropped || rep.StepByID(drill.StepRestoreFull).Status != report.StatusPending {
		t.Errorf("steps: %+v", rep.StepByID(drill.StepRestoreFull))
	}
}

// An unreadable log backup after the end of the chain is a break, unless it was modified
// in the last minutes: then it is most likely being written by the primary's backup job.
func TestDrillUnreadableNewestLogBackup(t *testing.T) {
	tests := []struct {
		name    string
		age     time.Duration
		outcome string
	}{
		{"being written", 10 * time.Second, report.OutcomeSucceeded},
		{"old", time.Hour, report.OutcomeFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lr := startLab(t, "clean")
			p := filepath.Join(lr.info.Share, lr.info.Database+"_20991231000000.trn")
			if err := os.WriteFile(p, []byte("partial backup"), 0o644); err != nil {
				t.Fatal(err)
			}
			at := time.Now().Add(-tc.age)
			if err := os.Chtimes(p, at, at); err != nil {
				t.Fatal(err)
			}
			rep := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
			if rep.Outcome != tc.outcome {
				t.Fatalf("outcome %s, want %s: %+v", rep.Outcome, tc.outcome, rep.Errors)
			}
			if rep.Drill.LogsApplied != len(lr.info.Facts.Logs) || !rep.Drill.Dropped {
				t.Errorf("applied %d, dropped %v", rep.Drill.LogsApplied, rep.Drill.Dropped)
			}
			if tc.outcome == report.OutcomeFailed && rep.Errors[len(rep.Errors)-1].Code != report.CodeGapInLogChain {
				t.Errorf("errors %+v", rep.Errors)
			}
		})
	}
}

// The SQL Servers' service accounts may not read the share (lab option
// shareAccessDenied), where the full backup is: the drill is blocked naming the share as
// unreachable by SQL Server and the accounts to grant, not "no usable full backup".
func TestDrillShareSQLServerMayNotRead(t *testing.T) {
	file := labtest.ScenarioFile(t, "disaster", "denied", func(s *lab.Scenario) { s.ShareAccessDenied = true })
	lr := startLabOptions(t, lab.Options{Dir: t.TempDir(), ScenarioFile: file})
	before := lr.state(t)
	rep := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
	if rep.Outcome != report.OutcomeBlocked || len(rep.Errors) == 0 || rep.Errors[0].Code != report.CodePathUnreachable {
		t.Fatalf("outcome %s, errors %+v", rep.Outcome, rep.Errors)
	}
	if m := rep.Errors[0].Message; !strings.Contains(m, "SQL Server cannot open the files there") ||
		!strings.Contains(m, `may not read \\SQLPCPRI\LogShip (operating system error 5)`) {
		t.Errorf("error: %s", m)
	}
	if diff := cmp.Diff(before.sql, lr.state(t).sql); diff != "" {
		t.Errorf("production changed (-before +after):\n%s", diff)
	}
}
