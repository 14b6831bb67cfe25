package failover

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/golang-sql/sqlexp"
	mssql "github.com/microsoft/go-mssqldb"
)

// percentRE matches RESTORE's STATS message (3211): "10 percent processed."
var percentRE = regexp.MustCompile(`^(\d{1,3}) percent processed`)

// execStats runs a statement that reports progress with STATS (RESTORE, BACKUP) and
// calls progress with each percentage as SQL Server sends it (reference §3.6:
// informational messages arrive as sqlexp.MsgNotice with sqlexp.ReturnMessage). The
// errors SQL Server raises are returned as one mssql.Error whose All lists them all,
// first to last, as a plain Exec would.
//
// The response is driven by its tokens (rows.Next, rows.NextResultSet), not by the
// message queue: when the connection drops, go-mssqldb ends the token stream with the
// error but queues no message, so a loop waiting on the queue would wait forever (a
// RESTORE LOG whose connection dropped hung the failover). The queue is drained by a
// goroutine meanwhile (the driver blocks when it is full) and to the end afterwards.
//
// confirm, when not 0, is the informational message that SQL Server sends when the
// statement succeeded (3014: "RESTORE LOG successfully processed N pages ...",
// reference/tds-server.md). go-mssqldb ends the response of a connection cut by the
// server (a network failure) as if it were complete, with no error (seen in the lab: a
// dropped RESTORE LOG returned nil and looked applied); without the confirmation the
// statement's outcome is unknown, and execStats says the connection was lost, so the
// caller observes before trying again.
func execStats(ctx context.Context, conn *sql.Conn, text string, confirm int32, progress func(pct int), args ...any) error {
	ret := &sqlexp.ReturnMessage{}
	rows, err := conn.QueryContext(ctx, text, append([]any{ret}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var errs []mssql.Error
	var other error
	confirmed := confirm == 0
	handle := func(m sqlexp.RawMessage) {
		switch m := m.(type) {
		case sqlexp.MsgNotice:
			var me mssql.Error
			if st, ok := m.Message.(mssql.Error); ok {
				me = st
			}
			if me.Number == confirm {
				confirmed = true
			}
			if match := percentRE.FindStringSubmatch(m.Message.String()); match != nil && progress != nil {
				pct, _ := strconv.Atoi(match[1])
				progress(pct)
			}
		case sqlexp.MsgError:
			var me mssql.Error
			if errors.As(m.Error, &me) {
				if len(me.All) > 0 {
					errs = append(errs, me.All...)
				} else {
					errs = append(errs, me)
				}
			} else if other == nil {
				other = m.Error
			}
		}
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			m := ret.Message(ctx)
			if _, end := m.(endOfMessages); end || ctx.Err() != nil {
				return
			}
			handle(m)
		}
	}()
	for {
		for rows.Next() {
		}
		if !rows.NextResultSet() {
			break
		}
	}
	// rows is closed now (database/sql closes it when NextResultSet or Next ends it), and
	// the driver's Close waited for its reader to finish: nothing more will be queued.
	// A marker queued behind the last message tells the drainer it has seen them all.
	rerr := rows.Err()
	_ = rows.Close()
	_ = sqlexp.ReturnMessageEnqueue(ctx, ret, endOfMessages{})
	<-drained
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(errs) > 0 {
		last := errs[len(errs)-1]
		last.All = errs
		return last
	}
	if other != nil {
		return other
	}
	if rerr == nil && !confirmed {
		rerr = fmt.Errorf("the connection was lost before SQL Server confirmed the statement (no message %d): %w", confirm, driver.ErrBadConn)
	}
	return rerr
}

// endOfMessages is queued by execStats behind the driver's last message.
type endOfMessages struct{}
