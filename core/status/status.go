// Package status reports log-shipping health on the backup instance, read-only
// (reference/sql-log-shipping.md §5 "Status view"): the last backup, copy and restore
// with their ages and latency, the log backups waiting to be copied or restored,
// whether the log chain is continuous from the secondary's redo start LSN to the newest
// file, the data at risk if the primary died now (RPO), and, when Lync is reachable, the
// pool and mirror state. Thresholds from the request turn the checks into a health
// (ok, warning, critical) and an exit code monitoring can alert on.
//
// Nothing here writes: the queries are SELECTs on sys.databases, sys.master_files, msdb
// and RESTORE HEADERONLY on the files; the Lync reads are Get-* cmdlets.
package status

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/failover"
	"pcfailover/core/logchain"
	"pcfailover/core/lsn"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/winpath"
)

// Health levels, worst last.
const (
	OK       = "ok"
	Warning  = "warning"
	Critical = "critical"
	Unknown  = "unknown"
)

// Exit codes of `pcfailover status` (cli/CONTRACT.md): 0 ok, 5 warning, 6 critical,
// 1 the status could not be read (unknown), 2 invalid request.
const (
	ExitOK       = 0
	ExitUnknown  = 1
	ExitWarning  = 5
	ExitCritical = 6
)

// ExitCode maps a health to the process exit code.
func ExitCode(health string) int {
	switch health {
	case OK:
		return ExitOK
	case Warning:
		return ExitWarning
	case Critical:
		return ExitCritical
	}
	return ExitUnknown
}

func rank(h string) int {
	switch h {
	case OK:
		return 0
	case Warning:
		return 1
	case Critical:
		return 3
	}
	return 2 // unknown: worse than warning, better than critical
}

// Lync reads the pool's Persistent Chat state; implemented over pshost by the CLI.
type Lync interface {
	// Read returns the pool state (Normal, FailedOver) and the mirror state of the
	// pool's database, or an error when Lync cannot be reached.
	Read(ctx context.Context) (*LyncState, error)
}

// LyncState is what Lync said.
type LyncState struct {
	Reachable   bool   `json:"reachable"`
	PoolState   string `json:"poolState,omitempty"`
	MirrorState string `json:"mirrorState,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Config is one status read.
type Config struct {
	Request   *request.Request
	Passwords request.Passwords
	// Lync is nil when the request has no Lync section (or it says skip).
	Lync Lync
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Status is the status report (`pcfailover status --output json`).
type Status struct {
	SchemaVersion int       `json:"schemaVersion"`
	Command       string    `json:"command"`
	PoolFQDN      string    `json:"poolFqdn"`
	Database      string    `json:"database"`
	CheckedAt     time.Time `json:"checkedAt"`
	Health        string    `json:"health"`
	ExitCode      int       `json:"exitCode"`
	// Secondary is the backup database as the backup instance reports it.
	Secondary   *Secondary   `json:"secondary"`
	LogShipping *LogShipping `json:"logShipping"`
	LastBackup  *Event       `json:"lastBackup"`
	LastCopy    *Event       `json:"lastCopy"`
	LastRestore *Event       `json:"lastRestore"`
	// Folders are the share and copy folder as SQL Server names them and as this
	// machine reaches them.
	Folders []report.Folder `json:"folders"`
	Files   Files           `json:"files"`
	Chain   *Chain          `json:"chain"`
	RPO     *RPO            `json:"rpo"`
	Lync    *LyncState      `json:"lync"`
	Checks  []Check         `json:"checks"`
	Errors  []string        `json:"errors"`
}

// Secondary is the backup database's state.
type Secondary struct {
	Exists       bool     `json:"exists"`
	State        string   `json:"state"`
	IsInStandby  bool     `json:"isInStandby"`
	RedoStartLSN *lsn.LSN `json:"redoStartLsn"`
	NextFrom     string   `json:"nextFrom,omitempty"`
}

// LogShipping is the msdb log-shipping configuration and monitor row.
type LogShipping struct {
	Configured              bool   `json:"configured"`
	PrimaryServer           string `json:"primaryServer,omitempty"`
	Share                   string `json:"share,omitempty"`
	CopyDestination         string `json:"copyDestination,omitempty"`
	RestoreThresholdMinutes *int64 `json:"restoreThresholdMinutes"`
	LastRestoredLatencyMin  *int64 `json:"lastRestoredLatencyMinutes"`
	Jobs                    []Job  `json:"jobs"`
}

// Job is one log-shipping job.
type Job struct {
	Role    string `json:"role"`
	Name    string `json:"name"`
	Exists  bool   `json:"exists"`
	Enabled bool   `json:"enabled"`
	Running bool   `json:"running"`
}

// Event is the newest backup, copy or restore: the file, when, and how long ago.
type Event struct {
	File       string     `json:"file"`
	At         *time.Time `json:"at"`
	AgeSeconds int64      `json:"ageSeconds"`
	// BackupFinish is the finish time of the backup the event concerns (restore).
	BackupFinish *time.Time `json:"backupFinish,omitempty"`
	// LatencySeconds is, for the restore, the time from that backup's finish to its restore.
	LatencySeconds *int64 `json:"latencySeconds,omitempty"`
}

// Files counts the log backups by where they wait.
type Files struct {
	InShare          int      `json:"inShare"`
	InCopyFolder     int      `json:"inCopyFolder"`
	WaitingToCopy    int      `json:"waitingToCopy"`
	WaitingToRestore int      `json:"waitingToRestore"`
	Partial          []string `json:"partial"`
	ShareError       string   `json:"shareError,omitempty"`
	CopyFolderError  string   `json:"copyFolderError,omitempty"`
}

// Chain is the log chain from the secondary's redo start LSN over every available file.
type Chain struct {
	RedoStartLSN *lsn.LSN `json:"redoStartLsn"`
	EndLSN       *lsn.LSN `json:"endLsn"`
	NewestLSN    *lsn.LSN `json:"newestLsn"`
	Continuous   bool     `json:"continuous"`
	Gap          string   `json:"gap,omitempty"`
	Damaged      []string `json:"damaged"`
}

// RPO is the data at risk if the primary died now.
type RPO struct {
	// RecoverableTo is the finish time of the newest backup a failover now could apply
	// (the end of the continuous chain); DataAtRiskSeconds its age: the transactions of
	// that span exist only on the primary.
	RecoverableTo     *time.Time `json:"recoverableTo"`
	DataAtRiskSeconds int64      `json:"dataAtRiskSeconds"`
	// RestoredTo / RestoredAgeSeconds: the same for what is already restored.
	RestoredTo         *time.Time `json:"restoredTo"`
	RestoredAgeSeconds int64      `json:"restoredAgeSeconds"`
}

// Check is one health check with its verdict.
type Check struct {
	Name      string `json:"name"`
	Health    string `json:"health"`
	Message   string `json:"message"`
	Value     *int64 `json:"value,omitempty"`
	Warning   *int64 `json:"warning,omitempty"`
	Critical  *int64 `json:"critical,omitempty"`
	Unit      string `json:"unit,omitempty"`
	Threshold string `json:"threshold,omitempty"`
}

const appName = "pcfailover-status"

type reader struct {
	cfg  Config
	req  *request.Request
	now  time.Time
	red  *request.Redactor
	st   *Status
	db   *sql.DB
	prod failover.DBState
	ls   *failover.Snapshot
}

// Read reads the status once. It never returns nil; a status that cannot be read has
// health unknown and the reason in Errors.
func Read(ctx context.Context, cfg Config) *Status {
	nowf := cfg.Now
	if nowf == nil {
		nowf = time.Now
	}
	r := &reader{cfg: cfg, req: cfg.Request, now: nowf().UTC(), red: request.ForPasswords(cfg.Passwords)}
	r.st = &Status{SchemaVersion: 1, Command: "status", PoolFQDN: r.req.PoolFQDN, Database: r.req.Database, CheckedAt: r.now,
		Checks: []Check{}, Errors: []string{}, Folders: []report.Folder{}, Files: Files{Partial: []string{}}}
	if err := r.read(ctx); err != nil {
		r.st.Errors = append(r.st.Errors, r.red.Redact(err.Error()))
		r.add(Check{Name: "read", Health: Unknown, Message: r.red.Redact(err.Error())})
	}
	if r.db != nil {
		r.db.Close()
	}
	if cfg.Lync != nil {
		ls, err := cfg.Lync.Read(ctx)
		if err != nil {
			ls = &LyncState{Reachable: false, Error: r.red.Redact(err.Error())}
		}
		r.st.Lync = ls
		r.lyncChecks(ls)
	}
	r.st.Health = OK
	for _, c := range r.st.Checks {
		if rank(c.Health) > rank(r.st.Health) {
			r.st.Health = c.Health
		}
	}
	r.st.ExitCode = ExitCode(r.st.Health)
	return r.st
}

func (r *reader) add(c Check) { r.st.Checks = append(r.st.Checks, c) }

func i64(n int64) *int64 { return &n }

func (r *reader) read(ctx context.Context) error {
	in := r.req.BackupSQLInstance
	c, err := mssql.NewConnector(in.ConnString(r.cfg.Passwords[request.RoleBackup], "master", appName))
	if err != nil {
		return fmt.Errorf("connect to the backup instance %s: %s", in.Describe(), r.red.Redact(err.Error()))
	}
	r.db = sql.OpenDB(c)
	r.db.SetMaxOpenConns(r.req.Options.HeaderParallelism + 1)
	if err := r.db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to the backup instance %s: %s", in.Describe(), r.red.Redact(err.Error()))
	}
	if r.prod, err = failover.ObserveDB(ctx, r.db, r.req.Database); err != nil {
		return err
	}
	sec := &Secondary{Exists: r.prod.Exists, State: r.prod.State, IsInStandby: r.prod.Standby, NextFrom: r.prod.NextFrom}
	if !r.prod.RedoStartLSN.IsZero() {
		l := r.prod.RedoStartLSN
		sec.RedoStartLSN = &l
	}
	r.st.Secondary = sec
	if r.ls, err = failover.ObserveLogShipping(ctx, r.db, r.req.Database, r.now); err != nil {
		return err
	}
	r.logShipping()
	switch {
	case !r.prod.Exists:
		r.add(Check{Name: "secondary", Health: Critical, Message: fmt.Sprintf("the backup instance has no database %s", r.req.Database)})
		return nil
	case !r.prod.Restoring():
		r.add(Check{Name: "secondary", Health: Critical, Message: fmt.Sprintf("%s is %s, not restoring: it is not a log-shipping secondary (already failed over?)", r.req.Database, r.prod.State)})
	case r.ls == nil:
		r.add(Check{Name: "secondary", Health: Critical, Message: fmt.Sprintf("%s is restoring but has no log-shipping configuration in msdb", r.req.Database)})
	default:
		mode := "RESTORING"
		if r.prod.Standby {
			mode = "STANDBY"
		}
		r.add(Check{Name: "secondary", Health: OK, Message: fmt.Sprintf("%s is a log-shipping secondary (%s), next LSN %s", r.req.Database, mode, r.prod.RedoStartLSN)})
	}
	r.jobs()
	return r.files(ctx)
}

func (r *reader) logShipping() {
	ls := &LogShipping{Jobs: []Job{}}
	r.st.LogShipping = ls
	share, copyDir := r.req.Share, r.req.CopyDestination
	if r.ls != nil {
		ls.Configured = true
		ls.PrimaryServer = r.ls.PrimaryServer
		if share == "" {
			share = r.ls.BackupSourceDirectory
		}
		if copyDir == "" {
			copyDir = r.ls.BackupDestinationDirectory
		}
		ls.RestoreThresholdMinutes = r.ls.RestoreThreshold
		ls.LastRestoredLatencyMin = r.ls.LastRestoredLatency
		for _, j := range r.ls.Jobs {
			ls.Jobs = append(ls.Jobs, Job{Role: j.Role, Name: j.Name, Exists: j.Exists, Enabled: j.Enabled, Running: j.Running})
		}
		if r.ls.LastCopiedFile != "" {
			r.st.LastCopy = r.event(r.ls.LastCopiedFile, firstTime(r.ls.LastCopiedDateUTC, r.ls.LastCopiedDate))
		}
		if r.ls.LastRestoredFile != "" {
			r.st.LastRestore = r.event(r.ls.LastRestoredFile, firstTime(r.ls.LastRestoredDateUTC, r.ls.LastRestoredDate))
		}
	}
	ls.Share, ls.CopyDestination = share, copyDir
	if r.prod.LastRestore != nil {
		lr := r.prod.LastRestore
		if r.st.LastRestore == nil {
			t := lr.RestoreDate
			r.st.LastRestore = r.event(lr.Device, &t)
		}
		if !lr.BackupFinishDate.IsZero() {
			bf := lr.BackupFinishDate
			r.st.LastRestore.BackupFinish = &bf
			if r.st.LastRestore.At != nil {
				r.st.LastRestore.LatencySeconds = i64(int64(r.st.LastRestore.At.Sub(bf).Seconds()))
			}
		}
	}
}

func firstTime(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			return t
		}
	}
	return nil
}

func (r *reader) event(file string, at *time.Time) *Event {
	e := &Event{File: baseName(file)}
	if at != nil {
		t := at.UTC()
		e.At = &t
		e.AgeSeconds = int64(r.now.Sub(t).Seconds())
	}
	return e
}

// baseName is the file name of a path in either style.
func baseName(p string) string {
	return p[strings.LastIndexAny(p, `\/`)+1:]
}

func (r *reader) jobs() {
	if r.ls == nil {
		return
	}
	var bad []string
	for _, j := range r.ls.Jobs {
		switch {
		case !j.Exists:
			bad = append(bad, fmt.Sprintf("the %s job %s is missing", j.Role, j.ID))
		case !j.Enabled:
			bad = append(bad, fmt.Sprintf("the %s job %s is disabled", j.Role, j.Name))
		}
	}
	if len(bad) > 0 {
		r.add(Check{Name: "jobs", Health: Warning, Message: strings.Join(bad, "; ") + ": log shipping is stopped"})
		return
	}
	r.add(Check{Name: "jobs", Health: OK, Message: "the copy and restore jobs exist and are enabled"})
}

type file struct {
	name    string
	ref     failover.FileRef
	inShare bool
	inCopy  bool
}

// dropShareSQLCannotRead looks at the headers of the files only in the share: when SQL
// Server cannot open one because it cannot reach the share or may not read it
// (failover.ShareOSError: 53, 67, 3 or 5), the share counts as unreachable (ShareError,
// with SQL Server's message), as it does for a failover, and the headers of the files
// only in the share are dropped, so that they do not read as a chain of damaged files.
func (r *reader) dropShareSQLCannotRead(headers []logchain.Header, cands []string, byName map[string]*file) []logchain.Header {
	// headers[i] is the header of cands[i] (ReadHeaderFiles keeps the order of its files).
	shareOnly := func(i int) bool {
		f := byName[failover.NameKey(cands[i])]
		return f != nil && f.inShare && !f.inCopy
	}
	for i, h := range headers {
		if shareOnly(i) && failover.ShareOSError(h.ReadError) != 0 {
			r.st.Files.ShareError = "SQL Server cannot open the share's files: " + h.ReadError
			kept := headers[:0:0]
			for j, h := range headers {
				if !shareOnly(j) {
					kept = append(kept, h)
				}
			}
			return kept
		}
	}
	return headers
}

// folder resolves one folder for this machine and lists it (nil map when it cannot).
func (r *reader) folder(role, sqlDir, host string, m *winpath.Mapper) (map[string]failover.FileRef, error) {
	local, err := failover.ResolveFolder(m, sqlDir, host)
	var files map[string]failover.FileRef
	if err == nil {
		files, err = failover.ListFolder(sqlDir, local)
	}
	r.st.Folders = append(r.st.Folders, failover.ReportFolder(role, sqlDir, local, host, err))
	return files, err
}

// files lists the share and the copy folder, reads the headers of the log backups the
// secondary still needs and builds the chain from its redo start LSN.
func (r *reader) files(ctx context.Context) error {
	db := r.req.Database
	ls := r.st.LogShipping
	byName := map[string]*file{}
	var share, cp map[string]failover.FileRef
	m, err := failover.PathMapper(r.req)
	if err != nil {
		return err
	}
	host, err := failover.MachineName(ctx, r.db)
	if err != nil {
		return err
	}
	if ls.Share != "" {
		if share, err = r.folder(report.FolderShare, ls.Share, host, m); err != nil {
			r.st.Files.ShareError = err.Error()
		}
	}
	if ls.CopyDestination != "" {
		if cp, err = r.folder(report.FolderCopy, ls.CopyDestination, host, m); err != nil {
			r.st.Files.CopyFolderError = err.Error()
		}
	}
	for k, f := range cp {
		n := f.Name
		if logchain.IsPartial(n, db) {
			r.st.Files.Partial = append(r.st.Files.Partial, n)
		}
		if logchain.IsCandidate(n, db) {
			byName[k] = &file{name: n, ref: f, inCopy: true}
			r.st.Files.InCopyFolder++
		}
	}
	for k, f := range share {
		n := f.Name
		if !logchain.IsCandidate(n, db) {
			continue
		}
		r.st.Files.InShare++
		if bf, ok := byName[k]; ok {
			bf.inShare = true
		} else {
			byName[k] = &file{name: n, ref: f, inShare: true}
		}
	}
	sort.Strings(r.st.Files.Partial)
	var names []string
	for _, f := range byName {
		names = append(names, f.name)
	}
	anchor := ""
	if r.ls != nil {
		anchor = r.ls.LastRestoredFile
	}
	cands := logchain.Candidates(names, db, anchor)
	// The newest backup is the newest file by name (UTC stamp, §2.3), in the share.
	var newestShare string
	for _, f := range share {
		if n := f.Name; logchain.IsCandidate(n, db) && strings.ToLower(n) > strings.ToLower(newestShare) {
			newestShare = n
		}
	}
	refs := make([]failover.FileRef, len(cands))
	for i, n := range cands {
		refs[i] = byName[failover.NameKey(n)].ref
	}
	headers, err := failover.ReadHeaderFiles(ctx, r.db, refs, r.req.Options.HeaderParallelism)
	if err != nil {
		return err
	}
	headers = r.dropShareSQLCannotRead(headers, cands, byName)
	if newestShare != "" {
		r.st.LastBackup = &Event{File: newestShare}
		for _, h := range headers {
			if h.Name == newestShare && !h.BackupFinishDate.IsZero() {
				t := h.BackupFinishDate.UTC()
				r.st.LastBackup.At, r.st.LastBackup.AgeSeconds = &t, int64(r.now.Sub(t).Seconds())
			}
		}
	}
	if !r.prod.Restoring() || r.prod.RedoStartLSN.IsZero() {
		return nil
	}
	c := logchain.Build(logchain.Target{Database: db, FamilyGUID: r.prod.FamilyGUID, ForkGUID: r.prod.RedoForkGUID, Next: r.prod.RedoStartLSN}, headers)
	start, end := c.Start, c.End
	ch := &Chain{RedoStartLSN: &start, EndLSN: &end, Continuous: c.Gap == nil, Damaged: []string{}}
	var newest lsn.LSN
	for _, h := range headers {
		if h.Known() && newest.Less(h.LastLSN) && strings.EqualFold(h.DatabaseName, db) {
			newest = h.LastLSN
		}
	}
	if !newest.IsZero() {
		ch.NewestLSN = &newest
	}
	for _, a := range c.Apply {
		if f := byName[failover.NameKey(a.Name)]; f != nil && !f.inCopy {
			r.st.Files.WaitingToCopy++
		}
	}
	r.st.Files.WaitingToRestore = len(c.Apply)
	if c.Gap != nil {
		ch.Gap = c.Gap.Describe()
		ch.Damaged = append(ch.Damaged, c.Gap.Damaged...)
	}
	r.st.Chain = ch
	r.rpo(c)
	r.chainChecks(c)
	return nil
}

func (r *reader) rpo(c *logchain.Chain) {
	rp := &RPO{}
	if r.prod.LastRestore != nil && !r.prod.LastRestore.BackupFinishDate.IsZero() {
		t := r.prod.LastRestore.BackupFinishDate.UTC()
		rp.RestoredTo, rp.RestoredAgeSeconds = &t, int64(r.now.Sub(t).Seconds())
	}
	rp.RecoverableTo, rp.DataAtRiskSeconds = rp.RestoredTo, rp.RestoredAgeSeconds
	if last := c.LastApplied(); last != nil && !last.BackupFinishDate.IsZero() {
		t := last.BackupFinishDate.UTC()
		rp.RecoverableTo, rp.DataAtRiskSeconds = &t, int64(r.now.Sub(t).Seconds())
	}
	r.st.RPO = rp
}

func (r *reader) chainChecks(c *logchain.Chain) {
	s := r.req.Status
	if c.Gap != nil {
		r.add(Check{Name: "chain", Health: Critical, Message: "the log chain is broken: " + c.Gap.Describe() + "; a failover now would stop there"})
	} else {
		r.add(Check{Name: "chain", Health: OK, Message: fmt.Sprintf("continuous from LSN %s to %s over %d log backups", c.Start, c.End, len(c.Apply))})
	}
	if r.st.Files.ShareError != "" {
		r.add(Check{Name: "share", Health: Warning, Message: "the share is unreachable: " + r.st.Files.ShareError + "; only the copy folder counts"})
	}
	if r.st.Files.CopyFolderError != "" {
		r.add(Check{Name: "copy-folder", Health: Warning, Message: "the copy folder is unreachable from this machine: " + r.st.Files.CopyFolderError + "; a failover from here would stop before copying"})
	}
	rp := r.st.RPO
	if rp.RecoverableTo != nil {
		min := rp.DataAtRiskSeconds / 60
		r.add(threshold("rpo", min, int64(s.RPOWarningMinutes), int64(s.RPOCriticalMinutes), "minutes",
			fmt.Sprintf("if the primary died now, the transactions after %s (%d minutes) would be lost", rp.RecoverableTo.Format(time.RFC3339), min)))
	} else {
		r.add(Check{Name: "rpo", Health: Unknown, Message: "no restored or available log backup: the recovery point is unknown"})
	}
	warn := int64(s.RestoreWarningMinutes)
	if warn == 0 {
		warn = 45
		if r.ls != nil && r.ls.RestoreThreshold != nil && *r.ls.RestoreThreshold > 0 {
			warn = *r.ls.RestoreThreshold
		}
	}
	crit := int64(s.RestoreCriticalMinutes)
	if crit == 0 {
		crit = 2 * warn
	}
	if lr := r.st.LastRestore; lr != nil && lr.At != nil {
		age := lr.AgeSeconds / 60
		latency := int64(0)
		if lr.LatencySeconds != nil {
			latency = *lr.LatencySeconds / 60
		}
		worst := age
		what := fmt.Sprintf("the last restore (%s) was %d minutes ago", lr.File, age)
		if latency > worst && r.st.Files.WaitingToRestore > 0 {
			worst = latency
		}
		if r.st.Files.WaitingToRestore == 0 && age > warn {
			// Nothing to restore: the restore job is idle because the backups stopped.
			what += ", but nothing is waiting to be restored"
			worst = 0
		}
		r.add(threshold("restore", worst, warn, crit, "minutes", what+fmt.Sprintf("; %d log backups wait to be restored", r.st.Files.WaitingToRestore)))
	} else {
		r.add(Check{Name: "restore", Health: Warning, Message: "no restore of the secondary is recorded in msdb"})
	}
	if lb := r.st.LastBackup; lb != nil && lb.At != nil {
		age := lb.AgeSeconds / 60
		r.add(threshold("backup", age, warn, crit, "minutes", fmt.Sprintf("the newest log backup in the share (%s) finished %d minutes ago", lb.File, age)))
	}
	if n := int64(s.FilesWaitingWarning); n > 0 {
		waiting := int64(r.st.Files.WaitingToCopy + r.st.Files.WaitingToRestore)
		h := OK
		if waiting > n {
			h = Warning
		}
		r.add(Check{Name: "files-waiting", Health: h, Value: i64(waiting), Warning: i64(n), Unit: "files",
			Message: fmt.Sprintf("%d log backups wait to be copied, %d to be restored", r.st.Files.WaitingToCopy, r.st.Files.WaitingToRestore)})
	}
}

// threshold makes a check from a value and its warning and critical limits.
func threshold(name string, v, warn, crit int64, unit, msg string) Check {
	c := Check{Name: name, Health: OK, Value: i64(v), Warning: i64(warn), Critical: i64(crit), Unit: unit, Message: msg}
	switch {
	case crit > 0 && v > crit:
		c.Health, c.Threshold = Critical, fmt.Sprintf("above %d %s", crit, unit)
	case warn > 0 && v > warn:
		c.Health, c.Threshold = Warning, fmt.Sprintf("above %d %s", warn, unit)
	}
	return c
}

func (r *reader) lyncChecks(ls *LyncState) {
	if !ls.Reachable {
		r.add(Check{Name: "lync", Health: Warning, Message: "Lync is not reachable: " + ls.Error})
		return
	}
	h := OK
	msg := fmt.Sprintf("pool state %s", ls.PoolState)
	if ls.MirrorState != "" {
		msg += ", mirror " + ls.MirrorState
	}
	if !strings.EqualFold(ls.PoolState, "Normal") {
		h = Warning
		msg += ": the pool is not in its normal state"
	}
	r.add(Check{Name: "lync", Health: h, Message: msg})
}
