package sqlsim

import (
	"context"
	"database/sql"
	"testing"
)

// BenchmarkHeaderOnlyTCP measures one RESTORE HEADERONLY round trip through
// go-mssqldb (the per-file fixed cost of the tool's chain scan).
func BenchmarkHeaderOnlyTCP(b *testing.B) {
	p := newPair(b, false)
	path := p.logBackup(b, 10, baseTime)
	db := serve(b, p.secondary)
	ctx := context.Background()
	for b.Loop() {
		rows, err := db.QueryContext(ctx, "RESTORE HEADERONLY FROM DISK = @p", sql.Named("p", path))
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
}

// BenchmarkPreflightTCP measures the failover preflight query (three-table join).
func BenchmarkPreflightTCP(b *testing.B) {
	p := newPair(b, false)
	db := serve(b, p.secondary)
	ctx := context.Background()
	for b.Loop() {
		rows, err := db.QueryContext(ctx, preflightQuery, sql.Named("db", "mgc"))
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
}
