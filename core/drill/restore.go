package drill

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/logchain"
	"pcfailover/core/lsn"
	"pcfailover/core/report"
	"pcfailover/core/winpath"
)

// The T-SQL the drill sends. Paths and names travel as parameters; the only identifier
// spliced into text is the drill copy's name, which the drill builds from the request's
// validated database name and a timestamp, and checks against sys.databases first.
const (
	qDBExists    = `SELECT name FROM sys.databases WHERE name = @p1`
	qDrillCopies = `SELECT name FROM sys.databases WHERE name LIKE N'%[_]drill[_]%'`
	qHeader      = `RESTORE HEADERONLY FROM DISK = @p1`
	qFileList    = `RESTORE FILELISTONLY FROM DISK = @p1`
	qProdFiles   = `SELECT f.file_id, f.name, f.physical_name FROM sys.master_files AS f WHERE f.database_id = @p1 ORDER BY f.file_id`
	qCopyState   = `SELECT d.state_desc, d.user_access_desc, d.is_read_only FROM sys.databases AS d WHERE d.name = @p1`
)

// SQL Server error numbers the drill reacts to (reference/sql-log-shipping.md §3.4).
const (
	errAlreadyApplied = 4326
)

var damagedNumbers = []int32{3201, 3203, 3241, 3183, 3186, 3189, 3256}

func hasNumber(err error, nums ...int32) bool {
	for _, n := range failover.SQLNumbers(err) {
		for _, m := range nums {
			if n == m {
				return true
			}
		}
	}
	return false
}

func restoreFullSQL(db string, moves int) string {
	var b strings.Builder
	b.WriteString("RESTORE DATABASE " + failover.QuoteIdent(db) + " FROM DISK = @p1 WITH ")
	for i := 0; i < moves; i++ {
		fmt.Fprintf(&b, "MOVE @p%d TO @p%d, ", 2+2*i, 3+2*i)
	}
	b.WriteString("NORECOVERY, STATS = 10")
	return b.String()
}

func restoreLogSQL(db string) string {
	return "RESTORE LOG " + failover.QuoteIdent(db) + " FROM DISK = @p1 WITH NORECOVERY"
}

func recoverSQL(db string) string {
	return "RESTORE DATABASE " + failover.QuoteIdent(db) + " WITH RECOVERY"
}

func checkDBSQL(db string) string {
	return "DBCC CHECKDB (" + failover.QuoteIdent(db) + ") WITH NO_INFOMSGS"
}

func copyFilesSQL(db string) string {
	return "SELECT f.name, f.physical_name, f.state_desc FROM " + failover.QuoteIdent(db) + ".sys.database_files AS f"
}

func dropSQL(db string) string { return "DROP DATABASE " + failover.QuoteIdent(db) }

// fullBackup is a candidate full backup with the header facts the drill needs.
type fullBackup struct {
	Path           string
	DatabaseName   string
	FamilyGUID     string
	RecoveryForkID string
	FirstLSN       lsn.LSN
	LastLSN        lsn.LSN
	Start, Finish  time.Time
	Damaged        bool
}

func (r *runner) readFullHeader(ctx context.Context, path string) (*fullBackup, error) {
	rows, err := failover.RowMaps(ctx, r.db, qHeader, path)
	if err != nil {
		return nil, err
	}
	for i := len(rows) - 1; i >= 0; i-- {
		h := rows[i]
		if failover.AsInt(h["backuptype"]) != 1 {
			continue
		}
		return &fullBackup{Path: path, DatabaseName: failover.AsString(h["databasename"]), FamilyGUID: failover.AsGUID(h["familyguid"]),
			RecoveryForkID: failover.AsGUID(h["recoveryforkid"]), FirstLSN: failover.AsLSN(h["firstlsn"]), LastLSN: failover.AsLSN(h["lastlsn"]),
			Start: failover.AsTime(h["backupstartdate"]), Finish: failover.AsTime(h["backupfinishdate"]), Damaged: failover.AsBool(h["isdamaged"])}, nil
	}
	return nil, nil
}

// fulls are the usable full backups, newest first.
func (r *runner) findFull(ctx context.Context, s *report.Step) (string, error) {
	var paths []string
	if r.req.Drill != nil && r.req.Drill.FullBackup != "" {
		paths = []string{r.req.Drill.FullBackup}
	} else {
		for _, dir := range [][2]string{{r.share, r.shareLocal}, {r.copyDir, r.copyLocal}} {
			if dir[0] == "" || dir[1] == "" {
				continue
			}
			files, err := failover.ListFolder(dir[0], dir[1])
			if err != nil {
				r.warn("cannot list %s (%s): %v", dir[0], dir[1], err)
				continue
			}
			var names []string
			for _, f := range files {
				if strings.EqualFold(filepath.Ext(f.Name), ".bak") {
					names = append(names, f.SQLPath)
				}
			}
			sort.Strings(names)
			paths = append(paths, names...)
		}
	}
	var fulls []*fullBackup
	var rejected []string
	var unreachable string // ShareFix for the first file SQL Server cannot reach or may not read
	for _, p := range paths {
		r.record(s, qHeader, map[string]string{"@p1": p})
		f, err := r.readFullHeader(ctx, p)
		switch {
		case err != nil && hasNumber(err, damagedNumbers...):
			msg := failover.SQLMessage(err)
			rejected = append(rejected, fmt.Sprintf("%s (unreadable: %s)", winpath.BaseName(p), msg))
			if n := failover.ShareOSError(msg); n != 0 && unreachable == "" {
				unreachable = failover.ShareFix(failover.SQLDir(p), n)
			}
		case err != nil:
			return "", fmt.Errorf("RESTORE HEADERONLY %s: %w", p, err)
		case f == nil:
			rejected = append(rejected, winpath.BaseName(p)+" (not a full database backup)")
		case !strings.EqualFold(f.DatabaseName, r.req.Database):
			rejected = append(rejected, fmt.Sprintf("%s (a backup of %s)", winpath.BaseName(p), f.DatabaseName))
		case f.Damaged:
			rejected = append(rejected, winpath.BaseName(p)+" (IsDamaged)")
		case r.prod.Exists && r.prod.FamilyGUID != "" && !strings.EqualFold(f.FamilyGUID, r.prod.FamilyGUID):
			rejected = append(rejected, winpath.BaseName(p)+" (another database family than the backup instance's "+r.req.Database+")")
		default:
			fulls = append(fulls, f)
		}
	}
	if len(rejected) > 0 {
		r.warn("full backups not used: %s", strings.Join(rejected, "; "))
	}
	if len(fulls) == 0 {
		where := "in " + orNone(r.share) + " or " + orNone(r.copyDir)
		if r.req.Drill != nil && r.req.Drill.FullBackup != "" {
			where = "at " + r.req.Drill.FullBackup
		}
		if unreachable != "" {
			return "", &drillError{code: report.CodePathUnreachable, outcome: report.OutcomeBlocked,
				err: fmt.Errorf("no usable full backup of %s %s: SQL Server cannot open the files there. %s", r.req.Database, where, unreachable)}
		}
		return "", &drillError{code: report.CodeInvalidRequest, outcome: report.OutcomeBlocked,
			err: fmt.Errorf("no usable full backup of %s %s: give its path in drill.fullBackup (-FullBackup), or have the primary's full backup job write to the share", r.req.Database, where)}
	}
	sort.SliceStable(fulls, func(i, j int) bool { return fulls[j].LastLSN.Less(fulls[i].LastLSN) })
	r.fulls = fulls
	return fmt.Sprintf("%d usable full backups; newest %s (finished %s)", len(fulls), fulls[0].Path, fulls[0].Finish.Format(time.RFC3339)), nil
}

// logFile is a log backup found in the copy folder and/or the share.
type logFile struct {
	name string
	ref  failover.FileRef // read from here (the copy folder first): SQL and local path
	alt  string           // the other copy (SQL path), if any
}

func (r *runner) listLogs() []logFile {
	by := map[string]*logFile{}
	for _, dir := range [][2]string{{r.copyDir, r.copyLocal}, {r.share, r.shareLocal}} {
		if dir[0] == "" || dir[1] == "" {
			continue
		}
		files, err := failover.ListFolder(dir[0], dir[1])
		if err != nil {
			continue // reported by findFull
		}
		for k, f := range files {
			if !logchain.IsCandidate(f.Name, r.req.Database) {
				continue
			}
			if lf, ok := by[k]; ok {
				lf.alt = f.SQLPath
			} else {
				by[k] = &logFile{name: f.Name, ref: f}
			}
		}
	}
	var out []logFile
	for _, f := range by {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].name) < strings.ToLower(out[j].name) })
	return out
}

func (r *runner) checkChain(ctx context.Context, s *report.Step) (string, error) {
	logs := r.listLogs()
	paths := make([]failover.FileRef, len(logs))
	r.logs = map[string]logFile{}
	for i, l := range logs {
		paths[i] = l.ref
		r.logs[l.name] = l
	}
	if len(paths) > 0 {
		r.record(s, qHeader, map[string]string{"@p1": fmt.Sprintf("(%d log backups in %s and %s)", len(paths), orNone(r.copyDir), orNone(r.share))})
	}
	headers, err := failover.ReadHeaderFiles(ctx, r.db, paths, r.req.Options.HeaderParallelism)
	if err != nil {
		return "", err
	}
	// The newest full whose chain continues (or that has nothing after it).
	var chain *logchain.Chain
	for i, f := range r.fulls {
		c := logchain.Build(logchain.Target{Database: r.req.Database, FamilyGUID: f.FamilyGUID, ForkGUID: f.RecoveryForkID, Next: f.LastLSN}, headers)
		if len(c.Apply) > 0 || c.Gap == nil || i == len(r.fulls)-1 {
			r.full, chain = f, c
			break
		}
		r.warn("the log chain does not continue the full backup %s (%s); trying an older full backup", f.Path, c.Gap.Describe())
	}
	r.chain = chain
	r.rep.Drill.FullBackup = r.full.Path
	start, end := chain.Start, chain.End
	r.rep.Chain = &report.Chain{RedoStartLSN: &start, LastAppliedLSN: &end, Continuous: chain.Gap == nil}
	for _, e := range chain.Entries {
		f := report.File{Name: e.Name, SQLPath: e.Path, SourcePath: e.Path, SizeBytes: e.Size, Detail: e.Reason}
		if lf, ok := r.logs[e.Name]; ok && winpath.SamePath(lf.ref.SQLPath, e.Path) {
			f.LocalPath, f.SourceLocalPath = lf.ref.Local, lf.ref.Local
		}
		if e.Known() {
			fl, ll := e.FirstLSN, e.LastLSN
			f.FirstLSN, f.LastLSN = &fl, &ll
			if !e.BackupStartDate.IsZero() {
				t1, t2 := e.BackupStartDate, e.BackupFinishDate
				f.BackupStartDate, f.BackupFinishDate = &t1, &t2
			}
		}
		switch e.Verdict {
		case logchain.Apply:
			f.Action = report.ActionToApply
		case logchain.AlreadyApplied:
			f.Action, f.Detail = report.ActionAlreadyApplied, "before the full backup"
		default:
			f.Action = string(e.Verdict)
		}
		r.rep.Files = append(r.rep.Files, f)
	}
	if chain.Gap != nil && r.beingWritten(chain.Gap) {
		// The only break is an unreadable file written in the last minutes, after the end
		// of the chain: most likely a log backup the primary is writing right now.
		r.warn("%s: unreadable, modified in the last %s and after the end of the chain; most likely a log backup being written, not counted as a break",
			strings.Join(chain.Gap.Damaged, ", "), writingWindow)
	} else if chain.Gap != nil {
		g := chain.Gap
		rg := &report.Gap{NeedLSN: g.Need, Damaged: g.Damaged, Description: g.Describe()}
		if g.After != nil {
			rg.AfterFile = g.After.Name
		}
		if g.Next != nil {
			rg.NextFile = g.Next.Name
			fl := g.Next.FirstLSN
			rg.FoundLSN = &fl
		}
		r.rep.Chain.Gap = rg
		r.gapErr = &report.Error{Code: report.CodeGapInLogChain, Category: "InvalidData", Message: "the drill found a break in the log chain: " + g.Describe() +
			"; a failover now would stop there (or lose that data with -AcceptDataLoss)", Target: rg.NextFile}
		r.warn("%s", r.gapErr.Message)
	}
	return fmt.Sprintf("from %s (LSN %s): %d log backups continue it to LSN %s%s", winpath.BaseName(r.full.Path), chain.Start, len(chain.Apply), chain.End, gapNote(chain)), nil
}

func gapNote(c *logchain.Chain) string {
	if c.Gap == nil {
		return ", no gap"
	}
	return "; GAP: " + c.Gap.Describe()
}

// serverJoin joins a folder and a file name in the style of the folder (a Windows path
// on a Windows SQL Server, whatever this program runs on).
func serverJoin(dir, name string) string {
	if strings.Contains(dir, `\`) {
		return strings.TrimRight(dir, `\`) + `\` + name
	}
	return strings.TrimRight(dir, "/") + "/" + name
}

// serverDir is the folder of a server-side path in either style.
func serverDir(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	if i <= 0 {
		return p
	}
	return p[:i]
}

func serverExt(p string) string {
	base := p[strings.LastIndexAny(p, `\/`)+1:]
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		return base[i:]
	}
	return ""
}

func (r *runner) restoreFull(ctx context.Context, s *report.Step) (string, error) {
	copyDB := r.rep.Drill.Database
	r.record(s, qFileList, map[string]string{"@p1": r.full.Path})
	files, err := failover.RowMaps(ctx, r.db, qFileList, r.full.Path)
	if err != nil {
		return "", fmt.Errorf("RESTORE FILELISTONLY %s: %w", r.full.Path, err)
	}
	scratch := ""
	if r.req.Drill != nil {
		scratch = r.req.Drill.ScratchDirectory
	}
	if scratch == "" && r.prod.Exists {
		rows, err := failover.RowMaps(ctx, r.conn, qProdFiles, r.prod.ID)
		if err != nil {
			return "", fmt.Errorf("read sys.master_files of %s: %w", r.req.Database, err)
		}
		if len(rows) > 0 {
			scratch = serverDir(failover.AsString(rows[0]["physical_name"]))
		}
	}
	if scratch == "" {
		return "", &drillError{code: report.CodeInvalidRequest, outcome: report.OutcomeBlocked, err: fmt.Errorf("no scratch folder for the drill copy: set drill.scratchDirectory (-ScratchDirectory)")}
	}
	r.rep.Drill.ScratchDirectory = scratch
	params := map[string]string{"@p1": r.full.Path}
	args := []any{r.full.Path}
	for i, f := range files {
		logical := failover.AsString(f["logicalname"])
		phys := serverJoin(scratch, copyDB+"_"+logical+serverExt(failover.AsString(f["physicalname"])))
		params[fmt.Sprintf("@p%d", 2+2*i)] = logical
		params[fmt.Sprintf("@p%d", 3+2*i)] = phys
		args = append(args, logical, phys)
		r.rep.Drill.Files[logical] = phys
	}
	// Positional parameters: go-mssqldb names them @p1, @p2, ...
	r.created = true
	err = r.exec(ctx, s, restoreFullSQL(copyDB, len(files)), params, args...)
	if err != nil {
		if rows, qerr := failover.RowMaps(ctx, r.conn, qDBExists, copyDB); qerr == nil && len(rows) == 0 {
			r.created = false
		}
		return "", fmt.Errorf("restore the full backup %s as %s: %w", r.full.Path, copyDB, err)
	}
	return fmt.Sprintf("restored %s as %s in %s", winpath.BaseName(r.full.Path), copyDB, scratch), nil
}

func (r *runner) restoreLogs(ctx context.Context, s *report.Step) (string, error) {
	copyDB := r.rep.Drill.Database
	text := restoreLogSQL(copyDB)
	applied := 0
	for i, a := range r.chain.Apply {
		r.ev.Progress(2, "Drill: applying log backups", fmt.Sprintf("%s (%d of %d)", a.Name, i+1, len(r.chain.Apply)), i*100/len(r.chain.Apply))
		paths := []string{a.Path}
		if lf, ok := r.logs[a.Name]; ok && lf.alt != "" {
			paths = append(paths, lf.alt)
		}
		var err error
		var used string
		t0 := time.Now()
		for k, p := range paths {
			used = p
			err = r.exec(ctx, s, text, map[string]string{"@p1": p}, p)
			if err != nil && hasNumber(err, damagedNumbers...) && k+1 < len(paths) {
				r.warn("the log backup %s is damaged (%s); restoring the other copy %s", p, failover.SQLMessage(err), paths[k+1])
				r.setFile(a.Name, report.ActionDamaged, p+" damaged: "+failover.SQLMessage(err))
				continue
			}
			break
		}
		r.fileMs[a.Name] = time.Since(t0).Milliseconds()
		switch {
		case err == nil:
			applied++
			r.setFile(a.Name, report.ActionApplied, "from "+used)
		case hasNumber(err, errAlreadyApplied):
			r.setFile(a.Name, report.ActionAlreadyApplied, "SQL Server: already applied (4326)")
		default:
			if hasNumber(err, damagedNumbers...) {
				r.setFile(a.Name, report.ActionDamaged, failover.SQLMessage(err))
				return fmt.Sprintf("applied %d of %d log backups", applied, len(r.chain.Apply)),
					&drillError{code: report.CodeDamagedBackup, outcome: report.OutcomeFailed, target: a.Name, err: fmt.Errorf("the log backup %s is damaged: %w", used, err)}
			}
			return fmt.Sprintf("applied %d of %d log backups", applied, len(r.chain.Apply)), fmt.Errorf("RESTORE LOG %s FROM %s: %w", copyDB, used, err)
		}
	}
	r.ev.Progress(2, "Drill: applying log backups", "done", 100)
	r.rep.Drill.LogsApplied = applied
	return fmt.Sprintf("applied %d log backups up to LSN %s", applied, r.chain.End), nil
}

func (r *runner) setFile(name, action, detail string) {
	for i := range r.rep.Files {
		if r.rep.Files[i].Name == name {
			r.rep.Files[i].Action, r.rep.Files[i].Detail = action, detail
		}
	}
}

func (r *runner) recover(ctx context.Context, s *report.Step) (string, error) {
	copyDB := r.rep.Drill.Database
	if err := r.exec(ctx, s, recoverSQL(copyDB), nil); err != nil {
		return "", fmt.Errorf("RESTORE DATABASE %s WITH RECOVERY: %w", copyDB, err)
	}
	end := r.chain.End
	r.rep.Drill.RecoveredToLSN = &end
	rp := r.full.Finish
	if last := r.chain.LastApplied(); last != nil && !last.BackupFinishDate.IsZero() {
		rp = last.BackupFinishDate
	}
	rp = rp.UTC()
	r.rep.Drill.RecoveryPoint = &rp
	return fmt.Sprintf("%s recovered at LSN %s; newest transaction from %s", copyDB, end, rp.Format(time.RFC3339)), nil
}

func (r *runner) checkDB(ctx context.Context, s *report.Step) (string, error) {
	copyDB := r.rep.Drill.Database
	r.rep.Drill.CheckDB = "failed"
	if err := r.exec(ctx, s, checkDBSQL(copyDB), nil); err != nil {
		return "", fmt.Errorf("DBCC CHECKDB %s: %w", copyDB, err)
	}
	r.rep.Drill.CheckDB = "passed"
	return "no allocation or consistency errors", nil
}

func (r *runner) sanity(ctx context.Context, s *report.Step) (string, error) {
	copyDB := r.rep.Drill.Database
	r.record(s, qCopyState, map[string]string{"@p1": copyDB})
	rows, err := failover.RowMaps(ctx, r.conn, qCopyState, copyDB)
	if err != nil {
		return "", fmt.Errorf("read the state of %s: %w", copyDB, err)
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("%s is missing from sys.databases after recovery", copyDB)
	}
	san := &Sanity{State: failover.AsString(rows[0]["state_desc"]), UserAccess: failover.AsString(rows[0]["user_access_desc"]), ReadOnly: failover.AsBool(rows[0]["is_read_only"])}
	r.rep.Drill.Sanity = san
	q := copyFilesSQL(copyDB)
	r.record(s, q, nil)
	files, err := failover.RowMaps(ctx, r.conn, q)
	if err != nil {
		return "", fmt.Errorf("read %s.sys.database_files: %w", copyDB, err)
	}
	san.Files = len(files)
	var problems []string
	for _, f := range files {
		name, phys, st := failover.AsString(f["name"]), failover.AsString(f["physical_name"]), failover.AsString(f["state_desc"])
		want := r.rep.Drill.Files[name]
		switch {
		case st != "ONLINE":
			problems = append(problems, fmt.Sprintf("file %s is %s", name, st))
		case want != "" && !strings.EqualFold(phys, want):
			problems = append(problems, fmt.Sprintf("file %s is at %s, not at %s", name, phys, want))
		default:
			san.FilesOK++
		}
	}
	if san.State != "ONLINE" || san.UserAccess != "MULTI_USER" || san.ReadOnly {
		problems = append(problems, fmt.Sprintf("the copy is %s, %s, read-only=%v", san.State, san.UserAccess, san.ReadOnly))
	}
	if len(files) == 0 {
		problems = append(problems, "no files listed")
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("sanity check of %s: %s", copyDB, strings.Join(problems, "; "))
	}
	return fmt.Sprintf("%s is ONLINE, MULTI_USER, read-write; %d files ONLINE at the scratch paths", copyDB, san.FilesOK), nil
}

func (r *runner) drop(ctx context.Context, s *report.Step) (string, error) {
	copyDB := r.rep.Drill.Database
	if err := r.exec(ctx, s, dropSQL(copyDB), nil); err != nil {
		return "", fmt.Errorf("DROP DATABASE %s: %w; drop it by hand", copyDB, err)
	}
	rows, err := failover.RowMaps(ctx, r.conn, qDBExists, copyDB)
	if err != nil {
		return "", fmt.Errorf("verify the drop of %s: %w", copyDB, err)
	}
	if len(rows) > 0 {
		return "", fmt.Errorf("%s is still listed in sys.databases after DROP DATABASE", copyDB)
	}
	r.rep.Drill.Dropped = true
	r.created = false
	return copyDB + " dropped", nil
}

// writingWindow is how recent an unreadable file must be to count as being written.
const writingWindow = 5 * time.Minute

// beingWritten reports whether the gap consists only of unreadable files, none usable
// beyond them, all modified within writingWindow.
func (r *runner) beingWritten(g *logchain.Gap) bool {
	if g.Next != nil || len(g.Damaged) == 0 {
		return false
	}
	for _, name := range g.Damaged {
		lf, ok := r.logs[name]
		if !ok {
			return false
		}
		fi, err := os.Stat(lf.ref.Local)
		if err != nil || r.now().Sub(fi.ModTime()) > writingWindow {
			return false
		}
		for _, e := range r.chain.Entries {
			if e.Name == name && e.Known() {
				return false // readable but damaged: a real finding
			}
		}
	}
	return true
}
