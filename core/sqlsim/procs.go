package sqlsim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"pcfailover/core/sqlsim/tds"
)

type paramSpec struct {
	name     string // lower case, with @
	required bool
}

// bindArgs matches positional and named arguments to a procedure's parameters,
// raising 8144 / 8145 / 201 as SQL Server does.
func bindArgs(proc string, spec []paramSpec, args []procArg) (map[string]any, *sqlError) {
	vals := map[string]any{}
	set := map[string]bool{}
	named := false
	for i, a := range args {
		if a.name == "" {
			if named {
				return nil, errOf(msg(119, 15, 1, "Must pass parameter number %d and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'.", i+1))
			}
			if i >= len(spec) {
				return nil, errOf(errTooManyArgs(proc))
			}
			if !a.isDef {
				vals[spec[i].name] = a.val
			}
			set[spec[i].name] = true
			continue
		}
		named = true
		found := false
		for _, p := range spec {
			if p.name == a.name {
				found = true
				if !a.isDef {
					vals[p.name] = a.val
				}
				set[p.name] = true
			}
		}
		if !found {
			return nil, errOf(errUnknownParam(a.name, proc))
		}
	}
	for _, p := range spec {
		if p.required && !set[p.name] {
			return nil, errOf(errProcArg(proc, p.name))
		}
	}
	return vals, nil
}

func argString(v map[string]any, name string) (string, bool) {
	x, ok := v[name]
	if !ok || x == nil {
		return "", false
	}
	return valueString(x), true
}

var masterProcs = map[string]bool{
	"sp_who2": true, "sp_who": true, "sp_delete_log_shipping_secondary_database": true, "sp_getapplock": true,
	"sp_releaseapplock": true, "xp_fileexist": true, "sp_help_log_shipping_monitor": true,
}

var msdbProcs = map[string]bool{
	"sp_update_job": true, "sp_start_job": true, "sp_stop_job": true, "sp_help_job": true,
}

// callProc runs a stored procedure by name.
func (s *session) callProc(ctx context.Context, n objName, args []procArg, o *out) (procResult, *sqlError, error) {
	name := strings.ToLower(n.last())
	db := n.database()
	if db == "" {
		db = s.Database()
	}
	full := strings.Join(n.parts, ".")
	if logShipProcs[name] && (strings.HasPrefix(name, "sp_") || strings.EqualFold(db, "master")) {
		o.proc = name
		defer func() { o.proc = "" }()
		res, serr, _ := s.callLogShipProc(name, args)
		return res, serr, nil
	}
	switch {
	case masterProcs[name] && (strings.HasPrefix(name, "sp_") || strings.EqualFold(db, "master")):
	case msdbProcs[name] && strings.EqualFold(db, "msdb"):
	default:
		return procResult{}, errOf(errNoProc(full)), nil
	}
	o.proc = name
	defer func() { o.proc = "" }()
	switch name {
	case "sp_who2", "sp_who":
		return s.spWho(name, args, o)
	case "sp_delete_log_shipping_secondary_database":
		return s.spDeleteLSSecondaryDB(args)
	case "sp_getapplock":
		return s.spGetAppLock(ctx, args, db)
	case "sp_releaseapplock":
		return s.spReleaseAppLock(args, db)
	case "xp_fileexist":
		return s.xpFileExist(args, o)
	case "sp_help_log_shipping_monitor":
		return s.spHelpLSMonitor(args, o)
	case "sp_update_job":
		return s.spUpdateJob(args)
	case "sp_start_job":
		return s.spStartJob(args, o)
	case "sp_stop_job":
		return s.spStopJob(args, o)
	case "sp_help_job":
		return s.spHelpJob(args, o)
	}
	return procResult{}, errOf(errNoProc(full)), nil
}

func writeResult(o *out, cols []tds.Column, rows [][]any) error {
	if err := o.w.Columns(cols); err != nil {
		return err
	}
	for _, r := range rows {
		vals := make([]any, len(r))
		for i, v := range r {
			vals[i] = outputValue(v, cols[i])
		}
		if err := o.w.Row(vals...); err != nil {
			return err
		}
	}
	return o.w.StatementDone(int64(len(rows)), false)
}

// spWho returns sp_who2 / sp_who (reference §3.5: column order and text-ish columns).
func (s *session) spWho(name string, args []procArg, o *out) (procResult, *sqlError, error) {
	vals, err := bindArgs(name, []paramSpec{{name: "@loginame"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	filter, _ := argString(vals, "@loginame")
	in := s.in
	in.mu.Lock()
	type row struct {
		spid                                    int
		status, login, host, blk, db, cmd, prog string
		cpu, io                                 int64
		last                                    string
	}
	var rs []row
	for _, x := range in.sortedSessions() {
		cmd := x.command
		if cmd == "" {
			cmd = "AWAITING COMMAND"
		}
		if strings.EqualFold(filter, "active") && x.status == "sleeping" && cmd == "AWAITING COMMAND" {
			continue
		}
		if filter != "" && !strings.EqualFold(filter, "active") {
			if n, ok := toInt(filter); ok {
				if int64(x.spid) != n {
					continue
				}
			} else if !strings.EqualFold(filter, x.login) {
				continue
			}
		}
		blk := "  .  "
		if b := in.blockerLocked(x.spid); b != 0 {
			blk = fmt.Sprintf("%-5d", b)
		}
		// sp_who2 prints "sleeping" in lower case, the other states in upper case.
		status := x.status
		switch {
		case x == s || status == "running":
			status = "RUNNABLE"
		case status == "background":
			status = "BACKGROUND"
		}
		rs = append(rs, row{spid: x.spid, status: status, login: x.login, host: x.host, blk: blk, db: x.db,
			cmd: cmd, prog: x.program, cpu: x.cpu, io: x.io, last: x.lastBatch.Format("01/02 15:04:05")})
	}
	in.mu.Unlock()
	var cols []tds.Column
	var out [][]any
	if name == "sp_who2" {
		cols = []tds.Column{cStr("SPID", 5), cStr("Status", 30), cStr("Login", 128), cStr("HostName", 128), cStr("BlkBy", 5),
			cStr("DBName", 128), cStr("Command", 16), cInt("CPUTime"), cBig("DiskIO"), cStr("LastBatch", 14),
			cStr("ProgramName", 128), cStr("SPID", 5), cInt("REQUESTID")}
		for _, r := range rs {
			sp := fmt.Sprintf("%-5d", r.spid)
			host := r.host
			if host == "" {
				host = "  .  "
			}
			out = append(out, []any{sp, r.status, r.login, host, r.blk, r.db, truncate(r.cmd, 16), r.cpu, r.io, r.last,
				r.prog, sp, int64(0)})
		}
	} else {
		cols = []tds.Column{cSmall("spid"), cSmall("ecid"), cStr("status", 30), cStr("loginame", 128), cStr("hostname", 128),
			cStr("blk", 5), cStr("dbname", 128), cStr("cmd", 16), cInt("request_id")}
		for _, r := range rs {
			blk := "0"
			if strings.TrimSpace(r.blk) != "." {
				blk = strings.TrimSpace(r.blk)
			}
			out = append(out, []any{int64(r.spid), int64(0), strings.ToLower(r.status), r.login, r.host, blk, r.db,
				truncate(r.cmd, 16), int64(0)})
		}
	}
	if err := writeResult(o, cols, out); err != nil {
		return procResult{}, nil, err
	}
	return procResult{}, nil, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// spDeleteLSSecondaryDB implements sp_delete_log_shipping_secondary_database
// (reference §2.2 and §0): it removes the secondary database row, its monitor row and
// local history; when no other database shares the secondary id it also deletes the
// copy and restore jobs and the log_shipping_secondary row. A second call raises 32014.
func (s *session) spDeleteLSSecondaryDB(args []procArg) (procResult, *sqlError, error) {
	proc := "sp_delete_log_shipping_secondary_database"
	vals, err := bindArgs(proc, []paramSpec{{name: "@secondary_database", required: true}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	in := s.in
	if s.user && !in.isSysadmin(s.login) {
		return procResult{}, errOf(errProcPermission(proc)), nil
	}
	db, _ := argString(vals, "@secondary_database")
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := in.deleteSecondaryDBLocked(db); err != nil {
		return procResult{status: 1}, err, nil
	}
	return procResult{}, nil, nil
}

func (in *Instance) deleteSecondaryDBLocked(db string) *sqlError {
	m := &in.msdb
	sd := m.secondaryDB(db)
	if sd == nil {
		return errOf(errNotLSSecondary(db))
	}
	id := sd.SecondaryID
	m.SecondaryDBs = filter(m.SecondaryDBs, func(r *lsSecondaryDB) bool { return r != sd })
	m.MonitorSecondary = filter(m.MonitorSecondary, func(r *lsMonitorSecond) bool {
		return !(r.SecondaryID == id && eqFold(r.SecondaryDatabase, db))
	})
	m.History = filter(m.History, func(r *lsHistory) bool { return !(r.AgentID == id && eqFold(r.DatabaseName, db)) })
	m.Errors = filter(m.Errors, func(r *lsErrorDetail) bool { return !(r.AgentID == id && eqFold(r.DatabaseName, db)) })
	shared := false
	for _, r := range m.SecondaryDBs {
		if r.SecondaryID == id {
			shared = true
		}
	}
	if !shared {
		// sp_delete_log_shipping_secondary_primary: jobs, secondary row, copy history.
		if sec := m.secondary(id); sec != nil {
			in.deleteJobLocked(sec.CopyJobID)
			in.deleteJobLocked(sec.RestoreJobID)
		}
		m.Secondaries = filter(m.Secondaries, func(r *lsSecondary) bool { return r.SecondaryID != id })
		m.History = filter(m.History, func(r *lsHistory) bool { return r.AgentID != id })
		m.Errors = filter(m.Errors, func(r *lsErrorDetail) bool { return r.AgentID != id })
	}
	return nil
}

func (in *Instance) deleteJobLocked(id uuid.UUID) {
	m := &in.msdb
	j := m.jobByID(id)
	if j == nil {
		return
	}
	if j.Running && j.runCancel != nil {
		j.runCancel()
	}
	m.Jobs = filter(m.Jobs, func(x *job) bool { return x != j })
	m.JobHistory = filter(m.JobHistory, func(r *jobHistoryRow) bool { return r.JobID != id })
}

func filter[T any](xs []T, keep func(T) bool) []T {
	out := xs[:0:0]
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// xpFileExist is master..xp_fileexist, evaluated as the SQL Server service would.
func (s *session) xpFileExist(args []procArg, o *out) (procResult, *sqlError, error) {
	vals, err := bindArgs("xp_fileexist", []paramSpec{{name: "@filename", required: true}, {name: "@file_exists"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	p, _ := argString(vals, "@filename")
	exists, isDir, parent := int64(0), int64(0), int64(0)
	if l, err := s.in.localPath(p); err == nil {
		if st, err := os.Stat(l); err == nil {
			if st.IsDir() {
				isDir = 1
			} else {
				exists = 1
			}
		}
		if st, err := os.Stat(filepath.Dir(l)); err == nil && st.IsDir() {
			parent = 1
		}
	}
	cols := []tds.Column{cInt("File Exists"), cInt("File is a Directory"), cInt("Parent Directory Exists")}
	if err := writeResult(o, cols, [][]any{{exists, isDir, parent}}); err != nil {
		return procResult{}, nil, err
	}
	return procResult{}, nil, nil
}

// spHelpLSMonitor is sp_help_log_shipping_monitor (reference §2.1) from the local
// monitor rows.
func (s *session) spHelpLSMonitor(args []procArg, o *out) (procResult, *sqlError, error) {
	if _, err := bindArgs("sp_help_log_shipping_monitor", nil, args); err != nil {
		return procResult{}, err, nil
	}
	in := s.in
	in.mu.Lock()
	now := in.now()
	mins := func(t *timeRef) any {
		if t == nil || t.t == nil {
			return nil
		}
		return int64(now.Sub(*t.t).Minutes())
	}
	var rows [][]any
	for _, p := range in.msdb.MonitorPrimary {
		rows = append(rows, []any{boolInt(p.LastBackupDate == nil || int(now.Sub(*p.LastBackupDate).Minutes()) > p.BackupThreshold),
			true, p.PrimaryServer, p.PrimaryDatabase, mins(&timeRef{p.LastBackupDate}), strOrNull(p.LastBackupFile),
			int64(p.BackupThreshold), true, nil, nil, nil, nil, nil, nil, nil})
	}
	for _, r := range in.msdb.MonitorSecondary {
		var lat any
		if r.LastRestoredLatency != nil {
			lat = int64(*r.LastRestoredLatency)
		}
		bad := r.LastRestoredDate == nil || int(now.Sub(*r.LastRestoredDate).Minutes()) > r.RestoreThreshold
		rows = append(rows, []any{boolInt(bad), false, r.SecondaryServer, r.SecondaryDatabase, nil, nil, nil, nil,
			mins(&timeRef{r.LastCopiedDate}), strOrNull(r.LastCopiedFile), mins(&timeRef{r.LastRestoredDate}),
			strOrNull(r.LastRestoredFile), lat, int64(r.RestoreThreshold), r.ThresholdAlertEnabled})
	}
	in.mu.Unlock()
	cols := []tds.Column{cBit("status"), cBit("is_primary"), cStr("server", 128), cStr("database_name", 128),
		cInt("time_since_last_backup"), cStr("last_backup_file", 500), cInt("backup_threshold"), cBit("is_backup_alert_enabled"),
		cInt("time_since_last_copy"), cStr("last_copied_file", 500), cInt("time_since_last_restore"),
		cStr("last_restored_file", 500), cInt("last_restored_latency"), cInt("restore_threshold"), cBit("is_restore_alert_enabled")}
	if err := writeResult(o, cols, rows); err != nil {
		return procResult{}, nil, err
	}
	return procResult{}, nil, nil
}
