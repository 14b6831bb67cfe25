package lab

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/failover"
	"pcfailover/core/lync"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/pshost"
)

// FailbackRequestFile is the ready failback request of a failed-over lab, in its
// directory.
const FailbackRequestFile = "failback-request.json"

// FailedOverTransactions are committed on the backup database while the pool runs
// failed over: what a failback must carry home.
const FailedOverTransactions = 40

// FailedOverFacts records how a failed-over lab got there.
type FailedOverFacts struct {
	// FailoverRunID is the run id of the failover that built the lab (its journal is in
	// the run directory, where the failback reads the pre-failover msdb snapshot).
	FailoverRunID string `json:"failoverRunId"`
	// BackupTransactions is the last transaction id of the backup database when the lab
	// is ready: every one must be on the primary after the failback.
	BackupTransactions int64 `json:"backupTransactions"`
	// FailbackActiveServers are the primary data center's servers the failback request
	// makes active.
	FailbackActiveServers []string `json:"failbackActiveServers"`
}

// setLyncSimSQLServer is LyncSim's lab helper that brings a SQL Server of the topology
// back online (module/LyncSim/README.md, "Lab helpers").
const setLyncSimSQLServer = "Set-LyncSimSqlServer"

// failOver brings a freshly built lab to the state right after a successful failover,
// with real operations only: the whole failover (runbook steps 0-7, the SQL half on the
// simulated instances, the Lync half through core/lync and LyncSim) runs with the lab's
// ready request; writes are committed on the new primary; then the primary site is
// rebuilt as an operator would before failing back: its SQL Server up again with an
// empty mgc (reinstalled, a new database family, not mirrored) and its SQL Servers
// online in the topology. It writes the ready failback request.
func (l *Lab) failOver(ctx context.Context, s Scenario, lo layout) error {
	info := &l.info
	if info.Lync.Module == "" {
		return fmt.Errorf("scenario %s needs the LyncSim module (module/LyncSim/LyncSim.psd1; set %s): the failover's Lync steps run against it", s.Name, lyncModuleEnv)
	}
	data, err := os.ReadFile(info.Request)
	if err != nil {
		return fmt.Errorf("read the ready request: %w", err)
	}
	getenv := func(k string) string { return info.Env[k] }
	req, pw, err := request.Load(data, nil, getenv)
	if err != nil {
		return fmt.Errorf("load the ready request: %w", err)
	}
	// One PowerShell: the Lync runner's cmdlets and LyncSim's helper.
	host, err := pshost.New(pshost.Config{Modules: []string{info.Lync.Module},
		AllowedCommands: append(lync.Commands(), setLyncSimSQLServer),
		Env:             []string{"LYNCSIM_STATE=" + info.Lync.State}, DefaultTimeout: 2 * time.Minute})
	if err != nil {
		return fmt.Errorf("start PowerShell with LyncSim: %w", err)
	}
	defer host.Close()
	lr, err := lync.New(lync.Config{Request: req, Host: host})
	if err != nil {
		return err
	}
	defer lr.Close()
	rep := failover.Failover(ctx, failover.Config{Request: req, Passwords: pw, Command: "failover", Lync: lr, JobWait: time.Minute})
	if rep.Outcome != report.OutcomeSucceeded {
		msg := rep.Outcome
		for _, e := range rep.Errors {
			msg += "; " + e.Message
		}
		return fmt.Errorf("the failover that builds scenario %s did not succeed: %s", s.Name, msg)
	}

	// The pool serves from the backup database: chat goes on there.
	bk := l.dep.sims[RoleBackup]
	if err := bk.Commit(s.Database, FailedOverTransactions); err != nil {
		return fmt.Errorf("commit on the new primary: %w", err)
	}
	bst, _ := bk.Database(s.Database)

	// The primary site is rebuilt: SQL Server back, mgc reinstalled empty.
	pri := l.dep.sims[RolePrimary]
	pri.SetDown(false)
	pii := info.Instances[RolePrimary]
	pii.Up = true
	info.Instances[RolePrimary] = pii
	if err := dropDatabase(ctx, pii, s.Database); err != nil {
		return err
	}
	if err := pri.CreateDatabase(s.Database, databaseFiles(s.Database)); err != nil {
		return fmt.Errorf("recreate %s on the rebuilt primary: %w", s.Database, err)
	}
	stores := lyncSQLStores(s.Lync.Pool)
	for _, role := range []string{RolePrimary, "primaryMirror"} {
		st := stores[role]
		res, err := host.Invoke(ctx, pshost.Command{Name: setLyncSimSQLServer, Parameters: []pshost.Parameter{
			{Name: "SqlServerFqdn", Value: pshost.String(st.SQLServerFQDN)}, {Name: "SqlInstanceName", Value: pshost.String(st.SQLInstanceName)},
			{Name: "Online", Value: pshost.Bool(true)}}})
		if err == nil {
			err = res.Err(setLyncSimSQLServer)
		}
		if err != nil {
			return fmt.Errorf("bring %s online in LyncSim: %w", sqlName(st), err)
		}
	}

	// The lost primary's mirroring session died with it: the reinstalled mgc is not
	// mirrored. LyncSim keeps mirroring sessions in its state, so the rebuild ends that one
	// as a DBA cleaning up would, with the cmdlet (without touching the mirror's copy).
	ps := stores[RolePrimary]
	res, err := host.Invoke(ctx, pshost.Command{Name: "Uninstall-CsMirrorDatabase", Parameters: []pshost.Parameter{
		{Name: "DatabaseType", Value: pshost.String("PersistentChat")}, {Name: "SqlServerFqdn", Value: pshost.String(ps.SQLServerFQDN)},
		{Name: "SqlInstanceName", Value: pshost.String(ps.SQLInstanceName)}, {Name: "Confirm", Value: pshost.Switch(false)}}})
	if err == nil {
		err = res.Err("Uninstall-CsMirrorDatabase")
	}
	if err != nil {
		return fmt.Errorf("end the lost primary's mirroring in LyncSim: %w", err)
	}

	active := append([]string(nil), s.Lync.DataCenters[s.Lync.PrimaryDataCenter]...)
	sort.Strings(active)
	if len(active) > 4 {
		active = active[:4]
	}
	info.Facts.FailedOver = &FailedOverFacts{FailoverRunID: rep.RunID, BackupTransactions: bst.Txn, FailbackActiveServers: active}
	info.FailbackRequest = filepath.Join(info.Dir, FailbackRequestFile)
	return writeFailbackRequest(*info, s, active)
}

func sqlName(st lyncStore) string {
	if st.SQLInstanceName == "" {
		return st.SQLServerFQDN
	}
	return st.SQLServerFQDN + `\` + st.SQLInstanceName
}

// dropDatabase drops db on the instance over TDS, as the rebuild's DBA would.
func dropDatabase(ctx context.Context, ii InstanceInfo, db string) error {
	in := &request.SQLInstance{Server: ii.Host, Port: ii.Port, Auth: "sql", User: ii.User, Encrypt: "disable"}
	if ii.Certificate != "" {
		in.Encrypt, in.Certificate = "true", ii.Certificate
	}
	c, err := mssql.NewConnector(in.ConnString(ii.Password, "master", "pcfailover-lab"))
	if err != nil {
		return fmt.Errorf("connect to the rebuilt primary: %w", err)
	}
	sdb := sql.OpenDB(c)
	defer sdb.Close()
	if _, err := sdb.ExecContext(ctx, "DROP DATABASE "+failover.QuoteIdent(db)); err != nil {
		return fmt.Errorf("drop the old primary's %s: %w", db, err)
	}
	return nil
}

// failbackRequest is the ready failback request: the failover's request (same run
// directory: the failback reads the failover's msdb snapshot from its journal and shares
// its lock) with the rebuilt primary and the failback section (cli/CONTRACT.md, Failback).
type failbackRequest struct {
	readyRequest
	Failback failbackSection `json:"failback"`
}

type failbackSection struct {
	ActiveServers     []string `json:"activeServers"`
	PrimaryDataCenter string   `json:"primaryDataCenter"`
	MirrorFileShare   string   `json:"mirrorFileShare"`
}

func writeFailbackRequest(info Info, s Scenario, active []string) error {
	r := failbackRequest{readyRequest: buildRequest(info, s), Failback: failbackSection{
		ActiveServers: active, PrimaryDataCenter: s.Lync.PrimaryDataCenter,
		// Install-CsMirrorDatabase for the primary: a share the primary and its mirror reach.
		MirrorFileShare: `\\` + lyncSQLStores(info.Pool)[RolePrimary].SQLServerFQDN + `\pcfailover-mirror`,
	}}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write the failback request: %w", err)
	}
	return writeFileAtomic(info.FailbackRequest, append(data, '\n'), 0o600)
}
