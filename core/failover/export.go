package failover

import (
	"context"
)

// Building blocks other engines (core/failback) share with the failover engine.

// Queryer is what the observation helpers need: a *sql.DB, *sql.Conn or *sql.Tx.
type Queryer = queryer

// ObserveDB reads sys.databases, sys.database_recovery_status, sys.master_files and the
// newest msdb restore history row of database name on the instance behind db. A missing
// database gives a DBState with Exists false and no error.
func ObserveDB(ctx context.Context, db Queryer, name string) (DBState, error) {
	return observeDB(ctx, db, name)
}

// RowMaps runs q with args and returns every row as lower-case column name -> value.
func RowMaps(ctx context.Context, db Queryer, q string, args ...any) ([]map[string]any, error) {
	return rowMaps(ctx, db, q, args...)
}

// AsString, AsInt and AsGUID convert a value scanned by RowMaps.
func AsString(v any) string { return asString(v) }

// AsInt converts a scanned integer, bit or numeric string (0 for anything else).
func AsInt(v any) int64 { return asInt(v) }

// AsGUID converts a scanned uniqueidentifier to its canonical upper-case text.
func AsGUID(v any) string { return asGUID(v) }

// HasSQLNumber reports whether err carries any of the SQL Server error numbers nums.
func HasSQLNumber(err error, nums ...int32) bool { return hasNumber(err, nums...) }

// SQLMessage returns the SQL Server message texts of err (or err's text).
func SQLMessage(err error) string { return sqlMessage(err) }

// QuoteIdent bracket-quotes a SQL identifier, doubling any closing bracket.
func QuoteIdent(name string) string { return quoteIdent(name) }

// Sessions lists the user sessions on database id (never the caller's own).
func Sessions(ctx context.Context, db Queryer, id int64) ([]Session, error) {
	return listSessions(ctx, db, id)
}

// KillSQL is the KILL statement for a session id.
func KillSQL(spid int) string { return killSQL(spid) }

// LockResource is the sp_getapplock resource that serialises runs against a pool;
// failover and failback take the same one.
func LockResource(pool string) string { return lockResource(pool) }

// GetAppLockSQL takes the session-owned exclusive app lock @p1 without waiting and
// returns sp_getapplock's result as column "result".
const GetAppLockSQL = qGetAppLock

// JournalKindSnapshot is the journal record kind of the msdb log-shipping snapshot a
// failover takes before runbook step 1 (journal.Latest(dir, JournalKindSnapshot, &s)).
const JournalKindSnapshot = kindSnapshot
