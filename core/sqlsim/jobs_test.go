package sqlsim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/sqlsim/tds"
)

// fakeClock is a controllable Clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClockedPair(t *testing.T) (*pair, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: baseTime}
	p := &pair{}
	dir := t.TempDir()
	mk := func(name string) *Instance {
		in := NewInstance(Config{Name: name, Logins: map[string]string{"sa": testPassword}, Sysadmins: []string{"sa"}, Clock: clk.now, DataBytes: 32 << 10})
		t.Cleanup(in.Close)
		return in
	}
	p.primary, p.secondary = mk("SQLPRIMARY"), mk("SQLBACKUP")
	p.share, p.copyDir = filepath.Join(dir, "share"), filepath.Join(dir, "copy")
	os.MkdirAll(p.share, 0o755)
	os.MkdirAll(p.copyDir, 0o755)
	ctx := context.Background()
	p.primary.CreateDatabase("mgc", nil)
	p.primary.Commit("mgc", 10)
	p.fullPath = filepath.Join(dir, "full.bak")
	if _, err := p.primary.BackupDatabase(ctx, "mgc", p.fullPath); err != nil {
		t.Fatal(err)
	}
	if err := p.secondary.RestoreDatabase(ctx, "mgc", p.fullPath, RestoreOptions{Mode: NoRecovery}); err != nil {
		t.Fatal(err)
	}
	if err := p.primary.ConfigureLogShippingPrimary(PrimaryConfig{Database: "mgc", BackupDirectory: p.share, BackupShare: p.share}); err != nil {
		t.Fatal(err)
	}
	if err := p.secondary.ConfigureLogShippingSecondary(SecondaryConfig{PrimaryServer: "SQLPRIMARY", PrimaryDatabase: "mgc",
		SecondaryDatabase: "mgc", BackupSourceDirectory: p.share, BackupDestinationDirectory: p.copyDir}); err != nil {
		t.Fatal(err)
	}
	return p, clk
}

func TestLogShippingJobs(t *testing.T) {
	p, clk := newClockedPair(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		p.primary.Commit("mgc", 4)
		if err := p.primary.RunJob(ctx, "LSBackup_mgc"); err != nil {
			t.Fatal(err)
		}
		clk.add(15 * time.Minute)
	}
	shareFiles, _ := lsFiles(p.share, "mgc")
	if len(shareFiles) != 3 || shareFiles[0] != "mgc_20260301120000.trn" {
		t.Fatalf("share %v", shareFiles)
	}
	if err := p.secondary.RunJob(ctx, "LSCopy_SQLPRIMARY_mgc"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(p.copyDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, shareFiles) {
		t.Fatalf("copy folder %v (no .wrk may remain)", names)
	}
	if err := p.secondary.RunJob(ctx, "LSRestore_SQLPRIMARY_mgc"); err != nil {
		t.Fatal(err)
	}
	st, _ := p.secondary.Database("mgc")
	if st.Txn != 22 || st.State != "RESTORING" {
		t.Fatalf("secondary %+v", st)
	}
	s := login(t, p.secondary, "sa", "master")
	w := mustOK(t, s, "SELECT s.last_copied_file, d.last_restored_file, m.last_restored_latency FROM msdb.dbo.log_shipping_secondary s JOIN msdb.dbo.log_shipping_secondary_databases d ON d.secondary_id = s.secondary_id JOIN msdb.dbo.log_shipping_monitor_secondary m ON m.secondary_id = s.secondary_id")
	last := filepath.Join(p.copyDir, shareFiles[2])
	if w.col(t, "last_copied_file") != last || w.col(t, "last_restored_file") != last || w.col(t, "last_restored_latency") != int64(15) {
		t.Fatalf("msdb %v", w.rows(t))
	}
	w = mustOK(t, s, "SELECT COUNT(*) FROM msdb.dbo.restorehistory WHERE destination_database_name = 'mgc' AND restore_type = 'L'")
	if w.rows(t)[0][0] != int64(3) {
		t.Fatalf("restorehistory %v", w.rows(t))
	}
	// A second run restores nothing new and succeeds; a job outcome is in sp_help_job.
	if err := p.secondary.RunJob(ctx, "LSRestore_SQLPRIMARY_mgc"); err != nil {
		t.Fatal(err)
	}
	w = mustOK(t, s, "EXEC msdb.dbo.sp_help_job @job_name = N'LSRestore_SQLPRIMARY_mgc'")
	if w.sets[0].rows[0][21] != int64(1) || w.sets[0].rows[0][25] != int64(4) {
		t.Fatalf("sp_help_job outcome/status %v", w.sets[0].rows[0])
	}
	// A gap: delete the next file from the copy folder after one more backup pair.
	p.primary.Commit("mgc", 1)
	p.primary.RunJob(ctx, "LSBackup_mgc")
	clk.add(15 * time.Minute)
	p.primary.Commit("mgc", 1)
	p.primary.RunJob(ctx, "LSBackup_mgc")
	p.secondary.RunJob(ctx, "LSCopy_SQLPRIMARY_mgc")
	files, _ := lsFiles(p.copyDir, "mgc")
	os.Remove(filepath.Join(p.copyDir, files[3]))
	err := p.secondary.RunJob(ctx, "LSRestore_SQLPRIMARY_mgc")
	if err == nil || !strings.Contains(err.Error(), "too recent") {
		t.Fatalf("gap: %v", err)
	}
	w = mustOK(t, s, "SELECT TOP 1 message FROM msdb.dbo.log_shipping_monitor_error_detail ORDER BY sequence_number DESC")
	if !strings.Contains(w.rows(t)[0][0].(string), "too recent") {
		t.Fatalf("error detail %v", w.rows(t))
	}
}

func TestStartJobAndDisable(t *testing.T) {
	p, _ := newClockedPair(t)
	s := login(t, p.secondary, "sa", "msdb")
	mustOK(t, s, "EXEC dbo.sp_update_job @job_name = N'LSCopy_SQLPRIMARY_mgc', @enabled = 0")
	w := mustOK(t, s, "SELECT enabled FROM msdb.dbo.sysjobs WHERE name = N'LSCopy_SQLPRIMARY_mgc'")
	if w.rows(t)[0][0] != int64(0) {
		t.Fatalf("not disabled: %v", w.rows(t))
	}
	w = mustOK(t, s, "EXEC sp_start_job @job_name = N'LSCopy_SQLPRIMARY_mgc'")
	if w.infos[0].Text != "Job 'LSCopy_SQLPRIMARY_mgc' started successfully." {
		t.Fatalf("start %v", w.infos)
	}
	if err := p.secondary.WaitJob(context.Background(), "LSCopy_SQLPRIMARY_mgc"); err != nil {
		t.Fatal(err)
	}
	w = mustOK(t, s, "SELECT a.start_execution_date, a.stop_execution_date FROM msdb.dbo.sysjobactivity a JOIN msdb.dbo.sysjobs j ON j.job_id = a.job_id WHERE j.name = N'LSCopy_SQLPRIMARY_mgc'")
	if len(w.rows(t)) != 1 || w.rows(t)[0][1] == nil {
		t.Fatalf("activity %v", w.rows(t))
	}
	w = run(t, s, "EXEC sp_start_job @job_name = N'nope'")
	if !slices.Equal(w.errNums(), []int32{14262}) {
		t.Fatalf("unknown job %v", w.errs)
	}
	p.secondary.SetAgentRunning(false)
	w = run(t, s, "EXEC sp_start_job @job_name = N'LSCopy_SQLPRIMARY_mgc'")
	if !slices.Equal(w.errNums(), []int32{22022}) {
		t.Fatalf("agent stopped %v", w.errs)
	}
}

func TestDeleteLogShippingSecondaryTwice(t *testing.T) {
	p, _ := newClockedPair(t)
	s := login(t, p.secondary, "sa", "master")
	before, _ := p.secondary.Snapshot()
	w := mustOK(t, s, "exec sp_delete_log_shipping_secondary_database mgc")
	_ = w
	for _, q := range []string{"SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary", "SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary_databases",
		"SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_secondary", "SELECT COUNT(*) FROM msdb.dbo.sysjobs"} {
		if n := mustOK(t, s, q).rows(t)[0][0]; n != int64(0) {
			t.Fatalf("%s = %v", q, n)
		}
	}
	w = rpc(t, s, "master.dbo.sp_delete_log_shipping_secondary_database", tds.Param{Name: "@secondary_database", Value: "mgc"})
	if !slices.Equal(w.errNums(), []int32{32014}) || w.errs[0].Text != "Database mgc does not exist as log shipping secondary." ||
		w.errs[0].Class != 16 || w.status[0] != 1 {
		t.Fatalf("second call %v status %v", w.errs, w.status)
	}
	after, _ := p.secondary.Snapshot()
	if string(before) == string(after) {
		t.Fatal("snapshot did not change")
	}
	st, _ := p.secondary.Database("mgc")
	if st.State != "RESTORING" {
		t.Fatalf("database touched: %+v", st)
	}
	reader := p.secondary
	_ = reader
	plain := NewInstance(Config{Name: "X", Logins: map[string]string{"u": testPassword}})
	defer plain.Close()
	ps, _ := plain.Login(context.Background(), tds.LoginRequest{User: "u", Password: testPassword})
	defer ps.Close()
	w2 := &recWriter{}
	ps.Batch(context.Background(), "EXEC sp_delete_log_shipping_secondary_database @secondary_database = N'mgc'", w2)
	if !slices.Equal(w2.errNums(), []int32{229}) {
		t.Fatalf("non-sysadmin %v", w2.errs)
	}
}

func TestKillThenRecoverRace(t *testing.T) {
	p, _ := newClockedPair(t)
	ctx := context.Background()
	if err := p.secondary.RestoreDatabase(ctx, "mgc", "", RestoreOptions{Mode: Standby, StandbyFile: filepath.Join(t.TempDir(), "u.tuf")}); err != nil {
		t.Fatal(err)
	}
	app, err := p.secondary.OpenAppSession("mgc", 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	s := login(t, p.secondary, "sa", "master")
	first := app.SPID()
	mustOK(t, s, "KILL "+itoa(first))
	// Wait for the reconnect, then RECOVERY loses the race: 3101.
	deadline := time.Now().Add(5 * time.Second)
	for app.Reconnects() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("app session never reconnected")
		}
		time.Sleep(2 * time.Millisecond)
	}
	w := run(t, s, "RESTORE DATABASE mgc WITH RECOVERY")
	if !slices.Equal(w.errNums(), []int32{3101, 3013}) {
		t.Fatalf("recovery with reconnected app: %v", w.errs)
	}
	// Kill and recover in one batch: wins.
	mustOK(t, s, "KILL "+itoa(app.SPID())+"; RESTORE DATABASE mgc WITH RECOVERY")
	st, _ := p.secondary.Database("mgc")
	if st.State != "ONLINE" {
		t.Fatalf("state %+v", st)
	}
}

func TestFaults(t *testing.T) {
	p, _ := newClockedPair(t)
	s := login(t, p.secondary, "sa", "master")
	if err := p.secondary.AddFault(Fault{Match: `^RESTORE DATABASE`, Times: 1, Error: 3101}); err != nil {
		t.Fatal(err)
	}
	w := run(t, s, "RESTORE DATABASE mgc WITH RECOVERY")
	if !slices.Equal(w.errNums(), []int32{3101, 3013}) {
		t.Fatalf("fault %v", w.errs)
	}
	if st, _ := p.secondary.Database("mgc"); st.State != "RESTORING" {
		t.Fatal("faulted statement ran")
	}
	p.secondary.AddFault(Fault{Match: "sp_who2", Drop: true})
	err := s.RPC(context.Background(), "sp_who2", nil, &recWriter{})
	if !errors.Is(err, errKilled) {
		t.Fatalf("drop: %v", err)
	}
	p.secondary.ClearFaults()
	p.secondary.AddFault(Fault{Match: "SELECT", Stall: time.Hour})
	s2 := login(t, p.secondary, "sa", "master")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s2.Batch(ctx, "SELECT 1", &recWriter{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stall: %v", err)
	}
	p.secondary.ClearFaults()
	p.secondary.AddFault(Fault{Match: "SELECT", Down: true})
	if err := s2.Batch(context.Background(), "SELECT 1", &recWriter{}); err == nil {
		t.Fatal("down: batch succeeded")
	}
	if _, err := p.secondary.Login(context.Background(), tds.LoginRequest{User: "sa", Password: testPassword}); !errors.Is(err, ErrInstanceDown) {
		t.Fatalf("login while down: %v", err)
	}
	if err := p.secondary.RunJob(context.Background(), "LSCopy_SQLPRIMARY_mgc"); !errors.Is(err, ErrInstanceDown) {
		t.Fatalf("job while down: %v", err)
	}
	if err := p.secondary.RestoreDatabase(context.Background(), "mgc", "", RestoreOptions{}); !errors.Is(err, ErrInstanceDown) {
		t.Fatalf("restore while down: %v", err)
	}
	p.secondary.SetDown(false)
	p.secondary.ClearFaults()
	login(t, p.secondary, "sa", "master")
}

func TestLoginFailures(t *testing.T) {
	p, _ := newClockedPair(t)
	_, err := p.secondary.Login(context.Background(), tds.LoginRequest{User: "sa", Password: "wrong"})
	var m *tds.Message
	if !errors.As(err, &m) || m.Number != 18456 || m.Text != "Login failed for user 'sa'." {
		t.Fatalf("bad password: %v", err)
	}
	_, err = p.secondary.Login(context.Background(), tds.LoginRequest{User: "sa", Password: testPassword, Database: "mgc"})
	if !errors.As(err, &m) || m.Number != 4060 {
		t.Fatalf("restoring login db: %v", err)
	}
	if _, err := p.secondary.OpenAppSession("mgc", 0); err == nil {
		t.Fatal("app session opened a RESTORING database")
	} else if e := (*Error)(nil); !errors.As(err, &e) || e.Number() != 927 {
		t.Fatalf("app session error %v", err)
	}
}

func TestRestoreInProgressVisibleAndKillable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	prim := newInstance(t, "SQLPRIMARY")
	prim.CreateDatabase("mgc", nil)
	full := filepath.Join(dir, "full.bak")
	if _, err := prim.BackupDatabase(ctx, "mgc", full); err != nil {
		t.Fatal(err)
	}
	sec := NewInstance(Config{Name: "SQLBACKUP", Logins: map[string]string{"sa": testPassword}, Sysadmins: []string{"sa"}, RestoreMBps: 0.5})
	defer sec.Close()
	restorer := login(t, sec, "sa", "master")
	watcher := login(t, sec, "sa", "master")
	done := make(chan *recWriter)
	go func() {
		w := &recWriter{}
		restorer.Batch(ctx, "RESTORE DATABASE mgc FROM DISK = '"+full+"' WITH NORECOVERY", w)
		done <- w
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		w := mustOK(t, watcher, "SELECT r.command, r.percent_complete FROM sys.dm_exec_requests r WHERE r.database_id = DB_ID(N'mgc') AND r.command LIKE 'RESTORE%'")
		if len(w.rows(t)) == 1 && w.rows(t)[0][1].(float64) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("restore never visible in dm_exec_requests")
		}
		time.Sleep(5 * time.Millisecond)
	}
	w := run(t, watcher, "RESTORE DATABASE mgc WITH RECOVERY")
	if !slices.Equal(w.errNums(), []int32{3101, 3013}) {
		t.Fatalf("concurrent restore: %v", w.errs)
	}
	mustOK(t, watcher, "KILL "+itoa(restorer.spid))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("KILL did not abort the restore")
	}
	st, _ := sec.Database("mgc")
	if st.State != "RESTORING" || !st.RedoStartLSN.IsZero() {
		t.Fatalf("after aborted restore: %+v", st)
	}
	w = run(t, watcher, "RESTORE DATABASE mgc WITH RECOVERY")
	if !slices.Equal(w.errNums(), []int32{4333, 3013}) {
		t.Fatalf("recover after aborted restore: %v", w.errs)
	}
}

func TestRelativeDevicePathRefused(t *testing.T) {
	in := newInstance(t, "SQLSIM")
	in.CreateDatabase("mgc", nil)
	s := login(t, in, "sa", "master")
	for _, q := range []string{`BACKUP DATABASE mgc TO DISK = 'mgc.bak'`, `RESTORE HEADERONLY FROM DISK = 'x.trn'`, `RESTORE LOG mgc FROM DISK = 'rel\x.trn'`} {
		w := run(t, s, q)
		if len(w.errs) != 2 || w.errs[0].Number != 3201 || !strings.Contains(w.errs[0].Text, "Operating system error 3(") {
			t.Errorf("%s: %v", q, w.errs)
		}
	}
}

func TestRestoreJobSettings(t *testing.T) {
	type setup struct {
		name   string
		config func(sd *lsSecondaryDB, sec *lsSecondary)
		check  func(t *testing.T, p *pair, clk *fakeClock, err error)
	}
	cases := []setup{
		{"restore_all = 0 restores one file per run", func(sd *lsSecondaryDB, _ *lsSecondary) { sd.RestoreAll = false },
			func(t *testing.T, p *pair, _ *fakeClock, err error) {
				if st, _ := p.secondary.Database("mgc"); err != nil || st.Txn != 12 {
					t.Fatalf("txn %d err %v", st.Txn, err)
				}
			}},
		{"restore_delay holds back recent files", func(sd *lsSecondaryDB, _ *lsSecondary) { sd.RestoreDelay = 20 },
			func(t *testing.T, p *pair, _ *fakeClock, err error) {
				// Backups finished at 12:00, 12:15 and 12:30; at 12:45 only the first two are 20 minutes old.
				if st, _ := p.secondary.Database("mgc"); err != nil || st.Txn != 14 {
					t.Fatalf("txn %d err %v", st.Txn, err)
				}
			}},
		{"restore_mode = 1 restores WITH STANDBY", func(sd *lsSecondaryDB, _ *lsSecondary) { sd.RestoreMode, sd.DisconnectUsers = true, true },
			func(t *testing.T, p *pair, _ *fakeClock, err error) {
				st, _ := p.secondary.Database("mgc")
				if err != nil || !st.Standby || st.Txn != 16 {
					t.Fatalf("%+v err %v", st, err)
				}
			}},
		{"file retention deletes restored files", func(_ *lsSecondaryDB, sec *lsSecondary) { sec.FileRetentionPeriod = 20 },
			func(t *testing.T, p *pair, _ *fakeClock, err error) {
				files, _ := lsFiles(p.copyDir, "mgc")
				if err != nil || len(files) != 1 {
					t.Fatalf("files left %v err %v", files, err)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, clk := newClockedPair(t)
			ctx := context.Background()
			for i := 0; i < 3; i++ {
				p.primary.Commit("mgc", 2)
				if err := p.primary.RunJob(ctx, "LSBackup_mgc"); err != nil {
					t.Fatal(err)
				}
				clk.add(15 * time.Minute)
			}
			if err := p.secondary.RunJob(ctx, "LSCopy_SQLPRIMARY_mgc"); err != nil {
				t.Fatal(err)
			}
			p.secondary.mu.Lock()
			c.config(p.secondary.msdb.SecondaryDBs[0], p.secondary.msdb.Secondaries[0])
			p.secondary.mu.Unlock()
			c.check(t, p, clk, p.secondary.RunJob(ctx, "LSRestore_SQLPRIMARY_mgc"))
		})
	}
}

func TestCopyJobShareUnreachable(t *testing.T) {
	p, _ := newClockedPair(t)
	os.RemoveAll(p.share)
	err := p.secondary.RunJob(context.Background(), "LSCopy_SQLPRIMARY_mgc")
	if err == nil || !strings.Contains(err.Error(), "Could not find a part of the path") {
		t.Fatalf("copy from a missing share: %v", err)
	}
	s := login(t, p.secondary, "sa", "msdb")
	w := mustOK(t, s, "EXEC dbo.sp_help_job @job_name = N'LSCopy_SQLPRIMARY_mgc'")
	if w.sets[0].rows[0][21] != int64(0) {
		t.Fatalf("last_run_outcome %v", w.sets[0].rows[0][21])
	}
	w = mustOK(t, s, "SELECT run_status, message FROM msdb.dbo.sysjobhistory")
	if w.rows(t)[0][0] != int64(0) {
		t.Fatalf("history %v", w.rows(t))
	}
}

func TestLatencyKnobs(t *testing.T) {
	in := NewInstance(Config{Name: "SQLSIM", Logins: map[string]string{"sa": testPassword}, Sysadmins: []string{"sa"},
		StatementLatency: time.Hour, HeaderLatency: time.Hour})
	defer in.Close()
	s := login(t, in, "sa", "master")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Batch(ctx, "SELECT 1", &recWriter{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("statement latency not applied: %v", err)
	}
}

func TestMonitorProcedures(t *testing.T) {
	p, clk := newClockedPair(t)
	ctx := context.Background()
	p.primary.Commit("mgc", 1)
	p.primary.RunJob(ctx, "LSBackup_mgc")
	p.secondary.RunJob(ctx, "LSCopy_SQLPRIMARY_mgc")
	clk.add(10 * time.Minute)
	p.secondary.RunJob(ctx, "LSRestore_SQLPRIMARY_mgc")
	clk.add(50 * time.Minute)
	s := login(t, p.secondary, "sa", "master")
	w := mustOK(t, s, "EXEC sp_help_log_shipping_monitor")
	if len(w.rows(t)) != 1 || w.col(t, "is_primary") != false || w.col(t, "time_since_last_restore") != int64(50) ||
		w.col(t, "last_restored_latency") != int64(10) || w.col(t, "status") != true {
		t.Fatalf("monitor %v", w.rows(t))
	}
	w = mustOK(t, s, "EXEC master..xp_fileexist N'"+p.copyDir+"'")
	if w.col(t, "File Exists") != int64(0) || w.col(t, "File is a Directory") != int64(1) {
		t.Fatalf("xp_fileexist %v", w.rows(t))
	}
}
