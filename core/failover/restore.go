package failover

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"pcfailover/core/report"
)

// restoreVerified restores one log backup whose copy is ready: a copy that was already in
// the copy folder is first checked against the share's original (a different size means
// damaged or truncated); a damaged copy whose original is intact is copied again once.
func (e *engine) restoreVerified(ctx context.Context, p *pipeline, it *logItem) error {
	recopied := false
	if cause := e.verifyCopy(it); cause != "" {
		if err := e.recopy(ctx, p, it, cause); err != nil {
			return err
		}
		recopied = true
	}
	err := e.restoreLog(ctx, p, it)
	if err != nil && !recopied && damagedRestore(err) {
		cause := fmt.Sprintf("RESTORE LOG reported SQL Server error %d: %s", firstNumber(err, damagedNumbers...), sqlMessage(err))
		if !e.differsFromShare(ctx, it) {
			return e.restoreFailure(it, err)
		}
		if rerr := e.recopy(ctx, p, it, cause); rerr != nil {
			return rerr
		}
		err = e.restoreLog(ctx, p, it)
	}
	if err != nil {
		return e.restoreFailure(it, err)
	}
	return nil
}

// damagedRestore reports whether a RESTORE LOG error says the file itself is bad.
func damagedRestore(err error) bool {
	n := firstNumber(err, damagedNumbers...)
	return n != 0 && isDamaged(n)
}

// verifyCopy compares a copy found in the copy folder with the share's original by
// size (cheap, catches truncated copies) and returns why it is bad, or "".
func (e *engine) verifyCopy(it *logItem) string {
	if !it.fromCopyFolder || it.src.Local == "" || it.local == "" || it.src.Local == it.local {
		return ""
	}
	cs, err1 := os.Stat(it.local)
	ss, err2 := os.Stat(it.src.Local)
	if err1 != nil || err2 != nil || cs.Size() == ss.Size() {
		return ""
	}
	return fmt.Sprintf("the copy has %d bytes, the share's original %d", cs.Size(), ss.Size())
}

// differsFromShare reports whether the share holds an original of it whose bytes differ
// from the copy (SHA-256): only then can copying again help.
func (e *engine) differsFromShare(ctx context.Context, it *logItem) bool {
	if it.src.Local == "" || it.local == "" || it.src.Local == it.local {
		return false
	}
	a, err1 := sha256File(ctx, it.local)
	b, err2 := sha256File(ctx, it.src.Local)
	return err1 == nil && err2 == nil && a != b
}

func sha256File(ctx context.Context, p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, rerr := f.Read(buf)
		h.Write(buf[:n])
		if rerr == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if rerr != nil {
			return "", fmt.Errorf("hash %s: %w", p, rerr)
		}
	}
}

// recopy replaces a damaged copy with a new copy of the share's original, when the
// original is intact (SQL Server reads its header with the expected database, family and
// LSN range): the bad copy is renamed aside as <name>.damaged-<UTC stamp> (never
// deleted), the original copied again (verified by size and SHA-256) and read back by SQL
// Server. Without an intact original the run stops as before (blocked, DamagedBackup).
func (e *engine) recopy(ctx context.Context, p *pipeline, it *logItem, cause string) error {
	f := e.fileRec(it.entry.Name)
	if it.src.Local == "" || it.src.Path == "" {
		return e.damaged(it, f, cause+"; the share holds no original to copy again", 0)
	}
	e.reach("before:recopy-check-original")
	h, err := readHeader(ctx, e.db, it.src)
	e.reach("after:recopy-check-original")
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return failed(report.CodeSQLError, fmt.Errorf("read the share's original of %s: %w", it.entry.Name, err))
	case h.ReadError != "" || h.IsDamaged || !strings.EqualFold(h.DatabaseName, it.entry.DatabaseName) || h.FamilyGUID != it.entry.FamilyGUID ||
		h.FirstLSN != it.entry.FirstLSN || h.LastLSN != it.entry.LastLSN:
		return e.damaged(it, f, fmt.Sprintf("%s; the share's original %s is not intact either (header: %s, LSN %s-%s)", cause, it.src.Path, orOK(h.ReadError), h.FirstLSN, h.LastLSN), 0)
	}
	aside := it.local + ".damaged-" + e.now().UTC().Format("20060102T150405Z")
	e.reach("before:recopy-set-aside")
	if err := os.Rename(it.local, aside); err != nil {
		return failed(report.CodeUnexpected, fmt.Errorf("set the damaged copy %s aside: %w", it.local, err))
	}
	e.reach("after:recopy-set-aside")
	res, dest, err := e.copyFile(ctx, p.d, it, it.n, nil)
	if err == nil {
		err = e.checkVisible(ctx, it.entry, dest, res.Dest)
	}
	if err != nil {
		var se *stepError
		if errors.As(err, &se) || ctx.Err() != nil {
			return err
		}
		return e.copyError(p.d, it, err)
	}
	e.copied(p, it, res, dest)
	detail := fmt.Sprintf("the copy was damaged (%s): set aside as %s and copied again from %s", cause, filepath.Base(aside), it.src.Path)
	e.fmu.Lock()
	f.Detail = detail
	it.note = detail
	e.fmu.Unlock()
	e.warn("log backup %s: %s", it.entry.Name, detail)
	return nil
}

func orOK(s string) string {
	if s == "" {
		return "readable"
	}
	return s
}

// damaged is the blocked error of a damaged file that cannot be replaced.
func (e *engine) damaged(it *logItem, f *report.File, why string, num int32) error {
	e.fmu.Lock()
	f.Action, f.Detail = report.ActionDamaged, why
	e.fmu.Unlock()
	se := blocked(report.CodeDamagedBackup, it.entry.Name, "the log backup %s is damaged (%s); the database stays restoring at LSN %s", it.path, why, it.entry.FirstLSN)
	se.num = num
	return se
}

// restoreLog applies one log backup (RESTORE LOG ... WITH NORECOVERY) and records the
// result in its file row. A transient failure is retried (options.retry); before a
// retry the database is observed again, so a restore that took effect before the
// connection dropped is not sent twice.
func (e *engine) restoreLog(ctx context.Context, p *pipeline, it *logItem) error {
	sr := e.step(StepRestoreLogs)
	f := e.fileRec(it.entry.Name)
	label := fmt.Sprintf("restore-log:%d.%d", p.round, it.n)
	attempt := 0
	err := e.withRetry(ctx, sr, "RESTORE LOG "+e.req.Database+" FROM DISK = "+it.path, func(ctx context.Context) error {
		attempt++
		if attempt > 1 {
			if applied, err := e.observeApplied(ctx, it); err != nil || applied {
				return err
			}
		}
		return e.restoreBatch(ctx, sr, p.d.DB.ID, it, label)
	})
	e.fmu.Lock()
	defer e.fmu.Unlock()
	if f.CopyPath == "" {
		f.CopyPath = it.path
	}
	switch {
	case err == nil:
		f.Action, f.Detail = report.ActionApplied, it.note
	case hasNumber(err, errAlreadyApplied):
		f.Action, f.Detail = report.ActionAlreadyApplied, "SQL Server: already applied (4326)"
		err = nil
	}
	return err
}

// observeApplied re-observes the database after a lost connection: a RESTORE of the lost
// session still running is waited out; a redo_start_lsn at or past the file's LastLSN
// means the restore took effect (the file is recorded as applied, not sent again).
func (e *engine) observeApplied(ctx context.Context, it *logItem) (bool, error) {
	st, err := observeDB(ctx, e.conn, e.req.Database)
	if err != nil {
		return false, err
	}
	rows, err := rowMaps(ctx, e.conn, qRestoreRequests, st.ID)
	if err != nil {
		return false, err
	}
	if len(rows) > 0 && asInt(rows[0]["n"]) > 0 {
		return false, fmt.Errorf("a RESTORE of %s is still running (the lost session's?): %w", e.req.Database, errRetryLater)
	}
	if !st.Restoring() {
		return false, blocked(report.CodeSQLError, e.req.Database, "%s is %s, no longer restoring, after the connection was lost during RESTORE LOG %s: someone else changed it; look at it before running again", e.req.Database, st.State, it.entry.Name)
	}
	if st.RedoStartLSN.Compare(it.entry.LastLSN) >= 0 {
		e.ev.Log("info", "%s was applied before the connection was lost (redo_start_lsn %s): not sent again", it.entry.Name, st.RedoStartLSN)
		return true, nil
	}
	return false, nil
}

// restoreBatch sends RESTORE LOG; on 3101 (database in use: sessions reconnected) it
// ends the sessions again in the same batch as the RESTORE, up to options.killRetries.
func (e *engine) restoreBatch(ctx context.Context, sr *report.Step, dbID int64, it *logItem, label string) error {
	text := restoreLogSQL(e.req.Database)
	for attempt := 1; ; attempt++ {
		batch := text
		if attempt > 1 {
			var kerr error
			if batch, kerr = e.withKills(ctx, dbID, text); kerr != nil {
				return kerr
			}
		}
		e.record(sr, "backup", batch, map[string]string{"@p1": it.path})
		e.reach("before:" + label)
		err := execStats(ctx, e.conn, batch, msgRestoreDone, func(pct int) {
			e.ev.Progress(2, "Restoring "+it.entry.Name, fmt.Sprintf("%d percent processed", pct), pct)
		}, it.path)
		e.reach("after:" + label)
		err = ignoreKillErrors(err)
		if err != nil && hasNumber(err, errInUse) && attempt < e.req.Options.KillRetries {
			e.ev.Log("warn", "RESTORE LOG %s: database in use (3101, sessions reconnect); ending them in the same batch as the RESTORE (attempt %d of %d)", it.entry.Name, attempt+1, e.req.Options.KillRetries)
			continue
		}
		return err
	}
}

// restoreFailure turns a RESTORE LOG error into the run's: a gap (4305) or a damaged
// file blocks (exit 3), anything else fails.
func (e *engine) restoreFailure(it *logItem, err error) error {
	var se *stepError
	if errors.As(err, &se) {
		return se
	}
	f := e.fileRec(it.entry.Name)
	num := firstNumber(err, append([]int32{errGap}, damagedNumbers...)...)
	switch {
	case num == errGap:
		e.fmu.Lock()
		f.Action, f.Detail = report.ActionAfterGap, sqlMessage(err)
		e.fmu.Unlock()
		se := blocked(report.CodeGapInLogChain, it.entry.Name, "SQL Server refused %s as too recent (4305): %s", it.entry.Name, sqlMessage(err))
		se.num = num
		return se
	case num != 0 && isDamaged(num):
		return e.damaged(it, f, fmt.Sprintf("SQL Server error %d: %s", num, sqlMessage(err)), num)
	}
	return failed(report.CodeSQLError, fmt.Errorf("RESTORE LOG %s FROM %s: %w", e.req.Database, it.path, err))
}
