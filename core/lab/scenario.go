package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Scenario describes a simulated deployment: how the log shipping of the database got to
// where it is (log backups taken, copied, restored, lost, damaged), the application
// sessions on the secondary, whether the old primary still answers, the simulator's
// knobs and faults, and the Lync pool. Built-in scenarios are Scenarios(); a custom one is
// a JSON file with exactly these fields (see the package documentation), read by
// ReadScenarioFile and checked by Validate.
type Scenario struct {
	// Name identifies the scenario in lab.json ("scenario").
	Name string `json:"name"`
	// Description is one line for humans.
	Description string `json:"description,omitempty"`
	// Database is the log-shipped database; default "mgc".
	Database string `json:"database,omitempty"`
	// PrimaryUp keeps the old primary answering (planned failover, drill: a tail-log backup
	// is possible). When false the primary instance is down: it refuses every login.
	PrimaryUp bool `json:"primaryUp"`
	// TLS makes every instance offer TLS (encrypt=true with the lab's certificate); the
	// --tls flag and Options.TLS force it on.
	TLS bool `json:"tls,omitempty"`
	// Logs describes the log backups taken since the last full backup.
	Logs LogPlan `json:"logs"`
	// RestoreMode of the secondary: "standby" (default; readable, sessions allowed) or
	// "norecovery" (RESTORING).
	RestoreMode string `json:"restoreMode,omitempty"`
	// Sessions is the number of simulated application sessions connected to the database
	// on the backup instance (allowed only in standby).
	Sessions int `json:"sessions,omitempty"`
	// SessionReconnect is how long a killed application session waits before it connects
	// again ("0s": it does not reconnect).
	SessionReconnect Duration `json:"sessionReconnect,omitempty"`
	// Throughput holds the simulator's speed knobs, applied to every instance.
	Throughput Throughput `json:"throughput,omitempty"`
	// Faults are injected into the instances once the scenario is built.
	Faults []FaultSpec `json:"faults,omitempty"`
	// Lync describes the Persistent Chat pool; nil means the default pool.
	Lync *LyncSpec `json:"lync,omitempty"`
	// FailedOver builds the state right after a successful failover: once the scenario
	// is built, the whole failover (steps 0-7, Lync through LyncSim) runs with the ready
	// request, writes are committed on the new primary, and the primary site is rebuilt
	// (its SQL Server up, mgc reinstalled empty, its SQL Servers online in the topology);
	// lab.json names a ready failback request. Needs PowerShell and LyncSim; excludes
	// faults (the failover would meet them).
	FailedOver bool `json:"failedOver,omitempty"`
	// CopyFolderShare makes the copy folder the UNC share \\SQLPCBAK\LSCopy (E:\LSCopy
	// shared): msdb's backup_destination_directory holds the UNC path.
	CopyFolderShare bool `json:"copyFolderShare,omitempty"`
	// ToolOnBackupHost makes the ready request model pcfailover running on SQLPCBAK: its
	// pathMap maps SQLPCBAK's drive paths (E:\, D:\, C:\) to the lab folders instead of
	// SQLPCBAK's administrative shares.
	ToolOnBackupHost bool `json:"toolOnBackupHost,omitempty"`
	// PathMap is "none" for a ready request without any pathMap (on Linux the tool then
	// cannot reach a SQL Server path); "" (default) writes the lab's pathMap.
	PathMap string `json:"pathMap,omitempty"`
	// ShareHostDown takes the whole primary host SQLPCPRI down, not only its SQL Server:
	// its LogShip share answers "Operating system error 53(The network path was not
	// found.)". Needs primaryUp false.
	ShareHostDown bool `json:"shareHostDown,omitempty"`
	// ShareAccessDenied leaves the SQL Servers' service accounts out of the LogShip share's
	// permissions once the scenario is built: SQL Server answers "Operating system error
	// 5(Access is denied.)" through \\SQLPCPRI\LogShip (the copy job fails too), while
	// this machine still reads the folder.
	ShareAccessDenied bool `json:"shareAccessDenied,omitempty"`
}

// LogPlan is the history of the transaction log backups since the last full backup,
// numbered 1..Count in the order the backup job took them. Counts are cumulative: the
// first Restored were copied and restored, the first Copied were copied, the rest were
// never copied.
type LogPlan struct {
	// Count is the number of log backups taken since the last full backup.
	Count int `json:"count"`
	// Copied is how many of them (the first ones) the copy job copied to the copy folder.
	Copied int `json:"copied"`
	// Restored is how many of them (the first ones) the restore job restored.
	Restored int `json:"restored"`
	// TransactionsPerLog is the number of transactions committed on the primary before each
	// log backup; default 25.
	TransactionsPerLog int `json:"transactionsPerLog,omitempty"`
	// TailTransactions are committed on the primary after the last log backup: what only a
	// tail-log backup can save; default 10.
	TailTransactions *int `json:"tailTransactions,omitempty"`
	// SizeBytes is the payload size of each log backup file; default 65536.
	SizeBytes int64 `json:"sizeBytes,omitempty"`
	// FullSizeBytes is the payload size of the full backup; default 1048576.
	FullSizeBytes int64 `json:"fullSizeBytes,omitempty"`
	// Interval between two log backups (the backup job's schedule); default "15m". The last
	// log backup is one interval before the lab starts.
	Interval Duration `json:"interval,omitempty"`
	// Missing lists log backups (1-based) deleted from the share and from the copy folder:
	// a gap in the chain. Only unrestored ones (> Restored) can be missing.
	Missing []int `json:"missing,omitempty"`
	// Damaged lists copied, unrestored log backups whose copy is altered (a checksum
	// mismatch on restore).
	Damaged []int `json:"damaged,omitempty"`
	// Truncated lists copied, unrestored log backups whose copy is cut short.
	Truncated []int `json:"truncated,omitempty"`
	// Partial lists uncopied log backups for which an interrupted copy left a partial
	// <name>.wrk in the copy folder.
	Partial []int `json:"partial,omitempty"`
}

// Throughput holds the simulator's speed knobs.
type Throughput struct {
	// RestoreMBps limits restore speed (MB/s of backup payload); 0 is unlimited.
	RestoreMBps float64 `json:"restoreMBps,omitempty"`
	// StatementLatency is added to every statement.
	StatementLatency Duration `json:"statementLatency,omitempty"`
	// HeaderLatency is added to every RESTORE HEADERONLY / FILELISTONLY.
	HeaderLatency Duration `json:"headerLatency,omitempty"`
	// ShareMBps and ShareLatency make pcfailover read the share as over a network share
	// (MB/s shared by its copies, a latency per file opened): the lab puts them in
	// lab.json's env as PCFAILOVER_SHARE_SIM, which the CLI reads (filecopy.NetShare).
	ShareMBps    float64  `json:"shareMBps,omitempty"`
	ShareLatency Duration `json:"shareLatency,omitempty"`
}

// FaultSpec is one fault-injection rule for an instance.
type FaultSpec struct {
	// Instance is "primary", "backup" or "backupMirror".
	Instance string `json:"instance"`
	// Statement is a regular expression (case-insensitive) matched against statement text;
	// empty matches every statement.
	Statement string `json:"statement,omitempty"`
	// Error is the SQL Server error number raised instead of running the statement.
	Error int `json:"error,omitempty"`
	// Drop closes the connection instead of answering.
	Drop bool `json:"drop,omitempty"`
	// Stall delays the statement by this long before it runs (or fails).
	Stall Duration `json:"stall,omitempty"`
	// Times is how many matching statements the rule affects; 0 means every one.
	Times int `json:"times,omitempty"`
}

// LyncSpec describes the Persistent Chat pool written to the LyncSim state.
type LyncSpec struct {
	// Pool is the pool FQDN; default "pchat.contoso.com".
	Pool string `json:"pool,omitempty"`
	// DataCenters maps a data center name to its Persistent Chat servers (FQDNs). Exactly
	// two data centers; the primary one is PrimaryDataCenter.
	DataCenters map[string][]string `json:"dataCenters,omitempty"`
	// PrimaryDataCenter holds the primary database and the active servers; default "DC1".
	PrimaryDataCenter string `json:"primaryDataCenter,omitempty"`
	// BackupDataCenter holds the backup database; default "DC2".
	BackupDataCenter string `json:"backupDataCenter,omitempty"`
}

// Duration is a time.Duration written in JSON as a Go duration string ("15m", "1.5s").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string such as "15m" or "250ms".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration must be a string such as \"15m\" or \"250ms\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q (use Go syntax such as \"15m\" or \"250ms\")", s)
	}
	*d = Duration(v)
	return nil
}

// ScenarioInfo names and describes a built-in scenario (for --help).
type ScenarioInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Scenarios lists the built-in scenarios, in a stable order.
func Scenarios() []ScenarioInfo {
	all := builtins()
	out := make([]ScenarioInfo, 0, len(all))
	for _, s := range all {
		out = append(out, ScenarioInfo{Name: s.Name, Description: s.Description})
	}
	return out
}

// BuiltinScenario returns a copy of the built-in scenario with that name.
func BuiltinScenario(name string) (Scenario, error) {
	for _, s := range builtins() {
		if s.Name == name {
			return s, nil
		}
	}
	names := make([]string, 0, 6)
	for _, s := range Scenarios() {
		names = append(names, s.Name)
	}
	return Scenario{}, fmt.Errorf("%w: unknown scenario %q (built-in scenarios: %s)", ErrUsage, name, strings.Join(names, ", "))
}

func intp(v int) *int { return &v }

// builtins returns fresh copies of the built-in scenarios each call (no shared state).
func builtins() []Scenario {
	return []Scenario{
		{
			Name: "disaster",
			Description: "primary down; 12 log backups since the last full: 4 restored, 5 copied but not " +
				"restored, the last 3 never copied; secondary in STANDBY with 2 application sessions on mgc",
			Logs:     LogPlan{Count: 12, Copied: 9, Restored: 4},
			Sessions: 2,
		},
		{
			Name: "planned",
			Description: "primary up (a tail-log backup is possible, 10 transactions since the last log " +
				"backup); otherwise as disaster",
			PrimaryUp: true,
			Logs:      LogPlan{Count: 12, Copied: 9, Restored: 4},
			Sessions:  2,
		},
		{
			Name: "gap",
			Description: "primary down; as disaster, but log backup 7 of 12 (copied, not restored) is " +
				"missing from both the share and the copy folder",
			Logs:     LogPlan{Count: 12, Copied: 9, Restored: 4, Missing: []int{7}},
			Sessions: 2,
		},
		{
			Name:        "corrupt",
			Description: "primary down; as disaster, but the copy of log backup 6 of 12 (not restored) is damaged",
			Logs:        LogPlan{Count: 12, Copied: 9, Restored: 4, Damaged: []int{6}},
			Sessions:    2,
		},
		{
			Name: "lagging",
			Description: "primary down; the restore job has been broken for two days: 204 log backups, all " +
				"copied, only the first 4 restored, 200 unapplied",
			Logs: LogPlan{Count: 204, Copied: 204, Restored: 4, Interval: Duration(14*time.Minute + 24*time.Second),
				SizeBytes: 16 << 10, TransactionsPerLog: 5},
			Sessions: 2,
		},
		{
			Name:        "clean",
			Description: "primary down; all 12 log backups copied and restored: nothing left to copy or restore",
			Logs:        LogPlan{Count: 12, Copied: 12, Restored: 12},
		},
		{
			Name: "failedover",
			Description: "right after a successful failover of disaster (steps 0-7 run by pcfailover, LyncSim " +
				"FailedOver with DC2 servers active and the backup mgc mirrored), 40 transactions committed on " +
				"the backup since, the primary site rebuilt with an empty mgc: ready for a failback",
			Logs:       LogPlan{Count: 12, Copied: 9, Restored: 4},
			Sessions:   2,
			FailedOver: true,
		},
	}
}

// Defaults used when a scenario leaves a field empty.
const (
	DefaultDatabase           = "mgc"
	DefaultPool               = "pchat.contoso.com"
	defaultTransactionsPerLog = 25
	defaultTailTransactions   = 10
	defaultLogSize            = 64 << 10
	defaultFullSize           = 1 << 20
	defaultInterval           = 15 * time.Minute
	maxLogs                   = 5000
	maxPayload                = 256 << 20
)

// WithDefaults returns the scenario with every empty field set to its default.
func (s Scenario) WithDefaults() Scenario {
	if s.Database == "" {
		s.Database = DefaultDatabase
	}
	if s.RestoreMode == "" {
		s.RestoreMode = "standby"
	}
	if s.Logs.TransactionsPerLog == 0 {
		s.Logs.TransactionsPerLog = defaultTransactionsPerLog
	}
	if s.Logs.TailTransactions == nil {
		s.Logs.TailTransactions = intp(defaultTailTransactions)
	}
	if s.Logs.SizeBytes == 0 {
		s.Logs.SizeBytes = defaultLogSize
	}
	if s.Logs.FullSizeBytes == 0 {
		s.Logs.FullSizeBytes = defaultFullSize
	}
	if s.Logs.Interval == 0 {
		s.Logs.Interval = Duration(defaultInterval)
	}
	l := LyncSpec{}
	if s.Lync != nil {
		l = *s.Lync
	}
	if l.Pool == "" {
		l.Pool = DefaultPool
	}
	if l.PrimaryDataCenter == "" {
		l.PrimaryDataCenter = "DC1"
	}
	if l.BackupDataCenter == "" {
		l.BackupDataCenter = "DC2"
	}
	if len(l.DataCenters) == 0 {
		// Lync 2013 stretched pool, low-bandwidth layout: four servers per site, the
		// primary site all active, the backup site all idle
		// (reference/lync-persistent-chat.md §3.1).
		l.DataCenters = map[string][]string{
			l.PrimaryDataCenter: {"pc1.contoso.com", "pc2.contoso.com", "pc3.contoso.com", "pc4.contoso.com"},
			l.BackupDataCenter:  {"pc5.contoso.com", "pc6.contoso.com", "pc7.contoso.com", "pc8.contoso.com"},
		}
	}
	s.Lync = &l
	return s
}

// ErrUsage marks errors in the options or the scenario (the CLI exits 2 for them).
var ErrUsage = errors.New("invalid lab options")

// FieldError is one problem in a scenario, naming the JSON field (e.g. "logs.restored").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// ScenarioError lists every problem found in a scenario.
type ScenarioError struct {
	// Source is the scenario file or the built-in name.
	Source string
	Errors []FieldError
}

// Is makes errors.Is(err, ErrUsage) true for scenario errors.
func (e *ScenarioError) Is(target error) bool { return target == ErrUsage }

func (e *ScenarioError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Error()
	}
	return fmt.Sprintf("invalid scenario %s: %s", e.Source, strings.Join(parts, "; "))
}

var (
	sqlNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	fqdnRe    = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
	roleNames = []string{RolePrimary, RoleBackup, RoleBackupMirror}
)

// Validate checks the scenario (after defaults) and returns a *ScenarioError naming every
// bad field, or nil.
func (s Scenario) Validate() error {
	d := s.WithDefaults()
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(d.Name) == "" {
		add("name", "is required")
	} else if len(d.Name) > 64 || strings.ContainsAny(d.Name, "\"\\/\r\n\t") {
		add("name", "must be at most 64 characters without quotes, slashes or control characters")
	}
	if !sqlNameRe.MatchString(d.Database) {
		add("database", "must be a plain SQL identifier (letters, digits, underscore), got %q", d.Database)
	}
	switch d.RestoreMode {
	case "standby", "norecovery":
	default:
		add("restoreMode", "must be \"standby\" or \"norecovery\", got %q", d.RestoreMode)
	}
	lp := d.Logs
	switch {
	case lp.Count < 0:
		add("logs.count", "must not be negative")
	case lp.Count > maxLogs:
		add("logs.count", "must be at most %d", maxLogs)
	}
	if lp.Copied < 0 || lp.Copied > lp.Count {
		add("logs.copied", "must be between 0 and logs.count (%d), got %d", lp.Count, lp.Copied)
	}
	if lp.Restored < 0 || lp.Restored > lp.Copied {
		add("logs.restored", "must be between 0 and logs.copied (%d), got %d", lp.Copied, lp.Restored)
	}
	if lp.TransactionsPerLog < 0 {
		add("logs.transactionsPerLog", "must be positive")
	}
	if *lp.TailTransactions < 0 {
		add("logs.tailTransactions", "must not be negative")
	}
	if lp.SizeBytes < 0 || lp.SizeBytes > maxPayload {
		add("logs.sizeBytes", "must be between 1 and %d", maxPayload)
	}
	if lp.FullSizeBytes < 0 || lp.FullSizeBytes > maxPayload {
		add("logs.fullSizeBytes", "must be between 1 and %d", maxPayload)
	}
	if lp.Interval < 0 || time.Duration(lp.Interval) < time.Second {
		add("logs.interval", "must be at least 1s")
	} else if time.Duration(lp.Interval)*time.Duration(lp.Count+1) > 365*24*time.Hour {
		add("logs.interval", "logs.count x logs.interval must span less than a year")
	}
	checkList := func(field string, list []int, lo, hi int, what string) {
		seen := map[int]bool{}
		for i, n := range list {
			f := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case n < lo || n > hi:
				if lo > hi {
					add(f, "no log backup is %s (got %d)", what, n)
				} else {
					add(f, "must be a log backup number between %d and %d (%s), got %d", lo, hi, what, n)
				}
			case seen[n]:
				add(f, "log backup %d is listed twice", n)
			}
			seen[n] = true
		}
	}
	checkList("logs.missing", lp.Missing, lp.Restored+1, lp.Count, "not restored")
	checkList("logs.damaged", lp.Damaged, lp.Restored+1, lp.Copied, "copied but not restored")
	checkList("logs.truncated", lp.Truncated, lp.Restored+1, lp.Copied, "copied but not restored")
	checkList("logs.partial", lp.Partial, lp.Copied+1, lp.Count, "never copied")
	for _, pair := range []struct {
		name string
		list []int
	}{{"logs.damaged", lp.Damaged}, {"logs.truncated", lp.Truncated}, {"logs.partial", lp.Partial}} {
		for i, n := range pair.list {
			if slices.Contains(lp.Missing, n) {
				add(fmt.Sprintf("%s[%d]", pair.name, i), "log backup %d is also listed in logs.missing", n)
			}
		}
	}
	for i, n := range lp.Damaged {
		if slices.Contains(lp.Truncated, n) {
			add(fmt.Sprintf("logs.damaged[%d]", i), "log backup %d is also listed in logs.truncated", n)
		}
	}
	if d.Sessions < 0 || d.Sessions > 100 {
		add("sessions", "must be between 0 and 100")
	} else if d.Sessions > 0 && d.RestoreMode != "standby" {
		add("sessions", "application sessions need restoreMode \"standby\" (a RESTORING database refuses connections with error 927)")
	}
	if d.SessionReconnect < 0 {
		add("sessionReconnect", "must not be negative")
	}
	if d.Throughput.ShareMBps < 0 || d.Throughput.ShareLatency < 0 {
		add("throughput.shareMBps", "shareMBps and shareLatency must not be negative")
	}
	if d.Throughput.RestoreMBps < 0 {
		add("throughput.restoreMBps", "must not be negative")
	}
	if d.Throughput.StatementLatency < 0 || time.Duration(d.Throughput.StatementLatency) > time.Minute {
		add("throughput.statementLatency", "must be between 0 and 1m")
	}
	if d.Throughput.HeaderLatency < 0 || time.Duration(d.Throughput.HeaderLatency) > time.Minute {
		add("throughput.headerLatency", "must be between 0 and 1m")
	}
	switch d.PathMap {
	case "", "none":
	default:
		add("pathMap", "must be \"none\" (no pathMap in the ready request) or left out, got %q", d.PathMap)
	}
	if d.PathMap == "none" && d.ToolOnBackupHost {
		add("toolOnBackupHost", "cannot be combined with pathMap \"none\": the tool on the backup host reaches its drives through the pathMap")
	}
	if d.ShareHostDown && d.PrimaryUp {
		add("shareHostDown", "takes the primary's whole host down, its SQL Server included: set primaryUp to false")
	}
	if d.FailedOver && (d.PathMap == "none" || d.ShareHostDown || d.ShareAccessDenied) {
		add("failedOver", "cannot be combined with pathMap \"none\", shareHostDown or shareAccessDenied: the failover that builds the scenario needs to reach the share")
	}
	if d.FailedOver && len(d.Faults) > 0 {
		add("faults", "cannot be combined with failedOver: the failover that builds the scenario would meet them")
	}
	for i, f := range d.Faults {
		p := fmt.Sprintf("faults[%d]", i)
		if !slices.Contains(roleNames, f.Instance) {
			add(p+".instance", "must be one of %s, got %q", strings.Join(roleNames, ", "), f.Instance)
		}
		if f.Statement != "" {
			if _, err := regexp.Compile(f.Statement); err != nil {
				add(p+".statement", "is not a valid regular expression: %v", err)
			}
		}
		if f.Error == 0 && !f.Drop && f.Stall == 0 {
			add(p, "must set error, drop or stall")
		}
		if f.Error != 0 && (f.Error < 1 || f.Error > 2147483647) {
			add(p+".error", "must be a SQL Server error number")
		}
		if f.Error != 0 && f.Drop {
			add(p+".drop", "cannot be combined with error")
		}
		if f.Stall < 0 || time.Duration(f.Stall) > 10*time.Minute {
			add(p+".stall", "must be between 0 and 10m")
		}
		if f.Times < 0 {
			add(p+".times", "must not be negative")
		}
	}
	l := d.Lync
	if !fqdnRe.MatchString(l.Pool) {
		add("lync.pool", "must be a fully qualified domain name, got %q", l.Pool)
	}
	if l.PrimaryDataCenter == l.BackupDataCenter {
		add("lync.backupDataCenter", "must differ from lync.primaryDataCenter (%q)", l.PrimaryDataCenter)
	}
	if len(l.DataCenters) != 2 {
		add("lync.dataCenters", "must name exactly two data centers, got %d", len(l.DataCenters))
	}
	for _, dc := range []struct{ field, name string }{{"lync.primaryDataCenter", l.PrimaryDataCenter}, {"lync.backupDataCenter", l.BackupDataCenter}} {
		if _, ok := l.DataCenters[dc.name]; !ok {
			add(dc.field, "%q is not a key of lync.dataCenters", dc.name)
		}
	}
	seen := map[string]string{}
	dcs := make([]string, 0, len(l.DataCenters))
	for dc := range l.DataCenters {
		dcs = append(dcs, dc)
	}
	sort.Strings(dcs)
	total := 0
	for _, dc := range dcs {
		servers := l.DataCenters[dc]
		if len(servers) == 0 {
			add("lync.dataCenters."+dc, "must list at least one server")
		}
		total += len(servers)
		for i, srv := range servers {
			f := fmt.Sprintf("lync.dataCenters.%s[%d]", dc, i)
			if !fqdnRe.MatchString(srv) {
				add(f, "must be a fully qualified domain name, got %q", srv)
			} else if prev, dup := seen[strings.ToLower(srv)]; dup {
				add(f, "%s is already in data center %s", srv, prev)
			}
			seen[strings.ToLower(srv)] = dc
		}
		if len(servers) > 4 {
			// A pool has at most four active servers (lync-persistent-chat.md §1.3), so a
			// data center with more could never hold all of them as active.
			add("lync.dataCenters."+dc, "at most 4 servers per data center (a pool has at most 4 active servers)")
		}
	}
	if total > 8 {
		add("lync.dataCenters", "a Persistent Chat pool has at most 8 servers, got %d", total)
	}
	if len(errs) == 0 {
		return nil
	}
	return &ScenarioError{Source: fmt.Sprintf("%q", d.Name), Errors: errs}
}

// ParseScenario decodes a custom scenario from JSON, rejecting unknown fields, and
// validates it. source names the input in errors (a file path).
func ParseScenario(r io.Reader, source string) (Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return Scenario{}, fmt.Errorf("read scenario %s: %w", source, err)
	}
	if len(data) > 1<<20 {
		return Scenario{}, &ScenarioError{Source: source, Errors: []FieldError{{Field: "(file)", Message: "is larger than 1 MiB"}}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return Scenario{}, &ScenarioError{Source: source, Errors: []FieldError{jsonFieldError(err, data)}}
	}
	if dec.More() {
		return Scenario{}, &ScenarioError{Source: source, Errors: []FieldError{{Field: "(file)", Message: "has data after the scenario object"}}}
	}
	if err := s.Validate(); err != nil {
		var se *ScenarioError
		if errors.As(err, &se) {
			se.Source = source
		}
		return Scenario{}, err
	}
	return s, nil
}

// ReadScenarioFile reads and validates a custom scenario file.
func ReadScenarioFile(path string) (Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("%w: read scenario: %w", ErrUsage, err)
	}
	defer f.Close()
	return ParseScenario(f, path)
}

// jsonFieldError turns a decoding error into a FieldError naming the field when the
// decoder says which one.
func jsonFieldError(err error, data []byte) FieldError {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(file)"
		}
		return FieldError{Field: field, Message: fmt.Sprintf("must be %s, got JSON %s", jsonKind(te.Type.String()), te.Value)}
	case errors.As(err, &se):
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return FieldError{Field: "(file)", Message: fmt.Sprintf("is not valid JSON (line %d): %v", line, se)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return FieldError{Field: name, Message: "is not a scenario field (see `pcfailover lab --help`)"}
	case errors.Is(err, io.EOF):
		return FieldError{Field: "(file)", Message: "is empty"}
	default:
		// Errors from Duration.UnmarshalJSON arrive wrapped without a field name in older
		// decoders; Go 1.24+ includes it in the message.
		return FieldError{Field: "(file)", Message: err.Error()}
	}
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	default:
		return "an object"
	}
}
