package failback

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/failover"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/sqlsim"
	"pcfailover/pshost"
)

// failedOver is a lab in the state right after a successful failover: the SQL half run by
// the failover engine, the Lync half by the LyncSim cmdlets (pool FailedOver, backup
// mirrored, DC2 servers active), writes committed on the new primary, and the primary
// site rebuilt: its SQL Server back with an empty mgc (Topology Builder's reinstall).
type failedOver struct {
	lab      *lab.Lab
	info     lab.Info
	req      *request.Request
	pw       request.Passwords
	lync     *PSLync
	txnAtCut int64 // transactions on the backup when writers stop
}

func pwshOrSkip(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pwsh"); err != nil {
		if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), ".dotnet", "tools", "pwsh")); err != nil {
			t.Skip("pwsh not found: the Lync steps need PowerShell")
		}
		t.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+filepath.Join(os.Getenv("HOME"), ".dotnet", "tools"))
	}
}

func setupFailedOver(t *testing.T) *failedOver {
	t.Helper()
	pwshOrSkip(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: "disaster"})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	info := l.Info()
	data, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if v, ok := info.Env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	req, pw, err := request.Load(data, nil, getenv)
	if err != nil {
		t.Fatalf("lab request: %v", err)
	}
	if pw == nil {
		pw = request.Passwords{}
	}
	if rep := failover.Failover(ctx, failover.Config{Request: req, Passwords: pw, JobWait: time.Minute}); rep.Outcome != report.OutcomeSucceeded {
		t.Fatalf("failover: %s %+v", rep.Outcome, rep.Errors)
	}
	var env []string
	for k, v := range info.Env {
		if k == "LYNCSIM_STATE" {
			env = append(env, k+"="+v)
		}
	}
	ly, err := NewPSLync(req.PoolFQDN, info.Lync.Module, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ly.Close() })
	st, err := ly.State(ctx)
	if err != nil {
		t.Fatalf("LyncSim state: %v", err)
	}
	var dc1, dc2 []string
	for srv, dc := range info.Lync.DataCenters {
		switch dc {
		case info.Lync.PrimaryDataCenter:
			dc1 = append(dc1, srv)
		case info.Lync.BackupDataCenter:
			dc2 = append(dc2, srv)
		}
	}
	for _, step := range []func() error{
		func() error { return ly.SetPoolState(ctx, st.StateIdentity, "FailedOver") },
		func() error { return ly.InstallMirror(ctx, st.Backup, `\\labfs\mirror`) },
		func() error { return ly.SetActiveServers(ctx, st.ServiceIdentity, dc2[:2]) },
	} {
		if err := step(); err != nil {
			t.Fatalf("Lync failover: %v", err)
		}
	}
	// Writes while failed over.
	bk := l.Instance(lab.RoleBackup)
	if err := bk.Commit(req.Database, 40); err != nil {
		t.Fatal(err)
	}
	bst, _ := bk.Database(req.Database)
	// The primary site is rebuilt: SQL Server back, mgc reinstalled empty, Lync sees it online.
	pri := l.Instance(lab.RolePrimary)
	pri.SetDown(false)
	pinfo := info.Instances[lab.RolePrimary]
	helper, err := pshost.New(pshost.Config{Modules: []string{info.Lync.Module}, AllowedCommands: []string{"Set-LyncSimSqlServer"}, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	defer helper.Close()
	for _, s := range []Store{st.Primary, {FQDN: strings.Replace(st.Primary.FQDN, "sqlpcpri", "sqlpcprimir", 1), Instance: st.Primary.Instance}} {
		res, err := helper.Invoke(ctx, pshost.Command{Name: "Set-LyncSimSqlServer", Parameters: []pshost.Parameter{
			{Name: "SqlServerFqdn", Value: pshost.String(s.FQDN)}, {Name: "SqlInstanceName", Value: pshost.String(s.Instance)},
			{Name: "Online", Value: pshost.Bool(true)}}})
		if err == nil {
			err = res.Err("Set-LyncSimSqlServer")
		}
		if err != nil {
			t.Fatalf("bring %s online in LyncSim: %v", s, err)
		}
	}
	req.PrimarySQLInstance = &request.SQLInstance{Server: pinfo.Host, Port: pinfo.Port, Auth: "sql", User: pinfo.User, Encrypt: "disable"}
	pw[request.RolePrimary] = pinfo.Password
	rebuildPrimary(t, pri, req.PrimarySQLInstance, pinfo.Password, req.Database)
	req.Failback = &request.Failback{ActiveServers: dc1[:2], PrimaryDataCenter: info.Lync.PrimaryDataCenter, MirrorFileShare: `\\labfs\mirror`}
	req.Share, req.CopyDestination = info.Share, info.CopyDestination
	if errs := Validate(req); len(errs) > 0 {
		t.Fatalf("failback request: %v", errs)
	}
	return &failedOver{lab: l, info: info, req: req, pw: pw, lync: ly, txnAtCut: bst.Txn}
}

// rebuildPrimary drops the old primary's database and creates an empty one (a new
// database family), as reinstalling it with Topology Builder does.
func rebuildPrimary(t *testing.T, pri *sqlsim.Instance, in *request.SQLInstance, password, db string) {
	t.Helper()
	c, err := mssql.NewConnector(in.ConnString(password, "master", "test"))
	if err != nil {
		t.Fatal(err)
	}
	sdb := sql.OpenDB(c)
	defer sdb.Close()
	if _, err := sdb.Exec("DROP DATABASE " + failover.QuoteIdent(db)); err != nil {
		t.Fatalf("drop the old primary's %s: %v", db, err)
	}
	if err := pri.CreateDatabase(db, nil); err != nil {
		t.Fatal(err)
	}
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
	st, err := fo.lync.State(ctx)
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
