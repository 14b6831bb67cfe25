package failback

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/journal"
	"pcfailover/core/lync"
	"pcfailover/core/report"
	"pcfailover/core/winpath"
)

const (
	qWhoAmI      = `SELECT CAST(IS_SRVROLEMEMBER('sysadmin') AS int) AS is_sysadmin, @@SERVERNAME AS server_name`
	qIsSecondary = `SELECT COUNT(*) AS n FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = @p1`
	qIsPrimary   = `SELECT COUNT(*) AS n FROM msdb.dbo.log_shipping_primary_databases WHERE primary_database = @p1`
	qFiles       = `SELECT f.type_desc, f.physical_name FROM sys.master_files AS f WHERE f.database_id = @p1`
	qFileList    = `RESTORE FILELISTONLY FROM DISK = @p1`
	qPrimaryJob  = `SELECT j.job_id, j.enabled FROM msdb.dbo.log_shipping_primary_databases AS p
JOIN msdb.dbo.sysjobs AS j ON j.job_id = p.backup_job_id WHERE p.primary_database = @p1`
	qSecondaryJobs = `SELECT j.job_id, j.enabled FROM msdb.dbo.log_shipping_secondary_databases AS d
JOIN msdb.dbo.log_shipping_secondary AS s ON s.secondary_id = d.secondary_id
JOIN msdb.dbo.sysjobs AS j ON j.job_id IN (s.copy_job_id, s.restore_job_id) WHERE d.secondary_database = @p1`
	qEnableJob    = `EXEC msdb.dbo.sp_update_job @job_id = @p1, @enabled = 1`
	qAddLSPrimary = `DECLARE @job uniqueidentifier, @id uniqueidentifier;
EXEC master.dbo.sp_add_log_shipping_primary_database @database = @p1, @backup_directory = @p2, @backup_share = @p3,
  @backup_job_name = @p4, @backup_retention_period = @p5, @backup_job_id = @job OUTPUT, @primary_id = @id OUTPUT;
EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = @p1, @secondary_server = @p6, @secondary_database = @p1;
EXEC msdb.dbo.sp_update_job @job_id = @job, @enabled = 1;`
	qAddLSSecondary = `DECLARE @c uniqueidentifier, @r uniqueidentifier, @s uniqueidentifier;
EXEC master.dbo.sp_add_log_shipping_secondary_primary @primary_server = @p1, @primary_database = @p2,
  @backup_source_directory = @p3, @backup_destination_directory = @p4, @copy_job_name = @p5, @restore_job_name = @p6,
  @file_retention_period = @p7, @copy_job_id = @c OUTPUT, @restore_job_id = @r OUTPUT, @secondary_id = @s OUTPUT;
EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = @p2, @primary_server = @p1, @primary_database = @p2,
  @restore_delay = 0, @restore_all = 1, @restore_mode = @p8, @disconnect_users = @p9, @restore_threshold = 45;
EXEC msdb.dbo.sp_update_job @job_id = @c, @enabled = 1;
EXEC msdb.dbo.sp_update_job @job_id = @r, @enabled = 1;`
)

const (
	// The newest log backup of the database msdb records on the backup instance.
	qLastLogBackup = `SELECT TOP (1) m.physical_device_name, CAST(b.family_guid AS nvarchar(36)) AS family_guid, b.last_lsn
FROM msdb.dbo.backupset AS b JOIN msdb.dbo.backupmediafamily AS m ON m.media_set_id = b.media_set_id
WHERE b.database_name = @p1 AND b.type = 'L' ORDER BY b.backup_finish_date DESC, b.backup_set_id DESC`
	qPrimaryID = `SELECT primary_id FROM msdb.dbo.log_shipping_primary_databases WHERE primary_database = @p1`
	// The pre-failover primary configuration: its secondaries first (32011 otherwise).
	qStaleSecondaries = `SELECT ps.secondary_server, ps.secondary_database FROM msdb.dbo.log_shipping_primary_secondaries AS ps
JOIN msdb.dbo.log_shipping_primary_databases AS p ON p.primary_id = ps.primary_id WHERE p.primary_database = @p1`
	qDropLSPrimarySecondary = `EXEC master.dbo.sp_delete_log_shipping_primary_secondary @primary_database = @p1, @secondary_server = @p2, @secondary_database = @p3`
	qDropLSPrimary          = `EXEC master.dbo.sp_delete_log_shipping_primary_database @database = @p1`
)

func q(name string) string { return failover.QuoteIdent(name) }

// observe reads the backup instance, the primary, the journal and Lync (read-only).
func (e *engine) observe(ctx context.Context) (*observation, error) {
	o := &observation{primaryFiles: map[string]string{}}
	db := e.req.Database
	for _, side := range []struct {
		target string
		conn   failover.Queryer
		name   *string
		st     *failover.DBState
	}{{"backup", e.bconn, &o.backupName, &o.backup}, {"primary", e.pconn, &o.primaryName, &o.primary}} {
		rows, err := failover.RowMaps(ctx, side.conn, qWhoAmI)
		if err != nil {
			return nil, failed(report.CodeConnectionFailed, fmt.Errorf("query the %s instance: %w", side.target, err))
		}
		if len(rows) == 0 || failover.AsInt(rows[0]["is_sysadmin"]) != 1 {
			return nil, &stepError{code: report.CodePermissionDenied, outcome: report.OutcomeFailed,
				err: fmt.Errorf("the login is not a member of sysadmin on the %s instance: BACKUP, RESTORE and the log-shipping procedures need it", side.target)}
		}
		*side.name = failover.AsString(rows[0]["server_name"])
		if *side.st, err = failover.ObserveDB(ctx, side.conn, db); err != nil {
			return nil, failed(report.CodeSQLError, err)
		}
	}
	if !o.backup.Exists {
		return nil, blocked(report.CodeInvalidRequest, "database %s does not exist on the backup instance %s", db, o.backupName)
	}
	var err error
	if o.backupSecondary, err = e.count(ctx, e.bconn, qIsSecondary, db); err != nil {
		return nil, err
	}
	if o.primaryShips, err = e.count(ctx, e.pconn, qIsPrimary, db); err != nil {
		return nil, err
	}
	if o.primaryShips {
		rows, err := failover.RowMaps(ctx, e.pconn, qPrimaryID, db)
		if err != nil {
			return nil, failed(report.CodeSQLError, err)
		}
		if len(rows) > 0 {
			o.primaryShipsID = failover.AsGUID(rows[0]["primary_id"])
		}
	}
	var sh shippedRec
	if ok, err := journal.Latest(e.req.RunDirectory, kindShipped, &sh); err == nil && ok {
		o.shipped = &sh
	}
	if o.primary.Exists {
		rows, err := failover.RowMaps(ctx, e.pconn, qFiles, o.primary.ID)
		if err != nil {
			return nil, failed(report.CodeSQLError, fmt.Errorf("read the primary's files of %s: %w", db, err))
		}
		for _, r := range rows {
			t := "D"
			if strings.EqualFold(failover.AsString(r["type_desc"]), "LOG") {
				t = "L"
			}
			if _, ok := o.primaryFiles[t]; !ok {
				o.primaryFiles[t] = failover.AsString(r["physical_name"])
			}
		}
	}
	for kind, dst := range map[string]**backupRec{kindFull: &o.full, kindTail: &o.tail, kindSeed: &o.seed} {
		var rec backupRec
		ok, err := journal.Latest(e.req.RunDirectory, kind, &rec)
		if err != nil {
			return nil, failed(report.CodeUnexpected, err)
		}
		if ok {
			*dst = &rec
		}
	}
	if o.backup.Restoring() && o.full != nil && o.tail == nil {
		if o.orphanTail, err = e.findOrphanTail(ctx, o.full); err != nil {
			return nil, err
		}
	}
	if e.snapshot == nil {
		var s failover.Snapshot
		if ok, err := journal.Latest(e.req.RunDirectory, failover.JournalKindSnapshot, &s); err == nil && ok {
			e.snapshot = &s
		}
	}
	if e.cfg.Lync != nil {
		if e.pool == nil {
			st, err := e.cfg.Lync.Pool(ctx)
			if err != nil {
				return nil, &stepError{code: report.CodeLyncError, outcome: report.OutcomeFailed, err: fmt.Errorf("read the pool state: %w", err)}
			}
			e.pool = &st
		}
		st := *e.pool
		st.ActiveServers = append([]string(nil), st.ActiveServers...)
		o.lync = &st
	}
	return o, nil
}

// findOrphanTail looks in the backup instance's msdb for a log backup taken after the
// journaled full backup, of the same database family, in the share: the tail-log backup
// of a run that ended before journaling it. nil when there is none.
func (e *engine) findOrphanTail(ctx context.Context, full *backupRec) (*backupRec, error) {
	rows, err := failover.RowMaps(ctx, e.bconn, qLastLogBackup, e.req.Database)
	if err != nil {
		return nil, failed(report.CodeSQLError, fmt.Errorf("read msdb.dbo.backupset on the backup instance: %w", err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	rec := &backupRec{Path: failover.AsString(rows[0]["physical_device_name"]), FamilyGUID: failover.AsString(rows[0]["family_guid"])}
	if err := rec.LastLSN.UnmarshalText([]byte(failover.AsString(rows[0]["last_lsn"]))); err != nil {
		return nil, nil
	}
	name := rec.Path[strings.LastIndexAny(rec.Path, `\/`)+1:]
	if !strings.EqualFold(rec.FamilyGUID, full.FamilyGUID) || rec.LastLSN.Less(full.LastLSN) || !sameFile(rec.Path, joinDir(e.share(), name)) {
		return nil, nil
	}
	rec.ReadPath = joinDir(e.primaryDir(), name)
	return rec, nil
}

func (e *engine) count(ctx context.Context, conn failover.Queryer, text string, args ...any) (bool, error) {
	rows, err := failover.RowMaps(ctx, conn, text, args...)
	if err != nil {
		return false, failed(report.CodeSQLError, fmt.Errorf("read msdb: %w", err))
	}
	return len(rows) > 0 && failover.AsInt(rows[0]["n"]) > 0, nil
}

// share is the log-shipping share as the backup instance reads it; primaryDir as the
// primary writes it.
func (e *engine) share() string {
	if e.req.Share != "" {
		return e.req.Share
	}
	if e.snapshot != nil {
		return e.snapshot.BackupSourceDirectory
	}
	return ""
}

func (e *engine) primaryDir() string {
	if e.req.Failback != nil && e.req.Failback.PrimaryBackupDirectory != "" {
		return e.req.Failback.PrimaryBackupDirectory
	}
	return e.share()
}

func (e *engine) copyDir() string {
	if e.req.CopyDestination != "" {
		return e.req.CopyDestination
	}
	if e.snapshot != nil {
		return e.snapshot.BackupDestinationDirectory
	}
	return ""
}

func (e *engine) standby() bool {
	if e.req.Failback != nil && e.req.Failback.SecondaryRestoreMode != "" {
		return e.req.Failback.SecondaryRestoreMode == "standby"
	}
	return e.snapshot != nil && e.snapshot.RestoreMode == 1
}

// shareReadableByPrimary states the failback's path rule: the backup instance writes
// its full and tail-log backups to the share as it names it (share), and the rebuilt
// primary restores them from the same folder as it names it (primaryDir); both are SQL
// Server paths and pcfailover touches neither file. A drive path is a folder of one
// host only, so without failback.primaryBackupDirectory the share must be a UNC path
// both SQL Servers can read.
func (e *engine) shareReadableByPrimary() bool {
	explicit := e.req.Failback != nil && e.req.Failback.PrimaryBackupDirectory != ""
	return explicit || winpath.MustKind(e.share()) != winpath.Drive
}

// joinDir joins a file name onto a folder as SQL Server names it.
func joinDir(dir, name string) string {
	if p, err := winpath.SQLJoin(dir, name); err == nil {
		return p
	}
	if strings.Contains(dir, `\`) {
		return strings.TrimRight(dir, `\`) + `\` + name
	}
	return filepath.Join(dir, name)
}

// sameFile compares two paths as SQL Server names them (case-insensitive, '\' = '/').
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if winpath.SamePath(a, b) {
		return true
	}
	return strings.EqualFold(filepath.Clean(strings.ReplaceAll(a, `\`, "/")), filepath.Clean(strings.ReplaceAll(b, `\`, "/")))
}

// restoredFrom reports whether st's newest restore came from the file rec.
func restoredFrom(st failover.DBState, rec *backupRec) bool {
	return rec != nil && st.LastRestore != nil && (sameFile(st.LastRestore.Device, rec.ReadPath) || sameFile(st.LastRestore.Device, rec.Path))
}

// restoredToTail reports whether st was restored up to the end of this failback's tail-log
// backup: from the tail itself, or from the full backup when the tail adds nothing (it
// ends at the full's LSN: SQL Server refuses it with 4326).
func restoredToTail(st failover.DBState, o *observation) bool {
	if o.tail == nil || st.LastRestore == nil || st.FamilyGUID != o.tail.FamilyGUID || st.LastRestore.LastLSN != o.tail.LastLSN {
		return false
	}
	return restoredFrom(st, o.tail) || restoredFrom(st, o.full)
}

// primaryDone: the primary is ONLINE and was recovered at the end of this failback's tail.
func (o *observation) primaryDone() bool {
	return o.primary.Online() && restoredToTail(o.primary, o)
}

func (e *engine) poolNormal(o *observation) bool {
	return o.lync != nil && strings.EqualFold(o.lync.PoolState, "Normal")
}

// planStep sets step id's status and detail from o, exactly as the run will find it.
func (e *engine) planStep(ctx context.Context, id string, o *observation) {
	s := e.step(id)
	set := func(status, detail string) { s.Status, s.Detail = status, detail }
	db := e.req.Database
	lyncMissing := e.cfg.Lync == nil
	normal := e.poolNormal(o) || (lyncMissing && o.primaryDone())
	switch id {
	case StepLock:
		set(report.StatusPlanned, "lock file and sp_getapplock "+failover.LockResource(e.req.PoolFQDN)+" on the backup instance")
	case StepCheck:
		set(report.StatusPlanned, fmt.Sprintf("backup %s is %s, primary %s %s", db, stateText(o.backup), db, stateText(o.primary)))
		if o.lync != nil {
			s.Detail += fmt.Sprintf(", pool %s, active servers %v", o.lync.PoolState, o.lync.ActiveServers)
		}
	case StepClearActive:
		switch {
		case lyncMissing:
			set(report.StatusPending, "run Set-CsPersistentChatActiveServer -ActiveServers $null in the Lync Server Management Shell first")
		case normal || o.primaryDone():
			set(report.StatusSkipped, "the pool already serves from the primary")
		case len(o.lync.ActiveServers) == 0:
			set(report.StatusAlreadyDone, "no server is active")
		default:
			set(report.StatusPlanned, fmt.Sprintf("clear %v", o.lync.ActiveServers))
			e.planLync(ctx, s, lync.FailbackOp{Kind: lync.OpClearActive})
		}
	case StepEndSessions:
		if !o.backup.Online() {
			set(report.StatusAlreadyDone, "the backup database is "+stateText(o.backup))
		} else {
			set(report.StatusPlanned, "KILL every user session on the backup database, checked right before the backups")
		}
	case StepRemoveMirror:
		switch {
		case lyncMissing:
			set(report.StatusPending, "run Uninstall-CsMirrorDatabase -DatabaseType PersistentChat for the backup store")
		case normal || o.primaryDone() || !o.lync.InUseMirrored:
			set(report.StatusAlreadyDone, "the backup database is not mirrored")
		default:
			set(report.StatusPlanned, "Uninstall-CsMirrorDatabase for "+o.lync.Backup.String())
			e.planLync(ctx, s, lync.FailbackOp{Kind: lync.OpUninstallMirror, Store: o.lync.Backup})
		}
	case StepFullBackup, StepTailLog:
		switch {
		case o.primaryDone():
			set(report.StatusAlreadyDone, "the primary was already restored from this failback's backups")
		case id == StepTailLog && o.backup.Restoring() && o.tail != nil:
			set(report.StatusAlreadyDone, "the backup database is RESTORING after the tail-log backup "+o.tail.Path)
		case id == StepFullBackup && o.backup.Restoring() && o.full != nil && (o.tail != nil || o.orphanTail != nil):
			set(report.StatusAlreadyDone, "full backup "+o.full.Path)
		case id == StepTailLog && o.backup.Restoring() && o.orphanTail != nil:
			set(report.StatusPlanned, "record the tail-log backup "+o.orphanTail.Path+" that msdb lists but the journal does not (an earlier run ended after taking it)")
		case !o.backup.Online():
			set(report.StatusBlocked, "the backup database is "+stateText(o.backup)+" and this run directory's journal has no failback backup of it: it is not the failed-over primary; check the request")
		case e.share() == "":
			set(report.StatusBlocked, "the share is unknown: set share in the request")
		case !e.shareReadableByPrimary():
			set(report.StatusBlocked, fmt.Sprintf("the share %s is a drive path of the backup SQL host: the rebuilt primary cannot read the backups written there; set share to a UNC path both SQL Servers can read (\\\\host\\share), or failback.primaryBackupDirectory to the same folder as the primary names it", e.share()))
		case !lyncMissing && len(o.lync.ActiveServers) > 0 && e.step(StepClearActive).Status != report.StatusPlanned:
			set(report.StatusBlocked, "servers are still active")
		case lyncMissing && (e.req.Lync == nil || !e.req.Lync.Skip):
			set(report.StatusBlocked, "writers must be stopped first: give the request a lync section (module) so the tool clears the active servers, or clear them yourself and set lync.skip")
		case id == StepFullBackup:
			set(report.StatusPlanned, "BACKUP DATABASE to "+e.share())
			e.plan(s, "backup", fullBackupSQL(db), map[string]string{"@p1": joinDir(e.share(), db+"_failback_<utc>.bak")})
		default:
			set(report.StatusPlanned, "BACKUP LOG WITH NORECOVERY: the backup database becomes RESTORING; nothing can write to it after this")
			e.plan(s, "backup", tailSQL(db), map[string]string{"@p1": joinDir(e.share(), db+"_<utc>.trn")})
		}
	case StepRestorePrimary:
		switch {
		case o.primaryDone():
			set(report.StatusAlreadyDone, fmt.Sprintf("the primary's %s is ONLINE, recovered from %s", db, o.tail.Path))
		case o.primary.Online() && o.full != nil && o.primary.FamilyGUID == o.full.FamilyGUID && !restoredFrom(o.primary, o.tail):
			set(report.StatusBlocked, "the primary's database is ONLINE, of the same database family, but not restored from this failback's tail-log backup: it may hold transactions of its own; compare and drop it by hand")
		case o.primary.Online() && o.primary.FamilyGUID == o.backup.FamilyGUID && !e.req.Options.AcceptDataLoss:
			set(report.StatusBlocked, "the primary's "+db+" is the pre-failover database (same family as the backup): transactions it holds after the last shipped log backup were lost at failover and are overwritten now; accept with --accept-data-loss, or rebuild the database first")
		default:
			set(report.StatusPlanned, "RESTORE DATABASE WITH MOVE, REPLACE, NORECOVERY; RESTORE LOG (tail) WITH NORECOVERY; RESTORE WITH RECOVERY; verify the LSN")
			e.plan(s, "primary", restoreFullSQL(db, 2, "NORECOVERY"), map[string]string{"@p1": joinDir(e.primaryDir(), db+"_failback_<utc>.bak")})
			e.plan(s, "primary", "RESTORE LOG "+q(db)+" FROM DISK = @p1 WITH NORECOVERY", map[string]string{"@p1": joinDir(e.primaryDir(), db+"_<utc>.trn")})
			e.plan(s, "primary", "RESTORE DATABASE "+q(db)+" WITH RECOVERY", nil)
		}
	case StepPoolNormal:
		switch {
		case lyncMissing:
			set(report.StatusPending, "run Set-CsPersistentChatState -PoolState Normal, then set the active servers")
		case normal:
			set(report.StatusAlreadyDone, "the pool is Normal")
		default:
			set(report.StatusPlanned, "after the primary is verified ONLINE")
			e.planLync(ctx, s, lync.FailbackOp{Kind: lync.OpPoolNormal})
		}
	case StepActiveServers:
		want := e.wantActive()
		switch {
		case lyncMissing:
			set(report.StatusPending, fmt.Sprintf("run Set-CsPersistentChatActiveServer with %v after PoolState Normal", want))
		case normal && sameSet(o.lync.ActiveServers, want):
			set(report.StatusAlreadyDone, fmt.Sprintf("active: %v", want))
		default:
			set(report.StatusPlanned, fmt.Sprintf("%v, after PoolState Normal", want))
			e.planLync(ctx, s, lync.FailbackOp{Kind: lync.OpSetActive, Servers: want})
		}
	case StepSeedBackup:
		switch {
		case o.backupSecondary || restoredFrom(o.backup, o.seed):
			set(report.StatusAlreadyDone, "the backup database was re-seeded from the primary")
		default:
			set(report.StatusPlanned, "BACKUP DATABASE on the primary, RESTORE WITH REPLACE, "+e.seedMode()+" on the backup")
			e.plan(s, "primary", fullBackupSQL(db), map[string]string{"@p1": joinDir(e.primaryDir(), db+"_seed_<utc>.bak")})
			e.plan(s, "backup", restoreFullSQL(db, 0, e.seedMode()), map[string]string{"@p1": joinDir(e.share(), db+"_seed_<utc>.bak")})
		}
	case StepShipPrimary:
		if o.primaryShips && o.primaryShipsID != "" && o.shipped != nil && strings.EqualFold(o.primaryShipsID, o.shipped.PrimaryID) {
			set(report.StatusAlreadyDone, "log_shipping_primary_databases lists "+db)
		} else {
			set(report.StatusPlanned, "backup job "+lsBackupJobPrefix+db+" to "+e.primaryDir())
			if o.primaryShips {
				s.Detail += "; first remove the pre-failover configuration left in the primary's msdb"
				e.plan(s, "primary", qDropLSPrimary, map[string]string{"@p1": db})
			}
			e.plan(s, "primary", qAddLSPrimary, nil)
		}
	case StepShipSecondary:
		switch {
		case o.backupSecondary:
			set(report.StatusAlreadyDone, "log_shipping_secondary_databases lists "+db)
		case e.copyDir() == "":
			set(report.StatusBlocked, "the copy folder is unknown: set copyDestination in the request")
		default:
			set(report.StatusPlanned, "copy "+e.share()+" -> "+e.copyDir()+", restore "+e.seedMode())
			e.plan(s, "backup", qAddLSSecondary, nil)
		}
	case StepPrimaryMirror:
		switch {
		case e.req.Failback != nil && e.req.Failback.SkipPrimaryMirror:
			set(report.StatusSkipped, "failback.skipPrimaryMirror")
		case lyncMissing:
			set(report.StatusPending, "run Install-CsMirrorDatabase -DatabaseType PersistentChat for the primary store")
		case normal && o.lync.InUseMirrored:
			set(report.StatusAlreadyDone, "the primary database is mirrored")
		case e.mirrorShare() == "":
			set(report.StatusBlocked, "failback.mirrorFileShare is required to install the primary's mirror")
		default:
			set(report.StatusPlanned, "Install-CsMirrorDatabase for "+o.lync.Primary.String())
			e.planLync(ctx, s, lync.FailbackOp{Kind: lync.OpInstallMirror, Store: o.lync.Primary, FileShare: e.mirrorShare()})
		}
	}
}

func (e *engine) mirrorShare() string {
	if e.req.Failback != nil && e.req.Failback.MirrorFileShare != "" {
		return e.req.Failback.MirrorFileShare
	}
	if e.req.Lync != nil {
		return e.req.Lync.MirrorFileShare
	}
	return ""
}

func (e *engine) wantActive() []string {
	if e.req.Failback != nil {
		return e.req.Failback.ActiveServers
	}
	return nil
}

func (e *engine) seedMode() string {
	if e.standby() {
		return "STANDBY"
	}
	return "NORECOVERY"
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[strings.ToLower(x)] = true
	}
	for _, x := range b {
		if !m[strings.ToLower(x)] {
			return false
		}
	}
	return true
}

func stateText(st failover.DBState) string {
	switch {
	case !st.Exists:
		return "absent"
	case st.Standby:
		return "STANDBY"
	}
	return st.State
}

func fullBackupSQL(db string) string {
	return "BACKUP DATABASE " + q(db) + " TO DISK = @p1 WITH INIT, CHECKSUM"
}

func tailSQL(db string) string {
	return "BACKUP LOG " + q(db) + " TO DISK = @p1 WITH NORECOVERY, CHECKSUM"
}

// restoreFullSQL restores @p1 WITH REPLACE and mode; moves pairs of @p2.. parameters
// (logical, physical) are added as MOVE clauses.
func restoreFullSQL(db string, moves int, mode string) string {
	var b strings.Builder
	b.WriteString("RESTORE DATABASE " + q(db) + " FROM DISK = @p1 WITH ")
	for i := 0; i < moves; i++ {
		fmt.Fprintf(&b, "MOVE @p%d TO @p%d, ", 2+2*i, 3+2*i)
	}
	if mode == "STANDBY" {
		fmt.Fprintf(&b, "REPLACE, STANDBY = @p%d", 2+2*moves)
	} else {
		b.WriteString("REPLACE, " + mode)
	}
	return b.String()
}

// Plan observes (read-only) and returns the failback plan.
func Plan(ctx context.Context, cfg Config) *report.Report {
	e := newEngine(cfg, "failback-plan")
	e.planning = true
	defer e.close()
	if err := e.connect(ctx); err != nil {
		return e.abort(ctx, err, e.step(StepCheck))
	}
	o, err := e.observe(ctx)
	if err != nil {
		return e.abort(ctx, err, e.step(StepCheck))
	}
	for _, sp := range stepSpecs {
		e.planStep(ctx, sp.ID, o)
	}
	e.finalState(o)
	for _, s := range e.rep.Steps {
		if s.Status == report.StatusBlocked {
			re := report.Error{Code: report.CodeInvalidRequest, Category: "InvalidData", Message: s.Detail}
			s.Error = &re
			e.rep.Errors = append(e.rep.Errors, re)
			return e.finish(report.OutcomeBlocked)
		}
	}
	return e.finish(report.OutcomePlanned)
}

func (e *engine) finalState(o *observation) {
	e.rep.FinalState = &report.DatabaseState{State: o.primary.State, IsInStandby: o.primary.Standby, UserAccess: o.primary.UserAccess}
}

// Failback runs the failback, resuming whatever an earlier run left.
func Failback(ctx context.Context, cfg Config) *report.Report {
	e := newEngine(cfg, "failback")
	defer e.close()
	s := e.step(StepLock)
	e.begin(s)
	lock, err := journal.Acquire(e.req.RunDirectory, journal.Holder{Host: hostName(cfg), PID: pidOf(cfg), RunID: e.runID, Command: "failback", StartedAt: e.rep.StartedAt})
	var le *journal.LockedError
	if errors.As(err, &le) {
		return e.abort(ctx, blocked(report.CodeLocked, "%v", le), s)
	} else if err != nil {
		return e.abort(ctx, failed(report.CodeUnexpected, err), s)
	}
	e.lock = lock
	if lock.Stale != nil {
		e.warn("took over the lock of a run that ended without releasing it: %s", lock.Stale)
	}
	if e.jr, err = journal.Open(e.req.RunDirectory, e.runID, e.now); err != nil {
		return e.abort(ctx, failed(report.CodeUnexpected, err), s)
	}
	_ = e.jr.Append(kindStart, map[string]any{"command": "failback", "pool": e.req.PoolFQDN, "database": e.req.Database,
		"backup": e.req.BackupSQLInstance.Describe(), "primary": e.req.PrimarySQLInstance.Describe()})
	if err := e.connect(ctx); err != nil {
		return e.abort(ctx, err, s)
	}
	res := failover.LockResource(e.req.PoolFQDN)
	e.record(s, "backup", failover.GetAppLockSQL, map[string]string{"@p1": res})
	rows, err := failover.RowMaps(ctx, e.bconn, failover.GetAppLockSQL, res)
	if err != nil {
		return e.abort(ctx, failed(report.CodeSQLError, fmt.Errorf("sp_getapplock %s: %w", res, err)), s)
	}
	if len(rows) == 0 || failover.AsInt(rows[0]["result"]) < 0 {
		return e.abort(ctx, blocked(report.CodeLocked, "another session holds the SQL app lock %q on the backup instance: another pcfailover run works on this pool", res), s)
	}
	e.end(s, report.StatusDone, "lock file and SQL app lock "+res)

	for _, sp := range stepSpecs[1:] {
		o, err := e.observe(ctx)
		if err != nil {
			return e.abort(ctx, err, e.step(sp.ID))
		}
		e.obs = o
		if r := e.runStep(ctx, sp.ID, o); r != nil {
			return r
		}
	}
	o, err := e.observe(ctx)
	if err == nil {
		e.finalState(o)
	}
	return e.finish(report.OutcomeSucceeded)
}

func (e *engine) begin(s *report.Step) {
	t := e.now().UTC()
	s.StartedAt, s.Status = &t, report.StatusRunning
	e.ev.StepStarted(s.ID, s.Name)
	e.reach("before:" + s.ID)
}

func (e *engine) end(s *report.Step, status, detail string) {
	if s.StartedAt != nil {
		s.DurationMs = e.now().UTC().Sub(*s.StartedAt).Milliseconds()
	}
	s.Status = status
	if detail != "" {
		s.Detail = e.red.Redact(detail)
	}
	_ = e.jr.Append(kindStep, map[string]any{"id": s.ID, "status": status, "durationMs": s.DurationMs, "detail": s.Detail})
	e.ev.StepFinished(s.ID, status, time.Duration(s.DurationMs)*time.Millisecond)
	e.reach("after:" + s.ID)
}

func (e *engine) runStep(ctx context.Context, id string, o *observation) *report.Report {
	s := e.step(id)
	e.planStep(ctx, id, o)
	switch s.Status {
	case report.StatusAlreadyDone, report.StatusSkipped, report.StatusPending:
		e.ev.StepStarted(s.ID, s.Name)
		_ = e.jr.Append(kindStep, map[string]any{"id": id, "status": s.Status, "detail": s.Detail})
		e.ev.StepFinished(s.ID, s.Status, 0)
		return nil
	case report.StatusBlocked:
		return e.abort(ctx, blocked(report.CodeInvalidRequest, "%s", s.Detail), s)
	}
	detail := s.Detail
	s.Detail = ""
	e.begin(s)
	var err error
	switch id {
	case StepCheck:
	case StepClearActive:
		err = e.lyncSet(ctx, s, lync.FailbackOp{Kind: lync.OpClearActive}, func(p lync.Pool) bool { return len(p.ActiveServers) == 0 })
	case StepEndSessions:
		detail, err = e.endSessions(ctx, s, o)
	case StepRemoveMirror:
		err = e.lyncSet(ctx, s, lync.FailbackOp{Kind: lync.OpUninstallMirror, Store: o.lync.Backup}, func(p lync.Pool) bool { return !p.InUseMirrored })
	case StepFullBackup:
		detail, err = e.fullBackup(ctx, s, o)
	case StepTailLog:
		detail, err = e.tailLog(ctx, s, o)
	case StepRestorePrimary:
		detail, err = e.restorePrimary(ctx, s, o)
	case StepPoolNormal:
		err = e.lyncSet(ctx, s, lync.FailbackOp{Kind: lync.OpPoolNormal}, func(p lync.Pool) bool { return p.Normal() })
	case StepActiveServers:
		want := e.wantActive()
		err = e.lyncSet(ctx, s, lync.FailbackOp{Kind: lync.OpSetActive, Servers: want}, func(p lync.Pool) bool { return sameSet(p.ActiveServers, want) })
	case StepSeedBackup:
		detail, err = e.seedBackup(ctx, s, o)
	case StepShipPrimary:
		detail, err = e.shipPrimary(ctx, s, o)
	case StepShipSecondary:
		detail, err = e.shipSecondary(ctx, s, o)
	case StepPrimaryMirror:
		err = e.lyncSet(ctx, s, lync.FailbackOp{Kind: lync.OpInstallMirror, Store: o.lync.Primary, FileShare: e.mirrorShare()}, func(p lync.Pool) bool { return p.Normal() && p.InUseMirrored })
	}
	if err != nil {
		var se *stepError
		if !errors.As(err, &se) {
			err = failed(report.CodeSQLError, err)
		}
		return e.abort(ctx, err, s)
	}
	e.end(s, report.StatusDone, detail)
	return nil
}

// planLync records op's cmdlet on the plan (plan only: a run records what it sent).
func (e *engine) planLync(ctx context.Context, s *report.Step, op lync.FailbackOp) {
	if !e.planning {
		return
	}
	if err := e.cfg.Lync.PlanFailback(ctx, s, op); err != nil {
		e.warn("plan %s: %v", op.Kind, err)
	}
}

// lyncSet runs one mutating cmdlet once and verifies its effect by reading back.
func (e *engine) lyncSet(ctx context.Context, s *report.Step, op lync.FailbackOp, ok func(lync.Pool) bool) error {
	e.reach("before:lync:" + s.ID)
	err := e.cfg.Lync.RunFailback(ctx, s, op)
	e.reach("after:lync:" + s.ID)
	e.pool = nil
	p, rerr := e.cfg.Lync.Pool(ctx)
	if rerr == nil {
		e.pool = &p
	}
	if rerr != nil {
		if err != nil {
			return &stepError{code: report.CodeLyncError, outcome: report.OutcomeFailed, err: fmt.Errorf("%s: %w; reading the pool back failed too: %v. Not retried: check the pool, then run the same request again", op.Kind, err, rerr)}
		}
		return &stepError{code: report.CodeLyncError, outcome: report.OutcomeFailed, err: fmt.Errorf("read back after %s: %w", op.Kind, rerr)}
	}
	if !ok(p) {
		if err == nil {
			err = errors.New("the cmdlet returned but reading back shows no effect")
		}
		return &stepError{code: report.CodeLyncError, outcome: report.OutcomeFailed, err: fmt.Errorf("%s: %w. Not retried: fix the cause, then run the same request again", op.Kind, err)}
	}
	if err != nil {
		e.warn("%s reported %v, but reading back shows its effect", op.Kind, err)
	}
	return nil
}

func (e *engine) endSessions(ctx context.Context, s *report.Step, o *observation) (string, error) {
	sess, err := failover.Sessions(ctx, e.bconn, o.backup.ID)
	if err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	n := 0
	for _, ss := range sess {
		if err := e.exec(ctx, s, "backup", fmt.Sprintf("kill:%d", ss.SPID), failover.KillSQL(ss.SPID), nil); err != nil {
			if failover.HasSQLNumber(err, 6106, 6104, 6107) {
				continue
			}
			return "", failed(report.CodeSQLError, err)
		}
		n++
	}
	return fmt.Sprintf("ended %d user sessions", n), nil
}

// backupRecord reads the header of the backup just written and journals it.
func (e *engine) backupRecord(ctx context.Context, kind, path, readPath string) (*backupRec, error) {
	rows, err := failover.RowMaps(ctx, e.bconn, "RESTORE HEADERONLY FROM DISK = @p1", path)
	if err != nil || len(rows) == 0 {
		rows, err = failover.RowMaps(ctx, e.pconn, "RESTORE HEADERONLY FROM DISK = @p1", readPath)
	}
	if err != nil || len(rows) == 0 {
		return nil, failed(report.CodeSQLError, fmt.Errorf("read back the header of %s: %v", path, err))
	}
	rec := &backupRec{Path: path, ReadPath: readPath, FamilyGUID: failover.AsGUID(rows[0]["familyguid"])}
	if err := rec.LastLSN.UnmarshalText([]byte(failover.AsString(rows[0]["lastlsn"]))); err != nil {
		return nil, failed(report.CodeSQLError, fmt.Errorf("header of %s: LastLSN: %w", path, err))
	}
	e.reach("before:journal:" + kind)
	if err := e.jr.Append(kind, rec); err != nil {
		return nil, failed(report.CodeUnexpected, err)
	}
	e.reach("after:journal:" + kind)
	return rec, nil
}

func (e *engine) stamp() string { return e.now().UTC().Format("20060102150405") }

func (e *engine) fullBackup(ctx context.Context, s *report.Step, o *observation) (string, error) {
	if _, err := e.endSessions(ctx, e.step(StepEndSessions), o); err != nil {
		return "", err
	}
	name := e.req.Database + "_failback_" + e.stamp() + ".bak"
	p := joinDir(e.share(), name)
	if err := e.exec(ctx, s, "backup", "full-backup", fullBackupSQL(e.req.Database), map[string]string{"@p1": p}, p); err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	rec, err := e.backupRecord(ctx, kindFull, p, joinDir(e.primaryDir(), name))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, last LSN %s", p, rec.LastLSN), nil
}

func (e *engine) tailLog(ctx context.Context, s *report.Step, o *observation) (string, error) {
	if o.full == nil {
		return "", blocked(report.CodeInvalidRequest, "no full backup in the journal")
	}
	if t := o.orphanTail; t != nil && o.backup.Restoring() {
		// Read its header back (the file, not only msdb) and journal it.
		rec, err := e.backupRecord(ctx, kindTail, t.Path, t.ReadPath)
		if err != nil {
			return "", err
		}
		if rec.FamilyGUID != o.full.FamilyGUID || rec.LastLSN.Less(o.full.LastLSN) {
			return "", failed(report.CodeSQLError, fmt.Errorf("the log backup %s msdb lists is not this failback's tail-log backup (family %s, last LSN %s)", t.Path, rec.FamilyGUID, rec.LastLSN))
		}
		return fmt.Sprintf("%s, last LSN %s (taken by an earlier run, recorded now); the backup database is RESTORING", t.Path, rec.LastLSN), nil
	}
	if _, err := e.endSessions(ctx, e.step(StepEndSessions), o); err != nil {
		return "", err
	}
	name := e.req.Database + "_" + e.stamp() + ".trn"
	p := joinDir(e.share(), name)
	if err := e.exec(ctx, s, "backup", "tail-log", tailSQL(e.req.Database), map[string]string{"@p1": p}, p); err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	rec, err := e.backupRecord(ctx, kindTail, p, joinDir(e.primaryDir(), name))
	if err != nil {
		return "", err
	}
	st, err := failover.ObserveDB(ctx, e.bconn, e.req.Database)
	if err != nil || st.State != "RESTORING" {
		return "", failed(report.CodeSQLError, fmt.Errorf("the backup database is not RESTORING after BACKUP LOG WITH NORECOVERY (%v)", err))
	}
	return fmt.Sprintf("%s, last LSN %s; the backup database is RESTORING", p, rec.LastLSN), nil
}

func (e *engine) restorePrimary(ctx context.Context, s *report.Step, o *observation) (string, error) {
	db := e.req.Database
	if o.full == nil || o.tail == nil {
		return "", blocked(report.CodeInvalidRequest, "the journal in %s has no failback full and tail-log backup", e.req.RunDirectory)
	}
	if o.primary.Exists {
		sess, err := failover.Sessions(ctx, e.pconn, o.primary.ID)
		if err != nil {
			return "", failed(report.CodeSQLError, err)
		}
		for _, ss := range sess {
			if err := e.exec(ctx, s, "primary", fmt.Sprintf("kill:%d", ss.SPID), failover.KillSQL(ss.SPID), nil); err != nil && !failover.HasSQLNumber(err, 6106, 6104, 6107) {
				return "", failed(report.CodeSQLError, err)
			}
		}
	}
	switch {
	case o.primary.Restoring() && restoredToTail(o.primary, o):
	case o.primary.Restoring() && restoredFrom(o.primary, o.full):
		if err := e.restoreTail(ctx, s, o); err != nil {
			return "", err
		}
	default:
		rows, err := failover.RowMaps(ctx, e.pconn, qFileList, o.full.ReadPath)
		if err != nil {
			return "", failed(report.CodeSQLError, fmt.Errorf("RESTORE FILELISTONLY %s: %w", o.full.ReadPath, err))
		}
		args := []any{o.full.ReadPath}
		params := map[string]string{"@p1": o.full.ReadPath}
		moves := 0
		for _, r := range rows {
			logical, physical := failover.AsString(r["logicalname"]), failover.AsString(r["physicalname"])
			t := strings.ToUpper(failover.AsString(r["type"]))
			target, ok := o.primaryFiles[t]
			if !ok || sameFile(target, physical) {
				continue
			}
			args = append(args, logical, target)
			params[fmt.Sprintf("@p%d", 2+2*moves)], params[fmt.Sprintf("@p%d", 3+2*moves)] = logical, target
			moves++
		}
		if moves == 0 && len(o.primaryFiles) == 0 {
			e.warn("the primary has no %s to take file paths from: its files keep the backup instance's paths", db)
		}
		if err := e.exec(ctx, s, "primary", "restore-full", restoreFullSQL(db, moves, "NORECOVERY"), params, args...); err != nil {
			return "", failed(report.CodeSQLError, err)
		}
		if err := e.restoreTail(ctx, s, o); err != nil {
			return "", err
		}
	}
	if err := e.exec(ctx, s, "primary", "recover-primary", "RESTORE DATABASE "+q(db)+" WITH RECOVERY", nil); err != nil && !failover.HasSQLNumber(err, 3153) {
		return "", failed(report.CodeSQLError, err)
	}
	st, err := failover.ObserveDB(ctx, e.pconn, db)
	if err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	if !st.Online() || !restoredToTail(st, o) {
		return "", failed(report.CodeSQLError, fmt.Errorf("the primary's %s is %s after recovery, not ONLINE at the tail-log backup's LSN %s", db, stateText(st), o.tail.LastLSN))
	}
	return fmt.Sprintf("the primary's %s is ONLINE at LSN %s (end of the tail-log backup): every transaction of the backup database is there", db, o.tail.LastLSN), nil
}

// restoreTail applies the tail-log backup; 4326 (it ends where the full backup ends: no
// write came between them) means the full backup already holds it.
func (e *engine) restoreTail(ctx context.Context, s *report.Step, o *observation) error {
	text := "RESTORE LOG " + q(e.req.Database) + " FROM DISK = @p1 WITH NORECOVERY"
	err := e.exec(ctx, s, "primary", "restore-tail", text, map[string]string{"@p1": o.tail.ReadPath}, o.tail.ReadPath)
	if err != nil && failover.HasSQLNumber(err, 4326) && o.full != nil && o.full.LastLSN == o.tail.LastLSN {
		e.ev.Log("info", "the tail-log backup ends at the full backup's LSN %s: nothing to apply", o.tail.LastLSN)
		return nil
	}
	if err != nil {
		return failed(report.CodeSQLError, err)
	}
	return nil
}

func (e *engine) seedBackup(ctx context.Context, s *report.Step, o *observation) (string, error) {
	db := e.req.Database
	seed := o.seed
	// A seed backup older than the primary's recovery cannot start a chain: take one unless
	// the journal holds one of the current database.
	if seed == nil || seed.FamilyGUID != o.primary.FamilyGUID || !e.primaryReads(ctx, seed.ReadPath) {
		name := db + "_seed_" + e.stamp() + ".bak"
		p := joinDir(e.primaryDir(), name)
		if err := e.exec(ctx, s, "primary", "seed-backup", fullBackupSQL(db), map[string]string{"@p1": p}, p); err != nil {
			return "", failed(report.CodeSQLError, err)
		}
		var err error
		if seed, err = e.backupRecord(ctx, kindSeed, joinDir(e.share(), name), p); err != nil {
			return "", err
		}
	}
	params := map[string]string{"@p1": seed.Path}
	args := []any{seed.Path}
	if e.standby() {
		undo := joinDir(e.copyDir(), db+"_standby.tuf")
		params["@p2"] = undo
		args = append(args, undo)
	}
	if err := e.exec(ctx, s, "backup", "seed-restore", restoreFullSQL(db, 0, e.seedMode()), params, args...); err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	st, err := failover.ObserveDB(ctx, e.bconn, db)
	if err != nil || !st.Restoring() || !restoredFrom(st, seed) {
		return "", failed(report.CodeSQLError, fmt.Errorf("the backup database is not restoring from %s after the re-seed (%v)", seed.Path, err))
	}
	return fmt.Sprintf("the backup database is %s from %s (LSN %s)", stateText(st), seed.Path, seed.LastLSN), nil
}

func (e *engine) shipPrimary(ctx context.Context, s *report.Step, o *observation) (string, error) {
	db := e.req.Database
	job := lsBackupJobPrefix + db
	if o.primaryShips {
		rows, err := failover.RowMaps(ctx, e.pconn, qStaleSecondaries, db)
		if err != nil {
			return "", failed(report.CodeSQLError, err)
		}
		for _, r := range rows {
			srv, sdb := failover.AsString(r["secondary_server"]), failover.AsString(r["secondary_database"])
			if err := e.exec(ctx, s, "primary", "ls-primary-remove-secondary", qDropLSPrimarySecondary,
				map[string]string{"@p1": db, "@p2": srv, "@p3": sdb}, db, srv, sdb); err != nil {
				return "", failed(report.CodeSQLError, err)
			}
		}
		if err := e.exec(ctx, s, "primary", "ls-primary-remove-stale", qDropLSPrimary, map[string]string{"@p1": db}, db); err != nil {
			return "", failed(report.CodeSQLError, err)
		}
		e.warn("removed the pre-failover log-shipping configuration of %s from the primary's msdb", db)
	}
	vals := []any{db, e.primaryDir(), e.share(), job, defaultRetentionMins, o.backupName}
	params := map[string]string{"@p1": db, "@p2": e.primaryDir(), "@p3": e.share(), "@p4": job, "@p5": fmt.Sprint(defaultRetentionMins), "@p6": o.backupName}
	if err := e.exec(ctx, s, "primary", "ls-primary", qAddLSPrimary, params, vals...); err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	rows, err := failover.RowMaps(ctx, e.pconn, qPrimaryJob, db)
	if err != nil || len(rows) != 1 || failover.AsInt(rows[0]["enabled"]) != 1 {
		return "", failed(report.CodeSQLError, fmt.Errorf("read back: the primary's log-shipping backup job is missing or disabled (%v)", err))
	}
	ids, err := failover.RowMaps(ctx, e.pconn, qPrimaryID, db)
	if err != nil || len(ids) != 1 {
		return "", failed(report.CodeSQLError, fmt.Errorf("read back log_shipping_primary_databases: %v", err))
	}
	if err := e.jr.Append(kindShipped, shippedRec{PrimaryID: failover.AsGUID(ids[0]["primary_id"])}); err != nil {
		return "", failed(report.CodeUnexpected, err)
	}
	return fmt.Sprintf("backup job %s enabled, writing to %s; secondary %s registered", job, e.primaryDir(), o.backupName), nil
}

func (e *engine) shipSecondary(ctx context.Context, s *report.Step, o *observation) (string, error) {
	db := e.req.Database
	copyJob, restoreJob := "LSCopy_"+o.primaryName+"_"+db, "LSRestore_"+o.primaryName+"_"+db
	retention := int64(defaultRetentionMins)
	if e.snapshot != nil && e.snapshot.FileRetentionPeriod > 0 {
		retention = e.snapshot.FileRetentionPeriod
	}
	mode, disconnect := 0, 0
	if e.standby() {
		mode, disconnect = 1, 1
	}
	vals := []any{o.primaryName, db, e.share(), e.copyDir(), copyJob, restoreJob, retention, mode, disconnect}
	params := map[string]string{"@p1": o.primaryName, "@p2": db, "@p3": e.share(), "@p4": e.copyDir(), "@p5": copyJob, "@p6": restoreJob,
		"@p7": fmt.Sprint(retention), "@p8": fmt.Sprint(mode), "@p9": fmt.Sprint(disconnect)}
	if err := e.exec(ctx, s, "backup", "ls-secondary", qAddLSSecondary, params, vals...); err != nil {
		return "", failed(report.CodeSQLError, err)
	}
	rows, err := failover.RowMaps(ctx, e.bconn, qSecondaryJobs, db)
	if err != nil || len(rows) != 2 {
		return "", failed(report.CodeSQLError, fmt.Errorf("read back: the copy and restore jobs are missing (%v)", err))
	}
	for _, r := range rows {
		if failover.AsInt(r["enabled"]) != 1 {
			return "", failed(report.CodeSQLError, errors.New("read back: a log-shipping job on the backup is disabled"))
		}
	}
	return fmt.Sprintf("copy job %s and restore job %s enabled (%s -> %s, %s)", copyJob, restoreJob, e.share(), e.copyDir(), e.seedMode()), nil
}

// primaryReads reports whether the primary's SQL Server can read the backup at p (a path
// as it names it): the file is on another machine, so SQL Server is asked, not the
// local file system.
func (e *engine) primaryReads(ctx context.Context, p string) bool {
	rows, err := failover.RowMaps(ctx, e.pconn, "RESTORE HEADERONLY FROM DISK = @p1", p)
	return err == nil && len(rows) > 0
}
