package sqlsim

import (
	"strconv"
	"strings"
)

// parsedStmt is one statement of a batch with its source text (for the statement log).
type parsedStmt struct {
	s    stmt
	text string
	line int32
}

// syntaxError is a compile-time error; the whole batch is refused, as SQL Server does.
type syntaxError struct {
	number int32
	state  uint8
	class  uint8
	text   string
}

func (e *syntaxError) Error() string { return e.text }

type parser struct {
	src  string
	toks []token
	i    int
}

var reserved = map[string]bool{
	"FROM": true, "WHERE": true, "JOIN": true, "ON": true, "INNER": true, "LEFT": true, "RIGHT": true,
	"OUTER": true, "CROSS": true, "FULL": true, "GROUP": true, "ORDER": true, "HAVING": true, "UNION": true,
	"AS": true, "AND": true, "OR": true, "NOT": true, "IS": true, "NULL": true, "LIKE": true, "IN": true,
	"BETWEEN": true, "SELECT": true, "EXEC": true, "EXECUTE": true, "USE": true, "KILL": true,
	"RESTORE": true, "BACKUP": true, "DROP": true, "DBCC": true, "DECLARE": true, "SET": true,
	"BEGIN": true, "COMMIT": true, "ROLLBACK": true, "ALTER": true, "PRINT": true, "WITH": true,
	"CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true, "TOP": true,
	"DISTINCT": true, "BY": true, "ASC": true, "DESC": true, "IF": true, "WHILE": true, "INSERT": true,
	"UPDATE": true, "DELETE": true, "CREATE": true, "WAITFOR": true, "OPTION": true, "FOR": true,
	"INTO": true, "VALUES": true, "EXISTS": true, "GO": true, "RETURN": true, "TRUNCATE": true,
	"GRANT": true, "REVOKE": true, "DENY": true, "MERGE": true, "OUTPUT": true, "APPLY": true,
}

// parseBatch splits and parses a batch. Any syntax error refuses the whole batch.
func parseBatch(src string) ([]parsedStmt, *syntaxError) {
	toks, lerr := lex(src)
	if lerr != nil {
		return nil, &syntaxError{number: lerr.number, state: 1, class: 15, text: lerr.text}
	}
	p := &parser{src: src, toks: toks}
	var out []parsedStmt
	first := true
	for {
		for p.isOp(";") {
			p.i++
		}
		if p.peek().kind == tEOF {
			break
		}
		start := p.peek().pos
		s, err := p.statement(first)
		if err != nil {
			return nil, err
		}
		end := p.toks[p.i-1].end
		out = append(out, parsedStmt{s: s, text: strings.TrimSpace(src[start:end]), line: int32(strings.Count(src[:start], "\n") + 1)})
		first = false
	}
	return out, nil
}

func (p *parser) peek() token       { return p.toks[p.i] }
func (p *parser) peekN(n int) token { return p.toks[min(p.i+n, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isKw(words ...string) bool {
	u := p.peek().upper()
	for _, w := range words {
		if u == w {
			return true
		}
	}
	return false
}

func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == op
}

func (p *parser) acceptKw(w string) bool {
	if p.isKw(w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.i++
		return true
	}
	return false
}

// errNear is SQL Server's 102 "Incorrect syntax near '%.*ls'." at the current token.
func (p *parser) errNear() *syntaxError {
	t := p.peek()
	if t.kind == tEOF {
		// Msg 102 at end of batch names the last token.
		if p.i > 0 {
			t = p.toks[p.i-1]
		}
	}
	return &syntaxError{number: 102, state: 1, class: 15, text: "Incorrect syntax near '" + t.near(p.src) + "'."}
}

func (p *parser) expectKw(w string) *syntaxError {
	if !p.acceptKw(w) {
		return p.errNear()
	}
	return nil
}

func (p *parser) expectOp(op string) *syntaxError {
	if !p.acceptOp(op) {
		return p.errNear()
	}
	return nil
}

// ident reads one identifier (bare, not reserved, or quoted).
func (p *parser) ident() (string, *syntaxError) {
	t := p.peek()
	if t.kind == tQIdent || (t.kind == tIdent && !reserved[t.upper()]) {
		p.i++
		return t.text, nil
	}
	return "", p.errNear()
}

// objName reads a dotted multi-part name; empty parts ("msdb..sysjobs") are allowed.
func (p *parser) objName() (objName, *syntaxError) {
	var parts []string
	first, err := p.ident()
	if err != nil {
		return objName{}, err
	}
	parts = append(parts, first)
	for p.isOp(".") {
		p.i++
		if p.isOp(".") {
			parts = append(parts, "")
			continue
		}
		id, err := p.ident()
		if err != nil {
			return objName{}, err
		}
		parts = append(parts, id)
	}
	if len(parts) > 4 {
		return objName{}, &syntaxError{number: 117, state: 1, class: 15, text: "The object name '" + strings.Join(parts, ".") + "' contains more than the maximum number of prefixes. The maximum is 3."}
	}
	return objName{parts: parts}, nil
}

func (p *parser) statement(first bool) (stmt, *syntaxError) {
	t := p.peek()
	switch t.upper() {
	case "SELECT":
		return p.selectStmt()
	case "EXEC", "EXECUTE":
		p.i++
		return p.execBody()
	case "USE":
		p.i++
		db, err := p.ident()
		if err != nil {
			return nil, err
		}
		return &useStmt{db: db}, nil
	case "KILL":
		p.i++
		if p.peek().kind != tNumber {
			return nil, p.errNear()
		}
		n := p.next()
		ks := &killStmt{spid: &literal{v: mustInt(n.text)}}
		if p.isKw("WITH") && strings.EqualFold(p.peekN(1).text, "STATUSONLY") {
			p.i += 2
			ks.statusOnly = true
		}
		return ks, nil
	case "RESTORE":
		p.i++
		return p.restoreStmt()
	case "BACKUP":
		p.i++
		return p.backupStmt()
	case "DROP":
		p.i++
		if err := p.expectKw("DATABASE"); err != nil {
			return nil, err
		}
		ds := &dropDBStmt{}
		if p.isKw("IF") && p.peekN(1).upper() == "EXISTS" {
			return nil, p.errNear()
		}
		for {
			n, err := p.ident()
			if err != nil {
				return nil, err
			}
			ds.names = append(ds.names, n)
			if !p.acceptOp(",") {
				break
			}
		}
		return ds, nil
	case "DBCC":
		p.i++
		return p.dbccStmt()
	case "DECLARE":
		p.i++
		return p.declareStmt()
	case "SET":
		p.i++
		return p.setStmt()
	case "BEGIN":
		p.i++
		if !p.acceptKw("TRAN") && !p.acceptKw("TRANSACTION") {
			return nil, p.errNear()
		}
		p.optTranName()
		return &tranStmt{kind: "BEGIN"}, nil
	case "COMMIT", "ROLLBACK":
		p.i++
		if !p.acceptKw("TRAN") && !p.acceptKw("TRANSACTION") {
			p.acceptKw("WORK")
		} else {
			p.optTranName()
		}
		return &tranStmt{kind: t.upper()}, nil
	case "ALTER":
		p.i++
		return p.alterDB()
	case "PRINT":
		p.i++
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &printStmt{e: e}, nil
	case "WAITFOR":
		p.i++
		if !p.acceptKw("DELAY") {
			return nil, p.errNear()
		}
		e, err := p.primary()
		if err != nil {
			return nil, err
		}
		return &waitforStmt{delay: e}, nil
	}
	// The first statement of a batch may be a bare procedure name (sp_who2).
	if first && (t.kind == tIdent && !reserved[t.upper()] || t.kind == tQIdent) {
		return p.execBody()
	}
	return nil, p.errNear()
}

func (p *parser) optTranName() {
	t := p.peek()
	if t.kind == tQIdent || t.kind == tVar || (t.kind == tIdent && !reserved[t.upper()]) {
		p.i++
	}
}

func (p *parser) execBody() (stmt, *syntaxError) {
	es := &execStmt{}
	if p.peek().kind == tVar && p.peekN(1).kind == tOp && p.peekN(1).text == "=" {
		es.retVar = strings.ToLower(p.next().text)
		p.i++
	}
	if p.isOp("(") {
		// EXEC ('dynamic sql') is not simulated.
		return nil, p.errNear()
	}
	name, err := p.objName()
	if err != nil {
		return nil, err
	}
	es.proc = name
	for {
		t := p.peek()
		if t.kind == tEOF || p.isOp(";") || (t.kind == tIdent && reserved[t.upper()] && t.upper() != "NULL" && t.upper() != "DEFAULT") {
			break
		}
		var a execArg
		if t.kind == tVar && p.peekN(1).kind == tOp && p.peekN(1).text == "=" {
			a.name = strings.ToLower(t.text)
			p.i += 2
		}
		v, err := p.execValue()
		if err != nil {
			return nil, err
		}
		a.val = v
		if p.acceptKw("OUTPUT") || p.acceptKw("OUT") {
			a.output = true
		}
		es.args = append(es.args, a)
		if !p.acceptOp(",") {
			break
		}
	}
	return es, nil
}

// execValue is a procedure argument: constant, variable, or a bare identifier taken as
// a string (exec sp_delete_log_shipping_secondary_database mgc).
func (p *parser) execValue() (expr, *syntaxError) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.i++
		return &literal{v: t.text}, nil
	case tNumber:
		p.i++
		return numberLiteral(t.text), nil
	case tVar:
		p.i++
		return &varRef{name: strings.ToLower(t.text)}, nil
	case tQIdent:
		p.i++
		return &literal{v: t.text}, nil
	case tIdent:
		switch t.upper() {
		case "NULL":
			p.i++
			return &literal{v: nil}, nil
		case "DEFAULT":
			p.i++
			return &keywordArg{word: "DEFAULT"}, nil
		}
		if !reserved[t.upper()] {
			p.i++
			return &literal{v: t.text}, nil
		}
	case tOp:
		if t.text == "-" && p.peekN(1).kind == tNumber {
			p.i++
			n := p.next()
			return &negExpr{e: numberLiteral(n.text)}, nil
		}
	}
	return nil, p.errNear()
}

func numberLiteral(s string) expr {
	if !strings.Contains(s, ".") {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &literal{v: v}
		}
		return &literal{v: decimalVal(strings.TrimLeft(s, "0"))}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return &literal{v: f}
}

func mustInt(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

// nameOrVar reads a database name as an identifier or a @variable.
func (p *parser) nameOrVar() (expr, *syntaxError) {
	t := p.peek()
	if t.kind == tVar {
		p.i++
		return &varRef{name: strings.ToLower(t.text)}, nil
	}
	id, err := p.ident()
	if err != nil {
		return nil, err
	}
	return &literal{v: id}, nil
}

// deviceList reads DISK = 'x' | @x [, DISK = ...].
func (p *parser) deviceList() ([]expr, *syntaxError) {
	var out []expr
	for {
		if !p.isKw("DISK") {
			if p.isKw("URL", "TAPE") {
				return nil, p.errNear()
			}
			return nil, p.errNear()
		}
		p.i++
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		t := p.peek()
		switch t.kind {
		case tString:
			p.i++
			out = append(out, &literal{v: t.text})
		case tVar:
			p.i++
			out = append(out, &varRef{name: strings.ToLower(t.text)})
		default:
			return nil, p.errNear()
		}
		if !(p.isOp(",") && strings.EqualFold(p.peekN(1).text, "DISK")) {
			return out, nil
		}
		p.i++
	}
}

func (p *parser) strOrVar() (expr, *syntaxError) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.i++
		return &literal{v: t.text}, nil
	case tVar:
		p.i++
		return &varRef{name: strings.ToLower(t.text)}, nil
	case tNumber:
		p.i++
		return numberLiteral(t.text), nil
	}
	return nil, p.errNear()
}

func (p *parser) optStats() (int, *syntaxError) {
	if p.acceptOp("=") {
		t := p.peek()
		if t.kind != tNumber {
			return 0, p.errNear()
		}
		p.i++
		n := int(mustInt(t.text))
		if n <= 0 || n > 100 {
			n = 10
		}
		return n, nil
	}
	return 10, nil
}

func (p *parser) restoreStmt() (stmt, *syntaxError) {
	rs := &restoreStmt{}
	switch {
	case p.isKw("DATABASE", "LOG"):
		rs.kind = p.next().upper()
		db, err := p.nameOrVar()
		if err != nil {
			return nil, err
		}
		rs.db = db
		if p.acceptKw("FROM") {
			devs, err := p.deviceList()
			if err != nil {
				return nil, err
			}
			rs.from = devs
		}
	case p.isKw("HEADERONLY", "FILELISTONLY", "VERIFYONLY", "LABELONLY"):
		rs.kind = p.next().upper()
		if rs.kind == "LABELONLY" {
			return nil, p.errNear()
		}
		if err := p.expectKw("FROM"); err != nil {
			return nil, err
		}
		devs, err := p.deviceList()
		if err != nil {
			return nil, err
		}
		rs.from = devs
	default:
		return nil, p.errNear()
	}
	if !p.acceptKw("WITH") {
		return rs, nil
	}
	for {
		t := p.peek()
		if t.kind != tIdent {
			return nil, p.errNear()
		}
		p.i++
		switch t.upper() {
		case "RECOVERY", "NORECOVERY":
			if rs.recovery != "" {
				return nil, conflictErr()
			}
			rs.recovery = t.upper()
		case "STANDBY":
			if rs.recovery != "" {
				return nil, conflictErr()
			}
			rs.recovery = "STANDBY"
			if err := p.expectOp("="); err != nil {
				return nil, err
			}
			e, err := p.strOrVar()
			if err != nil {
				return nil, err
			}
			rs.standby = e
		case "REPLACE":
			rs.replace = true
		case "STATS":
			n, err := p.optStats()
			if err != nil {
				return nil, err
			}
			rs.stats = n
		case "MOVE":
			l, err := p.strOrVar()
			if err != nil {
				return nil, err
			}
			if err := p.expectKw("TO"); err != nil {
				return nil, err
			}
			ph, err := p.strOrVar()
			if err != nil {
				return nil, err
			}
			rs.move = append(rs.move, moveOpt{logical: l, physical: ph})
		case "FILE":
			if err := p.expectOp("="); err != nil {
				return nil, err
			}
			e, err := p.strOrVar()
			if err != nil {
				return nil, err
			}
			rs.fileNo = e
		case "CHECKSUM":
			rs.checksum = true
		case "NO_CHECKSUM":
			rs.noChecksum = true
		case "CONTINUE_AFTER_ERROR":
			rs.contAfter = true
		case "STOP_ON_ERROR", "NOUNLOAD", "UNLOAD", "REWIND", "NOREWIND", "KEEP_REPLICATION", "RESTRICTED_USER":
		case "BUFFERCOUNT", "MAXTRANSFERSIZE", "BLOCKSIZE":
			if err := p.expectOp("="); err != nil {
				return nil, err
			}
			if _, err := p.strOrVar(); err != nil {
				return nil, err
			}
		default:
			// STOPAT, STOPATMARK, PARTIAL, PASSWORD... are not simulated.
			p.i--
			return nil, p.errNear()
		}
		if !p.acceptOp(",") {
			break
		}
	}
	return rs, nil
}

func conflictErr() *syntaxError {
	return &syntaxError{number: 3032, state: 2, class: 16, text: "One or more of the options (recovery, norecovery, standby) are not supported for this statement. Review the documentation for supported options."}
}

func (p *parser) backupStmt() (stmt, *syntaxError) {
	bs := &backupStmt{}
	if !p.isKw("DATABASE", "LOG") {
		return nil, p.errNear()
	}
	bs.kind = p.next().upper()
	db, err := p.nameOrVar()
	if err != nil {
		return nil, err
	}
	bs.db = db
	if err := p.expectKw("TO"); err != nil {
		return nil, err
	}
	devs, err := p.deviceList()
	if err != nil {
		return nil, err
	}
	bs.to = devs
	if !p.acceptKw("WITH") {
		return bs, nil
	}
	for {
		t := p.peek()
		if t.kind != tIdent {
			return nil, p.errNear()
		}
		p.i++
		switch t.upper() {
		case "NORECOVERY":
			bs.norecovery = true
		case "NO_TRUNCATE":
		case "COPY_ONLY":
			bs.copyOnly = true
		case "INIT", "FORMAT":
			bs.init = true
		case "NOINIT", "NOFORMAT", "SKIP", "NOSKIP", "COMPRESSION", "NO_COMPRESSION", "NO_CHECKSUM", "STOP_ON_ERROR", "NOUNLOAD", "UNLOAD":
		case "CHECKSUM":
			bs.checksum = true
		case "CONTINUE_AFTER_ERROR":
			bs.contAfter = true
		case "STATS":
			n, err := p.optStats()
			if err != nil {
				return nil, err
			}
			bs.stats = n
		case "NAME", "DESCRIPTION", "BUFFERCOUNT", "MAXTRANSFERSIZE", "BLOCKSIZE":
			if err := p.expectOp("="); err != nil {
				return nil, err
			}
			if _, err := p.strOrVar(); err != nil {
				return nil, err
			}
		default:
			p.i--
			return nil, p.errNear()
		}
		if !p.acceptOp(",") {
			break
		}
	}
	return bs, nil
}

func (p *parser) dbccStmt() (stmt, *syntaxError) {
	t := p.peek()
	if t.kind != tIdent {
		return nil, p.errNear()
	}
	p.i++
	ds := &dbccStmt{command: t.upper()}
	if p.acceptOp("(") {
		for !p.isOp(")") {
			e, err := p.execValue()
			if err != nil {
				return nil, err
			}
			ds.args = append(ds.args, e)
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("WITH") {
		for {
			t := p.peek()
			if t.kind != tIdent {
				return nil, p.errNear()
			}
			p.i++
			ds.with = append(ds.with, t.upper())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	return ds, nil
}

func (p *parser) typeSpec() (typeSpec, *syntaxError) {
	t := p.peek()
	if t.kind != tIdent && t.kind != tQIdent {
		return typeSpec{}, p.errNear()
	}
	p.i++
	ts := typeSpec{name: strings.ToUpper(t.text)}
	if p.acceptOp("(") {
		if p.acceptKw("MAX") {
			ts.size = -1
		} else {
			n := p.peek()
			if n.kind != tNumber {
				return typeSpec{}, p.errNear()
			}
			p.i++
			ts.size = int(mustInt(n.text))
			ts.precision = ts.size
			if p.acceptOp(",") {
				s := p.peek()
				if s.kind != tNumber {
					return typeSpec{}, p.errNear()
				}
				p.i++
				ts.scale = int(mustInt(s.text))
			}
		}
		if err := p.expectOp(")"); err != nil {
			return typeSpec{}, err
		}
	}
	return ts, nil
}

func (p *parser) declareStmt() (stmt, *syntaxError) {
	ds := &declareStmt{}
	for {
		t := p.peek()
		if t.kind != tVar {
			return nil, p.errNear()
		}
		p.i++
		p.acceptKw("AS")
		if p.isKw("TABLE", "CURSOR") {
			return nil, p.errNear()
		}
		ts, err := p.typeSpec()
		if err != nil {
			return nil, err
		}
		dv := declVar{name: strings.ToLower(t.text), typ: ts}
		if p.acceptOp("=") {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			dv.init = e
		}
		ds.vars = append(ds.vars, dv)
		if !p.acceptOp(",") {
			break
		}
	}
	return ds, nil
}

var onOffOptions = map[string]bool{
	"NOCOUNT": true, "XACT_ABORT": true, "ANSI_NULLS": true, "ANSI_WARNINGS": true, "ANSI_PADDING": true,
	"QUOTED_IDENTIFIER": true, "ARITHABORT": true, "CONCAT_NULL_YIELDS_NULL": true, "ANSI_NULL_DFLT_ON": true,
	"IMPLICIT_TRANSACTIONS": true, "CURSOR_CLOSE_ON_COMMIT": true, "NUMERIC_ROUNDABORT": true,
	"STATISTICS": false,
}

func (p *parser) setStmt() (stmt, *syntaxError) {
	t := p.peek()
	if t.kind == tVar {
		p.i++
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &setVarStmt{name: strings.ToLower(t.text), val: e}, nil
	}
	if t.kind != tIdent {
		return nil, p.errNear()
	}
	opt := t.upper()
	p.i++
	switch {
	case onOffOptions[opt]:
		if !p.isKw("ON", "OFF") {
			return nil, p.errNear()
		}
		return &setOptionStmt{option: opt, value: p.next().upper()}, nil
	case opt == "LOCK_TIMEOUT" || opt == "TEXTSIZE":
		v := p.peek()
		neg := p.acceptOp("-")
		v = p.peek()
		if v.kind != tNumber {
			return nil, p.errNear()
		}
		p.i++
		val := v.text
		if neg {
			val = "-" + val
		}
		return &setOptionStmt{option: opt, value: val}, nil
	case opt == "DEADLOCK_PRIORITY" || opt == "DATEFORMAT" || opt == "LANGUAGE" || opt == "DATEFIRST":
		v := p.next()
		if v.kind == tEOF {
			return nil, p.errNear()
		}
		return &setOptionStmt{option: opt, value: v.text}, nil
	case opt == "TRANSACTION":
		if err := p.expectKw("ISOLATION"); err != nil {
			return nil, err
		}
		if err := p.expectKw("LEVEL"); err != nil {
			return nil, err
		}
		var words []string
		for p.isKw("READ", "UNCOMMITTED", "COMMITTED", "REPEATABLE", "SERIALIZABLE", "SNAPSHOT") {
			words = append(words, p.next().upper())
		}
		if len(words) == 0 {
			return nil, p.errNear()
		}
		return &setOptionStmt{option: opt, value: strings.Join(words, " ")}, nil
	}
	p.i--
	return nil, p.errNear()
}

func (p *parser) alterDB() (stmt, *syntaxError) {
	if err := p.expectKw("DATABASE"); err != nil {
		return nil, err
	}
	db, err := p.ident()
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("SET"); err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tIdent {
		return nil, p.errNear()
	}
	p.i++
	as := &alterDBStmt{db: db, option: t.upper()}
	switch as.option {
	case "SINGLE_USER", "RESTRICTED_USER", "MULTI_USER", "OFFLINE", "ONLINE", "READ_ONLY", "READ_WRITE":
	default:
		return nil, &syntaxError{number: 102, state: 1, class: 15, text: "Incorrect syntax near '" + t.text + "'."}
	}
	if p.acceptKw("WITH") {
		switch {
		case p.acceptKw("ROLLBACK"):
			if p.acceptKw("IMMEDIATE") {
				as.rollback = true
			} else if p.acceptKw("AFTER") {
				if p.peek().kind != tNumber {
					return nil, p.errNear()
				}
				p.i++
				p.acceptKw("SECONDS")
				as.rollback = true
			} else {
				return nil, p.errNear()
			}
		case p.acceptKw("NO_WAIT"):
		default:
			return nil, p.errNear()
		}
	}
	return as, nil
}

// ---- SELECT ----

func (p *parser) selectStmt() (*selectStmt, *syntaxError) {
	head, err := p.selectCore()
	if err != nil {
		return nil, err
	}
	cur := head
	for p.isKw("UNION") {
		p.i++
		all := p.acceptKw("ALL")
		if !p.isKw("SELECT") {
			return nil, p.errNear()
		}
		nx, err := p.selectCore()
		if err != nil {
			return nil, err
		}
		cur.union = nx
		cur.unionAll = all
		cur = nx
	}
	if p.isKw("ORDER") {
		p.i++
		if err := p.expectKw("BY"); err != nil {
			return nil, err
		}
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			oi := orderItem{e: e}
			if p.acceptKw("DESC") {
				oi.desc = true
			} else {
				p.acceptKw("ASC")
			}
			head.orderBy = append(head.orderBy, oi)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.isKw("OPTION", "FOR", "INTO") {
		return nil, p.errNear()
	}
	return head, nil
}

func (p *parser) selectCore() (*selectStmt, *syntaxError) {
	if err := p.expectKw("SELECT"); err != nil {
		return nil, err
	}
	s := &selectStmt{}
	if p.acceptKw("DISTINCT") {
		s.distinct = true
	} else {
		p.acceptKw("ALL")
	}
	if p.acceptKw("TOP") {
		if p.acceptOp("(") {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			s.top = e
		} else {
			t := p.peek()
			if t.kind != tNumber {
				return nil, p.errNear()
			}
			p.i++
			s.top = numberLiteral(t.text)
		}
		if p.isKw("PERCENT", "WITH") {
			return nil, p.errNear()
		}
	}
	for {
		it, err := p.selItem()
		if err != nil {
			return nil, err
		}
		s.items = append(s.items, it)
		if !p.acceptOp(",") {
			break
		}
	}
	if p.acceptKw("FROM") {
		fc, err := p.fromClause()
		if err != nil {
			return nil, err
		}
		s.from = fc
	}
	if p.acceptKw("WHERE") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		s.where = e
	}
	if p.isKw("GROUP") {
		p.i++
		if err := p.expectKw("BY"); err != nil {
			return nil, err
		}
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			s.groupBy = append(s.groupBy, e)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("HAVING") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		s.having = e
	}
	return s, nil
}

func (p *parser) selItem() (selItem, *syntaxError) {
	if p.acceptOp("*") {
		return selItem{star: true}, nil
	}
	// alias.*
	if (p.peek().kind == tIdent || p.peek().kind == tQIdent) && p.peekN(1).kind == tOp && p.peekN(1).text == "." &&
		p.peekN(2).kind == tOp && p.peekN(2).text == "*" {
		q := p.next().text
		p.i += 2
		return selItem{star: true, starQual: q}, nil
	}
	// @v = expr
	if p.peek().kind == tVar && p.peekN(1).kind == tOp && p.peekN(1).text == "=" {
		v := strings.ToLower(p.next().text)
		p.i++
		e, err := p.expr()
		if err != nil {
			return selItem{}, err
		}
		return selItem{e: e, assignVar: v}, nil
	}
	// alias = expr
	if (p.peek().kind == tQIdent || p.peek().kind == tString || (p.peek().kind == tIdent && !reserved[p.peek().upper()])) &&
		p.peekN(1).kind == tOp && p.peekN(1).text == "=" {
		a := p.next().text
		p.i++
		e, err := p.expr()
		if err != nil {
			return selItem{}, err
		}
		return selItem{e: e, alias: a}, nil
	}
	e, err := p.expr()
	if err != nil {
		return selItem{}, err
	}
	it := selItem{e: e}
	if p.acceptKw("AS") {
		t := p.peek()
		if t.kind != tIdent && t.kind != tQIdent && t.kind != tString {
			return selItem{}, p.errNear()
		}
		p.i++
		it.alias = t.text
	} else if t := p.peek(); t.kind == tQIdent || t.kind == tString || (t.kind == tIdent && !reserved[t.upper()]) {
		p.i++
		it.alias = t.text
	}
	return it, nil
}

func (p *parser) tableRef() (tableRef, *syntaxError) {
	if p.isOp("(") {
		// Derived tables are not simulated.
		return tableRef{}, p.errNear()
	}
	n, err := p.objName()
	if err != nil {
		return tableRef{}, err
	}
	tr := tableRef{name: n}
	if p.acceptKw("AS") {
		a, err := p.ident()
		if err != nil {
			return tableRef{}, err
		}
		tr.alias = a
	} else if t := p.peek(); t.kind == tQIdent || (t.kind == tIdent && !reserved[t.upper()]) {
		p.i++
		tr.alias = t.text
	}
	// Table hints: WITH (NOLOCK) or legacy (NOLOCK).
	if (p.isKw("WITH") && p.peekN(1).kind == tOp && p.peekN(1).text == "(") || p.isOp("(") {
		p.acceptKw("WITH")
		p.i++
		for {
			t := p.peek()
			if t.kind != tIdent {
				return tableRef{}, p.errNear()
			}
			switch t.upper() {
			case "NOLOCK", "READUNCOMMITTED", "READCOMMITTED", "READPAST", "ROWLOCK", "HOLDLOCK", "UPDLOCK":
			default:
				return tableRef{}, p.errNear()
			}
			p.i++
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return tableRef{}, err
		}
	}
	return tr, nil
}

func (p *parser) fromClause() (*fromClause, *syntaxError) {
	first, err := p.tableRef()
	if err != nil {
		return nil, err
	}
	fc := &fromClause{first: first}
	for {
		var kind string
		switch {
		case p.isKw("JOIN"):
			p.i++
			kind = "INNER"
		case p.isKw("INNER"):
			p.i++
			if err := p.expectKw("JOIN"); err != nil {
				return nil, err
			}
			kind = "INNER"
		case p.isKw("LEFT"):
			p.i++
			p.acceptKw("OUTER")
			if err := p.expectKw("JOIN"); err != nil {
				return nil, err
			}
			kind = "LEFT"
		case p.isKw("CROSS"):
			p.i++
			if err := p.expectKw("JOIN"); err != nil {
				return nil, err
			}
			kind = "CROSS"
		case p.isOp(","):
			p.i++
			kind = "CROSS"
		case p.isKw("RIGHT", "FULL", "OUTER"):
			return nil, p.errNear()
		default:
			return fc, nil
		}
		tr, err := p.tableRef()
		if err != nil {
			return nil, err
		}
		jc := joinClause{kind: kind, table: tr}
		if kind != "CROSS" {
			if err := p.expectKw("ON"); err != nil {
				return nil, err
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			jc.on = e
		}
		fc.joins = append(fc.joins, jc)
	}
}

// ---- expressions ----

func (p *parser) expr() (expr, *syntaxError) { return p.orExpr() }

func (p *parser) orExpr() (expr, *syntaxError) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.acceptKw("OR") {
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: "OR", l: l, r: r}
	}
	return l, nil
}

func (p *parser) andExpr() (expr, *syntaxError) {
	l, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	for p.acceptKw("AND") {
		r, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: "AND", l: l, r: r}
	}
	return l, nil
}

func (p *parser) notExpr() (expr, *syntaxError) {
	if p.acceptKw("NOT") {
		e, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		return &notExpr{e: e}, nil
	}
	return p.predicate()
}

func (p *parser) predicate() (expr, *syntaxError) {
	if p.isKw("EXISTS") {
		return nil, p.errNear()
	}
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tOp {
		switch t.text {
		case "=", "<>", "!=", "<", "<=", ">", ">=", "!<", "!>":
			p.i++
			r, err := p.additive()
			if err != nil {
				return nil, err
			}
			op := t.text
			switch op {
			case "!=":
				op = "<>"
			case "!<":
				op = ">="
			case "!>":
				op = "<="
			}
			return &binExpr{op: op, l: l, r: r}, nil
		}
	}
	not := false
	if p.isKw("NOT") && (p.peekN(1).upper() == "LIKE" || p.peekN(1).upper() == "IN" || p.peekN(1).upper() == "BETWEEN") {
		p.i++
		not = true
	}
	switch {
	case p.acceptKw("IS"):
		n := p.acceptKw("NOT")
		if err := p.expectKw("NULL"); err != nil {
			return nil, err
		}
		return &isNullExpr{e: l, not: n}, nil
	case p.acceptKw("LIKE"):
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		if p.isKw("ESCAPE") {
			return nil, p.errNear()
		}
		return &likeExpr{e: l, pat: r, not: not}, nil
	case p.acceptKw("IN"):
		if err := p.expectOp("("); err != nil {
			return nil, err
		}
		if p.isKw("SELECT") {
			return nil, p.errNear()
		}
		var list []expr
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			list = append(list, e)
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		return &inExpr{e: l, list: list, not: not}, nil
	case p.acceptKw("BETWEEN"):
		lo, err := p.additive()
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("AND"); err != nil {
			return nil, err
		}
		hi, err := p.additive()
		if err != nil {
			return nil, err
		}
		return &betweenExpr{e: l, lo: lo, hi: hi, not: not}, nil
	}
	if not {
		return nil, p.errNear()
	}
	return l, nil
}

func (p *parser) additive() (expr, *syntaxError) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.next().text
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *parser) multiplicative() (expr, *syntaxError) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		op := p.next().text
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary() (expr, *syntaxError) {
	if p.acceptOp("-") {
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &negExpr{e: e}, nil
	}
	if p.acceptOp("+") {
		return p.unary()
	}
	return p.primary()
}

func (p *parser) primary() (expr, *syntaxError) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.i++
		return &literal{v: t.text}, nil
	case tNumber:
		p.i++
		return numberLiteral(t.text), nil
	case tVar:
		p.i++
		return &varRef{name: strings.ToLower(t.text)}, nil
	case tSysVar:
		p.i++
		return &sysVarRef{name: strings.ToUpper(t.text)}, nil
	case tOp:
		if t.text == "(" {
			p.i++
			if p.isKw("SELECT") {
				return nil, p.errNear()
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return e, nil
		}
		return nil, p.errNear()
	case tQIdent:
		return p.nameOrCall()
	case tIdent:
		switch t.upper() {
		case "NULL":
			p.i++
			return &literal{v: nil}, nil
		case "CASE":
			p.i++
			return p.caseExpr()
		case "CAST", "TRY_CAST":
			if p.peekN(1).kind == tOp && p.peekN(1).text == "(" {
				p.i += 2
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				if err := p.expectKw("AS"); err != nil {
					return nil, err
				}
				ts, err := p.typeSpec()
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(")"); err != nil {
					return nil, err
				}
				return &castExpr{e: e, typ: ts}, nil
			}
		case "CONVERT", "TRY_CONVERT":
			if p.peekN(1).kind == tOp && p.peekN(1).text == "(" {
				p.i += 2
				ts, err := p.typeSpec()
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(","); err != nil {
					return nil, err
				}
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				if p.acceptOp(",") {
					if _, err := p.expr(); err != nil {
						return nil, err
					}
				}
				if err := p.expectOp(")"); err != nil {
					return nil, err
				}
				return &castExpr{e: e, typ: ts}, nil
			}
		}
		if reserved[t.upper()] {
			return nil, p.errNear()
		}
		return p.nameOrCall()
	}
	return nil, p.errNear()
}

var datepartWords = map[string]bool{
	"YEAR": true, "YY": true, "YYYY": true, "MONTH": true, "MM": true, "M": true, "DAY": true, "DD": true, "D": true,
	"HOUR": true, "HH": true, "MINUTE": true, "MI": true, "N": true, "SECOND": true, "SS": true, "S": true,
	"MILLISECOND": true, "MS": true, "MICROSECOND": true, "MCS": true, "WEEK": true, "WK": true,
}

func (p *parser) nameOrCall() (expr, *syntaxError) {
	var parts []string
	for {
		t := p.peek()
		if t.kind != tIdent && t.kind != tQIdent {
			return nil, p.errNear()
		}
		p.i++
		parts = append(parts, t.text)
		if p.isOp(".") {
			p.i++
			continue
		}
		break
	}
	if !p.isOp("(") {
		return &colRef{parts: parts}, nil
	}
	p.i++
	fc := &funcCall{name: strings.ToUpper(parts[len(parts)-1])}
	if fc.name == "COUNT" && p.isOp("*") {
		p.i++
		fc.star = true
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		return fc, nil
	}
	if p.acceptKw("DISTINCT") {
		fc.distinct = true
	}
	for !p.isOp(")") {
		if (fc.name == "DATEDIFF" || fc.name == "DATEADD" || fc.name == "DATEPART") && len(fc.args) == 0 &&
			p.peek().kind == tIdent && datepartWords[p.peek().upper()] {
			fc.args = append(fc.args, &keywordArg{word: p.next().upper()})
		} else {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			fc.args = append(fc.args, e)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	if p.isKw("OVER") {
		return nil, p.errNear()
	}
	return fc, nil
}

func (p *parser) caseExpr() (expr, *syntaxError) {
	ce := &caseExpr{}
	if !p.isKw("WHEN") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		ce.operand = e
	}
	for p.acceptKw("WHEN") {
		c, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("THEN"); err != nil {
			return nil, err
		}
		r, err := p.expr()
		if err != nil {
			return nil, err
		}
		ce.whens = append(ce.whens, caseWhen{cond: c, res: r})
	}
	if len(ce.whens) == 0 {
		return nil, p.errNear()
	}
	if p.acceptKw("ELSE") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		ce.els = e
	}
	if err := p.expectKw("END"); err != nil {
		return nil, err
	}
	return ce, nil
}
