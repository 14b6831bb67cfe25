package sqlsim

import (
	"fmt"
	"strings"

	"github.com/google/uuid"

	"pcfailover/core/sqlsim/tds"
)

// The log-shipping configuration procedures a failback runs to re-create log shipping
// (reference sql-log-shipping.md §2, lync-persistent-chat.md §3.2-3.4; MicrosoftDocs
// sql-docs "sp_add_log_shipping_primary_database", "..._primary_secondary",
// "..._secondary_primary", "..._secondary_database"). Each must be run in master by a
// sysadmin, returns 0 or 1 and no result set. As documented, the backup job, and the
// copy and restore jobs, are created disabled: the caller enables them with
// msdb.dbo.sp_update_job @enabled = 1 (what the SSMS-generated script does).

// lsPrimarySecondary is a row of msdb.dbo.log_shipping_primary_secondaries.
type lsPrimarySecondary struct {
	SecondaryID       uuid.UUID `json:"secondary_id"`
	PrimaryID         uuid.UUID `json:"primary_id"`
	SecondaryServer   string    `json:"secondary_server"`
	SecondaryDatabase string    `json:"secondary_database"`
}

var logShipProcs = map[string]bool{
	"sp_add_log_shipping_primary_database": true, "sp_add_log_shipping_primary_secondary": true,
	"sp_add_log_shipping_secondary_primary": true, "sp_add_log_shipping_secondary_database": true,
	"sp_delete_log_shipping_primary_secondary": true, "sp_delete_log_shipping_primary_database": true,
}

// callLogShipProc runs one of logShipProcs; ok is false for any other name.
func (s *session) callLogShipProc(name string, args []procArg) (res procResult, serr *sqlError, ok bool) {
	if !logShipProcs[name] {
		return procResult{}, nil, false
	}
	if s.user && !s.in.isSysadmin(s.login) {
		return procResult{status: 1}, errOf(errProcPermission(name)), true
	}
	switch name {
	case "sp_add_log_shipping_primary_database":
		res, serr = s.spAddLSPrimaryDB(args)
	case "sp_add_log_shipping_primary_secondary":
		res, serr = s.spAddLSPrimarySecondary(args)
	case "sp_add_log_shipping_secondary_primary":
		res, serr = s.spAddLSSecondaryPrimary(args)
	case "sp_add_log_shipping_secondary_database":
		res, serr = s.spAddLSSecondaryDB(args)
	case "sp_delete_log_shipping_primary_secondary":
		res, serr = s.spDeleteLSPrimarySecondary(args)
	case "sp_delete_log_shipping_primary_database":
		res, serr = s.spDeleteLSPrimaryDB(args)
	}
	if serr != nil && res.status == 0 {
		res.status = 1
	}
	return res, serr, true
}

func errNotLSPrimary(db string) tds.Message {
	return msg(32010, 16, 1, "Database %s does not exist as log shipping primary.", db)
}

func errLSPrimaryExists(db string) tds.Message {
	return msg(32001, 16, 1, "Log shipping is already configured for database %s.", db)
}

func errLSNull(proc, param string) tds.Message {
	return msg(32009, 16, 1, "A parameter %s with value NULL was passed to procedure %s; it cannot be NULL.", param, proc)
}

// requireStrings returns the named string arguments, raising 32009 for a NULL one.
func requireStrings(proc string, vals map[string]any, names ...string) ([]string, *sqlError) {
	out := make([]string, len(names))
	for i, n := range names {
		v, ok := argString(vals, n)
		if !ok {
			return nil, errOf(errLSNull(proc, n))
		}
		out[i] = v
	}
	return out, nil
}

func intArg(vals map[string]any, name string, def int) (int, *sqlError) {
	v, ok := vals[name]
	if !ok || v == nil {
		return def, nil
	}
	n, ok := toInt(v)
	if !ok {
		return 0, errOf(errConversion(valueString(v), "int"))
	}
	return int(n), nil
}

func guidOut(name string, id uuid.UUID) outVal {
	return outVal{name: name, col: cGUID(name), value: id}
}

func (s *session) spAddLSPrimaryDB(args []procArg) (procResult, *sqlError) {
	const proc = "sp_add_log_shipping_primary_database"
	vals, err := bindArgs(proc, []paramSpec{{name: "@database", required: true}, {name: "@backup_directory", required: true},
		{name: "@backup_share", required: true}, {name: "@backup_job_name", required: true}, {name: "@backup_retention_period"},
		{name: "@monitor_server"}, {name: "@monitor_server_security_mode"}, {name: "@monitor_server_login"},
		{name: "@monitor_server_password"}, {name: "@backup_threshold"}, {name: "@threshold_alert"},
		{name: "@threshold_alert_enabled"}, {name: "@history_retention_period"}, {name: "@backup_job_id"},
		{name: "@primary_id"}, {name: "@backup_compression"}, {name: "@overwrite"}}, args)
	if err != nil {
		return procResult{}, err
	}
	strs, err := requireStrings(proc, vals, "@database", "@backup_directory", "@backup_share", "@backup_job_name")
	if err != nil {
		return procResult{}, err
	}
	retention, err := intArg(vals, "@backup_retention_period", 4320)
	if err != nil {
		return procResult{}, err
	}
	threshold, err := intArg(vals, "@backup_threshold", 60)
	if err != nil {
		return procResult{}, err
	}
	overwrite, err := intArg(vals, "@overwrite", 0)
	if err != nil {
		return procResult{}, err
	}
	monitor, _ := argString(vals, "@monitor_server")
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(strs[0])
	if d == nil {
		return procResult{}, errOf(errDBNotExist(strs[0]))
	}
	if d.RecoveryModel == "SIMPLE" {
		return procResult{}, errOf(msg(32002, 16, 1, "Database %s is in SIMPLE recovery model: log shipping needs FULL or BULK_LOGGED.", d.Name))
	}
	for _, p := range in.msdb.Primaries {
		if eqFold(p.PrimaryDatabase, d.Name) {
			if overwrite == 0 {
				return procResult{}, errOf(errLSPrimaryExists(d.Name))
			}
			in.deletePrimaryLocked(p.PrimaryID)
			break
		}
	}
	id := uuid.New()
	j := in.addJobLocked(strs[3], 101, jobBackup, id, fmt.Sprintf(`"sqllogship.exe" -Backup %s -server %s`, strings.ToUpper(id.String()), in.cfg.Name))
	j.Enabled = false // "Creates a backup job for the primary database that is disabled."
	in.msdb.Primaries = append(in.msdb.Primaries, &lsPrimary{PrimaryID: id, PrimaryDatabase: d.Name, BackupDirectory: strs[1],
		BackupShare: strs[2], BackupRetentionPeriod: retention, BackupJobID: j.JobID, MonitorServer: monitor})
	in.msdb.MonitorPrimary = append(in.msdb.MonitorPrimary, &lsMonitorPrimary{PrimaryID: id, PrimaryServer: in.cfg.Name,
		PrimaryDatabase: d.Name, BackupThreshold: threshold})
	return procResult{outputs: []outVal{guidOut("@backup_job_id", j.JobID), guidOut("@primary_id", id)}}, nil
}

// deletePrimaryLocked removes a primary's rows, its secondaries list and its backup job.
func (in *Instance) deletePrimaryLocked(id uuid.UUID) {
	m := &in.msdb
	if p := m.primary(id); p != nil {
		in.deleteJobLocked(p.BackupJobID)
	}
	m.Primaries = filter(m.Primaries, func(r *lsPrimary) bool { return r.PrimaryID != id })
	m.MonitorPrimary = filter(m.MonitorPrimary, func(r *lsMonitorPrimary) bool { return r.PrimaryID != id })
	m.PrimarySecondaries = filter(m.PrimarySecondaries, func(r *lsPrimarySecondary) bool { return r.PrimaryID != id })
	m.History = filter(m.History, func(r *lsHistory) bool { return r.AgentID != id })
	m.Errors = filter(m.Errors, func(r *lsErrorDetail) bool { return r.AgentID != id })
}

func (in *Instance) primaryByDBLocked(db string) *lsPrimary {
	for _, p := range in.msdb.Primaries {
		if eqFold(p.PrimaryDatabase, db) {
			return p
		}
	}
	return nil
}

func (s *session) spAddLSPrimarySecondary(args []procArg) (procResult, *sqlError) {
	const proc = "sp_add_log_shipping_primary_secondary"
	vals, err := bindArgs(proc, []paramSpec{{name: "@primary_database", required: true}, {name: "@secondary_server", required: true},
		{name: "@secondary_database", required: true}, {name: "@overwrite"}}, args)
	if err != nil {
		return procResult{}, err
	}
	strs, err := requireStrings(proc, vals, "@primary_database", "@secondary_server", "@secondary_database")
	if err != nil {
		return procResult{}, err
	}
	overwrite, err := intArg(vals, "@overwrite", 0)
	if err != nil {
		return procResult{}, err
	}
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	p := in.primaryByDBLocked(strs[0])
	if p == nil {
		return procResult{}, errOf(errNotLSPrimary(strs[0]))
	}
	for _, r := range in.msdb.PrimarySecondaries {
		if r.PrimaryID == p.PrimaryID && eqFold(r.SecondaryServer, strs[1]) && eqFold(r.SecondaryDatabase, strs[2]) {
			// Already registered: nothing to add (with or without @overwrite).
			_ = overwrite
			return procResult{}, nil
		}
	}
	in.msdb.PrimarySecondaries = append(in.msdb.PrimarySecondaries, &lsPrimarySecondary{SecondaryID: uuid.New(), PrimaryID: p.PrimaryID,
		SecondaryServer: strs[1], SecondaryDatabase: strs[2]})
	return procResult{}, nil
}

func (s *session) spDeleteLSPrimarySecondary(args []procArg) (procResult, *sqlError) {
	const proc = "sp_delete_log_shipping_primary_secondary"
	vals, err := bindArgs(proc, []paramSpec{{name: "@primary_database", required: true}, {name: "@secondary_server", required: true},
		{name: "@secondary_database", required: true}}, args)
	if err != nil {
		return procResult{}, err
	}
	strs, err := requireStrings(proc, vals, "@primary_database", "@secondary_server", "@secondary_database")
	if err != nil {
		return procResult{}, err
	}
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	p := in.primaryByDBLocked(strs[0])
	if p == nil {
		return procResult{}, errOf(errNotLSPrimary(strs[0]))
	}
	in.msdb.PrimarySecondaries = filter(in.msdb.PrimarySecondaries, func(r *lsPrimarySecondary) bool {
		return !(r.PrimaryID == p.PrimaryID && eqFold(r.SecondaryServer, strs[1]) && eqFold(r.SecondaryDatabase, strs[2]))
	})
	return procResult{}, nil
}

func (s *session) spDeleteLSPrimaryDB(args []procArg) (procResult, *sqlError) {
	const proc = "sp_delete_log_shipping_primary_database"
	vals, err := bindArgs(proc, []paramSpec{{name: "@database", required: true}}, args)
	if err != nil {
		return procResult{}, err
	}
	strs, err := requireStrings(proc, vals, "@database")
	if err != nil {
		return procResult{}, err
	}
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	p := in.primaryByDBLocked(strs[0])
	if p == nil {
		return procResult{}, errOf(errNotLSPrimary(strs[0]))
	}
	for _, r := range in.msdb.PrimarySecondaries {
		if r.PrimaryID == p.PrimaryID {
			return procResult{}, errOf(msg(32011, 16, 1, "Primary Database %s has active log shipping secondary database(s). Drop the secondary database(s) first.", p.PrimaryDatabase))
		}
	}
	in.deletePrimaryLocked(p.PrimaryID)
	return procResult{}, nil
}

func (s *session) spAddLSSecondaryPrimary(args []procArg) (procResult, *sqlError) {
	const proc = "sp_add_log_shipping_secondary_primary"
	vals, err := bindArgs(proc, []paramSpec{{name: "@primary_server", required: true}, {name: "@primary_database", required: true},
		{name: "@backup_source_directory", required: true}, {name: "@backup_destination_directory", required: true},
		{name: "@copy_job_name", required: true}, {name: "@restore_job_name", required: true}, {name: "@file_retention_period"},
		{name: "@monitor_server"}, {name: "@monitor_server_security_mode"}, {name: "@monitor_server_login"},
		{name: "@monitor_server_password"}, {name: "@copy_job_id"}, {name: "@restore_job_id"}, {name: "@secondary_id"},
		{name: "@overwrite"}}, args)
	if err != nil {
		return procResult{}, err
	}
	strs, err := requireStrings(proc, vals, "@primary_server", "@primary_database", "@backup_source_directory",
		"@backup_destination_directory", "@copy_job_name", "@restore_job_name")
	if err != nil {
		return procResult{}, err
	}
	retention, err := intArg(vals, "@file_retention_period", 14420)
	if err != nil {
		return procResult{}, err
	}
	mode, err := intArg(vals, "@monitor_server_security_mode", 1)
	if err != nil {
		return procResult{}, err
	}
	monitor, _ := argString(vals, "@monitor_server")
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, sec := range in.msdb.Secondaries {
		if eqFold(sec.PrimaryServer, strs[0]) && eqFold(sec.PrimaryDatabase, strs[1]) {
			return procResult{}, errOf(msg(32024, 16, 1, "An entry for primary server %s, primary database %s already exists.", strs[0], strs[1]))
		}
	}
	for _, name := range []string{strs[4], strs[5]} {
		if in.msdb.jobByName(name) != nil {
			return procResult{}, errOf(msg(14261, 16, 1, "The specified @name ('%s') already exists.", name))
		}
	}
	id := uuid.New()
	cj := in.addJobLocked(strs[4], 102, jobCopy, id, fmt.Sprintf(`"sqllogship.exe" -Copy %s -server %s`, strings.ToUpper(id.String()), in.cfg.Name))
	rj := in.addJobLocked(strs[5], 103, jobRestore, id, fmt.Sprintf(`"sqllogship.exe" -Restore %s -server %s`, strings.ToUpper(id.String()), in.cfg.Name))
	cj.Enabled, rj.Enabled = false, false
	in.msdb.Secondaries = append(in.msdb.Secondaries, &lsSecondary{SecondaryID: id, PrimaryServer: strs[0], PrimaryDatabase: strs[1],
		BackupSourceDirectory: strs[2], BackupDestinationDirectory: strs[3], FileRetentionPeriod: retention,
		CopyJobID: cj.JobID, RestoreJobID: rj.JobID, MonitorServer: monitor, MonitorServerSecurityMode: mode != 0})
	return procResult{outputs: []outVal{guidOut("@copy_job_id", cj.JobID), guidOut("@restore_job_id", rj.JobID), guidOut("@secondary_id", id)}}, nil
}

func (s *session) spAddLSSecondaryDB(args []procArg) (procResult, *sqlError) {
	const proc = "sp_add_log_shipping_secondary_database"
	vals, err := bindArgs(proc, []paramSpec{{name: "@secondary_database", required: true}, {name: "@primary_server", required: true},
		{name: "@primary_database", required: true}, {name: "@restore_delay"}, {name: "@restore_all"}, {name: "@restore_mode"},
		{name: "@disconnect_users"}, {name: "@block_size"}, {name: "@buffer_count"}, {name: "@max_transfer_size"},
		{name: "@restore_threshold"}, {name: "@threshold_alert"}, {name: "@threshold_alert_enabled"},
		{name: "@history_retention_period"}, {name: "@overwrite"}}, args)
	if err != nil {
		return procResult{}, err
	}
	strs, err := requireStrings(proc, vals, "@secondary_database", "@primary_server", "@primary_database")
	if err != nil {
		return procResult{}, err
	}
	ints := map[string]int{}
	for name, def := range map[string]int{"@restore_delay": 0, "@restore_all": 1, "@restore_mode": 0, "@disconnect_users": 0,
		"@block_size": -1, "@buffer_count": -1, "@max_transfer_size": -1, "@restore_threshold": 45, "@threshold_alert": 14421,
		"@threshold_alert_enabled": 1, "@history_retention_period": 14420} {
		if ints[name], err = intArg(vals, name, def); err != nil {
			return procResult{}, err
		}
	}
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(strs[0])
	if d == nil {
		return procResult{}, errOf(errDBNotExist(strs[0]))
	}
	var sec *lsSecondary
	for _, x := range in.msdb.Secondaries {
		if eqFold(x.PrimaryServer, strs[1]) && eqFold(x.PrimaryDatabase, strs[2]) {
			sec = x
		}
	}
	if sec == nil {
		// "sp_add_log_shipping_secondary_primary should be called prior to this stored procedure".
		return procResult{}, errOf(msg(32023, 16, 1, "An entry for primary server %s, primary database %s does not exist on this secondary. Register the primary first.", strs[1], strs[2]))
	}
	if in.msdb.secondaryDB(d.Name) != nil {
		return procResult{}, errOf(msg(32015, 16, 1, "The secondary database %s already exists.", d.Name))
	}
	in.msdb.SecondaryDBs = append(in.msdb.SecondaryDBs, &lsSecondaryDB{SecondaryDatabase: d.Name, SecondaryID: sec.SecondaryID,
		RestoreDelay: ints["@restore_delay"], RestoreAll: ints["@restore_all"] != 0, RestoreMode: ints["@restore_mode"] != 0,
		DisconnectUsers: ints["@disconnect_users"] != 0, BlockSize: ints["@block_size"], BufferCount: ints["@buffer_count"],
		MaxTransferSize: ints["@max_transfer_size"]})
	in.msdb.MonitorSecondary = append(in.msdb.MonitorSecondary, &lsMonitorSecond{SecondaryServer: in.cfg.Name, SecondaryDatabase: d.Name,
		SecondaryID: sec.SecondaryID, PrimaryServer: strs[1], PrimaryDatabase: strs[2], RestoreThreshold: ints["@restore_threshold"],
		ThresholdAlert: ints["@threshold_alert"], ThresholdAlertEnabled: ints["@threshold_alert_enabled"] != 0,
		HistoryRetention: ints["@history_retention_period"]})
	return procResult{}, nil
}

// primarySecondariesTable is msdb.dbo.log_shipping_primary_secondaries.
func (in *Instance) primarySecondariesTable() *table {
	t := &table{name: "log_shipping_primary_secondaries", cols: []tds.Column{cGUID("secondary_id"), cGUID("primary_id"),
		cStr("secondary_server", 128), cStr("secondary_database", 128)}}
	for _, r := range in.msdb.PrimarySecondaries {
		t.rows = append(t.rows, []any{r.SecondaryID, r.PrimaryID, r.SecondaryServer, r.SecondaryDatabase})
	}
	return t
}
