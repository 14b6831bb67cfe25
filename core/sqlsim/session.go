package sqlsim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"pcfailover/core/sqlsim/tds"
)

// session is one connection (wire, app, agent job step or system task).
type session struct {
	in        *Instance
	spid      int
	login     string
	user      bool // is_user_process
	agent     bool // a SQL Server Agent session
	host      string
	program   string
	db        string
	loginDB   string
	loginTime time.Time
	lastBatch time.Time
	status    string // sleeping, running, background
	command   string // current request command ("" = AWAITING COMMAND)
	cmdDB     string // database the current request targets
	tranCount int
	cpu, io   int64
	pct       float64 // percent_complete of a running RESTORE / BACKUP
	options   map[string]string

	killed   chan struct{}
	killOnce sync.Once
	isKilled bool
	gone     bool // removed from the instance
}

func newSession(in *Instance, spid int, login string, user bool) *session {
	now := in.now()
	return &session{
		in: in, spid: spid, login: login, user: user, db: "master", loginDB: "master",
		loginTime: now, lastBatch: now, status: "sleeping", killed: make(chan struct{}),
		options: map[string]string{},
	}
}

// SPID is @@SPID.
func (s *session) SPID() int { return s.spid }

// Database is the session's current database.
func (s *session) Database() string {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	return s.db
}

// Killed is closed when the session is ended by KILL or the instance going down.
func (s *session) Killed() <-chan struct{} { return s.killed }

// killLocked ends the session: it leaves the instance and its locks are released.
func (s *session) killLocked() {
	s.isKilled = true
	s.killOnce.Do(func() { close(s.killed) })
	s.removeLocked()
}

func (s *session) removeLocked() {
	if s.gone {
		return
	}
	s.gone = true
	if cur, ok := s.in.sessions[s.spid]; ok && cur == s {
		delete(s.in.sessions, s.spid)
	}
	s.in.releaseAllAppLocksLocked(s.spid)
	s.in.broadcastLocked()
}

// Close ends the session (client disconnected).
func (s *session) Close() {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	s.killOnce.Do(func() { close(s.killed) })
	s.removeLocked()
}

// Reset implements RESETCONNECTION: back to the login database, options and
// transaction reset.
func (s *session) Reset() {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	s.db = s.loginDB
	s.tranCount = 0
	s.options = map[string]string{}
	s.in.releaseTranAppLocksLocked(s.spid)
}

var errKilled = errors.New("sqlsim: session was killed")

// alive reports whether the session can still run statements.
func (s *session) alive() bool {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	return !s.gone && !s.in.down
}

// scope holds the variables of one batch or sp_executesql call.
type scope struct {
	vars map[string]any
	// declared types, for result typing of @vars
	types map[string]typeSpec
}

func newScope() *scope { return &scope{vars: map[string]any{}, types: map[string]typeSpec{}} }

// out wraps a ResultWriter, filling server name and line into messages.
type out struct {
	w      tds.ResultWriter
	server string
	line   int32
	proc   string
}

func (o *out) info(m tds.Message) error {
	m.Server = o.server
	m.Line = o.line
	m.Proc = o.proc
	return o.w.Info(m)
}

func (o *out) errs(e *sqlError) error {
	for _, m := range e.msgs {
		m.Server = o.server
		if m.Line == 0 {
			m.Line = o.line
		}
		if m.Proc == "" {
			m.Proc = o.proc
		}
		if err := o.w.Error(m); err != nil {
			return err
		}
	}
	return nil
}

// Batch runs SQLBatch text.
func (s *session) Batch(ctx context.Context, text string, w tds.ResultWriter) error {
	s.in.record(StatementRecord{SPID: s.spid, Login: s.login, Time: s.in.now(), Text: text})
	return s.runText(ctx, text, newScope(), &out{w: w, server: s.in.cfg.Name}, false)
}

// runText parses and runs statements; a syntax error refuses the whole text.
func (s *session) runText(ctx context.Context, text string, sc *scope, o *out, inProc bool) error {
	if !s.alive() {
		return errKilled
	}
	stmts, perr := parseBatch(text)
	if perr != nil {
		o.line = 1
		if err := o.errs(errOf(msg(perr.number, perr.class, perr.state, "%s", perr.text))); err != nil {
			return err
		}
		return o.w.StatementDone(-1, true)
	}
	if len(stmts) == 0 {
		return nil
	}
	s.in.mu.Lock()
	s.lastBatch = s.in.now()
	s.in.mu.Unlock()
	for i, ps := range stmts {
		if err := ctx.Err(); err != nil {
			return err
		}
		o.line = ps.line
		abort, err := s.runStatement(ctx, ps, sc, o, i == 0)
		if err != nil {
			return err
		}
		if abort {
			break
		}
	}
	return nil
}

// runStatement runs one statement and writes its results; abort reports an error that
// ends the batch.
func (s *session) runStatement(ctx context.Context, ps parsedStmt, sc *scope, o *out, first bool) (abort bool, err error) {
	if err := sleepCtx(ctx, s.in.cfg.StatementLatency); err != nil {
		return true, err
	}
	if f := s.in.matchFault(ps.text); f != nil {
		done, ferr := s.applyFault(ctx, f, o)
		if done || ferr != nil {
			return true, ferr
		}
	}
	s.setRunning(true)
	defer s.setRunning(false)
	rows, serr, werr := s.exec(ctx, ps.s, sc, o)
	if werr != nil {
		return true, werr
	}
	if !s.alive() {
		return true, errKilled
	}
	if serr != nil {
		if err := o.errs(serr); err != nil {
			return true, err
		}
		if err := o.w.StatementDone(-1, true); err != nil {
			return true, err
		}
		return serr.abortBatch, nil
	}
	return false, o.w.StatementDone(rows, false)
}

func (s *session) setRunning(on bool) {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	if on {
		s.status = "running"
	} else {
		s.status = "sleeping"
		s.command = ""
		s.cmdDB = ""
		s.pct = 0
	}
}

func (s *session) setCommand(cmd, db string) {
	s.in.mu.Lock()
	s.command = cmd
	s.cmdDB = db
	s.in.mu.Unlock()
}

// RPC runs a procedure call by name; "sp_executesql" carries statement, declarations
// and values.
func (s *session) RPC(ctx context.Context, proc string, params []tds.Param, w tds.ResultWriter) error {
	rec := StatementRecord{SPID: s.spid, Login: s.login, Time: s.in.now(), Params: append([]tds.Param(nil), params...), Proc: proc}
	o := &out{w: w, server: s.in.cfg.Name, line: 1}
	name := strings.ToLower(proc)
	if name == "sp_executesql" || strings.HasSuffix(name, ".sp_executesql") {
		if len(params) > 0 {
			if t, ok := params[0].Value.(string); ok {
				rec.Text = t
			}
		}
		rec.Proc = ""
		s.in.record(rec)
		if !s.alive() {
			return errKilled
		}
		status, err := s.execSQL(ctx, params, o)
		if err != nil {
			return err
		}
		return w.ReturnStatus(status)
	}
	rec.Text = "EXEC " + proc
	s.in.record(rec)
	if !s.alive() {
		return errKilled
	}
	if f := s.in.matchFault(proc); f != nil {
		done, ferr := s.applyFault(ctx, f, o)
		if done || ferr != nil {
			return ferr
		}
	}
	if err := sleepCtx(ctx, s.in.cfg.StatementLatency); err != nil {
		return err
	}
	var args []procArg
	for _, p := range params {
		args = append(args, procArg{name: strings.ToLower(p.Name), val: paramValue(p), output: p.Output})
	}
	n, perr := parseProcName(proc)
	if perr != nil {
		if err := o.errs(errOf(errNoProc(proc))); err != nil {
			return err
		}
		return w.StatementDone(-1, true)
	}
	s.setRunning(true)
	defer s.setRunning(false)
	res, serr, werr := s.callProc(ctx, n, args, o)
	if werr != nil {
		return werr
	}
	if serr != nil {
		if err := o.errs(serr); err != nil {
			return err
		}
		if err := w.StatementDone(-1, true); err != nil {
			return err
		}
		if res.status == 0 {
			res.status = 1
		}
		return w.ReturnStatus(res.status)
	}
	for _, ov := range res.outputs {
		if err := w.ReturnValue(ov.name, ov.col, ov.value); err != nil {
			return err
		}
	}
	return w.ReturnStatus(res.status)
}

func parseProcName(proc string) (objName, error) {
	p := &parser{}
	toks, lerr := lex(proc)
	if lerr != nil {
		return objName{}, fmt.Errorf("bad procedure name %q", proc)
	}
	p.src, p.toks = proc, toks
	n, err := p.objName()
	if err != nil || p.peek().kind != tEOF {
		return objName{}, fmt.Errorf("bad procedure name %q", proc)
	}
	return n, nil
}

// paramValue converts a wire parameter to an engine value.
func paramValue(p tds.Param) any {
	switch v := p.Value.(type) {
	case [16]byte:
		return fromSQLGUID(v)
	case tds.Decimal:
		if v.Scale == 0 {
			return decimalVal(v.Unscaled)
		}
		u := v.Unscaled
		neg := strings.HasPrefix(u, "-")
		u = strings.TrimPrefix(u, "-")
		for len(u) <= int(v.Scale) {
			u = "0" + u
		}
		r := u[:len(u)-int(v.Scale)] + "." + u[len(u)-int(v.Scale):]
		if neg {
			r = "-" + r
		}
		return decimalVal(r)
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case float32:
		return float64(v)
	}
	return p.Value
}

// execSQL implements sp_executesql: @stmt, @params declaration, then the values.
func (s *session) execSQL(ctx context.Context, params []tds.Param, o *out) (int32, error) {
	if len(params) == 0 {
		if err := o.errs(errOf(errProcArg("sp_executesql", "@statement"))); err != nil {
			return 1, err
		}
		return 1, o.w.StatementDone(-1, true)
	}
	text, _ := paramValue(params[0]).(string)
	sc := newScope()
	for i, p := range params {
		if i < 2 {
			continue
		}
		name := strings.ToLower(p.Name)
		if name == "" {
			name = fmt.Sprintf("@p%d", i-1)
		}
		sc.vars[name] = paramValue(p)
	}
	if len(params) > 1 {
		decl, _ := paramValue(params[1]).(string)
		for _, part := range splitDecl(decl) {
			f := strings.Fields(part)
			n := strings.ToLower(f[0])
			if _, ok := sc.vars[n]; !ok {
				sc.vars[n] = nil
			}
			if len(f) > 1 {
				typ := strings.Join(f[1:], " ")
				p := &parser{src: typ}
				if toks, lerr := lex(typ); lerr == nil {
					p.toks = toks
					if ts, err := p.typeSpec(); err == nil {
						sc.types[n] = ts
					}
				}
			}
		}
	}
	if err := s.runText(ctx, text, sc, o, true); err != nil {
		return 1, err
	}
	// OUTPUT parameters return the variables' final values (RETURNVALUE).
	for i, p := range params {
		if i < 2 || !p.Output {
			continue
		}
		name := strings.ToLower(p.Name)
		col := typeOfValue(sc.vars[name])
		if ts, ok := sc.types[name]; ok {
			col = columnOfType(ts)
		}
		col.Name = p.Name
		if err := o.w.ReturnValue(p.Name, col, outputValue(sc.vars[name], col)); err != nil {
			return 1, err
		}
	}
	return 0, nil
}

// splitDecl splits "@a nvarchar(5),@b numeric(25,0)" at top-level commas.
func splitDecl(decl string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range decl {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				if t := strings.TrimSpace(decl[start:i]); t != "" {
					out = append(out, t)
				}
				start = i + 1
			}
		}
	}
	if t := strings.TrimSpace(decl[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// InTransaction implements tds.TransactionSession: a transaction opened by the
// transaction manager (db.BeginTx) counts like BEGIN TRAN (RESTORE then fails with 3021).
func (s *session) InTransaction(open bool) {
	s.in.mu.Lock()
	defer s.in.mu.Unlock()
	if open {
		s.tranCount++
		return
	}
	s.tranCount = 0
	s.in.releaseTranAppLocksLocked(s.spid)
}
