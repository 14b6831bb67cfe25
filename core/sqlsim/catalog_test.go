package sqlsim

import (
	"context"
	"slices"
	"testing"
	"time"

	"pcfailover/core/sqlsim/tds"
)

// The exact queries of sql-log-shipping.md §1.1, §3.3, §3.5 and §5.
const (
	preflightQuery = `SELECT s.secondary_id, s.primary_server, s.primary_database, s.backup_source_directory,
       s.backup_destination_directory, s.file_retention_period, s.copy_job_id, s.restore_job_id,
       s.monitor_server, s.last_copied_file, s.last_copied_date,
       d.secondary_database, d.restore_delay, d.restore_all, d.restore_mode, d.disconnect_users,
       d.last_restored_file, d.last_restored_date,
       m.last_copied_date_utc, m.last_restored_date_utc, m.last_restored_latency, m.restore_threshold
FROM msdb.dbo.log_shipping_secondary AS s
JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id
LEFT JOIN msdb.dbo.log_shipping_monitor_secondary AS m
       ON m.secondary_id = s.secondary_id AND m.secondary_database = d.secondary_database
WHERE d.secondary_database = @db;`

	dbatoolsQuery = `SELECT lss.primary_server, lss.primary_database, lsd.secondary_database, lss.backup_source_directory,
       lss.backup_destination_directory, lss.last_copied_file, lss.last_copied_date,
       lsd.last_restored_file, sj1.name AS 'copyjob', sj2.name AS 'restorejob'
FROM msdb.dbo.log_shipping_secondary AS lss
  INNER JOIN msdb.dbo.log_shipping_secondary_databases AS lsd ON lsd.secondary_id = lss.secondary_id
  INNER JOIN msdb.dbo.sysjobs AS sj1 ON sj1.job_id = lss.copy_job_id
  INNER JOIN msdb.dbo.sysjobs AS sj2 ON sj2.job_id = lss.restore_job_id
WHERE lsd.secondary_database = 'mgc'`

	sessionsQuery = `SELECT s.session_id, s.login_name, s.host_name, s.program_name, s.status, s.login_time, s.is_user_process
FROM sys.dm_exec_sessions AS s
WHERE s.database_id = DB_ID(N'mgc') AND s.session_id <> @@SPID AND s.is_user_process = 1
UNION
SELECT s.session_id, s.login_name, s.host_name, s.program_name, s.status, s.login_time, s.is_user_process
FROM sys.dm_tran_locks AS l JOIN sys.dm_exec_sessions AS s ON s.session_id = l.request_session_id
WHERE l.resource_database_id = DB_ID(N'mgc') AND s.session_id <> @@SPID AND s.is_user_process = 1;`

	lastRestoreQuery = `SELECT TOP (1) rh.restore_date, rh.restore_type, rh.recovery,
       bs.first_lsn, bs.last_lsn, bs.database_backup_lsn, bs.backup_start_date, bs.backup_finish_date,
       bmf.physical_device_name
FROM msdb.dbo.restorehistory rh
JOIN msdb.dbo.backupset bs ON bs.backup_set_id = rh.backup_set_id
JOIN msdb.dbo.backupmediafamily bmf ON bmf.media_set_id = bs.media_set_id
WHERE rh.destination_database_name = N'mgc'
ORDER BY rh.restore_history_id DESC;`

	frkLSNQuery = `SELECT CAST(f.redo_start_lsn AS NUMERIC(25, 0)) AS redo
FROM master.sys.databases d JOIN master.sys.master_files f ON d.database_id = f.database_id
WHERE d.name = @db AND f.file_id = 1;`

	continuableQuery = `SELECT DB_NAME(database_id) AS 'Database', MIN(differential_base_lsn) AS differential_base_lsn,
       MIN(redo_start_lsn) AS redo_start_lsn, redo_start_fork_guid AS 'FirstRecoveryForkID'
FROM sys.master_files WHERE redo_start_lsn IS NOT NULL GROUP BY database_id, redo_start_fork_guid`

	agentQuery = `SELECT COUNT(*) AS AgentCount FROM master.dbo.sysprocesses WITH (NOLOCK) WHERE program_name LIKE 'SQLAgent%'`

	sqlProcessesQuery = `SELECT spid FROM sys.sysprocesses WHERE dbid = DB_ID(N'mgc') AND spid <> @@SPID`
)

func TestToolQueries(t *testing.T) {
	p := newPair(t, false)
	l1 := p.logBackup(t, 5, baseTime)
	ctx := context.Background()
	if err := p.secondary.RestoreLog(ctx, "mgc", l1, RestoreOptions{Mode: NoRecovery}); err != nil {
		t.Fatal(err)
	}
	s := login(t, p.secondary, "sa", "master")
	h, _ := ReadBackupHeader(l1)

	w := rpc(t, s, "sp_executesql", executesql(preflightQuery, "@db", "mgc")...)
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	if len(w.rows(t)) != 1 || w.col(t, "backup_source_directory") != p.share || w.col(t, "restore_all") != true ||
		w.col(t, "restore_mode") != false || w.col(t, "restore_threshold") != int64(45) || w.col(t, "last_restored_file") != nil {
		t.Fatalf("preflight row %v", w.sets[0])
	}
	w = mustOK(t, s, dbatoolsQuery)
	if w.col(t, "copyjob") != "LSCopy_SQLPRIMARY_mgc" || w.col(t, "restorejob") != "LSRestore_SQLPRIMARY_mgc" {
		t.Fatalf("dbatools row %v", w.rows(t))
	}
	w = mustOK(t, s, lastRestoreQuery)
	if w.col(t, "restore_type") != "L" || w.col(t, "last_lsn") != h.LastLSN.String() || w.col(t, "physical_device_name") != l1 ||
		w.col(t, "recovery") != false {
		t.Fatalf("last restore %v", w.rows(t))
	}
	w = rpc(t, s, "sp_executesql", executesql(frkLSNQuery, "@db", "mgc")...)
	if w.col(t, "redo") != h.LastLSN.String() || w.sets[0].cols[0].Type != tds.TypeNumeric {
		t.Fatalf("redo_start_lsn %v", w.sets)
	}
	w = mustOK(t, s, continuableQuery)
	if len(w.rows(t)) != 1 || w.col(t, "Database") != "mgc" || w.col(t, "redo_start_lsn") != h.LastLSN.String() {
		t.Fatalf("continuable %v", w.rows(t))
	}
	w = mustOK(t, s, agentQuery)
	if w.col(t, "AgentCount") != int64(2) {
		t.Fatalf("agent sessions %v", w.rows(t))
	}
	w = mustOK(t, s, "SELECT name, state_desc, is_in_standby, user_access_desc, recovery_model_desc FROM sys.databases WHERE name = N'mgc'")
	if w.col(t, "state_desc") != "RESTORING" || w.col(t, "is_in_standby") != false || w.col(t, "user_access_desc") != "MULTI_USER" {
		t.Fatalf("sys.databases %v", w.rows(t))
	}
	w = mustOK(t, s, "SELECT r.family_guid, r.last_log_backup_lsn FROM sys.database_recovery_status AS r WHERE r.database_id = DB_ID('mgc')")
	if w.col(t, "family_guid") != sqlGUID(h.FamilyGUID) {
		t.Fatalf("family %v", w.rows(t))
	}
	w = mustOK(t, s, "SELECT @@SPID AS spid, @@SERVERNAME AS srv, IS_SRVROLEMEMBER('sysadmin') AS sa, HAS_PERMS_BY_NAME(NULL, NULL, 'ALTER ANY CONNECTION') AS kill, CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS v")
	if w.col(t, "spid") != int64(s.spid) || w.col(t, "srv") != `SQLBACKUP\PCHAT` || w.col(t, "sa") != int64(1) || w.col(t, "kill") != int64(1) ||
		w.col(t, "v") != "12.0.6024.0" {
		t.Fatalf("identity row %v", w.rows(t))
	}
	w = mustOK(t, s, "SELECT m.mirroring_guid FROM sys.database_mirroring m WHERE m.database_id = DB_ID(N'mgc')")
	if w.col(t, "mirroring_guid") != nil {
		t.Fatalf("mirroring %v", w.rows(t))
	}
}

func TestSessionQueries(t *testing.T) {
	p := newPair(t, true)
	s := login(t, p.secondary, "sa", "master")
	app, err := p.secondary.OpenAppSession("mgc", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	// A session in master holding an application lock in mgc is found through dm_tran_locks.
	locker := login(t, p.secondary, "sa", "mgc")
	w := mustOK(t, locker, "DECLARE @r int; EXEC @r = sp_getapplock @Resource = N'pcfailover', @LockMode = 'Exclusive', @LockOwner = 'Session'; SELECT @r AS r; USE master")
	if w.col(t, "r") != int64(0) {
		t.Fatalf("getapplock %v", w.rows(t))
	}
	w = mustOK(t, s, sessionsQuery)
	var got []int64
	for _, r := range w.rows(t) {
		got = append(got, r[0].(int64))
	}
	slices.Sort(got)
	want := []int64{int64(app.SPID()), int64(locker.spid)}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("sessions %v, want %v", got, want)
	}
	w = mustOK(t, s, sqlProcessesQuery)
	if len(w.rows(t)) != 1 || w.rows(t)[0][0] != int64(app.SPID()) {
		t.Fatalf("sysprocesses %v", w.rows(t))
	}
	w = rpc(t, s, "sp_who2")
	found := false
	for _, r := range w.rows(t) {
		if r[5] == "mgc" && r[10] == "Persistent Chat Server" {
			found = true
		}
	}
	if !found || len(w.sets[0].cols) != 13 || w.sets[0].cols[11].Name != "SPID" || w.status[0] != 0 {
		t.Fatalf("sp_who2 %v", w.sets[0])
	}
	w = mustOK(t, s, "SELECT session_id, command, database_id FROM sys.dm_exec_requests WHERE session_id = @@SPID")
	if w.col(t, "command") != "SELECT" {
		t.Fatalf("requests %v", w.rows(t))
	}
}

func TestSelectSurface(t *testing.T) {
	in := newInstance(t, "SQLSIM")
	in.CreateDatabase("mgc", nil)
	in.Commit("mgc", 3)
	s := login(t, in, "sa", "master")
	cases := []struct {
		sql  string
		want [][]any
	}{
		{"SELECT 1", [][]any{{int64(1)}}},
		{"select N'it''s' AS [a]]b]", [][]any{{"it's"}}},
		{"SELECT TOP (2) name FROM sys.databases ORDER BY database_id DESC", [][]any{{"mgc"}, {"msdb"}}},
		{"SELECT name FROM sys.databases WHERE name LIKE 'm%' AND database_id > 1 ORDER BY name", [][]any{{"mgc"}, {"model"}, {"msdb"}}},
		{"SELECT COUNT(*) FROM sys.databases WHERE name IN ('master', 'mgc')", [][]any{{int64(2)}}},
		{"/* c */ SELECT id FROM mgc.dbo.tblChatTxn WHERE id BETWEEN 2 AND 3 -- tail", [][]any{{int64(2)}, {int64(3)}}},
		{"SELECT CASE WHEN 1 = 1 THEN 'y' ELSE 'n' END", [][]any{{"y"}}},
		{"DECLARE @x nvarchar(10) = N'mgc'; SELECT DB_ID(@x) - DB_ID(N'msdb')", [][]any{{int64(1)}}},
		{"SELECT QUOTENAME(N'a]b')", [][]any{{"[a]]b]"}}},
		{"SELECT DISTINCT type_desc FROM sys.master_files ORDER BY type_desc", [][]any{{"LOG"}, {"ROWS"}}},
		{"SELECT ISNULL(NULL, 5), COALESCE(NULL, NULL, 'z')", [][]any{{int64(5), "z"}}},
		{"SELECT name FROM sys.databases WHERE name LIKE N'%[_]drill[_]%'", nil},
		{"SELECT f.name, f.state_desc FROM [mgc].sys.database_files AS f", [][]any{{"mgc", "ONLINE"}, {"mgc_log", "ONLINE"}}},
		{"SELECT CASE WHEN N'mgc_drill_1' LIKE N'%[_]drill[_]%' THEN 1 ELSE 0 END, CASE WHEN N'mgcxdrillx' LIKE N'%[_]drill[_]%' THEN 1 ELSE 0 END", [][]any{{int64(1), int64(0)}}},
	}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			w := mustOK(t, s, c.sql)
			if got := w.rows(t); !slices.EqualFunc(got, c.want, func(a, b []any) bool { return slices.Equal(a, b) }) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	errs := []struct {
		sql  string
		want int32
	}{
		{"SELECT * FROM sys.nothing", 208},
		{"SELECT nope FROM sys.databases", 207},
		{"SELECT @undeclared", 137},
		{"SELECT FOO(1)", 195},
		{"SELECT name FROM sys.databases d RIGHT JOIN sys.master_files f ON 1 = 1", 102},
		{"SELECT * FROM msdb.dbo.log_shipping_secondary WHERE secondary_id IN (SELECT 1)", 102},
		{"SELECT * FROM log_shipping_secondary", 208},
	}
	for _, c := range errs {
		w := run(t, s, c.sql)
		if len(w.errs) == 0 || w.errs[0].Number != c.want {
			t.Errorf("%s: errors %v, want %d", c.sql, w.errs, c.want)
		}
	}
}

func TestStatementLog(t *testing.T) {
	in := newInstance(t, "SQLSIM")
	s := login(t, in, "sa", "master")
	evil := "x'; DROP DATABASE msdb; --"
	w := rpc(t, s, "sp_executesql", executesql("SELECT name FROM sys.databases WHERE name = @n", "@n", evil)...)
	if len(w.errs) > 0 || len(w.rows(t)) != 0 {
		t.Fatalf("parameter treated as code: %v %v", w.errs, w.sets)
	}
	recs := in.Statements()
	last := recs[len(recs)-1]
	if last.Text != "SELECT name FROM sys.databases WHERE name = @n" || last.Params[2].Value != evil {
		t.Fatalf("statement log %+v", last)
	}
	if _, ok := in.Database("msdb"); !ok {
		t.Fatal("msdb dropped")
	}
}

func TestAppLocks(t *testing.T) {
	in := newInstance(t, "SQLSIM")
	a := login(t, in, "sa", "master")
	b := login(t, in, "sa", "master")
	get := func(s *session, timeout int64) int64 {
		w := rpc(t, s, "sp_getapplock", tds.Param{Name: "@Resource", Value: "pcfailover:pool"}, tds.Param{Name: "@LockMode", Value: "Exclusive"},
			tds.Param{Name: "@LockOwner", Value: "Session"}, tds.Param{Name: "@LockTimeout", Value: timeout})
		if len(w.status) != 1 {
			t.Fatalf("no status %v", w.errs)
		}
		return int64(w.status[0])
	}
	if r := get(a, 0); r != 0 {
		t.Fatalf("first get %d", r)
	}
	if r := get(b, 0); r != -1 {
		t.Fatalf("second get %d", r)
	}
	done := make(chan int64)
	go func() {
		w := &recWriter{}
		b.RPC(context.Background(), "sp_getapplock", []tds.Param{{Name: "@Resource", Value: "pcfailover:pool"}, {Name: "@LockMode", Value: "Exclusive"},
			{Name: "@LockOwner", Value: "Session"}, {Name: "@LockTimeout", Value: int64(10000)}}, w)
		done <- int64(w.status[0])
	}()
	// b is now waiting: its blocker shows in sysprocesses.
	deadline := time.Now().Add(5 * time.Second)
	for {
		w := mustOK(t, a, "SELECT blocked FROM sys.sysprocesses WHERE spid = "+itoa(b.spid))
		if w.rows(t)[0][0] == int64(a.spid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("waiter never blocked")
		}
		time.Sleep(5 * time.Millisecond)
	}
	a.Close() // session end releases the lock
	if r := <-done; r != 1 {
		t.Fatalf("waiter got %d, want 1 (granted after wait)", r)
	}
	w := rpc(t, b, "sp_releaseapplock", tds.Param{Name: "@Resource", Value: "pcfailover:pool"}, tds.Param{Name: "@LockOwner", Value: "Session"})
	if w.status[0] != 0 {
		t.Fatalf("release %v", w.errs)
	}
	w = rpc(t, b, "sp_releaseapplock", tds.Param{Name: "@Resource", Value: "pcfailover:pool"}, tds.Param{Name: "@LockOwner", Value: "Session"})
	if w.status[0] != -999 || w.errs[0].Number != 1223 {
		t.Fatalf("double release %v %v", w.status, w.errs)
	}
}

func TestAppLockResourceIsCaseSensitive(t *testing.T) {
	in := newInstance(t, "SQLSIM")
	a := login(t, in, "sa", "master")
	b := login(t, in, "sa", "master")
	q := "DECLARE @r int; EXEC @r = sp_getapplock @Resource = @res, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0; SELECT @r AS r"
	get := func(s *session, res string) any {
		w := rpc(t, s, "sp_executesql", executesql(q, "@res", res)...)
		return w.col(t, "r")
	}
	if get(a, "PCFailover") != int64(0) || get(b, "pcfailover") != int64(0) || get(b, "PCFailover") != int64(-1) {
		t.Fatal("resource names must compare in binary")
	}
}

func TestSnapshotUnchangedByReads(t *testing.T) {
	p := newPair(t, false)
	p.logBackup(t, 2, baseTime)
	before, err := p.secondary.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	s := login(t, p.secondary, "sa", "master")
	rpc(t, s, "sp_executesql", executesql(preflightQuery, "@db", "mgc")...)
	for _, q := range []string{sessionsQuery, lastRestoreQuery, continuableQuery, agentQuery, "EXEC msdb.dbo.sp_help_job", "EXEC sp_who2",
		"RESTORE HEADERONLY FROM DISK = '" + p.fullPath + "'"} {
		mustOK(t, s, q)
	}
	after, _ := p.secondary.Snapshot()
	if string(before) != string(after) {
		t.Fatal("read-only statements changed the snapshot")
	}
	if err := p.secondary.RestoreDatabase(context.Background(), "mgc", "", RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	changed, _ := p.secondary.Snapshot()
	if string(changed) == string(after) {
		t.Fatal("recovery did not change the snapshot")
	}
}
