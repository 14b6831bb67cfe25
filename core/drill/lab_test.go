package drill_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pcfailover/core/drill"
	"pcfailover/core/journal"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

type labRun struct {
	lab  *lab.Lab
	info lab.Info
	req  *request.Request
	pw   request.Passwords
}

func startLab(t *testing.T, scenario string) *labRun {
	t.Helper()
	return startLabOptions(t, lab.Options{Dir: t.TempDir(), Scenario: scenario})
}

// startLabOptions starts a lab and loads its request.
func startLabOptions(t *testing.T, opts lab.Options) *labRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, opts)
	if err != nil {
		t.Fatalf("start lab %+v: %v", opts, err)
	}
	t.Cleanup(func() { l.Close() })
	lr := &labRun{lab: l, info: l.Info()}
	data, err := os.ReadFile(lr.info.Request)
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return lr.info.Env[k] }
	lr.req, lr.pw, err = request.Load(data, nil, getenv)
	if err != nil {
		t.Fatalf("lab request: %v", err)
	}
	return lr
}

// state is everything production is made of: every instance's durable state and the
// LyncSim state file.
type state struct {
	sql  map[string]map[string]any
	lync []byte
}

func (lr *labRun) state(t *testing.T) state {
	t.Helper()
	st := state{sql: map[string]map[string]any{}}
	for _, role := range []string{lab.RolePrimary, lab.RoleBackup, lab.RoleBackupMirror} {
		b, err := lr.lab.Instance(role).Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		st.sql[role] = m
	}
	b, err := os.ReadFile(lr.info.Lync.State)
	if err != nil {
		t.Fatal(err)
	}
	st.lync = b
	return st
}

// withoutDrillHistory removes from a snapshot the msdb restore history SQL Server writes
// for any RESTORE of a drill copy (restorehistory rows whose destination is a
// <db>_drill_* database, and the backupset and backupmediafamily rows they reference):
// the one documented trace a drill leaves.
func withoutDrillHistory(snap map[string]any, db string) (map[string]any, int) {
	msdb, _ := snap["msdb"].(map[string]any)
	if msdb == nil {
		return snap, 0
	}
	sets := map[float64]bool{}
	var keep []any
	removed := 0
	for _, r := range asSlice(msdb["restorehistory"]) {
		row := r.(map[string]any)
		if strings.HasPrefix(row["destination_database_name"].(string), db+"_drill_") {
			sets[row["backup_set_id"].(float64)] = true
			removed++
			continue
		}
		keep = append(keep, r)
	}
	msdb["restorehistory"] = keep
	media := map[float64]bool{}
	keep = nil
	for _, r := range asSlice(msdb["backupset"]) {
		row := r.(map[string]any)
		if sets[row["backup_set_id"].(float64)] {
			media[row["media_set_id"].(float64)] = true
			continue
		}
		keep = append(keep, r)
	}
	msdb["backupset"] = keep
	keep = nil
	for _, r := range asSlice(msdb["backupmediafamily"]) {
		if media[r.(map[string]any)["media_set_id"].(float64)] {
			continue
		}
		keep = append(keep, r)
	}
	msdb["backupmediafamily"] = keep
	return snap, removed
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func TestDrillDisasterLeavesProductionIdentical(t *testing.T) {
	lr := startLab(t, "disaster")
	before := lr.state(t)
	shareBefore := listDir(t, lr.info.Share)
	copyBefore := listDir(t, lr.info.CopyDestination)

	rep := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
	if rep.Outcome != report.OutcomeSucceeded || rep.ExitCode != 0 {
		b, _ := json.MarshalIndent(rep, "", " ")
		t.Fatalf("drill %s: %s", rep.Outcome, b)
	}
	d := rep.Drill
	facts := lr.info.Facts
	if d.FullBackup != facts.ShareFullBackup {
		t.Errorf("full backup %s, want the share's %s", d.FullBackup, facts.ShareFullBackup)
	}
	// Every log backup of the chain, from the copy folder or the share, was applied.
	if d.LogsApplied != len(facts.Logs) {
		t.Errorf("applied %d logs, want %d", d.LogsApplied, len(facts.Logs))
	}
	if d.RecoveredToLSN == nil || d.RecoveredToLSN.String() != facts.Logs[len(facts.Logs)-1].LastLSN {
		t.Errorf("recovered to %v, want %s", d.RecoveredToLSN, facts.Logs[len(facts.Logs)-1].LastLSN)
	}
	// 8 logs are not yet restored on the secondary: their restore time is the failover estimate.
	restored := 0
	for _, l := range facts.Logs {
		if l.Restored {
			restored++
		}
	}
	if d.LogsPendingOnSecondary != len(facts.Logs)-restored {
		t.Errorf("pending on the secondary %d, want %d", d.LogsPendingOnSecondary, len(facts.Logs)-restored)
	}
	if d.RecoveryPoint == nil || d.RPOSeconds <= 0 || rep.RPO == nil {
		t.Errorf("no RPO: %+v", d)
	}
	// The last log backup is one interval (15m) before the lab started.
	if d.RPOSeconds < 14*60 || d.RPOSeconds > 20*60 {
		t.Errorf("RPO %.0fs, want about 15 minutes", d.RPOSeconds)
	}
	if d.CheckDB != "passed" || d.Sanity == nil || d.Sanity.FilesOK != 2 || !d.Dropped {
		t.Errorf("checkdb %s, sanity %+v, dropped %v", d.CheckDB, d.Sanity, d.Dropped)
	}
	phases := map[string]bool{}
	for _, p := range d.Phases {
		phases[p.ID] = true
	}
	for _, id := range []string{drill.StepRestoreFull, drill.StepRestoreLogs, drill.StepRecover, drill.StepCheckDB, drill.StepDrop} {
		if !phases[id] {
			t.Errorf("phase %s not timed: %+v", id, d.Phases)
		}
	}
	if d.RTOSeconds <= 0 {
		t.Errorf("RTO %v", d.RTOSeconds)
	}
	for _, f := range d.Files {
		if !strings.Contains(filepath.Base(f), d.Database) {
			t.Errorf("file %s not named for the copy %s", f, d.Database)
		}
	}

	// Production is untouched: every instance and the Lync state are identical, apart
	// from SQL Server's own restore history of the drill copy.
	after := lr.state(t)
	if !bytes.Equal(before.lync, after.lync) {
		t.Errorf("LyncSim state changed")
	}
	for role := range before.sql {
		b, _ := withoutDrillHistory(before.sql[role], lr.info.Database)
		a, n := withoutDrillHistory(after.sql[role], lr.info.Database)
		if role == lab.RoleBackup && n != 1+d.LogsApplied {
			t.Errorf("restore history rows of the drill copy: %d, want %d", n, 1+d.LogsApplied)
		}
		if diff := cmp.Diff(b, a); diff != "" {
			t.Errorf("%s changed (-before +after):\n%s", role, diff)
		}
	}
	if diff := cmp.Diff(shareBefore, listDir(t, lr.info.Share)); diff != "" {
		t.Errorf("share changed:\n%s", diff)
	}
	if diff := cmp.Diff(copyBefore, listDir(t, lr.info.CopyDestination)); diff != "" {
		t.Errorf("copy folder changed:\n%s", diff)
	}
	if _, ok := lr.lab.Instance(lab.RoleBackup).Database(d.Database); ok {
		t.Errorf("drill copy %s still exists", d.Database)
	}

	// The report and the history are on disk; a second drill appends to the history.
	if _, err := os.Stat(filepath.Join(rep.RunDirectory, drill.ReportFileName)); err != nil {
		t.Error(err)
	}
	time.Sleep(1100 * time.Millisecond) // the copy's name has one-second resolution
	rep2 := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
	if rep2.Outcome != report.OutcomeSucceeded {
		t.Fatalf("second drill: %s %+v", rep2.Outcome, rep2.Errors)
	}
	hist, err := drill.ReadHistory(drill.HistoryPath(lr.req))
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].RunID != rep.RunID || hist[1].RunID != rep2.RunID || hist[1].RPOSeconds <= 0 || hist[1].RTOSeconds <= 0 {
		t.Fatalf("history: %+v", hist)
	}
}

func listDir(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int64{}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = fi.Size()
	}
	return m
}

func TestDrillFindings(t *testing.T) {
	tests := []struct {
		scenario string
		outcome  string
		code     string
		applied  int
		warn     string
	}{
		// Log 7 is missing everywhere: the copy is restored up to log 6 and the drill
		// fails with the gap, after dropping the copy.
		{scenario: "gap", outcome: report.OutcomeFailed, code: report.CodeGapInLogChain, applied: 6},
		// The copy-folder copy of log 6 is damaged, the share's copy is good: the drill
		// restores the share's and warns.
		{scenario: "corrupt", outcome: report.OutcomeSucceeded, applied: 12, warn: "is damaged"},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			lr := startLab(t, tc.scenario)
			rep := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
			if rep.Outcome != tc.outcome {
				t.Fatalf("outcome %s, want %s: %+v", rep.Outcome, tc.outcome, rep.Errors)
			}
			if tc.code != "" && (len(rep.Errors) == 0 || rep.Errors[len(rep.Errors)-1].Code != tc.code) {
				t.Errorf("errors %+v, want %s", rep.Errors, tc.code)
			}
			if rep.Drill.LogsApplied != tc.applied {
				t.Errorf("applied %d, want %d", rep.Drill.LogsApplied, tc.applied)
			}
			if !rep.Drill.Dropped {
				t.Error("copy not dropped")
			}
			if tc.warn != "" && !strings.Contains(strings.Join(rep.Warnings, "\n"), tc.warn) {
				t.Errorf("no warning %q in %v", tc.warn, rep.Warnings)
			}
			if h, _ := drill.ReadHistory(drill.HistoryPath(lr.req)); len(h) != 1 || h[0].Outcome != tc.outcome {
				t.Errorf("history %+v", h)
			}
		})
	}
}

func TestDrillRefusesDuringFailover(t *testing.T) {
	lr := startLab(t, "clean")
	lock, err := journal.Acquire(lr.req.RunDirectory, journal.Holder{Host: "other-host", PID: 1, RunID: "f1", Command: "failover", StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	before := lr.state(t)
	rep := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
	if rep.Outcome != report.OutcomeBlocked || rep.ExitCode != 3 || rep.Errors[0].Code != report.CodeLocked {
		t.Fatalf("outcome %s %+v", rep.Outcome, rep.Errors)
	}
	if diff := cmp.Diff(before.sql, lr.state(t).sql); diff != "" {
		t.Errorf("state changed:\n%s", diff)
	}
}
