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

// Read-only observations exported for the drill and status commands (core/drill,
// core/status), so they share the failover's discovery code. See also export.go.

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

// AsBool converts a scanned bit value.
func AsBool(v any) bool { return asBool(v) }

// AsTime converts a scanned datetime value; NULL is the zero time.
func AsTime(v any) time.Time { return asTime(v) }

// AsLSN converts a scanned numeric(25,0) LSN value.
func AsLSN(v any) lsn.LSN { return asLSN(v) }

// SQLNumbers returns every SQL Server error number err carries, first to last.
func SQLNumbers(err error) []int32 { return sqlNumbers(err) }
