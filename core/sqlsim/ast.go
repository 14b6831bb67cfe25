package sqlsim

// Statement and expression trees produced by the parser. Only the surface the
// failover tool and its lab use is represented; the parser rejects everything else
// with SQL Server's syntax error rather than guessing.

type stmt interface{ stmtNode() }

type expr interface{ exprNode() }

// objName is a multi-part name: server.database.schema.object (missing parts empty).
type objName struct {
	parts []string // as written, 1..4 parts
}

func (o objName) last() string { return o.parts[len(o.parts)-1] }

// database returns the database part of a 3- or 4-part name ("" when absent).
func (o objName) database() string {
	if len(o.parts) >= 3 {
		return o.parts[len(o.parts)-3]
	}
	return ""
}

func (o objName) schema() string {
	if len(o.parts) >= 2 {
		return o.parts[len(o.parts)-2]
	}
	return ""
}

type selectStmt struct {
	distinct bool
	top      expr
	items    []selItem
	from     *fromClause
	where    expr
	groupBy  []expr
	having   expr
	orderBy  []orderItem
	union    *selectStmt // next SELECT of a UNION chain
	unionAll bool
}

type selItem struct {
	star      bool   // * or alias.*
	starQual  string // alias for alias.*
	e         expr
	alias     string
	assignVar string // SELECT @v = expr
}

type fromClause struct {
	first tableRef
	joins []joinClause
}

type tableRef struct {
	name  objName
	alias string
}

type joinClause struct {
	kind  string // INNER, LEFT, CROSS
	table tableRef
	on    expr
}

type orderItem struct {
	e    expr
	desc bool
}

type execArg struct {
	name   string // @name or "" (positional)
	val    expr
	output bool
}

type execStmt struct {
	retVar string
	proc   objName
	args   []execArg
}

type useStmt struct{ db string }

type killStmt struct {
	spid       expr
	statusOnly bool
}

type moveOpt struct{ logical, physical expr }

type restoreStmt struct {
	kind       string // DATABASE, LOG, HEADERONLY, FILELISTONLY, VERIFYONLY
	db         expr   // identifier literal or @var
	from       []expr
	recovery   string // "", RECOVERY, NORECOVERY, STANDBY
	standby    expr
	replace    bool
	stats      int // 0 = none
	move       []moveOpt
	fileNo     expr
	checksum   bool
	noChecksum bool
	contAfter  bool
}

type backupStmt struct {
	kind       string // DATABASE, LOG
	db         expr
	to         []expr
	norecovery bool
	copyOnly   bool
	stats      int
	checksum   bool
	contAfter  bool
	init       bool
}

type dropDBStmt struct{ names []string }

type dbccStmt struct {
	command string
	args    []expr
	with    []string
}

type declVar struct {
	name string
	typ  typeSpec
	init expr
}

type declareStmt struct{ vars []declVar }

type setVarStmt struct {
	name string
	val  expr
}

type setOptionStmt struct {
	option string
	value  string
}

type tranStmt struct{ kind string } // BEGIN, COMMIT, ROLLBACK

type alterDBStmt struct {
	db       string
	option   string // SINGLE_USER, RESTRICTED_USER, MULTI_USER, OFFLINE, ONLINE, READ_ONLY, READ_WRITE, other
	rollback bool
}

type printStmt struct{ e expr }

type waitforStmt struct{ delay expr }

func (*selectStmt) stmtNode()    {}
func (*execStmt) stmtNode()      {}
func (*useStmt) stmtNode()       {}
func (*killStmt) stmtNode()      {}
func (*restoreStmt) stmtNode()   {}
func (*backupStmt) stmtNode()    {}
func (*dropDBStmt) stmtNode()    {}
func (*dbccStmt) stmtNode()      {}
func (*declareStmt) stmtNode()   {}
func (*setVarStmt) stmtNode()    {}
func (*setOptionStmt) stmtNode() {}
func (*tranStmt) stmtNode()      {}
func (*alterDBStmt) stmtNode()   {}
func (*printStmt) stmtNode()     {}
func (*waitforStmt) stmtNode()   {}

// typeSpec is a declared type: CAST targets and DECLARE.
type typeSpec struct {
	name      string // upper case: INT, BIGINT, NVARCHAR, NUMERIC, ...
	size      int    // -1 = MAX
	precision int
	scale     int
}

type colRef struct{ parts []string } // [qualifier.]column

type literal struct{ v any }

type varRef struct{ name string } // @name, lower case

type sysVarRef struct{ name string } // @@NAME, upper case

type funcCall struct {
	name     string // upper case, schema stripped
	args     []expr
	star     bool
	distinct bool
}

type binExpr struct {
	op   string // + - * / % = <> < <= > >= AND OR
	l, r expr
}

type notExpr struct{ e expr }

type negExpr struct{ e expr }

type isNullExpr struct {
	e   expr
	not bool
}

type likeExpr struct {
	e, pat expr
	not    bool
}

type inExpr struct {
	e    expr
	list []expr
	not  bool
}

type betweenExpr struct {
	e, lo, hi expr
	not       bool
}

type castExpr struct {
	e   expr
	typ typeSpec
}

type caseWhen struct{ cond, res expr }

type caseExpr struct {
	operand expr
	whens   []caseWhen
	els     expr
}

// keywordArg is a bare keyword argument, e.g. the datepart of DATEDIFF(minute, ...).
type keywordArg struct{ word string }

func (*colRef) exprNode()      {}
func (*literal) exprNode()     {}
func (*varRef) exprNode()      {}
func (*sysVarRef) exprNode()   {}
func (*funcCall) exprNode()    {}
func (*binExpr) exprNode()     {}
func (*notExpr) exprNode()     {}
func (*negExpr) exprNode()     {}
func (*isNullExpr) exprNode()  {}
func (*likeExpr) exprNode()    {}
func (*inExpr) exprNode()      {}
func (*betweenExpr) exprNode() {}
func (*castExpr) exprNode()    {}
func (*caseExpr) exprNode()    {}
func (*keywordArg) exprNode()  {}
