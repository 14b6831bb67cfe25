package tds

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// testEngine answers a few fixed statements so that the wire layer can be tested through
// go-mssqldb without the real T-SQL engine.
type testEngine struct {
	mu         sync.Mutex
	nextSPID   int
	sessions   map[int]*testSession
	logins     []LoginRequest
	lastParams []Param
	lastProc   string
	lastBatch  string
	// bigStoppedAt is the row at which "SELECT BIG n" was stopped by a write error.
	bigStoppedAt int

	// slowStarted is signalled when "RESTORE SLOW" sent its first progress message;
	// the statement then waits for slowRelease.
	slowRelease chan struct{}
	// waitStarted receives a value when "WAITFOR" starts; waitEnded when it returns.
	waitStarted chan struct{}
	waitEnded   chan error
}

func newTestEngine() *testEngine {
	return &testEngine{
		nextSPID:    51,
		sessions:    map[int]*testSession{},
		slowRelease: make(chan struct{}),
		waitStarted: make(chan struct{}, 16),
		waitEnded:   make(chan error, 16),
	}
}

func (e *testEngine) ServerName() string { return "SIM" }

func (e *testEngine) Login(ctx context.Context, req LoginRequest) (Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.logins = append(e.logins, req)
	if req.User != "sa" || req.Password != "secret" {
		return nil, &Message{Number: 18456, State: 1, Class: 14,
			Text: fmt.Sprintf("Login failed for user '%s'.", req.User)}
	}
	db := req.Database
	if db == "" {
		db = "master"
	}
	s := &testSession{eng: e, spid: e.nextSPID, loginDB: db, db: db, killed: make(chan struct{})}
	e.nextSPID++
	e.sessions[s.spid] = s
	return s, nil
}

func (e *testEngine) loginCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.logins)
}

func (e *testEngine) lastLogin() LoginRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.logins[len(e.logins)-1]
}

func (e *testEngine) params() (string, []Param) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastProc, e.lastParams
}

type testSession struct {
	eng     *testEngine
	spid    int
	loginDB string

	mu       sync.Mutex
	db       string
	inTx     bool
	resets   int
	killed   chan struct{}
	killOnce sync.Once
	closed   bool
}

func (s *testSession) SPID() int { return s.spid }

func (s *testSession) Database() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db
}

func (s *testSession) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.db = s.loginDB
	s.resets++
}

func (s *testSession) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.eng.mu.Lock()
	delete(s.eng.sessions, s.spid)
	s.eng.mu.Unlock()
}

func (s *testSession) Killed() <-chan struct{} { return s.killed }

func (s *testSession) InTransaction(open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inTx = open
}

// lsn is a log sequence number as SQL Server returns it: numeric(25,0).
const lsn = "2147483647000000000100001"

var typeColumns = []Column{
	{Name: "i", Type: TypeInt, Nullable: true},
	{Name: "bi", Type: TypeBigInt, Nullable: true},
	{Name: "si", Type: TypeSmallInt, Nullable: true},
	{Name: "ti", Type: TypeTinyInt, Nullable: true},
	{Name: "b", Type: TypeBit, Nullable: true},
	{Name: "s", Type: TypeNVarChar, Size: 20, Nullable: true},
	{Name: "smax", Type: TypeNVarChar, Nullable: true},
	{Name: "lsn_str", Type: TypeNumeric, Precision: 25, Nullable: true},
	{Name: "lsn_int", Type: TypeNumeric, Precision: 25, Nullable: true},
	{Name: "lsn_dec", Type: TypeNumeric, Precision: 25, Nullable: true},
	{Name: "money", Type: TypeNumeric, Precision: 10, Scale: 2, Nullable: true},
	{Name: "dt", Type: TypeDateTime, Nullable: true},
	{Name: "dt2", Type: TypeDateTime2, Scale: 7, Nullable: true},
	{Name: "dt2_3", Type: TypeDateTime2, Scale: 3, Nullable: true},
	{Name: "g", Type: TypeUniqueIdentifier, Nullable: true},
	{Name: "f", Type: TypeFloat, Nullable: true},
	{Name: "vb", Type: TypeVarBinary, Size: 16, Nullable: true},
	{Name: "vbmax", Type: TypeVarBinary, Nullable: true},
	{Name: "id", Type: TypeInt},
}

var (
	typesDateTime  = time.Date(2024, 3, 15, 13, 45, 30, 500_000_000, time.UTC)
	typesDateTime2 = time.Date(2024, 3, 15, 13, 45, 30, 123_456_700, time.UTC)
	typesLongText  = strings.Repeat("Ünïcødé ", 625) // 5000 characters
	typesGUID      = "12345678-1234-5678-1234-56789ABCDEF0"
)

func typeRow() []any {
	return []any{
		int64(-2147483648), int64(9223372036854775807), int16(-32768), uint8(255), true,
		"héllo wörld", typesLongText,
		lsn, int64(41000000048800001), Decimal{Unscaled: "25000000012345600001", Precision: 25},
		"-12345678.90",
		typesDateTime, typesDateTime2, typesDateTime2,
		typesGUID, 3.141592653589793,
		[]byte{0, 1, 2, 0xFF}, make([]byte, 10000),
		1,
	}
}

func (s *testSession) Batch(ctx context.Context, text string, w ResultWriter) error {
	s.eng.mu.Lock()
	s.eng.lastBatch = text
	s.eng.mu.Unlock()
	q := strings.ToUpper(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), ";")))
	switch {
	case q == "SELECT 1":
		if err := w.Columns([]Column{{Type: TypeInt}}); err != nil {
			return err
		}
		if err := w.Row(1); err != nil {
			return err
		}
		return w.StatementDone(1, false)
	case q == "SELECT @@SPID":
		if err := w.Columns([]Column{{Type: TypeInt}}); err != nil {
			return err
		}
		if err := w.Row(s.spid); err != nil {
			return err
		}
		return w.StatementDone(1, false)
	case q == "SELECT DB_NAME()":
		if err := w.Columns([]Column{{Type: TypeNVarChar, Size: 128, Nullable: true}}); err != nil {
			return err
		}
		if err := w.Row(s.Database()); err != nil {
			return err
		}
		return w.StatementDone(1, false)
	case strings.HasPrefix(q, "USE "):
		db := strings.TrimSpace(text[strings.Index(strings.ToUpper(text), "USE ")+4:])
		old := s.Database()
		s.mu.Lock()
		s.db = db
		s.mu.Unlock()
		if err := w.DatabaseChanged(db, old); err != nil {
			return err
		}
		if err := w.Info(Message{Number: 5701, State: 2, Class: 10, Text: fmt.Sprintf("Changed database context to '%s'.", db), Line: 1}); err != nil {
			return err
		}
		return w.StatementDone(-1, false)
	case q == "SELECT TYPES":
		if err := w.Columns(typeColumns); err != nil {
			return err
		}
		if err := w.Row(typeRow()...); err != nil {
			return err
		}
		nulls := make([]any, len(typeColumns))
		nulls[len(nulls)-1] = 2
		if err := w.Row(nulls...); err != nil {
			return err
		}
		return w.StatementDone(2, false)
	case strings.HasPrefix(q, "SELECT BIG "):
		n, err := strconv.Atoi(q[len("SELECT BIG "):])
		if err != nil {
			return err
		}
		if err := w.Columns([]Column{{Name: "n", Type: TypeInt}, {Name: "pad", Type: TypeNVarChar, Size: 100}}); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := w.Row(i, strings.Repeat(string(rune('a'+i%26)), 100)); err != nil {
				s.eng.mu.Lock()
				s.eng.bigStoppedAt = i
				s.eng.mu.Unlock()
				return err
			}
		}
		return w.StatementDone(int64(n), false)
	case strings.HasPrefix(q, "UPDATE "):
		n, err := strconv.Atoi(q[len("UPDATE "):])
		if err != nil {
			return err
		}
		return w.StatementDone(int64(n), false)
	case q == "SELECT TWO":
		for i := 1; i <= 2; i++ {
			if err := w.Columns([]Column{{Name: "set", Type: TypeInt}}); err != nil {
				return err
			}
			if err := w.Row(i); err != nil {
				return err
			}
			if err := w.StatementDone(1, false); err != nil {
				return err
			}
		}
		return nil
	case q == "RESTORE BAD":
		if err := w.Error(Message{Number: 4305, State: 1, Class: 16, Line: 1,
			Text: "The log in this backup set begins at LSN 41000000048800001, which is too recent to apply to the database."}); err != nil {
			return err
		}
		if err := w.Error(Message{Number: 3013, State: 1, Class: 16, Line: 1, Text: "RESTORE LOG is terminating abnormally."}); err != nil {
			return err
		}
		return w.StatementDone(-1, true)
	case q == "RESTORE IN TRAN":
		s.mu.Lock()
		inTx := s.inTx
		s.mu.Unlock()
		if inTx {
			if err := w.Error(Message{Number: 3021, State: 1, Class: 16, Line: 1,
				Text: "Cannot perform a backup or restore operation within a transaction."}); err != nil {
				return err
			}
			return w.StatementDone(-1, true)
		}
		return w.StatementDone(-1, false)
	case q == "RESTORE SLOW":
		for pct := 10; pct <= 100; pct += 10 {
			if err := w.Info(Message{Number: 3211, State: 1, Class: 10, Line: 1, Text: fmt.Sprintf("%d percent processed.", pct)}); err != nil {
				return err
			}
			if pct == 10 {
				select {
				case <-s.eng.slowRelease:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		if err := w.Info(Message{Number: 3014, State: 1, Class: 10, Line: 1, Text: "RESTORE LOG successfully processed 2 pages in 0.010 seconds (1.562 MB/sec)."}); err != nil {
			return err
		}
		return w.StatementDone(-1, false)
	case strings.HasPrefix(q, "WAITFOR"):
		s.eng.waitStarted <- struct{}{}
		<-ctx.Done()
		s.eng.waitEnded <- ctx.Err()
		return ctx.Err()
	case strings.HasPrefix(q, "KILL "):
		spid, err := strconv.Atoi(strings.TrimSpace(q[len("KILL "):]))
		if err != nil {
			return err
		}
		s.eng.mu.Lock()
		victim := s.eng.sessions[spid]
		s.eng.mu.Unlock()
		if victim == nil {
			if err := w.Error(Message{Number: 6106, State: 2, Class: 16, Line: 1, Text: fmt.Sprintf("Process ID %d is not an active process ID.", spid)}); err != nil {
				return err
			}
			return w.StatementDone(-1, true)
		}
		victim.killOnce.Do(func() { close(victim.killed) })
		return w.StatementDone(-1, false)
	}
	if err := w.Error(Message{Number: 102, State: 1, Class: 15, Line: 1, Text: fmt.Sprintf("Incorrect syntax near '%s'.", text)}); err != nil {
		return err
	}
	return w.StatementDone(-1, true)
}

func (s *testSession) RPC(ctx context.Context, proc string, params []Param, w ResultWriter) error {
	s.eng.mu.Lock()
	s.eng.lastProc, s.eng.lastParams = proc, params
	s.eng.mu.Unlock()
	switch strings.ToLower(proc) {
	case "sp_executesql":
		if len(params) < 1 {
			return w.Error(Message{Number: 8144, State: 2, Class: 16, Text: "Procedure or function sp_executesql has too many arguments specified."})
		}
		stmt, _ := params[0].Value.(string)
		if strings.EqualFold(stmt, "SELECT COUNT") {
			if err := w.Columns([]Column{{Name: "n", Type: TypeInt}}); err != nil {
				return err
			}
			if err := w.Row(len(params) - 2); err != nil {
				return err
			}
			if err := w.StatementDone(1, false); err != nil {
				return err
			}
			return w.ReturnStatus(0)
		}
		return s.Batch(ctx, stmt, w)
	case "sp_who2":
		cols := []Column{{Name: "SPID", Type: TypeNVarChar, Size: 5}, {Name: "Status", Type: TypeNVarChar, Size: 30},
			{Name: "Login", Type: TypeNVarChar, Size: 128}, {Name: "DBName", Type: TypeNVarChar, Size: 128, Nullable: true}}
		if err := w.Columns(cols); err != nil {
			return err
		}
		if err := w.Row(fmt.Sprintf("%-5d", s.spid), "RUNNABLE", "sa", s.Database()); err != nil {
			return err
		}
		if err := w.StatementDone(1, false); err != nil {
			return err
		}
		return w.ReturnStatus(0)
	case "sp_out":
		var in int64
		for _, p := range params {
			if strings.EqualFold(p.Name, "@in") {
				in, _ = p.Value.(int64)
			}
		}
		if err := w.StatementDone(-1, false); err != nil {
			return err
		}
		if err := w.ReturnStatus(7); err != nil {
			return err
		}
		if err := w.ReturnValue("@doubled", Column{Type: TypeBigInt, Nullable: true}, in*2); err != nil {
			return err
		}
		return w.ReturnValue("@msg", Column{Type: TypeNVarChar, Nullable: true}, fmt.Sprintf("in=%d", in))
	}
	if err := w.Error(Message{Number: 2812, State: 62, Class: 16, Line: 1, Text: fmt.Sprintf("Could not find stored procedure '%s'.", proc)}); err != nil {
		return err
	}
	return w.StatementDone(-1, true)
}
