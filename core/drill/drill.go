// Package drill runs the non-destructive DR drill (reference/sql-log-shipping.md §5, "DR
// drill mode"): on the backup instance it restores the primary's latest full backup and
// the log chain that continues it (from the share and the copy folder, read where they
// are) as a scratch database mgc_drill_<UTC stamp> WITH MOVE to a scratch folder,
// recovers it, runs DBCC CHECKDB and a sanity query, measures the time of every phase
// (RTO) and the age of the newest recovered transaction (RPO), drops the copy and
// reports. Every drill appends one line to the drill history (JSON lines).
//
// It never touches the production database, the log-shipping jobs and tables, or Lync:
// against the production database and msdb it only reads (sys.databases,
// sys.master_files, msdb log-shipping tables, RESTORE HEADERONLY / FILELISTONLY), and it
// writes nothing in the share or the copy folder. The one trace SQL Server itself leaves
// is the drill's own restore history in msdb (restorehistory rows whose
// destination_database_name is the drill database, with their backupset and
// backupmediafamily rows), exactly as any RESTORE writes it; the drill does not delete
// it, because msdb history deletion (sp_delete_backuphistory) works by date and would
// also remove production history. The failover reads restore history filtered by the
// production database name, so these rows cannot mislead it.
package drill

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/errlist"
	"pcfailover/core/failover"
	"pcfailover/core/journal"
	"pcfailover/core/logchain"
	"pcfailover/core/lsn"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// Step ids, in execution order; each is also an RTO phase.
const (
	StepLock        = "lock"
	StepDiscover    = "discover"
	StepFindFull    = "find-full-backup"
	StepCheckChain  = "check-chain"
	StepRestoreFull = "restore-full"
	StepRestoreLogs = "restore-logs"
	StepRecover     = "recover"
	StepCheckDB     = "checkdb"
	StepSanity      = "sanity-query"
	StepDrop        = "drop-copy"
	StepHistory     = "history"
)

var stepSpecs = []struct{ id, name string }{
	{StepLock, "Take the drill lock (one drill per pool; never during a failover)"},
	{StepDiscover, "Read the backup database, msdb log-shipping configuration, share and copy folder (read-only)"},
	{StepFindFull, "Find the primary's full backup to start from"},
	{StepCheckChain, "Check the log chain from the full backup"},
	{StepRestoreFull, "Restore the full backup as the drill copy WITH MOVE, NORECOVERY"},
	{StepRestoreLogs, "Apply the log chain to the drill copy"},
	{StepRecover, "Recover the drill copy (RESTORE WITH RECOVERY)"},
	{StepCheckDB, "DBCC CHECKDB on the drill copy"},
	{StepSanity, "Sanity query on the drill copy"},
	{StepDrop, "Drop the drill copy"},
	{StepHistory, "Append to the drill history"},
}

// Config is one drill's input.
type Config struct {
	Request   *request.Request
	Passwords request.Passwords
	// Events receives progress events (nil: none).
	Events *report.Emitter
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Host and PID identify this run in the lock (defaults: os.Hostname, os.Getpid).
	Host string
	PID  int
}

// Phase is one timed phase of the drill.
type Phase struct {
	ID         string `json:"id"`
	DurationMs int64  `json:"durationMs"`
}

// Summary is the drill-specific part of the report.
type Summary struct {
	// Database is the scratch copy's name (mgc_drill_<yyyyMMddHHmmss>).
	Database         string `json:"database"`
	FullBackup       string `json:"fullBackup"`
	ScratchDirectory string `json:"scratchDirectory"`
	// Files maps each logical file to where the copy put it (WITH MOVE).
	Files map[string]string `json:"files"`
	// Phases are the RTO phases with their durations.
	Phases []Phase `json:"phases"`
	// RTOSeconds is the time to bring the copy online from backups: restore-full +
	// restore-logs + recover.
	RTOSeconds float64 `json:"rtoSeconds"`
	// FailoverRestoreSeconds is the measured restore time of the log backups the
	// secondary has not applied yet plus recovery: what a failover now would spend on SQL.
	FailoverRestoreSeconds float64 `json:"failoverRestoreSeconds"`
	LogsApplied            int     `json:"logsApplied"`
	LogsPendingOnSecondary int     `json:"logsPendingOnSecondary"`
	// RecoveredToLSN is the LSN the copy was recovered at (the chain's end).
	RecoveredToLSN *lsn.LSN `json:"recoveredToLsn"`
	// RecoveryPoint is the finish time of the newest applied backup; RPOSeconds its age at
	// the end of the drill.
	RecoveryPoint *time.Time `json:"recoveryPoint"`
	RPOSeconds    float64    `json:"rpoSeconds"`
	// CheckDB is passed, failed or skipped.
	CheckDB string `json:"checkDb"`
	// Sanity is what the sanity query read.
	Sanity  *Sanity `json:"sanity"`
	Dropped bool    `json:"dropped"`
	// HistoryFile is where the history line was appended.
	HistoryFile string `json:"historyFile"`
}

// Sanity is the sanity query's result: the copy is ONLINE, multi-user, read-write, and
// every file is ONLINE at its scratch path.
type Sanity struct {
	State      string `json:"state"`
	UserAccess string `json:"userAccess"`
	ReadOnly   bool   `json:"readOnly"`
	FilesOK    int    `json:"filesOnline"`
	Files      int    `json:"files"`
}

// Report is the drill report: the common report (cli/CONTRACT.md) plus "drill".
type Report struct {
	*report.Report
	Drill *Summary `json:"drill"`
}

// HistoryEntry is one line of the drill history file.
type HistoryEntry struct {
	RunID                  string     `json:"runId"`
	StartedAt              time.Time  `json:"startedAt"`
	Outcome                string     `json:"outcome"`
	Database               string     `json:"database"`
	FullBackup             string     `json:"fullBackup"`
	LogsApplied            int        `json:"logsApplied"`
	RTOSeconds             float64    `json:"rtoSeconds"`
	FailoverRestoreSeconds float64    `json:"failoverRestoreSeconds"`
	RPOSeconds             float64    `json:"rpoSeconds"`
	RecoveryPoint          *time.Time `json:"recoveryPoint"`
	Phases                 []Phase    `json:"phases"`
	CheckDB                string     `json:"checkDb"`
	Errors                 []string   `json:"errors"`
	RunDirectory           string     `json:"runDirectory"`
}

// HistoryFileName is the default drill history file in the request's runDirectory.
const HistoryFileName = "drill-history.jsonl"

// ReportFileName is the drill report written in the drill's own run directory.
const ReportFileName = "report.json"

// HistoryPath returns where the drill history of req lives.
func HistoryPath(req *request.Request) string {
	if req.Drill != nil && req.Drill.HistoryFile != "" {
		return req.Drill.HistoryFile
	}
	return filepath.Join(req.RunDirectory, HistoryFileName)
}

// ReadHistory returns every complete entry of a drill history file (a missing file is
// empty; a torn last line is ignored).
func ReadHistory(path string) ([]HistoryEntry, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read drill history %s: %w", path, err)
	}
	var out []HistoryEntry
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var h HistoryEntry
		if json.Unmarshal([]byte(line), &h) == nil && h.RunID != "" {
			out = append(out, h)
		}
	}
	return out, nil
}

type runner struct {
	cfg   Config
	req   *request.Request
	now   func() time.Time
	red   *request.Redactor
	ev    *report.Emitter
	rep   *Report
	dir   string // this drill's run directory
	jr    *journal.Journal
	lock  *journal.Lock
	db    *sql.DB
	conn  *sql.Conn
	runID string
	// discovery
	prod    failover.DBState
	share   string // as SQL Server names it
	copyDir string
	fulls   []*fullBackup
	full    *fullBackup
	chain   *logchain.Chain
	logs    map[string]logFile
	// gapErr is a break in the chain found by check-chain: the drill restores up to it
	// and then fails with it.
	gapErr  *report.Error
	created bool
	// per-file restore durations, by name
	fileMs map[string]int64
	// shareLocal and copyLocal are the share and copy folder as this machine reaches
	// them ("" when it cannot: shareErr, copyErr).
	shareLocal, copyLocal string
	shareErr, copyErr     error
}

const appName = "pcfailover-drill"

// Run executes one drill and returns its report; the outcome says how it ended
// (succeeded, failed, blocked, interrupted). The drill copy is dropped whatever happens
// after it was created, unless the context is cancelled before the drop could run (the
// next drill reports the leftover copy).
func Run(ctx context.Context, cfg Config) *Report {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	r := &runner{cfg: cfg, req: cfg.Request, now: now, red: request.ForPasswords(cfg.Passwords), ev: cfg.Events, fileMs: map[string]int64{}}
	var rnd [2]byte
	_, _ = rand.Read(rnd[:])
	start := now().UTC()
	r.runID = start.Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	r.dir = filepath.Join(r.req.RunDirectory, "drills", r.runID)
	r.rep = &Report{Report: &report.Report{SchemaVersion: 1, Command: "drill", RunID: r.runID, PoolFQDN: r.req.PoolFQDN, Database: r.req.Database,
		RunDirectory: r.dir, StartedAt: start, Steps: []*report.Step{}, Folders: []report.Folder{}, Files: []report.File{}, Warnings: []string{}, NextSteps: []string{}, Errors: []report.Error{}},
		Drill: &Summary{Database: DatabaseName(r.req.Database, start), Files: map[string]string{}, Phases: []Phase{}, CheckDB: "skipped", HistoryFile: HistoryPath(r.req)}}
	for _, s := range stepSpecs {
		r.rep.Steps = append(r.rep.Steps, &report.Step{ID: s.id, Name: s.name, Status: report.StatusPending, Statements: []report.Statement{}})
	}
	outcome := r.run(ctx)
	return r.finish(ctx, outcome)
}

// DatabaseName is the drill copy's name for database db at time t: <db>_drill_<UTC
// yyyyMMddHHmmss>.
func DatabaseName(db string, t time.Time) string {
	return db + "_drill_" + t.UTC().Format("20060102150405")
}

// drillError is a step failure with its report code.
type drillError struct {
	code, target, outcome string
	err                   error
}

func (e *drillError) Error() string { return e.err.Error() }
func (e *drillError) Unwrap() error { return e.err }

func fail(code string, err error) *drillError {
	return &drillError{code: code, outcome: report.OutcomeFailed, err: err}
}

func (r *runner) step(id string) *report.Step { return r.rep.StepByID(id) }

func (r *runner) warn(format string, args ...any) {
	msg := r.red.Redact(fmt.Sprintf(format, args...))
	r.rep.Warnings = append(r.rep.Warnings, msg)
	r.ev.Log("warn", "%s", msg)
}

// do runs one step: marks it running, times it, records the outcome and the phase.
func (r *runner) do(ctx context.Context, id string, fn func(s *report.Step) (string, error)) error {
	s := r.step(id)
	t := r.now().UTC()
	s.StartedAt = &t
	s.Status = report.StatusRunning
	r.ev.StepStarted(id, s.Name)
	detail, err := fn(s)
	s.DurationMs = r.now().UTC().Sub(t).Milliseconds()
	r.rep.Drill.Phases = append(r.rep.Drill.Phases, Phase{ID: id, DurationMs: s.DurationMs})
	if detail != "" {
		s.Detail = r.red.Redact(detail)
	}
	if err != nil {
		var de *drillError
		if !errors.As(err, &de) {
			code := report.CodeUnexpected
			if len(failover.SQLNumbers(err)) > 0 {
				code = report.CodeSQLError
			}
			if ctx.Err() != nil {
				de = &drillError{code: report.CodeInterrupted, outcome: report.OutcomeInterrupted, err: err}
			} else {
				de = fail(code, err)
			}
		}
		re := report.Error{Code: de.code, Category: "InvalidOperation", Message: r.red.Redact(de.err.Error()), Target: de.target}
		if n := failover.SQLNumbers(de.err); len(n) > 0 {
			re.SQLNumber = n[0]
		}
		if de.outcome == report.OutcomeBlocked {
			re.Category = "InvalidData"
			s.Status = report.StatusBlocked
		} else {
			s.Status = report.StatusFailed
		}
		s.Error = &re
		if s.Detail == "" {
			s.Detail = re.Message
		}
		r.rep.Errors = append(r.rep.Errors, re)
		r.journal("step", map[string]any{"id": id, "status": s.Status, "durationMs": s.DurationMs, "detail": s.Detail})
		r.ev.StepFinished(id, s.Status, time.Duration(s.DurationMs)*time.Millisecond)
		return de
	}
	s.Status = report.StatusDone
	r.journal("step", map[string]any{"id": id, "status": s.Status, "durationMs": s.DurationMs, "detail": s.Detail})
	r.ev.StepFinished(id, s.Status, time.Duration(s.DurationMs)*time.Millisecond)
	return nil
}

func (r *runner) journal(kind string, data any) {
	if r.jr != nil {
		_ = r.jr.Append(kind, data)
	}
}

func (r *runner) skip(id, detail string) {
	s := r.step(id)
	s.Status, s.Detail = report.StatusSkipped, detail
	r.journal("step", map[string]any{"id": id, "status": s.Status, "detail": detail})
}

// run executes the steps and returns the outcome.
func (r *runner) run(ctx context.Context) string {
	defer r.close()
	if err := r.do(ctx, StepLock, r.takeLock); err != nil {
		return outcomeOf(err)
	}
	steps := []struct {
		id string
		fn func(context.Context, *report.Step) (string, error)
	}{
		{StepDiscover, r.discover},
		{StepFindFull, r.findFull},
		{StepCheckChain, r.checkChain},
		{StepRestoreFull, r.restoreFull},
		{StepRestoreLogs, r.restoreLogs},
		{StepRecover, r.recover},
		{StepCheckDB, r.checkDB},
		{StepSanity, r.sanity},
	}
	outcome := report.OutcomeSucceeded
	for _, st := range steps {
		if st.id == StepCheckDB && r.req.Drill != nil && r.req.Drill.SkipCheckDB {
			r.skip(StepCheckDB, "drill.skipCheckDb is set")
			continue
		}
		if err := r.do(ctx, st.id, func(s *report.Step) (string, error) { return st.fn(ctx, s) }); err != nil {
			outcome = outcomeOf(err)
			break
		}
	}
	// The copy is dropped whatever happened, on a context that outlives a cancel for a
	// bounded time: a drill never leaves its copy behind when it can help it.
	if r.created {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		if err := r.do(dctx, StepDrop, func(s *report.Step) (string, error) { return r.drop(dctx, s) }); err != nil && outcome == report.OutcomeSucceeded {
			outcome = outcomeOf(err)
		}
		cancel()
	} else {
		r.skip(StepDrop, "no drill copy was created")
	}
	if ctx.Err() != nil && outcome != report.OutcomeBlocked {
		outcome = report.OutcomeInterrupted
	}
	if r.gapErr != nil && outcome == report.OutcomeSucceeded {
		r.rep.Errors = append(r.rep.Errors, *r.gapErr)
		outcome = report.OutcomeFailed
	}
	return outcome
}

func outcomeOf(err error) string {
	var de *drillError
	if errors.As(err, &de) {
		return de.outcome
	}
	return report.OutcomeFailed
}

func (r *runner) close() {
	if r.conn != nil {
		r.conn.Close()
	}
	if r.db != nil {
		r.db.Close()
	}
	if r.lock != nil {
		if err := r.lock.Release(); err != nil {
			r.warn("release the drill lock: %v", err)
		}
	}
}

func (r *runner) takeLock(_ *report.Step) (string, error) {
	// A failover or failback holds <runDirectory>/pcfailover.lock: never drill then.
	if b, err := os.ReadFile(filepath.Join(r.req.RunDirectory, journal.LockFile)); err == nil {
		return "", &drillError{code: report.CodeLocked, outcome: report.OutcomeBlocked, target: filepath.Join(r.req.RunDirectory, journal.LockFile),
			err: fmt.Errorf("a failover or failback run holds %s (%s): no drill while it runs", filepath.Join(r.req.RunDirectory, journal.LockFile), strings.TrimSpace(string(b)))}
	}
	host := r.cfg.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	pid := r.cfg.PID
	if pid == 0 {
		pid = os.Getpid()
	}
	lockDir := filepath.Join(r.req.RunDirectory, "drills")
	l, err := journal.Acquire(lockDir, journal.Holder{Host: host, PID: pid, RunID: r.runID, Command: "drill", StartedAt: r.rep.StartedAt})
	var le *journal.LockedError
	if errors.As(err, &le) {
		return "", &drillError{code: report.CodeLocked, outcome: report.OutcomeBlocked, target: le.Path, err: le}
	}
	if err != nil {
		return "", fail(report.CodeUnexpected, err)
	}
	r.lock = l
	if l.Stale != nil {
		r.warn("took over the drill lock of a run that ended without releasing it: %s", l.Stale)
	}
	if r.jr, err = journal.Open(r.dir, r.runID, r.now); err != nil {
		return "", fail(report.CodeUnexpected, err)
	}
	r.journal("started", map[string]any{"command": "drill", "pool": r.req.PoolFQDN, "database": r.req.Database,
		"drillDatabase": r.rep.Drill.Database, "backup": r.req.BackupSQLInstance.Describe()})
	return "lock " + filepath.Join(lockDir, journal.LockFile) + "; journal in " + r.dir, nil
}

// exec sends one statement on the drill's session, recording it on step s.
func (r *runner) exec(ctx context.Context, s *report.Step, text string, params map[string]string, args ...any) error {
	r.record(s, text, params)
	_, err := r.conn.ExecContext(ctx, text, args...)
	return err
}

func (r *runner) record(s *report.Step, text string, params map[string]string) {
	st := report.Statement{Target: "backup", Kind: "sql", Text: text}
	if len(params) > 0 {
		st.Parameters = map[string]string{}
		for k, v := range params {
			st.Parameters[k] = r.red.Redact(v)
		}
	}
	s.Statements = append(s.Statements, st)
	r.ev.Statement(s.ID, "backup", r.red.Redact(text))
}

func (r *runner) discover(ctx context.Context, s *report.Step) (string, error) {
	in := r.req.BackupSQLInstance
	c, err := mssql.NewConnector(in.ConnString(r.cfg.Passwords[request.RoleBackup], "master", appName))
	if err != nil {
		return "", fail(report.CodeConnectionFailed, fmt.Errorf("connect to the backup instance %s: %s", in.Describe(), r.red.Redact(err.Error())))
	}
	r.db = sql.OpenDB(c)
	r.db.SetMaxOpenConns(r.req.Options.HeaderParallelism + 1)
	conn, err := r.db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		return "", fail(report.CodeConnectionFailed, fmt.Errorf("connect to the backup instance %s: %s", in.Describe(), r.red.Redact(err.Error())))
	}
	r.conn = conn
	r.prod, err = failover.ObserveDB(ctx, conn, r.req.Database)
	if err != nil {
		return "", err
	}
	if !r.prod.Exists {
		r.warn("the backup instance has no database %s: the drill still proves the backups restore, but there is no log-shipping secondary to compare with", r.req.Database)
	}
	if rows, err := failover.RowMaps(ctx, conn, qDBExists, r.rep.Drill.Database); err != nil {
		return "", fmt.Errorf("read sys.databases for %s: %w", r.rep.Drill.Database, err)
	} else if len(rows) > 0 {
		return "", &drillError{code: report.CodeInvalidRequest, outcome: report.OutcomeBlocked, target: r.rep.Drill.Database,
			err: fmt.Errorf("a database named %s already exists on the backup instance: drop it or wait a second and run again", r.rep.Drill.Database)}
	}
	if left, err := leftovers(ctx, conn, r.req.Database); err == nil && len(left) > 0 {
		r.warn("drill copies left by earlier drills exist on the backup instance: %s; drop them (DROP DATABASE) when no drill runs", strings.Join(left, ", "))
	}
	ls, err := failover.ObserveLogShipping(ctx, conn, r.req.Database, r.now())
	if err != nil {
		return "", err
	}
	r.share, r.copyDir = r.req.Share, r.req.CopyDestination
	if ls != nil {
		if r.share == "" {
			r.share = ls.BackupSourceDirectory
		}
		if r.copyDir == "" {
			r.copyDir = ls.BackupDestinationDirectory
		}
	}
	if err := r.resolveFolders(ctx); err != nil {
		return "", err
	}
	if r.share == "" && r.copyDir == "" && (r.req.Drill == nil || r.req.Drill.FullBackup == "") {
		return "", &drillError{code: report.CodeInvalidRequest, outcome: report.OutcomeBlocked,
			err: fmt.Errorf("%s is not a log-shipping secondary on the backup instance and the request names no share, copy folder or drill.fullBackup: nothing to restore from", r.req.Database)}
	}
	state := "absent"
	if r.prod.Exists {
		state = r.prod.State
		if r.prod.Standby {
			state += " (STANDBY)"
		}
	}
	return fmt.Sprintf("%s is %s; share %s, copy folder %s", r.req.Database, state, orNone(r.share), orNone(r.copyDir)), nil
}

// resolveFolders finds how this machine reaches the share and the copy folder (pathMap,
// administrative share of the backup host). An unreachable folder is warned about and
// not listed: the drill reads what it can (the full backup and logs by SQL path).
func (r *runner) resolveFolders(ctx context.Context) error {
	m, err := failover.PathMapper(r.req)
	if err != nil {
		return fail(report.CodeInvalidRequest, err)
	}
	host, err := failover.MachineName(ctx, r.conn)
	if err != nil {
		return err
	}
	if r.share != "" {
		r.shareLocal, r.shareErr = failover.ResolveFolder(m, r.share, host)
		r.rep.Folders = append(r.rep.Folders, failover.ReportFolder(report.FolderShare, r.share, r.shareLocal, host, r.shareErr))
	}
	if r.copyDir != "" {
		r.copyLocal, r.copyErr = failover.ResolveFolder(m, r.copyDir, host)
		r.rep.Folders = append(r.rep.Folders, failover.ReportFolder(report.FolderCopy, r.copyDir, r.copyLocal, host, r.copyErr))
	}
	for _, e := range []error{r.shareErr, r.copyErr} {
		if e != nil {
			r.warn("%v", e)
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// leftovers lists databases named like earlier drill copies.
func leftovers(ctx context.Context, db failover.Queryer, prod string) ([]string, error) {
	rows, err := failover.RowMaps(ctx, db, qDrillCopies)
	if err != nil {
		return nil, err
	}
	var out []string
	prefix := strings.ToLower(prod + "_drill_")
	for _, row := range rows {
		n := failover.AsString(row["name"])
		if strings.HasPrefix(strings.ToLower(n), prefix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// finish sets the outcome, writes report.json in the drill's run directory and appends
// the history line.
func (r *runner) finish(ctx context.Context, outcome string) *Report {
	rep := r.rep
	rep.Outcome = outcome
	rep.ExitCode = report.ExitCode(outcome)
	rep.FinishedAt = r.now().UTC()
	rep.DurationMs = rep.FinishedAt.Sub(rep.StartedAt).Milliseconds()
	r.summarize()
	if r.lock == nil {
		// Blocked at the lock: nothing of ours to record.
		return rep
	}
	hs := r.step(StepHistory)
	if outcome != report.OutcomeBlocked || r.created {
		hp := rep.Drill.HistoryFile
		entry := HistoryEntry{RunID: rep.RunID, StartedAt: rep.StartedAt, Outcome: outcome, Database: rep.Drill.Database, FullBackup: rep.Drill.FullBackup,
			LogsApplied: rep.Drill.LogsApplied, RTOSeconds: rep.Drill.RTOSeconds, FailoverRestoreSeconds: rep.Drill.FailoverRestoreSeconds,
			RPOSeconds: rep.Drill.RPOSeconds, RecoveryPoint: rep.Drill.RecoveryPoint, Phases: rep.Drill.Phases, CheckDB: rep.Drill.CheckDB, Errors: []string{}, RunDirectory: r.dir}
		for _, e := range rep.Errors {
			entry.Errors = append(entry.Errors, e.Code+": "+e.Message)
		}
		if err := appendLine(hp, entry); err != nil {
			hs.Status, hs.Detail = report.StatusFailed, err.Error()
			r.warn("could not append to the drill history: %v", err)
		} else {
			hs.Status, hs.Detail = report.StatusDone, "appended to "+hp
		}
	} else {
		hs.Status, hs.Detail = report.StatusSkipped, "blocked before the drill started"
	}
	r.journal("finished", map[string]any{"outcome": outcome, "durationMs": rep.DurationMs})
	if r.jr != nil {
		r.jr.Close()
	}
	if b, err := json.MarshalIndent(rep, "", "  "); err == nil {
		if err := os.WriteFile(filepath.Join(r.dir, ReportFileName), []byte(r.red.Redact(string(report.ASCII(b)))+"\n"), 0o644); err != nil {
			r.warn("could not write %s: %v", filepath.Join(r.dir, ReportFileName), err)
		}
	}
	_ = ctx
	return rep
}

// appendLine appends v as one JSON line to path and flushes it.
func appendLine(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("drill history %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("drill history %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("drill history %s: %w", path, err)
	}
	_, werr := f.Write(append(report.ASCII(b), '\n'))
	serr := f.Sync()
	cerr := f.Close()
	if err := errlist.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("drill history %s: %w", path, err)
	}
	return nil
}

// summarize computes the RTO and RPO figures from the steps.
func (r *runner) summarize() {
	d := r.rep.Drill
	var rto int64
	for _, id := range []string{StepRestoreFull, StepRestoreLogs, StepRecover} {
		if s := r.step(id); s.Status == report.StatusDone {
			rto += s.DurationMs
		}
	}
	d.RTOSeconds = float64(rto) / 1000
	var fo int64
	if s := r.step(StepRecover); s.Status == report.StatusDone {
		fo = s.DurationMs
	}
	pending := 0
	if r.chain != nil {
		for _, a := range r.chain.Apply {
			if r.pendingOnSecondary(a) {
				pending++
				fo += r.fileMs[a.Name]
			}
		}
	}
	d.LogsPendingOnSecondary = pending
	d.FailoverRestoreSeconds = float64(fo) / 1000
	if d.RecoveryPoint != nil {
		d.RPOSeconds = r.rep.FinishedAt.Sub(*d.RecoveryPoint).Seconds()
		t := *d.RecoveryPoint
		r.rep.RPO = &report.RPO{LastAppliedBackupFinish: &t, AgeSeconds: int64(d.RPOSeconds)}
	}
}

// pendingOnSecondary reports whether the production secondary still needs log a.
func (r *runner) pendingOnSecondary(a logchain.Entry) bool {
	if !r.prod.Exists || !r.prod.Restoring() || r.prod.RedoStartLSN.IsZero() {
		return false
	}
	return r.prod.RedoStartLSN.Less(a.LastLSN)
}
