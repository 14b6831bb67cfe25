// Package labtest checks that a running lab holds what its scenario describes, through
// go-mssqldb over TCP and on disk. The lab's own tests use it for in-process labs and for
// labs started by `pcfailover lab up`; other packages may use it to assert a lab's
// starting state.
package labtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/lab"
	"pcfailover/core/report"
)

// ScenarioFile writes the built-in scenario base, changed by mutate and named name, to a
// scenario file in a temporary folder of the test, for lab.Options.ScenarioFile.
func ScenarioFile(t testing.TB, base, name string, mutate func(*lab.Scenario)) string {
	t.Helper()
	s, err := lab.BuiltinScenario(base)
	if err != nil {
		t.Fatal(err)
	}
	s.Name = name
	mutate(&s)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name+".json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// Open connects to a lab instance over TCP with go-mssqldb (closed at the end of the
// test).
func Open(t testing.TB, inst lab.InstanceInfo, database string) *sql.DB {
	t.Helper()
	c, err := mssql.NewConnector(inst.DSN(database))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

// Folders checks a report's folders: the share and the copy folder of the lab, each
// reachable, with SQL Server's path (lab.json sqlPaths) and this machine's (share,
// copyDestination).
func Folders(t testing.TB, info lab.Info, folders []report.Folder) {
	t.Helper()
	want := map[string][2]string{
		report.FolderShare: {info.SQLPaths.Share, info.Share},
		report.FolderCopy:  {info.SQLPaths.CopyDestination, info.CopyDestination},
	}
	if len(folders) != 2 {
		t.Fatalf("folders %+v", folders)
	}
	for _, f := range folders {
		w := want[f.Role]
		if f.SQLPath != w[0] || filepath.Clean(f.LocalPath) != filepath.Clean(w[1]) || !f.Reachable {
			t.Errorf("%s: %+v, want SQL path %s, local path %s", f.Role, f, w[0], w[1])
		}
	}
}

// Files lists the names in dir that have the extension (case-insensitive).
func Files(t testing.TB, dir, ext string) map[string]bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ext) {
			m[e.Name()] = true
		}
	}
	return m
}

// Check verifies a running lab against its scenario, read-only: lab.json and the ready
// request, the files in the share and the copy folder, the backup database's state, the
// msdb log-shipping rows and jobs, the application sessions, the primary's availability
// and the backup mirror.
func Check(t testing.TB, info lab.Info, s lab.Scenario) {
	t.Helper()
	s = s.WithDefaults()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// lab.json
	if info.Database != s.Database || info.Scenario != s.Name || info.Pool != s.Lync.Pool || info.TLS != s.TLS {
		t.Errorf("lab.json database/scenario/pool/tls = %s/%s/%s/%v, want %s/%s/%s/%v",
			info.Database, info.Scenario, info.Pool, info.TLS, s.Database, s.Name, s.Lync.Pool, s.TLS)
	}
	for _, p := range []string{info.Share, info.CopyDestination, info.Request, info.RunDirectory, info.Dir, info.Lync.State, info.HostsDir} {
		if p == info.Share && s.ShareHostDown {
			// The share's host is down: the folder is out of reach.
			continue
		}
		if !filepath.IsAbs(p) {
			t.Errorf("lab.json path %q is not absolute", p)
		} else if _, err := os.Stat(p); err != nil {
			t.Errorf("lab.json path: %v", err)
		}
	}
	if info.Env["LYNCSIM_STATE"] != info.Lync.State {
		t.Errorf("env LYNCSIM_STATE = %q, want %q", info.Env["LYNCSIM_STATE"], info.Lync.State)
	}
	for _, role := range []string{lab.RolePrimary, lab.RoleBackup, lab.RoleBackupMirror} {
		ii, ok := info.Instances[role]
		if !ok {
			t.Fatalf("lab.json has no %s instance", role)
		}
		if !strings.HasPrefix(ii.Address, "127.0.0.1:") || ii.User == "" || ii.Password == "" || info.Env[ii.PasswordEnv] != ii.Password {
			t.Errorf("%s: address %q user %q, env %s set=%v", role, ii.Address, ii.User, ii.PasswordEnv, info.Env[ii.PasswordEnv] != "")
		}
		if (ii.Certificate != "") != s.TLS {
			t.Errorf("%s certificate %q with tls=%v", role, ii.Certificate, s.TLS)
		}
		// A failed-over lab's primary site was rebuilt: its instance is up again.
		wantUp := role != lab.RolePrimary || s.PrimaryUp || s.FailedOver
		if ii.Up != wantUp {
			t.Errorf("%s up = %v, want %v", role, ii.Up, wantUp)
		}
	}
	checkRequest(t, info, s)
	if s.FailedOver {
		checkFailedOver(ctx, t, info, s)
		return
	}

	// Files: the share holds every log backup but the missing ones; the copy folder
	// every copied one but the missing ones.
	logs := info.Facts.Logs
	if len(logs) != s.Logs.Count {
		t.Fatalf("facts list %d log backups, want %d", len(logs), s.Logs.Count)
	}
	shareDir := info.Share
	if s.ShareHostDown {
		// A down host's folder waits in DIR/hosts/.down/<HOST> (core/sqlsim/hostfs).
		pri := info.Instances[lab.RolePrimary].MachineName
		rel, err := filepath.Rel(filepath.Join(info.HostsDir, pri), info.Share)
		if err != nil {
			t.Fatal(err)
		}
		shareDir = filepath.Join(info.HostsDir, ".down", pri, rel)
	}
	share, cp := Files(t, shareDir, ".trn"), Files(t, info.CopyDestination, ".trn")
	wantShare, wantCopy := 0, 0
	for _, lf := range logs {
		if !strings.HasPrefix(lf.Name, s.Database+"_") || len(lf.Name) != len(s.Database)+len("_20060102150405.trn") {
			t.Errorf("log backup %d is named %q, want %s_YYYYMMDDHHMMSS.trn", lf.Number, lf.Name, s.Database)
		}
		if !lf.Missing {
			wantShare++
			if !share[lf.Name] {
				t.Errorf("log backup %d (%s) is not in the share", lf.Number, lf.Name)
			}
		} else if share[lf.Name] || cp[lf.Name] {
			t.Errorf("missing log backup %d (%s) is still on disk", lf.Number, lf.Name)
		}
		if lf.Copied && !lf.Missing {
			wantCopy++
			if !cp[lf.Name] {
				t.Errorf("copied log backup %d (%s) is not in the copy folder", lf.Number, lf.Name)
			}
		}
		if !lf.Copied && cp[lf.Name] {
			t.Errorf("uncopied log backup %d (%s) is in the copy folder", lf.Number, lf.Name)
		}
	}
	if len(share) != wantShare || len(cp) != wantCopy {
		t.Errorf("share holds %d .trn (want %d), copy folder %d (want %d)", len(share), wantShare, len(cp), wantCopy)
	}
	for i := 1; i < len(logs); i++ {
		if logs[i].FirstLSN != logs[i-1].LastLSN {
			t.Errorf("log backup %d starts at %s, log backup %d ends at %s: not a chain", i+1, logs[i].FirstLSN, i, logs[i-1].LastLSN)
		}
		if logs[i].Name <= logs[i-1].Name {
			t.Errorf("file names are not in time order: %s then %s", logs[i-1].Name, logs[i].Name)
		}
	}

	// The backup instance, over TCP.
	bk := Open(t, info.Instances[lab.RoleBackup], "master")
	var machine string
	if err := bk.QueryRowContext(ctx, "SELECT CAST(SERVERPROPERTY('MachineName') AS nvarchar(128))").Scan(&machine); err != nil {
		t.Fatalf("backup: SERVERPROPERTY('MachineName'): %v", err)
	}
	if machine != info.Instances[lab.RoleBackup].MachineName || machine == "" {
		t.Errorf("backup MachineName = %q, want lab.json's %q", machine, info.Instances[lab.RoleBackup].MachineName)
	}
	var state string
	var standby bool
	if err := bk.QueryRowContext(ctx, "SELECT state_desc, is_in_standby FROM sys.databases WHERE name = @p1", s.Database).Scan(&state, &standby); err != nil {
		t.Fatalf("backup: sys.databases: %v", err)
	}
	// A STANDBY database is ONLINE (read-only) with is_in_standby = 1; NORECOVERY leaves
	// it RESTORING.
	wantState := "RESTORING"
	if s.RestoreMode == "standby" {
		wantState = "ONLINE"
	}
	if state != wantState || standby != (s.RestoreMode == "standby") {
		t.Errorf("backup %s is %s standby=%v, want %s standby=%v", s.Database, state, standby, wantState, s.RestoreMode == "standby")
	}
	var src, dst, primaryServer string
	var lastCopied sql.NullString
	if err := bk.QueryRowContext(ctx, "SELECT primary_server, backup_source_directory, backup_destination_directory, last_copied_file FROM msdb.dbo.log_shipping_secondary WHERE primary_database = @p1",
		s.Database).Scan(&primaryServer, &src, &dst, &lastCopied); err != nil {
		t.Fatalf("backup: msdb.dbo.log_shipping_secondary: %v", err)
	}
	// msdb holds the SQL Servers' Windows paths (lab.json sqlPaths), not the lab folders.
	if src != info.SQLPaths.Share || dst != info.SQLPaths.CopyDestination || primaryServer != info.Instances[lab.RolePrimary].ServerName {
		t.Errorf("log_shipping_secondary = %s, %s, %s; want %s, %s, %s", primaryServer, src, dst,
			info.Instances[lab.RolePrimary].ServerName, info.SQLPaths.Share, info.SQLPaths.CopyDestination)
	}
	if !strings.HasPrefix(src, `\\`) || !(strings.HasPrefix(dst, `\\`) || len(dst) > 2 && dst[1] == ':') {
		t.Errorf("log_shipping_secondary holds %s and %s, want a UNC share and a drive or UNC path", src, dst)
	}
	if s.Logs.Copied > 0 && !strings.HasPrefix(strings.ToLower(lastCopied.String), strings.ToLower(dst)+`\`) {
		t.Errorf("last_copied_file = %q, want a file of %s", lastCopied.String, dst)
	}
	if s.Logs.Copied > 0 && !strings.HasSuffix(lastCopied.String, logs[s.Logs.Copied-1].Name) {
		t.Errorf("last_copied_file = %q, want log backup %d (%s)", lastCopied.String, s.Logs.Copied, logs[s.Logs.Copied-1].Name)
	}
	checkWindowsPaths(ctx, t, info, "backup", bk)

	var lastRestored sql.NullString
	var restoreMode bool
	if err := bk.QueryRowContext(ctx, "SELECT last_restored_file, restore_mode FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = @p1",
		s.Database).Scan(&lastRestored, &restoreMode); err != nil {
		t.Fatalf("backup: msdb.dbo.log_shipping_secondary_databases: %v", err)
	}
	if s.Logs.Restored > 0 && !strings.HasSuffix(lastRestored.String, logs[s.Logs.Restored-1].Name) {
		t.Errorf("last_restored_file = %q, want log backup %d (%s)", lastRestored.String, s.Logs.Restored, logs[s.Logs.Restored-1].Name)
	}
	if restoreMode != (s.RestoreMode == "standby") {
		t.Errorf("restore_mode = %v, want standby=%v", restoreMode, s.RestoreMode == "standby")
	}
	var jobs int
	if err := bk.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.sysjobs WHERE name IN (@p1, @p2)",
		"LSCopy_"+primaryServer+"_"+s.Database, "LSRestore_"+primaryServer+"_"+s.Database).Scan(&jobs); err != nil {
		t.Fatalf("backup: msdb.dbo.sysjobs: %v", err)
	}
	if jobs != 2 {
		t.Errorf("backup has %d of the copy and restore jobs, want 2", jobs)
	}
	var restores int
	if err := bk.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.restorehistory WHERE destination_database_name = @p1 AND restore_type = 'L'",
		s.Database).Scan(&restores); err != nil {
		t.Fatalf("backup: msdb.dbo.restorehistory: %v", err)
	}
	if restores != s.Logs.Restored {
		t.Errorf("restorehistory has %d log restores, want %d", restores, s.Logs.Restored)
	}
	var sessions int
	if err := bk.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@p1) AND is_user_process = 1",
		s.Database).Scan(&sessions); err != nil {
		t.Fatalf("backup: sys.dm_exec_sessions: %v", err)
	}
	if sessions != s.Sessions || len(info.Facts.Sessions) != s.Sessions {
		t.Errorf("backup has %d sessions in %s (facts %v), want %d", sessions, s.Database, info.Facts.Sessions, s.Sessions)
	}

	// The primary answers only when the scenario keeps it up.
	pri := Open(t, info.Instances[lab.RolePrimary], "master")
	var priState string
	err := pri.QueryRowContext(ctx, "SELECT state_desc FROM sys.databases WHERE name = @p1", s.Database).Scan(&priState)
	switch {
	case s.PrimaryUp && err != nil:
		t.Errorf("primary is up but the query failed: %v", err)
	case s.PrimaryUp && priState != "ONLINE":
		t.Errorf("primary %s is %s, want ONLINE", s.Database, priState)
	case !s.PrimaryUp && err == nil:
		t.Errorf("primary is down but answered")
	}
	if s.PrimaryUp {
		checkWindowsPaths(ctx, t, info, "primary", pri)
	}
	if s.PrimaryUp && s.Logs.Count > 0 {
		var lastBackup sql.NullString
		if err := pri.QueryRowContext(ctx, "SELECT last_backup_file FROM msdb.dbo.log_shipping_primary_databases WHERE primary_database = @p1",
			s.Database).Scan(&lastBackup); err != nil {
			t.Errorf("primary: msdb.dbo.log_shipping_primary_databases: %v", err)
		} else if !strings.HasSuffix(lastBackup.String, logs[len(logs)-1].Name) {
			t.Errorf("last_backup_file = %q, want %s", lastBackup.String, logs[len(logs)-1].Name)
		}
	}

	// The backup mirror is an empty instance, ready for Install-CsMirrorDatabase.
	mir := Open(t, info.Instances[lab.RoleBackupMirror], "master")
	var n int
	if err := mir.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.databases WHERE name = @p1", s.Database).Scan(&n); err != nil || n != 0 {
		t.Errorf("backup mirror: %d %s databases, err %v; want none", n, s.Database, err)
	}

	// Transactions: the backup holds what was restored, the chain what can be restored.
	f := info.Facts
	if f.RestoredTransactions > f.ChainTransactions || f.ChainTransactions > f.PrimaryTransactions {
		t.Errorf("transactions restored %d, chain %d, primary %d: want restored <= chain <= primary",
			f.RestoredTransactions, f.ChainTransactions, f.PrimaryTransactions)
	}
}

// checkRequest verifies the ready request (cli/CONTRACT.md).
func checkRequest(t testing.TB, info lab.Info, s lab.Scenario) {
	t.Helper()
	data, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	for _, ii := range info.Instances {
		if strings.Contains(string(data), ii.Password) {
			t.Fatal("the ready request contains a password")
		}
	}
	type inst struct {
		Server, Auth, User, PasswordEnv, Encrypt, Certificate string
		Port                                                  int
	}
	var req struct {
		SchemaVersion                              int
		PoolFqdn, Database, RunDirectory           string
		BackupSqlInstance, BackupMirrorSqlInstance inst
		PrimarySqlInstance                         *inst
		Lync                                       struct {
			Module           string
			ActiveServers    []string
			DataCenters      map[string]string
			BackupDataCenter string
		}
		PathMap []struct{ From, To string }
	}
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatalf("request: %v", err)
	}
	checkPathMap(t, info, s, req.PathMap)
	bk := info.Instances[lab.RoleBackup]
	if req.SchemaVersion != 1 || req.PoolFqdn != info.Pool || req.Database != info.Database || req.RunDirectory != info.RunDirectory {
		t.Errorf("request = %+v", req)
	}
	if req.BackupSqlInstance.Server != "127.0.0.1" || req.BackupSqlInstance.Port != bk.Port || req.BackupSqlInstance.Auth != "sql" ||
		req.BackupSqlInstance.User != bk.User || info.Env[req.BackupSqlInstance.PasswordEnv] != bk.Password {
		t.Errorf("request backupSqlInstance = %+v", req.BackupSqlInstance)
	}
	wantEncrypt := "disable"
	if s.TLS {
		wantEncrypt = "true"
	}
	if req.BackupSqlInstance.Encrypt != wantEncrypt || req.BackupSqlInstance.Certificate != bk.Certificate {
		t.Errorf("request encrypt %q certificate %q, want %q %q", req.BackupSqlInstance.Encrypt, req.BackupSqlInstance.Certificate, wantEncrypt, bk.Certificate)
	}
	if (req.PrimarySqlInstance != nil) != s.PrimaryUp {
		t.Errorf("request primarySqlInstance = %+v with primaryUp=%v", req.PrimarySqlInstance, s.PrimaryUp)
	}
	if req.BackupMirrorSqlInstance.Port != info.Instances[lab.RoleBackupMirror].Port {
		t.Errorf("request backupMirrorSqlInstance = %+v", req.BackupMirrorSqlInstance)
	}
	if req.Lync.BackupDataCenter != s.Lync.BackupDataCenter || len(req.Lync.ActiveServers) != len(s.Lync.DataCenters[s.Lync.BackupDataCenter]) {
		t.Errorf("request lync = %+v", req.Lync)
	}
	for _, srv := range req.Lync.ActiveServers {
		if req.Lync.DataCenters[srv] != s.Lync.BackupDataCenter {
			t.Errorf("active server %s is in %q, want the backup data center", srv, req.Lync.DataCenters[srv])
		}
	}
}

// checkWindowsPaths verifies that every path the instance stores is a Windows path (a
// drive or UNC path, never a folder of this machine): msdb's log-shipping folders and
// files, backupmediafamily, and sys.master_files.
func checkWindowsPaths(ctx context.Context, t testing.TB, info lab.Info, role string, db *sql.DB) {
	t.Helper()
	queries := []string{
		"SELECT physical_device_name FROM msdb.dbo.backupmediafamily",
		"SELECT physical_name FROM sys.master_files WHERE database_id > 4",
		"SELECT backup_source_directory FROM msdb.dbo.log_shipping_secondary",
		"SELECT backup_destination_directory FROM msdb.dbo.log_shipping_secondary",
		"SELECT last_copied_file FROM msdb.dbo.log_shipping_secondary WHERE last_copied_file IS NOT NULL",
		"SELECT last_restored_file FROM msdb.dbo.log_shipping_secondary_databases WHERE last_restored_file IS NOT NULL",
		"SELECT backup_directory FROM msdb.dbo.log_shipping_primary_databases",
		"SELECT backup_share FROM msdb.dbo.log_shipping_primary_databases",
		"SELECT last_backup_file FROM msdb.dbo.log_shipping_primary_databases WHERE last_backup_file IS NOT NULL",
	}
	n := 0
	for _, q := range queries {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Errorf("%s: %s: %v", role, q, err)
			continue
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Errorf("%s: %s: %v", role, q, err)
				break
			}
			n++
			windows := strings.HasPrefix(p, `\\`) || len(p) > 2 && p[1] == ':' && p[2] == '\\'
			if !windows || strings.Contains(p, info.Dir) {
				t.Errorf("%s stores %q (%s): want a Windows path of a SQL Server host, not a lab folder", role, p, q)
			}
		}
		rows.Close()
	}
	if n == 0 {
		t.Errorf("%s: no stored path to check", role)
	}
}

// checkPathMap verifies the ready request's pathMap (issue 11 contract): the share and
// every host drive's administrative share map to the lab folders (SQLPCBAK's drives as
// drive paths with toolOnBackupHost), nothing with pathMap "none", and each entry's
// folder exists.
func checkPathMap(t testing.TB, info lab.Info, s lab.Scenario, pm []struct{ From, To string }) {
	t.Helper()
	if s.PathMap == "none" {
		if len(pm) != 0 {
			t.Errorf("request pathMap = %v, want none (scenario pathMap \"none\")", pm)
		}
		return
	}
	got := map[string]string{}
	for _, e := range pm {
		got[strings.ToLower(e.From)] = e.To
		if s.ShareHostDown && strings.HasPrefix(strings.ToLower(e.From), strings.ToLower(`\\`+info.Instances[lab.RolePrimary].MachineName+`\`)) {
			// A down host's folders are unreachable from this machine too.
			if _, err := os.Stat(e.To); err == nil {
				t.Errorf("request pathMap %s -> %s: reachable although the host is down", e.From, e.To)
			}
			continue
		}
		if st, err := os.Stat(e.To); err != nil || !st.IsDir() {
			t.Errorf("request pathMap %s -> %s: not a folder (%v)", e.From, e.To, err)
		}
	}
	if got[strings.ToLower(info.SQLPaths.Share)] != info.Share {
		t.Errorf("request pathMap maps %s to %q, want %s", info.SQLPaths.Share, got[strings.ToLower(info.SQLPaths.Share)], info.Share)
	}
	if s.CopyFolderShare && got[strings.ToLower(info.SQLPaths.CopyDestination)] != info.CopyDestination {
		t.Errorf("request pathMap maps %s to %q, want %s", info.SQLPaths.CopyDestination, got[strings.ToLower(info.SQLPaths.CopyDestination)], info.CopyDestination)
	}
	bak := info.Instances[lab.RoleBackup].MachineName
	eDrive, eShare := got[`e:\`], got[strings.ToLower(`\\`+bak+`\E$`)]
	want := filepath.Join(info.HostsDir, bak, "E")
	if s.ToolOnBackupHost {
		if eDrive != want || eShare != "" {
			t.Errorf("request pathMap E:\\ -> %q, \\\\%s\\E$ -> %q; want the drive path mapped to %s (tool on the backup host)", eDrive, bak, eShare, want)
		}
	} else if eShare != want || eDrive != "" {
		t.Errorf("request pathMap \\\\%s\\E$ -> %q, E:\\ -> %q; want the admin share mapped to %s", bak, eShare, eDrive, want)
	}
}

// checkFailedOver verifies a lab built failed over (scenario failedover): the backup
// database is the pool's database (ONLINE, read-write, no longer a log-shipping
// secondary) holding the failover's transactions and those committed since; the rebuilt
// primary answers with an empty database; LyncSim is FailedOver with the backup data
// center's servers active and the backup store mirrored; the failover's journal is in the
// run directory; the ready failback request names the primary and the failback section.
func checkFailedOver(ctx context.Context, t testing.TB, info lab.Info, s lab.Scenario) {
	t.Helper()
	f := info.Facts.FailedOver
	if f == nil || f.FailoverRunID == "" {
		t.Fatalf("lab.json facts.failedOver = %+v", f)
	}
	if f.BackupTransactions != info.Facts.ChainTransactions+lab.FailedOverTransactions {
		t.Errorf("facts: backup holds %d transactions, want the chain's %d + %d committed while failed over",
			f.BackupTransactions, info.Facts.ChainTransactions, lab.FailedOverTransactions)
	}
	bk := Open(t, info.Instances[lab.RoleBackup], "master")
	var state string
	var standby, readOnly bool
	if err := bk.QueryRowContext(ctx, "SELECT state_desc, is_in_standby, is_read_only FROM sys.databases WHERE name = @p1", s.Database).Scan(&state, &standby, &readOnly); err != nil {
		t.Fatalf("backup: sys.databases: %v", err)
	}
	if state != "ONLINE" || standby || readOnly {
		t.Errorf("backup %s is %s standby=%v read-only=%v, want ONLINE read-write", s.Database, state, standby, readOnly)
	}
	var secondaries int
	if err := bk.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = @p1", s.Database).Scan(&secondaries); err != nil {
		t.Fatalf("backup: msdb.dbo.log_shipping_secondary_databases: %v", err)
	}
	if secondaries != 0 {
		t.Errorf("backup: log shipping still lists %s as a secondary", s.Database)
	}
	pri := Open(t, info.Instances[lab.RolePrimary], "master")
	var priState string
	if err := pri.QueryRowContext(ctx, "SELECT state_desc FROM sys.databases WHERE name = @p1", s.Database).Scan(&priState); err != nil || priState != "ONLINE" {
		t.Errorf("rebuilt primary: %s is %q (%v), want ONLINE", s.Database, priState, err)
	}
	// A reinstalled database is a new database family (the failback must restore over it).
	const qFamily = "SELECT CAST(family_guid AS nvarchar(36)) FROM sys.database_recovery_status WHERE database_id = DB_ID(@p1)"
	var rebuilt, backupFamily string
	if err := pri.QueryRowContext(ctx, qFamily, s.Database).Scan(&rebuilt); err != nil {
		t.Errorf("rebuilt primary: family_guid: %v", err)
	} else if err := bk.QueryRowContext(ctx, qFamily, s.Database).Scan(&backupFamily); err != nil {
		t.Errorf("backup: family_guid: %v", err)
	} else if strings.EqualFold(rebuilt, backupFamily) {
		t.Errorf("the rebuilt primary's %s is of the backup's database family %s: it is not a reinstalled database", s.Database, rebuilt)
	}
	if _, err := os.Stat(filepath.Join(info.RunDirectory, "journal.jsonl")); err != nil {
		t.Errorf("the failover's journal: %v", err)
	}

	// LyncSim.
	data, err := os.ReadFile(info.Lync.State)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		PersistentChatPools []struct {
			PoolState     string   `json:"poolState"`
			ActiveServers []string `json:"activeServers"`
		} `json:"persistentChatPools"`
		Mirrors []struct {
			DatabaseName string `json:"databaseName"`
			Principal    struct {
				SQLServerFqdn string `json:"sqlServerFqdn"`
			} `json:"principal"`
			Mirror struct {
				SQLServerFqdn string `json:"sqlServerFqdn"`
			} `json:"mirror"`
		} `json:"mirrors"`
		SQLServers []struct {
			FQDN   string `json:"fqdn"`
			Online bool   `json:"online"`
		} `json:"sqlServers"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("LyncSim state: %v", err)
	}
	if len(st.PersistentChatPools) != 1 || st.PersistentChatPools[0].PoolState != "FailedOver" || len(st.PersistentChatPools[0].ActiveServers) == 0 {
		t.Fatalf("LyncSim pool = %+v, want FailedOver with active servers", st.PersistentChatPools)
	}
	for _, a := range st.PersistentChatPools[0].ActiveServers {
		if info.Lync.DataCenters[a] != s.Lync.BackupDataCenter {
			t.Errorf("active server %s is in %q, want %s", a, info.Lync.DataCenters[a], s.Lync.BackupDataCenter)
		}
	}
	mirrored := false
	for _, m := range st.Mirrors {
		mirrored = mirrored || (m.DatabaseName == s.Database && strings.HasPrefix(m.Principal.SQLServerFqdn, "sqlpcbak.") && strings.HasPrefix(m.Mirror.SQLServerFqdn, "sqlpcbakmir."))
	}
	if !mirrored {
		t.Errorf("LyncSim: the backup store is not mirrored: %+v", st.Mirrors)
	}
	for _, m := range st.Mirrors {
		if strings.HasPrefix(m.Principal.SQLServerFqdn, "sqlpcpri.") {
			t.Errorf("LyncSim: the rebuilt primary is still mirrored: %+v", m)
		}
	}
	for _, sq := range st.SQLServers {
		if !sq.Online {
			t.Errorf("LyncSim: SQL Server %s is offline; the rebuilt site's servers should be online", sq.FQDN)
		}
	}

	// The ready failback request.
	if info.FailbackRequest == "" {
		t.Fatal("lab.json has no failbackRequest")
	}
	data, err = os.ReadFile(info.FailbackRequest)
	if err != nil {
		t.Fatal(err)
	}
	for _, ii := range info.Instances {
		if strings.Contains(string(data), ii.Password) {
			t.Fatal("the failback request contains a password")
		}
	}
	var req struct {
		RunDirectory       string
		PrimarySqlInstance *struct {
			Port        int
			PasswordEnv string
		}
		Failback *struct {
			ActiveServers     []string
			PrimaryDataCenter string
			MirrorFileShare   string
		}
	}
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatalf("failback request: %v", err)
	}
	if req.RunDirectory != info.RunDirectory || req.PrimarySqlInstance == nil || req.PrimarySqlInstance.Port != info.Instances[lab.RolePrimary].Port ||
		info.Env[req.PrimarySqlInstance.PasswordEnv] != info.Instances[lab.RolePrimary].Password {
		t.Errorf("failback request: runDirectory %q, primarySqlInstance %+v", req.RunDirectory, req.PrimarySqlInstance)
	}
	if req.Failback == nil || len(req.Failback.ActiveServers) == 0 || req.Failback.PrimaryDataCenter != s.Lync.PrimaryDataCenter || !strings.HasPrefix(req.Failback.MirrorFileShare, `\\`) {
		t.Fatalf("failback request section = %+v", req.Failback)
	}
	for _, a := range req.Failback.ActiveServers {
		if info.Lync.DataCenters[a] != s.Lync.PrimaryDataCenter {
			t.Errorf("failback active server %s is in %q, want %s", a, info.Lync.DataCenters[a], s.Lync.PrimaryDataCenter)
		}
	}
}
