package failover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/journal"
	"pcfailover/core/logchain"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/winpath"
)

func (e *engine) openPrimary() (*sql.DB, error) {
	in := e.req.PrimarySQLInstance
	c, err := mssql.NewConnector(in.ConnString(e.cfg.Passwords[request.RolePrimary], "master", appName))
	if err != nil {
		return nil, fmt.Errorf("connect to the old primary %s: %s", in.Describe(), e.red.Redact(err.Error()))
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	return db, nil
}

func (e *engine) begin(s *report.Step) time.Time {
	t := e.now().UTC()
	s.StartedAt = &t
	s.Status = report.StatusRunning
	e.ev.StepStarted(s.ID, s.Name)
	e.reach("before:" + s.ID)
	return t
}

func (e *engine) end(s *report.Step, status, detail string) {
	if s.StartedAt != nil {
		end := e.now().UTC()
		if s.ID == StepCopyLogs && !e.copyFinished.IsZero() {
			end = e.copyFinished // copies overlap the restores and end first
		}
		s.DurationMs = end.Sub(*s.StartedAt).Milliseconds()
	}
	s.Status = status
	if detail != "" {
		s.Detail = e.red.Redact(detail)
	}
	_ = e.jr.Append(kindStep, map[string]any{"id": s.ID, "status": status, "durationMs": s.DurationMs, "detail": s.Detail})
	e.ev.StepFinished(s.ID, status, time.Duration(s.DurationMs)*time.Millisecond)
	e.reach("after:" + s.ID)
}

// observed records a step that needs nothing (already done or skipped).
func (e *engine) observed(s *report.Step) {
	e.ev.StepStarted(s.ID, s.Name)
	_ = e.jr.Append(kindStep, map[string]any{"id": s.ID, "status": s.Status, "detail": s.Detail})
	e.ev.StepFinished(s.ID, s.Status, 0)
}

// Failover runs the SQL half of the failover (and the Lync half when cfg.Lync is set),
// resuming whatever an earlier run left. The report's outcome says how it ended.
func Failover(ctx context.Context, cfg Config) *report.Report {
	cfg.Command = "failover"
	e := newEngine(cfg)
	defer e.close()

	// Step 0: the lock file, then the SQL app lock.
	s := e.step(StepLock)
	e.begin(s)
	lock, err := journal.Acquire(e.req.RunDirectory, journal.Holder{Host: hostName(cfg), PID: pidOf(cfg), RunID: e.runID, Command: "failover", StartedAt: e.rep.StartedAt})
	var le *journal.LockedError
	if errors.As(err, &le) {
		e.fail(blocked(report.CodeLocked, le.Path, "%v", le), s)
		return e.finish(report.OutcomeBlocked)
	} else if err != nil {
		return e.abort(ctx, failed(report.CodeUnexpected, err), s)
	}
	e.lock = lock
	if lock.Stale != nil {
		e.warn("took over the lock of a run that ended without releasing it: %s", lock.Stale)
	}
	if e.jr, err = journal.Open(e.req.RunDirectory, e.runID, e.now); err != nil {
		return e.abort(ctx, failed(report.CodeUnexpected, err), s)
	}
	_ = e.jr.Append(kindStart, map[string]any{"command": "failover", "pool": e.req.PoolFQDN, "database": e.req.Database,
		"backup": e.req.BackupSQLInstance.Describe(), "acceptDataLoss": e.req.Options.AcceptDataLoss})
	if err := e.withRetry(ctx, s, "connect to the backup instance", e.connect); err != nil {
		return e.abort(ctx, err, s)
	}
	res := lockResource(e.req.PoolFQDN)
	var rows []map[string]any
	err = e.withRetry(ctx, s, "sp_getapplock "+res, func(ctx context.Context) error {
		e.record(s, "backup", qGetAppLock, map[string]string{"@p1": res})
		e.reach("before:sp_getapplock")
		var err error
		rows, err = rowMaps(ctx, e.conn, qGetAppLock, res)
		e.reach("after:sp_getapplock")
		return err
	})
	if err != nil {
		return e.abort(ctx, failed(report.CodeSQLError, fmt.Errorf("sp_getapplock %s: %w", res, err)), s)
	}
	if len(rows) == 0 || asInt(rows[0]["result"]) < 0 {
		code := int64(-999)
		if len(rows) > 0 {
			code = asInt(rows[0]["result"])
		}
		e.fail(blocked(report.CodeLocked, res, "another session holds the SQL app lock %q on the backup instance (sp_getapplock returned %d): another pcfailover run is working on this pool", res, code), s)
		return e.finish(report.OutcomeBlocked)
	}
	e.appLocked = true
	e.end(s, report.StatusDone, fmt.Sprintf("lock file %s, SQL app lock %q", e.lockPath(), res))

	d, err := e.observe(ctx, nil)
	if err != nil {
		return e.abort(ctx, err, e.step(StepSnapshot))
	}
	e.disc = d
	for _, id := range []string{StepSnapshot, StepCheckChain, StepDisableJobs, StepRemoveLogShipping, StepTailLog} {
		if r := e.runStep(ctx, id, d); r != nil {
			return r
		}
	}
	// The tail-log backup (and the files the stopped jobs left) change what is there:
	// observe again, then copy and restore until nothing applicable remains.
	for round := 0; ; round++ {
		if d, err = e.observe(ctx, d); err != nil {
			return e.abort(ctx, err, e.step(StepRestoreLogs))
		}
		e.disc = d
		if !d.DB.Restoring() || len(d.Chain.Apply) == 0 || round == 3 {
			break
		}
		if err := e.copyAndRestore(ctx, d, round); err != nil {
			s := e.step(StepRestoreLogs)
			var se *stepError
			if errors.As(err, &se) && se.outcome == report.OutcomeBlocked && e.req.Options.AcceptDataLoss && (se.code == report.CodeDamagedBackup || se.code == report.CodeGapInLogChain) {
				// The operator accepted data loss: recover where the chain stops.
				e.acceptLossAt(se)
				e.summarize(d)
				e.lossAtStop(d, se, true)
				break
			}
			e.summarize(d)
			if errors.As(err, &se) && se.outcome == report.OutcomeBlocked {
				e.lossAtStop(d, se, false)
			}
			return e.abort(ctx, err, s)
		}
	}
	for _, id := range []string{StepCopyLogs, StepRestoreLogs} {
		if s := e.step(id); s.Status == report.StatusBlocked {
			e.end(s, report.StatusBlocked, "")
		} else if s.StartedAt == nil {
			e.planStep(id, d)
			e.observed(s)
		} else if s.Status == report.StatusRunning {
			e.end(s, report.StatusDone, "")
		}
	}
	if !e.lossAccepted || e.rep.DataLoss == nil {
		e.summarize(d)
	}
	for _, id := range []string{StepEndSessions, StepRecover} {
		if r := e.runStep(ctx, id, d); r != nil {
			return r
		}
	}
	if r := e.runLync(ctx); r != nil {
		return r
	}
	return e.finish(report.OutcomeSucceeded)
}

// runStep observes one step, runs it when needed and returns a final report when the
// run must stop.
func (e *engine) runStep(ctx context.Context, id string, d *Discovery) *report.Report {
	s := e.step(id)
	e.planStep(id, d)
	switch s.Status {
	case report.StatusAlreadyDone, report.StatusSkipped:
		e.observed(s)
		return nil
	case report.StatusBlocked:
		e.summarize(d)
		code, target := e.blockCode(id, d)
		e.fail(blocked(code, target, "%s", s.Detail), s)
		_ = e.jr.Append(kindStep, map[string]any{"id": id, "status": report.StatusBlocked, "detail": s.Detail})
		return e.finish(report.OutcomeBlocked)
	}
	s.Detail = ""
	e.begin(s)
	var err error
	var detail string
	switch id {
	case StepSnapshot:
		e.reach("before:journal-snapshot")
		err = e.jr.Append(kindSnapshot, d.Live)
		e.reach("after:journal-snapshot")
		detail = fmt.Sprintf("saved in %s: share %s, copy folder %s", filepath.Join(e.req.RunDirectory, journal.JournalFile), d.Live.BackupSourceDirectory, d.Live.BackupDestinationDirectory)
	case StepCheckChain:
		if d.Chain.Gap != nil {
			e.lossAccepted = true
			_ = e.jr.Append(kindDecision, map[string]any{"acceptDataLoss": true, "recoverAtLsn": d.Chain.End.String(), "gap": d.Chain.Gap.Describe()})
			e.warn("data loss accepted by the operator: %s", d.Chain.Gap.Describe())
			detail = "data loss accepted: " + d.Chain.Gap.Describe()
		} else {
			detail = fmt.Sprintf("continuous from LSN %s to %s", d.Chain.Start, d.Chain.End)
		}
	case StepDisableJobs:
		err = e.withRetry(ctx, s, "sp_update_job (disable the log-shipping jobs)", func(ctx context.Context) (err error) {
			detail, err = e.disableJobs(ctx, s, d)
			return err
		})
	case StepRemoveLogShipping:
		attempt := 0
		err = e.withRetry(ctx, s, "sp_delete_log_shipping_secondary_database", func(ctx context.Context) (err error) {
			attempt++
			detail, err = e.removeLogShipping(ctx, s, attempt > 1)
			return err
		})
	case StepTailLog:
		detail, err = e.tailLog(ctx, s, d)
	case StepEndSessions:
		n := 0
		err = e.withRetry(ctx, s, "KILL (end user sessions)", func(ctx context.Context) error {
			k, err := e.killSessions(ctx, s, d.DB.ID)
			n += k
			return err
		})
		detail = fmt.Sprintf("ended %d user sessions", n)
	case StepRecover:
		attempt := 0
		err = e.withRetry(ctx, s, "RESTORE DATABASE "+e.req.Database+" WITH RECOVERY", func(ctx context.Context) (err error) {
			attempt++
			detail, err = e.recoverDB(ctx, s, d, attempt > 1)
			return err
		})
	}
	if err != nil {
		e.summarize(d)
		return e.abort(ctx, err, s)
	}
	e.end(s, report.StatusDone, detail)
	return nil
}

func gapTarget(g *logchain.Gap) string {
	switch {
	case g.Next != nil:
		return g.Next.Name
	case len(g.Damaged) > 0:
		return strings.Join(g.Damaged, ",")
	}
	return "LSN " + g.Need.String()
}

func (e *engine) disableJobs(ctx context.Context, s *report.Step, d *Discovery) (string, error) {
	var names []string
	for _, j := range d.Live.Jobs {
		if !j.Exists {
			continue
		}
		names = append(names, j.Name)
		if j.Enabled {
			if err := e.exec(ctx, s, "disable-job:"+j.Role, qDisableJob, map[string]string{"@p1": j.ID}, j.ID); err != nil {
				return "", failed(report.CodeSQLError, fmt.Errorf("disable the %s job %s: %w", j.Role, j.Name, err))
			}
		}
	}
	wait := e.cfg.JobWait
	if wait == 0 {
		wait = 10 * time.Minute
	}
	deadline := e.now().Add(wait)
	for {
		running := ""
		for _, j := range d.Live.Jobs {
			if !j.Exists {
				continue
			}
			cur, err := observeJob(ctx, e.conn, j.Role, j.ID)
			if err != nil {
				return "", failed(report.CodeSQLError, err)
			}
			if cur.Exists && cur.Enabled {
				return "", failed(report.CodeSQLError, fmt.Errorf("the %s job %s is still enabled after sp_update_job", j.Role, j.Name))
			}
			if cur.Running {
				running = "the job " + j.Name
			}
		}
		if running == "" {
			rows, err := rowMaps(ctx, e.conn, qRestoreRequests, d.DB.ID)
			if err != nil {
				return "", failed(report.CodeSQLError, fmt.Errorf("list RESTORE requests on %s: %w", e.req.Database, err))
			}
			if len(rows) > 0 && asInt(rows[0]["n"]) > 0 {
				running = "a RESTORE or BACKUP statement on " + e.req.Database
			}
		}
		if running == "" {
			break
		}
		if e.now().After(deadline) {
			return "", failed(report.CodeSQLError, fmt.Errorf("%s is still running after %s; stop it and run again", running, wait))
		}
		e.ev.Log("info", "waiting for %s to finish", running)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return "disabled and idle: " + strings.Join(names, ", "), nil
}

// After a lost connection (again) it observes first: when msdb no longer lists the
// secondary, the lost session's call took effect and is not sent twice.
func (e *engine) removeLogShipping(ctx context.Context, s *report.Step, again bool) (string, error) {
	db := e.req.Database
	if again {
		rows, err := rowMaps(ctx, e.conn, qSecondaryDBExists, db)
		if err != nil {
			return "", err
		}
		if len(rows) > 0 && !anyPositive(rows[0]) {
			return "removed log shipping from " + db + " (before the connection was lost)", nil
		}
	}
	err := e.exec(ctx, s, "sp_delete_log_shipping_secondary_database", qDeleteLS, map[string]string{"@p1": db}, db)
	detail := "removed log shipping from " + db
	if transient(err) {
		return "", err
	}
	if err != nil {
		if !hasNumber(err, errNotLSSecondary) {
			// The monitor server is often on the lost site: check what is left locally.
			e.warn("sp_delete_log_shipping_secondary_database reported: %s", sqlMessage(err))
		} else {
			detail = db + " was not a log-shipping secondary any more (32014)"
		}
	}
	rows, qerr := rowMaps(ctx, e.conn, qSecondaryDBExists, db)
	if qerr != nil {
		return "", failed(report.CodeSQLError, fmt.Errorf("verify log shipping removal: %w", qerr))
	}
	if len(rows) > 0 {
		for _, v := range rows[0] {
			if asInt(v) > 0 {
				if err != nil {
					return "", failed(report.CodeSQLError, fmt.Errorf("remove log shipping from %s: %w", db, err))
				}
				return "", failed(report.CodeSQLError, fmt.Errorf("log_shipping_secondary_databases still lists %s after sp_delete_log_shipping_secondary_database", db))
			}
		}
	}
	return detail, nil
}

func (e *engine) tailLog(ctx context.Context, s *report.Step, d *Discovery) (string, error) {
	db, err := e.openPrimary()
	if err != nil {
		return "", failed(report.CodeConnectionFailed, err)
	}
	defer db.Close()
	p := e.tailPath(d)
	text := tailLogSQL(e.req.Database)
	e.record(s, "primary", text, map[string]string{"@p1": p})
	e.reach("before:tail-log")
	_, err = db.ExecContext(ctx, text, p)
	e.reach("after:tail-log")
	if err != nil {
		return "", failed(report.CodeSQLError, fmt.Errorf("tail-log backup on the old primary %s: %w", e.req.PrimarySQLInstance.Describe(), err))
	}
	rows, err := rowMaps(ctx, db, qDBState, e.req.Database)
	if err != nil || len(rows) == 0 || asString(rows[0]["state_desc"]) != "RESTORING" {
		return "", failed(report.CodeSQLError, fmt.Errorf("the old primary's %s is not RESTORING after BACKUP LOG WITH NORECOVERY (%v)", e.req.Database, err))
	}
	_ = e.jr.Append(kindDecision, map[string]any{"tailLogBackup": p})
	return "tail-log backup written to " + p + "; the old primary's database is RESTORING", nil
}

func anyPositive(row map[string]any) bool {
	for _, v := range row {
		if asInt(v) > 0 {
			return true
		}
	}
	return false
}

// observe is discover, retried after a transient failure (it only reads).
func (e *engine) observe(ctx context.Context, prev *Discovery) (*Discovery, error) {
	var d *Discovery
	err := e.withRetry(ctx, nil, "observe the backup instance (discovery)", func(ctx context.Context) (err error) {
		d, err = e.discover(ctx, prev)
		return err
	})
	return d, err
}

// killSessions ends the user sessions on the database (never ours) and returns how many.
func (e *engine) killSessions(ctx context.Context, s *report.Step, dbID int64) (int, error) {
	sess, err := listSessions(ctx, e.conn, dbID)
	if err != nil {
		return 0, failed(report.CodeSQLError, err)
	}
	n := 0
	for _, ss := range sess {
		err := e.exec(ctx, s, fmt.Sprintf("kill:%d", ss.SPID), killSQL(ss.SPID), nil)
		switch {
		case err == nil:
			n++
			e.ev.Log("info", "ended session %d (%s, %s, %s)", ss.SPID, ss.Login, ss.Host, ss.Program)
		case hasNumber(err, errKillNotActive, errKillSelf, errKillNotUser):
			// already gone, ours, or a system session: nothing to do
		default:
			return n, failed(report.CodeSQLError, fmt.Errorf("KILL %d: %w", ss.SPID, err))
		}
	}
	if n == 0 {
		return 0, nil
	}
	// KILL can return before the session is gone (rollback, disconnect): re-list until
	// the killed sessions have left, briefly.
	killed := map[Session]bool{}
	for _, ss := range sess {
		killed[Session{SPID: ss.SPID, LoginTime: ss.LoginTime}] = true
	}
	for i := 0; i < 20; i++ {
		left, err := listSessions(ctx, e.conn, dbID)
		if err != nil {
			return n, failed(report.CodeSQLError, err)
		}
		still := false
		for _, ss := range left {
			still = still || killed[Session{SPID: ss.SPID, LoginTime: ss.LoginTime}]
		}
		if !still {
			break
		}
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return n, nil
}

// acceptLossAt records that the operator's acceptDataLoss applies to a stop found while
// restoring (a damaged file or a gap SQL Server reported).
func (e *engine) acceptLossAt(se *stepError) {
	e.lossAccepted = true
	_ = e.jr.Append(kindDecision, map[string]any{"acceptDataLoss": true, "stoppedAt": se.target, "reason": se.err.Error()})
	e.warn("data loss accepted by the operator: %s", e.red.Redact(se.err.Error()))
	s := e.step(StepRestoreLogs)
	s.Detail = "stopped at " + se.target + " (data loss accepted): " + se.err.Error()
}

// After a lost connection (again) it observes first: a database already ONLINE was
// recovered by the lost session's statement, which is not sent twice.
func (e *engine) recoverDB(ctx context.Context, s *report.Step, d *Discovery, again bool) (string, error) {
	if again {
		st, err := observeDB(ctx, e.conn, e.req.Database)
		if err != nil {
			return "", err
		}
		if st.Online() {
			e.rep.FinalState = &report.DatabaseState{State: st.State, IsInStandby: st.Standby, UserAccess: st.UserAccess}
			return e.req.Database + " is ONLINE (recovered before the connection was lost)", nil
		}
	}
	// Safety invariant 1: the last observation must show nothing left to apply and no gap,
	// unless the operator accepted the loss.
	if d.Chain != nil && (len(d.Chain.Apply) > 0 || d.Chain.Gap != nil || d.ShareErr != nil) && !e.req.Options.AcceptDataLoss {
		what := "a gap in the log chain: "
		if d.Chain.Gap != nil {
			what += d.Chain.Gap.Describe()
		} else if len(d.Chain.Apply) > 0 {
			what = fmt.Sprintf("%d applicable log backups still unapplied (next %s)", len(d.Chain.Apply), d.Chain.Apply[0].Name)
		} else {
			what = "the share is unreachable"
		}
		return "", blocked(report.CodeGapInLogChain, "", "refusing RESTORE WITH RECOVERY: %s", what)
	}
	text := recoverSQL(e.req.Database)
	tries := e.req.Options.KillRetries
	for attempt := 1; ; attempt++ {
		batch := text
		if attempt == 1 {
			if _, err := e.killSessions(ctx, e.step(StepEndSessions), d.DB.ID); err != nil {
				return "", err
			}
		} else {
			var kerr error
			if batch, kerr = e.withKills(ctx, d.DB.ID, text); kerr != nil {
				return "", kerr
			}
		}
		err := ignoreKillErrors(e.exec(ctx, s, "recover", batch, nil))
		if err == nil {
			break
		}
		if hasNumber(err, errAlreadyRecovered) {
			break
		}
		if hasNumber(err, errInUse) && attempt < tries {
			e.ev.Log("warn", "RESTORE WITH RECOVERY: database in use (3101, sessions reconnect); ending them in the same batch (attempt %d of %d)", attempt+1, tries)
			continue
		}
		return "", failed(report.CodeSQLError, fmt.Errorf("RESTORE DATABASE %s WITH RECOVERY: %w", e.req.Database, err))
	}
	st, err := observeDB(ctx, e.conn, e.req.Database)
	if err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	e.rep.FinalState = &report.DatabaseState{State: st.State, IsInStandby: st.Standby, UserAccess: st.UserAccess}
	if !st.Online() {
		return "", failed(report.CodeSQLError, fmt.Errorf("%s is %s after RESTORE WITH RECOVERY, not ONLINE", e.req.Database, st.State))
	}
	return e.req.Database + " is ONLINE", nil
}

func (e *engine) runLync(ctx context.Context) *report.Report {
	if e.cfg.Lync == nil {
		e.planLync(ctx)
		return nil
	}
	for _, id := range []string{StepLyncPoolState, StepLyncMirror, StepLyncActiveServers} {
		s := e.step(id)
		e.begin(s)
		got, err := e.cfg.Lync.Run(ctx, id)
		if got != nil {
			s.Statements, s.Detail = got.Statements, got.Detail
		}
		if err != nil {
			se := &stepError{code: report.CodeLyncError, category: "InvalidOperation", outcome: report.OutcomeFailed, err: err}
			if errors.Is(err, ErrBlocked) {
				se.category, se.outcome = "InvalidData", report.OutcomeBlocked
			}
			return e.abort(ctx, se, s)
		}
		status := report.StatusDone
		if got != nil && got.Status != "" {
			status = got.Status
		}
		e.end(s, status, "")
	}
	return nil
}

// checkAbsent is the first half of the proof that this machine's copy folder is SQL
// Server's: the first file to copy is absent from it here, so SQL Server must not find
// it either (RESTORE HEADERONLY by its SQL path fails with operating system error 2).
// If SQL Server reads a file there, or cannot reach the folder at all, the two are not
// the same folder: the run stops (blocked, PCFailover.PathUnreachable) naming both paths.
func (e *engine) checkAbsent(ctx context.Context, src logchain.Entry, d *Discovery) error {
	sqlPath, err := winpath.SQLJoin(d.CopyDir, src.Name)
	if err != nil {
		return err
	}
	localPath := filepath.Join(d.CopyLocal, src.Name)
	fix := "correct the pathMap entry (or share) for the copy folder so that it names the folder SQL Server reads, then run again"
	err = e.retrying(ctx, e.step(StepCopyLogs), "RESTORE HEADERONLY FROM DISK = "+sqlPath, false, func(ctx context.Context) error {
		e.reach("before:check-copy-absent")
		_, err := rowMaps(ctx, e.db, qHeader, sqlPath)
		e.reach("after:check-copy-absent")
		return err // SQL Server's answers (error 2 expected) are not retried, lost connections are
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil && len(sqlNumbers(err)) == 0:
		// Not SQL Server's answer (the connection dropped): nothing is proven either way.
		return failed(report.CodeSQLError, fmt.Errorf("RESTORE HEADERONLY %s: %w", sqlPath, err))
	case err == nil:
		return blocked(report.CodePathUnreachable, sqlPath, "SQL Server already reads %s, but this machine's copy folder %s has no %s: the copy folder this machine reaches is not the one SQL Server reads; %s",
			sqlPath, d.CopyLocal, src.Name, fix)
	case osErrorOf(sqlMessage(err)) != osFileNotFound:
		return blocked(report.CodePathUnreachable, sqlPath, "SQL Server cannot use its copy folder %s (RESTORE HEADERONLY FROM DISK = %s: %s) while this machine reaches it as %s; %s",
			d.CopyDir, sqlPath, sqlMessage(err), localPath, fix)
	}
	return nil
}

// checkVisible proves that the copy folder this machine wrote is the one SQL Server
// reads: RESTORE HEADERONLY of the copy by its SQL path must succeed and show the
// source's backup set (database, family, LSN range). Otherwise the run stops (blocked,
// PCFailover.PathUnreachable) naming both paths.
func (e *engine) checkVisible(ctx context.Context, src logchain.Entry, sqlPath, localPath string) error {
	var h logchain.Header
	err := e.retrying(ctx, e.step(StepCopyLogs), "RESTORE HEADERONLY FROM DISK = "+sqlPath, false, func(ctx context.Context) (err error) {
		e.reach("before:check-copy-visible")
		h, err = readHeader(ctx, e.db, fileInfo{Name: src.Name, Path: sqlPath, Local: localPath})
		e.reach("after:check-copy-visible")
		return err
	})
	fix := "correct the pathMap entry (or share) for the copy folder so that it names the folder SQL Server reads, then run again"
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil && len(sqlNumbers(err)) == 0:
		// Not SQL Server's answer (the connection dropped): nothing is proven either way.
		return failed(report.CodeSQLError, err)
	case err != nil:
		return blocked(report.CodePathUnreachable, sqlPath, "SQL Server cannot read the copy of %s that this machine wrote to %s: RESTORE HEADERONLY FROM DISK = %s failed (%s); the copy folder this machine reaches is not the one SQL Server reads; %s",
			src.Name, localPath, sqlPath, sqlMessage(err), fix)
	case h.ReadError != "":
		return blocked(report.CodePathUnreachable, sqlPath, "SQL Server cannot read the copy of %s that this machine wrote to %s: RESTORE HEADERONLY FROM DISK = %s: %s; the copy folder this machine reaches is not the one SQL Server reads; %s",
			src.Name, localPath, sqlPath, h.ReadError, fix)
	case !strings.EqualFold(h.DatabaseName, src.DatabaseName) || h.FamilyGUID != src.FamilyGUID || h.FirstLSN != src.FirstLSN || h.LastLSN != src.LastLSN:
		return blocked(report.CodePathUnreachable, sqlPath, "SQL Server reads a different backup at %s (LSN %s-%s) than the copy this machine wrote to %s (LSN %s-%s): the copy folder this machine reaches is not the one SQL Server reads; %s",
			sqlPath, h.FirstLSN, h.LastLSN, localPath, src.FirstLSN, src.LastLSN, fix)
	}
	e.ev.Log("verbose", "SQL Server reads the copy %s as %s", localPath, sqlPath)
	return nil
}

// lossAtStop describes the data that recovering now would lose when restoring stopped at
// the file se names (damaged, or refused by SQL Server as a gap).
func (e *engine) lossAtStop(d *Discovery, se *stepError, accepted bool) {
	if d.Chain == nil {
		return
	}
	var stop *logchain.Entry
	for i := range d.Chain.Apply {
		if d.Chain.Apply[i].Name == se.target {
			stop = &d.Chain.Apply[i]
		}
	}
	if stop == nil {
		return
	}
	dl := &report.DataLoss{Accepted: accepted, FromLSN: stop.FirstLSN}
	end := d.Chain.End
	dl.ToLSN = &end
	if !stop.BackupStartDate.IsZero() {
		t := stop.BackupStartDate
		dl.From = &t
	}
	if last := d.Chain.LastApplied(); last != nil && !last.BackupFinishDate.IsZero() {
		t := last.BackupFinishDate
		dl.To = &t
	}
	dl.Description = fmt.Sprintf("restoring stopped at %s (%s): recovering loses every transaction from LSN %s to at least LSN %s", stop.Name, se.err.Error(), stop.FirstLSN, end)
	if dl.From != nil && dl.To != nil {
		dl.Description += fmt.Sprintf(", from %s to %s (and anything after it)", dl.From.Format(time.RFC3339), dl.To.Format(time.RFC3339))
	}
	e.rep.DataLoss = dl
	if e.rep.Chain != nil {
		e.rep.Chain.Continuous = false
	}
}

func isDamaged(n int32) bool {
	for _, m := range damagedNumbers {
		if n == m {
			return true
		}
	}
	return false
}

// withKills prefixes stmt with a KILL of every user session on the database now, in
// one batch, so that a client that reconnects at once (an application pool, a monitoring
// tool) has no window between the kills and stmt. The spids are integers read from
// sys.dm_exec_sessions.
func (e *engine) withKills(ctx context.Context, dbID int64, stmt string) (string, error) {
	sess, err := listSessions(ctx, e.conn, dbID)
	if err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	var b strings.Builder
	for _, ss := range sess {
		b.WriteString(killSQL(ss.SPID))
		b.WriteString(";\n")
	}
	b.WriteString(stmt)
	return b.String(), nil
}

// ignoreKillErrors drops from err the KILL errors that mean "nothing to do" (6104 our
// own session, 6106 already gone, 6107 a system session); nil when nothing else is left.
func ignoreKillErrors(err error) error {
	var me mssql.Error
	if err == nil || !errors.As(err, &me) {
		return err
	}
	all := me.All
	if len(all) == 0 {
		all = []mssql.Error{me}
	}
	var keep []mssql.Error
	for _, x := range all {
		if x.Number != errKillSelf && x.Number != errKillNotActive && x.Number != errKillNotUser {
			keep = append(keep, x)
		}
	}
	switch {
	case len(keep) == len(all):
		return err
	case len(keep) == 0:
		return nil
	}
	last := keep[len(keep)-1]
	last.All = keep
	return last
}
