package failover

// The T-SQL the engine sends, in one place (reference/sql-log-shipping.md §5, §3.3, §3.5).
// Data is always passed as parameters (@p1...); the only identifier spliced into text is
// the database name, validated by the request and found in sys.databases first, and
// bracket-quoted (quoteIdent).
const (
	// machine_name is the Windows computer name of the backup SQL Server host: the owner
	// of the drive paths msdb names (E:\LSCopy), reached through its administrative share.
	qWhoAmI = `SELECT CAST(IS_SRVROLEMEMBER('sysadmin') AS int) AS is_sysadmin, @@SPID AS spid, @@SERVERNAME AS server_name,
       CAST(SERVERPROPERTY('MachineName') AS nvarchar(128)) AS machine_name`

	qDatabase = `SELECT d.database_id, d.state_desc, d.is_in_standby, d.user_access_desc, r.family_guid
FROM sys.databases AS d
LEFT JOIN sys.database_recovery_status AS r ON r.database_id = d.database_id
WHERE d.name = @p1`

	qRedo = `SELECT f.redo_start_lsn, f.redo_start_fork_guid
FROM sys.master_files AS f
WHERE f.database_id = @p1 AND f.file_id = 1`

	qLastRestore = `SELECT TOP (1) rh.restore_date, rh.restore_type, rh.recovery,
       bs.first_lsn, bs.last_lsn, bs.backup_start_date, bs.backup_finish_date,
       bmf.physical_device_name
FROM msdb.dbo.restorehistory AS rh
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id
WHERE rh.destination_database_name = @p1
ORDER BY rh.restore_history_id DESC`

	qLogShipping = `SELECT s.secondary_id, s.primary_server, s.primary_database, s.backup_source_directory,
       s.backup_destination_directory, s.file_retention_period, s.copy_job_id, s.restore_job_id,
       s.monitor_server, s.last_copied_file, s.last_copied_date,
       d.secondary_database, d.restore_delay, d.restore_all, d.restore_mode, d.disconnect_users,
       d.last_restored_file, d.last_restored_date,
       m.last_copied_date_utc, m.last_restored_date_utc, m.last_restored_latency, m.restore_threshold
FROM msdb.dbo.log_shipping_secondary AS s
JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id
LEFT JOIN msdb.dbo.log_shipping_monitor_secondary AS m
       ON m.secondary_id = s.secondary_id AND m.secondary_database = d.secondary_database
WHERE d.secondary_database = @p1`

	qSecondaryDBExists = `SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = @p1`

	qJob = `SELECT j.name, j.enabled FROM msdb.dbo.sysjobs AS j WHERE j.job_id = @p1`

	// A job is running (or about to) when its latest activity row, in the newest SQL
	// Server Agent session, was requested or started and has not stopped.
	qJobRunning = `SELECT TOP (1) ja.run_requested_date, ja.start_execution_date, ja.stop_execution_date
FROM msdb.dbo.sysjobactivity AS ja
WHERE ja.job_id = @p1
ORDER BY ja.session_id DESC, ja.run_requested_date DESC`

	// RESTORE or BACKUP statements another session is running against the database.
	qRestoreRequests = `SELECT COUNT(*) AS n FROM sys.dm_exec_requests AS r
WHERE r.database_id = @p1 AND r.session_id <> @@SPID AND (r.command LIKE 'RESTORE%' OR r.command LIKE 'BACKUP%')`

	qDisableJob = `EXEC msdb.dbo.sp_update_job @job_id = @p1, @enabled = 0`

	qDeleteLS = `EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = @p1`

	// qHeader reads one backup file's header (the copy-folder proof of the first copy).
	qHeader = "RESTORE HEADERONLY FROM DISK = @p1"

	// qHeaderLine is one line of a RESTORE HEADERONLY batch: statement k reads @pk.
	qHeaderLine = "RESTORE HEADERONLY FROM DISK = @p%d;\n"

	qSessions = `SELECT s.session_id, s.login_time, s.host_name, s.program_name, s.login_name
FROM sys.dm_exec_sessions AS s
WHERE s.database_id = @p1 AND s.session_id <> @@SPID AND s.is_user_process = 1`

	qGetAppLock = `DECLARE @r int;
EXEC @r = sp_getapplock @Resource = @p1, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0, @DbPrincipal = 'public';
SELECT @r AS result`

	qMachineName = `SELECT CAST(SERVERPROPERTY('MachineName') AS nvarchar(128)) AS machine_name`

	qDBState = `SELECT state_desc, is_in_standby, user_access_desc FROM sys.databases WHERE name = @p1`
)

// restoreLogSQL is RESTORE LOG for database db from the device @p1.
func restoreLogSQL(db string) string {
	return "RESTORE LOG " + quoteIdent(db) + " FROM DISK = @p1 WITH NORECOVERY, STATS = 10"
}

// recoverSQL brings db online.
func recoverSQL(db string) string {
	return "RESTORE DATABASE " + quoteIdent(db) + " WITH RECOVERY"
}

// tailLogSQL backs up the tail of db's log to @p1 and leaves it RESTORING.
func tailLogSQL(db string) string {
	return "BACKUP LOG " + quoteIdent(db) + " TO DISK = @p1 WITH NORECOVERY"
}

// killSQL ends one session; spid is an integer read from sys.dm_exec_sessions.
func killSQL(spid int) string {
	return "KILL " + itoa(spid)
}
