package sqlsim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"pcfailover/core/lsn"
	"pcfailover/core/sqlsim/hostfs"
	"pcfailover/core/sqlsim/tds"
)

// Error is a SQL Server error raised by the Go API (BackupLog, RestoreLog, ...): the
// same messages a client would receive, e.g. [4305, 3013].
type Error struct {
	Messages []tds.Message
}

func (e *Error) Error() string {
	var parts []string
	for _, m := range e.Messages {
		parts = append(parts, fmt.Sprintf("%s (%d)", m.Text, m.Number))
	}
	return strings.Join(parts, "; ")
}

// Number is the first (specific) error number, e.g. 4305 rather than 3013.
func (e *Error) Number() int32 {
	if len(e.Messages) == 0 {
		return 0
	}
	return e.Messages[0].Number
}

// Has reports whether any message has the given number.
func (e *Error) Has(n int32) bool {
	for _, m := range e.Messages {
		if m.Number == n {
			return true
		}
	}
	return false
}

func apiErr(e *sqlError) error {
	if e == nil {
		return nil
	}
	return &Error{Messages: append([]tds.Message(nil), e.msgs...)}
}

// RecoveryMode is how a RESTORE leaves the database.
type RecoveryMode int

// Restore completion modes.
const (
	Recovery   RecoveryMode = iota // WITH RECOVERY (the T-SQL default)
	NoRecovery                     // WITH NORECOVERY
	Standby                        // WITH STANDBY = file
)

// MoveFile is a WITH MOVE clause.
type MoveFile struct{ LogicalName, PhysicalName string }

// RestoreOptions are the WITH options of RESTORE DATABASE / RESTORE LOG.
type RestoreOptions struct {
	Mode        RecoveryMode
	StandbyFile string
	Replace     bool
	Move        []MoveFile
	// Stats is STATS = n (0 = no progress messages).
	Stats int
	// ContinueAfterError is CONTINUE_AFTER_ERROR.
	ContinueAfterError bool
}

// BackupInfo describes a backup written by BackupDatabase / BackupLog.
type BackupInfo struct {
	Path   string
	Header Header
}

type restoreReq struct {
	kind    string // DATABASE, LOG
	db      string
	devices []string
	opts    RestoreOptions
	hasMode bool
}

// messages is a sink for informational messages (nil discards them).
type messages func(tds.Message) error

func (m messages) send(msg tds.Message) error {
	if m == nil {
		return nil
	}
	return m(msg)
}

// upErr is ErrInstanceDown while the instance is down or closed.
func (in *Instance) upErr() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.down || in.closed {
		return ErrInstanceDown
	}
	return nil
}

// apiSession is the pseudo-session the Go API runs as: sysadmin, in master, not listed
// in the DMVs.
func (in *Instance) apiSession() *session {
	s := newSession(in, 0, "sa", false)
	s.gone = true
	return s
}

// RestoreDatabase runs RESTORE DATABASE db FROM DISK = path WITH opts; path "" is the
// recovery-only form (RESTORE DATABASE db WITH RECOVERY). Same code as the T-SQL.
func (in *Instance) RestoreDatabase(ctx context.Context, db, path string, opts RestoreOptions) error {
	if err := in.upErr(); err != nil {
		return err
	}
	req := restoreReq{kind: "DATABASE", db: db, opts: opts, hasMode: true}
	if path != "" {
		req.devices = []string{path}
	}
	return apiErr(in.restore(ctx, in.apiSession(), req, nil))
}

// RestoreLog runs RESTORE LOG db FROM DISK = path WITH opts.
func (in *Instance) RestoreLog(ctx context.Context, db, path string, opts RestoreOptions) error {
	if err := in.upErr(); err != nil {
		return err
	}
	return apiErr(in.restore(ctx, in.apiSession(), restoreReq{kind: "LOG", db: db, devices: []string{path}, opts: opts, hasMode: true}, nil))
}

// BackupDatabase runs BACKUP DATABASE db TO DISK = path WITH INIT.
func (in *Instance) BackupDatabase(ctx context.Context, db, path string) (BackupInfo, error) {
	if err := in.upErr(); err != nil {
		return BackupInfo{}, err
	}
	h, err := in.backup(ctx, in.apiSession(), backupReq{kind: "DATABASE", db: db, path: path, init: true}, nil)
	if err != nil {
		return BackupInfo{}, apiErr(err)
	}
	return BackupInfo{Path: path, Header: h}, nil
}

// BackupLog runs BACKUP LOG db TO DISK = path WITH INIT [, NORECOVERY]; with
// norecovery it is a tail-log backup that leaves the database RESTORING.
func (in *Instance) BackupLog(ctx context.Context, db, path string, norecovery bool) (BackupInfo, error) {
	if err := in.upErr(); err != nil {
		return BackupInfo{}, err
	}
	h, err := in.backup(ctx, in.apiSession(), backupReq{kind: "LOG", db: db, path: path, init: true, norecovery: norecovery}, nil)
	if err != nil {
		return BackupInfo{}, apiErr(err)
	}
	return BackupInfo{Path: path, Header: h}, nil
}

func (s *session) evalString(e expr, sc *scope) (string, *sqlError) {
	en := &env{s: s, sc: sc}
	v, err := en.eval(e)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", nil
	}
	return valueString(v), nil
}

func restoreOpName(kind string) string {
	switch kind {
	case "HEADERONLY":
		return "RESTORE HEADERONLY"
	case "FILELISTONLY":
		return "RESTORE FILELIST"
	case "VERIFYONLY":
		return "VERIFY DATABASE"
	}
	return "RESTORE " + kind
}

func (s *session) restoreStmt(ctx context.Context, v *restoreStmt, sc *scope, o *out) *sqlError {
	op := restoreOpName(v.kind)
	var devices []string
	for _, d := range v.from {
		p, err := s.evalString(d, sc)
		if err != nil {
			return err
		}
		devices = append(devices, p)
	}
	send := messages(o.info)
	switch v.kind {
	case "HEADERONLY", "FILELISTONLY", "VERIFYONLY":
		return s.restoreInfo(ctx, v.kind, op, devices, o)
	}
	db, err := s.evalString(v.db, sc)
	if err != nil {
		return err
	}
	req := restoreReq{kind: v.kind, db: db, devices: devices, hasMode: v.recovery != ""}
	switch v.recovery {
	case "NORECOVERY":
		req.opts.Mode = NoRecovery
	case "STANDBY":
		req.opts.Mode = Standby
		f, err := s.evalString(v.standby, sc)
		if err != nil {
			return err
		}
		req.opts.StandbyFile = f
	}
	req.opts.Replace = v.replace
	req.opts.Stats = v.stats
	req.opts.ContinueAfterError = v.contAfter
	for _, m := range v.move {
		l, err := s.evalString(m.logical, sc)
		if err != nil {
			return err
		}
		p, err := s.evalString(m.physical, sc)
		if err != nil {
			return err
		}
		req.opts.Move = append(req.opts.Move, MoveFile{LogicalName: l, PhysicalName: p})
	}
	if v.fileNo != nil {
		n, err := s.evalString(v.fileNo, sc)
		if err != nil {
			return err
		}
		if n != "1" {
			return withTerm(op, msg(3111, 16, 1, "Page %s is a control page which cannot be restored in isolation. To repair this page, the entire file must be restored.", n))
		}
	}
	return s.in.restore(ctx, s, req, send)
}

// fileErrorMessages maps a backup file error to SQL Server's messages.
func fileErrorMessages(err error, db string) []tds.Message {
	var fe *FileError
	if errors.As(err, &fe) {
		switch fe.Kind {
		case FileOpen:
			return []tds.Message{errOpenDevice(fe.Path, fe.OSError)}
		case FileTruncated:
			return []tds.Message{errReadFailed(fe.Path, fe.OSError)}
		case FileDamaged:
			return []tds.Message{errPageDamage(1, fe.Page, db)}
		default:
			return []tds.Message{errMalformed(fe.Path)}
		}
	}
	return []tds.Message{msg(3013, 16, 1, "%s", err.Error())}
}

func (s *session) requireSysadmin(op string) *sqlError {
	if s.spid == 0 || s.in.isSysadmin(s.login) || !s.user {
		return nil
	}
	return withTerm(op, msg(262, 14, 1, "CREATE DATABASE permission denied in database 'master'."))
}

// restoreInfo implements RESTORE HEADERONLY / FILELISTONLY / VERIFYONLY.
func (s *session) restoreInfo(ctx context.Context, kind, op string, devices []string, o *out) *sqlError {
	if e := s.requireSysadmin(op); e != nil {
		return e
	}
	if len(devices) == 0 || devices[0] == "" {
		return withTerm(op, msg(3201, 16, 2, "Cannot open backup device ''. Operating system error %s.", osFileNotFound))
	}
	s.setCommand("RESTORE HEADERONLY", "")
	if err := sleepCtx(ctx, s.in.cfg.HeaderLatency); err != nil {
		return withTerm(op, msg(3204, 16, 1, "The backup or restore was aborted."))
	}
	path := devices[0]
	if m := s.in.checkDevice(path); m != nil {
		return withTerm(op, *m)
	}
	if kind == "VERIFYONLY" {
		h, err := s.in.readPayloadAt(ctx, path, nil)
		if err != nil {
			if ctx.Err() != nil {
				return withTerm(op, msg(3204, 16, 1, "The backup or restore was aborted."))
			}
			return withTerm(op, fileErrorMessages(err, h.DatabaseName)...)
		}
		if h.IsDamaged {
			return withTerm(op, errDamagedSet())
		}
		if err := o.info(info(3262, "The backup set on file 1 is valid.")); err != nil {
			return errOf(msg(0, 16, 1, "%s", err.Error()))
		}
		return nil
	}
	h, err := s.in.readHeaderAt(path)
	if err != nil {
		return withTerm(op, fileErrorMessages(err, "")...)
	}
	var cols []tds.Column
	var rows [][]any
	if kind == "HEADERONLY" {
		cols, rows = headerOnlyResult(h)
	} else {
		cols, rows = fileListResult(h)
	}
	if err := o.w.Columns(cols); err != nil {
		return errOf(msg(0, 16, 1, "%s", err.Error()))
	}
	for _, r := range rows {
		vals := make([]any, len(r))
		for i, v := range r {
			vals[i] = outputValue(v, cols[i])
		}
		if err := o.w.Row(vals...); err != nil {
			return errOf(msg(0, 16, 1, "%s", err.Error()))
		}
	}
	return nil
}

// headerOnlyResult is RESTORE HEADERONLY's result set (reference §3.1), SQL Server
// 2014 column set.
func headerOnlyResult(h Header) ([]tds.Column, [][]any) {
	cols := []tds.Column{
		cStr("BackupName", 128), cStr("BackupDescription", 255), cSmall("BackupType"), cDT("ExpirationDate"),
		cBit("Compressed"), cSmall("Position"), cTiny("DeviceType"), cStr("UserName", 128), cStr("ServerName", 128),
		cStr("DatabaseName", 128), cInt("DatabaseVersion"), cDT("DatabaseCreationDate"), cNum("BackupSize", 20, 0),
		cLSN("FirstLSN"), cLSN("LastLSN"), cLSN("CheckpointLSN"), cLSN("DatabaseBackupLSN"), cDT("BackupStartDate"),
		cDT("BackupFinishDate"), cSmall("SortOrder"), cSmall("CodePage"), cInt("UnicodeLocaleId"),
		cInt("UnicodeComparisonStyle"), cTiny("CompatibilityLevel"), cInt("SoftwareVendorId"),
		cInt("SoftwareVersionMajor"), cInt("SoftwareVersionMinor"), cInt("SoftwareVersionBuild"),
		cStr("MachineName", 128), cInt("Flags"), cGUID("BindingID"), cGUID("RecoveryForkID"), cStr("Collation", 128),
		cGUID("FamilyGUID"), cBit("HasBulkLoggedData"), cBit("IsSnapshot"), cBit("IsReadOnly"), cBit("IsSingleUser"),
		cBit("HasBackupChecksums"), cBit("IsDamaged"), cBit("BeginsLogChain"), cBit("HasIncompleteMetaData"),
		cBit("IsForceOffline"), cBit("IsCopyOnly"), cGUID("FirstRecoveryForkID"), cLSN("ForkPointLSN"),
		cStr("RecoveryModel", 60), cLSN("DifferentialBaseLSN"), cGUID("DifferentialBaseGUID"),
		cStr("BackupTypeDescription", 60), cGUID("BackupSetGUID"), cBig("CompressedBackupSize"), cTiny("containment"),
		cStr("KeyAlgorithm", 32), cBin("EncryptorThumbprint", 20), cStr("EncryptorType", 32),
	}
	size := h.PayloadSize + 2*pageSize
	row := []any{
		"", nil, int64(h.BackupType), nil, false, int64(1), int64(2), h.UserName, h.ServerName, h.DatabaseName,
		int64(h.DatabaseVersion), h.DatabaseCreationDate, size, lsnValue(h.FirstLSN), lsnValue(h.LastLSN),
		lsnValue(h.CheckpointLSN), lsnValue(h.DatabaseBackupLSN), h.BackupStartDate, h.BackupFinishDate,
		int64(52), int64(0), int64(1033), int64(196609), int64(120), int64(4608), int64(12), int64(0), int64(6024),
		h.MachineName, int64(h.Flags()), guidOrNull(h.BindingID), guidOrNull(h.RecoveryForkID),
		"SQL_Latin1_General_CP1_CI_AS", guidOrNull(h.FamilyGUID), false, false, h.IsReadOnly, false,
		h.HasBackupChecksums, h.IsDamaged, h.BeginsLogChain, false, false, h.IsCopyOnly,
		guidOrNull(h.FirstRecoveryForkID), lsnOrNull(h.ForkPointLSN), h.RecoveryModel, nil, nil,
		strings.ToUpper(h.BackupTypeDescription()), guidOrNull(h.BackupSetGUID), size, int64(0), nil, nil, nil,
	}
	if h.BackupType == BackupTypeDatabase {
		row[47] = lsnValue(lsn.LSN{}) // DifferentialBaseLSN is NULL for a full; keep typed NULL below
		row[47] = nil
	}
	return cols, [][]any{row}
}

// fileListResult is RESTORE FILELISTONLY's result set (reference §3.2).
func fileListResult(h Header) ([]tds.Column, [][]any) {
	cols := []tds.Column{
		cStr("LogicalName", 128), cStr("PhysicalName", 260), cStr("Type", 1), cStr("FileGroupName", 128),
		cNum("Size", 20, 0), cNum("MaxSize", 20, 0), cBig("FileID"), cLSN("CreateLSN"), cLSN("DropLSN"),
		cGUID("UniqueID"), cLSN("ReadOnlyLSN"), cLSN("ReadWriteLSN"), cBig("BackupSizeInBytes"),
		cInt("SourceBlockSize"), cInt("FileGroupID"), cGUID("LogGroupGUID"), cLSN("DifferentialBaseLSN"),
		cGUID("DifferentialBaseGUID"), cBit("IsReadOnly"), cBit("IsPresent"), cBin("TDEThumbprint", 20),
		cStr("SnapshotURL", 360),
	}
	var rows [][]any
	for i, f := range h.Files {
		var fg any = "PRIMARY"
		fgID := int64(1)
		if f.Type == "L" {
			fg, fgID = nil, 0
		}
		backupBytes := int64(0)
		if f.Type == "D" {
			backupBytes = h.PayloadSize
		}
		rows = append(rows, []any{f.LogicalName, f.PhysicalName, f.Type, fg, f.SizeBytes, int64(35184372080640),
			int64(i + 1), int64(0), int64(0), uuid.NewSHA1(h.FamilyGUID, []byte(f.LogicalName)), int64(0), int64(0),
			backupBytes, int64(512), fgID, nil, int64(0), nil, false, true, nil, nil})
	}
	return cols, rows
}

// checkablePath reports whether a physical file name can be checked for its folder:
// any path with a hosts model, only this machine's absolute paths without one.
func (in *Instance) checkablePath(p string) bool {
	if in.cfg.Hosts != nil {
		return hostfs.IsWindowsPath(p) || filepath.IsAbs(p)
	}
	return filepath.IsAbs(p)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// killContext is ctx, also cancelled when the session is killed (KILL aborts a
// running RESTORE or BACKUP).
func (s *session) killContext(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-s.killed:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// exclusiveCheckLocked enforces exclusive access for RESTORE / tail-log BACKUP:
// 3102 when the caller's own session uses the database, 3101 when another does.
func (in *Instance) exclusiveCheckLocked(d *database, s *session, op string) *tds.Message {
	if s.spid != 0 && strings.EqualFold(s.db, d.Name) && !s.gone {
		m := errOwnSession(op, d.Name)
		return &m
	}
	if d.busyCmd != "" && d.busySPID != s.spid {
		m := errExclusive()
		return &m
	}
	for _, o := range in.sessions {
		if o == s || !o.user {
			continue
		}
		if strings.EqualFold(o.db, d.Name) {
			m := errExclusive()
			return &m
		}
	}
	for _, l := range in.applocks {
		if l.spid != s.spid && strings.EqualFold(l.db, d.Name) {
			m := errExclusive()
			return &m
		}
	}
	return nil
}

// progressFn returns the payload progress callback: throughput throttling and STATS.
func (in *Instance) progressFn(ctx context.Context, s *session, start time.Time, stats int, send messages) func(done, total int64) error {
	next := stats
	return func(done, total int64) error {
		if total > 0 {
			in.mu.Lock()
			s.pct = float64(done) * 100 / float64(total)
			in.mu.Unlock()
		}
		if in.cfg.RestoreMBps > 0 {
			want := time.Duration(float64(done) / (in.cfg.RestoreMBps * 1e6) * float64(time.Second))
			if err := sleepCtx(ctx, want-time.Since(start)); err != nil {
				return err
			}
		}
		if stats > 0 {
			pct := 100
			if total > 0 {
				pct = int(done * 100 / total)
			}
			for next <= pct && next <= 100 {
				if err := send.send(info(3211, "%d percent processed.", next)); err != nil {
					return err
				}
				next += stats
			}
		}
		return nil
	}
}

func pagesOf(bytes int64) int64 { return (bytes + pageSize - 1) / pageSize }

func successMsg(op string, pages int64, elapsed time.Duration) tds.Message {
	secs := elapsed.Seconds()
	if secs < 0.001 {
		secs = 0.001
	}
	mbps := float64(pages*pageSize) / 1048576 / secs
	return info(3014, "%s successfully processed %d pages in %.3f seconds (%.3f MB/sec).", op, pages, secs, mbps)
}

// restore implements RESTORE DATABASE / RESTORE LOG for T-SQL, the Go API and the
// log-shipping restore job (reference §3.3, §3.4).
func (in *Instance) restore(ctx context.Context, s *session, req restoreReq, send messages) *sqlError {
	op := "RESTORE " + req.kind
	ctx, stop := s.killContext(ctx)
	defer stop()
	for _, d := range req.devices {
		if m := in.checkDevice(d); m != nil {
			return withTerm(op, *m)
		}
	}
	if e := s.requireSysadmin(op); e != nil {
		return e
	}
	in.mu.Lock()
	if s.tranCount > 0 {
		in.mu.Unlock()
		return withTerm(op, errInTran())
	}
	in.mu.Unlock()
	if len(req.devices) == 0 {
		return in.recoverOnly(ctx, s, req, send)
	}
	if len(req.devices) > 1 {
		return withTerm(op, errMalformed(req.devices[1]))
	}
	path := req.devices[0]
	h, herr := in.readHeaderAt(path)
	if herr != nil {
		return withTerm(op, fileErrorMessages(herr, req.db)...)
	}
	wantType := BackupTypeDatabase
	if req.kind == "LOG" {
		wantType = BackupTypeLog
	}
	if h.BackupType != wantType {
		by := "BACKUP DATABASE"
		if h.BackupType == BackupTypeLog {
			by = "BACKUP LOG"
		}
		return withTerm(op, msg(3135, 16, 2, "The backup set in file '%s' was created by %s and cannot be used for this restore operation.", path, by))
	}

	in.mu.Lock()
	d := in.dbLocked(req.db)
	created := false
	var placed []DatabaseFile
	switch req.kind {
	case "LOG":
		if d == nil {
			in.mu.Unlock()
			return withTerm(op, errDBNotExistRestore(req.db))
		}
		if d.State == "ONLINE" && !d.Standby {
			in.mu.Unlock()
			return withTerm(op, errNoRollforward())
		}
		if m := in.exclusiveCheckLocked(d, s, "RESTORE"); m != nil {
			in.mu.Unlock()
			return withTerm(op, *m)
		}
		if d.FamilyGUID != h.FamilyGUID {
			in.mu.Unlock()
			return withTerm(op, errOtherDatabase(d.Name))
		}
		if d.RedoStartLSN.IsZero() {
			in.mu.Unlock()
			return withTerm(op, errNoRollforward())
		}
		if h.FirstRecoveryForkID != d.RedoForkGUID {
			in.mu.Unlock()
			return withTerm(op, errForkMismatch())
		}
		if d.RedoStartLSN.Less(h.FirstLSN) {
			in.mu.Unlock()
			return withTerm(op, errTooRecent(h.FirstLSN.String(), d.RedoStartLSN.String()))
		}
		if h.LastLSN.Compare(d.RedoStartLSN) <= 0 {
			in.mu.Unlock()
			return withTerm(op, errTooEarly(h.LastLSN.String(), d.RedoStartLSN.String()))
		}
	case "DATABASE":
		if d != nil {
			if d.FamilyGUID != h.FamilyGUID && !req.opts.Replace {
				in.mu.Unlock()
				return withTerm(op, errOtherDatabase(d.Name))
			}
			if d.State == "ONLINE" && !d.Standby && !req.opts.Replace && d.RecoveryModel != "SIMPLE" &&
				d.LastLogBackupLSN.Less(d.EndLSN) {
				in.mu.Unlock()
				return withTerm(op, errTailNotBackedUp(d.Name))
			}
			if m := in.exclusiveCheckLocked(d, s, "RESTORE"); m != nil {
				in.mu.Unlock()
				return withTerm(op, *m)
			}
		}
		var plan []tds.Message
		for _, mv := range req.opts.Move {
			found := false
			for _, f := range h.Files {
				if strings.EqualFold(f.LogicalName, mv.LogicalName) {
					found = true
				}
			}
			if !found {
				in.mu.Unlock()
				return withTerm(op, errLogicalNotInDB(mv.LogicalName, h.DatabaseName))
			}
		}
		for _, f := range h.Files {
			nf := f
			for _, mv := range req.opts.Move {
				if strings.EqualFold(mv.LogicalName, f.LogicalName) {
					nf.PhysicalName = mv.PhysicalName
				}
			}
			if owner := in.fileOwnerLocked(nf.PhysicalName, req.db); owner != "" {
				plan = append(plan, errFileInUse(nf.PhysicalName, owner), errUseMove(nf.LogicalName, nf.PhysicalName))
			} else if in.checkablePath(nf.PhysicalName) && !in.parentExistsAt(nf.PhysicalName) {
				// The simulator keeps no data files, but a MOVE target in a missing
				// folder (resolved through the hosts model) fails as in SQL Server.
				plan = append(plan, errDirLookup(nf.PhysicalName), errUseMove(nf.LogicalName, nf.PhysicalName))
			}
			placed = append(placed, nf)
		}
		if len(plan) > 0 {
			in.mu.Unlock()
			return withTerm(op, append(plan, errPlanProblems())...)
		}
		if d == nil {
			d = in.newDatabase(req.db, in.nextDBID, h.RecoveryModel, placed, in.now())
			in.nextDBID++
			d.State = "RESTORING"
			in.dbs[strings.ToLower(req.db)] = d
			created = true
		}
	}
	if h.IsDamaged && !req.opts.ContinueAfterError {
		in.mu.Unlock()
		return withTerm(op, errDamagedSet())
	}
	busyCmd := op
	d.busySPID, d.busyCmd = s.spid, busyCmd
	s.command, s.cmdDB = busyCmd, d.Name
	in.broadcastLocked()
	in.mu.Unlock()

	start := time.Now()
	_, perr := in.readPayloadAt(ctx, path, in.progressFn(ctx, s, start, req.opts.Stats, send))
	elapsed := time.Since(start)

	in.mu.Lock()
	defer in.mu.Unlock()
	d.busySPID, d.busyCmd = 0, ""
	in.broadcastLocked()
	if perr != nil {
		if req.kind == "DATABASE" {
			// A failed database restore leaves the database unusable, RESTORING.
			d.State, d.Standby, d.RedoStartLSN = "RESTORING", false, lsn.LSN{}
		}
		if ctx.Err() != nil {
			return withTerm(op, msg(3204, 16, 1, "The backup or restore was aborted."))
		}
		return withTerm(op, fileErrorMessages(perr, req.db)...)
	}
	_ = created
	now := in.now()
	if req.kind == "DATABASE" {
		d.Files = placed
		d.FamilyGUID = h.FamilyGUID
		d.DatabaseGUID = uuid.New()
		d.ForkGUID = h.RecoveryForkID
		d.FirstForkGUID = h.FirstRecoveryForkID
		d.RedoForkGUID = h.RecoveryForkID
		d.ForkPointLSN = h.ForkPointLSN
		d.RecoveryModel = h.RecoveryModel
		d.FullCheckpoint = h.CheckpointLSN
		d.LastLogBackupLSN = lsn.LSN{}
		d.LogChainStarted = true
		d.CreateDate = now
		d.UserAccess = "MULTI_USER"
		d.ReadOnly = false
	}
	d.RedoStartLSN = h.LastLSN
	d.Txn = h.LastTxn
	d.State, d.Standby, d.StandbyFile = "RESTORING", false, ""

	pages := pagesOf(h.PayloadSize)
	var msgs []tds.Message
	for _, f := range d.Files {
		n := int64(0)
		if (f.Type == "D") == (req.kind == "DATABASE") {
			n = pages
		} else if f.Type == "L" {
			n = 2
		}
		msgs = append(msgs, info(4035, "Processed %d pages for database '%s', file '%s' on file 1.", n, d.Name, f.LogicalName))
	}
	switch req.opts.Mode {
	case Recovery:
		in.recoverLocked(d)
	case Standby:
		d.State, d.Standby, d.StandbyFile = "ONLINE", true, req.opts.StandbyFile
	}
	in.recordRestoreLocked(s, h, path, d.Name, req)
	msgs = append(msgs, successMsg(op, pages+2, elapsed))
	in.mu.Unlock()
	defer in.mu.Lock()
	for _, m := range msgs {
		if err := send.send(m); err != nil {
			return nil
		}
	}
	return nil
}

// recoverLocked brings a restored database ONLINE: a new recovery fork begins at the
// redo point and the log continues from there.
func (in *Instance) recoverLocked(d *database) {
	d.State, d.Standby, d.StandbyFile = "ONLINE", false, ""
	d.ForkPointLSN = d.RedoStartLSN
	d.ForkGUID = uuid.New()
	d.EndLSN = advanceLSN(d.RedoStartLSN, 1)
	d.LastLogBackupLSN = d.RedoStartLSN
	d.LastLogBackupTxn = d.Txn
	d.RedoStartLSN = lsn.LSN{}
	d.RedoForkGUID = uuid.Nil
	in.broadcastLocked()
}

// recoverOnly is RESTORE DATABASE|LOG x WITH RECOVERY | STANDBY = f (no device).
func (in *Instance) recoverOnly(ctx context.Context, s *session, req restoreReq, send messages) *sqlError {
	op := "RESTORE " + req.kind
	in.mu.Lock()
	d := in.dbLocked(req.db)
	if d == nil {
		in.mu.Unlock()
		return withTerm(op, errDBNotExistRestore(req.db))
	}
	if d.State == "ONLINE" && !d.Standby {
		in.mu.Unlock()
		return withTerm(op, errAlreadyRecovered())
	}
	if m := in.exclusiveCheckLocked(d, s, "RESTORE"); m != nil {
		in.mu.Unlock()
		return withTerm(op, *m)
	}
	if d.RedoStartLSN.IsZero() {
		in.mu.Unlock()
		return withTerm(op, msg(4333, 16, 1, "The database cannot be recovered because the log was not restored."))
	}
	start := time.Now()
	switch req.opts.Mode {
	case NoRecovery:
		d.State, d.Standby, d.StandbyFile = "RESTORING", false, ""
	case Standby:
		d.State, d.Standby, d.StandbyFile = "ONLINE", true, req.opts.StandbyFile
	default:
		in.recoverLocked(d)
	}
	in.mu.Unlock()
	return errOrNil(send.send(successMsg(op, 0, time.Since(start))))
}

func errOrNil(err error) *sqlError {
	if err == nil {
		return nil
	}
	return errOf(msg(0, 16, 1, "%s", err.Error()))
}

func (in *Instance) recordRestoreLocked(s *session, h Header, path, dest string, req restoreReq) {
	m := &in.msdb
	id := in.addBackupSetLocked(h, path)
	m.nextRestoreID++
	rt := "D"
	if req.kind == "LOG" {
		rt = "L"
	}
	m.RestoreHistory = append(m.RestoreHistory, &restoreHistoryRow{
		RestoreHistoryID: m.nextRestoreID, RestoreDate: in.now(), DestinationDatabaseName: dest, UserName: s.login,
		BackupSetID: id, RestoreType: rt, Replace: req.opts.Replace, Recovery: req.opts.Mode == Recovery, DeviceCount: 1,
	})
}

func (in *Instance) addBackupSetLocked(h Header, path string) int {
	m := &in.msdb
	m.nextBackupSetID++
	m.nextMediaSetID++
	t := "D"
	if h.BackupType == BackupTypeLog {
		t = "L"
	}
	m.BackupSets = append(m.BackupSets, &backupSetRow{
		BackupSetID: m.nextBackupSetID, BackupSetUUID: h.BackupSetGUID, MediaSetID: m.nextMediaSetID, Type: t,
		DatabaseName: h.DatabaseName, ServerName: h.ServerName, MachineName: h.MachineName, FirstLSN: h.FirstLSN,
		LastLSN: h.LastLSN, CheckpointLSN: h.CheckpointLSN, DatabaseBackupLSN: h.DatabaseBackupLSN,
		BackupStartDate: h.BackupStartDate, BackupFinishDate: h.BackupFinishDate, BackupSize: h.PayloadSize + 2*pageSize,
		IsCopyOnly: h.IsCopyOnly, IsDamaged: h.IsDamaged, HasBackupChecksums: h.HasBackupChecksums,
		BeginsLogChain: h.BeginsLogChain, FamilyGUID: h.FamilyGUID, FirstRecoveryFork: h.FirstRecoveryForkID,
		LastRecoveryFork: h.RecoveryForkID, RecoveryModel: h.RecoveryModel, UserName: h.UserName,
		DatabaseGUID: h.BindingID, ForkPointLSN: h.ForkPointLSN,
	})
	m.MediaFamilies = append(m.MediaFamilies, &mediaFamilyRow{
		MediaSetID: m.nextMediaSetID, FamilySequenceNumber: 1, MediaFamilyID: uuid.NewSHA1(h.BackupSetGUID, []byte("media")),
		PhysicalDeviceName: path, DeviceType: 2,
	})
	return m.nextBackupSetID
}

type backupReq struct {
	kind       string
	db         string
	path       string
	norecovery bool
	copyOnly   bool
	init       bool
	stats      int
	checksum   bool
}

func (s *session) backupStmt(ctx context.Context, v *backupStmt, sc *scope, o *out) *sqlError {
	db, err := s.evalString(v.db, sc)
	if err != nil {
		return err
	}
	if len(v.to) > 1 {
		return withTerm("BACKUP "+v.kind, msg(50000, 16, 1, "sqlsim: striped backups (several DISK devices) are not simulated."))
	}
	path, err := s.evalString(v.to[0], sc)
	if err != nil {
		return err
	}
	_, serr := s.in.backup(ctx, s, backupReq{kind: v.kind, db: db, path: path, norecovery: v.norecovery,
		copyOnly: v.copyOnly, init: v.init, stats: v.stats, checksum: v.checksum}, o.info)
	return serr
}

// backup implements BACKUP DATABASE / BACKUP LOG [WITH NORECOVERY] writing a real file.
func (in *Instance) backup(ctx context.Context, s *session, req backupReq, send messages) (Header, *sqlError) {
	op := "BACKUP " + req.kind
	ctx, stop := s.killContext(ctx)
	defer stop()
	if m := in.checkDevice(req.path); m != nil {
		return Header{}, withTerm(op, *m)
	}
	if e := s.requireSysadmin(op); e != nil {
		return Header{}, e
	}
	in.mu.Lock()
	if s.tranCount > 0 {
		in.mu.Unlock()
		return Header{}, withTerm(op, errInTran())
	}
	d := in.dbLocked(req.db)
	if d == nil {
		in.mu.Unlock()
		return Header{}, withTerm(op, errDBNotExist(req.db))
	}
	if d.State == "RESTORING" || (d.busyCmd != "" && d.busySPID != s.spid) {
		in.mu.Unlock()
		return Header{}, withTerm(op, errInRestore(d.Name))
	}
	if d.State == "OFFLINE" {
		in.mu.Unlock()
		return Header{}, withTerm(op, errDBOffline(d.Name))
	}
	if d.Standby {
		in.mu.Unlock()
		return Header{}, withTerm(op, errWarmStandbyBackup(d.Name))
	}
	if req.kind == "LOG" {
		if d.RecoveryModel == "SIMPLE" {
			in.mu.Unlock()
			return Header{}, withTerm(op, errSimpleRecoveryLog(d.Name))
		}
		if d.FullCheckpoint.IsZero() {
			in.mu.Unlock()
			return Header{}, withTerm(op, errNoCurrentBackup(d.Name))
		}
		if req.norecovery {
			if m := in.exclusiveCheckLocked(d, s, op); m != nil {
				in.mu.Unlock()
				return Header{}, withTerm(op, *m)
			}
		}
	}
	local, lerr := in.localPath(req.path)
	if lerr != nil {
		in.mu.Unlock()
		return Header{}, withTerm(op, errOpenDevice(req.path, osError("", lerr)))
	}
	if _, err := os.Stat(local); err == nil && !req.init {
		in.mu.Unlock()
		return Header{}, withTerm(op, msg(50000, 16, 1, "sqlsim: appending a backup set to the existing media '%s' is not simulated; use WITH INIT or a new file.", req.path))
	}
	if _, err := os.Stat(filepath.Dir(local)); err != nil {
		in.mu.Unlock()
		return Header{}, withTerm(op, errOpenDevice(req.path, osErrorText(local, err)))
	}
	start := in.now()
	machine := in.cfg.Host
	h := Header{
		DatabaseName: d.Name, ServerName: in.cfg.Name, MachineName: machine, UserName: s.login,
		DatabaseVersion: 782, DatabaseCreationDate: d.CreateDate, BackupStartDate: start,
		FamilyGUID: d.FamilyGUID, BindingID: d.DatabaseGUID, RecoveryForkID: d.ForkGUID,
		FirstRecoveryForkID: d.ForkGUID, ForkPointLSN: d.ForkPointLSN, BackupSetGUID: uuid.New(),
		RecoveryModel: d.RecoveryModel, HasBackupChecksums: req.checksum, IsCopyOnly: req.copyOnly,
		Files: append([]DatabaseFile(nil), d.Files...),
	}
	if req.kind == "DATABASE" {
		h.BackupType = BackupTypeDatabase
		h.CheckpointLSN = d.EndLSN
		h.FirstLSN = d.EndLSN
		h.DatabaseBackupLSN = d.FullCheckpoint
		h.LastLSN = advanceLSN(d.EndLSN, 1)
		h.FirstTxn, h.LastTxn = 0, d.Txn
		h.PayloadSize = in.cfg.DataBytes
	} else {
		h.BackupType = BackupTypeLog
		h.FirstLSN = d.LastLogBackupLSN
		h.LastLSN = d.EndLSN
		h.CheckpointLSN = d.FullCheckpoint
		h.DatabaseBackupLSN = d.FullCheckpoint
		h.FirstTxn, h.LastTxn = d.LastLogBackupTxn+1, d.Txn
		h.PayloadSize = (d.Txn - d.LastLogBackupTxn + 1) * int64(in.cfg.BytesPerTxn)
		h.BeginsLogChain = !d.LogChainStarted
		h.IsTailLog = req.norecovery
		h.TailLogNoRecovery = req.norecovery
	}
	// The header is written before the payload, so the finish date is the start plus
	// the time the throughput knob will take.
	h.BackupFinishDate = start
	if in.cfg.RestoreMBps > 0 {
		h.BackupFinishDate = start.Add(time.Duration(float64(h.PayloadSize) / (in.cfg.RestoreMBps * 1e6) * float64(time.Second)))
	}
	d.busySPID, d.busyCmd = s.spid, op
	s.command, s.cmdDB = op, d.Name
	in.mu.Unlock()

	wstart := time.Now()
	progress := in.progressFn(ctx, s, wstart, req.stats, send)
	werr := WriteBackupFile(local, h)
	if werr == nil {
		werr = progress(h.PayloadSize, h.PayloadSize)
	}
	elapsed := time.Since(wstart)

	in.mu.Lock()
	d.busySPID, d.busyCmd = 0, ""
	in.broadcastLocked()
	if werr != nil {
		in.mu.Unlock()
		os.Remove(local)
		if ctx.Err() != nil {
			return Header{}, withTerm(op, msg(3204, 16, 1, "The backup or restore was aborted."))
		}
		return Header{}, withTerm(op, errOpenDevice(req.path, osErrorText(local, werr)))
	}
	if req.kind == "DATABASE" {
		if !req.copyOnly {
			d.FullCheckpoint = h.CheckpointLSN
			if d.LastLogBackupLSN.IsZero() {
				d.LastLogBackupLSN = h.FirstLSN
				d.LastLogBackupTxn = d.Txn
			}
		}
		d.EndLSN = h.LastLSN
	} else if !req.copyOnly {
		d.LastLogBackupLSN = h.LastLSN
		d.LastLogBackupTxn = d.Txn
		d.LogChainStarted = true
		if req.norecovery {
			d.State = "RESTORING"
			d.RedoStartLSN = h.LastLSN
			d.RedoForkGUID = d.ForkGUID
		}
	}
	in.addBackupSetLocked(h, req.path)
	pages := pagesOf(h.PayloadSize)
	var msgs []tds.Message
	for _, f := range d.Files {
		n := int64(2)
		if (f.Type == "D") == (req.kind == "DATABASE") {
			n = pages
		} else if req.kind == "LOG" {
			continue
		}
		msgs = append(msgs, info(4035, "Processed %d pages for database '%s', file '%s' on file 1.", n, d.Name, f.LogicalName))
	}
	msgs = append(msgs, successMsg(op, pages+2, elapsed))
	in.broadcastLocked()
	in.mu.Unlock()
	for _, m := range msgs {
		if err := send.send(m); err != nil {
			break
		}
	}
	return h, nil
}
