package sqlsim

import (
	"context"
	"strings"
	"time"

	"pcfailover/core/sqlsim/tds"
)

// exec runs one parsed statement. rows is the DONE row count (-1 for none); serr is a
// SQL error to send; werr is a broken-session / cancelled error.
func (s *session) exec(ctx context.Context, st stmt, sc *scope, o *out) (rows int64, serr *sqlError, werr error) {
	switch v := st.(type) {
	case *selectStmt:
		s.setCommand("SELECT", "")
		res, err := s.runSelect(v, sc)
		if err != nil {
			return -1, err, nil
		}
		if res.cols == nil {
			return -1, nil, nil
		}
		if err := o.w.Columns(res.cols); err != nil {
			return -1, nil, err
		}
		for _, r := range res.rows {
			vals := make([]any, len(r))
			for i, v := range r {
				vals[i] = outputValue(v, res.cols[i])
			}
			if err := o.w.Row(vals...); err != nil {
				return -1, nil, err
			}
		}
		return int64(len(res.rows)), nil, nil
	case *execStmt:
		return s.execProcStmt(ctx, v, sc, o)
	case *useStmt:
		return -1, s.use(v.db, o), nil
	case *killStmt:
		return -1, s.kill(v, o), nil
	case *restoreStmt:
		return -1, s.restoreStmt(ctx, v, sc, o), ctxErr(ctx)
	case *backupStmt:
		return -1, s.backupStmt(ctx, v, sc, o), ctxErr(ctx)
	case *dropDBStmt:
		return -1, s.dropDatabases(v.names), nil
	case *dbccStmt:
		return -1, s.dbcc(v, sc, o), nil
	case *declareStmt:
		e := &env{s: s, sc: sc}
		for _, dv := range v.vars {
			if _, dup := sc.vars[dv.name]; dup {
				return -1, errOf(msg(134, 15, 1, "The variable name '%s' has already been declared. Variable names must be unique within a query batch or stored procedure.", dv.name)).abort(), nil
			}
			sc.vars[dv.name] = nil
			sc.types[dv.name] = dv.typ
			if dv.init != nil {
				val, err := e.eval(dv.init)
				if err != nil {
					return -1, err, nil
				}
				cv, err := castValue(val, dv.typ)
				if err != nil {
					return -1, err, nil
				}
				sc.vars[dv.name] = cv
			}
		}
		return -1, nil, nil
	case *setVarStmt:
		if _, ok := sc.vars[v.name]; !ok {
			return -1, errOf(errMustDeclare(v.name)).abort(), nil
		}
		e := &env{s: s, sc: sc}
		val, err := e.eval(v.val)
		if err != nil {
			return -1, err, nil
		}
		if ts, ok := sc.types[v.name]; ok {
			val, err = castValue(val, ts)
			if err != nil {
				return -1, err, nil
			}
		}
		sc.vars[v.name] = val
		return -1, nil, nil
	case *setOptionStmt:
		s.in.mu.Lock()
		s.options[v.option] = v.value
		s.in.mu.Unlock()
		return -1, nil, nil
	case *tranStmt:
		return -1, s.tran(v.kind), nil
	case *alterDBStmt:
		return -1, s.alterDatabase(v), nil
	case *printStmt:
		e := &env{s: s, sc: sc}
		val, err := e.eval(v.e)
		if err != nil {
			return -1, err, nil
		}
		return -1, nil, o.info(info(0, "%s", valueString(val)))
	case *waitforStmt:
		e := &env{s: s, sc: sc}
		val, err := e.eval(v.delay)
		if err != nil {
			return -1, err, nil
		}
		d, ok := parseDelay(valueString(val))
		if !ok {
			return -1, errOf(msg(148, 15, 1, "Incorrect time syntax in time string '%s' used with WAITFOR.", valueString(val))), nil
		}
		s.setCommand("WAITFOR", "")
		if err := sleepCtx(ctx, d); err != nil {
			return -1, nil, err
		}
		return -1, nil, nil
	}
	return -1, errOf(errSyntax("?")), nil
}

func ctxErr(ctx context.Context) error { return ctx.Err() }

// parseDelay reads WAITFOR DELAY 'hh:mm:ss[.mmm]'.
func parseDelay(s string) (time.Duration, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var d time.Duration
	units := []time.Duration{time.Hour, time.Minute}
	for i, p := range parts {
		if i == 2 {
			f, err := time.ParseDuration(p + "s")
			if err != nil {
				return 0, false
			}
			d += f
			continue
		}
		n, ok := toInt(p)
		if !ok {
			return 0, false
		}
		d += time.Duration(n) * units[i]
	}
	return d, true
}

func (s *session) use(db string, o *out) *sqlError {
	in := s.in
	in.mu.Lock()
	d := in.dbLocked(db)
	if d == nil {
		in.mu.Unlock()
		return errOf(errDBNotExist(db))
	}
	if m := in.openCheckLocked(d, s.spid); m != nil {
		in.mu.Unlock()
		return errOf(*m)
	}
	old := s.db
	s.db = d.Name
	in.broadcastLocked()
	in.mu.Unlock()
	if err := o.w.DatabaseChanged(d.Name, old); err != nil {
		return errOf(msg(0, 16, 1, "%s", err.Error()))
	}
	return nil
}

func (s *session) tran(kind string) *sqlError {
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	switch kind {
	case "BEGIN":
		s.tranCount++
	case "COMMIT":
		if s.tranCount == 0 {
			return errOf(errTranCount())
		}
		s.tranCount--
		if s.tranCount == 0 {
			in.releaseTranAppLocksLocked(s.spid)
		}
	case "ROLLBACK":
		if s.tranCount == 0 {
			return errOf(errRollbackCount())
		}
		s.tranCount = 0
		in.releaseTranAppLocksLocked(s.spid)
	}
	return nil
}

// kill implements KILL spid (reference §3.5): 6104 own session, 6107 system session,
// 6106 no such session, 6102 without ALTER ANY CONNECTION.
func (s *session) kill(k *killStmt, o *out) *sqlError {
	in := s.in
	spid := k.spid.(*literal).v.(int64)
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.isSysadmin(s.login) {
		return errOf(errKillPermission())
	}
	if spid < 1 || spid > 32767 {
		return errOf(msg(6101, 16, 1, "Process ID %d is not a valid process ID. Choose a number between 1 and %d.", spid, 32767))
	}
	if int(spid) == s.spid {
		return errOf(errKillOwn())
	}
	target, ok := in.sessions[int(spid)]
	if !ok {
		return errOf(errKillNotActive(spid))
	}
	if !target.user {
		return errOf(errKillSystem())
	}
	if k.statusOnly {
		return errOf(errStatusOnly(spid))
	}
	target.killLocked()
	return nil
}

func (s *session) dropDatabases(names []string) *sqlError {
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, n := range names {
		d := in.dbLocked(n)
		if d == nil {
			return errOf(errDBNotExistDrop(n))
		}
		if d.System {
			return errOf(msg(3708, 16, 1, "Cannot drop the database '%s' because it is a system database.", d.Name))
		}
		for _, o := range in.sessions {
			if o.user && strings.EqualFold(o.db, d.Name) {
				return errOf(errDBInUseDrop(d.Name))
			}
		}
		if d.busyCmd != "" {
			return errOf(errDBInUseDrop(d.Name))
		}
		delete(in.dbs, strings.ToLower(d.Name))
		in.broadcastLocked()
	}
	return nil
}

func (s *session) dbcc(d *dbccStmt, sc *scope, o *out) *sqlError {
	switch d.command {
	case "CHECKDB":
	default:
		return errOf(msg(2526, 16, 3, "Incorrect DBCC statement. Check the documentation for the correct DBCC syntax and options."))
	}
	dbName := s.Database()
	if len(d.args) > 0 {
		e := &env{s: s, sc: sc}
		v, err := e.eval(d.args[0])
		if err != nil {
			return err
		}
		if n, ok := v.(int64); ok {
			dbName = ""
			s.in.mu.Lock()
			for _, x := range s.in.dbs {
				if int64(x.ID) == n {
					dbName = x.Name
				}
			}
			s.in.mu.Unlock()
			if dbName == "" {
				return errOf(msg(2520, 16, 1, "Could not find database ID %d, name '%d'. The database may be offline. Wait a few minutes and try again.", n, n))
			}
		} else {
			dbName = valueString(v)
		}
	}
	in := s.in
	in.mu.Lock()
	db := in.dbLocked(dbName)
	if db == nil {
		in.mu.Unlock()
		return errOf(msg(2520, 16, 1, "Could not find database '%s'. The database either does not exist, or was dropped before a statement tried to use it. Verify if the database exists by querying the sys.databases catalog view.", dbName))
	}
	if m := in.openCheckLocked(db, s.spid); m != nil {
		in.mu.Unlock()
		return errOf(*m)
	}
	name := db.Name
	in.mu.Unlock()
	noInfo := false
	for _, w := range d.with {
		if w == "NO_INFOMSGS" {
			noInfo = true
		}
	}
	if !noInfo {
		if err := o.info(info(8989, "CHECKDB found 0 allocation errors and 0 consistency errors in database '%s'.", name)); err != nil {
			return errOf(msg(0, 16, 1, "%s", err.Error()))
		}
		if err := o.info(info(2528, "DBCC execution completed. If DBCC printed error messages, contact your system administrator.")); err != nil {
			return errOf(msg(0, 16, 1, "%s", err.Error()))
		}
	}
	return nil
}

// alterDatabase supports the SET options the tool might try; on a RESTORING database
// they fail with 5052 (reference §3.5).
func (s *session) alterDatabase(a *alterDBStmt) *sqlError {
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(a.db)
	if d == nil {
		return errOf(msg(5011, 14, 5, "User does not have permission to alter database '%s', the database does not exist, or the database is not in a state that allows access checks.", a.db),
			msg(5069, 16, 1, "ALTER DATABASE statement failed."))
	}
	if d.State == "RESTORING" {
		return errOf(errNotPermittedState("ALTER DATABASE", "Restoring"), msg(5069, 16, 1, "ALTER DATABASE statement failed."))
	}
	if d.Standby {
		return errOf(msg(5063, 16, 1, "Database '%s' is in warm standby. A warm-standby database is read-only.", d.Name), msg(5069, 16, 1, "ALTER DATABASE statement failed."))
	}
	switch a.option {
	case "SINGLE_USER", "RESTRICTED_USER", "OFFLINE":
		others := false
		for _, o := range in.sessions {
			if o.user && o.spid != s.spid && strings.EqualFold(o.db, d.Name) {
				others = true
			}
		}
		if others {
			if !a.rollback {
				return errOf(msg(5061, 16, 1, "ALTER DATABASE failed because a lock could not be placed on database '%s'. Try again later.", d.Name), msg(5069, 16, 1, "ALTER DATABASE statement failed."))
			}
			for _, o := range in.sortedSessions() {
				if o.user && o.spid != s.spid && strings.EqualFold(o.db, d.Name) {
					o.killLocked()
				}
			}
		}
		if a.option == "OFFLINE" {
			d.State = "OFFLINE"
		} else {
			d.UserAccess = a.option
		}
	case "MULTI_USER":
		d.UserAccess = "MULTI_USER"
	case "ONLINE":
		if d.State == "OFFLINE" {
			d.State = "ONLINE"
		}
	case "READ_ONLY":
		d.ReadOnly = true
	case "READ_WRITE":
		d.ReadOnly = false
	}
	in.broadcastLocked()
	return nil
}

// procArg is one evaluated procedure argument.
type procArg struct {
	name   string // lower-case @name or ""
	val    any
	output bool
	target string // variable to receive an OUTPUT value
	isDef  bool   // DEFAULT keyword
}

type outVal struct {
	name  string
	col   tds.Column
	value any
}

type procResult struct {
	status  int32
	outputs []outVal
}

func (s *session) execProcStmt(ctx context.Context, v *execStmt, sc *scope, o *out) (int64, *sqlError, error) {
	e := &env{s: s, sc: sc}
	var args []procArg
	for _, a := range v.args {
		pa := procArg{name: a.name, output: a.output}
		if kw, ok := a.val.(*keywordArg); ok && kw.word == "DEFAULT" {
			pa.isDef = true
		} else {
			val, err := e.eval(a.val)
			if err != nil {
				return -1, err, nil
			}
			pa.val = val
		}
		if a.output {
			if vr, ok := a.val.(*varRef); ok {
				pa.target = vr.name
			}
		}
		args = append(args, pa)
	}
	proc := strings.ToLower(v.proc.last())
	if proc == "sp_executesql" {
		return -1, nil, s.execSQLFromBatch(ctx, args, o)
	}
	res, serr, werr := s.callProc(ctx, v.proc, args, o)
	if werr != nil {
		return -1, nil, werr
	}
	if serr != nil {
		if v.retVar != "" {
			if _, ok := sc.vars[v.retVar]; ok {
				st := res.status
				if st == 0 {
					st = 1
				}
				sc.vars[v.retVar] = int64(st)
			}
		}
		return -1, serr, nil
	}
	for _, ov := range res.outputs {
		for _, a := range args {
			if a.target != "" && (a.name == ov.name || a.name == "") {
				if _, ok := sc.vars[a.target]; ok && a.name == ov.name {
					sc.vars[a.target] = ov.value
				}
			}
		}
	}
	if v.retVar != "" {
		if _, ok := sc.vars[v.retVar]; !ok {
			return -1, errOf(errMustDeclare(v.retVar)).abort(), nil
		}
		sc.vars[v.retVar] = int64(res.status)
	}
	return -1, nil, nil
}

// execSQLFromBatch is EXEC sp_executesql N'...', N'@p ...', @p = v inside a batch.
func (s *session) execSQLFromBatch(ctx context.Context, args []procArg, o *out) error {
	var params []tds.Param
	for _, a := range args {
		params = append(params, tds.Param{Name: a.name, Value: a.val})
	}
	_, err := s.execSQL(ctx, params, o)
	return err
}
