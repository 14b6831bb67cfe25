// Package report is the run report (the JSON object on stdout, see cli/CONTRACT.md), the
// progress-event stream (JSON lines, pure ASCII) and the human text rendering.
package report

import (
	"time"

	"pcfailover/core/lsn"
)

// Outcomes of a run.
const (
	OutcomeSucceeded   = "succeeded"
	OutcomeFailed      = "failed"
	OutcomeBlocked     = "blocked"
	OutcomeInterrupted = "interrupted"
	OutcomePlanned     = "planned"
	OutcomeInvalid     = "invalid"
)

// Step statuses.
const (
	StatusPlanned     = "planned"
	StatusDone        = "done"
	StatusAlreadyDone = "already-done"
	StatusSkipped     = "skipped"
	StatusBlocked     = "blocked"
	StatusFailed      = "failed"
	StatusPending     = "pending"
	StatusRunning     = "running"
)

// File actions.
const (
	ActionCopied         = "copied"
	ActionApplied        = "applied"
	ActionAlreadyApplied = "already-applied"
	ActionEmpty          = "empty"
	ActionToCopy         = "to-copy"
	ActionToApply        = "to-apply"
	ActionMissing        = "missing"
	ActionDamaged        = "damaged"
	ActionForeign        = "foreign"
	ActionPartial        = "partial"
	ActionAfterGap       = "after-gap"
	ActionDuplicate      = "duplicate"
)

// Error codes (stable: the PowerShell module uses them as ErrorIds).
const (
	CodeInvalidRequest   = "PCFailover.InvalidRequest"
	CodeLocked           = "PCFailover.Locked"
	CodeGapInLogChain    = "PCFailover.GapInLogChain"
	CodeDamagedBackup    = "PCFailover.DamagedBackup"
	CodeConnectionFailed = "PCFailover.ConnectionFailed"
	CodePermissionDenied = "PCFailover.PermissionDenied"
	CodeSQLError         = "PCFailover.SqlError"
	CodeLyncError        = "PCFailover.LyncError"
	CodeInterrupted      = "PCFailover.Interrupted"
	CodeUnexpected       = "PCFailover.Unexpected"
	// CodePathUnreachable: a folder or file SQL Server names cannot be reached from this
	// machine (no pathMap entry, no administrative share, the mapped folder is missing),
	// or the copy folder this machine writes is not the one SQL Server reads.
	CodePathUnreachable = "PCFailover.PathUnreachable"
	// CodeDiskFull: the copy folder has less free space than the log backups still to
	// copy (found by plan and before any change), or filled up during a copy.
	CodeDiskFull = "PCFailover.DiskFull"
)

// ExitCode maps an outcome to the process exit code.
func ExitCode(outcome string) int {
	switch outcome {
	case OutcomeSucceeded, OutcomePlanned:
		return 0
	case OutcomeInvalid:
		return 2
	case OutcomeBlocked:
		return 3
	case OutcomeInterrupted:
		return 4
	}
	return 1
}

// Report is the result of one plan or failover run. Folders are the share and copy
// folder, each as SQL Server names it and as this machine reaches it.
type Report struct {
	SchemaVersion int            `json:"schemaVersion"`
	Command       string         `json:"command"`
	RunID         string         `json:"runId"`
	Outcome       string         `json:"outcome"`
	ExitCode      int            `json:"exitCode"`
	PoolFQDN      string         `json:"poolFqdn"`
	Database      string         `json:"database"`
	RunDirectory  string         `json:"runDirectory"`
	StartedAt     time.Time      `json:"startedAt"`
	FinishedAt    time.Time      `json:"finishedAt"`
	DurationMs    int64          `json:"durationMs"`
	FinalState    *DatabaseState `json:"databaseState,omitempty"`
	Steps         []*Step        `json:"steps"`
	Folders       []Folder       `json:"folders"`
	Files         []File         `json:"files"`
	Chain         *Chain         `json:"chain"`
	RPO           *RPO           `json:"rpo"`
	DataLoss      *DataLoss      `json:"dataLoss"`
	Warnings      []string       `json:"warnings"`
	NextSteps     []string       `json:"nextSteps"`
	Errors        []Error        `json:"errors"`
	// Retries lists the statements retried after a transient failure (present when
	// there was one).
	Retries []Retry `json:"retries,omitempty"`
}

// Retry is one failed try of a statement (or of a stage that observes, then sends it)
// for a transient cause: connection lost, login timeout, deadlock victim 1205.
type Retry struct {
	Step      string    `json:"step"`
	Statement string    `json:"statement"`
	Error     string    `json:"error"`
	Attempt   int       `json:"attempt"`
	At        time.Time `json:"at"`
	// Outcome: retried (reconnected, observed, tried again) or exhausted
	// (options.retry's bounds were reached: the run failed).
	Outcome string `json:"outcome"`
}

// DatabaseState is the observed state of the database at the end of the run.
type DatabaseState struct {
	State       string `json:"state"`
	IsInStandby bool   `json:"isInStandby"`
	UserAccess  string `json:"userAccess,omitempty"`
}

// Step is one step of the runbook as planned or executed.
type Step struct {
	ID          string      `json:"id"`
	RunbookStep int         `json:"runbookStep"`
	Name        string      `json:"name"`
	Status      string      `json:"status"`
	StartedAt   *time.Time  `json:"startedAt,omitempty"`
	DurationMs  int64       `json:"durationMs"`
	Detail      string      `json:"detail"`
	Statements  []Statement `json:"statements"`
	Error       *Error      `json:"error"`
}

// Statement is one T-SQL statement or cmdlet, exactly as sent (or as it would be sent).
type Statement struct {
	Target     string            `json:"target"`
	Kind       string            `json:"kind"`
	Text       string            `json:"text"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Folder roles.
const (
	FolderShare = "share"
	FolderCopy  = "copyDestination"
)

// Folder is one folder of the run, in both views: SQLPath as SQL Server names it (what
// statements carry) and LocalPath as this machine reaches it (what file operations use).
type Folder struct {
	Role string `json:"role"`
	// Host is the SQL host (SERVERPROPERTY('MachineName')) whose drive a drive path is on.
	Host      string `json:"host,omitempty"`
	SQLPath   string `json:"sqlPath"`
	LocalPath string `json:"localPath"`
	// Reachable is false when LocalPath is unknown or cannot be listed; Error says why.
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
}

// File is one log backup file and what the run did (or would do) with it. SourcePath and
// CopyPath are the file in the share and in the copy folder as SQL Server names them;
// SourceLocalPath and CopyLocalPath the same files as this machine reaches them. SQLPath
// and LocalPath are the file SQL Server restores (or would restore): the copy when there
// is one, else the source.
type File struct {
	Name             string     `json:"name"`
	SQLPath          string     `json:"sqlPath,omitempty"`
	LocalPath        string     `json:"localPath,omitempty"`
	SourcePath       string     `json:"sourcePath,omitempty"`
	SourceLocalPath  string     `json:"sourceLocalPath,omitempty"`
	CopyPath         string     `json:"copyPath,omitempty"`
	CopyLocalPath    string     `json:"copyLocalPath,omitempty"`
	SizeBytes        int64      `json:"sizeBytes"`
	FirstLSN         *lsn.LSN   `json:"firstLsn,omitempty"`
	LastLSN          *lsn.LSN   `json:"lastLsn,omitempty"`
	BackupStartDate  *time.Time `json:"backupStartDate,omitempty"`
	BackupFinishDate *time.Time `json:"backupFinishDate,omitempty"`
	Action           string     `json:"action"`
	Detail           string     `json:"detail"`
}

// Chain describes the log chain from the database's redo start LSN.
type Chain struct {
	RedoStartLSN   *lsn.LSN `json:"redoStartLsn"`
	LastAppliedLSN *lsn.LSN `json:"lastAppliedLsn"`
	Continuous     bool     `json:"continuous"`
	Gap            *Gap     `json:"gap"`
}

// Gap is a break in the log chain: the database (or the chain so far) needs NeedLSN, and
// the next available file starts at FoundLSN.
type Gap struct {
	NeedLSN   lsn.LSN    `json:"needLsn"`
	FoundLSN  *lsn.LSN   `json:"foundLsn,omitempty"`
	AfterFile string     `json:"afterFile,omitempty"`
	NextFile  string     `json:"nextFile,omitempty"`
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
	// Damaged lists damaged files that may have continued the chain.
	Damaged     []string `json:"damaged,omitempty"`
	Description string   `json:"description"`
}

// RPO is the recovery point: the finish time of the last applied log backup and its age.
type RPO struct {
	LastAppliedBackupFinish *time.Time `json:"lastAppliedBackupFinish"`
	AgeSeconds              int64      `json:"ageSeconds"`
}

// DataLoss is present only when the chain is broken: what would be (or was) lost.
type DataLoss struct {
	Accepted    bool       `json:"accepted"`
	FromLSN     lsn.LSN    `json:"fromLsn"`
	ToLSN       *lsn.LSN   `json:"toLsn,omitempty"`
	From        *time.Time `json:"from,omitempty"`
	To          *time.Time `json:"to,omitempty"`
	Description string     `json:"description"`
}

// Error is a report error with a stable code.
type Error struct {
	Code     string `json:"code"`
	Category string `json:"category"`
	Message  string `json:"message"`
	Target   string `json:"target,omitempty"`
	// SQLNumber is the SQL Server error number, when the error came from SQL Server.
	SQLNumber int32 `json:"sqlNumber,omitempty"`
}

// ComplianceWarning is always in the report: mgccomp is not failed over.
const ComplianceWarning = "The compliance database mgccomp is not failed over: its content is transient and is " +
	"deleted as the compliance adapter processes it. Make sure the compliance adapter's output up to the failure " +
	"has been collected, and check the adapter's output after the failover, to avoid losing compliance data."

// StepByID returns the step with id, or nil.
func (r *Report) StepByID(id string) *Step {
	for _, s := range r.Steps {
		if s.ID == id {
			return s
		}
	}
	return nil
}
