package lab

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"pcfailover/core/errlist"
	"pcfailover/core/sqlsim/hostfs"
)

// Options configures a lab.
type Options struct {
	// Dir is the lab directory (created if needed). Required.
	Dir string
	// Scenario names a built-in scenario (see Scenarios); default "disaster".
	Scenario string
	// ScenarioFile is a custom scenario (JSON); it excludes Scenario.
	ScenarioFile string
	// TLS makes every instance require TLS with a certificate the lab generates (the
	// scenario's "tls" field does the same).
	TLS bool
	// LyncModule overrides the path of LyncSim.psd1; by default the lab looks for
	// module/LyncSim/LyncSim.psd1 above the program and the working directory, or uses
	// $PCFAILOVER_LYNCSIM_MODULE.
	LyncModule string
}

// scenario resolves the options to a validated scenario with defaults applied.
func (o Options) scenario() (Scenario, error) {
	var s Scenario
	var err error
	switch {
	case o.Scenario != "" && o.ScenarioFile != "":
		return Scenario{}, fmt.Errorf("%w: give a built-in scenario or a scenario file, not both", ErrUsage)
	case o.ScenarioFile != "":
		s, err = ReadScenarioFile(o.ScenarioFile)
	case o.Scenario != "":
		s, err = BuiltinScenario(o.Scenario)
	default:
		s, err = BuiltinScenario("disaster")
	}
	if err != nil {
		return Scenario{}, err
	}
	if err := s.Validate(); err != nil {
		return Scenario{}, err
	}
	s = s.WithDefaults()
	if o.TLS {
		s.TLS = true
	}
	return s, nil
}

// Lab is a running simulated deployment.
type Lab struct {
	info Info
	lock *dirLock
	dep  *deployment

	closeOnce sync.Once
	closeErr  error
}

// Start builds the scenario and starts every instance in this process, writes
// DIR/lab.json, DIR/request.json and the LyncSim state, and returns once every instance
// accepts connections. Close stops it.
func Start(ctx context.Context, opts Options) (*Lab, error) {
	return start(ctx, opts, 0)
}

func start(ctx context.Context, opts Options, pid int) (_ *Lab, err error) {
	s, err := opts.scenario()
	if err != nil {
		return nil, err
	}
	dir, err := prepareDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	lock, err := acquireLock(dir)
	if errors.Is(err, errLocked) {
		return nil, alreadyRunning(dir)
	}
	if err != nil {
		return nil, err
	}
	l := &Lab{lock: lock}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	if err := cleanDir(dir); err != nil {
		return nil, err
	}
	layout, err := makeLayout(dir, s)
	if err != nil {
		return nil, err
	}
	l.info = Info{
		Dir:             dir,
		Share:           layout.share,
		CopyDestination: layout.copy,
		SQLPaths:        SQLPaths{Share: layout.sqlShare, CopyDestination: layout.sqlCopy},
		HostsDir:        layout.hosts,
		Database:        s.Database,
		Request:         filepath.Join(dir, "request.json"),
		RunDirectory:    layout.run,
		Pool:            s.Lync.Pool,
		Scenario:        s.Name,
		PID:             pid,
		TLS:             s.TLS,
		Env:             map[string]string{},
		Instances:       map[string]InstanceInfo{},
	}
	creds := map[string]InstanceInfo{}
	for _, role := range roleNames {
		pw, err := newPassword()
		if err != nil {
			return nil, fmt.Errorf("lab: generate password: %w", err)
		}
		env := "PCFAILOVER_LAB_" + strings.ToUpper(role) + "_PASSWORD"
		creds[role] = InstanceInfo{ServerName: serverNames[role], MachineName: machineName(role), User: labUser, Password: pw, PasswordEnv: env}
		l.info.Env[env] = pw
	}
	dep, err := buildDeployment(ctx, s, layout, creds)
	if dep != nil {
		l.dep = dep
	}
	if err != nil {
		return nil, fmt.Errorf("lab %s: build scenario %s: %w", dir, s.Name, err)
	}
	for role, ii := range dep.instances {
		l.info.Instances[role] = ii
	}
	l.info.Facts = dep.facts
	lync, err := writeLyncState(s, layout, opts.LyncModule)
	if err != nil {
		return nil, err
	}
	l.info.Lync = lync
	l.info.Env["LYNCSIM_STATE"] = lync.State
	if t := s.Throughput; t.ShareMBps > 0 || t.ShareLatency > 0 {
		l.info.Env["PCFAILOVER_SHARE_SIM"] = fmt.Sprintf("mbps=%g,latency=%s", t.ShareMBps, time.Duration(t.ShareLatency))
	}
	if err := writeRequest(l.info, s); err != nil {
		return nil, err
	}
	if s.FailedOver {
		if err := l.failOver(ctx, s, layout); err != nil {
			return nil, fmt.Errorf("lab %s: build scenario %s: %w", dir, s.Name, err)
		}
	}
	l.info.StartedAt = time.Now().UTC().Truncate(time.Millisecond)
	if err := writeInfo(dir, l.info); err != nil {
		return nil, fmt.Errorf("lab %s: %w", dir, err)
	}
	return l, nil
}

// Info returns the lab.json contents.
func (l *Lab) Info() Info { return l.info }

// Close stops every instance and application session, waits for their goroutines,
// removes lab.json (the lab's passwords) and releases the directory. The files the
// scenario built stay for inspection until the next Start in the same directory.
// Close is idempotent.
func (l *Lab) Close() error {
	l.closeOnce.Do(func() {
		var errs []error
		if l.dep != nil {
			errs = append(errs, l.dep.close())
		}
		if l.info.Dir != "" {
			if err := os.Remove(filepath.Join(l.info.Dir, InfoFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		errs = append(errs, l.lock.release())
		l.closeErr = errlist.Join(errs...)
	})
	return l.closeErr
}

// The lab's SQL login (sysadmin on every instance) and instance names.
const labUser = "pcfailover"

var serverNames = map[string]string{
	RolePrimary:      `SQLPCPRI\PCHAT`,
	RoleBackup:       `SQLPCBAK\PCHAT`,
	RoleBackupMirror: `SQLPCBAKMIR\PCHAT`,
}

// The simulated Windows hosts and the paths SQL Server uses on them (issue 11): the
// primary's log-shipping share \\SQLPCPRI\LogShip is D:\LogShip on SQLPCPRI, the copy
// folder is E:\LSCopy on SQLPCBAK, every instance keeps its database files in
// D:\MSSQL\Data and its own backups in D:\MSSQL\Backup.
const (
	shareName       = "LogShip"
	shareDrivePath  = `D:\LogShip`
	copyShareName   = "LSCopy"
	copyDrivePath   = `E:\LSCopy`
	sqlDataDir      = `D:\MSSQL\Data`
	sqlBackupDir    = `D:\MSSQL\Backup`
	hostsFolderName = "hosts"
)

// hostDrives are the drives each host has (C: is the system drive).
var hostDrives = map[string][]string{
	RolePrimary:      {"C", "D"},
	RoleBackup:       {"C", "D", "E"},
	RoleBackupMirror: {"C", "D", "E"},
}

// machineNames are the Windows hosts of the instances (@@SERVERNAME before the backslash).
func machineName(role string) string {
	n := serverNames[role]
	if i := strings.IndexByte(n, '\\'); i >= 0 {
		return n[:i]
	}
	return n
}

// layout holds the lab's directories (absolute) and the SQL Servers' paths.
type layout struct {
	dir, hosts, run, lync, tls string
	net                        *hostfs.Network
	// share and copy are this machine's folders of the share and the copy folder.
	share, copy string
	// sqlShare is the share's UNC path, sqlBackupDir the primary's own path of it
	// (log_shipping_primary_databases.backup_directory), sqlCopy the copy folder as msdb
	// names it.
	sqlShare, sqlShareDir, sqlCopy string
}

// labPaths are the names the lab owns inside DIR: cleanDir removes only these. share,
// copy, data and backups are the folders of labs from before the hosts model.
var labPaths = []string{InfoFile, stopFile, "request.json", FailbackRequestFile, hostsFolderName, "run", "lync", "tls",
	"share", "copy", "data", "backups"}

// cleanDir removes what a previous lab left in dir (never anything else).
func cleanDir(dir string) error {
	for _, name := range labPaths {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("lab %s: clean %s: %w", dir, name, err)
		}
	}
	return nil
}

func makeLayout(dir string, s Scenario) (layout, error) {
	lo := layout{
		dir:         dir,
		hosts:       filepath.Join(dir, hostsFolderName),
		run:         filepath.Join(dir, "run"),
		lync:        filepath.Join(dir, "lync"),
		tls:         filepath.Join(dir, "tls"),
		sqlShare:    `\\` + machineName(RolePrimary) + `\` + shareName,
		sqlShareDir: shareDrivePath,
		sqlCopy:     copyDrivePath,
	}
	for _, d := range []string{lo.hosts, lo.run, lo.lync} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return layout{}, fmt.Errorf("lab %s: %w", dir, err)
		}
	}
	lo.net = hostfs.New(lo.hosts)
	for _, role := range roleNames {
		h := machineName(role)
		if err := lo.net.AddHost(h, hostDrives[role]...); err != nil {
			return layout{}, fmt.Errorf("lab %s: %w", dir, err)
		}
		for _, p := range []string{sqlDataDir, sqlBackupDir} {
			if err := lo.mkdir(h, p); err != nil {
				return layout{}, err
			}
		}
	}
	pri, bak := machineName(RolePrimary), machineName(RoleBackup)
	if err := lo.net.AddShare(pri, shareName, shareDrivePath); err != nil {
		return layout{}, fmt.Errorf("lab %s: %w", dir, err)
	}
	if err := lo.mkdir(bak, copyDrivePath); err != nil {
		return layout{}, err
	}
	if s.CopyFolderShare {
		if err := lo.net.AddShare(bak, copyShareName, copyDrivePath); err != nil {
			return layout{}, fmt.Errorf("lab %s: %w", dir, err)
		}
		lo.sqlCopy = `\\` + bak + `\` + copyShareName
	}
	var err error
	if lo.share, err = lo.net.Resolve(pri, lo.sqlShare); err != nil {
		return layout{}, fmt.Errorf("lab %s: %w", dir, err)
	}
	if lo.copy, err = lo.net.Resolve(bak, lo.sqlCopy); err != nil {
		return layout{}, fmt.Errorf("lab %s: %w", dir, err)
	}
	return lo, nil
}

// mkdir creates the folder of a drive path on a host.
func (lo layout) mkdir(host, p string) error {
	l, err := lo.net.Resolve(host, p)
	if err == nil {
		err = os.MkdirAll(l, 0o755)
	}
	if err != nil {
		return fmt.Errorf("lab %s: host %s: %s: %w", lo.dir, host, p, err)
	}
	return nil
}

// newPassword returns a random password that satisfies SQL Server's complexity policy
// (upper, lower, digit, symbol) and needs no quoting in a URL or an environment block.
func newPassword() (string, error) {
	const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alnum[int(c)%len(alnum)]
	}
	return "Lab-" + string(out) + "-9x", nil
}
