package failback

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"pcfailover/pshost"
)

// Lync is the Lync side of the failback. Every mutating call is followed by the engine
// reading the state back (safety invariant 7); none is retried blindly.
type Lync interface {
	// State reads the pool's state, active servers, SQL stores and whether the database
	// of the store in use is mirrored.
	State(ctx context.Context) (LyncState, error)
	// SetActiveServers replaces the active server list (nil clears it).
	SetActiveServers(ctx context.Context, identity string, servers []string) error
	// SetPoolState sets the pool state (Normal or FailedOver).
	SetPoolState(ctx context.Context, identity, state string) error
	// UninstallMirror removes the mirror of the Persistent Chat database on a store.
	UninstallMirror(ctx context.Context, store Store) error
	// InstallMirror installs the mirror the topology defines for a store.
	InstallMirror(ctx context.Context, store Store, fileShare string) error
}

// Store is a SQL Server store of the topology.
type Store struct {
	FQDN     string `json:"fqdn"`
	Instance string `json:"instance"`
}

func (s Store) String() string {
	if s.Instance == "" {
		return s.FQDN
	}
	return s.FQDN + `\` + s.Instance
}

// LyncState is what the Lync cmdlets say about the pool.
type LyncState struct {
	StateIdentity   string   `json:"stateIdentity"`   // from Get-CsPersistentChatState
	ServiceIdentity string   `json:"serviceIdentity"` // from Get-CsService -PersistentChatServer
	PoolState       string   `json:"poolState"`
	ActiveServers   []string `json:"activeServers"`
	Primary         Store    `json:"primary"`
	Backup          Store    `json:"backup"`
	// InUseMirrored: the database of the store the pool uses now (primary when Normal,
	// backup when FailedOver) has a mirror (Get-CsDatabaseMirrorState StateOnPrimary Principal).
	InUseMirrored bool `json:"inUseMirrored"`
}

// lyncCommands are the only cmdlets the failback runs.
var lyncCommands = []string{"Get-CsPersistentChatState", "Set-CsPersistentChatState", "Get-CsService",
	"Set-CsPersistentChatActiveServer", "Get-CsDatabaseMirrorState", "Install-CsMirrorDatabase", "Uninstall-CsMirrorDatabase"}

// PSLync runs the Lync cmdlets in a persistent PowerShell host (pshost), by name with
// bound parameters: no script text is ever built from data.
type PSLync struct {
	host *pshost.Host
	pool string
}

// NewPSLync starts (lazily) a PowerShell host that imports module (the Lync module, or
// LyncSim) with env added to its environment.
func NewPSLync(pool, module string, env []string) (*PSLync, error) {
	h, err := pshost.New(pshost.Config{Modules: []string{module}, AllowedCommands: lyncCommands, Env: env})
	if err != nil {
		return nil, fmt.Errorf("start PowerShell for the Lync cmdlets: %w", err)
	}
	return &PSLync{host: h, pool: pool}, nil
}

// Close stops the PowerShell host.
func (l *PSLync) Close() error { return l.host.Close() }

func (l *PSLync) invoke(ctx context.Context, name string, params ...pshost.Parameter) (*pshost.Result, error) {
	res, err := l.host.Invoke(ctx, pshost.Command{Name: name, Parameters: params})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := res.Err(name); err != nil {
		return res, err
	}
	return res, nil
}

// State implements Lync.
func (l *PSLync) State(ctx context.Context) (LyncState, error) {
	var st LyncState
	res, err := l.invoke(ctx, "Get-CsPersistentChatState")
	if err != nil {
		return st, err
	}
	var states []struct {
		Identity  string
		PoolState any
	}
	if err := res.DecodeOutput(&states); err != nil {
		return st, fmt.Errorf("Get-CsPersistentChatState output: %w", err)
	}
	for _, s := range states {
		if strings.HasSuffix(strings.ToLower(s.Identity), strings.ToLower(l.pool)) {
			st.StateIdentity = s.Identity
			st.PoolState = poolStateText(s.PoolState)
		}
	}
	if st.StateIdentity == "" {
		return st, fmt.Errorf("Get-CsPersistentChatState lists no pool %s", l.pool)
	}
	res, err = l.invoke(ctx, "Get-CsService", pshost.Parameter{Name: "PersistentChatServer", Value: pshost.Switch(true)})
	if err != nil {
		return st, err
	}
	var svcs []struct {
		Identity, PoolFqdn, PersistentChatDatabase, PersistentChatBackupDatabase string
		ActiveServers                                                            []string
	}
	if err := res.DecodeOutput(&svcs); err != nil {
		return st, fmt.Errorf("Get-CsService -PersistentChatServer output: %w", err)
	}
	var primaryID, backupID string
	for _, s := range svcs {
		if strings.EqualFold(s.PoolFqdn, l.pool) {
			st.ServiceIdentity, primaryID, backupID = s.Identity, s.PersistentChatDatabase, s.PersistentChatBackupDatabase
			st.ActiveServers = s.ActiveServers
		}
	}
	if st.ServiceIdentity == "" {
		return st, fmt.Errorf("Get-CsService -PersistentChatServer lists no pool %s", l.pool)
	}
	res, err = l.invoke(ctx, "Get-CsService", pshost.Parameter{Name: "PersistentChatDatabase", Value: pshost.Switch(true)})
	if err != nil {
		return st, err
	}
	var stores []struct {
		Identity, SqlInstanceName, PoolFqdn string
		IsBackup                            bool
	}
	if err := res.DecodeOutput(&stores); err != nil {
		return st, fmt.Errorf("Get-CsService -PersistentChatDatabase output: %w", err)
	}
	for _, s := range stores {
		switch {
		case strings.EqualFold(s.Identity, primaryID) && !s.IsBackup:
			st.Primary = Store{FQDN: s.PoolFqdn, Instance: s.SqlInstanceName}
		case strings.EqualFold(s.Identity, backupID) && s.IsBackup:
			st.Backup = Store{FQDN: s.PoolFqdn, Instance: s.SqlInstanceName}
		}
	}
	res, err = l.invoke(ctx, "Get-CsDatabaseMirrorState", pshost.Parameter{Name: "PoolFqdn", Value: pshost.String(l.pool)})
	if err != nil {
		return st, err
	}
	var mirrors []struct{ DatabaseName, StateOnPrimary string }
	if err := res.DecodeOutput(&mirrors); err != nil {
		return st, fmt.Errorf("Get-CsDatabaseMirrorState output: %w", err)
	}
	for _, m := range mirrors {
		if strings.EqualFold(m.DatabaseName, "mgc") && m.StateOnPrimary == "Principal" {
			st.InUseMirrored = true
		}
	}
	return st, nil
}

// poolStateText reads a PoolState serialised as its name or as the enum's number.
func poolStateText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == 1 {
			return "FailedOver"
		}
		return "Normal"
	case map[string]any:
		if s, ok := x["Value"].(string); ok {
			return s
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// SetActiveServers implements Lync.
func (l *PSLync) SetActiveServers(ctx context.Context, identity string, servers []string) error {
	v := pshost.Null()
	if len(servers) > 0 {
		v = pshost.Strings(servers...)
	}
	_, err := l.invoke(ctx, "Set-CsPersistentChatActiveServer", pshost.Parameter{Name: "Identity", Value: pshost.String(identity)},
		pshost.Parameter{Name: "ActiveServers", Value: v}, pshost.Parameter{Name: "Confirm", Value: pshost.Switch(false)})
	return err
}

// SetPoolState implements Lync.
func (l *PSLync) SetPoolState(ctx context.Context, identity, state string) error {
	_, err := l.invoke(ctx, "Set-CsPersistentChatState", pshost.Parameter{Name: "Identity", Value: pshost.String(identity)},
		pshost.Parameter{Name: "PoolState", Value: pshost.String(state)}, pshost.Parameter{Name: "Confirm", Value: pshost.Switch(false)})
	return err
}

func storeParams(s Store) []pshost.Parameter {
	ps := []pshost.Parameter{{Name: "DatabaseType", Value: pshost.String("PersistentChat")}, {Name: "SqlServerFqdn", Value: pshost.String(s.FQDN)}}
	if s.Instance != "" {
		ps = append(ps, pshost.Parameter{Name: "SqlInstanceName", Value: pshost.String(s.Instance)})
	}
	return ps
}

// UninstallMirror implements Lync.
func (l *PSLync) UninstallMirror(ctx context.Context, s Store) error {
	ps := append(storeParams(s), pshost.Parameter{Name: "Confirm", Value: pshost.Switch(false)})
	_, err := l.invoke(ctx, "Uninstall-CsMirrorDatabase", ps...)
	return err
}

// InstallMirror implements Lync.
func (l *PSLync) InstallMirror(ctx context.Context, s Store, fileShare string) error {
	ps := append(storeParams(s), pshost.Parameter{Name: "FileShare", Value: pshost.String(fileShare)},
		pshost.Parameter{Name: "DropExistingDatabasesOnMirror", Value: pshost.Switch(true)},
		pshost.Parameter{Name: "Confirm", Value: pshost.Switch(false)})
	_, err := l.invoke(ctx, "Install-CsMirrorDatabase", ps...)
	return err
}
