package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Instance roles: the keys of Info.Instances and the argument of Lab.Instance.
const (
	RolePrimary      = "primary"
	RoleBackup       = "backup"
	RoleBackupMirror = "backupMirror"
)

// InfoFile is the name of the lab's contract file inside its directory.
const InfoFile = "lab.json"

// Info is the content of DIR/lab.json, the stable contract other tools read.
type Info struct {
	// Instances by role: "primary", "backup", "backupMirror".
	Instances map[string]InstanceInfo `json:"instances"`
	// Share is the log-shipping backup share as this machine reaches it (the lab folder
	// DIR/hosts/SQLPCPRI/D/LogShip, absolute), where the primary's backup job writes log
	// backups.
	Share string `json:"share"`
	// CopyDestination is the backup server's copy folder as this machine reaches it (the
	// lab folder DIR/hosts/SQLPCBAK/E/LSCopy, absolute).
	CopyDestination string `json:"copyDestination"`
	// SQLPaths are the same two folders as the SQL Servers name them (Windows paths, as
	// msdb holds them).
	SQLPaths SQLPaths `json:"sqlPaths"`
	// HostsDir is the folder of the simulated Windows hosts (DIR/hosts): host H's drive X
	// is HostsDir/H/X.
	HostsDir string `json:"hostsDir"`
	// Database is the log-shipped database ("mgc").
	Database string `json:"database"`
	// Request is the absolute path of a ready failover request for this lab.
	Request string `json:"request"`
	// FailbackRequest is the absolute path of a ready failback request, for a lab built
	// failed over (scenario failedover); "" otherwise.
	FailbackRequest string `json:"failbackRequest,omitempty"`
	// Env holds the environment variables the request expects (SQL passwords named by
	// passwordEnv, LYNCSIM_STATE).
	Env map[string]string `json:"env"`
	// Lync locates the LyncSim module and its state file.
	Lync LyncInfo `json:"lync"`
	// Pool is the Persistent Chat pool FQDN.
	Pool string `json:"pool"`
	// Scenario is the scenario name.
	Scenario string `json:"scenario"`
	// PID is the process serving the lab when it was started by `lab up` / `lab serve`;
	// 0 for an in-process lab.
	PID int `json:"pid,omitempty"`
	// Dir is the lab directory (absolute).
	Dir string `json:"dir"`
	// RunDirectory is the runDirectory of the ready request.
	RunDirectory string `json:"runDirectory"`
	// TLS is true when every instance requires encryption with the lab's certificate.
	TLS bool `json:"tls"`
	// StartedAt is when the lab finished starting (UTC).
	StartedAt time.Time `json:"startedAt"`
	// Facts records what the scenario built, for tests to compare against.
	Facts Facts `json:"facts"`
}

// SQLPaths are the log-shipping folders as SQL Server names them.
type SQLPaths struct {
	// Share is msdb's backup_source_directory on the backup instance: \\SQLPCPRI\LogShip.
	Share string `json:"share"`
	// CopyDestination is msdb's backup_destination_directory: E:\LSCopy on SQLPCBAK, or
	// \\SQLPCBAK\LSCopy with the scenario option copyFolderShare.
	CopyDestination string `json:"copyDestination"`
}

// InstanceInfo is how to reach one simulated SQL Server instance.
type InstanceInfo struct {
	// Address is "127.0.0.1:PORT".
	Address string `json:"address"`
	// Host and Port split Address for requests.
	Host string `json:"host"`
	Port int    `json:"port"`
	// ServerName is @@SERVERNAME.
	ServerName string `json:"serverName"`
	// MachineName is the Windows host the instance runs on (SERVERPROPERTY('MachineName')):
	// SQLPCPRI, SQLPCBAK or SQLPCBAKMIR.
	MachineName string `json:"machineName"`
	// User and Password are the instance's SQL login (sysadmin; throwaway lab secret).
	User     string `json:"user"`
	Password string `json:"password"`
	// PasswordEnv is the environment variable (in Info.Env) that carries Password.
	PasswordEnv string `json:"passwordEnv"`
	// Up is false when the instance is down (it refuses logins).
	Up bool `json:"up"`
	// Certificate is the PEM path to verify the server with, when TLS.
	Certificate string `json:"certificate,omitempty"`
}

// LyncInfo locates LyncSim for this lab.
type LyncInfo struct {
	// Module is the absolute path of module/LyncSim/LyncSim.psd1 ("" when not found).
	Module string `json:"module"`
	// State is the LyncSim state file (also in Env as LYNCSIM_STATE).
	State string `json:"state"`
	// DataCenters maps each Persistent Chat server to its data center.
	DataCenters map[string]string `json:"dataCenters"`
	// PrimaryDataCenter and BackupDataCenter name the two sites.
	PrimaryDataCenter string `json:"primaryDataCenter"`
	BackupDataCenter  string `json:"backupDataCenter"`
}

// Facts records what the scenario built: every log backup and what happened to it, and
// the transaction counts, so tests can check "the restored database holds every
// transaction" without recomputing the scenario.
type Facts struct {
	// FullBackup is the full backup the secondary was initialised from, as SQL Server
	// names it (\\SQLPCPRI\D$\MSSQL\Backup\<db>_full_<UTC stamp>.bak: written by the
	// primary to its D:\MSSQL\Backup, restored by the backup through the admin share).
	FullBackup string `json:"fullBackup"`
	// ShareFullBackup is the same full backup as the primary's full backup job leaves it
	// in the log-shipping share (\\SQLPCPRI\LogShip\<db>_full_<UTC stamp>.bak, a SQL Server
	// path), where `pcfailover drill` finds it.
	ShareFullBackup string `json:"shareFullBackup"`
	// Logs lists the log backups in the order they were taken.
	Logs []LogFact `json:"logs"`
	// PrimaryTransactions is the number of transactions committed on the primary (the last
	// transaction id), including the tail not in any log backup.
	PrimaryTransactions int64 `json:"primaryTransactions"`
	// ChainTransactions is the last transaction id the backup database reaches when every
	// unrestored log backup is applied in order (copied ones from the copy folder, the
	// others from the share) up to the first one that is missing, damaged or truncated:
	// with no such log, everything the primary backed up.
	ChainTransactions int64 `json:"chainTransactions"`
	// RestoredTransactions is the last transaction id restored on the backup instance.
	RestoredTransactions int64 `json:"restoredTransactions"`
	// Sessions are the SPIDs of the application sessions on the backup database.
	Sessions []int `json:"sessions"`
	// FailedOver is set when the lab was built failed over (scenario failedover).
	FailedOver *FailedOverFacts `json:"failedOver,omitempty"`
}

// LogFact is one log backup of the scenario.
type LogFact struct {
	// Number is the 1-based position in the chain.
	Number int `json:"number"`
	// Name is the file name (mgc_YYYYMMDDHHMMSS.trn, UTC).
	Name string `json:"name"`
	// FirstLSN and LastLSN as decimal strings (numeric(25,0)).
	FirstLSN string `json:"firstLsn"`
	LastLSN  string `json:"lastLsn"`
	// LastTransaction is the last transaction id the backup carries.
	LastTransaction int64 `json:"lastTransaction"`
	// InShare and InCopy say whether the file is in the share and in the copy folder;
	// Copied and Restored whether the copy and restore jobs processed it; Missing,
	// Damaged, Truncated and Partial mirror the scenario.
	InShare   bool `json:"inShare"`
	InCopy    bool `json:"inCopy"`
	Copied    bool `json:"copied"`
	Restored  bool `json:"restored"`
	Missing   bool `json:"missing,omitempty"`
	Damaged   bool `json:"damaged,omitempty"`
	Truncated bool `json:"truncated,omitempty"`
	Partial   bool `json:"partial,omitempty"`
}

// Load reads DIR/lab.json.
func Load(dir string) (Info, error) {
	path := filepath.Join(dir, InfoFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Info{}, fmt.Errorf("load lab %s: no lab.json (no lab was started in this directory): %w", dir, err)
		}
		return Info{}, fmt.Errorf("load lab %s: %w", dir, err)
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return Info{}, fmt.Errorf("load lab %s: %s: %w", dir, path, err)
	}
	return info, nil
}

// writeInfo writes DIR/lab.json atomically (temporary file, then rename) with mode 0600:
// it holds the lab's passwords.
func writeInfo(dir string, info Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("write lab.json: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, InfoFile), append(data, '\n'), 0o600)
}

// writeFileAtomic writes data to a temporary file in the same directory, then renames it
// over path, so readers see the old or the new content, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(perm); err != nil && !isWindows {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	return nil
}

// Redacted returns a copy of i without the lab's SQL passwords (instance passwords and the
// environment variables that carry them), for printing: the passwords stay in DIR/lab.json
// (mode 0600), which is where programs should read them from.
func (i Info) Redacted() Info {
	const hidden = "(redacted: see lab.json)"
	out := i
	out.Instances = make(map[string]InstanceInfo, len(i.Instances))
	secretEnv := map[string]bool{}
	for role, inst := range i.Instances {
		if inst.Password != "" {
			inst.Password = hidden
		}
		if inst.PasswordEnv != "" {
			secretEnv[inst.PasswordEnv] = true
		}
		out.Instances[role] = inst
	}
	out.Env = make(map[string]string, len(i.Env))
	for k, v := range i.Env {
		if secretEnv[k] {
			v = hidden
		}
		out.Env[k] = v
	}
	return out
}

// LocalPath is this machine's lab folder or file for a path as SQL Server names it:
// a UNC path (\\SQLPCPRI\LogShip\x.trn, \\SQLPCBAK\E$\LSCopy, \\SQLPCBAK\LSCopy with
// copyFolderShare) or a drive path of host (E:\LSCopy\x.trn on SQLPCBAK; host is ignored
// for UNC paths). Tests use it to touch the files facts and msdb name. The case of the
// path is kept (the lab creates its files with the case msdb holds).
func (i Info) LocalPath(host, sqlPath string) (string, error) {
	parts := strings.FieldsFunc(sqlPath, func(r rune) bool { return r == '\\' || r == '/' })
	switch {
	case strings.HasPrefix(sqlPath, `\\`) && len(parts) >= 2:
		h, share, rest := parts[0], parts[1], parts[2:]
		if len(share) == 2 && share[1] == '$' {
			return filepath.Join(append([]string{i.HostsDir, strings.ToUpper(h), strings.ToUpper(share[:1])}, rest...)...), nil
		}
		for _, p := range []struct{ sql, local string }{{i.SQLPaths.Share, i.Share}, {i.SQLPaths.CopyDestination, i.CopyDestination}} {
			sp := strings.FieldsFunc(p.sql, func(r rune) bool { return r == '\\' || r == '/' })
			if strings.HasPrefix(p.sql, `\\`) && len(sp) == 2 && strings.EqualFold(sp[0], h) && strings.EqualFold(sp[1], share) {
				return filepath.Join(append([]string{p.local}, rest...)...), nil
			}
		}
		return "", fmt.Errorf("lab: %s: no such share in the lab", sqlPath)
	case len(sqlPath) >= 3 && sqlPath[1] == ':' && (sqlPath[2] == '\\' || sqlPath[2] == '/') && host != "":
		return filepath.Join(append([]string{i.HostsDir, strings.ToUpper(host), strings.ToUpper(sqlPath[:1])}, parts[1:]...)...), nil
	}
	return "", fmt.Errorf("lab: %s: not a UNC path, or a drive path without its host", sqlPath)
}
