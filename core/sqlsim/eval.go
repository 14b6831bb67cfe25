package sqlsim

import (
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"pcfailover/core/sqlsim/tds"
)

// source is one table in a FROM clause, with its columns' offset in the joined row.
type source struct {
	alias  string // alias or table name
	tname  string
	t      *table
	offset int
}

// env is the evaluation context of one (possibly joined, possibly grouped) row.
type env struct {
	s       *session
	sc      *scope
	sources []source
	row     []any
	group   [][]any // rows of the current group (aggregate evaluation)
	aggOK   bool
}

type colLoc struct {
	idx int
	col tds.Column
}

func (e *env) findCol(parts []string) (colLoc, *sqlError) {
	name := parts[len(parts)-1]
	qual := ""
	if len(parts) >= 2 {
		qual = parts[len(parts)-2]
	}
	found := -1
	var col tds.Column
	for _, src := range e.sources {
		if qual != "" && !eqFold(src.alias, qual) && !eqFold(src.tname, qual) {
			continue
		}
		if i := src.t.colIndex(name); i >= 0 {
			if found >= 0 {
				return colLoc{}, errOf(errAmbiguousColumn(name)).abort()
			}
			found = src.offset + i
			col = src.t.cols[i]
		}
	}
	if found < 0 {
		if qual != "" {
			return colLoc{}, errOf(msg(4104, 16, 1, "The multi-part identifier \"%s\" could not be bound.", strings.Join(parts, "."))).abort()
		}
		return colLoc{}, errOf(errInvalidColumn(name)).abort()
	}
	return colLoc{idx: found, col: col}, nil
}

var aggregates = map[string]bool{"COUNT": true, "MAX": true, "MIN": true, "SUM": true, "AVG": true, "COUNT_BIG": true}

func hasAggregate(x expr) bool {
	switch v := x.(type) {
	case *funcCall:
		if aggregates[v.name] {
			return true
		}
		for _, a := range v.args {
			if hasAggregate(a) {
				return true
			}
		}
	case *binExpr:
		return hasAggregate(v.l) || hasAggregate(v.r)
	case *notExpr:
		return hasAggregate(v.e)
	case *negExpr:
		return hasAggregate(v.e)
	case *castExpr:
		return hasAggregate(v.e)
	case *isNullExpr:
		return hasAggregate(v.e)
	case *caseExpr:
		if v.operand != nil && hasAggregate(v.operand) {
			return true
		}
		for _, w := range v.whens {
			if hasAggregate(w.cond) || hasAggregate(w.res) {
				return true
			}
		}
		if v.els != nil {
			return hasAggregate(v.els)
		}
	}
	return false
}

// typeOf infers the result column type of an expression.
func (e *env) typeOf(x expr) (tds.Column, *sqlError) {
	switch v := x.(type) {
	case *colRef:
		loc, err := e.findCol(v.parts)
		if err != nil {
			return tds.Column{}, err
		}
		return loc.col, nil
	case *literal:
		return typeOfValue(v.v), nil
	case *varRef:
		if ts, ok := e.sc.types[v.name]; ok {
			return columnOfType(ts), nil
		}
		val, ok := e.sc.vars[v.name]
		if !ok {
			return tds.Column{}, errOf(errMustDeclare(v.name)).abort()
		}
		return typeOfValue(val), nil
	case *sysVarRef:
		switch v.name {
		case "@@SPID":
			return cSmall(""), nil
		case "@@TRANCOUNT", "@@ERROR", "@@ROWCOUNT":
			return cInt(""), nil
		case "@@VERSION":
			return cStr("", 300), nil
		default:
			return cStr("", 128), nil
		}
	case *castExpr:
		return columnOfType(v.typ), nil
	case *funcCall:
		switch v.name {
		case "COUNT", "DB_ID", "IS_SRVROLEMEMBER", "HAS_PERMS_BY_NAME", "DATEDIFF", "LEN", "OBJECT_ID", "IS_MEMBER", "DATEPART", "CHARINDEX":
			return cInt(""), nil
		case "COUNT_BIG":
			return cBig(""), nil
		case "MAX", "MIN", "ISNULL", "UPPER", "LOWER", "LTRIM", "RTRIM", "DATEADD", "SUM", "AVG", "ABS":
			if len(v.args) == 0 {
				return cInt(""), nil
			}
			idx := 0
			if v.name == "DATEADD" && len(v.args) == 3 {
				idx = 2
			}
			c, err := e.typeOf(v.args[idx])
			if err != nil {
				return c, err
			}
			if v.name == "SUM" && (c.Type == tds.TypeInt || c.Type == tds.TypeSmallInt || c.Type == tds.TypeTinyInt) {
				c = cInt("")
			}
			c.Nullable = true
			return c, nil
		case "COALESCE":
			for _, a := range v.args {
				if l, ok := a.(*literal); ok && l.v == nil {
					continue
				}
				return e.typeOf(a)
			}
			return cInt(""), nil
		case "GETDATE", "GETUTCDATE", "CURRENT_TIMESTAMP":
			return cDT(""), nil
		case "SYSDATETIME", "SYSUTCDATETIME":
			return tds.Column{Type: tds.TypeDateTime2, Scale: 7, Nullable: true}, nil
		case "NEWID":
			return cGUID(""), nil
		case "QUOTENAME":
			return cStr("", 258), nil
		case "SERVERPROPERTY", "DATABASEPROPERTYEX":
			return cStr("", 128), nil
		default:
			return cStr("", 128), nil
		}
	case *binExpr:
		switch v.op {
		case "+", "-", "*", "/", "%":
			l, err := e.typeOf(v.l)
			if err != nil {
				return l, err
			}
			r, err := e.typeOf(v.r)
			if err != nil {
				return r, err
			}
			if l.Type == tds.TypeNVarChar || r.Type == tds.TypeNVarChar {
				return cStr("", 4000), nil
			}
			if l.Type == tds.TypeNumeric || r.Type == tds.TypeNumeric {
				return cNum("", 38, 0), nil
			}
			if l.Type == tds.TypeBigInt || r.Type == tds.TypeBigInt {
				return cBig(""), nil
			}
			if l.Type == tds.TypeFloat || r.Type == tds.TypeFloat {
				return cFloat(""), nil
			}
			if l.Type == tds.TypeDateTime {
				return l, nil
			}
			return cInt(""), nil
		}
		return cBit(""), nil
	case *negExpr:
		return e.typeOf(v.e)
	case *caseExpr:
		for _, w := range v.whens {
			if l, ok := w.res.(*literal); ok && l.v == nil {
				continue
			}
			return e.typeOf(w.res)
		}
		if v.els != nil {
			return e.typeOf(v.els)
		}
		return cInt(""), nil
	}
	return cBit(""), nil
}

func typeOfValue(v any) tds.Column {
	switch x := v.(type) {
	case int64:
		if x > 2147483647 || x < -2147483648 {
			return cBig("")
		}
		return cInt("")
	case float64:
		return cFloat("")
	case bool:
		return cBit("")
	case decimalVal:
		return cNum("", 38, 0)
	case time.Time:
		return cDT("")
	case uuid.UUID:
		return cGUID("")
	case string:
		n := len([]rune(x))
		if n == 0 {
			n = 1
		}
		if n > 4000 {
			n = 0
		}
		return cStr("", n)
	case []byte:
		return cBin("", 0)
	}
	return cInt("")
}

func columnOfType(ts typeSpec) tds.Column {
	switch ts.name {
	case "INT":
		return cInt("")
	case "BIGINT":
		return cBig("")
	case "SMALLINT":
		return cSmall("")
	case "TINYINT":
		return cTiny("")
	case "BIT":
		return cBit("")
	case "NUMERIC", "DECIMAL":
		p, s := ts.precision, ts.scale
		if p == 0 {
			p = 18
		}
		return cNum("", uint8(p), uint8(s))
	case "DATETIME", "SMALLDATETIME":
		return cDT("")
	case "DATETIME2", "DATETIMEOFFSET":
		sc := 7
		if ts.size > 0 {
			sc = ts.size
		}
		return tds.Column{Type: tds.TypeDateTime2, Scale: uint8(sc), Nullable: true}
	case "UNIQUEIDENTIFIER":
		return cGUID("")
	case "FLOAT", "REAL":
		return cFloat("")
	case "VARBINARY", "BINARY":
		n := ts.size
		if n < 0 {
			n = 0
		}
		return cBin("", n)
	default:
		n := ts.size
		if n < 0 {
			n = 0
		} else if n == 0 {
			n = 30
		}
		return cStr("", n)
	}
}

// eval evaluates an expression against env.
func (e *env) eval(x expr) (any, *sqlError) {
	switch v := x.(type) {
	case *literal:
		return v.v, nil
	case *colRef:
		loc, err := e.findCol(v.parts)
		if err != nil {
			return nil, err
		}
		row := e.row
		if row == nil && len(e.group) > 0 {
			row = e.group[0]
		}
		if row == nil {
			return nil, nil
		}
		return row[loc.idx], nil
	case *varRef:
		val, ok := e.sc.vars[v.name]
		if !ok {
			return nil, errOf(errMustDeclare(v.name)).abort()
		}
		return val, nil
	case *sysVarRef:
		return e.s.sysVar(v.name)
	case *keywordArg:
		return v.word, nil
	case *castExpr:
		val, err := e.eval(v.e)
		if err != nil {
			return nil, err
		}
		return castValue(val, v.typ)
	case *negExpr:
		val, err := e.eval(v.e)
		if err != nil || val == nil {
			return nil, err
		}
		switch n := val.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		case decimalVal:
			if strings.HasPrefix(string(n), "-") {
				return decimalVal(strings.TrimPrefix(string(n), "-")), nil
			}
			return decimalVal("-" + string(n)), nil
		}
		return nil, errOf(msg(8117, 16, 1, "Operand data type nvarchar is invalid for minus operator."))
	case *notExpr:
		val, err := e.eval(v.e)
		if err != nil || val == nil {
			return nil, err
		}
		return !truthy(val), nil
	case *isNullExpr:
		val, err := e.eval(v.e)
		if err != nil {
			return nil, err
		}
		return (val == nil) != v.not, nil
	case *likeExpr:
		a, err := e.eval(v.e)
		if err != nil {
			return nil, err
		}
		p, err := e.eval(v.pat)
		if err != nil {
			return nil, err
		}
		if a == nil || p == nil {
			return nil, nil
		}
		return likeMatch(valueString(a), valueString(p)) != v.not, nil
	case *inExpr:
		a, err := e.eval(v.e)
		if err != nil || a == nil {
			return nil, err
		}
		for _, it := range v.list {
			b, err := e.eval(it)
			if err != nil {
				return nil, err
			}
			if b == nil {
				continue
			}
			c, ok := compareValues(a, b)
			if !ok {
				return nil, errOf(errConversion(valueString(b), "nvarchar"))
			}
			if c == 0 {
				return !v.not, nil
			}
		}
		return v.not, nil
	case *betweenExpr:
		a, err := e.eval(v.e)
		if err != nil {
			return nil, err
		}
		lo, err := e.eval(v.lo)
		if err != nil {
			return nil, err
		}
		hi, err := e.eval(v.hi)
		if err != nil {
			return nil, err
		}
		if a == nil || lo == nil || hi == nil {
			return nil, nil
		}
		c1, ok1 := compareValues(a, lo)
		c2, ok2 := compareValues(a, hi)
		if !ok1 || !ok2 {
			return nil, errOf(errConversion(valueString(a), "nvarchar"))
		}
		return (c1 >= 0 && c2 <= 0) != v.not, nil
	case *binExpr:
		return e.evalBin(v)
	case *caseExpr:
		var operand any
		if v.operand != nil {
			var err *sqlError
			operand, err = e.eval(v.operand)
			if err != nil {
				return nil, err
			}
		}
		for _, w := range v.whens {
			c, err := e.eval(w.cond)
			if err != nil {
				return nil, err
			}
			hit := false
			if v.operand != nil {
				if operand != nil && c != nil {
					r, ok := compareValues(operand, c)
					hit = ok && r == 0
				}
			} else {
				hit = truthy(c)
			}
			if hit {
				return e.eval(w.res)
			}
		}
		if v.els != nil {
			return e.eval(v.els)
		}
		return nil, nil
	case *funcCall:
		return e.evalFunc(v)
	}
	return nil, errOf(errSyntax("?"))
}

func (e *env) evalBin(v *binExpr) (any, *sqlError) {
	if v.op == "AND" || v.op == "OR" {
		l, err := e.eval(v.l)
		if err != nil {
			return nil, err
		}
		if v.op == "AND" && l != nil && !truthy(l) {
			return false, nil
		}
		if v.op == "OR" && truthy(l) {
			return true, nil
		}
		r, err := e.eval(v.r)
		if err != nil {
			return nil, err
		}
		if v.op == "AND" {
			if r != nil && !truthy(r) {
				return false, nil
			}
			if l == nil || r == nil {
				return nil, nil
			}
			return true, nil
		}
		if truthy(r) {
			return true, nil
		}
		if l == nil || r == nil {
			return nil, nil
		}
		return false, nil
	}
	l, err := e.eval(v.l)
	if err != nil {
		return nil, err
	}
	r, err := e.eval(v.r)
	if err != nil {
		return nil, err
	}
	if l == nil || r == nil {
		return nil, nil
	}
	switch v.op {
	case "=", "<>", "<", "<=", ">", ">=":
		c, ok := compareValues(l, r)
		if !ok {
			bad := l
			if _, isStr := r.(string); isStr {
				bad = r
			}
			return nil, errOf(errConversion(valueString(bad), "nvarchar"))
		}
		switch v.op {
		case "=":
			return c == 0, nil
		case "<>":
			return c != 0, nil
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		default:
			return c >= 0, nil
		}
	case "+":
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			if ls && rs || !(isNumeric(l) || isNumeric(r)) {
				return valueString(l) + valueString(r), nil
			}
		}
		if t, ok := l.(time.Time); ok {
			if n, ok := toInt(r); ok {
				return t.AddDate(0, 0, int(n)), nil
			}
		}
	}
	return arith(v.op, l, r)
}

func arith(op string, l, r any) (any, *sqlError) {
	li, lok := l.(int64)
	ri, rok := r.(int64)
	if lok && rok {
		switch op {
		case "+":
			return li + ri, nil
		case "-":
			return li - ri, nil
		case "*":
			return li * ri, nil
		case "/":
			if ri == 0 {
				return nil, errOf(errDivideByZero())
			}
			return li / ri, nil
		case "%":
			if ri == 0 {
				return nil, errOf(errDivideByZero())
			}
			return li % ri, nil
		}
	}
	lr, ok1 := toBigRat(l)
	rr, ok2 := toBigRat(r)
	if !ok1 || !ok2 {
		return nil, errOf(errConversion(valueString(l), "nvarchar"))
	}
	var res *big.Rat
	switch op {
	case "+":
		res = new(big.Rat).Add(lr, rr)
	case "-":
		res = new(big.Rat).Sub(lr, rr)
	case "*":
		res = new(big.Rat).Mul(lr, rr)
	case "/":
		if rr.Sign() == 0 {
			return nil, errOf(errDivideByZero())
		}
		res = new(big.Rat).Quo(lr, rr)
	default:
		return nil, errOf(msg(402, 16, 1, "The data types are incompatible in the modulo operator."))
	}
	_, lf := l.(float64)
	_, rf := r.(float64)
	if lf || rf {
		f, _ := res.Float64()
		return f, nil
	}
	if res.IsInt() {
		return decimalVal(res.Num().String()), nil
	}
	f, _ := res.Float64()
	return f, nil
}

func castValue(v any, ts typeSpec) (any, *sqlError) {
	if v == nil {
		return nil, nil
	}
	switch ts.name {
	case "INT", "BIGINT", "SMALLINT", "TINYINT":
		n, ok := toInt(v)
		if !ok {
			return nil, errOf(errConversion(valueString(v), "nvarchar"))
		}
		return n, nil
	case "BIT":
		n, ok := toInt(v)
		if !ok {
			return nil, errOf(errConversion(valueString(v), "nvarchar"))
		}
		return n != 0, nil
	case "NUMERIC", "DECIMAL":
		r, ok := toBigRat(v)
		if !ok {
			return nil, errOf(msg(8114, 16, 5, "Error converting data type nvarchar to numeric."))
		}
		if ts.scale == 0 {
			q := new(big.Int).Quo(r.Num(), r.Denom())
			return decimalVal(q.String()), nil
		}
		return decimalVal(r.FloatString(ts.scale)), nil
	case "FLOAT", "REAL":
		r, ok := toBigRat(v)
		if !ok {
			return nil, errOf(msg(8114, 16, 5, "Error converting data type nvarchar to float."))
		}
		f, _ := r.Float64()
		return f, nil
	case "UNIQUEIDENTIFIER":
		switch x := v.(type) {
		case uuid.UUID:
			return x, nil
		case string:
			u, err := uuid.Parse(x)
			if err != nil {
				return nil, errOf(msg(8169, 16, 2, "Conversion failed when converting from a character string to uniqueidentifier."))
			}
			return u, nil
		}
	case "DATETIME", "DATETIME2", "SMALLDATETIME", "DATE":
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			t, ok := parseDateTime(x)
			if !ok {
				return nil, errOf(msg(241, 16, 1, "Conversion failed when converting date and/or time from character string."))
			}
			return t, nil
		}
	}
	s := valueString(v)
	if ts.size > 0 && len([]rune(s)) > ts.size {
		s = string([]rune(s)[:ts.size])
	}
	return s, nil
}

func (s *session) sysVar(name string) (any, *sqlError) {
	in := s.in
	switch name {
	case "@@SPID":
		return int64(s.spid), nil
	case "@@SERVERNAME":
		return in.cfg.Name, nil
	case "@@VERSION":
		return in.cfg.Version, nil
	case "@@TRANCOUNT":
		in.mu.Lock()
		defer in.mu.Unlock()
		return int64(s.tranCount), nil
	case "@@SERVICENAME":
		if i := strings.IndexByte(in.cfg.Name, '\\'); i >= 0 {
			return in.cfg.Name[i+1:], nil
		}
		return "MSSQLSERVER", nil
	case "@@ERROR", "@@ROWCOUNT":
		return int64(0), nil
	case "@@LANGUAGE":
		return "us_english", nil
	}
	return nil, errOf(msg(137, 15, 2, "Must declare the scalar variable \"%s\".", name)).abort()
}

func (e *env) evalFunc(f *funcCall) (any, *sqlError) {
	if aggregates[f.name] {
		return e.evalAggregate(f)
	}
	args := make([]any, len(f.args))
	for i, a := range f.args {
		v, err := e.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	arg := func(i int) any {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	in := e.s.in
	switch f.name {
	case "DB_ID":
		in.mu.Lock()
		defer in.mu.Unlock()
		if len(args) == 0 {
			return in.dbIDLocked(e.s.db), nil
		}
		if arg(0) == nil {
			return nil, nil
		}
		return in.dbIDLocked(valueString(arg(0))), nil
	case "DB_NAME":
		in.mu.Lock()
		defer in.mu.Unlock()
		if len(args) == 0 {
			return e.s.db, nil
		}
		id, ok := toInt(arg(0))
		if !ok {
			return nil, nil
		}
		for _, d := range in.dbs {
			if int64(d.ID) == id {
				return d.Name, nil
			}
		}
		return nil, nil
	case "SERVERPROPERTY":
		return in.serverProperty(valueString(arg(0))), nil
	case "IS_SRVROLEMEMBER":
		role := strings.ToLower(valueString(arg(0)))
		login := e.s.login
		if len(args) > 1 && arg(1) != nil {
			login = valueString(arg(1))
		}
		switch role {
		case "sysadmin", "processadmin", "dbcreator", "serveradmin", "securityadmin", "setupadmin", "diskadmin", "bulkadmin":
			return boolInt(in.isSysadmin(login)), nil
		case "public":
			return int64(1), nil
		}
		return nil, nil
	case "IS_MEMBER":
		return boolInt(in.isSysadmin(e.s.login)), nil
	case "HAS_PERMS_BY_NAME":
		if in.isSysadmin(e.s.login) {
			return int64(1), nil
		}
		return int64(0), nil
	case "SUSER_SNAME", "SUSER_NAME", "ORIGINAL_LOGIN", "SYSTEM_USER", "USER_NAME", "CURRENT_USER":
		return e.s.login, nil
	case "DATABASEPROPERTYEX":
		return in.databaseProperty(valueString(arg(0)), valueString(arg(1))), nil
	case "GETDATE", "CURRENT_TIMESTAMP", "SYSDATETIME":
		return in.now(), nil
	case "GETUTCDATE", "SYSUTCDATETIME":
		return in.now().UTC(), nil
	case "NEWID":
		return uuid.New(), nil
	case "QUOTENAME":
		if arg(0) == nil {
			return nil, nil
		}
		return quoteName(valueString(arg(0))), nil
	case "ISNULL":
		if arg(0) != nil {
			return arg(0), nil
		}
		return arg(1), nil
	case "COALESCE":
		for _, a := range args {
			if a != nil {
				return a, nil
			}
		}
		return nil, nil
	case "UPPER":
		if arg(0) == nil {
			return nil, nil
		}
		return strings.ToUpper(valueString(arg(0))), nil
	case "LOWER":
		if arg(0) == nil {
			return nil, nil
		}
		return strings.ToLower(valueString(arg(0))), nil
	case "LTRIM":
		if arg(0) == nil {
			return nil, nil
		}
		return strings.TrimLeft(valueString(arg(0)), " "), nil
	case "RTRIM":
		if arg(0) == nil {
			return nil, nil
		}
		return strings.TrimRight(valueString(arg(0)), " "), nil
	case "LEN":
		if arg(0) == nil {
			return nil, nil
		}
		return int64(len([]rune(strings.TrimRight(valueString(arg(0)), " ")))), nil
	case "ABS":
		if n, ok := arg(0).(int64); ok {
			if n < 0 {
				n = -n
			}
			return n, nil
		}
	case "DATEDIFF":
		a, aok := arg(1).(time.Time)
		b, bok := arg(2).(time.Time)
		if !aok || !bok {
			return nil, nil
		}
		return dateDiff(valueString(arg(0)), a, b), nil
	case "DATEADD":
		n, ok := toInt(arg(1))
		t, tok := arg(2).(time.Time)
		if !ok || !tok {
			return nil, nil
		}
		return dateAdd(valueString(arg(0)), n, t), nil
	case "OBJECT_ID":
		return nil, nil
	}
	return nil, errOf(errNotBuiltin(f.name)).abort()
}

func dateUnit(u string) time.Duration {
	switch strings.ToUpper(u) {
	case "HOUR", "HH":
		return time.Hour
	case "MINUTE", "MI", "N":
		return time.Minute
	case "SECOND", "SS", "S":
		return time.Second
	case "MILLISECOND", "MS":
		return time.Millisecond
	case "MICROSECOND", "MCS":
		return time.Microsecond
	}
	return 24 * time.Hour
}

// dateDiff counts unit boundaries crossed, as DATEDIFF does.
func dateDiff(unit string, a, b time.Time) int64 {
	d := dateUnit(unit)
	if d >= 24*time.Hour {
		ay, am, ad := a.Date()
		by, bm, bd := b.Date()
		da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
		db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
		return int64(db.Sub(da) / (24 * time.Hour))
	}
	return b.Truncate(d).Sub(a.Truncate(d)).Nanoseconds() / d.Nanoseconds()
}

func dateAdd(unit string, n int64, t time.Time) time.Time {
	d := dateUnit(unit)
	if d >= 24*time.Hour {
		return t.AddDate(0, 0, int(n))
	}
	return t.Add(time.Duration(n) * d)
}

func (e *env) evalAggregate(f *funcCall) (any, *sqlError) {
	if !e.aggOK {
		return nil, errOf(msg(147, 15, 1, "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list, and the column being aggregated is an outer reference.")).abort()
	}
	var vals []any
	for _, r := range e.group {
		if f.star {
			vals = append(vals, int64(1))
			continue
		}
		sub := *e
		sub.row = r
		sub.aggOK = false
		v, err := sub.eval(f.args[0])
		if err != nil {
			return nil, err
		}
		if v != nil {
			vals = append(vals, v)
		}
	}
	if f.distinct {
		seen := map[string]bool{}
		var d []any
		for _, v := range vals {
			k := valueKey(v)
			if !seen[k] {
				seen[k] = true
				d = append(d, v)
			}
		}
		vals = d
	}
	switch f.name {
	case "COUNT", "COUNT_BIG":
		return int64(len(vals)), nil
	case "MAX", "MIN":
		var best any
		for _, v := range vals {
			if best == nil {
				best = v
				continue
			}
			c, ok := compareValues(v, best)
			if !ok {
				return nil, errOf(errConversion(valueString(v), "nvarchar"))
			}
			if (f.name == "MAX" && c > 0) || (f.name == "MIN" && c < 0) {
				best = v
			}
		}
		return best, nil
	case "SUM", "AVG":
		if len(vals) == 0 {
			return nil, nil
		}
		var acc any = int64(0)
		for _, v := range vals {
			r, err := arith("+", acc, v)
			if err != nil {
				return nil, err
			}
			acc = r
		}
		if f.name == "AVG" {
			return arith("/", acc, int64(len(vals)))
		}
		return acc, nil
	}
	return nil, errOf(errNotBuiltin(f.name)).abort()
}

// valueKey is a canonical key for DISTINCT / UNION / GROUP BY.
func valueKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "\x00null"
	case string:
		return "s" + strings.ToLower(strings.TrimRight(x, " "))
	case time.Time:
		return "t" + x.UTC().Format(time.RFC3339Nano)
	case uuid.UUID:
		return "g" + x.String()
	}
	if isNumeric(v) {
		r, _ := toBigRat(v)
		return "n" + r.RatString()
	}
	return "?" + valueString(v)
}

func (in *Instance) serverProperty(p string) any {
	name := in.cfg.Name
	inst := ""
	if i := strings.IndexByte(name, '\\'); i >= 0 {
		inst = name[i+1:]
	}
	switch strings.ToLower(p) {
	case "servername":
		return name
	case "machinename", "computernamephysicalnetbios":
		// The Windows computer name (SERVERPROPERTY docs), not the instance part.
		return in.cfg.Host
	case "instancename":
		if inst == "" {
			return nil
		}
		return inst
	case "productversion":
		return in.cfg.ProductVersion
	case "productlevel":
		return "SP3"
	case "edition":
		return in.cfg.Edition
	case "engineedition":
		return "3"
	case "isclustered", "ishadrenabled", "isintegratedsecurityonly", "issingleuser":
		return "0"
	case "collation":
		return "SQL_Latin1_General_CP1_CI_AS"
	case "productmajorversion":
		return strings.SplitN(in.cfg.ProductVersion, ".", 2)[0]
	}
	return nil
}

func (in *Instance) databaseProperty(db, prop string) any {
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(db)
	if d == nil {
		return nil
	}
	switch strings.ToLower(prop) {
	case "status":
		return d.State
	case "updateability":
		if d.ReadOnly || d.Standby {
			return "READ_ONLY"
		}
		return "READ_WRITE"
	case "useraccess":
		return d.UserAccess
	case "recovery":
		return d.RecoveryModel
	case "isinstandby":
		return valueString(d.Standby)
	}
	return nil
}
