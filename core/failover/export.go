package failover

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"pcfailover/core/logchain"
	"pcfailover/core/lsn"
)

// The discovery reads below are exported for the read-only commands built on the same
// queries (core/drill, core/status): one implementation of each observation.

// Queryer is what *sql.DB and *sql.Conn share.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// RowMaps runs q with args and returns every row as lower-case column name -> value.
func RowMaps(ctx context.Context, db Queryer, q string, args ...any) ([]map[string]any, error) {
	return rowMaps(ctx, db, q, args...)
}

// ObserveDB reads database name's state on the instance behind db, with its msdb
// restore history and, while it is RESTORING or STANDBY, the LSN it needs next.
func ObserveDB(ctx context.Context, db Queryer, name string) (DBState, error) {
	return observeDB(ctx, db, name)
}

// ObserveLogShipping reads the live msdb log-shipping configuration of the secondary
// database name and its jobs (nil when the database is not a log-shipping secondary).
func ObserveLogShipping(ctx context.Context, db Queryer, name string, now time.Time) (*Snapshot, error) {
	return observeLogShipping(ctx, db, name, now)
}

// ReadHeaders runs RESTORE HEADERONLY on each path with at most parallel statements at
// once. A file whose header cannot be read (damaged, truncated, not a backup) gets
// Header.ReadError; other errors fail the call.
func ReadHeaders(ctx context.Context, db *sql.DB, paths []string, parallel int) ([]logchain.Header, error) {
	if parallel < 1 {
		parallel = 1
	}
	files := make([]fileInfo, len(paths))
	for i, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("RESTORE HEADERONLY %s: %w", p, err)
		}
		files[i] = fileInfo{Name: filepath.Base(p), Path: p, Size: fi.Size(), ModTime: fi.ModTime()}
	}
	return readHeaders(ctx, db, files, parallel, func(string) {})
}

// AsString, AsInt, AsBool, AsTime, AsLSN and AsGUID convert RowMaps values.
func AsString(v any) string { return asString(v) }

// AsInt converts an integer (or numeric text) column value; NULL is 0.
func AsInt(v any) int64 { return asInt(v) }

// AsBool converts a bit column value.
func AsBool(v any) bool { return asBool(v) }

// AsTime converts a datetime column value; NULL is the zero time.
func AsTime(v any) time.Time { return asTime(v) }

// AsLSN converts a numeric(25,0) LSN column value.
func AsLSN(v any) lsn.LSN { return asLSN(v) }

// AsGUID renders a uniqueidentifier column value in lower case.
func AsGUID(v any) string { return asGUID(v) }

// SQLNumbers returns every SQL Server error number err carries, first to last.
func SQLNumbers(err error) []int32 { return sqlNumbers(err) }

// SQLMessage joins the messages of a SQL Server error.
func SQLMessage(err error) string { return sqlMessage(err) }

// QuoteIdent bracket-quotes a SQL identifier as QUOTENAME does.
func QuoteIdent(name string) string { return quoteIdent(name) }
