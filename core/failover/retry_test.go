package failover

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"syscall"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/report"
)

// Only causes a retry can ride out are transient; SQL Server's own errors (but 1205),
// cancellation and safety stops never are.
func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{io.EOF, true},
		{fmt.Errorf("failed to send RPC: write tcp: %w", syscall.EPIPE), true},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{fmt.Errorf("lost: %w", driver.ErrBadConn), true},
		{failed(report.CodeSQLError, fmt.Errorf("KILL 53: %w", io.ErrUnexpectedEOF)), true},
		{mssql.Error{Number: 1205, Message: "deadlock victim"}, true},
		{fmt.Errorf("RESTORE LOG: %w", mssql.Error{Number: 1205}), true},
		{mssql.Error{Number: 3101}, false},
		{mssql.Error{Number: 4305}, false},
		{mssql.Error{Number: 18456, Message: "Login failed"}, false},
		{context.Canceled, false},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{blocked(report.CodeDamagedBackup, "f", "damaged: EOF"), false},
		{fmt.Errorf("some other failure"), false},
		{nil, false},
	} {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
