package sqlsim

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pcfailover/core/lsn"
	"pcfailover/core/sqlsim/tds"
)

func TestRestoreLogChainAndErrors(t *testing.T) {
	p := newPair(t, false)
	l1 := p.logBackup(t, 5, baseTime)
	l2 := p.logBackup(t, 7, baseTime.Add(15*60e9))
	l3 := p.logBackup(t, 3, baseTime.Add(30*60e9))
	s := login(t, p.secondary, "sa", "master")

	restore := func(path string) *recWriter {
		return rpc(t, s, "sp_executesql", executesql("RESTORE LOG [mgc] FROM DISK = @p WITH NORECOVERY", "@p", path)...)
	}
	// l2 first: a gap -> 4305 then 3013.
	w := restore(l2)
	if got := w.errNums(); !slices.Equal(got, []int32{4305, 3013}) {
		t.Fatalf("gap: errors %v", w.errs)
	}
	full, _ := ReadBackupHeader(p.fullPath)
	h2, _ := ReadBackupHeader(l2)
	want4305 := "The log in this backup set begins at LSN " + h2.FirstLSN.String() + ", which is too recent to apply to the database. An earlier log backup that includes LSN " + full.LastLSN.String() + " can be restored."
	if w.errs[0].Text != want4305 || w.errs[0].Class != 16 {
		t.Errorf("4305 text:\n got %q\nwant %q", w.errs[0].Text, want4305)
	}
	if w.errs[1].Text != "RESTORE LOG is terminating abnormally." {
		t.Errorf("3013 text %q", w.errs[1].Text)
	}
	if !w.dones[len(w.dones)-1].failed {
		t.Errorf("statement not marked failed")
	}
	// In order: l1, l2 succeed with Processed/successfully messages.
	for _, f := range []string{l1, l2} {
		w := restore(f)
		if len(w.errs) > 0 {
			t.Fatalf("restore %s: %v", f, w.errs)
		}
		var texts []string
		for _, m := range w.infos {
			texts = append(texts, m.Text)
		}
		joined := strings.Join(texts, "\n")
		if !strings.Contains(joined, "Processed 0 pages for database 'mgc', file 'mgc' on file 1.") ||
			!strings.Contains(joined, "file 'mgc_log' on file 1.") || !strings.Contains(joined, "RESTORE LOG successfully processed") {
			t.Errorf("restore messages: %s", joined)
		}
	}
	// l1 again: already applied -> 4326.
	w = restore(l1)
	if got := w.errNums(); !slices.Equal(got, []int32{4326, 3013}) {
		t.Fatalf("re-apply: %v", w.errs)
	}
	st, _ := p.secondary.Database("mgc")
	if st.State != "RESTORING" || st.Txn != 22 || st.RedoStartLSN != h2.LastLSN {
		t.Fatalf("after l2: %+v", st)
	}
	// Recover with the last file still unapplied, then RESTORE LOG -> 3117.
	mustOK(t, s, "RESTORE LOG mgc WITH RECOVERY")
	w = restore(l3)
	if got := w.errNums(); !slices.Equal(got, []int32{3117, 3013}) {
		t.Fatalf("log on recovered db: %v", w.errs)
	}
	w = run(t, s, "RESTORE DATABASE mgc WITH RECOVERY")
	if got := w.errNums(); !slices.Equal(got, []int32{3153, 3013}) || w.errs[0].Text != "The database is already fully recovered." ||
		w.errs[1].Text != "RESTORE DATABASE is terminating abnormally." {
		t.Fatalf("second recovery: %v", w.errs)
	}
	w = mustOK(t, s, "SELECT MAX(id) AS n FROM mgc.dbo.tblChatTxn")
	if n := w.col(t, "n"); n != int64(22) {
		t.Fatalf("MAX(id) = %v", n)
	}
}

func TestRestoreErrors(t *testing.T) {
	p := newPair(t, false)
	l1 := p.logBackup(t, 5, baseTime)
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.trn")
	garbage := filepath.Join(dir, "garbage.trn")
	os.WriteFile(garbage, []byte("this is not a backup file at all"), 0o644)
	truncated := filepath.Join(dir, "trunc.trn")
	data, _ := os.ReadFile(l1)
	os.WriteFile(truncated, data[:len(data)-100], 0o644)
	damaged := filepath.Join(dir, "damaged.trn")
	d2 := append([]byte(nil), data...)
	d2[len(d2)-30] ^= 0xFF
	os.WriteFile(damaged, d2, 0o644)
	headerHit := filepath.Join(dir, "hdr.trn")
	d3 := append([]byte(nil), data...)
	d3[20] ^= 0x01
	os.WriteFile(headerHit, d3, 0o644)

	s := login(t, p.secondary, "sa", "master")
	cases := []struct {
		name string
		sql  string
		want []int32
		text string
	}{
		{"missing file", "RESTORE LOG mgc FROM DISK = '" + missing + "' WITH NORECOVERY", []int32{3201, 3013},
			"Cannot open backup device '" + missing + "'. Operating system error 2(The system cannot find the file specified.)."},
		{"missing folder", "RESTORE LOG mgc FROM DISK = '" + filepath.Join(dir, "x", "y.trn") + "' WITH NORECOVERY", []int32{3201, 3013},
			"Operating system error 3(The system cannot find the path specified.)."},
		{"not a backup", "RESTORE LOG mgc FROM DISK = '" + garbage + "' WITH NORECOVERY", []int32{3241, 3013},
			"The media family on device '" + garbage + "' is incorrectly formed. SQL Server cannot process this media family."},
		{"header altered", "RESTORE HEADERONLY FROM DISK = '" + headerHit + "'", []int32{3241, 3013}, "incorrectly formed"},
		{"truncated", "RESTORE LOG mgc FROM DISK = '" + truncated + "' WITH NORECOVERY", []int32{3203, 3013},
			"Read on \"" + truncated + "\" failed: 38(Reached the end of the file.)"},
		{"damaged page", "RESTORE LOG mgc FROM DISK = '" + damaged + "' WITH NORECOVERY", []int32{3183, 3013}, "RESTORE detected an error on page (1:"},
		{"in a transaction", "BEGIN TRAN; RESTORE LOG mgc FROM DISK = '" + l1 + "' WITH NORECOVERY", []int32{3021, 3013},
			"Cannot perform a backup or restore operation within a transaction."},
		{"no such database", "RESTORE LOG nodb FROM DISK = '" + l1 + "'", []int32{3118, 3013}, `The database "nodb" does not exist.`},
		{"full over other db", "RESTORE DATABASE master2 FROM DISK = '" + l1 + "'", []int32{3135, 3013}, "was created by BACKUP LOG"},
		{"verifyonly damaged", "RESTORE VERIFYONLY FROM DISK = '" + damaged + "'", []int32{3183, 3013}, ""},
		{"unknown statement", "SELECT 1; FROBNICATE mgc", []int32{102}, "Incorrect syntax near 'FROBNICATE'."},
		{"bare word first is a procedure call", "FROBNICATE mgc", []int32{2812}, "Could not find stored procedure 'FROBNICATE'."},
		{"msdb proc from master", "EXEC sp_start_job @job_name = N'x'", []int32{2812}, "Could not find stored procedure 'sp_start_job'."},
		{"GO is not T-SQL", "SELECT 1\nGO", []int32{102}, "Incorrect syntax near 'GO'."},
		{"restoring db USE", "USE mgc", []int32{927}, "Database 'mgc' cannot be opened. It is in the middle of a restore."},
		{"restoring db read", "SELECT COUNT(*) FROM mgc.dbo.tblChatTxn", []int32{927}, ""},
		{"alter restoring", "ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK IMMEDIATE", []int32{5052, 5069},
			"ALTER DATABASE is not permitted while a database is in the Restoring state."},
		{"backup restoring", "BACKUP DATABASE mgc TO DISK = '" + filepath.Join(dir, "x.bak") + "'", []int32{927, 3013}, ""},
		{"unclosed quote", "SELECT 'abc", []int32{105}, "Unclosed quotation mark after the character string 'abc'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := login(t, p.secondary, "sa", "master")
			w := run(t, s, c.sql)
			if !slices.Equal(w.errNums(), c.want) {
				t.Fatalf("errors %v, want %v", w.errs, c.want)
			}
			if c.text != "" && !strings.Contains(w.errs[0].Text, c.text) {
				t.Fatalf("text %q does not contain %q", w.errs[0].Text, c.text)
			}
			for _, m := range w.errs {
				if m.Server != `SQLBACKUP\PCHAT` || m.Class < 11 {
					t.Fatalf("message %+v: server/class", m)
				}
			}
		})
	}
	_ = s
	st, _ := p.secondary.Database("mgc")
	if st.State != "RESTORING" || st.Txn != 10 {
		t.Fatalf("errors changed the database: %+v", st)
	}
}

func TestRestoreExclusiveAccess(t *testing.T) {
	p := newPair(t, true) // STANDBY: readers allowed
	l1 := p.logBackup(t, 4, baseTime)
	reader := login(t, p.secondary, "reader", "mgc")
	w := mustOK(t, reader, "SELECT MAX(id) AS n FROM dbo.tblChatTxn")
	if w.col(t, "n") != int64(10) {
		t.Fatalf("standby read: %v", w.rows(t))
	}
	s := login(t, p.secondary, "sa", "master")
	w = run(t, s, "RESTORE LOG mgc FROM DISK = N'"+l1+"' WITH NORECOVERY")
	if !slices.Equal(w.errNums(), []int32{3101, 3013}) || w.errs[0].Text != "Exclusive access could not be obtained because the database is in use." {
		t.Fatalf("with a reader: %v", w.errs)
	}
	own := login(t, p.secondary, "sa", "mgc")
	run(t, reader, "USE master")
	w = run(t, own, "RESTORE DATABASE mgc WITH RECOVERY")
	if !slices.Equal(w.errNums(), []int32{3102, 3013}) ||
		w.errs[0].Text != "RESTORE cannot process database 'mgc' because it is in use by this session. It is recommended that the master database be used when performing this operation." {
		t.Fatalf("own session: %v", w.errs)
	}
	mustOK(t, own, "USE master")
	w = mustOK(t, s, "RESTORE LOG mgc FROM DISK = N'"+l1+"' WITH NORECOVERY, STATS = 25")
	var pct []string
	for _, m := range w.infos {
		if m.Number == 3211 {
			pct = append(pct, m.Text)
		}
	}
	if !slices.Equal(pct, []string{"25 percent processed.", "50 percent processed.", "75 percent processed.", "100 percent processed."}) {
		t.Fatalf("STATS messages %v", pct)
	}
	st, _ := p.secondary.Database("mgc")
	if st.State != "RESTORING" || st.Standby || st.Txn != 14 {
		t.Fatalf("state %+v", st)
	}
}

func TestKillSemantics(t *testing.T) {
	in := newInstance(t, "SQLBACKUP")
	a := login(t, in, "sa", "master")
	b := login(t, in, "sa", "master")
	plain := login(t, in, "reader", "master")
	cases := []struct {
		name string
		s    *session
		sql  string
		want []int32
		text string
	}{
		{"own", a, "KILL " + itoa(a.spid), []int32{6104}, "Cannot use KILL to kill your own process."},
		{"system", a, "KILL 5", []int32{6107}, "Only user processes can be killed."},
		{"missing", a, "KILL 999", []int32{6106}, "Process ID 999 is not an active process ID."},
		{"no permission", plain, "KILL " + itoa(b.spid), []int32{6102}, ""},
		{"variable", a, "KILL @x", []int32{102}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := run(t, c.s, c.sql)
			if !slices.Equal(w.errNums(), c.want) || (c.text != "" && w.errs[0].Text != c.text) {
				t.Fatalf("got %v", w.errs)
			}
		})
	}
	mustOK(t, a, "KILL "+itoa(b.spid))
	select {
	case <-b.Killed():
	default:
		t.Fatal("victim not killed")
	}
	if err := b.Batch(context.Background(), "SELECT 1", &recWriter{}); err == nil {
		t.Fatal("killed session still runs batches")
	}
	w := run(t, a, "KILL "+itoa(b.spid))
	if !slices.Equal(w.errNums(), []int32{6106}) {
		t.Fatalf("second kill: %v", w.errs)
	}
}

func itoa(n int) string { return lsnString(n) }

func lsnString(n int) string { return lsn.New(0, 0, uint64(n)).String() }

func TestTailLogBackupNoRecovery(t *testing.T) {
	p := newPair(t, false)
	l1 := p.logBackup(t, 5, baseTime)
	if err := p.primary.Commit("mgc", 3); err != nil {
		t.Fatal(err)
	}
	app, err := p.primary.OpenAppSession("mgc", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	s := login(t, p.primary, "sa", "master")
	tail := filepath.Join(p.share, "mgc_tail.trn")
	w := run(t, s, "BACKUP LOG mgc TO DISK = '"+tail+"' WITH NORECOVERY")
	if !slices.Equal(w.errNums(), []int32{3101, 3013}) || w.errs[1].Text != "BACKUP LOG is terminating abnormally." {
		t.Fatalf("tail with app session: %v", w.errs)
	}
	mustOK(t, s, "KILL "+itoa(app.SPID()))
	w = mustOK(t, s, "BACKUP LOG mgc TO DISK = '"+tail+"' WITH NORECOVERY")
	if !strings.Contains(w.infos[len(w.infos)-1].Text, "BACKUP LOG successfully processed") {
		t.Fatalf("messages %v", w.infos)
	}
	st, _ := p.primary.Database("mgc")
	if st.State != "RESTORING" {
		t.Fatalf("primary after tail: %+v", st)
	}
	h, err := ReadBackupHeader(tail)
	if err != nil || h.Flags()&(64|256) != 64|256 || h.LastTxn != 18 {
		t.Fatalf("tail header %+v %v", h, err)
	}
	ctx := context.Background()
	for _, f := range []string{l1, tail} {
		if err := p.secondary.RestoreLog(ctx, "mgc", f, RestoreOptions{Mode: NoRecovery}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.secondary.RestoreDatabase(ctx, "mgc", "", RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	st, _ = p.secondary.Database("mgc")
	if st.State != "ONLINE" || st.Txn != 18 {
		t.Fatalf("secondary: %+v", st)
	}
	// The primary is RESTORING now: it cannot be backed up (927) and refuses USE.
	w = run(t, s, "USE mgc")
	if !slices.Equal(w.errNums(), []int32{927}) || w.errs[0].Class != 14 {
		t.Fatalf("USE restoring: %v", w.errs)
	}
}

func TestRestoreDatabaseMoveReplace(t *testing.T) {
	p := newPair(t, false)
	s := login(t, p.primary, "sa", "master")
	dir := t.TempDir()
	// Same files as mgc: plan errors 1834/3156 per file, 3119, 3013.
	w := run(t, s, "RESTORE DATABASE mgc_drill FROM DISK = '"+p.fullPath+"' WITH NORECOVERY")
	if !slices.Equal(w.errNums(), []int32{1834, 3156, 1834, 3156, 3119, 3013}) {
		t.Fatalf("no MOVE: %v", w.errs)
	}
	missingDir := filepath.Join(dir, "missing", "d.mdf")
	w = run(t, s, "RESTORE DATABASE mgc_drill FROM DISK = '"+p.fullPath+"' WITH MOVE 'mgc' TO '"+missingDir+"', MOVE 'mgc_log' TO '"+filepath.Join(dir, "l0.ldf")+"', NORECOVERY")
	if !slices.Equal(w.errNums(), []int32{5133, 3156, 3119, 3013}) ||
		w.errs[0].Text != `Directory lookup for the file "`+missingDir+`" failed with the operating system error 3(The system cannot find the path specified.).` {
		t.Fatalf("missing MOVE folder: %v", w.errs)
	}
	w = run(t, s, "RESTORE DATABASE mgc_drill FROM DISK = '"+p.fullPath+"' WITH MOVE 'nope' TO 'x', NORECOVERY")
	if !slices.Equal(w.errNums(), []int32{3234, 3013}) {
		t.Fatalf("bad logical: %v", w.errs)
	}
	w = mustOK(t, s, "RESTORE FILELISTONLY FROM DISK = '"+p.fullPath+"'")
	rows := w.rows(t)
	if len(rows) != 2 || rows[0][0] != "mgc" || rows[1][2] != "L" {
		t.Fatalf("filelist %v", rows)
	}
	sql := "RESTORE DATABASE [mgc_drill] FROM DISK = @f WITH MOVE N'mgc' TO @d, MOVE N'mgc_log' TO @l, NORECOVERY, STATS = 10"
	w = rpc(t, s, "sp_executesql", executesql(sql, "@f", p.fullPath, "@d", filepath.Join(dir, "d.mdf"), "@l", filepath.Join(dir, "l.ldf"))...)
	if len(w.errs) > 0 {
		t.Fatalf("drill restore: %v", w.errs)
	}
	mustOK(t, s, "RESTORE DATABASE mgc_drill WITH RECOVERY")
	mustOK(t, s, "DBCC CHECKDB ([mgc_drill]) WITH NO_INFOMSGS")
	w = mustOK(t, s, "SELECT MAX(id) FROM mgc_drill.dbo.tblChatTxn")
	if w.rows(t)[0][0] != int64(10) {
		t.Fatalf("drill txn %v", w.rows(t))
	}
	mustOK(t, s, "DROP DATABASE mgc_drill")
	if _, ok := p.primary.Database("mgc_drill"); ok {
		t.Fatal("drill not dropped")
	}
	// Over the live mgc: 3159 (tail not backed up) unless REPLACE; another db's backup: 3154.
	p.primary.Commit("mgc", 1)
	w = run(t, s, "RESTORE DATABASE mgc FROM DISK = '"+p.fullPath+"'")
	if !slices.Equal(w.errNums(), []int32{3159, 3013}) {
		t.Fatalf("over live db: %v", w.errs)
	}
	other := filepath.Join(dir, "other.bak")
	p.primary.CreateDatabase("other", []DatabaseFile{{LogicalName: "o", PhysicalName: filepath.Join(dir, "o.mdf"), Type: "D"}, {LogicalName: "o_log", PhysicalName: filepath.Join(dir, "o.ldf"), Type: "L"}})
	if _, err := p.primary.BackupDatabase(context.Background(), "other", other); err != nil {
		t.Fatal(err)
	}
	w = run(t, s, "RESTORE DATABASE mgc FROM DISK = '"+other+"' WITH NORECOVERY")
	if !slices.Equal(w.errNums(), []int32{3154, 3013}) || w.errs[0].Text != "The backup set holds a backup of a database other than the existing 'mgc' database." {
		t.Fatalf("other db: %v", w.errs)
	}
}

func TestStandbyBackupRefused(t *testing.T) {
	p := newPair(t, true)
	s := login(t, p.secondary, "sa", "master")
	w := run(t, s, "BACKUP DATABASE mgc TO DISK = '"+filepath.Join(t.TempDir(), "x.bak")+"'")
	if !slices.Equal(w.errNums(), []int32{3036, 3013}) {
		t.Fatalf("standby backup: %v", w.errs)
	}
}

func TestHeaderOnlyColumns(t *testing.T) {
	p := newPair(t, false)
	l1 := p.logBackup(t, 5, baseTime)
	s := login(t, p.secondary, "sa", "master")
	w := rpc(t, s, "sp_executesql", executesql("RESTORE HEADERONLY FROM DISK = @p", "@p", l1)...)
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	h, _ := ReadBackupHeader(l1)
	for name, want := range map[string]any{
		"BackupType": int64(2), "DatabaseName": "mgc", "ServerName": "SQLPRIMARY", "FirstLSN": h.FirstLSN.String(),
		"LastLSN": h.LastLSN.String(), "IsDamaged": false, "BackupTypeDescription": "TRANSACTION LOG", "Position": int64(1),
		"FamilyGUID": sqlGUID(h.FamilyGUID), "FirstRecoveryForkID": sqlGUID(h.FirstRecoveryForkID), "RecoveryModel": "FULL",
	} {
		if got := w.col(t, name); got != want {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	for _, c := range w.sets[0].cols {
		if strings.HasSuffix(c.Name, "LSN") && (c.Type != tds.TypeNumeric || c.Precision != 25) {
			t.Errorf("%s is %+v, want numeric(25,0)", c.Name, c)
		}
	}
}

func TestBeginsLogChain(t *testing.T) {
	p := newPair(t, false)
	h1, _ := ReadBackupHeader(p.logBackup(t, 1, baseTime))
	h2, _ := ReadBackupHeader(p.logBackup(t, 1, baseTime.Add(time.Minute)))
	full, _ := ReadBackupHeader(p.fullPath)
	if !h1.BeginsLogChain || h2.BeginsLogChain || h1.FirstLSN.Compare(full.LastLSN) > 0 || h2.FirstLSN != h1.LastLSN {
		t.Fatalf("chain: h1 %v %v-%v, h2 %v %v-%v, full last %v", h1.BeginsLogChain, h1.FirstLSN, h1.LastLSN, h2.BeginsLogChain, h2.FirstLSN, h2.LastLSN, full.LastLSN)
	}
}

func TestBackgroundSessionInUserDatabase(t *testing.T) {
	p := newPair(t, false)
	spid, err := p.secondary.AddBackgroundSession("mgc", "DB MIRROR")
	if err != nil || spid < 51 {
		t.Fatalf("spid %d err %v", spid, err)
	}
	s := login(t, p.secondary, "sa", "master")
	w := mustOK(t, s, sessionsQuery)
	if len(w.rows(t)) != 0 {
		t.Fatalf("system task listed as a user session: %v", w.rows(t))
	}
	w = run(t, s, "KILL "+itoa(spid))
	if !slices.Equal(w.errNums(), []int32{6107}) {
		t.Fatalf("kill system task: %v", w.errs)
	}
	mustOK(t, s, "RESTORE DATABASE mgc WITH RECOVERY")
}
