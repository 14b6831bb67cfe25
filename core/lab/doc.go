// Package lab starts a whole simulated Persistent Chat deployment for tests, the demo,
// training and benchmarks: three SQL Server simulator instances (core/sqlsim behind the
// TDS server of core/sqlsim/tds) playing the old primary, the log-shipping secondary
// ("backup") and the backup's mirror, the log-shipping share and copy folder with real
// backup files, a LyncSim state file for the pool, and a ready failover request.
//
// A scenario is built by running the simulator's real operations, never by poking its
// state: a full backup of the database on the primary, restored WITH NORECOVERY and then
// STANDBY on the backup; log shipping configured on both sides; then, for every log backup
// of the scenario, transactions committed on the primary and the primary's backup job,
// the backup's copy job and restore job run as SQL Server Agent would (the copy job writes
// <name>.wrk and renames it to .trn), so the files, the msdb log-shipping rows,
// backupset/restorehistory and the database's redo LSN are exactly what log shipping
// leaves behind (reference/sql-log-shipping.md §2). Only then is the damage applied
// (files deleted, altered or truncated, as a disk, a network or an operator would), the
// application sessions opened, the faults armed and the primary taken down.
//
// # Go API
//
//	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: "disaster"})
//	defer l.Close()                     // stops everything; no goroutine is left
//	info := l.Info()                    // the lab.json contents
//	bk := l.Instance(lab.RoleBackup)    // *sqlsim.Instance: Database, Statements, Snapshot, AddFault, SetDown
//	srv := l.Server(lab.RoleBackup)     // *tds.Server: DropConnections
//	l.Hosts().SetDown("SQLPCPRI", true) // *hostfs.Network: the whole host down (its share: error 53)
//	p, err := info.LocalPath("SQLPCBAK", `E:\LSCopy\x.trn`) // a SQL Server path's lab file
//	info, err = lab.Load(dir)           // read DIR/lab.json written by another process
//	lab.Scenarios()                     // built-in names and descriptions
//	s, err := lab.BuiltinScenario("gap") // or lab.ReadScenarioFile(path): the Scenario model
//
// The process side, used by the CLI: Up (lab up), Serve (lab serve), ReadStatus (lab
// status), Down (lab down), Running (is DIR's lock held) and ProcessAlive. Package
// labtest (core/lab/labtest) checks a running lab against its scenario over TCP; other
// packages may use it to assert a lab's starting state. Errors in the options or the
// scenario match errors.Is(err, ErrUsage) (the CLI exits 2); a *ScenarioError lists every
// bad field.
//
// Options.Scenario names a built-in scenario (default "disaster"); Options.ScenarioFile a
// custom one; Options.TLS forces TLS on. Start holds an exclusive OS lock on
// DIR/lab.lock while the lab runs, so two labs cannot share a directory; a stale
// directory (a lab that crashed or was never stopped) is cleaned and reused.
//
// # Processes
//
// `pcfailover lab up` calls Up, which re-executes the program as `pcfailover lab serve`
// (Serve) detached from the caller (a new session on Unix; a new process group without a
// console on Windows), its output in DIR/lab.log, and returns lab.json once every
// instance accepts connections. `lab status` (ReadStatus) reports whether the server
// holds the lock and logs in to every instance. `lab down` (Down) writes DIR/lab.stop
// (polled by the server: the portable stop signal), also sends SIGTERM on Unix, and waits
// until the process has exited. Passwords are generated at start, never placed in a
// process's arguments, and written only to lab.json (mode 0600).
//
// # Directory layout
//
//	DIR/lab.json         the contract below (0600: it holds the lab's throwaway passwords)
//	DIR/lab.lock         locked by the running lab
//	DIR/lab.log          output of `lab serve` (lab up only)
//	DIR/request.json     a ready failover request for this lab (cli/CONTRACT.md)
//	DIR/failback-request.json  a ready failback request (failedover only)
//	DIR/hosts/<HOST>/<DRIVE>/  the drives of the simulated Windows hosts (core/sqlsim/hostfs):
//	                     SQLPCPRI (C, D), SQLPCBAK (C, D, E), SQLPCBAKMIR (C, D, E)
//	DIR/hosts/SQLPCPRI/D/LogShip/  the log-shipping share \\SQLPCPRI\LogShip (D:\LogShip on
//	                     SQLPCPRI): mgc_YYYYMMDDHHMMSS.trn (UTC) and the primary's full backup
//	                     mgc_full_YYYYMMDDHHMMSS.bak (for drills)
//	DIR/hosts/SQLPCBAK/E/LSCopy/   the copy folder E:\LSCopy on SQLPCBAK (also shared as
//	                     \\SQLPCBAK\LSCopy with copyFolderShare)
//	DIR/hosts/<HOST>/D/MSSQL/Data/    each instance's database files (metadata only) and
//	                     the STANDBY undo file's folder
//	DIR/hosts/SQLPCPRI/D/MSSQL/Backup/ the full backup the secondary was initialised from
//	DIR/hosts/.down/<HOST>/  the folder of a host that is down (shareHostDown,
//	                     Lab.Hosts().SetDown): neither SQL Server nor this machine reach it
//	DIR/tls/             the lab's certificate (sqlsim-cert.pem) and key, when TLS
//	DIR/lync/state.json  the LyncSim state (LYNCSIM_STATE)
//	DIR/run/             the request's runDirectory
//
// # Hosts and paths
//
// Each instance runs on its own simulated Windows host (SERVERPROPERTY('MachineName')):
// primary SQLPCPRI, backup SQLPCBAK, backup mirror SQLPCBAKMIR. Every path SQL Server
// stores or is given is a Windows path, resolved by core/sqlsim/hostfs as SQL Server's
// machine would: a drive path (E:\LSCopy\x.trn) is that instance's own drive, so E:\ of
// two hosts are different folders; a UNC path is a named share (\\SQLPCPRI\LogShip) or an
// administrative share (\\SQLPCBAK\E$\LSCopy); names match case-insensitively. msdb
// holds backup_directory D:\LogShip and backup_share \\SQLPCPRI\LogShip on the primary,
// backup_source_directory \\SQLPCPRI\LogShip and backup_destination_directory E:\LSCopy
// on the backup, and Windows paths in last_copied_file, last_restored_file,
// backupmediafamily and sys.master_files (D:\MSSQL\Data\mgc.mdf). The secondary was
// initialised from \\SQLPCPRI\D$\MSSQL\Backup\mgc_full_<stamp>.bak. In scenarios with
// the primary down only its SQL Server is down: the host still serves the share, unless
// shareHostDown. A share of a host that is down fails with SQL Server's 3201 "Operating
// system error 53(The network path was not found.)".
//
// This machine (the tool) reaches the same places through the ready request's pathMap:
// lab.json's share and copyDestination are this machine's folders, sqlPaths the SQL
// Servers' names for them.
//
// # lab.json
//
//	{ "instances": {
//	    "primary":      { "address": "127.0.0.1:PORT", "host": "127.0.0.1", "port": PORT,
//	                      "serverName": "SQLPCPRI\\PCHAT", "machineName": "SQLPCPRI",
//	                      "user": "pcfailover", "password": "...",
//	                      "passwordEnv": "PCFAILOVER_LAB_PRIMARY_PASSWORD", "up": false,
//	                      "certificate": "<pem path, when TLS>" },
//	    "backup":       { ... "up": true },
//	    "backupMirror": { ... "up": true } },
//	  "share": "<abs path of DIR/hosts/SQLPCPRI/D/LogShip>",
//	  "copyDestination": "<abs path of DIR/hosts/SQLPCBAK/E/LSCopy>",
//	  "sqlPaths": { "share": "\\\\SQLPCPRI\\LogShip", "copyDestination": "E:\\LSCopy" },
//	  "hostsDir": "<abs path of DIR/hosts>", "database": "mgc",
//	  "request": "<abs path of DIR/request.json>",
//	  "failbackRequest": "<abs path of DIR/failback-request.json, failedover only>",
//	  "env": { "PCFAILOVER_LAB_BACKUP_PASSWORD": "...", "PCFAILOVER_LAB_PRIMARY_PASSWORD": "...",
//	           "PCFAILOVER_LAB_BACKUPMIRROR_PASSWORD": "...", "LYNCSIM_STATE": "<abs path>" },
//	  "lync": { "module": "<abs path of module/LyncSim/LyncSim.psd1>", "state": "<abs path>",
//	            "dataCenters": { "pc1.contoso.com": "DC1", ... },
//	            "primaryDataCenter": "DC1", "backupDataCenter": "DC2" },
//	  "pool": "pchat.contoso.com", "scenario": "disaster", "pid": 12345,
//	  "dir": "<abs path>", "runDirectory": "<abs path>", "tls": false, "startedAt": "...",
//	  "facts": { "fullBackup": "\\\\SQLPCPRI\\D$\\MSSQL\\Backup\\mgc_full_...bak",
//	             "shareFullBackup": "\\\\SQLPCPRI\\LogShip\\mgc_full_...bak", "logs": [ { "number": 1, "name": "mgc_20261125120000.trn",
//	             "firstLsn": "...", "lastLsn": "...", "lastTransaction": 125, "inShare": true,
//	             "copied": true, "restored": true } ],
//	             "primaryTransactions": 410, "chainTransactions": 400,
//	             "restoredTransactions": 200, "sessions": [ 53, 54 ] } }
//
// "pid" is present when the lab is served by `lab up` / `lab serve`. "facts" records what
// the scenario built (every log backup and its fate, the transaction counts), so tests
// can assert "the restored database holds every transaction of the chain" without
// recomputing the scenario.
//
// The ready request (DIR/request.json, cli/CONTRACT.md) uses auth "sql" with user
// "pcfailover" and passwordEnv naming the variables of "env"; server 127.0.0.1 and the
// port; encrypt "disable", or "true" with "certificate" when TLS; primarySqlInstance only
// when the primary is up; backupMirrorSqlInstance; runDirectory DIR/run; and a lync
// section (module, activeServers: the backup data center's servers, dataCenters,
// backupDataCenter), and a pathMap (issue 11) that lets this machine reach the SQL
// Servers' paths: {"from": "\\\\SQLPCPRI\\LogShip", "to": "<share>"} and, for every host
// H and drive X, {"from": "\\\\H\\X$", "to": "DIR/hosts/H/X"} (with copyFolderShare also
// \\SQLPCBAK\LSCopy; with toolOnBackupHost SQLPCBAK's drives as "X:\\" instead of its
// admin shares; none with pathMap "none"). The password itself is never in the request.
//
// # Built-in scenarios
//
//	disaster  primary down; 12 log backups since the last full: 4 restored, 5 copied but
//	          not restored, the last 3 never copied; secondary in STANDBY with 2
//	          application sessions on mgc
//	planned   primary up, so a tail-log backup is possible (10 transactions since the last
//	          log backup); otherwise as disaster
//	gap       as disaster, but log backup 7 (copied, not restored) is missing from both the
//	          share and the copy folder
//	corrupt   as disaster, but the copy of log backup 6 (not restored) is damaged
//	lagging   restore job broken for two days: 204 log backups, all copied, 4 restored,
//	          200 unapplied
//	clean     all 12 log backups copied and restored: nothing left to copy or restore
//	failedover right after a successful failover of disaster, for failback: see below
//
// In every scenario the secondary was initialised from a full backup taken one interval
// before the first log backup, the log backups are one interval apart, the last one is
// one interval before the lab started, and 10 transactions were committed on the primary
// after it (the tail only a tail-log backup saves). A STANDBY secondary is ONLINE and
// read-only (is_in_standby = 1), as SQL Server reports it. The primary instance of a
// "primary down" scenario still listens but refuses every login (sqlsim SetDown); it can
// be brought back with l.Instance("primary").SetDown(false).
//
// failedover (Scenario.FailedOver) is built with real operations only: disaster, then the
// whole failover (pcfailover's engine, steps 0-7, the Lync half through core/lync against
// LyncSim) with the ready request, so the backup mgc is ONLINE and the pool's database,
// LyncSim is FailedOver with the backup data center's servers active and the backup store
// mirrored, and the failover's journal (with the pre-failover msdb snapshot) is in DIR/run;
// then 40 transactions are committed on the backup (FailedOverTransactions), and the
// primary site is rebuilt: the primary instance up again with mgc dropped and recreated
// empty (a new database family, as Topology Builder's reinstall leaves it), its SQL
// Servers online in LyncSim and the lost primary's mirroring session ended
// (Uninstall-CsMirrorDatabase for the primary store: the reinstalled mgc is not mirrored). lab.json adds "failbackRequest" (DIR/failback-request.json:
// the ready request plus primarySqlInstance and a failback section with the primary data
// center's servers and a mirror file share) and facts.failedOver (failoverRunId,
// backupTransactions: what the primary must hold after the failback,
// failbackActiveServers). It needs PowerShell (pwsh) and the LyncSim module, and excludes
// faults.
//
// Every scenario also gets a Persistent Chat pool (pchat.contoso.com) with pc1-pc4 in DC1
// (active, with the primary database) and pc5-pc8 in DC2 (idle, with the backup
// database), in the LyncSim state.
//
// # Custom scenario file
//
// `--scenario-file FILE` reads a JSON object with these fields (unknown fields are
// errors; every error names its field, e.g. "logs.restored: must be between 0 and
// logs.copied (9), got 10"):
//
//	{
//	  "name": "my-drill",                  required
//	  "description": "...",
//	  "database": "mgc",                   default "mgc"
//	  "primaryUp": false,                  the old primary answers (tail-log backup possible)
//	  "tls": false,                        every instance requires TLS with the lab's certificate
//	  "restoreMode": "standby",            or "norecovery" (the secondary stays RESTORING)
//	  "sessions": 2,                       application sessions on the backup database (standby only)
//	  "sessionReconnect": "0s",            a killed session reconnects after this long (0: never)
//	  "logs": {
//	    "count": 12,                       log backups since the last full backup
//	    "copied": 9,                       the first 9 were copied to the copy folder
//	    "restored": 4,                     the first 4 were restored (<= copied)
//	    "transactionsPerLog": 25,          transactions committed before each log backup
//	    "tailTransactions": 10,            committed after the last log backup
//	    "sizeBytes": 65536,                payload of each log backup file
//	    "fullSizeBytes": 1048576,          payload of the full backup
//	    "interval": "15m",                 backup job schedule (file names and dates follow it)
//	    "missing": [7],                    deleted from share and copy folder (must be > restored)
//	    "damaged": [6],                    copy altered: checksum error on restore (restored < n <= copied)
//	    "truncated": [],                   copy cut short (restored < n <= copied)
//	    "partial": [10]                    an interrupted copy left <name>.wrk (copied < n <= count)
//	  },
//	  "throughput": { "restoreMBps": 50, "statementLatency": "5ms", "headerLatency": "20ms",
//	                  "shareMBps": 100, "shareLatency": "5ms" },
//	                                       shareMBps/shareLatency: pcfailover reads the share as over a
//	                                       network share (lab.json env PCFAILOVER_SHARE_SIM, read by the CLI)
//	  "failedOver": false,                 build the state right after a failover (no faults)
//	  "copyFolderShare": false,            the copy folder is the UNC share \\SQLPCBAK\LSCopy (E:\LSCopy
//	                                       shared), as msdb's backup_destination_directory
//	  "toolOnBackupHost": false,           the request's pathMap models pcfailover on SQLPCBAK:
//	                                       SQLPCBAK's drive paths (C:\ D:\ E:\) map to its drives
//	  "pathMap": "none",                   the request has no pathMap at all (default: the lab's)
//	  "shareHostDown": false,              the whole host SQLPCPRI is down (needs primaryUp false):
//	                                       its share answers 3201 with operating system error 53
//	  "shareAccessDenied": false,          the SQL Servers' service accounts may not read the
//	                                       LogShip share (3201, operating system error 5);
//	                                       this machine still can
//	  "faults": [ { "instance": "backup", "statement": "^RESTORE LOG", "error": 3203, "times": 1 },
//	              { "instance": "backup", "statement": "sp_delete_log_shipping", "drop": true },
//	              { "instance": "backup", "statement": "KILL", "stall": "2s" } ],
//	  "lync": { "pool": "pchat.contoso.com",
//	            "dataCenters": { "DC1": ["pc1.contoso.com"], "DC2": ["pc3.contoso.com"] },
//	            "primaryDataCenter": "DC1", "backupDataCenter": "DC2" }
//	}
package lab
