package failback

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"pcfailover/core/lab"
	"pcfailover/core/lync"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/sqlsim"
)

// failedOver is a lab of the built-in scenario failedover: the state right after a
// successful failover (the whole failover run by pcfailover's engine, LyncSim FailedOver
// with DC2 servers active and the backup mirrored), writes committed on the new primary,
// and the primary site rebuilt with an empty mgc; lab.json names the ready failback
// request.
type failedOver struct {
	lab      *lab.Lab
	info     lab.Info
	req      *request.Request
	pw       request.Passwords
	lync     *lync.Runner
	txnAtCut int64 // transactions on the backup when writers stop
}

func pwshOrSkip(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pwsh"); err != nil {
		if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), ".dotnet", "tools", "pwsh")); err != nil {
			t.Skip("pwsh not found: the Lync steps need PowerShell")
		}
	}
}

func setupFailedOver(t *testing.T) *failedOver {
	t.Helper()
	pwshOrSkip(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: "failedover"})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	info := l.Info()
	data, err := os.ReadFile(info.FailbackRequest)
	if err != nil {
		t.Fatal(err)
	}
	req, pw, err := request.Load(data, nil, func(k string) string { return info.Env[k] })
	if err != nil {
		t.Fatalf("lab failback request: %v", err)
	}
	if errs := Validate(req); len(errs) > 0 {
		t.Fatalf("failback request: %v", errs)
	}
	ly, err := lync.New(lync.Config{Request: req, Env: []string{"LYNCSIM_STATE=" + info.Lync.State}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ly.Close() })
	return &failedOver{lab: l, info: info, req: req, pw: pw, lync: ly, txnAtCut: info.Facts.FailedOver.BackupTransactions}
}

// TestFailbackReturnsThePoolWithEveryTransaction: failover, writes on the backup, then
// failback: the pool is Normal with DC1 servers active, the primary holds every
// transaction the backup had when writers stopped, and log shipping moves new log
// backups to the re-seeded backup again.
func TestFailbackReturnsThePoolWithEveryTransaction(t *testing.T) {
	fo := setupFailedOver(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := Config{Request: fo.req, Passwords: fo.pw, Lync: fo.lync}

	plan := Plan(ctx, cfg)
	if plan.Outcome != report.OutcomePlanned {
		t.Fatalf("plan: %s %+v", plan.Outcome, plan.Errors)
	}
	order := []string{}
	for _, s := range plan.Steps {
		order = append(order, s.ID)
		if s.Status != report.StatusPlanned {
			t.Errorf("plan: step %s is %s (%s), want planned", s.ID, s.Status, s.Detail)
		}
	}
	if idx(order, StepPoolNormal) > idx(order, StepActiveServers) || idx(order, StepTailLog) > idx(order, StepRestorePrimary) ||
		idx(order, StepClearActive) > idx(order, StepTailLog) {
		t.Fatalf("unsafe order %v", order)
	}

	rep := Failback(ctx, cfg)
	if rep.Outcome != report.OutcomeSucceeded || rep.ExitCode != 0 {
		t.Fatalf("failback: %s %+v", rep.Outcome, rep.Errors)
	}
	pri, bk := fo.lab.Instance(lab.RolePrimary), fo.lab.Instance(lab.RoleBackup)
	pst, _ := pri.Database(fo.req.Database)
	if pst.State != "ONLINE" || pst.Txn != fo.txnAtCut {
		t.Fatalf("primary after failback: %s with %d transactions, want ONLINE with %d", pst.State, pst.Txn, fo.txnAtCut)
	}
	st, err := fo.lync.Pool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.PoolState != "Normal" || !sameSet(st.ActiveServers, fo.req.Failback.ActiveServers) || !st.InUseMirrored {
		t.Fatalf("Lync after failback: %+v", st)
	}
	bst, _ := bk.Database(fo.req.Database)
	if !(bst.State == "RESTORING" || bst.Standby) {
		t.Fatalf("backup after failback: %s, want RESTORING or STANDBY", bst.State)
	}
	// Log shipping works again: new writes on the primary reach the backup through the jobs.
	if err := pri.Commit(fo.req.Database, 9); err != nil {
		t.Fatal(err)
	}
	for _, j := range []struct {
		in   *sqlsim.Instance
		name string
	}{{pri, "LSBackup_" + fo.req.Database}, {bk, "LSCopy_" + fo.lab.Info().Instances[lab.RolePrimary].ServerName + "_" + fo.req.Database},
		{bk, "LSRestore_" + fo.lab.Info().Instances[lab.RolePrimary].ServerName + "_" + fo.req.Database}} {
		if err := j.in.RunJob(ctx, j.name); err != nil {
			t.Fatalf("job %s: %v", j.name, err)
		}
	}
	bst, _ = bk.Database(fo.req.Database)
	if bst.Txn != fo.txnAtCut+9 {
		t.Fatalf("backup after one shipped log: %d transactions, want %d", bst.Txn, fo.txnAtCut+9)
	}

	// A second run finds everything done.
	again := Failback(ctx, cfg)
	if again.Outcome != report.OutcomeSucceeded {
		t.Fatalf("second failback: %s %+v", again.Outcome, again.Errors)
	}
	for _, s := range again.Steps[2:] { // lock and check-state always run
		if s.Status != report.StatusAlreadyDone && s.Status != report.StatusSkipped {
			t.Errorf("second run: step %s is %s (%s)", s.ID, s.Status, s.Detail)
		}
	}
}

func idx(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
