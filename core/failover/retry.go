package failover

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"

	"pcfailover/core/report"
)

// errDeadlockVictim is SQL Server's "Transaction (Process ID n) was deadlocked on lock
// resources with another process and has been chosen as the deadlock victim. Rerun the
// transaction." (reference/sql-log-shipping.md; Microsoft's docs tell the client to rerun).
const errDeadlockVictim = 1205

// transient reports whether err is a failure that a retry can ride out: the connection
// was lost (EOF, broken pipe, reset, a bad driver connection, a network timeout), the
// instance did not answer the login in time, or SQL Server chose the statement as a
// deadlock victim (1205). Any other error SQL Server raised (a number other than 1205),
// and a cancelled or expired context, is not transient: it is never retried.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *stepError
	if errors.As(err, &se) && se.outcome == report.OutcomeBlocked {
		return false
	}
	if nums := sqlNumbers(err); len(nums) > 0 {
		return hasNumber(err, errDeadlockVictim)
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, net.ErrClosed) || errors.Is(err, errRetryLater) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"broken pipe", "connection reset", "eof", "bad connection", "login error", "i/o timeout",
		"use of closed network connection", "connection refused", "forcibly closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// kindRetry is the journal record of a retry.
const kindRetry = "retry"

// errRetryLater marks a state the engine waits out with the same bounds as a transient
// error (a RESTORE of a lost session still running, the app lock still held by it).
var errRetryLater = errors.New("try again later")

// retryBounds returns the backoff options of options.retry: exponential backoff (0.5 s,
// x1.5, randomized), at most Attempts tries, no retry starting after MaxElapsed.
func (e *engine) retryBounds() []backoff.RetryOption {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 500 * time.Millisecond
	b.MaxInterval = 15 * time.Second
	return []backoff.RetryOption{backoff.WithBackOff(b), backoff.WithMaxTries(uint(e.req.Options.Retry.Attempts)),
		backoff.WithMaxElapsedTime(e.req.Options.Retry.MaxElapsedDuration())}
}

// withRetry runs stage, which must observe before it acts (so that running it again
// after a lost connection neither applies anything twice nor skips anything), and runs
// it again after a transient failure: each retry is listed in the report (step,
// statement, error, attempt), then the engine waits (backoff) and reconnects before the
// next try. Errors that are not transient end it at once.
func (e *engine) withRetry(ctx context.Context, s *report.Step, what string, stage func(ctx context.Context) error) error {
	return e.retrying(ctx, s, what, true, stage)
}

// retrying is withRetry; reconnect false leaves the dedicated session alone (for reads
// on the pool, e.db, from the copy goroutines while the restores use the session).
func (e *engine) retrying(ctx context.Context, s *report.Step, what string, reconnect bool, stage func(ctx context.Context) error) error {
	attempt := 0
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempt++
		if attempt > 1 && reconnect {
			if err := e.reconnect(ctx); err != nil {
				return struct{}{}, e.retryable(s, what, attempt, err)
			}
		}
		err := stage(ctx)
		if err == nil {
			return struct{}{}, nil
		}
		return struct{}{}, e.retryable(s, what, attempt, err)
	}, e.retryBounds()...)
	if err != nil && transient(err) && ctx.Err() == nil {
		e.noteRetry(s, what, attempt, err, "exhausted")
		code := report.CodeConnectionFailed
		if hasNumber(err, errDeadlockVictim) {
			code = report.CodeSQLError
		}
		return failed(code, fmt.Errorf("%s: still failing after %d attempts within %s (options.retry): %w", what, attempt, e.req.Options.Retry.MaxElapsedDuration(), err))
	}
	return err
}

// retryable records a transient failure as a retry and returns it for backoff, or
// wraps any other error as permanent.
func (e *engine) retryable(s *report.Step, what string, attempt int, err error) error {
	if !transient(err) {
		return backoff.Permanent(err)
	}
	if attempt < e.req.Options.Retry.Attempts {
		e.noteRetry(s, what, attempt, err, "retried")
	}
	return err
}

// noteRetry lists one retry in the report and the journal.
func (e *engine) noteRetry(s *report.Step, what string, attempt int, err error, outcome string) {
	step := ""
	if s != nil {
		step = s.ID
	}
	r := report.Retry{Step: step, Statement: what, Error: e.red.Redact(err.Error()), Attempt: attempt, At: e.now().UTC(), Outcome: outcome}
	e.fmu.Lock()
	if n := len(e.rep.Retries); n > 0 && outcome == "exhausted" && e.rep.Retries[n-1].Attempt == attempt && e.rep.Retries[n-1].Statement == what {
		e.rep.Retries[n-1].Outcome = outcome // the last try was recorded before its bounds ended
	} else {
		e.rep.Retries = append(e.rep.Retries, r)
	}
	e.fmu.Unlock()
	if e.jr != nil {
		_ = e.jr.Append(kindRetry, r)
	}
	if outcome == "retried" {
		e.ev.Log("warn", "%s failed (attempt %d of %d, transient): %s; reconnecting, observing and trying again",
			what, attempt, e.req.Options.Retry.Attempts, r.Error)
	}
}

// reconnect replaces the dedicated session after a lost connection: a new session, and
// the run's SQL app lock taken again on it (the lock belonged to the lost session).
func (e *engine) reconnect(ctx context.Context) error {
	if e.conn != nil {
		_ = e.conn.Close()
		e.conn = nil
	}
	conn, err := e.db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		return fmt.Errorf("reconnect to the backup instance %s: %w", e.req.BackupSQLInstance.Describe(), err)
	}
	e.conn = conn
	if !e.appLocked {
		return nil
	}
	res := lockResource(e.req.PoolFQDN)
	rows, err := rowMaps(ctx, e.conn, qGetAppLock, res)
	if err != nil {
		return fmt.Errorf("take the SQL app lock %q again: %w", res, err)
	}
	if len(rows) == 0 || asInt(rows[0]["result"]) < 0 {
		// The lost session may linger on the server until SQL Server notices it is gone.
		return fmt.Errorf("the SQL app lock %q is still held (by the lost session?): %w", res, errRetryLater)
	}
	return nil
}
