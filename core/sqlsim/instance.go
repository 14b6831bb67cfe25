package sqlsim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"pcfailover/core/lsn"
	"pcfailover/core/sqlsim/hostfs"
	"pcfailover/core/sqlsim/tds"
)

// Config describes one simulated SQL Server instance.
type Config struct {
	// Name is @@SERVERNAME, e.g. "SQLBACKUP" or `SQLBACKUP\PCHAT`.
	Name string
	// Logins maps SQL login names to passwords.
	Logins map[string]string
	// Sysadmins lists the logins that are members of sysadmin (IS_SRVROLEMEMBER,
	// KILL, the log-shipping procedures). Logins not listed are plain logins.
	Sysadmins []string
	// Clock supplies the current time; nil means time.Now.
	Clock tds.Clock
	// RestoreMBps caps restore and backup throughput on the backup payload (0 = unlimited).
	RestoreMBps float64
	// StatementLatency is added before every statement; HeaderLatency before every
	// RESTORE HEADERONLY / FILELISTONLY / VERIFYONLY.
	StatementLatency, HeaderLatency time.Duration
	// BytesPerTxn is the log payload each committed transaction adds to a log backup
	// (default 8192, one page).
	BytesPerTxn int
	// DataBytes is the data payload of a full backup (default 4 MiB).
	DataBytes int64
	// StandbyRedoStartLSN makes sys.master_files.redo_start_lsn non-NULL for a STANDBY
	// database. Documentation says it is NULL unless the state is RESTORING, so the
	// default (false) reports NULL (reference §3.3 "[I, must test]").
	StandbyRedoStartLSN bool
	// Version is @@VERSION; ProductVersion is SERVERPROPERTY('ProductVersion').
	Version, ProductVersion string
	// Edition is SERVERPROPERTY('Edition').
	Edition string
	// Host is the Windows computer the instance runs on: SERVERPROPERTY('MachineName'),
	// the host whose drives its drive paths name. Default: @@SERVERNAME before the
	// backslash.
	Host string
	// Hosts is the network of simulated Windows hosts that resolves every path the
	// instance is given (BACKUP/RESTORE devices, MOVE targets, log-shipping folders,
	// xp_fileexist): see package hostfs. Nil: paths are this machine's own absolute
	// paths (the simulator's unit tests).
	Hosts *hostfs.Network
}

// DatabaseFile is one file of a database (sys.master_files, RESTORE FILELISTONLY).
type DatabaseFile struct {
	LogicalName  string `json:"logical_name"`
	PhysicalName string `json:"physical_name"`
	// Type is "D" (data) or "L" (log).
	Type string `json:"type"`
	// SizeBytes is the file size reported by the catalog.
	SizeBytes int64 `json:"size_bytes"`
}

// ErrInstanceDown is returned by Login and the Go API while SetDown(true) is in force.
var ErrInstanceDown = errors.New("sqlsim: instance is down")

// Instance is one simulated SQL Server instance. It implements tds.Engine; every
// method is safe for concurrent use.
type Instance struct {
	cfg Config

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced whenever locks or sessions change
	dbs          map[string]*database
	nextDBID     int
	sessions     map[int]*session
	down         bool
	closed       bool
	faults       []*faultState
	stmts        []StatementRecord
	msdb         msdbState
	applocks     []*appLock
	bgCtx        context.Context
	bgCancel     context.CancelFunc
	bg           sync.WaitGroup
	agentRunning bool
	agentSes     int
}

// database is the engine's state of one database.
type database struct {
	Name             string         `json:"name"`
	ID               int            `json:"database_id"`
	State            string         `json:"state_desc"` // ONLINE, RESTORING, OFFLINE
	Standby          bool           `json:"is_in_standby"`
	StandbyFile      string         `json:"standby_file,omitempty"`
	UserAccess       string         `json:"user_access_desc"` // MULTI_USER, SINGLE_USER, RESTRICTED_USER
	ReadOnly         bool           `json:"is_read_only"`
	RecoveryModel    string         `json:"recovery_model_desc"`
	System           bool           `json:"system"`
	CreateDate       time.Time      `json:"create_date"`
	FamilyGUID       uuid.UUID      `json:"family_guid"`
	DatabaseGUID     uuid.UUID      `json:"database_guid"`
	ForkGUID         uuid.UUID      `json:"recovery_fork_guid"`
	FirstForkGUID    uuid.UUID      `json:"first_recovery_fork_guid"`
	ForkPointLSN     lsn.LSN        `json:"fork_point_lsn"`
	Files            []DatabaseFile `json:"files"`
	EndLSN           lsn.LSN        `json:"end_lsn"`
	Txn              int64          `json:"txn"`
	RedoStartLSN     lsn.LSN        `json:"redo_start_lsn"`
	RedoForkGUID     uuid.UUID      `json:"redo_start_fork_guid"`
	LastLogBackupLSN lsn.LSN        `json:"last_log_backup_lsn"`
	LastLogBackupTxn int64          `json:"last_log_backup_txn"`
	FullCheckpoint   lsn.LSN        `json:"database_backup_lsn"`
	// LogChainStarted is set by the first log backup of a log chain (BeginsLogChain).
	LogChainStarted bool `json:"log_chain_started"`
	// restoring is set while a RESTORE/BACKUP holds the database exclusively.
	busySPID int
	busyCmd  string
	// restoreFile is the device of an interrupted/ongoing restore (unused in snapshots).
}

// NewInstance builds an instance with master, tempdb, model and msdb. Call Close to
// stop its background work (agent schedule, app sessions, running jobs).
func NewInstance(cfg Config) *Instance {
	if cfg.Name == "" {
		cfg.Name = "SQLSIM"
	}
	if cfg.Host == "" {
		cfg.Host = machineName(cfg.Name)
	}
	if cfg.BytesPerTxn <= 0 {
		cfg.BytesPerTxn = 8192
	}
	if cfg.DataBytes <= 0 {
		cfg.DataBytes = 4 << 20
	}
	if cfg.ProductVersion == "" {
		cfg.ProductVersion = "12.0.6024.0"
	}
	if cfg.Edition == "" {
		cfg.Edition = "Enterprise Edition (64-bit)"
	}
	if cfg.Version == "" {
		cfg.Version = "Microsoft SQL Server 2014 (SP3) (KB4022619) - " + cfg.ProductVersion + " (X64) \n\tJul 28 2018 11:16:29 \n\tCopyright (c) Microsoft Corporation\n\t" + cfg.Edition + " on Windows NT 6.3 <X64> (Build 9600: ) (Hypervisor)\n"
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &Instance{
		cfg:      cfg,
		changed:  make(chan struct{}),
		dbs:      map[string]*database{},
		nextDBID: 5,
		sessions: map[int]*session{},
		bgCtx:    ctx,
		bgCancel: cancel,
	}
	now := in.now()
	for i, name := range []string{"master", "tempdb", "model", "msdb"} {
		model := "SIMPLE"
		if name == "model" {
			model = "FULL"
		}
		d := in.newDatabase(name, i+1, model, []DatabaseFile{
			{LogicalName: dataLogical(name), PhysicalName: `C:\Program Files\Microsoft SQL Server\MSSQL12.MSSQLSERVER\MSSQL\DATA\` + name + ".mdf", Type: "D", SizeBytes: 4 << 20},
			{LogicalName: logLogical(name), PhysicalName: `C:\Program Files\Microsoft SQL Server\MSSQL12.MSSQLSERVER\MSSQL\DATA\` + name + "log.ldf", Type: "L", SizeBytes: 1 << 20},
		}, now)
		d.System = true
		in.dbs[name] = d
	}
	in.setAgentLocked(true)
	for spid, cmd := range systemCommands {
		s := newSession(in, spid+1, "sa", false)
		s.command = cmd
		s.status = "background"
		s.program = ""
		in.sessions[s.spid] = s
	}
	return in
}

var systemCommands = []string{
	"XE TIMER", "XE DISPATCHER", "LAZY WRITER", "LOG WRITER", "LOCK MONITOR", "SIGNAL HANDLER",
	"RECOVERY WRITER", "TASK MANAGER", "CHECKPOINT", "BRKR TASK", "TRACE QUEUE TASK", "RESOURCE MONITOR",
}

func dataLogical(db string) string {
	switch db {
	case "master":
		return "master"
	case "tempdb":
		return "tempdev"
	case "model":
		return "modeldev"
	case "msdb":
		return "MSDBData"
	}
	return db
}

func logLogical(db string) string {
	switch db {
	case "master":
		return "mastlog"
	case "tempdb":
		return "templog"
	case "model":
		return "modellog"
	case "msdb":
		return "MSDBLog"
	}
	return db + "_log"
}

func (in *Instance) newDatabase(name string, id int, model string, files []DatabaseFile, now time.Time) *database {
	fam := uuid.New()
	fork := uuid.New()
	return &database{
		Name: name, ID: id, State: "ONLINE", UserAccess: "MULTI_USER", RecoveryModel: model,
		CreateDate: now, FamilyGUID: fam, DatabaseGUID: fam, ForkGUID: fork, FirstForkGUID: fork,
		Files:  files,
		EndLSN: lsn.New(uint64(20+id), 100, 1),
	}
}

func (in *Instance) now() time.Time {
	if in.cfg.Clock != nil {
		return in.cfg.Clock()
	}
	return time.Now()
}

// ServerName is @@SERVERNAME.
func (in *Instance) ServerName() string { return in.cfg.Name }

// Close ends every session and stops background goroutines (agent, app sessions,
// running jobs). The instance must not be used afterwards.
func (in *Instance) Close() {
	in.mu.Lock()
	in.closed = true
	for _, s := range in.sessions {
		if s.user {
			s.killLocked()
		}
	}
	in.mu.Unlock()
	in.bgCancel()
	in.bg.Wait()
}

// SetDown simulates the instance going down (true: every session is dropped and
// logins are refused with ErrInstanceDown) or coming back (false).
func (in *Instance) SetDown(down bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.down = down
	if down {
		for _, s := range in.sessions {
			if s.user {
				s.killLocked()
			}
		}
	}
	in.broadcastLocked()
}

// IsDown reports whether the instance is down (SetDown, or a Down fault).
func (in *Instance) IsDown() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.down
}

// broadcastLocked wakes every waiter on lock or session changes.
func (in *Instance) broadcastLocked() {
	close(in.changed)
	in.changed = make(chan struct{})
}

// agentLogin is the SQL Server Agent service's login, a sysadmin as SQL Server setup makes it.
const agentLogin = `NT SERVICE\SQLSERVERAGENT`

func (in *Instance) isSysadmin(login string) bool {
	if login == agentLogin {
		return true
	}
	for _, a := range in.cfg.Sysadmins {
		if strings.EqualFold(a, login) {
			return true
		}
	}
	return false
}

// Login implements tds.Engine: SQL authentication against Config.Logins, then the
// login database (4060 when it cannot be opened).
func (in *Instance) Login(ctx context.Context, req tds.LoginRequest) (tds.Session, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.down || in.closed {
		return nil, ErrInstanceDown
	}
	pw, ok := in.cfg.Logins[req.User]
	if req.Integrated || !ok || pw != req.Password {
		m := errLoginFailed(req.User)
		m.Server = in.cfg.Name
		return nil, &m
	}
	dbName := req.Database
	if dbName == "" {
		dbName = "master"
	}
	d := in.dbs[strings.ToLower(dbName)]
	if d == nil || in.openCheckLocked(d, 0) != nil {
		m := errCannotOpenLoginDB(dbName)
		m.Server = in.cfg.Name
		return nil, &m
	}
	s := newSession(in, in.allocSPIDLocked(), req.User, true)
	s.host = req.HostName
	s.program = req.AppName
	s.db = d.Name
	s.loginDB = d.Name
	in.sessions[s.spid] = s
	in.broadcastLocked()
	return s, nil
}

// allocSPIDLocked returns the lowest free user session id (SQL Server reuses ids).
func (in *Instance) allocSPIDLocked() int {
	for id := 51; ; id++ {
		if _, used := in.sessions[id]; !used {
			return id
		}
	}
}

// openCheckLocked reports whether a session (spid, 0 for a new one) may use d.
func (in *Instance) openCheckLocked(d *database, spid int) *tds.Message {
	switch {
	case d.State == "RESTORING" || (d.busyCmd != "" && d.busySPID != spid && strings.HasPrefix(d.busyCmd, "RESTORE")):
		m := errInRestore(d.Name)
		return &m
	case d.State == "OFFLINE":
		m := errDBOffline(d.Name)
		return &m
	case d.UserAccess == "SINGLE_USER":
		for _, s := range in.sessions {
			if s.spid != spid && s.user && strings.EqualFold(s.db, d.Name) {
				m := msg(924, 14, 1, "Database '%s' is already open and can only have one user at a time.", d.Name)
				return &m
			}
		}
	}
	return nil
}

func (in *Instance) dbLocked(name string) *database { return in.dbs[strings.ToLower(name)] }

// CreateDatabase creates an ONLINE database in FULL recovery with the given files
// (nil: one data and one log file under C:\SQLData).
func (in *Instance) CreateDatabase(name string, files []DatabaseFile) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.down {
		return ErrInstanceDown
	}
	if in.dbLocked(name) != nil {
		return fmt.Errorf("create database %s: %s", name, msg(1801, 16, 3, "Database '%s' already exists. Choose a different database name.", name).Text)
	}
	if len(files) == 0 {
		files = []DatabaseFile{
			{LogicalName: name, PhysicalName: `C:\SQLData\` + name + ".mdf", Type: "D", SizeBytes: 64 << 20},
			{LogicalName: name + "_log", PhysicalName: `C:\SQLData\` + name + "_log.ldf", Type: "L", SizeBytes: 16 << 20},
		}
	}
	for _, f := range files {
		if f.Type != "D" && f.Type != "L" {
			return fmt.Errorf("create database %s: file %s: type must be D or L", name, f.LogicalName)
		}
		if other := in.fileOwnerLocked(f.PhysicalName, ""); other != "" {
			return fmt.Errorf("create database %s: %s", name, errFileInUse(f.PhysicalName, other).Text)
		}
	}
	d := in.newDatabase(name, in.nextDBID, "FULL", append([]DatabaseFile(nil), files...), in.now())
	in.nextDBID++
	in.dbs[strings.ToLower(name)] = d
	return nil
}

func (in *Instance) fileOwnerLocked(physical, except string) string {
	for _, d := range in.dbs {
		if strings.EqualFold(d.Name, except) {
			continue
		}
		for _, f := range d.Files {
			if strings.EqualFold(f.PhysicalName, physical) {
				return d.Name
			}
		}
	}
	return ""
}

// advanceLSN moves an LSN forward by n log blocks, rolling into the next virtual log
// file as SQL Server's do.
func advanceLSN(l lsn.LSN, n int64) lsn.LSN {
	block := l.Block + uint64(n)*16
	vlf := l.VLF
	for block >= 1_000_000 {
		block -= 1_000_000
		vlf++
	}
	return lsn.New(vlf, block, 1)
}

// Commit commits n transactions in db: the transaction counter (tblChatTxn) and the
// end of the log advance. The database must be ONLINE and writable.
func (in *Instance) Commit(db string, n int) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.down {
		return ErrInstanceDown
	}
	d := in.dbLocked(db)
	if d == nil {
		return fmt.Errorf("commit %s: %s", db, errDBNotExist(db).Text)
	}
	if d.State != "ONLINE" || d.busyCmd != "" {
		return fmt.Errorf("commit %s: %s", db, errInRestore(d.Name).Text)
	}
	if d.Standby || d.ReadOnly {
		return fmt.Errorf("commit %s: %s", db, errReadOnlyDB(d.Name).Text)
	}
	if n < 0 {
		return fmt.Errorf("commit %s: negative count %d", db, n)
	}
	d.Txn += int64(n)
	d.EndLSN = advanceLSN(d.EndLSN, int64(n))
	return nil
}

// DatabaseState is a snapshot of one database for assertions.
type DatabaseState struct {
	Name          string
	ID            int
	State         string // ONLINE, RESTORING, OFFLINE
	Standby       bool
	UserAccess    string
	RecoveryModel string
	FamilyGUID    uuid.UUID
	ForkGUID      uuid.UUID
	// RedoStartLSN is the LSN the next log restore must contain (zero when ONLINE).
	RedoStartLSN lsn.LSN
	// EndLSN is the end of the log of an ONLINE database.
	EndLSN lsn.LSN
	// Txn is the number of committed transactions the database holds
	// (SELECT MAX(id) FROM dbo.tblChatTxn).
	Txn   int64
	Files []DatabaseFile
}

// Database returns a snapshot of the named database.
func (in *Instance) Database(name string) (DatabaseState, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(name)
	if d == nil {
		return DatabaseState{}, false
	}
	return DatabaseState{
		Name: d.Name, ID: d.ID, State: d.State, Standby: d.Standby, UserAccess: d.UserAccess,
		RecoveryModel: d.RecoveryModel, FamilyGUID: d.FamilyGUID, ForkGUID: d.ForkGUID,
		RedoStartLSN: d.RedoStartLSN, EndLSN: d.EndLSN, Txn: d.Txn,
		Files: append([]DatabaseFile(nil), d.Files...),
	}, true
}

// Databases lists the database names in database_id order.
func (in *Instance) Databases() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var ds []*database
	for _, d := range in.dbs {
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

// StatementRecord is one statement a session ran, with the parameters it was given.
type StatementRecord struct {
	SPID   int
	Login  string
	Time   time.Time
	Text   string
	Params []tds.Param
	// Proc is the procedure name for an RPC by name ("" for batches and sp_executesql).
	Proc string
}

// Statements returns every statement run so far, in order.
func (in *Instance) Statements() []StatementRecord {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]StatementRecord(nil), in.stmts...)
}

func (in *Instance) record(r StatementRecord) {
	in.mu.Lock()
	in.stmts = append(in.stmts, r)
	in.mu.Unlock()
}

// sleep waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ProductVersion implements tds.VersionedEngine from Config.ProductVersion.
func (in *Instance) ProductVersion() (major, minor uint8, build uint16) {
	var a, b, c int
	fmt.Sscanf(in.cfg.ProductVersion, "%d.%d.%d", &a, &b, &c)
	return uint8(a), uint8(b), uint16(c)
}

var (
	_ tds.Engine             = (*Instance)(nil)
	_ tds.VersionedEngine    = (*Instance)(nil)
	_ tds.Session            = (*session)(nil)
	_ tds.TransactionSession = (*session)(nil)
)

// AddBackgroundSession adds a system task (is_user_process = 0) whose current database
// is db and returns its session id. Like the tasks SQL Server 2025 parks above spid 50
// in user databases (sql-log-shipping.md §1.3, dbatools PR #10729), it has a spid from
// the user range; KILL refuses it with 6107 and it does not block RESTORE.
func (in *Instance) AddBackgroundSession(db, command string) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(db)
	if d == nil {
		return 0, fmt.Errorf("add background session in %s: %s", db, errDBNotExist(db).Text)
	}
	s := newSession(in, in.allocSPIDLocked(), "sa", false)
	s.db, s.loginDB, s.command, s.status = d.Name, d.Name, command, "background"
	in.sessions[s.spid] = s
	in.broadcastLocked()
	return s.spid, nil
}
