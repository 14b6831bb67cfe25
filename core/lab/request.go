package lab

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
)

// The ready request follows cli/CONTRACT.md (schemaVersion 1). These types mirror it
// field for field so the file reads like the contract's example.
type readyRequest struct {
	SchemaVersion           int              `json:"schemaVersion"`
	PoolFqdn                string           `json:"poolFqdn"`
	Database                string           `json:"database"`
	BackupSqlInstance       requestInstance  `json:"backupSqlInstance"`
	PrimarySqlInstance      *requestInstance `json:"primarySqlInstance"`
	BackupMirrorSqlInstance requestInstance  `json:"backupMirrorSqlInstance"`
	Share                   string           `json:"share"`
	CopyDestination         string           `json:"copyDestination"`
	RunDirectory            string           `json:"runDirectory"`
	PathMap                 []pathMapEntry   `json:"pathMap,omitempty"`
	Lync                    requestLync      `json:"lync"`
	Options                 requestOptions   `json:"options"`
}

// pathMapEntry is one request pathMap entry: a prefix as SQL Server names it, and the
// same place as this machine reaches it.
type pathMapEntry struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// buildPathMap is the ready request's pathMap: the share \\SQLPCPRI\LogShip, and every
// host's drives through their administrative shares (\\H\X$ -> DIR/hosts/H/X), which
// is how pcfailover on a Lync server reaches them; with copyFolderShare also
// \\SQLPCBAK\LSCopy. With toolOnBackupHost, SQLPCBAK's own drives are mapped as drive
// paths (X:\ -> DIR/hosts/SQLPCBAK/X) instead of its admin shares. With pathMap "none",
// nothing.
func buildPathMap(info Info, s Scenario) []pathMapEntry {
	if s.PathMap == "none" {
		return nil
	}
	bak := machineName(RoleBackup)
	out := []pathMapEntry{{From: info.SQLPaths.Share, To: info.Share}}
	if s.CopyFolderShare {
		out = append(out, pathMapEntry{From: info.SQLPaths.CopyDestination, To: info.CopyDestination})
	}
	for _, role := range roleNames {
		h := machineName(role)
		for _, d := range hostDrives[role] {
			local := filepath.Join(info.HostsDir, h, d)
			if s.ToolOnBackupHost && h == bak {
				out = append(out, pathMapEntry{From: d + `:\`, To: local})
				continue
			}
			out = append(out, pathMapEntry{From: `\\` + h + `\` + d + "$", To: local})
		}
	}
	return out
}

type requestInstance struct {
	Server                 string `json:"server"`
	Instance               string `json:"instance"`
	Port                   int    `json:"port"`
	Auth                   string `json:"auth"`
	User                   string `json:"user"`
	PasswordEnv            string `json:"passwordEnv"`
	Encrypt                string `json:"encrypt"`
	Certificate            string `json:"certificate"`
	HostNameInCertificate  string `json:"hostNameInCertificate"`
	TrustServerCertificate bool   `json:"trustServerCertificate"`
}

type requestLync struct {
	Module               string            `json:"module"`
	ActiveServers        []string          `json:"activeServers"`
	DataCenters          map[string]string `json:"dataCenters"`
	BackupDataCenter     string            `json:"backupDataCenter"`
	AllowCrossDataCenter bool              `json:"allowCrossDataCenter"`
	MirrorFileShare      string            `json:"mirrorFileShare"`
	Skip                 bool              `json:"skip"`
}

type requestOptions struct {
	AcceptDataLoss    bool `json:"acceptDataLoss"`
	CopyParallelism   int  `json:"copyParallelism"`
	HeaderParallelism int  `json:"headerParallelism"`
	KillRetries       int  `json:"killRetries"`
}

func toRequestInstance(ii InstanceInfo) requestInstance {
	r := requestInstance{
		Server: ii.Host, Port: ii.Port, Auth: "sql", User: ii.User, PasswordEnv: ii.PasswordEnv,
		Encrypt: "disable",
	}
	if ii.Certificate != "" {
		r.Encrypt, r.Certificate = "true", ii.Certificate
	}
	return r
}

// buildRequest makes the ready failover request for the lab: share and copyDestination
// are left empty so the tool discovers them from msdb, as in production.
func buildRequest(info Info, s Scenario) readyRequest {
	r := readyRequest{
		SchemaVersion:           1,
		PoolFqdn:                info.Pool,
		Database:                info.Database,
		BackupSqlInstance:       toRequestInstance(info.Instances[RoleBackup]),
		BackupMirrorSqlInstance: toRequestInstance(info.Instances[RoleBackupMirror]),
		RunDirectory:            info.RunDirectory,
		PathMap:                 buildPathMap(info, s),
		Lync: requestLync{
			Module:           info.Lync.Module,
			ActiveServers:    append([]string(nil), s.Lync.DataCenters[s.Lync.BackupDataCenter]...),
			DataCenters:      info.Lync.DataCenters,
			BackupDataCenter: s.Lync.BackupDataCenter,
			// Install-CsMirrorDatabase needs a UNC share both SQL instances can reach;
			// LyncSim checks only its form.
			MirrorFileShare: `\\` + lyncSQLStores(info.Pool)[RoleBackup].SQLServerFQDN + `\pcfailover-mirror`,
		},
		Options: requestOptions{CopyParallelism: 2, HeaderParallelism: 8, KillRetries: 5},
	}
	sort.Strings(r.Lync.ActiveServers)
	if p := info.Instances[RolePrimary]; p.Up {
		pr := toRequestInstance(p)
		r.PrimarySqlInstance = &pr
	}
	return r
}

// writeRequest writes DIR/request.json. It holds no password (passwordEnv names the
// variable), so mode 0644 is fine; 0600 keeps it private anyway.
func writeRequest(info Info, s Scenario) error {
	data, err := json.MarshalIndent(buildRequest(info, s), "", "  ")
	if err != nil {
		return fmt.Errorf("write request: %w", err)
	}
	return writeFileAtomic(info.Request, append(data, '\n'), 0o600)
}
