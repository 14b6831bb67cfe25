package proof_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"pcfailover/core/checkpoint"
	"pcfailover/core/failover"
	"pcfailover/core/filecopy"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/sqlsim"
	"pcfailover/core/winpath"
)

// engineConfig loads the lab's request as the CLI would (passwords from the lab's
// environment) for an in-process run of the engine (the SQL half: steps 0-4).
func (p *proofLab) engineConfig(t testing.TB, acceptDataLoss bool) failover.Config {
	t.Helper()
	data, err := os.ReadFile(p.request)
	if err != nil {
		t.Fatal(err)
	}
	data, err = request.ApplyOverrides(data, request.Overrides{AcceptDataLoss: acceptDataLoss})
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if v, ok := p.info.Env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	req, pw, err := request.Load(data, nil, getenv)
	if err != nil {
		t.Fatalf("load request: %v", err)
	}
	cfg := failover.Config{Request: req, Passwords: pw, Command: "failover", JobWait: time.Minute}
	if v := getenv("PCFAILOVER_SHARE_SIM"); v != "" {
		// As the CLI does: the lab's share behaves like a network share.
		ns, err := filecopy.ParseNetShare(v)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ShareOpener = ns.Open
	}
	return cfg
}

func (p *proofLab) engine(t testing.TB, ctx context.Context, cfg failover.Config) *report.Report {
	t.Helper()
	if ctx == nil {
		c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		ctx = c
	}
	return failover.Failover(ctx, cfg)
}

// requireSafeStop checks a run that did not succeed: a known outcome and exit code with
// a coded error, and the database not recovered (nothing can be lost by stopping).
func (p *proofLab) requireSafeStop(t testing.TB, r *report.Report, codes ...int) {
	t.Helper()
	ok := false
	for _, c := range codes {
		ok = ok || r.ExitCode == c
	}
	if !ok || len(r.Errors) == 0 || r.Errors[0].Code == "" || r.Errors[0].Message == "" {
		t.Fatalf("outcome %s exit %d (want one of %v) errors %+v", r.Outcome, r.ExitCode, codes, r.Errors)
	}
	p.checkSQLInvariants(t)
}

func (p *proofLab) requireSucceeded(t testing.TB, r *report.Report) {
	t.Helper()
	if r.Outcome != report.OutcomeSucceeded || r.ExitCode != 0 {
		t.Fatalf("outcome %s exit %d errors %+v", r.Outcome, r.ExitCode, r.Errors)
	}
	p.checkFailedOver(t, p.wantTxn(), false)
}

// statementKinds runs a clean failover and returns a regular expression for each kind
// of statement the engine sent to each instance (its leading keywords, numbers and
// names stripped), so every kind gets a fault of its own.
func statementKinds(t *testing.T) map[string][]string {
	p := startLab(t, smallScenario("kinds", true), lyncSkip)
	p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
	out := map[string][]string{}
	word := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*`)
	for _, role := range []string{lab.RolePrimary, lab.RoleBackup} {
		seen := map[string]bool{}
		for _, st := range p.lab.Instance(role).Statements() {
			if st.Login != "pcfailover" {
				continue // the lab's own jobs and application sessions
			}
			key := st.Proc
			if key == "" {
				text := strings.TrimSpace(st.Text)
				var words []string
				for len(words) < 3 {
					w := word.FindString(text)
					if w == "" {
						break
					}
					words = append(words, w)
					text = strings.TrimLeft(text[len(w):], " \t\r\n")
				}
				key = strings.Join(words, " ")
			}
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			out[role] = append(out[role], key)
		}
		sort.Strings(out[role])
	}
	return out
}

func kindRegexp(kind string) string {
	parts := strings.Fields(kind)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return `^\s*` + strings.Join(parts, `\s+`) + `\b`
}

// TestFaultConnectionDroppedDuringEachStatementKind (FAULTS.md row 1): the connection
// drops during one statement of each kind the engine sends; the run stops safely (or
// carries on where the statement is only a read), and a re-run loses nothing.
func TestFaultConnectionDroppedDuringEachStatementKind(t *testing.T) {
	kinds := statementKinds(t)
	n := 0
	for _, role := range []string{lab.RolePrimary, lab.RoleBackup} {
		for _, kind := range kinds[role] {
			n++
			t.Run(role+"/"+kind, func(t *testing.T) {
				p := startLab(t, smallScenario("drop", true), lyncSkip)
				inst := p.lab.Instance(role)
				if err := inst.AddFault(sqlsim.Fault{Match: kindRegexp(kind), Drop: true, Times: 1}); err != nil {
					t.Fatal(err)
				}
				r := p.engine(t, nil, p.engineConfig(t, false))
				if role == lab.RoleBackup {
					// Issue 12: a dropped connection to the backup instance is transient:
					// the run reconnects, observes, tries again, and finishes in one run.
					p.requireSucceeded(t, r)
					p.checkSQLInvariants(t)
					if len(r.Retries) == 0 {
						t.Fatalf("the drop on %s is not listed in retries", kind)
					}
					return
				}
				if r.ExitCode != 0 {
					p.requireSafeStop(t, r, 1, 3, 4)
				} else if got := p.backupDB(t).Txn; got < p.wantTxn() {
					// cli/CONTRACT.md: "when it answers, a tail-log backup is taken first".
					// An old primary that does not answer (here: its connection dropped)
					// means no tail-log backup; the whole chain is applied and the report
					// says the tail is lost. See FAULTS.md (finding F1).
					tl := r.StepByID(failover.StepTailLog)
					if got != p.info.Facts.ChainTransactions || tl == nil || tl.Status != report.StatusSkipped || !strings.Contains(tl.Detail, "lost") {
						t.Fatalf("holds %d transactions (chain %d), tail-log step %+v", got, p.info.Facts.ChainTransactions, tl)
					}
					t.Logf("the primary did not answer: tail-log backup skipped, %d transactions after the last log backup lost, reported: %s", p.wantTxn()-got, tl.Detail)
					return
				}
				inst.ClearFaults()
				p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
			})
		}
	}
	t.Logf("connection dropped during %d statement kinds: %v", n, kinds)
	if n < 8 {
		t.Fatalf("only %d statement kinds seen", n)
	}
}

// TestFault3101Repeated (row 2): RESTORE LOG keeps failing with 3101 (database in use).
// Within killRetries the run ends the sessions again and succeeds; beyond it, it stops
// naming 3101 with the database still restoring, and a re-run finishes.
func TestFault3101Repeated(t *testing.T) {
	for _, times := range []int{3, 50} {
		t.Run(fmt.Sprintf("%d times", times), func(t *testing.T) {
			p := startLab(t, smallScenario("3101", false), lyncSkip)
			bk := p.lab.Instance(lab.RoleBackup)
			if err := bk.AddFault(sqlsim.Fault{Match: `^\s*RESTORE\s+LOG`, Error: 3101, Times: times}); err != nil {
				t.Fatal(err)
			}
			r := p.engine(t, nil, p.engineConfig(t, false))
			if times < 5 {
				p.requireSucceeded(t, r)
				return
			}
			p.requireSafeStop(t, r, 1)
			if !strings.Contains(r.Errors[0].Message, "3101") && r.Errors[0].SQLNumber != 3101 {
				t.Errorf("error does not name 3101: %+v", r.Errors[0])
			}
			if db := p.backupDB(t); db.State == "ONLINE" && !db.Standby {
				t.Fatal("recovered after 3101")
			}
			bk.ClearFaults()
			p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
		})
	}
}

// TestFaultApplicationReconnectsAfterKill (row 12, and the lead's known problem 2): the
// application's sessions reconnect at once after KILL; the RESTORE must still win, run
// after run (repeated because the race is timing-dependent).
func TestFaultApplicationReconnectsAfterKill(t *testing.T) {
	for i := range 5 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s := smallScenario("reconnect", false)
			s.Sessions = 3
			s.SessionReconnect = lab.Duration(time.Millisecond)
			p := startLab(t, s, lyncSkip)
			p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
		})
	}
}

// TestFaultStatementStalls (row 3): a statement hangs (a blocked RESTORE, a statement
// timeout on the caller's side). The engine sets no per-statement timeout of its own (a
// large RESTORE LOG may legitimately take long); the caller's deadline or Ctrl+C bounds
// the run: it ends interrupted (exit 4) and a re-run finishes.
func TestFaultStatementStalls(t *testing.T) {
	for _, match := range []string{`^\s*RESTORE\s+LOG`, `sp_delete_log_shipping_secondary_database`, `^\s*RESTORE\s+DATABASE`} {
		t.Run(match, func(t *testing.T) {
			p := startLab(t, smallScenario("stall", false), lyncSkip)
			bk := p.lab.Instance(lab.RoleBackup)
			if err := bk.AddFault(sqlsim.Fault{Match: match, Stall: time.Minute, Times: 1}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			r := p.engine(t, ctx, p.engineConfig(t, false))
			p.requireSafeStop(t, r, 4)
			if r.Errors[0].Code != report.CodeInterrupted {
				t.Fatalf("errors %+v", r.Errors)
			}
			bk.ClearFaults()
			p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
		})
	}
}

// TestFaultShareUnreachableMidRun (row 6; an unreachable share at the start is
// core/failover's TestFailoverUnreachableShareNeedsAcceptDataLoss): the share goes away
// after the chain was checked, before the files are copied from it.
func TestFaultShareUnreachableMidRun(t *testing.T) {
	p := startLab(t, smallScenario("share-gone", false), lyncSkip)
	cfg := p.engineConfig(t, false)
	offline := p.info.Share + ".offline"
	cfg.Checkpoints = checkpoint.New("before:copy-logs", "", func(int) {
		if err := os.Rename(p.info.Share, offline); err != nil {
			t.Error(err)
		}
	})
	r := p.engine(t, nil, cfg)
	p.requireSafeStop(t, r, 1, 3)
	if err := os.Rename(offline, p.info.Share); err != nil {
		t.Fatal(err)
	}
	p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
}

// TestFaultTruncatedCopy (row 7): the copy of an unrestored log backup is cut short. SQL
// Server refuses it (3203); the run stops naming it (exit 3, DamagedBackup), the database
// still restoring. The share still holds the intact file: with the damaged copy deleted,
// a re-run copies it again and applies the whole chain (nothing lost); with
// acceptDataLoss instead it would recover before the file and report the loss.
func TestFaultTruncatedCopy(t *testing.T) {
	s := smallScenario("truncated", false)
	s.Logs.Truncated = []int{2}
	p := startLab(t, s, lyncSkip)
	var name string
	for _, l := range p.info.Facts.Logs {
		if l.Truncated {
			name = l.Name
		}
	}
	// Issue 12 item 1: the share's original is intact, so the short copy is set aside
	// (never deleted), copied again, verified and restored, in one run.
	r := p.engine(t, nil, p.engineConfig(t, false))
	if r.ExitCode != 0 {
		t.Fatalf("outcome %s errors %+v", r.Outcome, r.Errors)
	}
	p.checkSQLInvariants(t)
	// Every transaction of every log backup: nothing lost.
	p.checkFailedOver(t, p.info.Facts.Logs[len(p.info.Facts.Logs)-1].LastTransaction, false)
	aside, _ := filepath.Glob(filepath.Join(p.info.CopyDestination, name+".damaged-*"))
	if len(aside) != 1 {
		t.Fatalf("truncated copy not set aside: %v", aside)
	}
	if fi, err := os.Stat(aside[0]); err != nil || fi.Size() == 0 {
		t.Fatalf("set-aside copy %v: %v", fi, err)
	}
	found := false
	for _, f := range r.Files {
		found = found || f.Name == name && f.Action == report.ActionApplied && strings.Contains(f.Detail, "copied again")
	}
	if !found || !strings.Contains(strings.Join(r.Warnings, " "), name) {
		t.Fatalf("files %+v warnings %v", r.Files, r.Warnings)
	}
}

// TestFaultForeignDatabaseFile (row 7): a log backup of another database, named like one
// of ours, lies in the copy folder and in the share. It is never restored; the chain is
// applied in full.
func TestFaultForeignDatabaseFile(t *testing.T) {
	p := startLab(t, smallScenario("foreign", false), lyncSkip)
	other := p.lab.Instance(lab.RoleBackupMirror)
	dir := t.TempDir()
	ctx := context.Background()
	if err := other.CreateDatabase("mgc2", []sqlsim.DatabaseFile{{LogicalName: "mgc2", PhysicalName: filepath.Join(dir, "mgc2.mdf"), Type: "D"}, {LogicalName: "mgc2_log", PhysicalName: filepath.Join(dir, "mgc2_log.ldf"), Type: "L"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.BackupDatabase(ctx, "mgc2", filepath.Join(dir, "full.bak")); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit("mgc2", 7); err != nil {
		t.Fatal(err)
	}
	// Named between two of ours, in both folders.
	last := p.info.Facts.Logs[len(p.info.Facts.Logs)-1].Name
	foreign := strings.TrimSuffix(last, ".trn")
	foreign = foreign[:len(foreign)-2] + "59.trn"
	if _, err := other.BackupLog(ctx, "mgc2", filepath.Join(p.info.CopyDestination, foreign), false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(p.info.CopyDestination, foreign))
	if err := os.WriteFile(filepath.Join(p.info.Share, foreign), b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.engine(t, nil, p.engineConfig(t, false))
	p.requireSucceeded(t, r)
	requireNeverRestored(t, p, foreign)
}

func requireNeverRestored(t *testing.T, p *proofLab, name string) {
	t.Helper()
	for _, st := range p.lab.Instance(lab.RoleBackup).Statements() {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(st.Text)), "RESTORE LOG") && winpath.BaseName(param(st, "@p1")) == name {
			t.Fatalf("%s was restored", name)
		}
	}
}

// TestFaultPartialWrkFile (row 8): the copy job was interrupted and left <name>.wrk in the
// copy folder; it is never restored (the log backup is copied again from the share).
func TestFaultPartialWrkFile(t *testing.T) {
	p := startLab(t, smallScenario("wrk", false), lyncSkip)
	var wrk string
	for _, l := range p.info.Facts.Logs {
		if l.Partial {
			wrk = strings.TrimSuffix(l.Name, ".trn") + ".wrk"
		}
	}
	if _, err := os.Stat(filepath.Join(p.info.CopyDestination, wrk)); err != nil {
		t.Fatalf("scenario has no .wrk: %v", err)
	}
	p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
	requireNeverRestored(t, p, wrk)
	for _, st := range p.lab.Instance(lab.RoleBackup).Statements() {
		if strings.Contains(param(st, "@p1"), ".wrk") {
			t.Fatalf("a .wrk file reached a statement: %s %s", st.Text, param(st, "@p1"))
		}
	}
}

// TestFaultDuplicateCopies (row 9): the same log backup is in the copy folder twice
// (an operator's manual copy under another name). Each log is applied exactly once.
func TestFaultDuplicateCopies(t *testing.T) {
	p := startLab(t, smallScenario("dup", false), lyncSkip)
	var src string
	for _, l := range p.info.Facts.Logs {
		if l.InCopy && !l.Restored {
			src = l.Name
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(p.info.CopyDestination, src))
	if err != nil {
		t.Fatal(err)
	}
	dup := strings.TrimSuffix(src, ".trn") + "_copy.trn"
	if err := os.WriteFile(filepath.Join(p.info.CopyDestination, dup), b, 0o644); err != nil {
		t.Fatal(err)
	}
	p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
	named := map[string]bool{}
	for _, st := range p.lab.Instance(lab.RoleBackup).Statements() {
		if strings.Contains(strings.ToUpper(st.Text), "RESTORE LOG") {
			named[winpath.BaseName(param(st, "@p1"))] = true
		}
	}
	if named[src] && named[dup] {
		t.Fatalf("both copies of %s were restored", src)
	}
	if !named[src] && !named[dup] {
		t.Fatalf("%s never restored", src)
	}
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
