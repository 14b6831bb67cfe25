package sqlsim

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"pcfailover/core/sqlsim/tds"
)

// resolveTable materialises the table or view a FROM clause names, as seen from the
// session's current database. Errors are 208 (unknown object) or 927/942 (database
// not accessible).
func (s *session) resolveTable(name objName) (*table, *sqlError) {
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	dbName := name.database()
	if dbName == "" {
		dbName = s.db
	}
	schema := strings.ToLower(name.schema())
	obj := strings.ToLower(name.last())
	full := strings.Join(name.parts, ".")
	d := in.dbLocked(dbName)
	if d == nil {
		return nil, errOf(errDBNotExist(dbName)).abort()
	}
	if m := in.openCheckLocked(d, s.spid); m != nil && !(d.busySPID == s.spid) {
		return nil, errOf(*m).abort()
	}
	if schema == "sys" || (schema == "" && strings.HasPrefix(obj, "sys")) || (schema == "dbo" && obj == "sysprocesses" && strings.EqualFold(d.Name, "master")) {
		if t := in.systemViewLocked(obj, d); t != nil {
			return t, nil
		}
	}
	if schema == "" || schema == "dbo" {
		if strings.EqualFold(d.Name, "msdb") {
			if t := in.msdbTableLocked(obj); t != nil {
				return t, nil
			}
		}
		if !d.System && obj == "tblchattxn" {
			return txnTable(d), nil
		}
	}
	return nil, errOf(errInvalidObject(full)).abort()
}

func (e *sqlError) abort() *sqlError { e.abortBatch = true; return e }

// txnTable is the simulator's model of committed chat data: one row per committed
// transaction (id 1..Txn) with the LSN-independent commit number.
func txnTable(d *database) *table {
	t := &table{name: "tblChatTxn", cols: []tds.Column{cBig("id")}}
	t.rows = make([][]any, 0, d.Txn)
	for i := int64(1); i <= d.Txn; i++ {
		t.rows = append(t.rows, []any{i})
	}
	return t
}

func (in *Instance) sortedDBs() []*database {
	var ds []*database
	for _, d := range in.dbs {
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return ds
}

func (in *Instance) sortedSessions() []*session {
	var ss []*session
	for _, s := range in.sessions {
		ss = append(ss, s)
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].spid < ss[j].spid })
	return ss
}

func (in *Instance) dbIDLocked(name string) any {
	if d := in.dbLocked(name); d != nil {
		return int64(d.ID)
	}
	return nil
}

func stateCode(d *database) int64 {
	switch d.State {
	case "RESTORING":
		return 1
	case "OFFLINE":
		return 6
	}
	return 0
}

func userAccessCode(ua string) int64 {
	switch ua {
	case "SINGLE_USER":
		return 1
	case "RESTRICTED_USER":
		return 2
	}
	return 0
}

func recoveryCode(m string) int64 {
	switch m {
	case "BULK_LOGGED":
		return 2
	case "SIMPLE":
		return 3
	}
	return 1
}

func (in *Instance) systemViewLocked(obj string, cur *database) *table {
	switch obj {
	case "databases":
		t := &table{name: "databases", cols: []tds.Column{
			cStr("name", 128), cInt("database_id"), cInt("source_database_id"), cDT("create_date"),
			cTiny("compatibility_level"), cStr("collation_name", 128), cTiny("user_access"), cStr("user_access_desc", 60),
			cBit("is_read_only"), cBit("is_auto_close_on"), cBit("is_auto_shrink_on"), cTiny("state"), cStr("state_desc", 60),
			cBit("is_in_standby"), cBit("is_cleanly_shutdown"), cTiny("recovery_model"), cStr("recovery_model_desc", 60),
			cStr("page_verify_option_desc", 60), cStr("log_reuse_wait_desc", 60), cBit("is_encrypted"),
		}}
		for _, d := range in.sortedDBs() {
			var coll any = "SQL_Latin1_General_CP1_CI_AS"
			if d.State == "RESTORING" {
				coll = nil
			}
			t.rows = append(t.rows, []any{
				d.Name, int64(d.ID), nil, d.CreateDate, int64(120), coll, userAccessCode(d.UserAccess), d.UserAccess,
				d.ReadOnly || d.Standby, false, false, stateCode(d), d.State, d.Standby, false,
				recoveryCode(d.RecoveryModel), d.RecoveryModel, "CHECKSUM", "NOTHING", false,
			})
		}
		return t
	case "master_files":
		t := masterFilesTable("master_files", in.cfg.StandbyRedoStartLSN)
		for _, d := range in.sortedDBs() {
			addFileRows(t, d, true, in.cfg.StandbyRedoStartLSN)
		}
		return t
	case "database_files":
		t := masterFilesTable("database_files", in.cfg.StandbyRedoStartLSN)
		t.cols = t.cols[1:]
		addFileRows(t, cur, false, in.cfg.StandbyRedoStartLSN)
		return t
	case "database_recovery_status":
		t := &table{name: obj, cols: []tds.Column{
			cInt("database_id"), cGUID("database_guid"), cGUID("family_guid"), cLSN("last_log_backup_lsn"),
			cGUID("recovery_fork_guid"), cGUID("first_recovery_fork_guid"), cLSN("fork_point_lsn"),
		}}
		for _, d := range in.sortedDBs() {
			t.rows = append(t.rows, []any{int64(d.ID), d.DatabaseGUID, d.FamilyGUID, lsnOrNull(d.LastLogBackupLSN),
				d.ForkGUID, d.FirstForkGUID, lsnOrNull(d.ForkPointLSN)})
		}
		return t
	case "database_mirroring":
		t := &table{name: obj, cols: []tds.Column{
			cInt("database_id"), cGUID("mirroring_guid"), cTiny("mirroring_state"), cStr("mirroring_state_desc", 60),
			cTiny("mirroring_role"), cStr("mirroring_role_desc", 60), cStr("mirroring_partner_name", 128),
			cStr("mirroring_partner_instance", 128), cStr("mirroring_witness_name", 128), cStr("mirroring_safety_level_desc", 60),
		}}
		for _, d := range in.sortedDBs() {
			t.rows = append(t.rows, []any{int64(d.ID), nil, nil, nil, nil, nil, nil, nil, nil, nil})
		}
		return t
	case "dm_exec_sessions":
		t := &table{name: obj, cols: []tds.Column{
			cSmall("session_id"), cDT("login_time"), cStr("host_name", 128), cStr("program_name", 128),
			cInt("host_process_id"), cStr("client_interface_name", 32), cStr("login_name", 128), cStr("nt_domain", 128),
			cStr("nt_user_name", 128), cStr("status", 30), cInt("cpu_time"), cInt("memory_usage"),
			cDT("last_request_start_time"), cDT("last_request_end_time"), cBig("reads"), cBig("writes"),
			cBig("logical_reads"), cBit("is_user_process"), cSmall("transaction_isolation_level"),
			cSmall("database_id"), cInt("open_transaction_count"), cStr("original_login_name", 128),
		}}
		for _, s := range in.sortedSessions() {
			if !s.user {
				// Background tasks appear in dm_exec_sessions with is_user_process = 0.
				t.rows = append(t.rows, []any{int64(s.spid), s.loginTime, nil, nil, nil, nil, "sa", nil, nil,
					s.status, int64(0), int64(0), s.loginTime, s.loginTime, int64(0), int64(0), int64(0), false,
					int64(2), in.dbIDLocked(s.db), int64(0), "sa"})
				continue
			}
			status := s.status
			t.rows = append(t.rows, []any{int64(s.spid), s.loginTime, s.host, s.program, int64(4000 + s.spid),
				"go-mssqldb", s.login, "", "", status, s.cpu, int64(2), s.lastBatch, s.lastBatch, s.io, int64(0),
				s.io, true, int64(2), in.dbIDLocked(s.db), int64(s.tranCount), s.login})
		}
		return t
	case "dm_exec_connections":
		t := &table{name: obj, cols: []tds.Column{
			cInt("session_id"), cDT("connect_time"), cStr("net_transport", 40), cStr("protocol_type", 40),
			cStr("encrypt_option", 40), cStr("auth_scheme", 40), cStr("client_net_address", 48), cInt("client_tcp_port"),
			cGUID("connection_id"),
		}}
		for _, s := range in.sortedSessions() {
			if s.user && s.program != "" && !strings.HasPrefix(s.program, "SQLAgent") && s.host != "sqlsim-app" {
				t.rows = append(t.rows, []any{int64(s.spid), s.loginTime, "TCP", "TSQL", "FALSE", "SQL", "127.0.0.1", int64(50000 + s.spid), uuid.NewSHA1(uuid.Nil, []byte(fmt.Sprint(s.spid, s.loginTime.UnixNano())))})
			}
		}
		return t
	case "sysprocesses":
		t := &table{name: obj, cols: []tds.Column{
			cSmall("spid"), cSmall("kpid"), cSmall("blocked"), cBig("waittime"), cStr("lastwaittype", 32),
			cStr("waitresource", 256), cSmall("dbid"), cSmall("uid"), cInt("cpu"), cBig("physical_io"), cInt("memusage"),
			cDT("login_time"), cDT("last_batch"), cSmall("ecid"), cSmall("open_tran"), cStr("status", 30),
			cStr("hostname", 128), cStr("program_name", 128), cStr("hostprocess", 10), cStr("cmd", 32),
			cStr("nt_domain", 128), cStr("nt_username", 128), cStr("net_address", 12), cStr("net_library", 12),
			cStr("loginame", 128), cInt("request_id"),
		}}
		for _, s := range in.sortedSessions() {
			cmd := s.command
			if cmd == "" {
				cmd = "AWAITING COMMAND"
			}
			t.rows = append(t.rows, []any{int64(s.spid), int64(0), int64(in.blockerLocked(s.spid)), int64(0), "MISCELLANEOUS",
				"", in.dbIDLocked(s.db), int64(1), s.cpu, s.io, int64(2), s.loginTime, s.lastBatch, int64(0),
				int64(s.tranCount), sysprocStatus(s.status), s.host, s.program, "", cmd, "", "", "", "", s.login, int64(0)})
		}
		return t
	case "dm_exec_requests":
		t := &table{name: obj, cols: []tds.Column{
			cSmall("session_id"), cInt("request_id"), cDT("start_time"), cStr("status", 30), cStr("command", 32),
			cSmall("database_id"), cSmall("blocking_session_id"), cStr("wait_type", 60), cInt("wait_time"),
			tds.Column{Name: "percent_complete", Type: tds.TypeFloat, Nullable: false}, cBig("estimated_completion_time"),
			cInt("cpu_time"), cInt("total_elapsed_time"), cInt("open_transaction_count"),
		}}
		for _, s := range in.sortedSessions() {
			if s.status != "running" && s.status != "background" {
				continue
			}
			cmd := s.command
			if cmd == "" {
				cmd = "SELECT"
			}
			db := s.db
			if s.cmdDB != "" {
				db = s.cmdDB
			}
			status := "running"
			if !s.user {
				status = "background"
			}
			t.rows = append(t.rows, []any{int64(s.spid), int64(0), s.lastBatch, status, cmd, in.dbIDLocked(db),
				int64(in.blockerLocked(s.spid)), nil, int64(0), s.pct, int64(0), int64(0), int64(0), int64(s.tranCount)})
		}
		return t
	case "dm_tran_locks":
		t := &table{name: obj, cols: []tds.Column{
			cStr("resource_type", 60), cStr("resource_subtype", 60), cInt("resource_database_id"),
			cStr("resource_description", 256), cBig("resource_associated_entity_id"), cStr("request_mode", 60),
			cStr("request_type", 60), cStr("request_status", 60), cSmall("request_reference_count"),
			cInt("request_session_id"), cStr("request_owner_type", 60),
		}}
		for _, l := range in.lockRowsLocked() {
			t.rows = append(t.rows, []any{l.resType, "", in.dbIDLocked(l.db), l.desc, int64(0), l.mode, "LOCK", l.status,
				int64(1), int64(l.spid), l.owner})
		}
		return t
	case "server_principals":
		t := &table{name: obj, cols: []tds.Column{cStr("name", 128), cInt("principal_id"), cStr("type", 1),
			cStr("type_desc", 60), cBit("is_disabled")}}
		var names []string
		for n := range in.cfg.Logins {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			t.rows = append(t.rows, []any{n, int64(256 + i), "S", "SQL_LOGIN", false})
		}
		return t
	}
	return nil
}

// sysprocStatus is sysprocesses.status: a running request shows as "runnable".
func sysprocStatus(s string) string {
	if s == "running" {
		return "runnable"
	}
	return s
}

func masterFilesTable(name string, _ bool) *table {
	return &table{name: name, cols: []tds.Column{
		cInt("database_id"), cInt("file_id"), cGUID("file_guid"), cTiny("type"), cStr("type_desc", 60),
		cInt("data_space_id"), cStr("name", 128), cStr("physical_name", 260), cTiny("state"), cStr("state_desc", 60),
		cInt("size"), cInt("max_size"), cInt("growth"), cBit("is_read_only"), cLSN("create_lsn"), cLSN("drop_lsn"),
		cLSN("differential_base_lsn"), cGUID("differential_base_guid"), cLSN("redo_start_lsn"),
		cGUID("redo_start_fork_guid"), cLSN("redo_target_lsn"), cGUID("redo_target_fork_guid"), cLSN("backup_lsn"),
	}}
}

func addFileRows(t *table, d *database, withDB bool, standbyRedo bool) {
	for i, f := range d.Files {
		typ, typDesc, ds := int64(0), "ROWS", int64(1)
		if f.Type == "L" {
			typ, typDesc, ds = 1, "LOG", 0
		}
		var redo, redoFork, redoTarget any
		if d.State == "RESTORING" || (d.Standby && standbyRedo) {
			redo = lsnValue(d.RedoStartLSN)
			redoFork = d.RedoForkGUID
			redoTarget = nil
		}
		state := d.State
		if d.Standby {
			state = "ONLINE"
		}
		row := []any{int64(i + 1), uuid.NewSHA1(d.FamilyGUID, []byte(f.LogicalName)), typ, typDesc, ds, f.LogicalName,
			f.PhysicalName, stateCode(d), state, (f.SizeBytes + 8191) / 8192, int64(-1), int64(8192), d.ReadOnly,
			nil, nil, lsnOrNull(d.FullCheckpoint), nil, redo, redoFork, redoTarget, nil, nil}
		if withDB {
			row = append([]any{int64(d.ID)}, row...)
		}
		t.rows = append(t.rows, row)
	}
}

func (in *Instance) msdbTableLocked(obj string) *table {
	m := &in.msdb
	switch obj {
	case "log_shipping_secondary":
		t := &table{name: obj, cols: []tds.Column{cGUID("secondary_id"), cStr("primary_server", 128), cStr("primary_database", 128),
			cStr("backup_source_directory", 500), cStr("backup_destination_directory", 500), cInt("file_retention_period"),
			cGUID("copy_job_id"), cGUID("restore_job_id"), cStr("monitor_server", 128), cBit("monitor_server_security_mode"),
			cStr("last_copied_file", 500), cDT("last_copied_date")}}
		for _, r := range m.Secondaries {
			t.rows = append(t.rows, []any{r.SecondaryID, r.PrimaryServer, r.PrimaryDatabase, r.BackupSourceDirectory,
				r.BackupDestinationDirectory, int64(r.FileRetentionPeriod), r.CopyJobID, r.RestoreJobID, r.MonitorServer,
				r.MonitorServerSecurityMode, strOrNull(r.LastCopiedFile), timeOrNull(r.LastCopiedDate)})
		}
		return t
	case "log_shipping_secondary_databases":
		t := &table{name: obj, cols: []tds.Column{cStr("secondary_database", 128), cGUID("secondary_id"), cInt("restore_delay"),
			cBit("restore_all"), cBit("restore_mode"), cBit("disconnect_users"), cInt("block_size"), cInt("buffer_count"),
			cInt("max_transfer_size"), cStr("last_restored_file", 500), cDT("last_restored_date")}}
		for _, r := range m.SecondaryDBs {
			t.rows = append(t.rows, []any{r.SecondaryDatabase, r.SecondaryID, int64(r.RestoreDelay), r.RestoreAll, r.RestoreMode,
				r.DisconnectUsers, int64(r.BlockSize), int64(r.BufferCount), int64(r.MaxTransferSize),
				strOrNull(r.LastRestoredFile), timeOrNull(r.LastRestoredDate)})
		}
		return t
	case "log_shipping_monitor_secondary":
		t := &table{name: obj, cols: []tds.Column{cStr("secondary_server", 128), cStr("secondary_database", 128), cGUID("secondary_id"),
			cStr("primary_server", 128), cStr("primary_database", 128), cInt("restore_threshold"), cInt("threshold_alert"),
			cBit("threshold_alert_enabled"), cStr("last_copied_file", 500), cDT("last_copied_date"), cDT("last_copied_date_utc"),
			cStr("last_restored_file", 500), cDT("last_restored_date"), cDT("last_restored_date_utc"), cInt("last_restored_latency"),
			cInt("history_retention_period")}}
		for _, r := range m.MonitorSecondary {
			var lat any
			if r.LastRestoredLatency != nil {
				lat = int64(*r.LastRestoredLatency)
			}
			t.rows = append(t.rows, []any{r.SecondaryServer, r.SecondaryDatabase, r.SecondaryID, r.PrimaryServer, r.PrimaryDatabase,
				int64(r.RestoreThreshold), int64(r.ThresholdAlert), r.ThresholdAlertEnabled, strOrNull(r.LastCopiedFile),
				timeOrNull(r.LastCopiedDate), timeOrNull(r.LastCopiedDateUTC), strOrNull(r.LastRestoredFile),
				timeOrNull(r.LastRestoredDate), timeOrNull(r.LastRestoredDateUTC), lat, int64(r.HistoryRetention)})
		}
		return t
	case "log_shipping_primary_databases":
		t := &table{name: obj, cols: []tds.Column{cGUID("primary_id"), cStr("primary_database", 128), cStr("backup_directory", 500),
			cStr("backup_share", 500), cInt("backup_retention_period"), cGUID("backup_job_id"), cStr("monitor_server", 128),
			cStr("last_backup_file", 500), cDT("last_backup_date")}}
		for _, r := range m.Primaries {
			t.rows = append(t.rows, []any{r.PrimaryID, r.PrimaryDatabase, r.BackupDirectory, r.BackupShare,
				int64(r.BackupRetentionPeriod), r.BackupJobID, r.MonitorServer, strOrNull(r.LastBackupFile), timeOrNull(r.LastBackupDate)})
		}
		return t
	case "log_shipping_primary_secondaries":
		return in.primarySecondariesTable()
	case "log_shipping_monitor_primary":
		t := &table{name: obj, cols: []tds.Column{cGUID("primary_id"), cStr("primary_server", 128), cStr("primary_database", 128),
			cInt("backup_threshold"), cStr("last_backup_file", 500), cDT("last_backup_date"), cDT("last_backup_date_utc")}}
		for _, r := range m.MonitorPrimary {
			t.rows = append(t.rows, []any{r.PrimaryID, r.PrimaryServer, r.PrimaryDatabase, int64(r.BackupThreshold),
				strOrNull(r.LastBackupFile), timeOrNull(r.LastBackupDate), timeOrNull(r.LastBackupDateUTC)})
		}
		return t
	case "log_shipping_monitor_history_detail":
		t := &table{name: obj, cols: []tds.Column{cGUID("agent_id"), cTiny("agent_type"), cInt("session_id"),
			cStr("database_name", 128), cTiny("session_status"), cDT("log_time"), cDT("log_time_utc"), cStr("message", 4000)}}
		for _, r := range m.History {
			t.rows = append(t.rows, []any{r.AgentID, int64(r.AgentType), int64(r.SessionID), r.DatabaseName,
				int64(r.SessionStatus), r.LogTime, r.LogTimeUTC, r.Message})
		}
		return t
	case "log_shipping_monitor_error_detail":
		t := &table{name: obj, cols: []tds.Column{cGUID("agent_id"), cTiny("agent_type"), cInt("session_id"),
			cStr("database_name", 128), cInt("sequence_number"), cDT("log_time"), cDT("log_time_utc"), cStr("message", 4000),
			cStr("source", 4000), cStr("help_url", 4000)}}
		for _, r := range m.Errors {
			t.rows = append(t.rows, []any{r.AgentID, int64(r.AgentType), int64(r.SessionID), r.DatabaseName,
				int64(r.SequenceNumber), r.LogTime, r.LogTimeUTC, r.Message, r.Source, nil})
		}
		return t
	case "backupset":
		t := &table{name: obj, cols: []tds.Column{cInt("backup_set_id"), cGUID("backup_set_uuid"), cInt("media_set_id"),
			cStr("name", 128), cStr("type", 1), cStr("database_name", 128), cStr("server_name", 128), cStr("machine_name", 128),
			cLSN("first_lsn"), cLSN("last_lsn"), cLSN("checkpoint_lsn"), cLSN("database_backup_lsn"),
			cDT("backup_start_date"), cDT("backup_finish_date"), cNum("backup_size", 20, 0), cBit("is_copy_only"),
			cBit("is_damaged"), cBit("has_backup_checksums"), cBit("begins_log_chain"), cGUID("family_guid"),
			cGUID("first_recovery_fork_guid"), cGUID("last_recovery_fork_guid"), cStr("recovery_model", 60),
			cStr("user_name", 128), cGUID("database_guid"), cLSN("fork_point_lsn")}}
		for _, r := range m.BackupSets {
			t.rows = append(t.rows, []any{int64(r.BackupSetID), r.BackupSetUUID, int64(r.MediaSetID), nil, r.Type,
				r.DatabaseName, r.ServerName, r.MachineName, lsnValue(r.FirstLSN), lsnValue(r.LastLSN),
				lsnValue(r.CheckpointLSN), lsnValue(r.DatabaseBackupLSN), r.BackupStartDate, r.BackupFinishDate,
				r.BackupSize, r.IsCopyOnly, r.IsDamaged, r.HasBackupChecksums, r.BeginsLogChain, r.FamilyGUID,
				r.FirstRecoveryFork, r.LastRecoveryFork, r.RecoveryModel, r.UserName, r.DatabaseGUID, lsnOrNull(r.ForkPointLSN)})
		}
		return t
	case "backupmediafamily":
		t := &table{name: obj, cols: []tds.Column{cInt("media_set_id"), cTiny("family_sequence_number"), cGUID("media_family_id"),
			cStr("physical_device_name", 260), cTiny("device_type")}}
		for _, r := range m.MediaFamilies {
			t.rows = append(t.rows, []any{int64(r.MediaSetID), int64(r.FamilySequenceNumber), r.MediaFamilyID,
				r.PhysicalDeviceName, int64(r.DeviceType)})
		}
		return t
	case "restorehistory":
		t := &table{name: obj, cols: []tds.Column{cInt("restore_history_id"), cDT("restore_date"),
			cStr("destination_database_name", 128), cStr("user_name", 128), cInt("backup_set_id"), cStr("restore_type", 1),
			cBit("replace"), cBit("recovery"), cBit("restart"), cDT("stop_at"), cTiny("device_count"),
			cStr("stop_at_mark_name", 128), cBit("stop_before")}}
		for _, r := range m.RestoreHistory {
			t.rows = append(t.rows, []any{int64(r.RestoreHistoryID), r.RestoreDate, r.DestinationDatabaseName, r.UserName,
				int64(r.BackupSetID), r.RestoreType, r.Replace, r.Recovery, r.Restart, nil, int64(r.DeviceCount), nil, nil})
		}
		return t
	case "sysjobs":
		t := &table{name: obj, cols: []tds.Column{cGUID("job_id"), cStr("originating_server", 128), cStr("name", 128),
			cTiny("enabled"), cStr("description", 512), cInt("start_step_id"), cInt("category_id"), cDT("date_created"),
			cDT("date_modified"), cInt("version_number")}}
		for _, j := range m.Jobs {
			t.rows = append(t.rows, []any{j.JobID, in.cfg.Name, j.Name, boolInt(j.Enabled), j.Description, int64(1),
				int64(j.CategoryID), j.DateCreated, j.DateModified, int64(j.Version)})
		}
		return t
	case "sysjobactivity":
		t := &table{name: obj, cols: []tds.Column{cInt("session_id"), cGUID("job_id"), cDT("run_requested_date"),
			cStr("run_requested_source", 128), cDT("queued_date"), cDT("start_execution_date"), cInt("last_executed_step_id"),
			cDT("last_executed_step_date"), cDT("stop_execution_date"), cInt("job_history_id"), cDT("next_scheduled_run_date")}}
		for _, j := range m.Jobs {
			for _, a := range j.Activity {
				var step, hist any
				if a.LastExecutedStepID != nil {
					step = int64(*a.LastExecutedStepID)
				}
				if a.JobHistoryID != nil {
					hist = int64(*a.JobHistoryID)
				}
				t.rows = append(t.rows, []any{int64(a.SessionID), j.JobID, timeOrNull(a.RunRequestedDate), a.RunRequestedSource,
					nil, timeOrNull(a.StartExecutionDate), step, timeOrNull(a.StopExecutionDate), timeOrNull(a.StopExecutionDate),
					hist, nil})
			}
		}
		return t
	case "sysjobhistory":
		t := &table{name: obj, cols: []tds.Column{cInt("instance_id"), cGUID("job_id"), cInt("step_id"), cStr("step_name", 128),
			cStr("message", 4000), cInt("run_status"), cInt("run_date"), cInt("run_time"), cInt("run_duration"), cStr("server", 128)}}
		for _, r := range m.JobHistory {
			t.rows = append(t.rows, []any{int64(r.InstanceID), r.JobID, int64(r.StepID), r.StepName, r.Message,
				int64(r.RunStatus), int64(r.RunDate), int64(r.RunTime), int64(r.RunDuration), r.Server})
		}
		return t
	case "syscategories":
		t := &table{name: obj, cols: []tds.Column{cInt("category_id"), cInt("category_class"), cTiny("category_type"), cStr("name", 128)}}
		for _, c := range jobCategories {
			t.rows = append(t.rows, []any{int64(c.id), int64(1), int64(1), c.name})
		}
		return t
	}
	return nil
}

func strOrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
