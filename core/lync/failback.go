package lync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pcfailover/core/report"
	"pcfailover/pshost"
)

// The failback's Lync calls (pcfailover failback, core/failback): the Runner reads the
// pool (Pool) and makes one mutating call at a time (RunFailback), which the failback
// engine verifies by reading the pool back (architecture.md invariant 7). They share the
// failover steps' PowerShell host, allow-list and identity discovery.

// Store is a SQL Server store of the topology: the server's FQDN and the SQL Server
// instance name ("" for the default instance).
type Store struct {
	FQDN     string `json:"fqdn"`
	Instance string `json:"instance"`
}

// String returns server\instance (or the server for the default instance).
func (s Store) String() string { return sqlName(s.FQDN, s.Instance) }

// Pool is what the Lync cmdlets say about the pool, read-only.
type Pool struct {
	// StateIdentity is the identity Get-CsPersistentChatState -Identity resolves to the
	// pool (discovered, ref §0.4); ServiceIdentity is its Get-CsService
	// -PersistentChatServer identity, the one Set-CsPersistentChatActiveServer takes.
	StateIdentity   string `json:"stateIdentity"`
	ServiceIdentity string `json:"serviceIdentity"`
	// PoolState is Normal or FailedOver.
	PoolState string `json:"poolState"`
	// ActiveServers is the pool's active server list (Get-CsService -PersistentChatServer).
	ActiveServers []string `json:"activeServers"`
	// Primary and Backup are the topology's primary and backup SQL Server stores of the
	// pool (Get-CsService -PersistentChatDatabase).
	Primary Store `json:"primary"`
	Backup  Store `json:"backup"`
	// InUseMirrored: the request's database in the store the pool uses now (the primary
	// store when Normal, the backup store when FailedOver) is mirrored
	// (Get-CsDatabaseMirrorState StateOnPrimary Principal).
	InUseMirrored bool `json:"inUseMirrored"`
	// Mirror summarises that mirroring state.
	Mirror string `json:"mirror"`
}

// Normal reports whether the pool state is Normal.
func (p Pool) Normal() bool { return strings.EqualFold(p.PoolState, string(stateNormal)) }

// Failback operation kinds (FailbackOp.Kind).
const (
	// OpClearActive clears the pool's active servers: Set-CsPersistentChatActiveServer
	// -ActiveServers $null (ref §1.3: "typically done in a failback or failover scenario").
	OpClearActive = "clear-active-servers"
	// OpSetActive replaces the active servers with Servers (@{Replace=...}).
	OpSetActive = "set-active-servers"
	// OpPoolNormal sets the pool state to Normal.
	OpPoolNormal = "pool-state-normal"
	// OpUninstallMirror removes the mirror of the Persistent Chat database on Store
	// (Uninstall-CsMirrorDatabase, ref §1.9).
	OpUninstallMirror = "uninstall-mirror"
	// OpInstallMirror installs the topology's mirror of Store through FileShare,
	// dropping a stale copy on the mirror (Install-CsMirrorDatabase
	// -DropExistingDatabasesOnMirror, ref §1.8).
	OpInstallMirror = "install-mirror"
)

// FailbackOp is one mutating Lync call of the failback.
type FailbackOp struct {
	// Kind is one of the Op constants.
	Kind string
	// Servers are the servers to make active (OpSetActive).
	Servers []string
	// Store is the SQL Server store (OpUninstallMirror, OpInstallMirror).
	Store Store
	// FileShare is Install-CsMirrorDatabase's -FileShare, a UNC path (OpInstallMirror).
	FileShare string
}

// Pool reads the pool's state, active servers, stores and the mirroring of the store in
// use, changing nothing. It waits for the module import.
func (r *Runner) Pool(ctx context.Context) (Pool, error) {
	host, err := r.wait(ctx)
	if err != nil {
		return Pool{}, err
	}
	sr := &stepRun{r: r, s: newStep("read"), planning: true, host: host}
	ids, err := sr.discover(ctx)
	if err != nil {
		return Pool{}, err
	}
	// Every read is fresh: only the identities are cached.
	st, err := sr.stateOf(ctx, ids.state, false)
	if err != nil {
		return Pool{}, fmt.Errorf("read the state of pool %s: %w", r.req.PoolFQDN, err)
	}
	services, err := read[chatService](ctx, sr, serviceCmd())
	if err != nil {
		return Pool{}, fmt.Errorf("read the Persistent Chat services: %w", err)
	}
	p := Pool{StateIdentity: ids.state, ServiceIdentity: string(ids.service.Identity), PoolState: string(st)}
	var svc *chatService
	for i := range services {
		if sameName(services[i].pool(), r.req.PoolFQDN) {
			svc = &services[i]
		}
	}
	if svc == nil {
		return Pool{}, fmt.Errorf("Get-CsService -PersistentChatServer no longer lists pool %s", r.req.PoolFQDN)
	}
	p.ActiveServers = append([]string{}, svc.ActiveServers...)
	stores, err := read[storeService](ctx, sr, command{name: cmdGetService, args: []arg{switchArg("PersistentChatDatabase", true)}})
	if err != nil {
		return Pool{}, fmt.Errorf("read the Persistent Chat stores: %w", err)
	}
	for _, s := range stores {
		backup := s.IsBackup != nil && *s.IsBackup
		switch {
		case sameName(string(s.Identity), string(svc.PersistentChatDatabase)) && !backup:
			p.Primary = Store{FQDN: s.server(), Instance: string(s.SQLInstanceName)}
		case sameName(string(s.Identity), string(svc.PersistentChatBackupDatabase)) && (s.IsBackup == nil || backup):
			p.Backup = Store{FQDN: s.server(), Instance: string(s.SQLInstanceName)}
		}
	}
	m, err := sr.mirrorOf(ctx)
	if err != nil {
		return p, fmt.Errorf("read the mirroring state of %s: %w", r.req.Database, err)
	}
	p.InUseMirrored = m.installed()
	p.Mirror = m.String()
	return p, nil
}

// failbackCmd builds op's cmdlet call from the discovered identities.
func (r *Runner) failbackCmd(ids *identities, op FailbackOp) (command, error) {
	switch op.Kind {
	case OpClearActive:
		return command{name: cmdSetActive, args: []arg{strArg("Identity", string(ids.service.Identity)),
			{name: "ActiveServers", value: pshost.Null(), show: "$null", raw: "$null"}, switchArg("Confirm", false)}}, nil
	case OpSetActive:
		if len(op.Servers) == 0 {
			return command{}, fmt.Errorf("lync: %s needs servers (use %s to clear them)", OpSetActive, OpClearActive)
		}
		return command{name: cmdSetActive, args: []arg{strArg("Identity", string(ids.service.Identity)), replaceArg("ActiveServers", op.Servers), switchArg("Confirm", false)}}, nil
	case OpPoolNormal:
		return command{name: cmdSetState, args: []arg{strArg("Identity", ids.state), enumArg("PoolState", string(stateNormal)), switchArg("Confirm", false)}}, nil
	case OpUninstallMirror, OpInstallMirror:
		if op.Store.FQDN == "" {
			return command{}, fmt.Errorf("lync: %s needs a SQL Server store", op.Kind)
		}
		name := cmdUninstallMirror
		if op.Kind == OpInstallMirror {
			name = cmdInstallMirror
		}
		c := command{name: name, args: []arg{enumArg("DatabaseType", "PersistentChat"), strArg("SqlServerFqdn", op.Store.FQDN)}}
		if op.Store.Instance != "" {
			c.args = append(c.args, strArg("SqlInstanceName", op.Store.Instance))
		}
		if op.Kind == OpInstallMirror {
			if !isUNC(op.FileShare) {
				return command{}, blockedf("the mirror file share %q is not a UNC path (\\\\server\\share): set failback.mirrorFileShare or lync.mirrorFileShare", op.FileShare)
			}
			// The primary's old mirror still holds the pre-failover database: drop it.
			c.args = append(c.args, strArg("FileShare", op.FileShare), switchArg("DropExistingDatabasesOnMirror", true),
				strArg("Report", r.reportPathFor(cmdInstallMirror)))
		}
		c.args = append(c.args, switchArg("Confirm", false))
		return c, nil
	}
	return command{}, fmt.Errorf("lync: unknown failback operation %q", op.Kind)
}

// reportPathFor is where a mirroring cmdlet writes its -Report: the run directory.
func (r *Runner) reportPathFor(cmdlet string) string {
	return filepath.Join(r.req.RunDirectory, "lync", cmdlet+"-"+r.cfg.Now().UTC().Format("20060102T150405Z")+".html")
}

func (r *Runner) failbackRun(ctx context.Context, s *report.Step) (*stepRun, *identities, error) {
	host, err := r.wait(ctx)
	if err != nil {
		return nil, nil, err
	}
	sr := &stepRun{r: r, s: s, host: host}
	ids, err := sr.discover(ctx)
	if err != nil {
		return nil, nil, err
	}
	return sr, ids, nil
}

// PlanFailback records op's cmdlet on s, exactly as RunFailback would send it, and runs
// nothing (the identity discovery reads only).
func (r *Runner) PlanFailback(ctx context.Context, s *report.Step, op FailbackOp) error {
	sr, ids, err := r.failbackRun(ctx, s)
	if err != nil {
		return err
	}
	c, err := r.failbackCmd(ids, op)
	if err != nil {
		return err
	}
	sr.record(c)
	return nil
}

// RunFailback runs op's cmdlet once, recorded on s (text and parameters) with a statement
// event. It is never retried: the caller reads the effect back with Pool and decides.
// The error is the cmdlet's (a *pshost.CommandError) or the host's (outcome unknown).
func (r *Runner) RunFailback(ctx context.Context, s *report.Step, op FailbackOp) error {
	sr, ids, err := r.failbackRun(ctx, s)
	if err != nil {
		return err
	}
	c, err := r.failbackCmd(ids, op)
	if err != nil {
		return err
	}
	timeout := time.Duration(0)
	if op.Kind == OpInstallMirror || op.Kind == OpUninstallMirror {
		timeout = r.cfg.MirrorTimeout
	}
	if op.Kind == OpInstallMirror {
		if err := os.MkdirAll(filepath.Join(r.req.RunDirectory, "lync"), 0o755); err != nil {
			return fmt.Errorf("create the report folder: %w", err)
		}
	}
	_, err = sr.run(ctx, c, timeout)
	return err
}
