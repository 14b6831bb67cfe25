package request

import "fmt"

// Drill tunes `pcfailover drill`, the non-destructive DR drill (reference/sql-log-shipping.md
// §5 "DR drill mode").
type Drill struct {
	// FullBackup is the primary's full backup to start from (a path the backup SQL Server
	// can read). Empty: the newest full backup of the database found in the share (and the
	// copy folder) whose log chain continues into the available log backups.
	FullBackup string `json:"fullBackup,omitempty"`
	// ScratchDirectory is where the backup SQL Server puts the drill copy's files (WITH
	// MOVE). Empty: next to the backup database's own files (sys.master_files).
	ScratchDirectory string `json:"scratchDirectory,omitempty"`
	// SkipCheckDB skips DBCC CHECKDB on the drill copy (it reads the whole database).
	SkipCheckDB bool `json:"skipCheckDb,omitempty"`
	// HistoryFile is the JSON-lines drill history (default <runDirectory>/drill-history.jsonl).
	HistoryFile string `json:"historyFile,omitempty"`
}

// Status holds the thresholds `pcfailover status` maps to exit codes (cli/CONTRACT.md).
// Zero means the default.
type Status struct {
	// RPOWarningMinutes: data at risk (age of the newest transaction a failover now could
	// recover) above this is a warning (default 30).
	RPOWarningMinutes int `json:"rpoWarningMinutes,omitempty"`
	// RPOCriticalMinutes: above this it is critical (default 60).
	RPOCriticalMinutes int `json:"rpoCriticalMinutes,omitempty"`
	// RestoreWarningMinutes: minutes since the last restore, or restore latency, above this
	// is a warning (default msdb's restore_threshold, else 45).
	RestoreWarningMinutes int `json:"restoreWarningMinutes,omitempty"`
	// RestoreCriticalMinutes: above this it is critical (default twice the warning).
	RestoreCriticalMinutes int `json:"restoreCriticalMinutes,omitempty"`
	// FilesWaitingWarning: more log backups than this waiting to be copied or restored is
	// a warning (default 0: no file-count threshold).
	FilesWaitingWarning int `json:"filesWaitingWarning,omitempty"`
}

// applyDrillStatusDefaults fills the drill and status defaults that do not depend on the
// server (the restore thresholds default from msdb at run time).
func (r *Request) applyDrillStatusDefaults() {
	if r.Status == nil {
		r.Status = &Status{}
	}
	if r.Status.RPOWarningMinutes == 0 {
		r.Status.RPOWarningMinutes = 30
	}
	if r.Status.RPOCriticalMinutes == 0 {
		r.Status.RPOCriticalMinutes = 60
	}
	if r.Drill == nil {
		r.Drill = &Drill{}
	}
}

// validateDrillStatus checks the drill and status sections.
func (r *Request) validateDrillStatus(goos string) []FieldError {
	var errs []FieldError
	add := func(field, msg, fix string) { errs = append(errs, FieldError{Field: field, Message: msg, Fix: fix}) }
	if d := r.Drill; d != nil {
		if d.FullBackup != "" && !IsAbsPath(goos, d.FullBackup) {
			add("drill.fullBackup", fmt.Sprintf("%q is not an absolute path", d.FullBackup), `use the absolute or UNC path of the full backup (\\server\share\mgc_full.bak)`)
		}
		if d.ScratchDirectory != "" && !IsAbsPath(goos, d.ScratchDirectory) {
			add("drill.scratchDirectory", fmt.Sprintf("%q is not an absolute path", d.ScratchDirectory), "use an absolute folder on the backup SQL Server")
		}
		if d.HistoryFile != "" && !IsAbsPath(goos, d.HistoryFile) {
			add("drill.historyFile", fmt.Sprintf("%q is not an absolute path", d.HistoryFile), "use an absolute path, or leave it empty for <runDirectory>/drill-history.jsonl")
		}
	}
	if s := r.Status; s != nil {
		if s.RPOCriticalMinutes < s.RPOWarningMinutes {
			add("status.rpoCriticalMinutes", fmt.Sprintf("is %d, below rpoWarningMinutes (%d)", s.RPOCriticalMinutes, s.RPOWarningMinutes), "make the critical threshold at least the warning threshold")
		}
		if s.RestoreCriticalMinutes != 0 && s.RestoreCriticalMinutes < s.RestoreWarningMinutes {
			add("status.restoreCriticalMinutes", fmt.Sprintf("is %d, below restoreWarningMinutes (%d)", s.RestoreCriticalMinutes, s.RestoreWarningMinutes), "make the critical threshold at least the warning threshold")
		}
	}
	return errs
}
