package failover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"golang.org/x/sync/errgroup"

	"pcfailover/core/filecopy"
	"pcfailover/core/logchain"
	"pcfailover/core/lsn"
	"pcfailover/core/winpath"
)

// Snapshot is the msdb log-shipping configuration of the secondary database, read before
// runbook step 1 deletes it and kept in the journal (safety invariant 2).
type Snapshot struct {
	TakenAt                    time.Time  `json:"takenAt"`
	SecondaryID                string     `json:"secondaryId"`
	PrimaryServer              string     `json:"primaryServer"`
	PrimaryDatabase            string     `json:"primaryDatabase"`
	BackupSourceDirectory      string     `json:"backupSourceDirectory"`
	BackupDestinationDirectory string     `json:"backupDestinationDirectory"`
	FileRetentionPeriod        int64      `json:"fileRetentionPeriod"`
	CopyJobID                  string     `json:"copyJobId"`
	RestoreJobID               string     `json:"restoreJobId"`
	MonitorServer              string     `json:"monitorServer"`
	LastCopiedFile             string     `json:"lastCopiedFile"`
	LastCopiedDate             *time.Time `json:"lastCopiedDate"`
	SecondaryDatabase          string     `json:"secondaryDatabase"`
	RestoreDelay               int64      `json:"restoreDelay"`
	RestoreAll                 bool       `json:"restoreAll"`
	RestoreMode                int64      `json:"restoreMode"`
	DisconnectUsers            bool       `json:"disconnectUsers"`
	LastRestoredFile           string     `json:"lastRestoredFile"`
	LastRestoredDate           *time.Time `json:"lastRestoredDate"`
	LastCopiedDateUTC          *time.Time `json:"lastCopiedDateUtc"`
	LastRestoredDateUTC        *time.Time `json:"lastRestoredDateUtc"`
	LastRestoredLatency        *int64     `json:"lastRestoredLatency"`
	RestoreThreshold           *int64     `json:"restoreThreshold"`
	Jobs                       []Job      `json:"jobs"`
}

// Job is a log-shipping SQL Server Agent job as observed.
type Job struct {
	Role    string `json:"role"` // copy or restore
	ID      string `json:"id"`
	Name    string `json:"name"`
	Exists  bool   `json:"exists"`
	Enabled bool   `json:"enabled"`
	Running bool   `json:"running"`
}

// DBState is what the backup instance says about the database.
type DBState struct {
	Exists       bool    `json:"exists"`
	ID           int64   `json:"databaseId"`
	State        string  `json:"state"`
	Standby      bool    `json:"isInStandby"`
	UserAccess   string  `json:"userAccess"`
	FamilyGUID   string  `json:"familyGuid"`
	RedoStartLSN lsn.LSN `json:"redoStartLsn"`
	RedoForkGUID string  `json:"redoForkGuid"`
	// NextFrom says where RedoStartLSN came from: sys.master_files, or msdb restore
	// history (a STANDBY database reports no redo_start_lsn).
	NextFrom    string       `json:"nextFrom"`
	LastRestore *LastRestore `json:"lastRestore"`
}

// Restoring reports whether logs can still be applied (RESTORING or STANDBY).
func (d DBState) Restoring() bool {
	return d.Exists && (d.State == "RESTORING" || d.Standby)
}

// Online reports whether the database is recovered and online (not standby).
func (d DBState) Online() bool { return d.Exists && d.State == "ONLINE" && !d.Standby }

// LastRestore is the newest restore of the database in msdb history.
type LastRestore struct {
	RestoreDate      time.Time `json:"restoreDate"`
	Type             string    `json:"type"`
	FirstLSN         lsn.LSN   `json:"firstLsn"`
	LastLSN          lsn.LSN   `json:"lastLsn"`
	BackupStartDate  time.Time `json:"backupStartDate"`
	BackupFinishDate time.Time `json:"backupFinishDate"`
	Device           string    `json:"device"`
}

// fileInfo is one file in the share or copy folder: Path as SQL Server names it (what
// RESTORE and HEADERONLY get), Local as this machine reaches it (what listing, copying and
// hashing use).
type fileInfo struct {
	Name    string
	Path    string
	Local   string
	Size    int64
	ModTime time.Time
}

// nameKey is the key of a file name in a folder map: NTFS and SMB compare names
// case-insensitively, so MGC_1.TRN and mgc_1.trn are one file.
func nameKey(name string) string { return strings.ToLower(name) }

// Session is a user session on the database.
type Session struct {
	SPID      int       `json:"spid"`
	LoginTime time.Time `json:"loginTime"`
	Host      string    `json:"host"`
	Program   string    `json:"program"`
	Login     string    `json:"login"`
}

// Discovery is everything observed, read-only, before planning.
type Discovery struct {
	At         time.Time
	SPID       int
	ServerName string
	Sysadmin   bool
	DB         DBState
	// Live is the msdb configuration as it is now (nil once step 1 removed it);
	// Snapshot is Live, or the journaled copy from an earlier run.
	Live     *Snapshot
	Snapshot *Snapshot
	// MachineName is the backup instance's SERVERPROPERTY('MachineName'): the host whose
	// drives the copy folder's drive path names.
	MachineName string
	// Share and CopyDir are the folders as SQL Server names them; ShareLocal and
	// CopyLocal as this machine reaches them ("" when it cannot).
	Share      string
	CopyDir    string
	ShareLocal string
	CopyLocal  string
	ShareErr   error
	CopyErr    error
	// SharePathErr and CopyPathErr say that a folder has no route from this machine (no
	// pathMap entry or administrative share; for the copy folder also: the mapped folder
	// is missing): a configuration problem that blocks whatever the operator accepts
	// (PCFailover.PathUnreachable). ShareErr is any reason the share cannot be listed or
	// read (its mapped folder is missing, its host is down, SQL Server cannot reach it):
	// it blocks unless the operator accepts data loss.
	SharePathErr error
	CopyPathErr  error
	// ShareSQLOSError is the operating-system error SQL Server gave for the share's files
	// when this machine lists the share but SQL Server cannot open them (53, 67, 3 or 5;
	// ShareErr then says so), else 0.
	ShareSQLOSError int
	// Files by name key (nameKey): in the share and in the copy folder.
	ShareFiles map[string]fileInfo
	CopyFiles  map[string]fileInfo
	Partial    []string
	Temps      []string
	Headers    []logchain.Header
	Chain      *logchain.Chain
	Sessions   []Session
	Primary    *PrimaryState
}

// PrimaryState is what the old primary said, if it was asked.
type PrimaryState struct {
	Answered bool   `json:"answered"`
	Error    string `json:"error,omitempty"`
	State    string `json:"state,omitempty"`
	Exists   bool   `json:"exists"`
}

// queryer is what *sql.DB and *sql.Conn share.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rowMaps runs q and returns every row as column-name -> value.
func rowMaps(ctx context.Context, db queryer, q string, args ...any) ([]map[string]any, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, err := scanSet(rows)
	if err != nil {
		return nil, err
	}
	return out, rows.Err()
}

// scanSet reads the rest of the current result set of rows, each row as lower-case
// column name -> value.
func scanSet(rows *sql.Rows) ([]map[string]any, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var set []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return set, err
		}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			m[strings.ToLower(c)] = vals[i]
		}
		set = append(set, m)
	}
	return set, nil
}

func asString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []byte:
		return string(t)
	default:
		return fmt.Sprint(t)
	}
}

func asInt(v any) int64 {
	switch t := v.(type) {
	case int64:
		return t
	case int32:
		return int64(t)
	case int:
		return int64(t)
	case bool:
		if t {
			return 1
		}
		return 0
	case float64:
		return int64(t)
	case []byte:
		n, _ := strconv.ParseInt(strings.TrimSuffix(string(t), ".0"), 10, 64)
		return n
	case string:
		n, _ := strconv.ParseInt(strings.TrimSuffix(t, ".0"), 10, 64)
		return n
	}
	return 0
}

func asBool(v any) bool { return asInt(v) != 0 }

func asTime(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t
	}
	return time.Time{}
}

func asTimePtr(v any) *time.Time {
	if t, ok := v.(time.Time); ok {
		return &t
	}
	return nil
}

func asIntPtr(v any) *int64 {
	if v == nil {
		return nil
	}
	n := asInt(v)
	return &n
}

func asLSN(v any) lsn.LSN {
	var l lsn.LSN
	_ = l.Scan(v)
	return l
}

// asGUID renders a uniqueidentifier column (16 bytes in SQL Server order) or a string.
func asGUID(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case []byte:
		if len(t) == 16 {
			var u mssql.UniqueIdentifier
			if u.Scan(t) == nil {
				return strings.ToLower(u.String())
			}
		}
		return strings.ToLower(string(t))
	case string:
		return strings.ToLower(t)
	}
	return strings.ToLower(fmt.Sprint(v))
}

func itoa(n int) string { return strconv.Itoa(n) }

// observeDB reads the database state and the LSN it needs next.
func observeDB(ctx context.Context, db queryer, name string) (DBState, error) {
	var st DBState
	rows, err := rowMaps(ctx, db, qDatabase, name)
	if err != nil {
		return st, fmt.Errorf("read sys.databases for %s: %w", name, err)
	}
	if len(rows) == 0 {
		return st, nil
	}
	r := rows[0]
	st.Exists = true
	st.ID = asInt(r["database_id"])
	st.State = asString(r["state_desc"])
	st.Standby = asBool(r["is_in_standby"])
	st.UserAccess = asString(r["user_access_desc"])
	st.FamilyGUID = asGUID(r["family_guid"])
	if hist, err := rowMaps(ctx, db, qLastRestore, name); err != nil {
		return st, fmt.Errorf("read msdb restore history for %s: %w", name, err)
	} else if len(hist) > 0 {
		h := hist[0]
		st.LastRestore = &LastRestore{RestoreDate: asTime(h["restore_date"]), Type: asString(h["restore_type"]),
			FirstLSN: asLSN(h["first_lsn"]), LastLSN: asLSN(h["last_lsn"]),
			BackupStartDate: asTime(h["backup_start_date"]), BackupFinishDate: asTime(h["backup_finish_date"]),
			Device: asString(h["physical_device_name"])}
	}
	if !st.Restoring() {
		return st, nil
	}
	redo, err := rowMaps(ctx, db, qRedo, st.ID)
	if err != nil {
		return st, fmt.Errorf("read sys.master_files redo_start_lsn for %s: %w", name, err)
	}
	if len(redo) > 0 && redo[0]["redo_start_lsn"] != nil {
		st.RedoStartLSN = asLSN(redo[0]["redo_start_lsn"])
		st.RedoForkGUID = asGUID(redo[0]["redo_start_fork_guid"])
		st.NextFrom = "sys.master_files.redo_start_lsn"
	} else if st.LastRestore != nil {
		// STANDBY: redo_start_lsn is NULL (§3.3); the next LSN is the LastLSN of the last
		// restored backup.
		st.RedoStartLSN = st.LastRestore.LastLSN
		st.NextFrom = "msdb restore history (last_lsn of " + filepath.Base(winBase(st.LastRestore.Device)) + ")"
	}
	return st, nil
}

// winBase turns a Windows path into a slash path so filepath.Base works on any OS.
func winBase(p string) string { return strings.ReplaceAll(p, `\`, "/") }

// observeLogShipping reads the live msdb configuration (nil when absent).
func observeLogShipping(ctx context.Context, db queryer, name string, now time.Time) (*Snapshot, error) {
	rows, err := rowMaps(ctx, db, qLogShipping, name)
	if err != nil {
		return nil, fmt.Errorf("read msdb log-shipping configuration of %s: %w", name, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	r := rows[0]
	s := &Snapshot{TakenAt: now.UTC(), SecondaryID: asGUID(r["secondary_id"]),
		PrimaryServer: asString(r["primary_server"]), PrimaryDatabase: asString(r["primary_database"]),
		BackupSourceDirectory: asString(r["backup_source_directory"]), BackupDestinationDirectory: asString(r["backup_destination_directory"]),
		FileRetentionPeriod: asInt(r["file_retention_period"]), CopyJobID: asGUID(r["copy_job_id"]), RestoreJobID: asGUID(r["restore_job_id"]),
		MonitorServer: asString(r["monitor_server"]), LastCopiedFile: asString(r["last_copied_file"]), LastCopiedDate: asTimePtr(r["last_copied_date"]),
		SecondaryDatabase: asString(r["secondary_database"]), RestoreDelay: asInt(r["restore_delay"]), RestoreAll: asBool(r["restore_all"]),
		RestoreMode: asInt(r["restore_mode"]), DisconnectUsers: asBool(r["disconnect_users"]),
		LastRestoredFile: asString(r["last_restored_file"]), LastRestoredDate: asTimePtr(r["last_restored_date"]),
		LastCopiedDateUTC: asTimePtr(r["last_copied_date_utc"]), LastRestoredDateUTC: asTimePtr(r["last_restored_date_utc"]),
		LastRestoredLatency: asIntPtr(r["last_restored_latency"]), RestoreThreshold: asIntPtr(r["restore_threshold"])}
	for _, j := range []struct{ role, id string }{{"copy", s.CopyJobID}, {"restore", s.RestoreJobID}} {
		job, err := observeJob(ctx, db, j.role, j.id)
		if err != nil {
			return nil, err
		}
		s.Jobs = append(s.Jobs, job)
	}
	return s, nil
}

func observeJob(ctx context.Context, db queryer, role, id string) (Job, error) {
	job := Job{Role: role, ID: id}
	if id == "" {
		return job, nil
	}
	rows, err := rowMaps(ctx, db, qJob, id)
	if err != nil {
		return job, fmt.Errorf("read msdb.dbo.sysjobs for the %s job %s: %w", role, id, err)
	}
	if len(rows) == 0 {
		return job, nil
	}
	job.Exists = true
	job.Name = asString(rows[0]["name"])
	job.Enabled = asBool(rows[0]["enabled"])
	run, err := rowMaps(ctx, db, qJobRunning, id)
	if err != nil {
		return job, fmt.Errorf("read msdb.dbo.sysjobactivity for the %s job %s: %w", role, job.Name, err)
	}
	if len(run) > 0 {
		r := run[0]
		job.Running = r["stop_execution_date"] == nil && (r["start_execution_date"] != nil || r["run_requested_date"] != nil)
	}
	return job, nil
}

// listFolder lists the regular files of the folder sqlDir (as SQL Server names it),
// reached from this machine as localDir, by name key. Each file gets both paths.
func listFolder(sqlDir, localDir string) (map[string]fileInfo, error) {
	ents, err := os.ReadDir(localDir)
	if err != nil {
		return nil, err
	}
	m := map[string]fileInfo{}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		sp, err := winpath.SQLJoin(sqlDir, e.Name())
		if err != nil {
			continue // a name SQL Server could not be given (never written by log shipping)
		}
		k := nameKey(e.Name())
		if _, dup := m[k]; dup {
			// Only on a case-sensitive local view of a Windows folder; keep the first.
			continue
		}
		m[k] = fileInfo{Name: e.Name(), Path: sp, Local: filepath.Join(localDir, e.Name()), Size: fi.Size(), ModTime: fi.ModTime()}
	}
	return m, nil
}

// maxHeaderBatch bounds the RESTORE HEADERONLY statements sent in one batch (one round
// trip): a batch holds one statement per file, each on its own line, with the paths as
// parameters (@p1..@pN of one sp_executesql call).
const maxHeaderBatch = 32

// readHeaders runs RESTORE HEADERONLY on each file, several files per batch (one SQL
// round trip per batch, at most maxHeaderBatch files) and at most parallel batches at
// once. A file whose header cannot be read gets ReadError (damaged); other errors fail
// the call.
func readHeaders(ctx context.Context, db *sql.DB, files []fileInfo, parallel int, reach func(string)) ([]logchain.Header, error) {
	out := make([]logchain.Header, len(files))
	parallel = max(1, parallel)
	size := min(maxHeaderBatch, max(1, (len(files)+parallel-1)/parallel))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for start := 0; start < len(files); start += size {
		end := min(start+size, len(files))
		g.Go(func() error {
			for i := start; i < end; i++ {
				reach(fmt.Sprintf("before:headeronly:%d", i+1))
			}
			hs, err := readHeaderBatch(gctx, db, files[start:end])
			if err != nil {
				return err
			}
			copy(out[start:], hs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// readHeader reads one file's header in its own round trip (readHeaderBatch of one
// file): a damage error is the header's ReadError, any other error is returned.
func readHeader(ctx context.Context, db *sql.DB, f fileInfo) (logchain.Header, error) {
	hs, err := readHeaderBatch(ctx, db, []fileInfo{f})
	if err != nil {
		return logchain.Header{Name: f.Name, Path: f.Path, Size: f.Size}, err
	}
	return hs[0], nil
}

// readHeaderBatch reads the headers of files in one round trip: one sp_executesql call
// whose statement k (on line k) is RESTORE HEADERONLY FROM DISK = @pk. SQL Server ends
// only the failing statement on a RESTORE error (severity 16) and runs the next ones;
// inside an RPC each statement ends with DONEINPROC, so go-mssqldb returns the result
// sets of the statements that succeeded, in order, and reports every error at the end
// (mssql.Error.All, each with its statement's line). A statement that failed is
// therefore known by the line of its errors, and the result sets belong, in order, to
// the others. If the count does not add up (a server that ended the batch early), the
// files are read again one per round trip, where there is nothing to attribute. A
// damage error gives that file's Header.ReadError; any other error fails the call,
// naming the file.
func readHeaderBatch(ctx context.Context, db *sql.DB, files []fileInfo) ([]logchain.Header, error) {
	var text strings.Builder
	args := make([]any, len(files))
	for i, f := range files {
		fmt.Fprintf(&text, qHeaderLine, i+1)
		args[i] = f.Path
	}
	sets, err := queryResultSets(ctx, db, text.String(), args...)
	failed := map[int][]mssql.Error{} // 0-based statement -> its errors
	if err != nil {
		var me mssql.Error
		if !errors.As(err, &me) {
			if len(files) == 1 {
				return nil, fmt.Errorf("RESTORE HEADERONLY %s: %w", files[0].Path, err)
			}
			return nil, fmt.Errorf("RESTORE HEADERONLY of %d files, %s to %s: %w", len(files), files[0].Path, files[len(files)-1].Path, err)
		}
		all := me.All
		if len(all) == 0 {
			all = []mssql.Error{me}
		}
		for _, e := range all {
			k := int(e.LineNo) - 1
			if len(files) == 1 {
				k = 0
			}
			if k < 0 || k >= len(files) {
				failed = nil // not attributable
				break
			}
			failed[k] = append(failed[k], e)
		}
	}
	if failed == nil || len(sets)+len(failed) != len(files) {
		if len(files) == 1 {
			if err == nil {
				err = fmt.Errorf("%d result sets, want 1", len(sets))
			}
			return nil, fmt.Errorf("RESTORE HEADERONLY %s: %w", files[0].Path, err)
		}
		out := make([]logchain.Header, 0, len(files))
		for _, f := range files {
			hs, err := readHeaderBatch(ctx, db, []fileInfo{f})
			if err != nil {
				return nil, err
			}
			out = append(out, hs[0])
		}
		return out, nil
	}
	out := make([]logchain.Header, len(files))
	for i, f := range files {
		errs, bad := failed[i]
		if !bad {
			out[i] = headerFrom(f, sets[0])
			sets = sets[1:]
			continue
		}
		ferr := mssql.Error{Number: errs[len(errs)-1].Number, Message: errs[len(errs)-1].Message, LineNo: errs[0].LineNo, All: errs}
		if !hasNumber(ferr, damagedNumbers...) {
			return nil, fmt.Errorf("RESTORE HEADERONLY %s: %w", f.Path, ferr)
		}
		out[i] = logchain.Header{Name: f.Name, Path: f.Path, Size: f.Size,
			ReadError: fmt.Sprintf("%d: %s", firstNumber(ferr, damagedNumbers...), sqlMessage(ferr))}
	}
	return out, nil
}

// queryResultSets runs q and returns every result set's rows (column-name -> value), in
// order, with the error that ended the response, if any.
func queryResultSets(ctx context.Context, db queryer, q string, args ...any) ([][]map[string]any, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var sets [][]map[string]any
	for {
		set, err := scanSet(rows)
		if err != nil {
			return sets, err
		}
		// The rows of this set are complete once Next stops: an error reported here is
		// the response's (the final DONE), not this set's.
		sets = append(sets, set)
		if err := rows.Err(); err != nil {
			return sets, err
		}
		if !rows.NextResultSet() {
			return sets, rows.Err()
		}
	}
}

// headerFrom turns one file's RESTORE HEADERONLY rows into its header.
func headerFrom(f fileInfo, rows []map[string]any) logchain.Header {
	h := logchain.Header{Name: f.Name, Path: f.Path, Size: f.Size}
	if len(rows) == 0 {
		h.ReadError = "RESTORE HEADERONLY returned no backup set"
		return h
	}
	// A log-shipping file holds one backup set; use the last one if there are more.
	r := rows[len(rows)-1]
	h.DatabaseName = asString(r["databasename"])
	h.FamilyGUID = asGUID(r["familyguid"])
	h.FirstRecoveryForkID = asGUID(r["firstrecoveryforkid"])
	h.BackupType = int(asInt(r["backuptype"]))
	h.FirstLSN = asLSN(r["firstlsn"])
	h.LastLSN = asLSN(r["lastlsn"])
	h.BackupStartDate = asTime(r["backupstartdate"])
	h.BackupFinishDate = asTime(r["backupfinishdate"])
	h.IsDamaged = asBool(r["isdamaged"])
	return h
}

// listSessions returns the user sessions on database id (never our own).
func listSessions(ctx context.Context, db queryer, id int64) ([]Session, error) {
	rows, err := rowMaps(ctx, db, qSessions, id)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	var out []Session
	for _, r := range rows {
		out = append(out, Session{SPID: int(asInt(r["session_id"])), LoginTime: asTime(r["login_time"]),
			Host: asString(r["host_name"]), Program: asString(r["program_name"]), Login: asString(r["login_name"])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SPID < out[j].SPID })
	return out, nil
}

// scanFolders lists the share and the copy folder into d and picks the candidate files.
// A folder this machine cannot reach is recorded (SharePathErr/CopyPathErr) and skipped.
func (d *Discovery) scanFolders(database string) []fileInfo {
	d.ShareFiles, d.CopyFiles = map[string]fileInfo{}, map[string]fileInfo{}
	if d.Share != "" && d.SharePathErr == nil {
		m, err := listFolder(d.Share, d.ShareLocal)
		switch {
		case errors.Is(err, os.ErrNotExist) && !winpath.SamePath(d.Share, d.ShareLocal):
			d.ShareErr = &winpath.UnreachableError{SQLPath: d.Share, Tried: d.ShareLocal, Reason: "the folder it is mapped to does not exist on this machine (or its host is down)"}
		case err != nil:
			d.ShareErr = err
		default:
			d.ShareFiles = m
		}
	}
	if d.CopyDir != "" && d.CopyPathErr == nil {
		m, err := listFolder(d.CopyDir, d.CopyLocal)
		switch {
		case errors.Is(err, os.ErrNotExist) && !winpath.SamePath(d.CopyDir, d.CopyLocal):
			d.CopyPathErr = &winpath.UnreachableError{SQLPath: d.CopyDir, Tried: d.CopyLocal, Reason: "the folder it is mapped to does not exist on this machine"}
		case err != nil && !errors.Is(err, os.ErrNotExist):
			d.CopyErr = err
		case m != nil:
			d.CopyFiles = m
		}
	}
	return d.candidates(database)
}

// candidates picks the files whose headers are worth reading from the listings.
func (d *Discovery) candidates(database string) []fileInfo {
	d.Partial, d.Temps = nil, nil
	var names []string
	seen := map[string]bool{}
	for _, m := range []map[string]fileInfo{d.CopyFiles, d.ShareFiles} {
		for k, f := range m {
			n := f.Name
			if logchain.IsPartial(n, database) {
				d.Partial = append(d.Partial, n)
			}
			if filecopy.IsTemp(n) {
				d.Temps = append(d.Temps, n)
			}
			if !seen[k] {
				seen[k] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(d.Partial)
	anchor := ""
	if d.Snapshot != nil {
		anchor = d.Snapshot.LastRestoredFile
	}
	cands := logchain.Candidates(names, database, anchor)
	// A file written after the anchor (a tail-log backup, a file with an unusual name)
	// is a candidate whatever its name.
	if len(cands) > 0 && len(cands) < len(names) {
		in := map[string]bool{}
		for _, n := range cands {
			in[nameKey(n)] = true
		}
		at := d.pick(cands[0]).ModTime
		for _, n := range names {
			if !in[nameKey(n)] && logchain.IsCandidate(n, database) && d.pick(n).ModTime.After(at) {
				cands = append(cands, n)
			}
		}
	}
	var files []fileInfo
	for _, n := range cands {
		files = append(files, d.pick(n))
	}
	return files
}

// shareUnreachableBySQL looks at the headers of files read from the share: when SQL
// Server cannot open them because the share's host, the share or its folder is not
// there (operating system error 53, "The network path was not found"; 67, "The network
// name cannot be found"; or 3, "The system cannot find the path specified"), the share
// this machine listed is not one SQL Server reaches (its host is down, the share name is
// wrong, or pathMap names another folder); with 5, "Access is denied", SQL Server's
// service account may not read it. The share then counts as unreachable (d.ShareErr,
// d.ShareSQLOSError) and its files are dropped from the listing.
func (d *Discovery) shareUnreachableBySQL(files []fileInfo, headers []logchain.Header) bool {
	if d.ShareErr != nil || len(d.ShareFiles) == 0 {
		return false
	}
	for i, h := range headers {
		if h.ReadError == "" || i >= len(files) || !winpath.SamePath(sqlDir(files[i].Path), d.Share) {
			continue
		}
		if n := ShareOSError(h.ReadError); n != 0 {
			what := "SQL Server cannot reach the share"
			if n == osAccessDenied {
				what = "SQL Server's service account may not read the share"
			}
			d.ShareErr = fmt.Errorf("%s: RESTORE HEADERONLY FROM DISK = %s: %s (this machine lists the share as %s)", what, files[i].Path, h.ReadError, d.ShareLocal)
			d.ShareSQLOSError = n
			d.ShareFiles = map[string]fileInfo{}
			return true
		}
	}
	return false
}

// pick returns a file by name (case-insensitive), preferring the copy folder.
func (d *Discovery) pick(name string) fileInfo {
	if f, ok := d.CopyFiles[nameKey(name)]; ok {
		return f
	}
	return d.ShareFiles[nameKey(name)]
}

// inCopy reports whether the copy folder holds a file by name (case-insensitive).
func (d *Discovery) inCopy(name string) bool {
	_, ok := d.CopyFiles[nameKey(name)]
	return ok
}

// inShare returns the share's file by name (case-insensitive).
func (d *Discovery) inShare(name string) (fileInfo, bool) {
	f, ok := d.ShareFiles[nameKey(name)]
	return f, ok
}
