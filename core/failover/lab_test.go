package failover_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/checkpoint"
	"pcfailover/core/failover"
	"pcfailover/core/journal"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// labRun is one lab with its ready request.
type labRun struct {
	lab  *lab.Lab
	info lab.Info
	req  *request.Request
	pw   request.Passwords
}

func startLab(t *testing.T, scenario string) *labRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: scenario})
	if err != nil {
		t.Fatalf("start lab %s: %v", scenario, err)
	}
	t.Cleanup(func() { l.Close() })
	lr := &labRun{lab: l, info: l.Info()}
	lr.req, lr.pw = lr.load(t, false)
	return lr
}

func (lr *labRun) load(t testing.TB, accept bool) (*request.Request, request.Passwords) {
	t.Helper()
	data, err := os.ReadFile(lr.info.Request)
	if err != nil {
		t.Fatal(err)
	}
	data, err = request.ApplyOverrides(data, request.Overrides{AcceptDataLoss: accept})
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if v, ok := lr.info.Env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	req, pw, err := request.Load(data, nil, getenv)
	if err != nil {
		t.Fatalf("lab request: %v", err)
	}
	return req, pw
}

func (lr *labRun) cfg(req *request.Request) failover.Config {
	if req == nil {
		req = lr.req
	}
	return failover.Config{Request: req, Passwords: lr.pw, JobWait: time.Minute}
}

func (lr *labRun) backupDB(t *testing.T) (state string, standby bool, txn int64) {
	t.Helper()
	st, ok := lr.lab.Instance(lab.RoleBackup).Database(lr.info.Database)
	if !ok {
		t.Fatal("backup database missing")
	}
	return st.State, st.Standby, st.Txn
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func statuses(r *report.Report) map[string]string {
	m := map[string]string{}
	for _, s := range r.Steps {
		m[s.ID] = s.Status
	}
	return m
}

func countAction(r *report.Report, action string) int {
	n := 0
	for _, f := range r.Files {
		if f.Action == action {
			n++
		}
	}
	return n
}

func unrestored(info lab.Info) (n int) {
	for _, l := range info.Facts.Logs {
		if !l.Restored && !l.Missing {
			n++
		}
	}
	return n
}

// requireAcceptedLossRecoversCopies runs the lab's request again with acceptDataLoss
// while the share is out of reach: the database comes ONLINE with every transaction of
// the copies already in the copy folder, and the possible loss is reported as accepted.
func requireAcceptedLossRecoversCopies(t *testing.T, lr *labRun) {
	t.Helper()
	req, _ := lr.load(t, true)
	r := failover.Failover(ctxT(t), lr.cfg(req))
	var copiedTxn int64
	for _, l := range lr.info.Facts.Logs {
		if l.InCopy && !l.Damaged && !l.Truncated {
			copiedTxn = l.LastTransaction
		}
	}
	requireOnlineWithChain(t, lr, r, copiedTxn)
	if r.DataLoss == nil || !r.DataLoss.Accepted {
		t.Fatalf("possible loss not reported: %+v", r.DataLoss)
	}
}

func requireOnlineWithChain(t *testing.T, lr *labRun, r *report.Report, wantTxn int64) {
	t.Helper()
	if r.Outcome != report.OutcomeSucceeded || r.ExitCode != 0 {
		t.Fatalf("outcome %s (exit %d), errors %+v", r.Outcome, r.ExitCode, r.Errors)
	}
	state, standby, txn := lr.backupDB(t)
	if state != "ONLINE" || standby {
		t.Fatalf("backup database is %s (standby %v), want ONLINE", state, standby)
	}
	if txn != wantTxn {
		t.Fatalf("backup database holds %d transactions, want %d", txn, wantTxn)
	}
	if !strings.Contains(strings.Join(r.Warnings, " "), "mgccomp") {
		t.Fatalf("no mgccomp warning: %v", r.Warnings)
	}
}

// The disaster scenario ends ONLINE with every log of the chain applied, the ones never
// copied taken from the share; the msdb snapshot is journaled before step 1.
func TestFailoverDisasterAppliesEveryChainLog(t *testing.T) {
	lr := startLab(t, "disaster")
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	if got, want := countAction(r, report.ActionApplied), unrestored(lr.info); got != want {
		t.Fatalf("applied %d files, want %d", got, want)
	}
	st := statuses(r)
	for _, id := range []string{failover.StepLock, failover.StepSnapshot, failover.StepDisableJobs, failover.StepRemoveLogShipping,
		failover.StepCopyLogs, failover.StepRestoreLogs, failover.StepRecover} {
		if st[id] != report.StatusDone {
			t.Errorf("step %s is %s, want done", id, st[id])
		}
	}
	if st[failover.StepTailLog] != report.StatusSkipped {
		t.Errorf("tail-log step %s, want skipped (primary down)", st[failover.StepTailLog])
	}
	if st[failover.StepLyncPoolState] != report.StatusPending {
		t.Errorf("lync step %s, want pending", st[failover.StepLyncPoolState])
	}
	// Invariant 2: the snapshot is in the journal before sp_delete_log_shipping ran.
	recs, err := journal.Read(lr.req.RunDirectory)
	if err != nil {
		t.Fatal(err)
	}
	snapAt, delAt := -1, -1
	for i, rec := range recs {
		if rec.Kind == "msdb-snapshot" && snapAt < 0 {
			snapAt = i
		}
		if rec.Kind == "step" && strings.Contains(string(rec.Data), `"remove-log-shipping"`) && delAt < 0 {
			delAt = i
		}
	}
	if snapAt < 0 || delAt < 0 || snapAt > delAt {
		t.Fatalf("snapshot record %d, remove-log-shipping record %d", snapAt, delAt)
	}
	// Invariant 5: no password anywhere in the journal.
	b, _ := os.ReadFile(filepath.Join(lr.req.RunDirectory, journal.JournalFile))
	for _, p := range lr.pw {
		if strings.Contains(string(b), p) {
			t.Fatal("password in the journal")
		}
	}
	// Re-running finds everything done.
	r2 := failover.Failover(ctxT(t), lr.cfg(nil))
	if r2.Outcome != report.OutcomeSucceeded {
		t.Fatalf("re-run: %s %+v", r2.Outcome, r2.Errors)
	}
	for _, s := range r2.Steps {
		if s.Status == report.StatusDone && s.ID != failover.StepLock && s.ID != failover.StepEndSessions {
			t.Errorf("re-run did step %s again", s.ID)
		}
	}
}

// The planned scenario takes a tail-log backup on the old primary: no transaction lost.
func TestFailoverPlannedTakesTailLog(t *testing.T) {
	lr := startLab(t, "planned")
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.PrimaryTransactions)
	if st := statuses(r)[failover.StepTailLog]; st != report.StatusDone {
		t.Fatalf("tail-log step %s", st)
	}
	if r.DataLoss != nil {
		t.Fatalf("data loss reported: %+v", r.DataLoss)
	}
}

// The lagging scenario applies its 200 unapplied log backups.
func TestFailoverLaggingApplies200Logs(t *testing.T) {
	if testing.Short() {
		t.Skip("200 log backups")
	}
	lr := startLab(t, "lagging")
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	if got := countAction(r, report.ActionApplied); got != 200 {
		t.Fatalf("applied %d, want 200", got)
	}
}

// A gap blocks before anything irreversible: exit 3, the database still restoring, the
// log-shipping configuration intact, the gap described. With acceptDataLoss the run
// recovers at the gap and reports the loss.
func TestFailoverGapBlocksThenAcceptsLoss(t *testing.T) {
	lr := startLab(t, "gap")
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	if r.Outcome != report.OutcomeBlocked || r.ExitCode != 3 {
		t.Fatalf("outcome %s exit %d, want blocked 3", r.Outcome, r.ExitCode)
	}
	if len(r.Errors) == 0 || r.Errors[0].Code != report.CodeGapInLogChain {
		t.Fatalf("errors %+v", r.Errors)
	}
	if r.Chain == nil || r.Chain.Gap == nil || r.Chain.Gap.Description == "" || r.DataLoss == nil || r.DataLoss.Accepted {
		t.Fatalf("gap not described: chain %+v loss %+v", r.Chain, r.DataLoss)
	}
	state, standby, _ := lr.backupDB(t)
	if state == "ONLINE" && !standby {
		t.Fatal("database recovered across a gap")
	}
	for _, s := range lr.lab.Instance(lab.RoleBackup).Statements() {
		if strings.Contains(strings.ToUpper(s.Text), "WITH RECOVERY") || strings.Contains(s.Text, "sp_delete_log_shipping") {
			t.Fatalf("irreversible statement sent while blocked: %s", s.Text)
		}
	}
	req, _ := lr.load(t, true)
	r = failover.Failover(ctxT(t), lr.cfg(req))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	if r.DataLoss == nil || !r.DataLoss.Accepted || r.DataLoss.Description == "" {
		t.Fatalf("loss not reported: %+v", r.DataLoss)
	}
}

// A damaged copy whose original in the share is intact (scenario corrupt: bytes of the
// copy altered, SQL Server 3183 on RESTORE LOG) is set aside as <name>.damaged-<stamp>,
// copied again, verified and restored: the run ends ONLINE with every transaction, and
// says so in a warning and in the file's row (FAULTS.md row 7).
func TestFailoverCorruptCopyIsCopiedAgain(t *testing.T) {
	lr := startLab(t, "corrupt")
	damaged := damagedLog(t, lr)
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	// Every transaction of every log backup, the damaged one's and those after it included.
	requireOnlineWithChain(t, lr, r, lr.info.Facts.Logs[len(lr.info.Facts.Logs)-1].LastTransaction)
	requireCopiedAgain(t, lr, r, damaged)
}

// A copy whose header SQL Server cannot read (its first bytes overwritten: RESTORE
// HEADERONLY 3241) while the share's original is intact: plan says so, the chain uses
// the original, and failover sets the copy aside, copies the original again and applies
// every transaction in one run.
func TestFailoverCopyWithUnreadableHeaderIsCopiedAgain(t *testing.T) {
	lr := startLab(t, "disaster")
	var name string
	for _, l := range lr.info.Facts.Logs {
		if l.InCopy && !l.Restored {
			name = l.Name
			break
		}
	}
	p := filepath.Join(lr.info.CopyDestination, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	copy(b, make([]byte, 64))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pl := failover.Plan(ctxT(t), lr.cfg(nil))
	if pl.Outcome != report.OutcomePlanned || len(pl.Errors) != 0 || !strings.Contains(strings.Join(pl.Warnings, " "), "copied again") {
		t.Fatalf("plan: %s errors %+v warnings %v", pl.Outcome, pl.Errors, pl.Warnings)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	requireCopiedAgain(t, lr, r, name)
}

// requireCopiedAgain checks the report and the copy folder after a damaged copy was
// replaced: the bad copy set aside (not deleted), a warning, the file's row.
func requireCopiedAgain(t *testing.T, lr *labRun, r *report.Report, name string) {
	t.Helper()
	aside, _ := filepath.Glob(filepath.Join(lr.info.CopyDestination, name+".damaged-*"))
	if len(aside) != 1 {
		t.Fatalf("damaged copy not set aside: %v", aside)
	}
	warned := false
	for _, w := range r.Warnings {
		warned = warned || strings.Contains(w, name) && strings.Contains(w, "copied again")
	}
	if !warned {
		t.Errorf("no warning about %s: %v", name, r.Warnings)
	}
	for _, f := range r.Files {
		if f.Name == name && (f.Action != report.ActionApplied || !strings.Contains(f.Detail, filepath.Base(aside[0]))) {
			t.Errorf("file row %+v", f)
		}
	}
}

func damagedLog(t *testing.T, lr *labRun) string {
	t.Helper()
	for _, l := range lr.info.Facts.Logs {
		if l.Damaged || l.Truncated {
			return l.Name
		}
	}
	t.Fatal("no damaged log backup in the scenario")
	return ""
}

// When the share's original is damaged too, nothing can replace the copy: the run stops
// (exit 3, DamagedBackup naming the file, database RESTORING) and describes the loss;
// with acceptDataLoss it recovers where the chain stops.
func TestFailoverCorruptStopsWhenTheShareOriginalIsBadToo(t *testing.T) {
	for _, how := range []string{"same bytes", "damaged differently"} {
		t.Run(how, func(t *testing.T) {
			lr := startLab(t, "corrupt")
			damaged := damagedLog(t, lr)
			bad, err := os.ReadFile(filepath.Join(lr.info.CopyDestination, damaged))
			if err != nil {
				t.Fatal(err)
			}
			if how != "same bytes" {
				bad[len(bad)-100] ^= 0x55
			}
			if err := os.WriteFile(filepath.Join(lr.info.Share, damaged), bad, 0o644); err != nil {
				t.Fatal(err)
			}
			r := failover.Failover(ctxT(t), lr.cfg(nil))
			if r.Outcome != report.OutcomeBlocked || r.ExitCode != 3 {
				t.Fatalf("outcome %s exit %d (%+v)", r.Outcome, r.ExitCode, r.Errors)
			}
			if len(r.Errors) == 0 || r.Errors[0].Code != report.CodeDamagedBackup || r.Errors[0].Target != damaged {
				t.Fatalf("errors %+v, want DamagedBackup on %s", r.Errors, damaged)
			}
			if state, _, _ := lr.backupDB(t); state != "RESTORING" {
				t.Fatalf("database %s, want RESTORING", state)
			}
			if r.DataLoss == nil || r.DataLoss.Accepted || !strings.Contains(r.DataLoss.Description, damaged) {
				t.Fatalf("loss not described: %+v", r.DataLoss)
			}
			req, _ := lr.load(t, true)
			r = failover.Failover(ctxT(t), lr.cfg(req))
			requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
			if r.DataLoss == nil || !r.DataLoss.Accepted {
				t.Fatalf("accepted loss not reported: %+v", r.DataLoss)
			}
		})
	}
}

// The clean scenario has nothing to copy or restore.
func TestFailoverCleanHasNothingToCopyOrRestore(t *testing.T) {
	lr := startLab(t, "clean")
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	st := statuses(r)
	if st[failover.StepCopyLogs] != report.StatusAlreadyDone || st[failover.StepRestoreLogs] != report.StatusAlreadyDone {
		t.Fatalf("copy %s restore %s", st[failover.StepCopyLogs], st[failover.StepRestoreLogs])
	}
}

// Plan is read-only and its step list is what failover then runs.
func TestPlanEqualsFailover(t *testing.T) {
	lr := startLab(t, "disaster")
	before := len(lr.lab.Instance(lab.RoleBackup).Statements())
	p := failover.Plan(ctxT(t), lr.cfg(nil))
	if p.Outcome != report.OutcomePlanned {
		t.Fatalf("plan outcome %s %+v", p.Outcome, p.Errors)
	}
	for _, s := range lr.lab.Instance(lab.RoleBackup).Statements()[before:] {
		up := strings.ToUpper(strings.TrimSpace(s.Text))
		if strings.HasPrefix(up, "RESTORE LOG") || strings.HasPrefix(up, "RESTORE DATABASE") || strings.HasPrefix(up, "KILL") || strings.Contains(up, "SP_DELETE") || strings.Contains(up, "SP_UPDATE_JOB") {
			t.Fatalf("plan sent %s", s.Text)
		}
	}
	if state, standby, _ := lr.backupDB(t); state == "ONLINE" && !standby {
		t.Fatal("plan changed the database")
	}
	f := failover.Failover(ctxT(t), lr.cfg(nil))
	if f.Outcome != report.OutcomeSucceeded {
		t.Fatalf("failover %s %+v", f.Outcome, f.Errors)
	}
	if len(p.Steps) != len(f.Steps) {
		t.Fatalf("plan has %d steps, failover %d", len(p.Steps), len(f.Steps))
	}
	for i := range p.Steps {
		ps, fs := p.Steps[i], f.Steps[i]
		if ps.ID != fs.ID {
			t.Fatalf("step %d: plan %s, failover %s", i, ps.ID, fs.ID)
		}
		planned := ps.Status == report.StatusPlanned
		ran := fs.Status == report.StatusDone
		if planned != ran && ps.ID != failover.StepEndSessions {
			t.Errorf("step %s: plan %s, failover %s", ps.ID, ps.Status, fs.Status)
		}
	}
	// A RESTORE retried after 3101 (sessions still leaving) is the same statement again:
	// compare the sequence without consecutive repeats.
	collapse := func(sts []report.Statement) []report.Statement {
		var out []report.Statement
		for _, st := range sts {
			if strings.HasPrefix(st.Text, "KILL") && len(out) > 0 && !strings.HasPrefix(out[len(out)-1].Text, "KILL") {
				continue // a kill pass before a retry
			}
			if len(out) > 0 && out[len(out)-1].Text == st.Text && out[len(out)-1].Parameters["@p1"] == st.Parameters["@p1"] {
				continue
			}
			out = append(out, st)
		}
		return out
	}
	pr, fr := p.StepByID(failover.StepRestoreLogs), f.StepByID(failover.StepRestoreLogs)
	pr.Statements, fr.Statements = collapse(pr.Statements), collapse(fr.Statements)
	if len(pr.Statements) != len(fr.Statements) {
		t.Fatalf("plan would restore %d files, failover restored %d:\n%+v\n%+v", len(pr.Statements), len(fr.Statements), pr.Statements, fr.Statements)
	}
	for i := range pr.Statements {
		if pr.Statements[i].Text != fr.Statements[i].Text || pr.Statements[i].Parameters["@p1"] != fr.Statements[i].Parameters["@p1"] {
			t.Errorf("restore %d: plan %+v, failover %+v", i, pr.Statements[i], fr.Statements[i])
		}
	}
}

// Two concurrent runs: one proceeds, the other is blocked by the lock (exit 3) naming
// the holder; with separate run directories the SQL app lock does the same.
func TestConcurrentRunsOneProceeds(t *testing.T) {
	for _, sameDir := range []bool{true, false} {
		name := "same run directory"
		if !sameDir {
			name = "different run directories"
		}
		t.Run(name, func(t *testing.T) {
			lr := startLab(t, "disaster")
			reqs := []*request.Request{lr.req, nil}
			second := *lr.req
			if !sameDir {
				second.RunDirectory = filepath.Join(t.TempDir(), "other")
			}
			reqs[1] = &second
			var wg sync.WaitGroup
			out := make([]*report.Report, 2)
			for i := range reqs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out[i] = failover.Failover(ctxT(t), lr.cfg(reqs[i]))
				}()
			}
			wg.Wait()
			codes := map[int]int{}
			for _, r := range out {
				codes[r.ExitCode]++
				if r.ExitCode == 3 && (len(r.Errors) == 0 || r.Errors[0].Code != report.CodeLocked) {
					t.Errorf("blocked run: %+v", r.Errors)
				}
			}
			// Either both serialised (the loser started after the winner released) or one
			// was blocked; never two at once.
			if codes[0]+codes[3] != 2 || codes[0] == 0 {
				t.Fatalf("exit codes %v (%s / %s: %+v %+v)", codes, out[0].Outcome, out[1].Outcome, out[0].Errors, out[1].Errors)
			}
			if state, _, _ := lr.backupDB(t); state != "ONLINE" {
				t.Fatalf("database %s", state)
			}
		})
	}
}

// A run that finds the lock file of a live run, or the SQL app lock held by another
// session, is blocked (exit 3) and names the holder; it changes nothing.
func TestLockedRunIsBlocked(t *testing.T) {
	lr := startLab(t, "disaster")
	holder := journal.Holder{Host: "dr-admin-01", PID: os.Getpid(), RunID: "other-run", Command: "failover", StartedAt: time.Now()}
	l, err := journal.Acquire(lr.req.RunDirectory, holder)
	if err != nil {
		t.Fatal(err)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	if r.ExitCode != 3 || len(r.Errors) == 0 || r.Errors[0].Code != report.CodeLocked || !strings.Contains(r.Errors[0].Message, "other-run") {
		t.Fatalf("lock file: exit %d %+v", r.ExitCode, r.Errors)
	}
	l.Release()

	// The SQL app lock, held by a session of "another run" with its own run directory.
	hold := lockHolder(t, lr)
	defer hold()
	r = failover.Failover(ctxT(t), lr.cfg(nil))
	if r.ExitCode != 3 || len(r.Errors) == 0 || r.Errors[0].Code != report.CodeLocked {
		t.Fatalf("app lock: exit %d %+v", r.ExitCode, r.Errors)
	}
	if state, standby, _ := lr.backupDB(t); state == "ONLINE" && !standby {
		t.Fatal("a blocked run changed the database")
	}
}

// In a true disaster the share may be unreachable: the run refuses to recover (log
// backups never copied cannot be seen) unless the operator accepts the loss; then it
// applies what was copied and reports the possible loss.
func TestFailoverUnreachableShareNeedsAcceptDataLoss(t *testing.T) {
	lr := startLab(t, "disaster")
	if err := os.Rename(lr.info.Share, lr.info.Share+".offline"); err != nil {
		t.Fatal(err)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	if r.ExitCode != 3 || statuses(r)[failover.StepCheckChain] != report.StatusBlocked {
		t.Fatalf("exit %d, check-chain %s", r.ExitCode, statuses(r)[failover.StepCheckChain])
	}
	if !strings.Contains(strings.Join(r.Warnings, " "), "unreachable") {
		t.Fatalf("warnings %v", r.Warnings)
	}
	requireAcceptedLossRecoversCopies(t, lr)
}

// An interruption (Ctrl+C: the context is cancelled) in the middle of the copy or of a
// restore ends the run with outcome interrupted (exit 4); running the same request
// again finishes the job.
func TestInterruptedRunResumes(t *testing.T) {
	for _, at := range []string{"copy:mid:0.2", "before:restore-log:0.3", "after:remove-log-shipping"} {
		t.Run(at, func(t *testing.T) {
			lr := startLab(t, "disaster")
			ctx, cancel := context.WithCancel(ctxT(t))
			cfg := lr.cfg(nil)
			cfg.Checkpoints = checkpoint.New(at, "", func(int) { cancel() })
			r := failover.Failover(ctx, cfg)
			if r.Outcome != report.OutcomeInterrupted || r.ExitCode != 4 || len(r.Errors) == 0 || r.Errors[0].Code != report.CodeInterrupted {
				t.Fatalf("outcome %s exit %d %+v", r.Outcome, r.ExitCode, r.Errors)
			}
			r = failover.Failover(ctxT(t), lr.cfg(nil))
			requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
		})
	}
}

// A backup instance that does not answer fails the run (exit 1, ConnectionFailed)
// without a password in the message.
func TestConnectionFailureExitsOne(t *testing.T) {
	lr := startLab(t, "disaster")
	req := *lr.req
	in := *req.BackupSQLInstance
	in.Port = 1 // nothing listens there
	req.BackupSQLInstance = &in
	r := failover.Failover(ctxT(t), lr.cfg(&req))
	if r.ExitCode != 1 || len(r.Errors) == 0 || r.Errors[0].Code != report.CodeConnectionFailed {
		t.Fatalf("exit %d %+v", r.ExitCode, r.Errors)
	}
	for _, p := range lr.pw {
		if strings.Contains(r.Errors[0].Message, p) {
			t.Fatal("password in the error")
		}
	}
}
