package tds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-sql/civil"
	"github.com/golang-sql/sqlexp"
	"github.com/google/go-cmp/cmp"
	mssql "github.com/microsoft/go-mssqldb"
	"github.com/shopspring/decimal"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startServer starts a server for eng on 127.0.0.1 and closes it when the test ends.
func startServer(t *testing.T, eng Engine, opts Options) *Server {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	srv := NewServer(eng, opts)
	if _, err := srv.ListenAndServe("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv
}

// dsn builds a go-mssqldb URL for the server; extra query keys override the defaults.
func dsn(srv *Server, user, password string, extra map[string]string) string {
	q := url.Values{}
	q.Set("database", "Sales")
	q.Set("app name", "simtest")
	q.Set("workstation id", "ws1")
	q.Set("encrypt", "disable")
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(user, password), Host: srv.Addr().String(), RawQuery: q.Encode()}
	return u.String()
}

// openDB opens a pool for the server and closes it (before the server) at test end.
func openDB(t *testing.T, srv *Server, extra map[string]string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlserver", dsn(srv, "sa", "secret", extra))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLogin(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	ctx := testCtx(t)

	t.Run("ok", func(t *testing.T) {
		db := openDB(t, srv, nil)
		var name string
		if err := db.QueryRowContext(ctx, "SELECT DB_NAME()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != "Sales" {
			t.Errorf("DB_NAME() = %q, want Sales", name)
		}
		got := eng.lastLogin()
		want := LoginRequest{User: "sa", Password: "secret", Database: "Sales", AppName: "simtest",
			HostName: "ws1", ServerName: "127.0.0.1", PacketSize: 4096}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("LoginRequest (-want +got):\n%s", diff)
		}
	})

	tests := []struct {
		name, user, password string
	}{
		{"wrong password", "sa", "wrong"},
		{"unknown user", "nobody", "secret"},
		{"empty password", "sa", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sql.Open("sqlserver", dsn(srv, tc.user, tc.password, nil))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.PingContext(ctx)
			var me mssql.Error
			if !errors.As(err, &me) {
				t.Fatalf("Ping error = %v (%T), want mssql.Error", err, err)
			}
			if me.Number != 18456 || me.Class != 14 || me.State != 1 {
				t.Errorf("error = %d class %d state %d, want 18456 class 14 state 1", me.Number, me.Class, me.State)
			}
			if want := fmt.Sprintf("Login failed for user '%s'.", tc.user); !strings.Contains(me.Message, want) {
				t.Errorf("message %q does not contain %q", me.Message, want)
			}
			if got := eng.lastLogin().Password; got != tc.password {
				t.Errorf("decoded password %q, want %q", got, tc.password)
			}
		})
	}
}

func TestSelectEveryType(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	ctx := testCtx(t)

	rows, err := db.QueryContext(ctx, "SELECT TYPES")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []string{"INT", "BIGINT", "SMALLINT", "TINYINT", "BIT", "NVARCHAR", "NVARCHAR",
		"DECIMAL", "DECIMAL", "DECIMAL", "DECIMAL", "DATETIME", "DATETIME2", "DATETIME2",
		"UNIQUEIDENTIFIER", "FLOAT", "VARBINARY", "VARBINARY", "INT"}
	for i, ct := range cts {
		if ct.Name() != typeColumns[i].Name {
			t.Errorf("column %d name %q, want %q", i, ct.Name(), typeColumns[i].Name)
		}
		if ct.DatabaseTypeName() != wantTypes[i] {
			t.Errorf("column %s type %q, want %q", ct.Name(), ct.DatabaseTypeName(), wantTypes[i])
		}
		if n, ok := ct.Nullable(); !ok || n != typeColumns[i].Nullable {
			t.Errorf("column %s nullable %v,%v, want %v", ct.Name(), n, ok, typeColumns[i].Nullable)
		}
	}
	if p, s, ok := cts[10].DecimalSize(); !ok || p != 10 || s != 2 {
		t.Errorf("money DecimalSize = %d,%d,%v, want 10,2", p, s, ok)
	}
	if l, ok := cts[5].Length(); !ok || l != 20 {
		t.Errorf("nvarchar(20) Length = %d,%v", l, ok)
	}

	guid := func(v any) any {
		b, ok := v.([]byte)
		if !ok {
			return v
		}
		var u mssql.UniqueIdentifier
		if err := u.Scan(b); err != nil {
			t.Fatal(err)
		}
		return u.String()
	}
	want := [][]any{
		{int64(-2147483648), int64(9223372036854775807), int64(-32768), int64(255), true,
			"héllo wörld", typesLongText,
			[]byte(lsn), []byte("41000000048800001"), []byte("25000000012345600001"), []byte("-12345678.90"),
			typesDateTime, typesDateTime2, time.Date(2024, 3, 15, 13, 45, 30, 123_000_000, time.UTC),
			typesGUID, 3.141592653589793, []byte{0, 1, 2, 0xFF}, make([]byte, 10000), int64(1)},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, int64(2)},
	}
	var got [][]any
	for rows.Next() {
		vals := make([]any, len(typeColumns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		vals[14] = guid(vals[14])
		got = append(got, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	// An LSN scans into a string exactly (tds-server.md §7, LSN note).
	var s string
	if err := db.QueryRowContext(ctx, "SELECT TYPES").Scan(new(any), new(any), new(any), new(any), new(any),
		new(any), new(any), &s, new(any), new(any), new(any), new(any), new(any), new(any), new(any),
		new(any), new(any), new(any), new(any)); err != nil {
		t.Fatal(err)
	}
	if s != lsn {
		t.Errorf("LSN = %q, want %q", s, lsn)
	}
}

func TestMultipleResultSets(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	rows, err := db.QueryContext(testCtx(t), "SELECT TWO")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var sets []int
	for {
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			sets = append(sets, n)
		}
		if !rows.NextResultSet() {
			break
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 2}, sets); diff != "" {
		t.Errorf("result sets (-want +got):\n%s", diff)
	}
}

func TestRowsAffected(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	ctx := testCtx(t)
	tests := []struct {
		name string
		args []any
		want int64
	}{
		{"batch", nil, 3},
		{"sp_executesql", []any{sql.Named("x", 1)}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := db.ExecContext(ctx, "UPDATE 3", tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := res.RowsAffected(); err != nil || n != tc.want {
				t.Errorf("RowsAffected = %d, %v; want %d", n, err, tc.want)
			}
		})
	}
}

func mustGUID(t *testing.T, s string) mssql.UniqueIdentifier {
	var u mssql.UniqueIdentifier
	if err := u.Scan(s); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRPCParameters(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	ctx := testCtx(t)

	plus2 := time.FixedZone("", 2*3600)
	dto := time.Date(2024, 3, 15, 13, 45, 30, 123_456_700, plus2)
	sqlGUID, err := parseGUID(typesGUID)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 5000)
	nonASCII := "Grüße, 世界 😀 ŁÓDŹ"
	tests := []struct {
		name string
		arg  any
		want Param
	}{
		{"nvarchar", "ab", Param{Value: "ab", Type: "nvarchar"}},
		{"empty string PLP", "", Param{Value: "", Type: "nvarchar"}},
		{"long string PLP", long, Param{Value: long, Type: "nvarchar"}},
		{"non-ASCII", nonASCII, Param{Value: nonASCII, Type: "nvarchar"}},
		{"NUL characters", "a\x00b\x00", Param{Value: "a\x00b\x00", Type: "nvarchar"}},
		{"NVarCharMax", mssql.NVarCharMax("max ü"), Param{Value: "max ü", Type: "nvarchar"}},
		{"NChar", mssql.NChar("nc"), Param{Value: "nc", Type: "nchar"}},
		{"VarChar", mssql.VarChar("latin"), Param{Value: "latin", Type: "varchar"}},
		{"VarCharMax", mssql.VarCharMax(strings.Repeat("v", 9000)), Param{Value: strings.Repeat("v", 9000), Type: "varchar"}},
		{"NULL string", sql.NullString{}, Param{Value: nil, Type: "nvarchar"}},
		{"int64", int64(-5), Param{Value: int64(-5), Type: "bigint"}},
		{"int", 42, Param{Value: int64(42), Type: "bigint"}},
		{"int32", int32(-6), Param{Value: int64(-6), Type: "int"}},
		{"int16", int16(-7), Param{Value: int64(-7), Type: "smallint"}},
		{"byte", byte(200), Param{Value: int64(200), Type: "tinyint"}},
		{"NULL int64", sql.NullInt64{}, Param{Value: nil, Type: "bigint"}},
		{"bool", true, Param{Value: true, Type: "bit"}},
		{"float64", 2.5, Param{Value: 2.5, Type: "float"}},
		{"float32", float32(1.5), Param{Value: 1.5, Type: "real"}},
		{"nil", nil, Param{Value: nil, Type: "null"}},
		{"bytes", []byte{0, 1, 2, 0xFF}, Param{Value: []byte{0, 1, 2, 0xFF}, Type: "varbinary"}},
		{"empty bytes", []byte{}, Param{Value: []byte{}, Type: "varbinary"}},
		{"bytes PLP", make([]byte, 9000), Param{Value: make([]byte, 9000), Type: "varbinary"}},
		{"time datetimeoffset", dto, Param{Value: dto, Type: "datetimeoffset"}},
		{"uniqueidentifier", mustGUID(t, typesGUID), Param{Value: sqlGUID, Type: "uniqueidentifier"}},
		{"date", civil.Date{Year: 2024, Month: 3, Day: 15}, Param{Value: time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), Type: "date"}},
		{"time", civil.Time{Hour: 13, Minute: 45, Second: 30, Nanosecond: 123_456_700},
			Param{Value: time.Date(1, 1, 1, 13, 45, 30, 123_456_700, time.UTC), Type: "time"}},
		{"datetime2", civil.DateTime{Date: civil.Date{Year: 1999, Month: 12, Day: 31}, Time: civil.Time{Hour: 23, Minute: 59, Second: 59, Nanosecond: 999_999_900}},
			Param{Value: time.Date(1999, 12, 31, 23, 59, 59, 999_999_900, time.UTC), Type: "datetime2"}},
		{"datetime", mssql.DateTime1(typesDateTime), Param{Value: typesDateTime, Type: "datetime"}},
		{"decimal as string", decimal.RequireFromString("1.25"), Param{Value: "1.25", Type: "nvarchar"}},
	}
	timeEq := cmp.Comparer(func(a, b time.Time) bool {
		_, oa := a.Zone()
		_, ob := b.Zone()
		return a.Equal(b) && oa == ob
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT", tc.arg).Scan(&n); err != nil {
				t.Fatal(err)
			}
			proc, params := eng.params()
			if proc != "sp_executesql" || len(params) != 3 || n != 1 {
				t.Fatalf("proc %q with %d params (count %d), want sp_executesql with 3", proc, len(params), n)
			}
			if params[0].Value != "SELECT COUNT" || params[0].Type != "nvarchar" {
				t.Errorf("statement param = %#v", params[0])
			}
			if decl, _ := params[1].Value.(string); !strings.HasPrefix(decl, "@p1 ") {
				t.Errorf("declaration param = %#v", params[1])
			}
			want := tc.want
			want.Name = "@p1"
			if diff := cmp.Diff(want, params[2], timeEq); diff != "" {
				t.Errorf("param (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("named and many", func(t *testing.T) {
		var n int
		err := db.QueryRowContext(ctx, "SELECT COUNT", sql.Named("db", "mgc"), 1, "two", sql.Named("Flag", false)).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		_, params := eng.params()
		var names []string
		for _, p := range params[2:] {
			names = append(names, p.Name)
		}
		if diff := cmp.Diff([]string{"@db", "@p2", "@p3", "@Flag"}, names); diff != "" || n != 4 {
			t.Errorf("count %d, names (-want +got):\n%s", n, diff)
		}
	})

	t.Run("statement through sp_executesql", func(t *testing.T) {
		var v int
		if err := db.QueryRowContext(ctx, "SELECT 1", sql.Named("unused", 1)).Scan(&v); err != nil || v != 1 {
			t.Fatalf("SELECT 1 via sp_executesql = %d, %v", v, err)
		}
	})
}

func TestProcedureByName(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	ctx := testCtx(t)

	t.Run("sp_who2", func(t *testing.T) {
		if _, err := db.ExecContext(ctx, "sp_who2"); err != nil {
			t.Fatal(err)
		}
		if proc, params := eng.params(); proc != "sp_who2" || len(params) != 0 {
			t.Errorf("RPC %q with %d params, want sp_who2 by name", proc, len(params))
		}
		var rs mssql.ReturnStatus = -1
		rows, err := db.QueryContext(ctx, "sp_who2", &rs)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for rows.Next() {
			var spid, status, login string
			var dbName sql.NullString
			if err := rows.Scan(&spid, &status, &login, &dbName); err != nil {
				t.Fatal(err)
			}
			got = append(got, []string{strings.TrimSpace(spid), status, login, dbName.String})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(got) != 1 || got[0][1] != "RUNNABLE" || got[0][3] != "Sales" {
			t.Errorf("sp_who2 rows = %q", got)
		}
		if rs != 0 {
			t.Errorf("return status %d, want 0", rs)
		}
	})

	t.Run("output parameters and return status", func(t *testing.T) {
		var doubled int64
		var msg string
		var rs mssql.ReturnStatus
		_, err := db.ExecContext(ctx, "sp_out", sql.Named("in", int64(21)),
			sql.Named("doubled", sql.Out{Dest: &doubled}), sql.Named("msg", sql.Out{Dest: &msg}), &rs)
		if err != nil {
			t.Fatal(err)
		}
		if doubled != 42 || msg != "in=21" || rs != 7 {
			t.Errorf("doubled %d msg %q status %d, want 42 \"in=21\" 7", doubled, msg, rs)
		}
		_, params := eng.params()
		if len(params) != 3 || params[0].Output || !params[1].Output || !params[2].Output {
			t.Errorf("params = %#v, want @in input and two outputs", params)
		}
	})

	t.Run("unknown procedure", func(t *testing.T) {
		_, err := db.ExecContext(ctx, "sp_nope")
		var me mssql.Error
		if !errors.As(err, &me) || me.Number != 2812 || me.State != 62 {
			t.Fatalf("error = %v, want 2812", err)
		}
	})
}

func TestErrors(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, map[string]string{})
	db.SetMaxOpenConns(1)
	ctx := testCtx(t)

	_, err := db.ExecContext(ctx, "RESTORE BAD")
	var me mssql.Error
	if !errors.As(err, &me) {
		t.Fatalf("error = %v (%T), want mssql.Error", err, err)
	}
	if me.Number != 3013 || me.State != 1 || me.Class != 16 || me.ServerName != "SIM" || me.LineNo != 1 ||
		me.Message != "RESTORE LOG is terminating abnormally." {
		t.Errorf("error = %+v", me)
	}
	if len(me.All) != 2 || me.All[0].Number != 4305 || me.All[1].Number != 3013 {
		t.Errorf("All = %+v, want 4305 then 3013", me.All)
	}
	if !strings.Contains(err.Error(), "(4305)") || !strings.Contains(err.Error(), "(3013)") {
		t.Errorf("Error() = %q", err.Error())
	}
	// The connection stays usable and the next response carries no stale errors.
	var v int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil || v != 1 {
		t.Fatalf("SELECT 1 after error = %d, %v", v, err)
	}
	_, err = db.ExecContext(ctx, "bogus statement")
	if !errors.As(err, &me) || me.Number != 102 || me.Class != 15 {
		t.Errorf("syntax error = %v", err)
	}
	if eng.loginCount() != 1 {
		t.Errorf("%d logins, want 1 (connection reused)", eng.loginCount())
	}
}

func TestInfoMessagesStreamed(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	ctx := testCtx(t)

	retmsg := &sqlexp.ReturnMessage{}
	rows, err := db.QueryContext(ctx, "RESTORE SLOW", retmsg)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var notices []string
	released := false
	for active := true; active; {
		switch m := retmsg.Message(ctx).(type) {
		case sqlexp.MsgNotice:
			e, ok := m.Message.(mssql.Error)
			if !ok {
				t.Fatalf("notice %T", m.Message)
			}
			if e.Class != 0 {
				t.Errorf("notice %d class %d, want 0", e.Number, e.Class)
			}
			notices = append(notices, fmt.Sprintf("%d %s", e.Number, e.Message))
			if !released {
				// The engine is still inside the statement, blocked until we release it:
				// the first progress message reached us while the statement ran.
				released = true
				close(eng.slowRelease)
			}
		case sqlexp.MsgNext:
			for rows.Next() {
			}
		case sqlexp.MsgNextResultSet:
			active = rows.NextResultSet()
		case sqlexp.MsgError:
			t.Fatalf("error %v", m.Error)
		case nil:
			t.Fatal("message queue ended (context done)")
		}
	}
	if len(notices) != 11 || notices[0] != "3211 10 percent processed." || !strings.HasPrefix(notices[10], "3014 ") {
		t.Errorf("notices = %q", notices)
	}
}

func TestAttention(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	db.SetMaxOpenConns(1)
	ctx := testCtx(t)
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("cancel running statement", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			qctx, cancel := context.WithCancel(ctx)
			go func() {
				<-eng.waitStarted
				cancel()
			}()
			_, err := db.ExecContext(qctx, "WAITFOR DELAY '01:00:00'")
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if got := <-eng.waitEnded; !errors.Is(got, context.Canceled) {
				t.Errorf("engine saw %v, want its context cancelled", got)
			}
			var v int
			if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil || v != 1 {
				t.Fatalf("SELECT 1 after cancel = %d, %v", v, err)
			}
		}
	})

	t.Run("cancel while streaming rows", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			qctx, cancel := context.WithCancel(ctx)
			rows, err := db.QueryContext(qctx, "SELECT BIG 100000") // about 20 MB
			if err != nil {
				t.Fatal(err)
			}
			for n := 0; n < 10 && rows.Next(); n++ {
			}
			cancel()
			for rows.Next() {
			}
			if err := rows.Err(); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("rows.Err = %v, want nil or context.Canceled", err)
			}
			_ = rows.Close()
			eng.mu.Lock()
			stopped := eng.bigStoppedAt
			eng.mu.Unlock()
			if stopped == 0 || stopped >= 100000 {
				t.Errorf("engine stopped at row %d, want it stopped by the attention", stopped)
			}
			var v int
			if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil || v != 1 {
				t.Fatalf("SELECT 1 after cancel = %d, %v", v, err)
			}
		}
	})

	t.Run("early rows.Close after complete response", func(t *testing.T) {
		for i := 0; i < 50; i++ {
			var n int
			var pad string
			if err := db.QueryRowContext(ctx, "SELECT BIG 30").Scan(&n, &pad); err != nil || n != 0 {
				t.Fatalf("iteration %d: %d, %v", i, n, err)
			}
		}
		var v int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil || v != 1 {
			t.Fatalf("SELECT 1 = %d, %v", v, err)
		}
	})
	if n := eng.loginCount(); n != 1 {
		t.Errorf("%d logins, want 1: attention must keep the connection usable", n)
	}
}

func TestConcurrentConnections(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	const n = 20
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	spids := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sql.Open("sqlserver", dsn(srv, "sa", "secret", nil))
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			conn, err := db.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			var spid, cnt int
			if err := conn.QueryRowContext(ctx, "SELECT @@SPID").Scan(&spid); err != nil {
				errs <- err
				return
			}
			rows, err := conn.QueryContext(ctx, "SELECT BIG 300")
			if err != nil {
				errs <- err
				return
			}
			for rows.Next() {
				cnt++
			}
			if err := rows.Err(); err != nil {
				errs <- err
				return
			}
			if cnt != 300 {
				errs <- fmt.Errorf("%d rows", cnt)
			}
			spids <- spid
		}()
	}
	wg.Wait()
	close(errs)
	close(spids)
	for err := range errs {
		t.Error(err)
	}
	seen := map[int]bool{}
	for s := range spids {
		if seen[s] || s < 51 {
			t.Errorf("SPID %d duplicated or below 51", s)
		}
		seen[s] = true
	}
	if len(seen) != n {
		t.Errorf("%d sessions, want %d", len(seen), n)
	}
}

func TestPacketSizes(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	ctx := testCtx(t)
	for _, size := range []string{"512", "4096", "32767"} {
		t.Run(size, func(t *testing.T) {
			db := openDB(t, srv, map[string]string{"packet size": size})
			// 1000 rows of 200-byte strings: > 200 KiB, split over many packets.
			rows, err := db.QueryContext(ctx, "SELECT BIG 1000")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			i := 0
			for rows.Next() {
				var n int
				var pad string
				if err := rows.Scan(&n, &pad); err != nil {
					t.Fatal(err)
				}
				if n != i || pad != strings.Repeat(string(rune('a'+i%26)), 100) {
					t.Fatalf("row %d = %d %q", i, n, pad)
				}
				i++
			}
			if err := rows.Err(); err != nil || i != 1000 {
				t.Fatalf("%d rows, %v", i, err)
			}
			if got := eng.lastLogin().PacketSize; fmt.Sprint(got) != size {
				t.Errorf("LOGIN7 packet size %d, want %s", got, size)
			}
			// Long parameters arrive as multi-packet RPC messages.
			long := strings.Repeat("é", 70000)
			var c int
			if err := db.QueryRowContext(ctx, "SELECT COUNT", long).Scan(&c); err != nil {
				t.Fatal(err)
			}
			if _, params := eng.params(); params[2].Value != long {
				t.Errorf("long parameter garbled")
			}
		})
	}
}

func TestTLS(t *testing.T) {
	certPath, _, cfg, err := GenerateCertificate(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	tests := []struct {
		name      string
		require   bool
		dsn       map[string]string
		encrypted bool
		wantErr   string
	}{
		{"encrypt=true verified", false, map[string]string{"encrypt": "true", "certificate": certPath}, true, ""},
		{"encrypt=true TLS 1.2", false, map[string]string{"encrypt": "true", "certificate": certPath, "tlsmin": "1.2"}, true, ""},
		{"encrypt=false login-only TLS", false, map[string]string{"encrypt": "false", "certificate": certPath}, true, ""},
		{"encrypt=disable", false, map[string]string{"encrypt": "disable"}, false, ""},
		{"encrypt=true packet size 32767 capped to 16383", false, map[string]string{"encrypt": "true", "certificate": certPath, "packet size": "32767"}, true, ""},
		{"encrypt=strict", false, map[string]string{"encrypt": "strict", "certificate": certPath}, true, ""},
		{"required, encrypt=false", true, map[string]string{"encrypt": "false", "certificate": certPath}, true, ""},
		{"unknown authority", false, map[string]string{"encrypt": "true"}, false, "certificate"},
		{"required, encrypt=disable", true, map[string]string{"encrypt": "disable"}, false, "TLS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := newTestEngine()
			srv := startServer(t, eng, Options{TLS: cfg, RequireEncryption: tc.require})
			db := openDB(t, srv, tc.dsn)
			rows, err := db.QueryContext(ctx, "SELECT BIG 200")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Err(); err != nil || n != 200 {
				t.Fatalf("%d rows, %v", n, err)
			}
			rows.Close()
			if got := eng.lastLogin().Encrypted; got != tc.encrypted {
				t.Errorf("login encrypted = %v, want %v", got, tc.encrypted)
			}
			var v int
			if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil || v != 1 {
				t.Fatalf("SELECT 1 = %d, %v", v, err)
			}
		})
	}
	t.Run("RequireEncryption without TLS", func(t *testing.T) {
		srv := NewServer(newTestEngine(), Options{RequireEncryption: true})
		if _, err := srv.ListenAndServe("127.0.0.1:0"); err == nil {
			t.Error("ListenAndServe accepted RequireEncryption without TLS")
		}
		_ = srv.Close()
	})
}

func TestTransactions(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	db.SetMaxOpenConns(1)
	ctx := testCtx(t)

	restoreErr := func(q interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}) int32 {
		_, err := q.ExecContext(ctx, "RESTORE IN TRAN")
		var me mssql.Error
		if errors.As(err, &me) {
			return me.Number
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	for _, commit := range []bool{true, false} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var v int
		if err := tx.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if n := restoreErr(tx); n != 3021 {
			t.Errorf("RESTORE in a transaction: error %d, want 3021", n)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatalf("end transaction (commit %v): %v", commit, err)
		}
		if n := restoreErr(db); n != 0 {
			t.Errorf("RESTORE after the transaction: error %d, want none", n)
		}
	}
}

func TestResetConnection(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	db.SetMaxOpenConns(1)
	ctx := testCtx(t)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "USE mgc"); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := conn.QueryRowContext(ctx, "SELECT DB_NAME()").Scan(&name); err != nil || name != "mgc" {
		t.Fatalf("after USE: %q, %v", name, err)
	}
	_ = conn.Close() // back to the pool: the next request carries RESETCONNECTION
	if err := db.QueryRowContext(ctx, "SELECT DB_NAME()").Scan(&name); err != nil || name != "Sales" {
		t.Fatalf("after reset: %q, %v; want the login database", name, err)
	}
}

func TestDropConnectionsAndKill(t *testing.T) {
	eng := newTestEngine()
	srv := startServer(t, eng, Options{})
	db := openDB(t, srv, nil)
	ctx := testCtx(t)

	brokenAfter := func(t *testing.T, fault func(conn *sql.Conn)) {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var v int
		if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil {
			t.Fatal(err)
		}
		fault(conn)
		err = conn.QueryRowContext(ctx, "SELECT 1").Scan(&v)
		if err == nil {
			t.Fatal("query on a dropped connection succeeded")
		}
		var me mssql.Error
		if errors.As(err, &me) {
			t.Errorf("broken connection reported as a server error: %v", err)
		}
		t.Logf("broken connection error: %v", err)
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&v); err != nil || v != 1 {
			t.Fatalf("new connection: %d, %v", v, err)
		}
	}
	t.Run("DropConnections", func(t *testing.T) {
		brokenAfter(t, func(*sql.Conn) {
			srv.DropConnections()
			waitFor(t, func() bool { return srv.ConnectionCount() == 0 })
		})
	})
	t.Run("KILL", func(t *testing.T) {
		brokenAfter(t, func(conn *sql.Conn) {
			var spid int
			if err := conn.QueryRowContext(ctx, "SELECT @@SPID").Scan(&spid); err != nil {
				t.Fatal(err)
			}
			before := srv.ConnectionCount()
			other, err := sql.Open("sqlserver", dsn(srv, "sa", "secret", nil))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.ExecContext(ctx, fmt.Sprintf("KILL %d", spid)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return srv.ConnectionCount() == before })
		})
	})
}

// waitFor polls cond (the server closes connections asynchronously).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition not reached")
}

func TestCloseEndsEverything(t *testing.T) {
	before := goleak.IgnoreCurrent()
	eng := newTestEngine()
	srv := NewServer(eng, Options{Logf: t.Logf})
	addr, err := srv.ListenAndServe("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if srv.Addr().String() != addr.String() {
		t.Errorf("Addr %v, want %v", srv.Addr(), addr)
	}
	db, err := sql.Open("sqlserver", dsn(srv, "sa", "secret", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := testCtx(t)
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	// A statement blocked in the engine must end when the server closes.
	done := make(chan error, 1)
	go func() {
		_, err := db.ExecContext(ctx, "WAITFOR DELAY '01:00:00'")
		done <- err
	}()
	<-eng.waitStarted
	// A client that connects but never speaks must not keep Close waiting.
	idle, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	waitFor(t, func() bool { return srv.ConnectionCount() == 2 })
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Error("statement survived Close")
	}
	<-eng.waitEnded
	if n := srv.ConnectionCount(); n != 0 {
		t.Errorf("%d connections after Close", n)
	}
	if _, err := srv.ListenAndServe("127.0.0.1:0"); err == nil {
		t.Error("ListenAndServe after Close succeeded")
	}
	_ = db.Close()
	goleak.VerifyNone(t, before)
}
