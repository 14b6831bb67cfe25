// Package tds is the wire half of the SQL Server simulator: a TDS 7.4 server that
// go-mssqldb v1.11 accepts (PRELOGIN, optional TLS, LOGIN7, SQLBatch, RPC, Attention),
// following ../shared/docs/reference/tds-server.md. It knows nothing about T-SQL: every
// login, batch and RPC is handed to an Engine, and whatever the engine writes to a
// ResultWriter is encoded as TDS tokens.
package tds

import (
	"context"
	"time"
)

// Engine is the T-SQL half of the simulator. One Engine serves every connection of one
// simulated SQL Server instance and must be safe for concurrent use.
type Engine interface {
	// Login authenticates a LOGIN7 request. A failed login returns a *Message error
	// (18456, class 14) that the server sends as an ERROR token before closing.
	Login(ctx context.Context, req LoginRequest) (Session, error)
	// ServerName is @@SERVERNAME, used in ERROR/INFO tokens and LOGINACK.
	ServerName() string
}

// LoginRequest is what the server decoded from LOGIN7.
type LoginRequest struct {
	User, Password, Database, AppName, HostName, ServerName string
	// Integrated is true when the client asked for SSPI (fIntSecurity).
	Integrated bool
	// Encrypted is true when the login arrived inside TLS.
	Encrypted bool
	// PacketSize is the size the client asked for.
	PacketSize int
}

// Session is one connection's state in the engine (SPID, current database, SET options).
type Session interface {
	// SPID is @@SPID; SQL Server numbers user sessions from 51.
	SPID() int
	// Database is the current database name, sent in the login ENVCHANGE.
	Database() string
	// Batch runs SQLBatch text. Errors raised by statements are written to w; the
	// returned error is only for a broken session (the connection is then closed).
	// ctx is cancelled when the client sends an Attention: the engine stops at the next
	// safe point and returns ctx.Err().
	Batch(ctx context.Context, text string, w ResultWriter) error
	// RPC runs a procedure call by name (ProcID 10 arrives as "sp_executesql").
	RPC(ctx context.Context, proc string, params []Param, w ResultWriter) error
	// Reset implements RESETCONNECTION (database back to the login database, options reset).
	Reset()
	// Close ends the session (client disconnected or the session was killed).
	Close()
	// Killed is closed when the session is ended by KILL or by the instance going down;
	// the server then drops the TCP connection as SQL Server does.
	Killed() <-chan struct{}
}

// Param is one decoded RPC parameter. Value is nil (NULL), int64, float64, bool, string,
// []byte, time.Time, [16]byte (uniqueidentifier, SQL Server byte order) or Decimal.
type Param struct {
	Name   string
	Value  any
	Output bool
	// Type is the declared TDS type name as the wire saw it ("nvarchar", "bigint", ...).
	Type string
}

// Decimal is an exact numeric(precision, scale) value: Unscaled * 10^-Scale, Unscaled in
// base-10 digits with an optional leading '-'.
type Decimal struct {
	Unscaled  string
	Precision uint8
	Scale     uint8
}

// ColType is the SQL type of a result column.
type ColType int

// Result column types the simulator produces.
const (
	TypeInt ColType = iota + 1
	TypeBigInt
	TypeSmallInt
	TypeTinyInt
	TypeBit
	TypeNVarChar  // Size in characters; 0 means nvarchar(max)
	TypeNumeric   // Precision, Scale; values int64, string of digits or Decimal
	TypeDateTime  // values time.Time
	TypeDateTime2 // values time.Time, Scale 0-7
	TypeUniqueIdentifier
	TypeFloat
	TypeVarBinary // Size in bytes; 0 means varbinary(max)
)

// Column describes one result column.
type Column struct {
	Name      string
	Type      ColType
	Size      int
	Precision uint8
	Scale     uint8
	Nullable  bool
}

// Message is a SQL Server error or informational message (ERROR/INFO token).
type Message struct {
	Number int32
	State  uint8
	Class  uint8 // severity: <= 10 informational (INFO token), >= 11 error
	Text   string
	Server string
	Proc   string
	Line   int32
}

// Error lets a Message be returned as a Go error (for Login failures).
func (m *Message) Error() string { return m.Text }

// ResultWriter receives a statement's output in order. Each method encodes tokens;
// Info flushes at once so that RESTORE ... STATS progress reaches the client while the
// statement runs.
//
// What the wire layer adds (tds-server.md §6): in a batch it holds back the last
// statement DONE and sends it as the final DONE (without DONE_MORE); in an RPC every
// StatementDone is a DONEINPROC with DONE_MORE and a DONEPROC (DONE_ERROR if any ERROR
// was written) is appended when RPC returns. A request that wrote no StatementDone still
// ends with a DONE (DONE_ERROR after an ERROR). After an Attention the response ends
// with DONE(DONE_ATTN) instead. Messages with an empty Server get Engine.ServerName(),
// and Info sends class 10 as 0 like SQL Server. Once the request's context is cancelled
// (Attention, connection closing) every method returns an error wrapping ctx.Err(), and
// when the client is gone an error wrapping the broken connection: the engine should
// then stop and return that error.
//
// Row values by column type: TypeInt/BigInt/SmallInt/TinyInt any Go integer (range
// checked); TypeBit bool or integer; TypeFloat float64, float32 or integer;
// TypeNVarChar string, []byte or fmt.Stringer (at most Size characters, or any length
// for Size 0 = max); TypeVarBinary []byte or string; TypeNumeric a Go integer or *big.Int
// (whole value), a decimal string ("2147483647000000000100001", "-12.50") or Decimal,
// rescaled to the column's Scale (extra decimal places rounded half away from zero); TypeDateTime and
// TypeDateTime2 time.Time (its wall clock is sent, rounded to 1/300 s or to the Scale;
// go-mssqldb reads it back in the DSN's location, UTC by default); TypeUniqueIdentifier [16]byte or 16-byte []byte in SQL
// Server byte order, or a canonical string. nil is NULL (only in Nullable columns).
type ResultWriter interface {
	// Columns starts a result set (COLMETADATA).
	Columns(cols []Column) error
	// Row sends one row; values line up with the last Columns call (nil is NULL).
	Row(values ...any) error
	// Info sends an INFO token and flushes the packet.
	Info(m Message) error
	// Error sends an ERROR token.
	Error(m Message) error
	// StatementDone ends one statement: DONE (batch) or DONEINPROC (inside an RPC) with
	// DONE_MORE; rows >= 0 sets DONE_COUNT; failed sets DONE_ERROR.
	StatementDone(rows int64, failed bool) error
	// ReturnStatus sends RETURNSTATUS for an RPC (read by go-mssqldb through a
	// *mssql.ReturnStatus argument). SQL Server sends it for every completed procedure
	// call, sp_executesql included; the wire layer never adds it by itself.
	ReturnStatus(status int32) error
	// ReturnValue sends an output parameter value (RETURNVALUE); name may omit the '@'.
	// go-mssqldb stores it into the sql.Out argument of the same name.
	ReturnValue(name string, col Column, value any) error
	// DatabaseChanged sends ENVCHANGE type 1 (USE, login).
	DatabaseChanged(newDB, oldDB string) error
}

// Clock lets tests control time; the engine uses time.Now otherwise.
type Clock func() time.Time
