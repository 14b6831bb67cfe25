package failover

import (
	"context"
	"database/sql"
	"errors"
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
func execStats(ctx context.Context, conn *sql.Conn, text string, progress func(pct int), args ...any) error {
	ret := &sqlexp.ReturnMessage{}
	rows, err := conn.QueryContext(ctx, text, append([]any{ret}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var errs []mssql.Error
	var other error
	for active := true; active; {
		switch m := ret.Message(ctx).(type) {
		case sqlexp.MsgNotice:
			if match := percentRE.FindStringSubmatch(m.Message.String()); match != nil && progress != nil {
				pct, _ := strconv.Atoi(match[1])
				progress(pct)
			}
		case sqlexp.MsgNext:
			for rows.Next() {
			}
		case sqlexp.MsgNextResultSet:
			active = rows.NextResultSet()
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
		case nil:
			active = false
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if err := rows.Err(); err != nil && len(errs) == 0 && other == nil {
		return err
	}
	if len(errs) > 0 {
		last := errs[len(errs)-1]
		last.All = errs
		return last
	}
	return other
}
