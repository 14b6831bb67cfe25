package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// lyncModuleEnv overrides where the lab finds LyncSim.psd1.
const lyncModuleEnv = "PCFAILOVER_LYNCSIM_MODULE"

// findLyncModule returns the absolute path of LyncSim.psd1: the explicit path, then
// $PCFAILOVER_LYNCSIM_MODULE, then module/LyncSim/LyncSim.psd1 (or LyncSim/LyncSim.psd1)
// in the directories above this program and above the working directory. "" when none
// exists.
func findLyncModule(explicit string) (string, error) {
	if explicit == "" {
		explicit = os.Getenv(lyncModuleEnv)
	}
	if explicit != "" {
		abs, err := filepath.Abs(explicit)
		if err != nil {
			return "", fmt.Errorf("lab: LyncSim module %s: %w", explicit, err)
		}
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			abs = filepath.Join(abs, "LyncSim.psd1")
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("lab: LyncSim module: %w", err)
		}
		return abs, nil
	}
	var starts []string
	if exe, err := os.Executable(); err == nil {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		starts = append(starts, filepath.Dir(exe))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, start := range starts {
		for d := start; ; d = filepath.Dir(d) {
			for _, rel := range []string{filepath.Join("module", "LyncSim", "LyncSim.psd1"), filepath.Join("LyncSim", "LyncSim.psd1")} {
				p := filepath.Join(d, rel)
				if _, err := os.Stat(p); err == nil {
					return p, nil
				} else if !errors.Is(err, fs.ErrNotExist) {
					continue
				}
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", nil
}

// serverDataCenters maps every Persistent Chat server of the scenario to its data center.
func serverDataCenters(s Scenario) map[string]string {
	m := map[string]string{}
	dcs := make([]string, 0, len(s.Lync.DataCenters))
	for dc := range s.Lync.DataCenters {
		dcs = append(dcs, dc)
	}
	sort.Strings(dcs)
	for _, dc := range dcs {
		for _, srv := range s.Lync.DataCenters[dc] {
			m[srv] = dc
		}
	}
	return m
}

// The LyncSim state file (module/LyncSim/README.md, examples/state.json), schemaVersion 1.
type lyncState struct {
	SchemaVersion          int               `json:"schemaVersion"`
	Product                string            `json:"product"`
	CentralManagementStore lyncCMS           `json:"centralManagementStore"`
	LocalComputer          string            `json:"localComputer"`
	Pools                  []lyncPool        `json:"pools"`
	SQLServers             []lyncSQLServer   `json:"sqlServers"`
	PersistentChatPools    []lyncPChatPool   `json:"persistentChatPools"`
	Mirrors                []lyncMirror      `json:"mirrors"`
	DataCenters            map[string]string `json:"dataCenters"`
	Options                *lyncOptions      `json:"options,omitempty"`
	Faults                 []any             `json:"faults"`
	CallSeq                int               `json:"callSeq"`
	CallLog                []any             `json:"callLog"`
}

type lyncCMS struct {
	Available               bool `json:"available"`
	ReplicationDelaySeconds int  `json:"replicationDelaySeconds"`
}

type lyncPool struct {
	FQDN      string   `json:"fqdn"`
	Site      string   `json:"site"`
	Role      string   `json:"role"`
	Computers []string `json:"computers"`
}

type lyncSQLServer struct {
	FQDN      string   `json:"fqdn"`
	Instance  string   `json:"instance"`
	Site      string   `json:"site"`
	Online    bool     `json:"online"`
	Version   string   `json:"version"`
	Databases []string `json:"databases"`
}

type lyncStore struct {
	SQLServerFQDN   string `json:"sqlServerFqdn"`
	SQLInstanceName string `json:"sqlInstanceName"`
}

type lyncStores struct {
	Primary       lyncStore `json:"primary"`
	PrimaryMirror lyncStore `json:"primaryMirror"`
	Backup        lyncStore `json:"backup"`
	BackupMirror  lyncStore `json:"backupMirror"`
}

type lyncPChatPool struct {
	PoolFQDN           string     `json:"poolFqdn"`
	RegistrarPoolFQDN  string     `json:"registrarPoolFqdn"`
	ComplianceEnabled  bool       `json:"complianceEnabled"`
	PoolState          string     `json:"poolState"`
	PreviousPoolState  string     `json:"previousPoolState"`
	PoolStateChangedAt string     `json:"poolStateChangedAt"`
	ActiveServers      []string   `json:"activeServers"`
	Stores             lyncStores `json:"stores"`
}

type lyncMirror struct {
	DatabaseType string    `json:"databaseType"`
	DatabaseName string    `json:"databaseName"`
	Principal    lyncStore `json:"principal"`
	Mirror       lyncStore `json:"mirror"`
	FileShare    string    `json:"fileShare"`
	InstalledAt  string    `json:"installedAt"`
}

type lyncOptions struct {
	StateIdentityForms        []string `json:"stateIdentityForms"`
	ActiveServerIdentityForms []string `json:"activeServerIdentityForms"`
	MaxActiveServersPerPool   int      `json:"maxActiveServersPerPool"`
	CallLogLimit              int      `json:"callLogLimit"`
}

// lyncSQLStores names the four SQL Server stores of the pool in the pool's domain.
func lyncSQLStores(pool string) map[string]lyncStore {
	domain := ""
	if i := strings.IndexByte(pool, '.'); i > 0 {
		domain = pool[i:]
	}
	return map[string]lyncStore{
		RolePrimary:      {SQLServerFQDN: "sqlpcpri" + domain, SQLInstanceName: "pchat"},
		"primaryMirror":  {SQLServerFQDN: "sqlpcprimir" + domain, SQLInstanceName: "pchat"},
		RoleBackup:       {SQLServerFQDN: "sqlpcbak" + domain, SQLInstanceName: "pchat"},
		RoleBackupMirror: {SQLServerFQDN: "sqlpcbakmir" + domain, SQLInstanceName: "pchat"},
	}
}

// buildLyncState is the pool before the failover: Normal, the primary store mirrored to
// the primary mirror, the active servers in the primary data center, the SQL Servers of
// the primary site offline when the primary is down (the site is lost).
func buildLyncState(s Scenario, now time.Time) lyncState {
	l := s.Lync
	primaryDC, backupDC := l.PrimaryDataCenter, l.BackupDataCenter
	computers := append(append([]string(nil), l.DataCenters[primaryDC]...), l.DataCenters[backupDC]...)
	stores := lyncSQLStores(l.Pool)
	dcs := serverDataCenters(s)
	for role, st := range stores {
		if role == RolePrimary || role == "primaryMirror" {
			dcs[st.SQLServerFQDN] = primaryDC
		} else {
			dcs[st.SQLServerFQDN] = backupDC
		}
	}
	domain := ""
	if i := strings.IndexByte(l.Pool, '.'); i > 0 {
		domain = l.Pool[i:]
	}
	registrar := "fe01" + domain
	ts := now.UTC().Format("2006-01-02T15:04:05.0000000Z")
	sqlServer := func(role string, online bool, dbs []string) lyncSQLServer {
		if dbs == nil {
			dbs = []string{}
		}
		return lyncSQLServer{FQDN: stores[role].SQLServerFQDN, Instance: stores[role].SQLInstanceName, Site: "Redmond",
			Online: online, Version: "12.0.6024.0", Databases: dbs}
	}
	db := []string{s.Database}
	local := computers[0]
	if len(l.DataCenters[backupDC]) > 0 {
		// The operator runs the failover from the surviving data center.
		local = l.DataCenters[backupDC][0]
	}
	return lyncState{
		SchemaVersion:          1,
		Product:                "Lync Server 2013",
		CentralManagementStore: lyncCMS{Available: true},
		LocalComputer:          local,
		Pools: []lyncPool{
			{FQDN: registrar, Site: "Redmond", Role: "Registrar", Computers: []string{registrar}},
			{FQDN: l.Pool, Site: "Redmond", Role: "PersistentChatServer", Computers: computers},
		},
		SQLServers: []lyncSQLServer{
			sqlServer(RolePrimary, s.PrimaryUp, db),
			sqlServer("primaryMirror", s.PrimaryUp, db),
			sqlServer(RoleBackup, true, db),
			sqlServer(RoleBackupMirror, true, nil),
		},
		PersistentChatPools: []lyncPChatPool{{
			PoolFQDN: l.Pool, RegistrarPoolFQDN: registrar, PoolState: "Normal", PreviousPoolState: "Normal",
			PoolStateChangedAt: ts, ActiveServers: append([]string(nil), l.DataCenters[primaryDC]...),
			Stores: lyncStores{Primary: stores[RolePrimary], PrimaryMirror: stores["primaryMirror"],
				Backup: stores[RoleBackup], BackupMirror: stores[RoleBackupMirror]},
		}},
		Mirrors: []lyncMirror{{DatabaseType: "PersistentChat", DatabaseName: s.Database,
			Principal: stores[RolePrimary], Mirror: stores["primaryMirror"], InstalledAt: ts}},
		DataCenters: dcs,
		// options: LyncSim's defaults apply (module/LyncSim/README.md, "Missing keys take
		// these defaults").
		Faults:  []any{},
		CallLog: []any{},
	}
}

// writeLyncState writes DIR/lync/state.json and locates the LyncSim module.
func writeLyncState(s Scenario, lo layout, module string) (LyncInfo, error) {
	mod, err := findLyncModule(module)
	if err != nil {
		return LyncInfo{}, err
	}
	state := buildLyncState(s, time.Now())
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return LyncInfo{}, fmt.Errorf("write LyncSim state: %w", err)
	}
	path := filepath.Join(lo.lync, "state.json")
	if err := writeFileAtomic(path, append(data, '\n'), 0o600); err != nil {
		return LyncInfo{}, fmt.Errorf("write LyncSim state: %w", err)
	}
	return LyncInfo{
		Module: mod, State: path, DataCenters: serverDataCenters(s),
		PrimaryDataCenter: s.Lync.PrimaryDataCenter, BackupDataCenter: s.Lync.BackupDataCenter,
	}, nil
}
