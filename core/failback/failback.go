// Package failback returns a failed-over Persistent Chat pool to its primary data center
// with no transaction lost (pcfailover failback). It shares the failover engine's
// machinery: the plan is the what-if, every step observes reality first and skips itself
// when its effect is there (SQL Server before every step; Lync at the start and after each
// Lync call, by its read-back: the SQL steps do not change Lync, and every cmdlet against
// the Central Management store is slow), the journal keeps only what cannot be observed again (the
// backup files it wrote), the run lock is the failover's (lock file and sp_getapplock on
// the backup instance), and the report and exit codes are those of cli/CONTRACT.md.
//
// The order departs from Microsoft's published failback (lync-persistent-chat.md §2.2)
// in three places, each for a reason (§0.5, §2.3):
//   - a tail-log backup WITH NORECOVERY of the backup mgc follows the full backup: writes
//     that reached the backup after the full backup are carried to the primary, and the
//     backup database can no longer be written (it is RESTORING) by a straggler;
//   - PoolState Normal comes before the active servers are set (Microsoft sets them
//     first): servers activated while the pool is FailedOver connect to the backup mgc,
//     already copied, and their writes would be lost;
//   - log shipping to the backup is re-created after the pool is serving again (Microsoft
//     does it before): re-seeding the backup only protects new writes, which the primary's
//     log chain keeps, so it need not lengthen the outage. The primary's mirror is
//     re-established last, which Microsoft's procedure omits.
package failback

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/checkpoint"
	"pcfailover/core/failover"
	"pcfailover/core/journal"
	"pcfailover/core/lsn"
	"pcfailover/core/lync"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// Step ids, in execution order.
const (
	StepLock             = "lock"
	StepCheck            = "check-state"
	StepClearActive      = "lync-clear-active-servers"
	StepEndSessions      = "end-backup-sessions"
	StepRemoveMirror     = "lync-remove-backup-mirror"
	StepFullBackup       = "full-backup"
	StepTailLog          = "tail-log-backup"
	StepRestorePrimary   = "restore-primary"
	StepPoolNormal       = "lync-pool-state-normal"
	StepActiveServers    = "lync-active-servers"
	StepSeedBackup       = "reseed-backup"
	StepShipPrimary      = "log-shipping-primary"
	StepShipSecondary    = "log-shipping-secondary"
	StepPrimaryMirror    = "lync-primary-mirror"
	kindFull, kindTail   = "failback-full-backup", "failback-tail-log"
	kindSeed, kindStart  = "failback-seed-backup", "failback-started"
	kindStep             = "step"
	kindShipped          = "failback-log-shipping-primary"
	appName              = "pcfailover"
	lsBackupJobPrefix    = "LSBackup_"
	defaultRetentionMins = 4320
)

// StepSpec names one step; Microsoft is its number in Microsoft's failback (0: not in it).
type StepSpec struct {
	ID        string
	Microsoft int
	Name      string
}

var stepSpecs = []StepSpec{
	{StepLock, 0, "Take the run lock (lock file and sp_getapplock)"},
	{StepCheck, 0, "Check the backup, the rebuilt primary and the pool"},
	{StepClearActive, 1, "Clear the pool's active servers (stop every writer)"},
	{StepEndSessions, 1, "End the user sessions left on the backup database"},
	{StepRemoveMirror, 2, "Remove the backup database's mirror (Uninstall-CsMirrorDatabase)"},
	{StepFullBackup, 3, "Full backup of the backup database to the share"},
	{StepTailLog, 0, "Tail-log backup of the backup database WITH NORECOVERY (no write after it)"},
	{StepRestorePrimary, 4, "Restore the full and tail-log backups on the primary and recover it"},
	{StepPoolNormal, 7, "Set the pool state to Normal (before any server is active)"},
	{StepActiveServers, 6, "Set the active servers in the primary data center"},
	{StepSeedBackup, 5, "Re-seed the backup database from the primary (RESTORE WITH NORECOVERY)"},
	{StepShipPrimary, 5, "Configure log shipping on the primary (sp_add_log_shipping_primary_*)"},
	{StepShipSecondary, 5, "Configure log shipping on the backup (sp_add_log_shipping_secondary_*)"},
	{StepPrimaryMirror, 0, "Re-establish the primary database's mirror (Install-CsMirrorDatabase)"},
}

// Steps returns the step list, in order.
func Steps() []StepSpec { return append([]StepSpec(nil), stepSpecs...) }

// Config is one run's input.
type Config struct {
	Request     *request.Request
	Passwords   request.Passwords
	Events      *report.Emitter
	Checkpoints *checkpoint.Points
	// Lync runs the Lync steps; nil reports them pending (the operator runs them) and
	// the SQL steps run only when request.lync.skip says the writers are stopped.
	Lync Lync
	Now  func() time.Time
	Host string
	PID  int
}

// Validate returns the request problems specific to a failback.
func Validate(r *request.Request) []request.FieldError {
	var out []request.FieldError
	if r.PrimarySQLInstance == nil {
		out = append(out, request.FieldError{Field: "primarySqlInstance", Message: "is required for a failback",
			Fix: "name the rebuilt primary SQL Server instance the pool returns to"})
	}
	if r.Failback == nil || len(r.Failback.ActiveServers) == 0 {
		if r.Lync == nil || !r.Lync.Skip {
			out = append(out, request.FieldError{Field: "failback.activeServers", Message: "is required unless lync.skip is true",
				Fix: "list the Persistent Chat servers of the primary data center to make active"})
		}
	}
	if r.Failback != nil && !r.Failback.SkipPrimaryMirror && r.Failback.MirrorFileShare != "" && !strings.HasPrefix(r.Failback.MirrorFileShare, `\\`) {
		out = append(out, request.FieldError{Field: "failback.mirrorFileShare", Message: "is not a UNC path",
			Fix: `give the \\server\share Install-CsMirrorDatabase exports through`})
	}
	return out
}

type stepError struct {
	code, outcome string
	err           error
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func failed(code string, err error) *stepError {
	return &stepError{code: code, outcome: report.OutcomeFailed, err: err}
}

func blocked(code string, format string, args ...any) *stepError {
	return &stepError{code: code, outcome: report.OutcomeBlocked, err: fmt.Errorf(format, args...)}
}

// observation is everything the steps decide from.
type observation struct {
	backupName, primaryName string // @@SERVERNAME
	backup, primary         failover.DBState
	backupSecondary         bool   // log_shipping_secondary_databases lists the database
	primaryShips            bool   // log_shipping_primary_databases lists the database
	primaryShipsID          string // its primary_id
	shipped                 *shippedRec
	lync                    *lync.Pool
	full, tail, seed        *backupRec
	// orphanTail is a tail-log backup of the backup database that msdb records but the
	// journal does not: a run ended between BACKUP LOG WITH NORECOVERY and its journal
	// record (the database is RESTORING, nothing can write to it).
	orphanTail   *backupRec
	primaryFiles map[string]string // type (D/L) -> physical name of the rebuilt primary's files
}

// shippedRec is the primary log-shipping configuration this failback created.
type shippedRec struct {
	PrimaryID string `json:"primaryId"`
}

// backupRec is a backup file this engine wrote (journaled: it cannot be observed otherwise).
type backupRec struct {
	Path       string  `json:"path"`
	ReadPath   string  `json:"readPath"` // the same file as the other instance reads it
	FamilyGUID string  `json:"familyGuid"`
	LastLSN    lsn.LSN `json:"lastLsn"`
}

type engine struct {
	cfg          Config
	req          *request.Request
	now          func() time.Time
	red          *request.Redactor
	ev           *report.Emitter
	cp           *checkpoint.Points
	rep          *report.Report
	runID        string
	bk, pr       *sql.DB
	bconn, pconn *sql.Conn
	jr           *journal.Journal
	lock         *journal.Lock
	planning     bool
	obs          *observation
	snapshot     *failover.Snapshot
	// pool is the Lync state last read: at the first observation, then the read-back of
	// each Lync call (the SQL steps do not change Lync, and every cmdlet against the
	// Central Management store is slow); nil makes the next observation read it.
	pool *lync.Pool
}

func newEngine(cfg Config, command string) *engine {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	e := &engine{cfg: cfg, req: cfg.Request, now: now, red: request.ForPasswords(cfg.Passwords), ev: cfg.Events, cp: cfg.Checkpoints}
	var rnd [2]byte
	_, _ = rand.Read(rnd[:])
	e.runID = now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	e.rep = &report.Report{SchemaVersion: 1, Command: command, RunID: e.runID, PoolFQDN: e.req.PoolFQDN, Database: e.req.Database,
		RunDirectory: e.req.RunDirectory, StartedAt: now().UTC(), Steps: []*report.Step{}, Files: []report.File{},
		Warnings: []string{report.ComplianceWarning}, NextSteps: []string{}, Errors: []report.Error{}}
	for _, s := range stepSpecs {
		e.rep.Steps = append(e.rep.Steps, &report.Step{ID: s.ID, RunbookStep: s.Microsoft, Name: s.Name, Status: report.StatusPending, Statements: []report.Statement{}})
	}
	return e
}

func (e *engine) step(id string) *report.Step { return e.rep.StepByID(id) }
func (e *engine) reach(name string)           { e.cp.Reach(name) }

func (e *engine) warn(format string, args ...any) {
	msg := e.red.Redact(fmt.Sprintf(format, args...))
	for _, w := range e.rep.Warnings {
		if w == msg {
			return
		}
	}
	e.rep.Warnings = append(e.rep.Warnings, msg)
	e.ev.Log("warn", "%s", msg)
}

func (e *engine) open(ctx context.Context, role string, in *request.SQLInstance) (*sql.DB, *sql.Conn, error) {
	c, err := mssql.NewConnector(in.ConnString(e.cfg.Passwords[role], "master", appName))
	if err != nil {
		return nil, nil, failed(report.CodeConnectionFailed, fmt.Errorf("connect to %s %s: %s", role, in.Describe(), e.red.Redact(err.Error())))
	}
	db := sql.OpenDB(c)
	conn, err := db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		db.Close()
		return nil, nil, failed(report.CodeConnectionFailed, fmt.Errorf("connect to %s %s: %s", role, in.Describe(), e.red.Redact(err.Error())))
	}
	return db, conn, nil
}

func (e *engine) connect(ctx context.Context) error {
	var err error
	if e.bk, e.bconn, err = e.open(ctx, request.RoleBackup, e.req.BackupSQLInstance); err != nil {
		return err
	}
	e.pr, e.pconn, err = e.open(ctx, request.RolePrimary, e.req.PrimarySQLInstance)
	return err
}

func (e *engine) close() {
	for _, c := range []*sql.Conn{e.bconn, e.pconn} {
		if c != nil {
			c.Close()
		}
	}
	for _, d := range []*sql.DB{e.bk, e.pr} {
		if d != nil {
			d.Close()
		}
	}
	if e.jr != nil {
		e.jr.Close()
	}
	if e.lock != nil {
		if err := e.lock.Release(); err != nil {
			e.warn("release the run lock: %v", err)
		}
	}
}

// exec sends one statement to target ("backup" or "primary"), recording it on s and
// reaching checkpoints before:<label> and after:<label>.
func (e *engine) exec(ctx context.Context, s *report.Step, target, label, text string, params map[string]string, args ...any) error {
	e.record(s, target, text, params)
	e.reach("before:" + label)
	conn := e.bconn
	if target == "primary" {
		conn = e.pconn
	}
	_, err := conn.ExecContext(ctx, text, args...)
	e.reach("after:" + label)
	if err != nil {
		return fmt.Errorf("%s on the %s instance: %w", label, target, err)
	}
	return nil
}

func (e *engine) record(s *report.Step, target, text string, params map[string]string) {
	st := report.Statement{Target: target, Kind: "sql", Text: text}
	if strings.HasPrefix(text, "cmdlet:") {
		st.Kind, st.Text = "cmdlet", strings.TrimPrefix(text, "cmdlet:")
	}
	if len(params) > 0 {
		st.Parameters = map[string]string{}
		for k, v := range params {
			st.Parameters[k] = e.red.Redact(v)
		}
	}
	s.Statements = append(s.Statements, st)
	e.ev.Statement(s.ID, target, e.red.Redact(st.Text))
}

// plan records a would-be statement (plan only: a run reports what it sent).
func (e *engine) plan(s *report.Step, target, text string, params map[string]string) {
	if e.planning {
		e.record(s, target, text, params)
	}
}

func (e *engine) finish(outcome string) *report.Report {
	r := e.rep
	r.Outcome, r.ExitCode = outcome, report.ExitCode(outcome)
	r.FinishedAt = e.now().UTC()
	r.DurationMs = r.FinishedAt.Sub(r.StartedAt).Milliseconds()
	e.nextSteps()
	if e.jr != nil {
		_ = e.jr.Append("finished", map[string]any{"command": r.Command, "outcome": outcome, "durationMs": r.DurationMs})
	}
	return r
}

func (e *engine) abort(ctx context.Context, err error, s *report.Step) *report.Report {
	var se *stepError
	if ctx.Err() != nil {
		se = &stepError{code: report.CodeInterrupted, outcome: report.OutcomeInterrupted, err: fmt.Errorf("interrupted: %w; run the same request again to resume", err)}
	} else if !errors.As(err, &se) {
		se = failed(report.CodeUnexpected, err)
	}
	re := report.Error{Code: se.code, Category: "InvalidOperation", Message: e.red.Redact(se.err.Error())}
	if se.outcome == report.OutcomeBlocked {
		re.Category = "InvalidData"
	}
	if n := failoverNumbers(se.err); n != 0 {
		re.SQLNumber = n
	}
	e.rep.Errors = append(e.rep.Errors, re)
	if s != nil {
		s.Error = &re
		s.Status = report.StatusFailed
		if se.outcome == report.OutcomeBlocked {
			s.Status = report.StatusBlocked
		}
		if s.Detail == "" {
			s.Detail = re.Message
		}
		if e.jr != nil {
			_ = e.jr.Append(kindStep, map[string]any{"id": s.ID, "status": s.Status, "detail": s.Detail})
		}
	}
	return e.finish(se.outcome)
}

func failoverNumbers(err error) int32 {
	var me mssql.Error
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

func (e *engine) nextSteps() {
	r := e.rep
	add := func(s string) { r.NextSteps = append(r.NextSteps, s) }
	switch r.Outcome {
	case report.OutcomePlanned:
		add("Review the plan, then run `pcfailover failback` (Invoke-PCFailback) with the same request.")
	case report.OutcomeSucceeded:
		add("Check that the log-shipping jobs run: the backup job on the primary, copy and restore on the backup (pcfailover status).")
		add("Restart the Persistent Chat services after the mirroring change (Lync 2013 release notes).")
		add("Collect the compliance adapter's output from the backup mgccomp (it is not failed back).")
	case report.OutcomeInterrupted, report.OutcomeFailed:
		add("Fix the cause in the error, then run the same request again: completed steps are detected and skipped.")
	case report.OutcomeBlocked:
		add("Resolve the blocking condition in the error, then run the same request again.")
	}
	if r.Command == "failback" {
		add("The journal of this run is " + filepath.Join(e.req.RunDirectory, journal.JournalFile) + ".")
	}
}

func hostName(cfg Config) string {
	if cfg.Host != "" {
		return cfg.Host
	}
	h, _ := os.Hostname()
	return h
}

func pidOf(cfg Config) int {
	if cfg.PID != 0 {
		return cfg.PID
	}
	return os.Getpid()
}
