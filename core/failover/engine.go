// Package failover is the engine of the SQL half of the Persistent Chat failover (runbook
// steps 0-4): discovery (read-only), the plan (ordered steps, each planned, already done,
// skipped or blocked, with the exact statements it would run) and the execution (each
// step observes, acts, verifies, and is journaled). Plan and Failover share discovery
// and the step list, so what `pcfailover plan` prints is what `pcfailover failover` does.
//
// Every step observes reality first and skips itself when its effect is there, so
// re-running the same request after a crash anywhere finishes the job. Steps 5-7 (Lync)
// are reached through the Lync interface; without one they are reported as pending.
package failover

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
	"sync"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/checkpoint"
	"pcfailover/core/filecopy"
	"pcfailover/core/journal"
	"pcfailover/core/logchain"
	"pcfailover/core/lsn"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/winpath"
)

// Step ids, in execution order. Plan and Failover always report exactly this list.
const (
	StepLock              = "lock"
	StepSnapshot          = "snapshot-msdb"
	StepCheckChain        = "check-chain"
	StepDisableJobs       = "disable-jobs"
	StepRemoveLogShipping = "remove-log-shipping"
	StepTailLog           = "tail-log-backup"
	StepCopyLogs          = "copy-logs"
	StepRestoreLogs       = "restore-logs"
	StepEndSessions       = "end-sessions"
	StepRecover           = "recover-database"
	StepLyncPoolState     = "lync-pool-state"
	StepLyncMirror        = "lync-mirror"
	StepLyncActiveServers = "lync-active-servers"
)

// StepSpec names one step of the runbook.
type StepSpec struct {
	ID      string
	Runbook int
	Name    string
}

// Steps is the step list, in order.
var stepSpecs = []StepSpec{
	{StepLock, 0, "Take the run lock (lock file and sp_getapplock)"},
	{StepSnapshot, 0, "Persist the msdb log-shipping snapshot"},
	{StepCheckChain, 0, "Check the log chain for gaps and damaged backups"},
	{StepDisableJobs, 1, "Disable the log-shipping copy and restore jobs and wait until idle"},
	{StepRemoveLogShipping, 1, "Remove log shipping from the backup database"},
	{StepTailLog, 2, "Back up the tail of the log on the old primary"},
	{StepCopyLogs, 3, "Copy the missing log backups to the copy folder"},
	{StepRestoreLogs, 3, "Apply the remaining log backups"},
	{StepEndSessions, 4, "End user sessions on the database"},
	{StepRecover, 4, "Bring the database online (RESTORE WITH RECOVERY)"},
	{StepLyncPoolState, 5, "Set the Persistent Chat pool state to FailedOver"},
	{StepLyncMirror, 6, "Establish the mirror for the new primary database"},
	{StepLyncActiveServers, 7, "Set the pool's active servers in the backup data center"},
}

// Steps returns the step list, in order.
func Steps() []StepSpec { return append([]StepSpec(nil), stepSpecs...) }

// Lync runs runbook steps 5-7 (implemented over pshost by another package). Plan must
// not change anything; Run must verify each effect by reading it back and never retry
// a mutating cmdlet blindly.
type Lync interface {
	// Plan returns the Lync steps (ids StepLyncPoolState, StepLyncMirror,
	// StepLyncActiveServers) with their status and the cmdlets they would run.
	Plan(ctx context.Context) ([]*report.Step, error)
	// Run executes one Lync step after the SQL half has succeeded.
	Run(ctx context.Context, id string) (*report.Step, error)
}

// Config is one run's input.
type Config struct {
	Request   *request.Request
	Passwords request.Passwords
	// Command is "plan" or "failover" (reported).
	Command string
	// Events receives progress events (nil: none).
	Events *report.Emitter
	// Checkpoints are reached around every statement (nil: none).
	Checkpoints *checkpoint.Points
	// Lync runs steps 5-7 (nil: they are reported pending).
	Lync Lync
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Host and PID identify this run in the lock (defaults: os.Hostname, os.Getpid).
	Host string
	PID  int
	// JobWait bounds the wait for running log-shipping jobs (default 10 minutes).
	JobWait time.Duration
	// ShareOpener opens the share's files for copying (nil: os.Open). The benchmark and
	// the lab (PCFAILOVER_SHARE_SIM) set a filecopy.NetShare to model a network share.
	ShareOpener filecopy.Opener
}

const appName = "pcfailover"

// ErrBlocked marks a safety stop (exit code 3).
var ErrBlocked = errors.New("blocked by a safety check")

// stepError is the error of a step with its report code.
type stepError struct {
	code, category, target string
	num                    int32
	outcome                string
	err                    error
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func blocked(code, target string, format string, args ...any) *stepError {
	return &stepError{code: code, category: "InvalidData", target: target, outcome: report.OutcomeBlocked, err: fmt.Errorf(format, args...)}
}

func failed(code string, err error) *stepError {
	se := &stepError{code: code, category: "InvalidOperation", outcome: report.OutcomeFailed, err: err}
	if n := sqlNumbers(err); len(n) > 0 {
		se.num = n[0]
	}
	return se
}

// engine is one run in progress.
type engine struct {
	cfg    Config
	req    *request.Request
	now    func() time.Time
	red    *request.Redactor
	ev     *report.Emitter
	cp     *checkpoint.Points
	rep    *report.Report
	runID  string
	db     *sql.DB   // backup instance, master
	conn   *sql.Conn // dedicated session: app lock, KILL, RESTORE
	jr     *journal.Journal
	lock   *journal.Lock
	disc   *Discovery
	hcache map[string]logchain.Header
	hmu    sync.Mutex
	files  map[string]*report.File
	fmu    sync.Mutex
	// accepted loss (decided in check-chain or at restore time).
	lossAccepted bool
	// copyFinished is when the last copy of the pipeline ended.
	copyFinished time.Time
	// startLSN is the LSN the database needed when the run began.
	startLSN *lsn.LSN
	// planning is set by Plan: steps list the statements they would run.
	planning bool
	// paths translates SQL Server's paths into this machine's (pathsErr: the pathMap
	// could not be read).
	paths    *winpath.Mapper
	pathsErr error
	// damagedCopies are copies whose header SQL Server cannot read while the share's
	// original is intact (by name key: the reason), to set aside before copying again.
	damagedCopies map[string]string
	// appLocked is set once the dedicated session holds the SQL app lock: a reconnect
	// takes it again.
	appLocked bool
}

func newEngine(cfg Config) *engine {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	e := &engine{cfg: cfg, req: cfg.Request, now: now, red: request.ForPasswords(cfg.Passwords), ev: cfg.Events, cp: cfg.Checkpoints,
		hcache: map[string]logchain.Header{}, files: map[string]*report.File{}, damagedCopies: map[string]string{}}
	e.paths, e.pathsErr = newMapper(e.req)
	var rnd [2]byte
	_, _ = rand.Read(rnd[:])
	e.runID = now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	start := now().UTC()
	e.rep = &report.Report{SchemaVersion: 1, Command: cfg.Command, RunID: e.runID, PoolFQDN: e.req.PoolFQDN, Database: e.req.Database,
		RunDirectory: e.req.RunDirectory, StartedAt: start, Steps: []*report.Step{}, Folders: []report.Folder{}, Files: []report.File{}, Warnings: []string{report.ComplianceWarning},
		NextSteps: []string{}, Errors: []report.Error{}}
	for _, s := range stepSpecs {
		e.rep.Steps = append(e.rep.Steps, &report.Step{ID: s.ID, RunbookStep: s.Runbook, Name: s.Name, Status: report.StatusPending, Statements: []report.Statement{}})
	}
	return e
}

func (e *engine) reach(name string) { e.cp.Reach(name) }

func (e *engine) step(id string) *report.Step { return e.rep.StepByID(id) }

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

// connect opens the backup instance (master) and a dedicated session.
// When a session is already open (a retry reconnected it), it does nothing.
func (e *engine) connect(ctx context.Context) error {
	in := e.req.BackupSQLInstance
	if e.conn != nil {
		return nil
	}
	if e.db == nil {
		c, err := mssql.NewConnector(in.ConnString(e.cfg.Passwords[request.RoleBackup], "master", appName))
		if err != nil {
			return failed(report.CodeConnectionFailed, fmt.Errorf("connect to the backup instance %s: %s", in.Describe(), e.red.Redact(err.Error())))
		}
		e.db = sql.OpenDB(c)
		e.db.SetMaxOpenConns(e.req.Options.HeaderParallelism + 2)
		e.db.SetMaxIdleConns(e.req.Options.HeaderParallelism + 2)
	}
	conn, err := e.db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		return failed(report.CodeConnectionFailed, fmt.Errorf("connect to the backup instance %s: %s", in.Describe(), e.red.Redact(err.Error())))
	}
	e.conn = conn
	return nil
}

func (e *engine) close() {
	if e.conn != nil {
		e.conn.Close()
	}
	if e.db != nil {
		e.db.Close()
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

// exec sends one statement on the dedicated session, recording it on step s and
// reaching checkpoints before:<label> and after:<label>.
func (e *engine) exec(ctx context.Context, s *report.Step, label, text string, params map[string]string, args ...any) error {
	e.record(s, "backup", text, params)
	e.reach("before:" + label)
	_, err := e.conn.ExecContext(ctx, text, args...)
	e.reach("after:" + label)
	return err
}

func (e *engine) record(s *report.Step, target, text string, params map[string]string) {
	st := report.Statement{Target: target, Kind: "sql", Text: text}
	if len(params) > 0 {
		st.Parameters = map[string]string{}
		for k, v := range params {
			st.Parameters[k] = e.red.Redact(v)
		}
	}
	e.fmu.Lock()
	s.Statements = append(s.Statements, st)
	e.fmu.Unlock()
	if !e.planning {
		e.ev.Statement(s.ID, target, e.red.Redact(text))
	}
}

func (e *engine) finish(outcome string) *report.Report {
	r := e.rep
	r.Outcome = outcome
	r.ExitCode = report.ExitCode(outcome)
	r.FinishedAt = e.now().UTC()
	r.DurationMs = r.FinishedAt.Sub(r.StartedAt).Milliseconds()
	r.Files = r.Files[:0]
	for _, f := range e.sortedFiles() {
		// The file SQL Server restores (or would): the copy when there is one.
		switch {
		case f.CopyPath != "":
			f.SQLPath, f.LocalPath = f.CopyPath, f.CopyLocalPath
		case f.Action == report.ActionToCopy && e.disc != nil && e.disc.CopyDir != "":
			// Planned: the copy it will be restored from.
			if sp, err := winpath.SQLJoin(e.disc.CopyDir, f.Name); err == nil {
				f.SQLPath = sp
				if e.disc.CopyLocal != "" {
					f.LocalPath = filepath.Join(e.disc.CopyLocal, f.Name)
				}
			}
		default:
			f.SQLPath, f.LocalPath = f.SourcePath, f.SourceLocalPath
		}
		r.Files = append(r.Files, *f)
	}
	e.nextSteps()
	if e.jr != nil {
		_ = e.jr.Append("finished", map[string]any{"outcome": outcome, "durationMs": r.DurationMs, "dataLoss": r.DataLoss})
	}
	return r
}

func (e *engine) fail(se *stepError, s *report.Step) {
	re := report.Error{Code: se.code, Category: se.category, Message: e.red.Redact(se.err.Error()), Target: se.target, SQLNumber: se.num}
	e.rep.Errors = append(e.rep.Errors, re)
	if s != nil {
		s.Error = &re
		if se.outcome == report.OutcomeBlocked {
			s.Status = report.StatusBlocked
		} else {
			s.Status = report.StatusFailed
		}
		if s.Detail == "" {
			s.Detail = re.Message
		}
	}
}

// Plan discovers (read-only) and returns the report with outcome "planned" (or blocked
// / failed when discovery itself cannot proceed): every step with its status and the
// statements it would run.
func Plan(ctx context.Context, cfg Config) *report.Report {
	if cfg.Command == "" {
		cfg.Command = "plan"
	}
	e := newEngine(cfg)
	e.planning = true
	defer e.close()
	if err := e.connect(ctx); err != nil {
		return e.abort(ctx, err, nil)
	}
	d, err := e.discover(ctx, nil)
	if err != nil {
		return e.abort(ctx, err, nil)
	}
	e.disc = d
	e.planAll(ctx, d)
	e.summarize(d)
	e.planBlockingError(d)
	return e.finish(report.OutcomePlanned)
}

// planBlockingError adds to a plan the error failover would stop with at the first
// blocked step (the same code and target), so that a what-if says why without its
// reader parsing the steps; the plan's outcome stays planned (cli/CONTRACT.md).
func (e *engine) planBlockingError(d *Discovery) {
	for _, s := range e.rep.Steps {
		if s.Status != report.StatusBlocked {
			continue
		}
		code, target := e.blockCode(s.ID, d)
		e.rep.Errors = append(e.rep.Errors, report.Error{Code: code, Category: "InvalidData", Target: target,
			Message: "failover would stop at step " + s.ID + ": " + e.red.Redact(s.Detail)})
		return
	}
}

// abort ends the run on err: interrupted when ctx is done, else per the step error.
func (e *engine) abort(ctx context.Context, err error, s *report.Step) *report.Report {
	if ctx.Err() != nil {
		re := report.Error{Code: report.CodeInterrupted, Category: "OperationStopped", Message: "interrupted: " + e.red.Redact(err.Error()) + "; run the same request again to resume"}
		e.rep.Errors = append(e.rep.Errors, re)
		if s != nil {
			s.Status, s.Error = report.StatusFailed, &re
		}
		return e.finish(report.OutcomeInterrupted)
	}
	var se *stepError
	if !errors.As(err, &se) {
		code := report.CodeUnexpected
		if len(sqlNumbers(err)) > 0 {
			code = report.CodeSQLError
		}
		se = failed(code, err)
	}
	e.fail(se, s)
	return e.finish(se.outcome)
}

func (e *engine) sortedFiles() []*report.File {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	var out []*report.File
	for _, f := range e.files {
		out = append(out, f)
	}
	sortFiles(out)
	return out
}

// fileRec returns the report record of a file by name, creating it.
func (e *engine) fileRec(name string) *report.File {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	f, ok := e.files[nameKey(name)]
	if !ok {
		f = &report.File{Name: name}
		e.files[nameKey(name)] = f
	}
	return f
}

// newMapper builds the path translation of a request's pathMap for this machine.
func newMapper(req *request.Request) (*winpath.Mapper, error) {
	entries := make([]winpath.Entry, len(req.PathMap))
	for i, m := range req.PathMap {
		entries[i] = winpath.Entry{From: m.From, To: m.To}
	}
	return winpath.NewMapper(entries, "", "")
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

// lockResource names the sp_getapplock resource for a pool.
func lockResource(pool string) string { return "pcfailover:" + strings.ToLower(pool) }

func (e *engine) lockPath() string { return filepath.Join(e.req.RunDirectory, journal.LockFile) }
