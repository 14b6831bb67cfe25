package sqlsim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-sql/sqlexp"
	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/lsn"
	"pcfailover/core/sqlsim/tds"
)

// serve exposes in over TCP on loopback and returns a go-mssqldb pool for user sa.
func serve(t testing.TB, in *Instance) *sql.DB {
	t.Helper()
	srv := tds.NewServer(in, tds.Options{})
	addr, err := srv.ListenAndServe("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", testPassword), Host: addr.String(),
		RawQuery: "database=master&encrypt=disable&dial+timeout=5"}
	db, err := sql.Open("sqlserver", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		srv.Close()
	})
	return db
}

func sqlErrNums(err error) []int32 {
	var e mssql.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []int32
	for _, x := range e.All {
		out = append(out, x.Number)
	}
	return out
}

func TestTCPPreflightAndRestore(t *testing.T) {
	p := newPair(t, false)
	l1 := p.logBackup(t, 5, baseTime)
	l2 := p.logBackup(t, 6, baseTime.Add(15*time.Minute))
	db := serve(t, p.secondary)
	ctx := context.Background()

	var src, dest string
	var redo lsn.LSN
	var fam mssql.UniqueIdentifier
	row := db.QueryRowContext(ctx, preflightQuery, sql.Named("db", "mgc"))
	var cols [22]any
	ptrs := make([]any, len(cols))
	for i := range cols {
		ptrs[i] = &cols[i]
	}
	if err := row.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	src, dest = cols[3].(string), cols[4].(string)
	if src != p.share || dest != p.copyDir {
		t.Fatalf("folders %q %q", src, dest)
	}
	if err := db.QueryRowContext(ctx, frkLSNQuery, sql.Named("db", "mgc")).Scan(&redo); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT family_guid FROM sys.database_recovery_status WHERE database_id = DB_ID(@p1)", "mgc").Scan(&fam); err != nil {
		t.Fatal(err)
	}
	h1, _ := ReadBackupHeader(l1)
	if redo.Compare(h1.FirstLSN) < 0 || fam.String() != strings.ToUpper(h1.FamilyGUID.String()) {
		t.Fatalf("redo %v family %v, header %v %v", redo, fam, h1.FirstLSN, h1.FamilyGUID)
	}

	// HEADERONLY through a parameter, read by column name.
	rows, err := db.QueryContext(ctx, "RESTORE HEADERONLY FROM DISK = @p", sql.Named("p", l2))
	if err != nil {
		t.Fatal(err)
	}
	names, _ := rows.Columns()
	if !rows.Next() {
		t.Fatal("no header row")
	}
	vals := make([]any, len(names))
	vp := make([]any, len(names))
	for i := range vals {
		vp[i] = &vals[i]
	}
	if err := rows.Scan(vp...); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	byName := map[string]any{}
	for i, n := range names {
		byName[n] = vals[i]
	}
	var first lsn.LSN
	if err := first.Scan(byName["FirstLSN"]); err != nil {
		t.Fatal(err)
	}
	h2, _ := ReadBackupHeader(l2)
	if first != h2.FirstLSN || byName["BackupType"] != int64(2) || byName["DatabaseName"] != "mgc" {
		t.Fatalf("header over TCP: first %v type %v", first, byName["BackupType"])
	}

	// Out of order: mssql.Error.All = [4305, 3013].
	_, err = db.ExecContext(ctx, "RESTORE LOG [mgc] FROM DISK = @p WITH NORECOVERY", sql.Named("p", l2))
	if got := sqlErrNums(err); !slices.Equal(got, []int32{4305, 3013}) {
		t.Fatalf("gap over TCP: %v (%v)", got, err)
	}
	var me mssql.Error
	errors.As(err, &me)
	if me.Number != 3013 || me.Class != 16 || me.ServerName != `SQLBACKUP\PCHAT` {
		t.Fatalf("mssql.Error %+v", me)
	}

	// STATS messages arrive as notices while the restore runs.
	retmsg := &sqlexp.ReturnMessage{}
	rows, err = db.QueryContext(ctx, "RESTORE LOG [mgc] FROM DISK = @p WITH NORECOVERY, STATS = 50", sql.Named("p", l1), retmsg)
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	for active := true; active; {
		switch m := retmsg.Message(ctx).(type) {
		case sqlexp.MsgNotice:
			notices = append(notices, m.Message.String())
		case sqlexp.MsgNext:
			for rows.Next() {
			}
		case sqlexp.MsgNextResultSet:
			active = rows.NextResultSet()
		case sqlexp.MsgError:
			t.Fatalf("restore error %v", m.Error)
		}
	}
	rows.Close()
	joined := strings.Join(notices, "\n")
	if !strings.Contains(joined, "50 percent processed.") || !strings.Contains(joined, "100 percent processed.") ||
		!strings.Contains(joined, "RESTORE LOG successfully processed") {
		t.Fatalf("notices %q", notices)
	}
	if _, err := db.ExecContext(ctx, "RESTORE LOG [mgc] FROM DISK = @p WITH NORECOVERY", sql.Named("p", l2)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "RESTORE DATABASE [mgc] WITH RECOVERY"); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT MAX(id) FROM mgc.dbo.tblChatTxn").Scan(&n); err != nil || n != 21 {
		t.Fatalf("txns %d %v", n, err)
	}
	_, err = db.ExecContext(ctx, "RESTORE DATABASE [mgc] WITH RECOVERY")
	if got := sqlErrNums(err); !slices.Equal(got, []int32{3153, 3013}) {
		t.Fatalf("3153: %v", got)
	}
	// The connection survived every error.
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestTCPKillAndConcurrency(t *testing.T) {
	in := newInstance(t, "SQLBACKUP")
	in.CreateDatabase("mgc", nil)
	db := serve(t, in)
	ctx := context.Background()
	db.SetMaxOpenConns(30)

	var wg sync.WaitGroup
	spids := make([]int64, 20)
	errs := make([]error, 20)
	conns := make([]*sql.Conn, 20)
	for i := 0; i < 20; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = conns[i].QueryRowContext(ctx, "USE mgc; SELECT @@SPID").Scan(&spids[i])
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("conn %d: %v", i, err)
		}
	}
	uniq := slices.Clone(spids)
	slices.Sort(uniq)
	if len(slices.Compact(uniq)) != 20 || uniq[0] < 51 {
		t.Fatalf("spids %v", spids)
	}
	killer, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	var mine int64
	killer.QueryRowContext(ctx, "SELECT @@SPID").Scan(&mine)
	_, err = killer.ExecContext(ctx, fmt.Sprintf("KILL %d", mine))
	if got := sqlErrNums(err); !slices.Equal(got, []int32{6104}) {
		t.Fatalf("own kill %v", got)
	}
	rows, err := killer.QueryContext(ctx, sessionsQuery)
	if err != nil {
		t.Fatal(err)
	}
	var victims []int64
	for rows.Next() {
		var id int64
		var a, b, c, d any
		var lt time.Time
		var up bool
		if err := rows.Scan(&id, &a, &b, &c, &d, &lt, &up); err != nil {
			t.Fatal(err)
		}
		victims = append(victims, id)
	}
	rows.Close()
	if len(victims) != 20 {
		t.Fatalf("victims %v", victims)
	}
	for _, v := range victims {
		if _, err := killer.ExecContext(ctx, fmt.Sprintf("KILL %d", v)); err != nil {
			t.Fatalf("kill %d: %v", v, err)
		}
	}
	for i, c := range conns {
		if err := c.PingContext(ctx); err == nil {
			t.Fatalf("conn %d survived KILL", i)
		}
		c.Close()
	}
	_, err = killer.ExecContext(ctx, fmt.Sprintf("KILL %d", victims[0]))
	if got := sqlErrNums(err); !slices.Equal(got, []int32{6106}) {
		t.Fatalf("kill gone %v", got)
	}
	var count int
	killer.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE database_id = DB_ID(N'mgc')").Scan(&count)
	if count != 0 {
		t.Fatalf("%d sessions left in mgc", count)
	}
}

func TestTCPLogShippingRemoval(t *testing.T) {
	p, clk := newClockedPair(t)
	db := serve(t, p.secondary)
	ctx := context.Background()
	p.primary.Commit("mgc", 3)
	if err := p.primary.RunJob(ctx, "LSBackup_mgc"); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	if _, err := db.ExecContext(ctx, "EXEC msdb.dbo.sp_start_job @job_name = @p1", "LSCopy_SQLPRIMARY_mgc"); err != nil {
		t.Fatal(err)
	}
	if err := p.secondary.WaitJob(ctx, "LSCopy_SQLPRIMARY_mgc"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "EXEC msdb.dbo.sp_update_job @job_name = @p1, @enabled = 0", "LSCopy_SQLPRIMARY_mgc"); err != nil {
		t.Fatal(err)
	}
	var last sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT last_copied_file FROM msdb.dbo.log_shipping_secondary").Scan(&last); err != nil || !last.Valid ||
		filepath.Dir(last.String) != p.copyDir {
		t.Fatalf("last copied %v %v", last, err)
	}
	if _, err := db.ExecContext(ctx, "EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = @db", sql.Named("db", "mgc")); err != nil {
		t.Fatal(err)
	}
	_, err := db.ExecContext(ctx, "EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = @db", sql.Named("db", "mgc"))
	if got := sqlErrNums(err); !slices.Equal(got, []int32{32014}) {
		t.Fatalf("second delete: %v", err)
	}
	_, err = db.ExecContext(ctx, "FROBNICATE")
	if got := sqlErrNums(err); !slices.Equal(got, []int32{2812}) {
		t.Fatalf("bare word: %v", err)
	}
	_, err = db.ExecContext(ctx, "SELECT 1\nGO\n")
	if got := sqlErrNums(err); !slices.Equal(got, []int32{102}) {
		t.Fatalf("GO: %v", err)
	}
	// A transaction opened by the driver makes RESTORE fail with 3021.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, "RESTORE DATABASE mgc WITH RECOVERY")
	tx.Rollback()
	if got := sqlErrNums(err); !slices.Equal(got, []int32{3021, 3013}) {
		t.Fatalf("in tx: %v", err)
	}
}

func TestTCPInstanceDown(t *testing.T) {
	in := newInstance(t, "SQLBACKUP")
	db := serve(t, in)
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	in.SetDown(true)
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("ping succeeded while down")
	}
	in.SetDown(false)
	var n int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after coming back: %v", err)
	}
}

func TestTCPSpWho2AndRace(t *testing.T) {
	p, _ := newClockedPair(t)
	ctx := context.Background()
	if err := p.secondary.RestoreDatabase(ctx, "mgc", "", RestoreOptions{Mode: Standby, StandbyFile: filepath.Join(t.TempDir(), "u.tuf")}); err != nil {
		t.Fatal(err)
	}
	app, err := p.secondary.OpenAppSession("mgc", 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	db := serve(t, p.secondary)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "sp_who2") // arrives as an RPC by name
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	var spids []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if vals[5] == "mgc" {
			spids = append(spids, strings.TrimSpace(vals[0].(string)))
		}
	}
	rows.Close()
	if len(cols) != 13 || len(spids) != 1 || spids[0] != fmt.Sprint(app.SPID()) {
		t.Fatalf("sp_who2 cols %v, mgc spids %v (app %d)", cols, spids, app.SPID())
	}
	if _, err := conn.ExecContext(ctx, "KILL "+spids[0]); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for app.Reconnects() == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	_, err = conn.ExecContext(ctx, "RESTORE DATABASE [mgc] WITH RECOVERY")
	if got := sqlErrNums(err); !slices.Equal(got, []int32{3101, 3013}) {
		t.Fatalf("race: %v", err)
	}
	// Kill and recover in one batch wins the race.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("KILL %d; RESTORE DATABASE [mgc] WITH RECOVERY", app.SPID())); err != nil {
		t.Fatal(err)
	}
	var state string
	if err := conn.QueryRowContext(ctx, "SELECT state_desc FROM sys.databases WHERE name = @p1", "mgc").Scan(&state); err != nil || state != "ONLINE" {
		t.Fatalf("state %q %v", state, err)
	}
}

func TestTCPOutputParameter(t *testing.T) {
	in := newInstance(t, "SQLSIM")
	db := serve(t, in)
	var spid int64
	var name string
	if _, err := db.ExecContext(context.Background(), "SET @s = @@SPID; SET @n = @@SERVERNAME", sql.Named("s", sql.Out{Dest: &spid}), sql.Named("n", sql.Out{Dest: &name})); err != nil {
		t.Fatal(err)
	}
	if spid < 51 || name != "SQLSIM" {
		t.Fatalf("outputs %d %q", spid, name)
	}
}
