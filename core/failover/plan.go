package failover

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"pcfailover/core/journal"
	"pcfailover/core/logchain"
	"pcfailover/core/report"
	"pcfailover/core/winpath"
)

// journal record kinds.
const (
	kindSnapshot = "msdb-snapshot"
	kindDecision = "decision"
	kindStep     = "step"
	kindStart    = "started"
)

// discover observes everything (read-only). The header cache avoids re-reading the
// headers of files already read in this run.
func (e *engine) discover(ctx context.Context, prev *Discovery) (*Discovery, error) {
	d := &Discovery{At: e.now().UTC()}
	rows, err := rowMaps(ctx, e.conn, qWhoAmI)
	if err != nil {
		return nil, failed(report.CodeConnectionFailed, fmt.Errorf("query the backup instance: %w", err))
	}
	if len(rows) > 0 {
		d.Sysadmin = asInt(rows[0]["is_sysadmin"]) == 1
		d.SPID = int(asInt(rows[0]["spid"]))
		d.ServerName = asString(rows[0]["server_name"])
		d.MachineName = asString(rows[0]["machine_name"])
	}
	if !d.Sysadmin {
		return d, &stepError{code: report.CodePermissionDenied, category: "PermissionDenied", outcome: report.OutcomeFailed,
			err: fmt.Errorf("the login %s is not a member of sysadmin on %s: the log-shipping procedures, KILL and RESTORE need it; use a sysadmin login",
				e.req.BackupSQLInstance.User, e.req.BackupSQLInstance.Describe())}
	}
	if d.DB, err = observeDB(ctx, e.conn, e.req.Database); err != nil {
		return nil, err
	}
	if !d.DB.Exists {
		return d, &stepError{code: report.CodeInvalidRequest, category: "ObjectNotFound", target: e.req.Database, outcome: report.OutcomeFailed,
			err: fmt.Errorf("database %s does not exist on the backup instance %s; check the request's database and backupSqlInstance", e.req.Database, d.ServerName)}
	}
	if d.Live, err = observeLogShipping(ctx, e.conn, e.req.Database, d.At); err != nil {
		return nil, err
	}
	d.Snapshot = d.Live
	if d.Snapshot == nil {
		var s Snapshot
		ok, err := journal.Latest(e.req.RunDirectory, kindSnapshot, &s)
		if err != nil {
			return nil, failed(report.CodeUnexpected, err)
		}
		if ok {
			d.Snapshot = &s
		}
	}
	d.Share, d.CopyDir = e.req.Share, e.req.CopyDestination
	if d.Snapshot != nil {
		if d.Share == "" {
			d.Share = d.Snapshot.BackupSourceDirectory
		}
		if d.CopyDir == "" {
			d.CopyDir = d.Snapshot.BackupDestinationDirectory
		}
	}
	if err := e.resolveFolders(d); err != nil {
		return nil, err
	}
	if d.DB.Restoring() {
		files := d.scanFolders(e.req.Database)
		if d.Headers, err = e.headers(ctx, files); err != nil {
			return nil, err
		}
		if d.shareUnreachableBySQL(files, d.Headers) {
			files = d.candidates(e.req.Database)
			if d.Headers, err = e.headers(ctx, files); err != nil {
				return nil, err
			}
		}
		if err := e.useIntactOriginals(ctx, d, files, d.Headers); err != nil {
			return nil, failed(report.CodeSQLError, err)
		}
		if e.startLSN == nil {
			start := d.DB.RedoStartLSN
			e.startLSN = &start
		}
		d.Chain = logchain.Build(logchain.Target{Database: e.req.Database, FamilyGUID: d.DB.FamilyGUID, ForkGUID: d.DB.RedoForkGUID, Next: d.DB.RedoStartLSN}, d.Headers)
		if d.Sessions, err = listSessions(ctx, e.conn, d.DB.ID); err != nil {
			return nil, err
		}
	}
	if prev != nil && prev.Primary != nil {
		d.Primary = prev.Primary
	} else {
		d.Primary = e.observePrimary(ctx)
	}
	return d, nil
}

// resolveFolders finds how this machine reaches the share and the copy folder
// (pathMap, administrative share of the backup host, see core/winpath).
func (e *engine) resolveFolders(d *Discovery) error {
	if e.pathsErr != nil {
		return failed(report.CodeInvalidRequest, e.pathsErr)
	}
	if d.Share != "" {
		if d.ShareLocal, d.SharePathErr = e.paths.Local(d.Share, d.MachineName); d.SharePathErr != nil {
			d.ShareErr = d.SharePathErr
		}
	}
	if d.CopyDir != "" {
		d.CopyLocal, d.CopyPathErr = e.paths.Local(d.CopyDir, d.MachineName)
	}
	return nil
}

// needsCopy reports whether the run has files to copy into the copy folder: log backups
// to apply that are not there, or a tail-log backup the old primary will write.
func (e *engine) needsCopy(d *Discovery) bool {
	if d.Chain != nil {
		for _, a := range d.Chain.Apply {
			if !d.inCopy(a.Name) {
				return true
			}
		}
	}
	p := d.Primary
	return e.req.PrimarySQLInstance != nil && p != nil && p.Answered && p.Exists && p.State != "RESTORING"
}

// pathBlock returns the unreachable folder that blocks check-chain, if any: the share
// (its files cannot be seen), or the copy folder when something must be copied.
func (e *engine) pathBlock(d *Discovery) (sqlPath string, err error) {
	if d == nil || !d.DB.Restoring() {
		return "", nil
	}
	if d.SharePathErr != nil {
		return d.Share, d.SharePathErr
	}
	if d.CopyPathErr != nil && e.needsCopy(d) {
		return d.CopyDir, d.CopyPathErr
	}
	return "", nil
}

// blockCode is the error code and target failover stops with when step id is blocked.
func (e *engine) blockCode(id string, d *Discovery) (code, target string) {
	code = report.CodeGapInLogChain
	switch {
	case id == StepSnapshot:
		return report.CodeInvalidRequest, ""
	case id == StepLyncPoolState || id == StepLyncMirror || id == StepLyncActiveServers:
		return report.CodeLyncError, ""
	case id == StepTailLog && d != nil && d.Share != "" && winpath.MustKind(d.Share) == winpath.Drive:
		return report.CodePathUnreachable, d.Share
	}
	if p, err := e.pathBlock(d); err != nil && id == StepCheckChain {
		return report.CodePathUnreachable, p
	}
	if id == StepCheckChain && d != nil && d.DB.Restoring() && d.ShareErr != nil && !e.req.Options.AcceptDataLoss {
		return report.CodePathUnreachable, d.Share
	}
	gapBlocks := d != nil && d.Chain != nil && d.Chain.Gap != nil && !e.req.Options.AcceptDataLoss
	if id == StepCheckChain && !gapBlocks && e.diskShortfall(d) != "" {
		return report.CodeDiskFull, d.CopyDir
	}
	if d != nil && d.Chain != nil && d.Chain.Gap != nil {
		target = gapTarget(d.Chain.Gap)
	}
	return code, target
}

// folders reports the share and the copy folder in both views.
func (e *engine) folders(d *Discovery) []report.Folder {
	out := []report.Folder{}
	if d.Share != "" {
		err := d.SharePathErr
		if err == nil {
			err = d.ShareErr
		}
		out = append(out, ReportFolder(report.FolderShare, d.Share, d.ShareLocal, d.MachineName, err))
	}
	if d.CopyDir != "" {
		err := d.CopyPathErr
		if err == nil {
			err = d.CopyErr
		}
		out = append(out, ReportFolder(report.FolderCopy, d.CopyDir, d.CopyLocal, d.MachineName, err))
	}
	return out
}

func (e *engine) headers(ctx context.Context, files []fileInfo) ([]logchain.Header, error) {
	out := make([]logchain.Header, len(files))
	var todo []fileInfo
	var idx []int
	e.hmu.Lock()
	for i, f := range files {
		if h, ok := e.hcache[cacheKey(f)]; ok {
			out[i] = h
		} else {
			todo = append(todo, f)
			idx = append(idx, i)
		}
	}
	e.hmu.Unlock()
	if len(todo) == 0 {
		return out, nil
	}
	e.ev.Log("verbose", "reading %d backup headers (RESTORE HEADERONLY, %d at a time)", len(todo), e.req.Options.HeaderParallelism)
	hs, err := readHeaders(ctx, e.db, todo, e.req.Options.HeaderParallelism, e.reach)
	if err != nil {
		return nil, failed(report.CodeSQLError, err)
	}
	e.hmu.Lock()
	for n, h := range hs {
		out[idx[n]] = h
		if h.Known() {
			e.hcache[cacheKey(todo[n])] = h
		}
	}
	e.hmu.Unlock()
	return out, nil
}

func cacheKey(f fileInfo) string { return fmt.Sprintf("%s|%d", f.Path, f.Size) }

// observePrimary asks the old primary (if the request names one) for the database state.
func (e *engine) observePrimary(ctx context.Context) *PrimaryState {
	in := e.req.PrimarySQLInstance
	if in == nil {
		return nil
	}
	ps := &PrimaryState{}
	db, err := e.openPrimary()
	if err != nil {
		ps.Error = err.Error()
		return ps
	}
	defer db.Close()
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	rows, err := rowMaps(cctx, db, qDBState, e.req.Database)
	if err != nil {
		ps.Error = e.red.Redact(err.Error())
		return ps
	}
	ps.Answered = true
	if len(rows) > 0 {
		ps.Exists = true
		ps.State = asString(rows[0]["state_desc"])
	}
	return ps
}

// planAll sets the status, detail and would-be statements of every step from d.
func (e *engine) planAll(ctx context.Context, d *Discovery) {
	for _, spec := range stepSpecs {
		e.planStep(spec.ID, d)
	}
	e.planLync(ctx)
}

func (e *engine) planLync(ctx context.Context) {
	if e.cfg.Lync == nil {
		status, detail := report.StatusPending, "no Lync runner was configured for this run; run steps 5-7 in the Lync Server Management Shell"
		if e.req.Lync != nil && e.req.Lync.Skip {
			status, detail = report.StatusSkipped, "lync.skip is set: run steps 5-7 in the Lync Server Management Shell"
		}
		for _, id := range []string{StepLyncPoolState, StepLyncMirror, StepLyncActiveServers} {
			s := e.step(id)
			s.Status = status
			s.Detail = detail
		}
		return
	}
	steps, err := e.cfg.Lync.Plan(ctx)
	if err != nil {
		e.warn("plan the Lync steps: %v", err)
		return
	}
	for _, ls := range steps {
		if s := e.step(ls.ID); s != nil {
			s.Status, s.Detail, s.Statements = ls.Status, ls.Detail, ls.Statements
		}
	}
}

// planStep decides one step's status from d, the way Failover will find it.
func (e *engine) planStep(id string, d *Discovery) {
	s := e.step(id)
	db := e.req.Database
	set := func(status, detail string) { s.Status, s.Detail = status, detail }
	chain := d.Chain
	switch id {
	case StepLock:
		set(report.StatusPlanned, fmt.Sprintf("lock file %s and sp_getapplock %q on the backup instance", e.lockPath(), lockResource(e.req.PoolFQDN)))
		e.planRecord(s, "backup", qGetAppLock, map[string]string{"@p1": lockResource(e.req.PoolFQDN)})
	case StepSnapshot:
		switch {
		case d.Live != nil:
			set(report.StatusPlanned, fmt.Sprintf("share %s, copy folder %s, last copied %s, last restored %s", d.Live.BackupSourceDirectory,
				d.Live.BackupDestinationDirectory, d.Live.LastCopiedFile, d.Live.LastRestoredFile))
			e.planRecord(s, "backup", qLogShipping, map[string]string{"@p1": db})
		case d.Snapshot != nil:
			set(report.StatusAlreadyDone, fmt.Sprintf("log shipping already removed; snapshot of %s in the journal", d.Snapshot.TakenAt.Format(time.RFC3339)))
		case d.Share != "" && d.CopyDir != "":
			set(report.StatusSkipped, "no log-shipping configuration in msdb; using the request's share and copyDestination")
		case !d.DB.Restoring():
			set(report.StatusSkipped, "no log-shipping configuration and the database is not restoring")
		default:
			set(report.StatusBlocked, fmt.Sprintf("%s has no log-shipping configuration in msdb and no snapshot in %s: the share and copy folder are unknown; set share and copyDestination in the request", db, e.req.RunDirectory))
		}
	case StepCheckChain:
		switch {
		case !d.DB.Restoring():
			set(report.StatusAlreadyDone, "the database is "+d.DB.State+": no log chain to check")
		case d.SharePathErr != nil:
			set(report.StatusBlocked, fmt.Sprintf("the share %s cannot be reached from this machine, so the log backups in it cannot be seen or copied: %v", d.Share, d.SharePathErr))
		case d.CopyPathErr != nil && e.needsCopy(d):
			set(report.StatusBlocked, fmt.Sprintf("log backups must be copied into the copy folder %s, which cannot be reached from this machine: %v", d.CopyDir, d.CopyPathErr))
		case d.ShareErr != nil && !e.req.Options.AcceptDataLoss:
			set(report.StatusBlocked, fmt.Sprintf("the share %s is unreachable (%v): log backups that were never copied cannot be seen; restore access to the share (or correct its pathMap entry), or accept data loss", d.Share, d.ShareErr))
		case chain.Gap != nil && !e.req.Options.AcceptDataLoss:
			set(report.StatusBlocked, "gap in the log chain: "+chain.Gap.Describe())
		case e.diskShortfall(d) != "":
			set(report.StatusBlocked, e.diskShortfall(d))
		case chain.Gap != nil:
			set(report.StatusPlanned, "data loss accepted: the database will be recovered at LSN "+chain.End.String()+"; "+chain.Gap.Describe())
		default:
			set(report.StatusPlanned, fmt.Sprintf("continuous from LSN %s (%s) to %s: %d log backups to apply", chain.Start, d.DB.NextFrom, chain.End, len(chain.Apply)))
		}
	case StepDisableJobs:
		if d.Live == nil {
			set(report.StatusAlreadyDone, "no log-shipping configuration: the jobs are gone")
			return
		}
		var todo []string
		for _, j := range d.Live.Jobs {
			if j.Exists && (j.Enabled || j.Running) {
				todo = append(todo, j.Name)
				if j.Enabled {
					e.planRecord(s, "backup", qDisableJob, map[string]string{"@p1": j.ID})
				}
			}
		}
		if len(todo) == 0 {
			set(report.StatusAlreadyDone, "the copy and restore jobs are disabled and idle")
		} else {
			set(report.StatusPlanned, "disable and wait for "+strings.Join(todo, ", "))
		}
	case StepRemoveLogShipping:
		if d.Live == nil {
			set(report.StatusAlreadyDone, "log shipping is already removed from "+db)
			return
		}
		set(report.StatusPlanned, "sp_delete_log_shipping_secondary_database deletes the copy and restore jobs and the msdb rows")
		e.planRecord(s, "backup", qDeleteLS, map[string]string{"@p1": db})
	case StepTailLog:
		switch {
		case e.req.PrimarySQLInstance == nil:
			set(report.StatusSkipped, "no old primary in the request (disaster): no tail-log backup")
		case !d.DB.Restoring():
			set(report.StatusSkipped, "the backup database is already "+d.DB.State)
		case d.Primary == nil || !d.Primary.Answered:
			msg := "the old primary does not answer"
			if d.Primary != nil && d.Primary.Error != "" {
				msg += " (" + d.Primary.Error + ")"
			}
			set(report.StatusSkipped, msg+": no tail-log backup; transactions after the last log backup are lost")
		case !d.Primary.Exists:
			set(report.StatusSkipped, "the old primary has no database "+db)
		case d.Primary.State == "RESTORING":
			set(report.StatusAlreadyDone, "the old primary's "+db+" is RESTORING: its tail was already backed up")
		case d.Share == "":
			set(report.StatusBlocked, "the share is unknown: set share in the request")
		case winpath.MustKind(d.Share) == winpath.Drive:
			set(report.StatusBlocked, fmt.Sprintf("the share %s is a drive path of the backup SQL host %s: the old primary would write the tail-log backup to its own drive, where the backup server does not look; set share in the request to the UNC path both servers reach (\\\\host\\share)", d.Share, d.MachineName))
		default:
			set(report.StatusPlanned, "the tail-log backup becomes the last file of the chain")
			e.planRecord(s, "primary", tailLogSQL(db), map[string]string{"@p1": e.tailPath(d)})
		}
	case StepCopyLogs:
		if !d.DB.Restoring() {
			set(report.StatusAlreadyDone, "the database is "+d.DB.State)
			return
		}
		n, bytes := 0, int64(0)
		for _, a := range chain.Apply {
			if !d.inCopy(a.Name) {
				n++
				bytes += a.Size
				f := e.fileRec(a.Name)
				f.Action = report.ActionToCopy
			}
		}
		extra := ""
		if s := e.step(StepTailLog); s.Status == report.StatusPlanned {
			extra = " plus the tail-log backup"
		}
		if n == 0 && extra == "" {
			set(report.StatusAlreadyDone, "every log backup to apply is in the copy folder "+d.CopyDir)
		} else {
			set(report.StatusPlanned, fmt.Sprintf("copy %d log backups (%d bytes)%s from %s to %s", n, bytes, extra, d.Share, d.CopyDir))
		}
	case StepRestoreLogs:
		if !d.DB.Restoring() {
			set(report.StatusAlreadyDone, "the database is "+d.DB.State)
			return
		}
		if len(chain.Apply) > 0 {
			// A STANDBY database's readers block RESTORE LOG (3101): they are ended first.
			for _, ss := range d.Sessions {
				e.planRecord(s, "backup", killSQL(ss.SPID), nil)
			}
		}
		for _, a := range chain.Apply {
			p := a.Path
			if !d.inCopy(a.Name) {
				if sp, err := winpath.SQLJoin(d.CopyDir, a.Name); err == nil {
					p = sp
				}
			}
			e.planRecord(s, "backup", restoreLogSQL(db), map[string]string{"@p1": p})
		}
		if len(chain.Apply) == 0 && e.step(StepTailLog).Status != report.StatusPlanned {
			set(report.StatusAlreadyDone, "every available log backup is applied (the database needs LSN "+chain.End.String()+")")
		} else {
			set(report.StatusPlanned, fmt.Sprintf("apply %d log backups from LSN %s to %s", len(chain.Apply), chain.Start, chain.End))
		}
	case StepEndSessions:
		if !d.DB.Restoring() {
			set(report.StatusAlreadyDone, "the database is "+d.DB.State)
			return
		}
		if len(chain.Apply) == 0 {
			for _, ss := range d.Sessions {
				e.planRecord(s, "backup", killSQL(ss.SPID), nil)
			}
		}
		if len(d.Sessions) == 0 || len(chain.Apply) > 0 {
			set(report.StatusPlanned, "no user session now; checked again right before recovery")
		} else {
			set(report.StatusPlanned, fmt.Sprintf("%d user sessions on %s", len(d.Sessions), db))
		}
	case StepRecover:
		if d.DB.Online() {
			set(report.StatusAlreadyDone, db+" is ONLINE")
			return
		}
		e.planRecord(s, "backup", recoverSQL(db), nil)
		set(report.StatusPlanned, "then verify state_desc = ONLINE")
	}
}

// tailPath is where the tail-log backup goes: the share, under the log-shipping name.
func (e *engine) tailPath(d *Discovery) string {
	name := fmt.Sprintf("%s_%s.trn", e.req.Database, e.now().UTC().Format("20060102150405"))
	if p, err := winpath.SQLJoin(d.Share, name); err == nil {
		return p
	}
	return strings.TrimRight(d.Share, `\/`) + `\` + name
}

// summarize fills the report's files, chain, RPO and data loss from d.
func (e *engine) summarize(d *Discovery) {
	e.rep.FinalState = &report.DatabaseState{State: d.DB.State, IsInStandby: d.DB.Standby, UserAccess: d.DB.UserAccess}
	e.rep.Folders = e.folders(d)
	if d.CopyPathErr != nil {
		e.warn("the copy folder %s cannot be reached from this machine: %v", d.CopyDir, d.CopyPathErr)
	}
	if d.ShareErr != nil {
		e.warn("the share %s is unreachable: %v", d.Share, d.ShareErr)
	}
	for _, p := range d.Partial {
		f := e.fileRec(p)
		if f.Action == "" {
			f.Action, f.Detail = report.ActionPartial, "an interrupted log-shipping copy (.wrk): never restored"
		}
	}
	c := d.Chain
	if c == nil {
		if d.DB.LastRestore != nil {
			e.setRPO(d.DB.LastRestore.BackupFinishDate)
		}
		return
	}
	for _, en := range c.Entries {
		f := e.fileRec(en.Name)
		e.fillFile(f, en)
		if f.Action == "" {
			f.Action = entryAction(en.Verdict)
			if f.Detail == "" {
				f.Detail = en.Reason
			}
		}
	}
	start, end := c.Start, c.End
	if e.startLSN != nil {
		start = *e.startLSN
	}
	ch := &report.Chain{RedoStartLSN: &start, Continuous: c.Gap == nil}
	if c.LastApplied() != nil || d.DB.LastRestore != nil {
		ch.LastAppliedLSN = &end
	}
	if c.Gap != nil {
		g := &report.Gap{NeedLSN: c.Gap.Need, Description: c.Gap.Describe(), Damaged: c.Gap.Damaged}
		if c.Gap.After != nil {
			g.AfterFile = c.Gap.After.Name
			t := c.Gap.After.BackupFinishDate
			g.From = &t
		}
		if c.Gap.Next != nil {
			g.NextFile = c.Gap.Next.Name
			f := c.Gap.Next.FirstLSN
			g.FoundLSN = &f
			t := c.Gap.Next.BackupStartDate
			g.To = &t
		}
		ch.Gap = g
		dl := &report.DataLoss{Accepted: e.req.Options.AcceptDataLoss, FromLSN: c.End, Description: "recovering now loses every transaction from LSN " + c.End.String()}
		if !c.LostTo.IsZero() {
			t := c.LostTo
			dl.ToLSN = &t
			dl.Description += " to at least LSN " + t.String()
		}
		if !c.LostFrom.IsZero() {
			t := c.LostFrom
			dl.From = &t
			dl.Description += fmt.Sprintf(", from %s", t.Format(time.RFC3339))
		}
		if !c.LostUntil.IsZero() {
			t := c.LostUntil
			dl.To = &t
			dl.Description += fmt.Sprintf(" to %s (and anything after it)", t.Format(time.RFC3339))
		}
		dl.Description += "; " + c.Gap.Describe()
		e.rep.DataLoss = dl
	}
	if d.ShareErr != nil && c.Gap == nil {
		ch.Continuous = false
		e.rep.DataLoss = &report.DataLoss{Accepted: e.req.Options.AcceptDataLoss, FromLSN: c.End,
			Description: fmt.Sprintf("the share %s is unreachable: log backups that were never copied to %s cannot be seen; recovering at LSN %s loses every transaction they hold", d.Share, d.CopyDir, c.End)}
	}
	e.rep.Chain = ch
	if last := c.LastApplied(); last != nil {
		e.setRPO(last.BackupFinishDate)
	} else if d.DB.LastRestore != nil {
		e.setRPO(d.DB.LastRestore.BackupFinishDate)
	}
}

// planRecord lists a statement a step would run; only a plan shows would-be
// statements, a failover reports what it sent.
func (e *engine) planRecord(s *report.Step, target, text string, params map[string]string) {
	if e.planning {
		e.record(s, target, text, params)
	}
}

func (e *engine) setRPO(t time.Time) {
	if t.IsZero() {
		return
	}
	e.rep.RPO = &report.RPO{LastAppliedBackupFinish: &t, AgeSeconds: int64(e.now().Sub(t).Seconds())}
}

func (e *engine) fillFile(f *report.File, en logchain.Entry) {
	if f.SizeBytes == 0 {
		f.SizeBytes = en.Size
	}
	if en.Known() {
		a, b := en.FirstLSN, en.LastLSN
		f.FirstLSN, f.LastLSN = &a, &b
		if !en.BackupStartDate.IsZero() {
			t1, t2 := en.BackupStartDate, en.BackupFinishDate
			f.BackupStartDate, f.BackupFinishDate = &t1, &t2
		}
	}
	if e.disc != nil && winpath.SamePath(sqlDir(en.Path), e.disc.CopyDir) {
		f.CopyPath = en.Path
	} else if f.SourcePath == "" {
		f.SourcePath = en.Path
	}
	if e.disc != nil {
		if sf, ok := e.disc.inShare(en.Name); ok {
			f.SourcePath, f.SourceLocalPath = sf.Path, sf.Local
		}
		if cf, ok := e.disc.CopyFiles[nameKey(en.Name)]; ok {
			f.CopyPath, f.CopyLocalPath = cf.Path, cf.Local
		}
	}
}

// sqlDir is the folder of a path as SQL Server names it.
func sqlDir(p string) string {
	if wp, err := winpath.Parse(p); err == nil {
		return wp.Dir().String()
	}
	return filepath.Dir(p)
}

func entryAction(v logchain.Verdict) string {
	switch v {
	case logchain.Apply:
		return report.ActionToApply
	case logchain.AlreadyApplied:
		return report.ActionAlreadyApplied
	case logchain.Empty:
		return report.ActionEmpty
	case logchain.Foreign:
		return report.ActionForeign
	case logchain.Damaged:
		return report.ActionDamaged
	case logchain.Duplicate:
		return report.ActionDuplicate
	case logchain.AfterGap:
		return report.ActionAfterGap
	}
	return string(v)
}

func sortFiles(fs []*report.File) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if (a.FirstLSN != nil) != (b.FirstLSN != nil) {
			return a.FirstLSN != nil
		}
		if a.FirstLSN != nil {
			if c := a.FirstLSN.Compare(*b.FirstLSN); c != 0 {
				return c < 0
			}
		}
		return a.Name < b.Name
	})
}

// pathFix is the next step after a PCFailover.PathUnreachable stop.
const pathFix = "Make the folder reachable from this machine as SQL Server names it: add a pathMap entry {\"from\": <SQL Server's path>, \"to\": <the same folder as this machine reaches it>} to the request (on Windows the administrative share \\\\HOST\\X$ is the default for a drive path and needs local Administrators on HOST), or share the folder; `pcfailover plan --output text` lists each folder's SQL path and local path."

// unreachableFix is the next step after a PCFailover.PathUnreachable stop at target:
// pathFix, or, when target is the share, which this machine lists and whose files SQL
// Server cannot open, what the operating-system error SQL Server gave calls for
// (ShareFix), and for a share that may come back, accepting the data loss.
func unreachableFix(d *Discovery, target string) string {
	if d == nil || !winpath.SamePath(target, d.Share) {
		return pathFix
	}
	fix := ShareFix(d.Share, d.ShareSQLOSError)
	switch {
	case fix == "":
		return pathFix
	case d.ShareSQLOSError == osBadNetPath || d.ShareSQLOSError == osAccessDenied:
		return fix + " Or accept the data loss with --accept-data-loss (-AcceptDataLoss)."
	}
	return fix
}

// ShareFix is what an operator does when SQL Server cannot open the files of share,
// which this machine lists, with operating-system error osErr (ShareOSError); "" for
// another error.
func ShareFix(share string, osErr int) string {
	switch osErr {
	case osBadNetPath:
		return fmt.Sprintf("SQL Server cannot reach the host of the share %s (operating system error 53): bring that file server back, or the network path between the backup SQL Server and it, then run the same request again.", share)
	case osBadNetName:
		return fmt.Sprintf("The host of %s has no share by that name (operating system error 67): set the request's share to msdb's backup_source_directory as SQL Server names it (`pcfailover plan --output text` shows it), then run again.", share)
	case osPathNotFound:
		return fmt.Sprintf("SQL Server cannot find the folder %s (operating system error 3): correct the request's share, or its pathMap entry, so that SQL Server and this machine name the same folder, then run again.", share)
	case osAccessDenied:
		return fmt.Sprintf("SQL Server's service account may not read %s (operating system error 5): grant the backup instance's SQL Server and SQL Server Agent service accounts read access to the share and its folder (share and NTFS permissions), then run the same request again.", share)
	}
	return ""
}

// nextSteps tells the operator what to do after this run.
func (e *engine) nextSteps() {
	r := e.rep
	add := func(s string) { r.NextSteps = append(r.NextSteps, s) }
	switch r.Outcome {
	case report.OutcomePlanned:
		for _, s := range r.Steps {
			if s.Status == report.StatusBlocked {
				add(fmt.Sprintf("failover would stop at step %q: %s", s.ID, s.Detail))
				if code, target := e.blockCode(s.ID, e.disc); code == report.CodePathUnreachable {
					add(unreachableFix(e.disc, target))
				} else if s.ID == StepCheckChain {
					add("Find the missing or unreachable log backups and run plan again, or accept the data loss with --accept-data-loss (-AcceptDataLoss).")
				}
			}
		}
		add("Review the plan, then run `pcfailover failover` (Invoke-PCFailover) with the same request.")
	case report.OutcomeSucceeded:
		if e.cfg.Lync == nil {
			add(fmt.Sprintf("Run the Lync steps: Set-CsPersistentChatState -Identity \"service:%s\" -PoolState FailedOver; Install-CsMirrorDatabase with the backup instance as primary and the backup mirror instance as mirror; Set-CsPersistentChatActiveServer with servers in the backup data center.", r.PoolFQDN))
		}
		add("Check orphaned database users on the new primary (SQL logins have different SIDs on the backup instance).")
		add("Collect the compliance adapter's output (mgccomp is not failed over).")
	case report.OutcomeBlocked:
		for _, er := range r.Errors {
			switch er.Code {
			case report.CodeGapInLogChain:
				add("Find the missing log backup(s) (" + er.Target + ") on the primary site's share or backups, put them in the share or copy folder, and run the same request again; or accept the data loss with --accept-data-loss (-AcceptDataLoss).")
			case report.CodeDamagedBackup:
				add("Replace the damaged log backup " + er.Target + " with a good copy (for example from the share: delete the damaged copy from the copy folder and run again), or accept the data loss with --accept-data-loss.")
			case report.CodePathUnreachable:
				add(unreachableFix(e.disc, er.Target))
			case report.CodeLocked:
				add("Wait for the other run to finish, then run again. If its process is gone on another host, delete the lock file " + e.lockPath() + " and release the app lock by ending its SQL session.")
			}
		}
		if rs := e.step(StepRecover).Status; rs != report.StatusDone && rs != report.StatusAlreadyDone {
			if ls := e.step(StepRemoveLogShipping).Status; ls == report.StatusDone || ls == report.StatusAlreadyDone {
				add("The database is still restoring (log shipping is removed; its configuration is in the journal): running the same request again continues from where it stopped.")
			} else {
				add("The database is still restoring and log shipping is untouched: nothing irreversible was done.")
			}
		} else {
			add("The database is online; fix what the blocked Lync step says, then run the same request again to finish steps 5-7.")
		}
	case report.OutcomeInterrupted:
		add("Run the same request again: every step checks what is already done and resumes.")
	case report.OutcomeFailed:
		add("Fix the cause in the error, then run the same request again: completed steps are detected and skipped.")
	}
	if _, err := os.Stat(e.req.RunDirectory); err == nil && r.Command == "failover" {
		add("The journal of this run is " + filepath.Join(e.req.RunDirectory, journal.JournalFile) + ".")
	}
}
