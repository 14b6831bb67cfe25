package lync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/report"
	"pcfailover/pshost"
)

// identities are the pool's identities as the topology names them (ref §0.4: the forms
// differ across Microsoft's own docs, so they are discovered, never built).
type identities struct {
	// state is the identity Get-CsPersistentChatState -Identity resolves to this pool;
	// Set-CsPersistentChatState gets the same.
	state string
	// service is the pool's Get-CsService -PersistentChatServer object; its Identity is
	// the one Set-CsPersistentChatActiveServer takes (SfB 2015 help, ref §0.4).
	service chatService
}

// discover finds the pool's identities once per Runner: the Identity of the pool's
// Get-CsPersistentChatState object, else of its Get-CsService -PersistentChatServer
// object, whichever Get-CsPersistentChatState -Identity resolves to this pool first.
func (sr *stepRun) discover(ctx context.Context) (*identities, error) {
	r := sr.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids != nil {
		return r.ids, nil
	}
	pool := r.req.PoolFQDN
	states, err := read[chatState](ctx, sr, command{name: cmdGetState})
	if err != nil {
		return nil, fmt.Errorf("list the Persistent Chat pools: %w (the Lync cmdlets need the Central Management store: if it was in the lost data center, fail it over first with Invoke-CsManagementServerFailover)", err)
	}
	services, err := read[chatService](ctx, sr, command{name: cmdGetService, args: []arg{switchArg("PersistentChatServer", true)}})
	if err != nil {
		return nil, fmt.Errorf("list the Persistent Chat services: %w", err)
	}
	ids := &identities{}
	var found []string
	for _, svc := range services {
		found = append(found, string(svc.Identity))
		if sameName(svc.pool(), pool) {
			ids.service = svc
		}
	}
	if ids.service.Identity == "" {
		return nil, blockedf("pool %s is not a Persistent Chat pool of the topology (Get-CsService -PersistentChatServer lists %s): check poolFqdn in the request",
			pool, orNone(strings.Join(found, ", ")))
	}
	var candidates []string
	for _, st := range states {
		if sameName(st.pool(), pool) && st.Identity != "" {
			candidates = append(candidates, string(st.Identity))
		}
	}
	candidates = append(candidates, string(ids.service.Identity))
	var tried []string
	var last error
	for _, id := range candidates {
		if containsFold(tried, id) {
			continue
		}
		tried = append(tried, id)
		st, err := sr.stateOf(ctx, id, false)
		if err != nil {
			var ce *pshost.CommandError
			if errors.As(err, &ce) {
				last = err
				continue // this form does not resolve here; try the next
			}
			return nil, err
		}
		if st != "" {
			ids.state = id
			r.ids = ids
			sr.resolved = st
			return ids, nil
		}
	}
	if last != nil {
		return nil, fmt.Errorf("no identity of pool %s resolves with Get-CsPersistentChatState -Identity (tried %s); last error: %w", pool, strings.Join(tried, ", "), last)
	}
	return nil, fmt.Errorf("no identity of pool %s resolves with Get-CsPersistentChatState -Identity (tried %s)", pool, strings.Join(tried, ", "))
}

func containsFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// stateCmd is the Get-CsPersistentChatState call that reads the pool's state.
func stateCmd(id string, local bool) command {
	c := command{name: cmdGetState, args: []arg{strArg("Identity", id)}}
	if local {
		c.args = append(c.args, switchArg("LocalStore", true))
	}
	return c
}

// stateOf reads the pool's state through identity id ("" when the identity resolves to
// no object of this pool).
func (sr *stepRun) stateOf(ctx context.Context, id string, local bool) (poolState, error) {
	states, err := read[chatState](ctx, sr, stateCmd(id, local))
	if err != nil {
		return "", err
	}
	for _, st := range states {
		if sameName(st.pool(), sr.r.req.PoolFQDN) {
			if st.PoolState == "" {
				return "", fmt.Errorf("%s -Identity %s returned no PoolState", cmdGetState, id)
			}
			return st.PoolState, nil
		}
	}
	return "", nil
}

// poolState is step 5: Set-CsPersistentChatState -PoolState FailedOver.
func (sr *stepRun) poolState(ctx context.Context) error {
	ids, err := sr.discover(ctx)
	if err != nil {
		return err
	}
	s, pool := sr.s, sr.r.req.PoolFQDN
	cur := sr.resolved
	if cur == "" {
		if cur, err = sr.stateOf(ctx, ids.state, false); err != nil {
			return fmt.Errorf("read the state of pool %s: %w", pool, err)
		}
	}
	if cur == stateFailedOver {
		s.Status = report.StatusAlreadyDone
		s.Detail = fmt.Sprintf("pool %s (identity %s) is already FailedOver", pool, ids.state)
		if !sr.planning {
			return sr.localStore(ctx, ids)
		}
		return nil
	}
	set := command{name: cmdSetState, args: []arg{strArg("Identity", ids.state), enumArg("PoolState", string(stateFailedOver)), switchArg("Confirm", false)}}
	if sr.planning {
		sr.record(set)
		sr.record(stateCmd(ids.state, false))
		s.Detail = fmt.Sprintf("pool %s (identity %s, discovered): %s -> FailedOver, read back", pool, ids.state, cur)
		return nil
	}
	if err := sr.preflight(ctx, ids); err != nil {
		return err
	}
	_, setErr := sr.run(ctx, set, 0)
	after, err := sr.stateOf(ctx, ids.state, false)
	switch {
	case err != nil && setErr != nil:
		return fmt.Errorf("%w; reading the state back failed too: %v. Not retried: check the pool with Get-CsPersistentChatState -Identity %s, fix the cause, then run the same request again", setErr, err, psQuote(ids.state))
	case err != nil:
		return fmt.Errorf("read the state of pool %s back: %w", pool, err)
	case after != stateFailedOver && setErr != nil:
		return fmt.Errorf("%w; pool %s is still %s. Not retried: fix the cause (the Central Management store must be reachable and writable), then run the same request again", setErr, pool, after)
	case after != stateFailedOver:
		return fmt.Errorf("%s returned no error but pool %s still reads %s; check the Central Management store, then run the same request again", cmdSetState, pool, after)
	}
	s.Status = report.StatusDone
	s.Detail = fmt.Sprintf("pool %s (identity %s) is FailedOver (read back)", pool, ids.state)
	if setErr != nil {
		s.Detail += fmt.Sprintf("; %s reported an error, but its effect is there: %v", cmdSetState, setErr)
	}
	return sr.localStore(ctx, ids)
}

// localStore waits, when asked, until the local replica of the Central Management store
// shows FailedOver (ref §1.2 -LocalStore, §2.3: wait for CMS replication).
func (sr *stepRun) localStore(ctx context.Context, ids *identities) error {
	cfg := sr.r.cfg
	if !cfg.VerifyLocalStore {
		return nil
	}
	deadline := cfg.Now().Add(cfg.LocalStoreWait)
	c := stateCmd(ids.state, true)
	sr.record(c)
	for {
		res, err := sr.host.Invoke(ctx, c.pshost())
		if err == nil {
			err = res.Err(c.name)
		}
		var st poolState
		if err == nil {
			var states []chatState
			if states, err = decodeAll[chatState](c.name, res); err == nil {
				for _, x := range states {
					if sameName(x.pool(), sr.r.req.PoolFQDN) {
						st = x.PoolState
					}
				}
			}
		}
		if err != nil {
			return fmt.Errorf("read the local store: %w", err)
		}
		if st == stateFailedOver {
			sr.s.Detail += "; the local replica of the Central Management store shows FailedOver"
			return nil
		}
		if !cfg.Now().Before(deadline) {
			return fmt.Errorf("the Central Management store holds FailedOver, but its local replica still shows %s after %v: check replication with Get-CsManagementStoreReplicationStatus, then run the same request again",
				orNone(string(st)), cfg.LocalStoreWait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the local store: %w", ctx.Err())
		case <-time.After(sr.r.poll):
		}
	}
}

// fileShare is Install-CsMirrorDatabase's -FileShare.
func (r *Runner) fileShare() (string, error) {
	for _, s := range []string{r.cfg.MirrorFileShare, r.lync.MirrorFileShare} {
		if s = strings.TrimSpace(s); s != "" {
			if !isUNC(s) {
				return "", blockedf("the mirror file share %q is not a UNC path (\\\\server\\share): set lync.mirrorFileShare", s)
			}
			return s, nil
		}
	}
	if isUNC(r.req.Share) {
		return r.req.Share, nil
	}
	return "", blockedf("Install-CsMirrorDatabase needs -FileShare, a UNC path (\\\\server\\share) that the SQL Server service accounts of the backup and backup mirror instances can read and write (ref 1.8): set lync.mirrorFileShare in the request (the log-shipping share is one)")
}

// isUNC reports whether s is \\server\share[\...].
func isUNC(s string) bool {
	if !strings.HasPrefix(s, `\\`) || strings.HasPrefix(s, `\\?\`) || strings.HasPrefix(s, `\\.\`) {
		return false
	}
	server, share, ok := strings.Cut(s[2:], `\`)
	return ok && server != "" && strings.TrimRight(share, `\`) != ""
}

// backupStore is the topology's backup SQL Server store of the pool and its mirror.
type backupStore struct {
	server, instance             string
	mirrorServer, mirrorInstance string
}

func sqlName(server, instance string) string {
	if instance == "" {
		return server
	}
	return server + `\` + instance
}

// backupStore reads the backup store and its mirror from the topology (Get-CsService).
func (sr *stepRun) backupStore(ctx context.Context, ids *identities) (backupStore, error) {
	pool := sr.r.req.PoolFQDN
	id := string(ids.service.PersistentChatBackupDatabase)
	if id == "" {
		return backupStore{}, blockedf("the topology defines no backup SQL Server store for pool %s (Get-CsService -PersistentChatServer shows no PersistentChatBackupDatabase): add it in Topology Builder and publish the topology", pool)
	}
	stores, err := read[storeService](ctx, sr, command{name: cmdGetService, args: []arg{switchArg("PersistentChatDatabase", true)}})
	if err != nil {
		return backupStore{}, fmt.Errorf("read the Persistent Chat stores: %w", err)
	}
	for _, st := range stores {
		if !sameName(string(st.Identity), id) || (st.IsBackup != nil && !*st.IsBackup) {
			continue
		}
		b := backupStore{server: st.server(), instance: string(st.SQLInstanceName),
			mirrorServer: string(st.MirrorSQLServerFqdn), mirrorInstance: string(st.MirrorSQLInstanceName)}
		if b.mirrorServer == "" {
			return b, blockedf("the topology defines no mirror for the backup store %s of pool %s: in Topology Builder enable SQL Server store mirroring on the backup store with the backup mirror instance as the mirroring SQL Server store, publish the topology, then run the same request again",
				sqlName(b.server, b.instance), pool)
		}
		return b, nil
	}
	return backupStore{}, fmt.Errorf("the backup store %s of pool %s is not among Get-CsService -PersistentChatDatabase's stores", id, pool)
}

// mirrorOf reads the mirroring state of the request's database in the store the pool
// uses now (Get-CsDatabaseMirrorState, ref §1.10; without -DatabaseType, which Lync 2013
// refuses for PersistentChat).
func (sr *stepRun) mirrorOf(ctx context.Context) (mirrorState, error) {
	c := command{name: cmdGetMirrorState, args: []arg{strArg("PoolFqdn", sr.r.req.PoolFQDN)}}
	states, err := read[mirrorState](ctx, sr, c)
	if err != nil {
		return mirrorState{}, err
	}
	for _, m := range states {
		if strings.EqualFold(string(m.DatabaseName), sr.r.req.Database) {
			return m, nil
		}
	}
	return mirrorState{DatabaseName: text(sr.r.req.Database)}, nil
}

// reportPath is where Install-CsMirrorDatabase writes its -Report: the run directory.
func (r *Runner) reportPath() string {
	return filepath.Join(r.req.RunDirectory, "lync", "Install-CsMirrorDatabase-"+r.cfg.Now().UTC().Format("20060102T150405Z")+".html")
}

// mirror is step 6: Install-CsMirrorDatabase for the backup store (the new primary).
func (sr *stepRun) mirror(ctx context.Context) error {
	ids, err := sr.discover(ctx)
	if err != nil {
		return err
	}
	s, req := sr.s, sr.r.req
	b, err := sr.backupStore(ctx, ids)
	if err != nil {
		return err
	}
	principal, mirrorName := sqlName(b.server, b.instance), sqlName(b.mirrorServer, b.mirrorInstance)
	what := fmt.Sprintf("database %s on the backup instance %s, mirrored to %s (the topology's backup mirror)", req.Database, principal, mirrorName)
	if note := sr.r.mirrorMismatch(b); note != "" {
		what += "; " + note
	}
	state, err := sr.stateOf(ctx, ids.state, false)
	if err != nil {
		return fmt.Errorf("read the state of pool %s: %w", req.PoolFQDN, err)
	}
	share, shareErr := sr.r.fileShare()
	reportFile := sr.r.reportPath()
	install := command{name: cmdInstallMirror, args: []arg{enumArg("DatabaseType", "PersistentChat"), strArg("SqlServerFqdn", b.server)}}
	if b.instance != "" {
		install.args = append(install.args, strArg("SqlInstanceName", b.instance))
	}
	install.args = append(install.args, strArg("FileShare", share), strArg("Report", reportFile), switchArg("Confirm", false))
	verify := command{name: cmdGetMirrorState, args: []arg{strArg("PoolFqdn", req.PoolFQDN)}}

	if state != stateFailedOver {
		if !sr.planning {
			return fmt.Errorf("pool %s is still %s: step %s must succeed first", req.PoolFQDN, state, failover.StepLyncPoolState)
		}
		if shareErr != nil {
			return shareErr
		}
		sr.record(install)
		sr.record(verify)
		s.Detail = "after step 5: install the mirror of " + what + "; report kept in " + filepath.Dir(reportFile)
		return nil
	}
	m, err := sr.mirrorOf(ctx)
	if err != nil {
		return fmt.Errorf("read the mirroring state: %w", err)
	}
	if m.installed() {
		s.Status = report.StatusAlreadyDone
		s.Detail = "the new primary is already mirrored (" + m.String() + ")"
		return nil
	}
	if shareErr != nil {
		return shareErr
	}
	if sr.planning {
		sr.record(install)
		sr.record(verify)
		s.Detail = "install the mirror of " + what + "; report kept in " + filepath.Dir(reportFile)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(reportFile), 0o755); err != nil {
		return fmt.Errorf("create the report folder: %w", err)
	}
	_, instErr := sr.run(ctx, install, sr.r.cfg.MirrorTimeout)
	after, err := sr.mirrorOf(ctx)
	kept := ""
	if _, serr := os.Stat(reportFile); serr == nil {
		kept = "; report " + reportFile
	}
	switch {
	case err != nil && instErr != nil:
		return fmt.Errorf("%w; reading the mirroring state back failed too: %v. Not retried: check Get-CsDatabaseMirrorState -PoolFqdn %s%s, fix the cause, then run the same request again", instErr, err, req.PoolFQDN, kept)
	case err != nil:
		return fmt.Errorf("read the mirroring state back: %w", err)
	case !after.installed() && instErr != nil:
		return fmt.Errorf("%w; the database is not mirrored (%s)%s. Not retried: fix the cause (SQL Server reachable, both service accounts can read and write the file share, the database not already on the mirror instance), then run the same request again",
			instErr, after, kept)
	case !after.installed():
		return fmt.Errorf("%s returned no error but the database is not mirrored (%s)%s", cmdInstallMirror, after, kept)
	}
	s.Status = report.StatusDone
	s.Detail = "mirrored " + what + " (" + after.String() + ")" + kept
	if instErr != nil {
		s.Detail += fmt.Sprintf("; %s reported an error, but the mirror is there: %v", cmdInstallMirror, instErr)
	}
	return nil
}

// mirrorMismatch notes when the request's backup mirror instance is not the topology's
// (Install-CsMirrorDatabase always mirrors to the topology's): "" when they agree or the
// request names the instance by address (as the lab does).
func (r *Runner) mirrorMismatch(b backupStore) string {
	in := r.req.BackupMirrorSQLInstance
	if in == nil || in.Server == "" || !strings.Contains(in.Server, ".") || strings.Trim(in.Server, "0123456789.") == "" {
		return ""
	}
	host := in.Server
	if sameName(host, b.mirrorServer) || strings.EqualFold(host, strings.SplitN(b.mirrorServer, ".", 2)[0]) {
		return ""
	}
	return fmt.Sprintf("note: the request's backupMirrorSqlInstance is %s, the topology's is %s", host, b.mirrorServer)
}

// placement reads the pool's computers and checks the servers to make active against
// the data-center map: a blocked error names every refusal.
func (sr *stepRun) placement(ctx context.Context) (placement, error) {
	req, l := sr.r.req, sr.r.lync
	pools, err := read[poolObject](ctx, sr, command{name: cmdGetPool, args: []arg{strArg("Identity", req.PoolFQDN)}})
	if err != nil {
		return placement{}, fmt.Errorf("read the computers of pool %s: %w", req.PoolFQDN, err)
	}
	var computers []string
	for _, p := range pools {
		computers = append(computers, p.Computers...)
	}
	if len(computers) == 0 {
		return placement{}, fmt.Errorf("Get-CsPool -Identity %s lists no computers", req.PoolFQDN)
	}
	pl := checkPlacement(l.ActiveServers, computers, l.DataCenters, l.BackupDataCenter, l.AllowCrossDataCenter)
	if len(pl.Refusals) > 0 {
		return pl, blockedf("%s. Nothing was changed: choose active servers in the new primary's data center %s (lync.activeServers, lync.dataCenters), or set lync.allowCrossDataCenter when that data center has a low-latency, high-bandwidth link to the database (ref 2.1 step 7)",
			strings.Join(pl.Refusals, "; "), orNone(l.BackupDataCenter))
	}
	return pl, nil
}

// preflight checks, before step 5 changes anything in Lync, what would stop steps 6 and 7
// (no mirror file share, no mirror in the topology, active servers refused), so that the
// pool is not left FailedOver with no server active: a blocked error says what to fix.
func (sr *stepRun) preflight(ctx context.Context, ids *identities) error {
	var problems []string
	if _, err := sr.r.fileShare(); err != nil {
		problems = append(problems, "step 6: "+unblocked(err))
	}
	if _, err := sr.backupStore(ctx, ids); errors.Is(err, failover.ErrBlocked) {
		problems = append(problems, "step 6: "+unblocked(err))
	} else if err != nil {
		return err
	}
	if _, err := sr.placement(ctx); errors.Is(err, failover.ErrBlocked) {
		problems = append(problems, "step 7: "+unblocked(err))
	} else if err != nil {
		return err
	}
	if len(problems) > 0 {
		return blockedf("the pool state is left unchanged because the next Lync steps cannot run: %s", strings.Join(problems, " | "))
	}
	return nil
}

// unblocked is a blocked error's message without the ErrBlocked prefix.
func unblocked(err error) string {
	return strings.TrimPrefix(err.Error(), failover.ErrBlocked.Error()+": ")
}

// activeServers is step 7: Set-CsPersistentChatActiveServer in the new primary's data
// center.
func (sr *stepRun) activeServers(ctx context.Context) error {
	ids, err := sr.discover(ctx)
	if err != nil {
		return err
	}
	s, req := sr.s, sr.r.req
	pl, err := sr.placement(ctx)
	if err != nil {
		if errors.Is(err, failover.ErrBlocked) {
			s.Detail = "refused: " + strings.Join(pl.Refusals, "; ")
		}
		return err
	}
	if !sr.planning {
		st, err := sr.stateOf(ctx, ids.state, false)
		if err != nil {
			return fmt.Errorf("read the state of pool %s: %w", req.PoolFQDN, err)
		}
		if st != stateFailedOver {
			return fmt.Errorf("pool %s is still %s: step %s must succeed first (active servers in the backup data center must use the backup database)", req.PoolFQDN, st, failover.StepLyncPoolState)
		}
	}
	current, err := sr.active(ctx)
	if err != nil {
		return err
	}
	notes := ""
	if len(pl.Notes) > 0 {
		notes = "; " + strings.Join(pl.Notes, "; ")
	}
	if sameSet(current, pl.Servers) {
		s.Status = report.StatusAlreadyDone
		s.Detail = "the active servers are already " + strings.Join(pl.Servers, ", ") + notes
		return nil
	}
	set := command{name: cmdSetActive, args: []arg{strArg("Identity", string(ids.service.Identity)), replaceArg("ActiveServers", pl.Servers), switchArg("Confirm", false)}}
	change := fmt.Sprintf("active servers %s -> %s", orNone(strings.Join(current, ", ")), strings.Join(pl.Servers, ", "))
	if sr.planning {
		sr.record(set)
		sr.record(serviceCmd())
		s.Detail = change + notes
		return nil
	}
	_, setErr := sr.run(ctx, set, 0)
	after, err := sr.active(ctx)
	switch {
	case err != nil && setErr != nil:
		return fmt.Errorf("%w; reading the active servers back failed too: %v. Not retried: check Get-CsService -PersistentChatServer, fix the cause, then run the same request again", setErr, err)
	case err != nil:
		return fmt.Errorf("read the active servers back: %w", err)
	case !sameSet(after, pl.Servers) && setErr != nil:
		return fmt.Errorf("%w; the active servers are %s. Not retried: fix the cause, then run the same request again", setErr, orNone(strings.Join(after, ", ")))
	case !sameSet(after, pl.Servers):
		return fmt.Errorf("%s returned no error but the active servers read back are %s, not %s", cmdSetActive, orNone(strings.Join(after, ", ")), strings.Join(pl.Servers, ", "))
	}
	s.Status = report.StatusDone
	s.Detail = change + " (read back)" + notes
	if setErr != nil {
		s.Detail += fmt.Sprintf("; %s reported an error, but its effect is there: %v", cmdSetActive, setErr)
	}
	return nil
}

func serviceCmd() command {
	return command{name: cmdGetService, args: []arg{switchArg("PersistentChatServer", true)}}
}

// active reads the pool's active servers (there is no Get-CsPersistentChatActiveServer,
// ref §0.3; Get-CsService -PersistentChatServer is Microsoft's "pool availability" read).
func (sr *stepRun) active(ctx context.Context) ([]string, error) {
	services, err := read[chatService](ctx, sr, serviceCmd())
	if err != nil {
		return nil, fmt.Errorf("read the active servers: %w", err)
	}
	for _, svc := range services {
		if sameName(svc.pool(), sr.r.req.PoolFQDN) {
			return svc.ActiveServers, nil
		}
	}
	return nil, fmt.Errorf("Get-CsService -PersistentChatServer no longer lists pool %s", sr.r.req.PoolFQDN)
}
