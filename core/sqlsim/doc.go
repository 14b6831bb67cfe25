// Package sqlsim is the T-SQL engine of the project's SQL Server simulator: a small,
// strict engine for exactly the surface a Persistent Chat log-shipping failover uses,
// reproducing SQL Server's error numbers, severities, states and texts. The wire half
// (package tds) serves it to go-mssqldb over TCP; *Instance implements tds.Engine.
//
// Behaviour follows shared/docs/reference/sql-log-shipping.md (msdb tables §2.1,
// sp_delete_log_shipping_secondary_database §2.2, file naming §2.3, jobs §2.4, RESTORE
// §3, errors §3.4, KILL and sessions §3.5, the tool's queries §5); FIDELITY.md lists
// every statement and behaviour with its reference and what is not simulated.
//
// # Go API (stable; the lab builds scenarios with it)
//
//	func NewInstance(cfg Config) *Instance                       // implements tds.Engine
//	func (*Instance) Close()
//	func (*Instance) ServerName() string
//	func (*Instance) Login(ctx, tds.LoginRequest) (tds.Session, error)
//	func (*Instance) CreateDatabase(name string, files []DatabaseFile) error // ONLINE, FULL
//	func (*Instance) Commit(db string, n int) error                          // n transactions
//	func (*Instance) BackupDatabase(ctx, db, path string) (BackupInfo, error)
//	func (*Instance) BackupLog(ctx, db, path string, norecovery bool) (BackupInfo, error)
//	func (*Instance) RestoreDatabase(ctx, db, path string, opts RestoreOptions) error // path "" = recovery only
//	func (*Instance) RestoreLog(ctx, db, path string, opts RestoreOptions) error
//	func (*Instance) ConfigureLogShippingPrimary(PrimaryConfig) error
//	func (*Instance) ConfigureLogShippingSecondary(SecondaryConfig) error
//	func (*Instance) RunJob(ctx, name string) error   // one synchronous run, as the agent would
//	func (*Instance) WaitJob(ctx, name string) error  // wait until a job started by sp_start_job is idle
//	func (*Instance) StartAgent(ctx, interval time.Duration) // run enabled jobs every interval
//	func (*Instance) SetAgentRunning(on bool)                // agent service state (default running)
//	func (*Instance) OpenAppSession(db string, reconnectAfterKill time.Duration) (*AppSession, error)
//	    (*AppSession).SPID() int; Reconnects() int; Close()
//	func (*Instance) AddBackgroundSession(db, command string) (int, error) // system task, spid >= 51
//	func (*Instance) AddFault(Fault) error; ClearFaults()
//	func (*Instance) SetDown(down bool)
//	func (*Instance) Database(name string) (DatabaseState, bool)
//	func (*Instance) Databases() []string
//	func (*Instance) Statements() []StatementRecord
//	func (*Instance) Snapshot() ([]byte, error)
//	func ReadBackupHeader(path string) (Header, error)
//	func WriteBackupFile(path string, h Header) error
//	type Error struct{ Messages []tds.Message }  // Number() = first, Has(n)
//	type FileError struct{ Path; Kind FileErrorKind; OSError; Page; Err } // backup file problems
//	var ErrInstanceDown                                // SetDown(true) in force
//	func (*Instance) ProductVersion() (major, minor uint8, build uint16) // tds.VersionedEngine
//
// Config.Host is the Windows computer the instance runs on (SERVERPROPERTY('MachineName'));
// with Config.Hosts (a *hostfs.Network, package core/sqlsim/hostfs) every path the
// instance is given is a Windows path (X:\... of its own host, \\HOST\share\..., admin
// shares \\HOST\X$\...) resolved case-insensitively to a lab folder, with SQL Server's
// operating-system errors (3201 with 53, 3, 2); without it, paths are this machine's
// absolute paths (FIDELITY.md "Hosts and paths").
//
// Go API methods run exactly the code of the corresponding T-SQL statements, as a
// sysadmin session that is in master and not listed in the DMVs. Their SQL errors are
// *Error values carrying the messages a client would get (e.g. 4305 then 3013).
//
// # Data model
//
// Each database carries a committed-transaction counter (Txn) and an LSN chain. Commit
// advances both; BACKUP LOG captures the range since the previous log backup; RESTORE
// LOG applies a backup when FirstLSN <= redo_start_lsn < LastLSN (else 4305 / 4326)
// and sets Txn to the backup's last transaction. The counter is queryable as
// SELECT MAX(id) FROM <db>.dbo.tblChatTxn (one row per transaction), so tests can
// prove that a failed-over database holds every transaction.
//
// Backup files are real files in the simulator's own versioned binary format (see
// backupfile.go): a checksummed header with everything HEADERONLY / FILELISTONLY
// expose, then a generated payload in checksummed 8 KiB pages, so truncated (3203),
// altered (3183) and foreign (3241) files are detected as SQL Server would.
package sqlsim
