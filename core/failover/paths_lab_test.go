package failover_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/lab"
	"pcfailover/core/lab/labtest"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// Issue 11: SQL Server and pcfailover see every path differently. These tests run the
// engine against labs whose msdb holds Windows paths (\\SQLPCPRI\LogShip, E:\LSCopy on
// SQLPCBAK) and whose request reaches them through pathMap.

// startLabWith starts a built-in scenario changed by mutate (a scenario file).
func startLabWith(t *testing.T, base string, mutate func(*lab.Scenario)) *labRun {
	t.Helper()
	name := base + "-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	file := labtest.ScenarioFile(t, base, name, mutate)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), ScenarioFile: file})
	if err != nil {
		t.Fatalf("start lab %s: %v", name, err)
	}
	t.Cleanup(func() { l.Close() })
	lr := &labRun{lab: l, info: l.Info()}
	lr.req, lr.pw = lr.load(t, false)
	return lr
}

// restorePaths returns the @p1 of every RESTORE LOG the report lists.
func restorePaths(r *report.Report) []string {
	var out []string
	for _, s := range r.Steps {
		for _, st := range s.Statements {
			if strings.HasPrefix(st.Text, "RESTORE LOG") || strings.Contains(st.Text, "\nRESTORE LOG") {
				out = append(out, st.Parameters["@p1"])
			}
		}
	}
	return out
}

func folder(t *testing.T, r *report.Report, role string) report.Folder {
	t.Helper()
	for _, f := range r.Folders {
		if f.Role == role {
			return f
		}
	}
	t.Fatalf("no %s folder in the report: %+v", role, r.Folders)
	return report.Folder{}
}

// requireTwoViews checks that every statement carries SQL Server's path of the copy
// folder and every copied file is where this machine reaches that folder.
func requireTwoViews(t *testing.T, lr *labRun, r *report.Report) {
	t.Helper()
	sqlCopy := lr.info.SQLPaths.CopyDestination
	cf := folder(t, r, report.FolderCopy)
	if cf.SQLPath != sqlCopy || filepath.Clean(cf.LocalPath) != filepath.Clean(lr.info.CopyDestination) || !cf.Reachable {
		t.Fatalf("copy folder %+v, want SQL path %s and local path %s", cf, sqlCopy, lr.info.CopyDestination)
	}
	sf := folder(t, r, report.FolderShare)
	if sf.SQLPath != lr.info.SQLPaths.Share || filepath.Clean(sf.LocalPath) != filepath.Clean(lr.info.Share) {
		t.Fatalf("share %+v, want SQL path %s and local path %s", sf, lr.info.SQLPaths.Share, lr.info.Share)
	}
	paths := restorePaths(r)
	if len(paths) == 0 {
		t.Fatal("no RESTORE LOG statement")
	}
	for _, p := range paths {
		if !strings.HasPrefix(strings.ToLower(p), strings.ToLower(sqlCopy)+`\`) {
			t.Errorf("RESTORE LOG FROM DISK = %q: not in SQL Server's copy folder %s", p, sqlCopy)
		}
	}
	copied := 0
	for _, f := range r.Files {
		if f.Action != report.ActionApplied {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(f.SQLPath), strings.ToLower(sqlCopy)+`\`) {
			t.Errorf("file %s: sqlPath %q", f.Name, f.SQLPath)
		}
		if filepath.Dir(f.LocalPath) != filepath.Clean(lr.info.CopyDestination) {
			t.Errorf("file %s: localPath %q, want it in %s", f.Name, f.LocalPath, lr.info.CopyDestination)
		}
		if _, err := os.Stat(f.LocalPath); err != nil {
			t.Errorf("file %s: %v", f.Name, err)
		}
		if f.SourcePath != "" && !strings.HasPrefix(f.SourcePath, lr.info.SQLPaths.Share+`\`) {
			t.Errorf("file %s: sourcePath %q is not in the share as SQL Server names it", f.Name, f.SourcePath)
		}
		if f.SourceLocalPath != "" {
			copied++
		}
	}
	if copied == 0 {
		t.Error("no file was copied from the share")
	}
}

// The default lab: the copy folder is E:\LSCopy, local to SQLPCBAK, and this machine
// reaches it only through the administrative share \\SQLPCBAK\E$ that pathMap maps.
func TestTwoHostsCopyFolderThroughAdminShare(t *testing.T) {
	lr := startLab(t, "disaster")
	if lr.info.SQLPaths.CopyDestination != `E:\LSCopy` || lr.info.SQLPaths.Share != `\\SQLPCPRI\LogShip` {
		t.Fatalf("lab SQL paths %+v", lr.info.SQLPaths)
	}
	for _, m := range lr.req.PathMap {
		if strings.HasPrefix(strings.ToUpper(m.From), "E:") {
			t.Fatalf("the default lab maps the drive path %s directly; it must go through the admin share", m.From)
		}
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	requireTwoViews(t, lr, r)
	if h := folder(t, r, report.FolderCopy).Host; h != "SQLPCBAK" {
		t.Errorf("copy folder host %q, want SQLPCBAK (MachineName)", h)
	}
}

// The copy folder as a UNC share (\\SQLPCBAK\LSCopy in msdb).
func TestTwoHostsCopyFolderShare(t *testing.T) {
	lr := startLabWith(t, "disaster", func(s *lab.Scenario) { s.CopyFolderShare = true })
	if !strings.HasPrefix(lr.info.SQLPaths.CopyDestination, `\\`) {
		t.Fatalf("copy folder %s is not a UNC path", lr.info.SQLPaths.CopyDestination)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	requireTwoViews(t, lr, r)
}

// pcfailover running on the backup SQL host itself: its drive paths map directly.
func TestTwoHostsToolOnBackupHost(t *testing.T) {
	lr := startLabWith(t, "disaster", func(s *lab.Scenario) { s.ToolOnBackupHost = true })
	direct := false
	for _, m := range lr.req.PathMap {
		direct = direct || strings.EqualFold(m.From, `E:\`)
	}
	if !direct {
		t.Fatalf("the request does not map E:\\ directly: %+v", lr.req.PathMap)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	requireTwoViews(t, lr, r)
}

// requireUntouched checks that a blocked run changed nothing: the database still
// restoring at the transaction it had, the log-shipping steps not run.
func requireUntouched(t *testing.T, lr *labRun, r *report.Report) {
	t.Helper()
	state, standby, txn := lr.backupDB(t)
	if (state != "RESTORING" && !standby) || txn != lr.info.Facts.RestoredTransactions {
		t.Fatalf("the backup database is %s (standby %v) at transaction %d, want restoring at %d", state, standby, txn, lr.info.Facts.RestoredTransactions)
	}
	st := statuses(r)
	for _, id := range []string{failover.StepDisableJobs, failover.StepRemoveLogShipping, failover.StepCopyLogs, failover.StepRestoreLogs} {
		if st[id] == report.StatusDone {
			t.Errorf("step %s ran in a run blocked before any change", id)
		}
	}
}

// No pathMap on Linux: neither the share nor the copy folder can be reached. Plan says
// so (PCFailover.PathUnreachable naming the SQL path, the path tried and pathMap);
// failover stops (exit 3) before any change.
func TestTwoHostsNoPathMapBlocks(t *testing.T) {
	lr := startLabWith(t, "disaster", func(s *lab.Scenario) { s.PathMap = "none" })
	if len(lr.req.PathMap) != 0 {
		t.Fatalf("pathMap %+v", lr.req.PathMap)
	}
	p := failover.Plan(ctxT(t), lr.cfg(nil))
	if p.Outcome != report.OutcomePlanned || len(p.Errors) == 0 || p.Errors[0].Code != report.CodePathUnreachable {
		t.Fatalf("plan: %s %+v", p.Outcome, p.Errors)
	}
	msg := p.Errors[0].Message
	t.Log(msg)
	for _, want := range []string{`\\SQLPCPRI\LogShip`, "pathMap", "tried"} {
		if !strings.Contains(msg, want) {
			t.Errorf("plan error does not name %q: %s", want, msg)
		}
	}
	if f := folder(t, p, report.FolderCopy); f.Reachable || !strings.Contains(f.Error, "pathMap") || f.LocalPath != `\\SQLPCBAK\E$\LSCopy` {
		t.Errorf("copy folder %+v: want unreachable, naming pathMap, tried \\\\SQLPCBAK\\E$\\LSCopy", f)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	if r.ExitCode != 3 || statuses(r)[failover.StepCheckChain] != report.StatusBlocked || r.Errors[0].Code != report.CodePathUnreachable {
		t.Fatalf("failover: exit %d, check-chain %s, errors %+v", r.ExitCode, statuses(r)[failover.StepCheckChain], r.Errors)
	}
	if !strings.Contains(r.Errors[0].Message, "pathMap") {
		t.Errorf("error does not name pathMap: %s", r.Errors[0].Message)
	}
	for _, rep := range []*report.Report{p, r} {
		if !strings.Contains(strings.Join(rep.NextSteps, " "), "pathMap entry") {
			t.Errorf("%s: next steps do not say to add a pathMap entry: %v", rep.Command, rep.NextSteps)
		}
	}
	requireUntouched(t, lr, r)
	// Even accepting data loss does not recover without a way to the share.
	req, _ := lr.load(t, true)
	r = failover.Failover(ctxT(t), lr.cfg(req))
	if r.ExitCode != 3 || r.Errors[0].Code != report.CodePathUnreachable {
		t.Fatalf("failover with acceptDataLoss: exit %d, errors %+v", r.ExitCode, r.Errors)
	}
	requireUntouched(t, lr, r)
}

// Windows names differ only in case for one file: a copy in the copy folder whose name
// differs in case from the share's is that file (not copied again, restored once).
func TestTwoHostsNamesDifferingInCaseAreOneFile(t *testing.T) {
	lr := startLab(t, "disaster")
	var name string
	for _, l := range lr.info.Facts.Logs {
		if l.InCopy && l.InShare && !l.Restored && !l.Missing && !l.Damaged && !l.Truncated {
			name = l.Name
			break
		}
	}
	if name == "" {
		t.Fatal("the disaster lab has no copied, unrestored log backup")
	}
	upper := strings.ToUpper(name)
	if err := os.Rename(filepath.Join(lr.info.CopyDestination, name), filepath.Join(lr.info.CopyDestination, upper)); err != nil {
		t.Fatal(err)
	}
	p := failover.Plan(ctxT(t), lr.cfg(nil))
	toCopy := 0
	for _, f := range p.Files {
		if strings.EqualFold(f.Name, name) && f.Action == report.ActionToCopy {
			t.Fatalf("plan copies %s although the copy folder holds %s", name, upper)
		}
		if f.Action == report.ActionToCopy {
			toCopy++
		}
	}
	n := 0
	for _, f := range p.Files {
		if strings.EqualFold(f.Name, name) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the plan lists %s %d times", name, n)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	requireOnlineWithChain(t, lr, r, lr.info.Facts.ChainTransactions)
	if _, err := os.Stat(filepath.Join(lr.info.CopyDestination, name)); err == nil {
		t.Fatalf("%s was copied again next to %s", name, upper)
	}
	if got := countAction(r, report.ActionApplied); got != unrestored(lr.info) {
		t.Fatalf("applied %d files, want %d", got, unrestored(lr.info))
	}
}

// The share's host is down: SQL Server answers operating system error 53 for its files.
// Plan warns; failover stops before any change as for an unreachable share; accepting
// the loss recovers with what the copy folder holds.
func TestTwoHostsShareHostDown(t *testing.T) {
	lr := startLabWith(t, "disaster", func(s *lab.Scenario) { s.ShareHostDown = true; s.PrimaryUp = false })
	p := failover.Plan(ctxT(t), lr.cfg(nil))
	if !strings.Contains(strings.Join(p.Warnings, " "), "unreachable") {
		t.Fatalf("plan does not warn: %v", p.Warnings)
	}
	if statuses(p)[failover.StepCheckChain] != report.StatusBlocked || len(p.Errors) == 0 || p.Errors[0].Code != report.CodePathUnreachable {
		t.Fatalf("plan: check-chain %s, errors %+v", statuses(p)[failover.StepCheckChain], p.Errors)
	}
	if m := p.Errors[0].Message; !strings.Contains(m, `\\SQLPCPRI\LogShip`) || !strings.Contains(m, "host is down") {
		t.Errorf("plan error does not name the share and the reason: %s", m)
	}
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	if r.ExitCode != 3 || statuses(r)[failover.StepCheckChain] != report.StatusBlocked {
		t.Fatalf("exit %d, check-chain %s", r.ExitCode, statuses(r)[failover.StepCheckChain])
	}
	requireUntouched(t, lr, r)
	requireAcceptedLossRecoversCopies(t, lr)
}

// A pathMap "to" for the copy folder that is not the folder SQL Server reads: the run
// stops at the first copy (exit 3, PCFailover.PathUnreachable) naming both paths, before
// any file is restored from it.
func TestTwoHostsCopyFolderNotSQLServers(t *testing.T) {
	for _, tc := range []struct {
		name string
		// clear removes the copied, unrestored logs from SQL Server's copy folder, so
		// that the first file to copy is absent there too (the check after the copy
		// catches it instead of the one before).
		clear bool
	}{{"sql-server-has-the-file", false}, {"sql-server-does-not-see-the-copy", true}} {
		t.Run(tc.name, func(t *testing.T) {
			lr := startLab(t, "disaster")
			if tc.clear {
				for _, l := range lr.info.Facts.Logs {
					if l.InCopy && !l.Restored {
						if err := os.Remove(filepath.Join(lr.info.CopyDestination, l.Name)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			other := t.TempDir()
			req, _ := lr.load(t, false)
			req.PathMap = append([]request.PathMapEntry{{From: `E:\LSCopy`, To: other}}, req.PathMap...)
			r := failover.Failover(ctxT(t), lr.cfg(req))
			if r.ExitCode != 3 || len(r.Errors) == 0 || r.Errors[0].Code != report.CodePathUnreachable {
				t.Fatalf("exit %d, errors %+v", r.ExitCode, r.Errors)
			}
			msg := r.Errors[0].Message
			t.Log(msg)
			if !strings.Contains(msg, `E:\LSCopy`) || !strings.Contains(msg, other) {
				t.Fatalf("the error does not name both paths (E:\\LSCopy and %s): %s", other, msg)
			}
			if n := countAction(r, report.ActionApplied); n != 0 {
				t.Fatalf("%d files were restored", n)
			}
			ents, _ := os.ReadDir(other)
			if len(ents) > 1 {
				t.Fatalf("%d files were copied into the wrong folder; at most the first one may be", len(ents))
			}
			state, standby, txn := lr.backupDB(t)
			if (state != "RESTORING" && !standby) || txn != lr.info.Facts.RestoredTransactions {
				t.Fatalf("the backup database is %s (standby %v) at %d", state, standby, txn)
			}
		})
	}
}

// This machine lists the share, but SQL Server cannot open its files (here: the share
// name SQL Server is given does not exist on its host, operating system error 67, as
// Windows answers for a share name a reachable host does not have): the share counts as
// unreachable, with SQL Server's reason.
func TestTwoHostsShareSQLServerCannotReach(t *testing.T) {
	lr := startLab(t, "disaster")
	req, _ := lr.load(t, false)
	req.Share = `\\SQLPCPRI\NoSuchShare`
	req.PathMap = append([]request.PathMapEntry{{From: req.Share, To: lr.info.Share}}, req.PathMap...)
	requireShareBlocked(t, failover.Plan(ctxT(t), lr.cfg(req)), "SQL Server cannot reach the share",
		"Operating system error 67(The network name cannot be found.)", "has no share by that name (operating system error 67)")
	r := failover.Failover(ctxT(t), lr.cfg(req))
	if r.ExitCode != 3 {
		t.Fatalf("exit %d, errors %+v", r.ExitCode, r.Errors)
	}
	requireUntouched(t, lr, r)
}

// The SQL Servers' service accounts are missing from the share's permissions (lab option
// shareAccessDenied), while this machine reads it: SQL Server answers operating system
// error 5 for every file there. The share counts as unreachable (not as a chain of
// damaged files), the next step names the accounts to grant, and with acceptDataLoss the
// copied files are applied.
func TestTwoHostsShareAccessDenied(t *testing.T) {
	lr := startLabWith(t, "disaster", func(s *lab.Scenario) { s.ShareAccessDenied = true })
	const fix = "grant the backup instance's SQL Server and SQL Server Agent service accounts read access"
	requireShareBlocked(t, failover.Plan(ctxT(t), lr.cfg(nil)), "service account may not read the share",
		"Operating system error 5(Access is denied.)", fix)
	r := failover.Failover(ctxT(t), lr.cfg(nil))
	if r.ExitCode != 3 {
		t.Fatalf("exit %d, errors %+v", r.ExitCode, r.Errors)
	}
	requireShareBlocked(t, r, "service account may not read the share", "Operating system error 5(Access is denied.)", fix)
	requireUntouched(t, lr, r)
	requireAcceptedLossRecoversCopies(t, lr)
}

// requireShareBlocked checks that r stopped at check-chain on the share
// (PCFailover.PathUnreachable), its first error holding reason and sqlText (SQL Server's
// message), and its next steps holding fix.
func requireShareBlocked(t *testing.T, r *report.Report, reason, sqlText, fix string) {
	t.Helper()
	if statuses(r)[failover.StepCheckChain] != report.StatusBlocked || len(r.Errors) == 0 || r.Errors[0].Code != report.CodePathUnreachable {
		t.Fatalf("%s: check-chain %s, errors %+v", r.Command, statuses(r)[failover.StepCheckChain], r.Errors)
	}
	if m := r.Errors[0].Message; !strings.Contains(m, reason) || !strings.Contains(m, sqlText) {
		t.Errorf("%s error does not hold %q and %q: %s", r.Command, reason, sqlText, m)
	}
	if steps := strings.Join(r.NextSteps, " "); !strings.Contains(steps, fix) {
		t.Errorf("%s next steps do not hold %q: %s", r.Command, fix, steps)
	}
}
