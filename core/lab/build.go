package lab

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"pcfailover/core/sqlsim"
	"pcfailover/core/sqlsim/hostfs"
)

// Names of the log-shipping jobs, as the SSMS wizard names them
// (reference/lync-persistent-chat.md §3.4).
func backupJobName(db string) string           { return "LSBackup_" + db }
func copyJobName(primary, db string) string    { return "LSCopy_" + primary + "_" + db }
func restoreJobName(primary, db string) string { return "LSRestore_" + primary + "_" + db }

// historyTransactions are committed on the primary before the full backup.
const historyTransactions = 100

// buildScenario plays the scenario's history on the instances with the simulator's real
// operations and returns what it built.
func buildScenario(ctx context.Context, s Scenario, lo layout, sims map[string]*sqlsim.Instance, clock *labClock) (Facts, error) {
	pri, bak := sims[RolePrimary], sims[RoleBackup]
	db := s.Database
	interval := time.Duration(s.Logs.Interval)
	now := time.Now().UTC().Truncate(time.Second)
	// The last log backup is one interval before now; the full backup one interval
	// before the first log backup.
	fullAt := now.Add(-interval * time.Duration(s.Logs.Count+1))
	clock.set(fullAt.Add(-24 * time.Hour))

	if err := pri.CreateDatabase(db, databaseFiles(db)); err != nil {
		return Facts{}, fmt.Errorf("create %s on the primary: %w", db, err)
	}
	if err := pri.Commit(db, historyTransactions); err != nil {
		return Facts{}, fmt.Errorf("commit on the primary: %w", err)
	}

	// Initialise the secondary as the SSMS wizard does: full backup, restored WITH MOVE
	// in the restore mode of the configuration (reference/lync-persistent-chat.md §3.2
	// steps 7 and 9).
	clock.set(fullAt)
	// The primary writes it to its own D:\MSSQL\Backup; the backup reads it through the
	// primary's administrative share.
	fullName := fmt.Sprintf("%s_full_%s.bak", db, fullAt.Format("20060102150405"))
	if _, err := pri.BackupDatabase(ctx, db, hostfs.Join(sqlBackupDir, fullName)); err != nil {
		return Facts{}, fmt.Errorf("full backup of %s: %w", db, err)
	}
	full := adminShare(machineName(RolePrimary), hostfs.Join(sqlBackupDir, fullName))
	standby := ""
	ropts := sqlsim.RestoreOptions{Mode: sqlsim.NoRecovery, Move: moves(db)}
	if s.RestoreMode == "standby" {
		standby = hostfs.Join(sqlDataDir, db+"_standby.tuf")
		ropts.Mode, ropts.StandbyFile = sqlsim.Standby, standby
	}
	clock.set(fullAt.Add(interval / 2))
	if err := bak.RestoreDatabase(ctx, db, full, ropts); err != nil {
		return Facts{}, fmt.Errorf("initialise the secondary from %s: %w", full, err)
	}

	// Log shipping: the backup job on the primary writes to the share, the copy and
	// restore jobs on the secondary read it (reference/sql-log-shipping.md §2).
	priName := pri.ServerName()
	if err := pri.ConfigureLogShippingPrimary(sqlsim.PrimaryConfig{
		Database: db, BackupDirectory: lo.sqlShareDir, BackupShare: lo.sqlShare, BackupJobName: backupJobName(db),
		MonitorServer: priName,
	}); err != nil {
		return Facts{}, fmt.Errorf("configure log shipping on the primary: %w", err)
	}
	if err := bak.ConfigureLogShippingSecondary(sqlsim.SecondaryConfig{
		PrimaryServer: priName, PrimaryDatabase: db, SecondaryDatabase: db,
		BackupSourceDirectory: lo.sqlShare, BackupDestinationDirectory: lo.sqlCopy,
		CopyJobName: copyJobName(priName, db), RestoreJobName: restoreJobName(priName, db),
		StandbyMode: standby != "", MonitorServer: priName,
	}); err != nil {
		return Facts{}, fmt.Errorf("configure log shipping on the secondary: %w", err)
	}

	// The primary's full backups also land in the share, where a DR drill finds them
	// (reference/sql-log-shipping.md §5 "DR drill mode"); the copy job copies only .trn.
	localFull, err := lo.net.Resolve(machineName(RolePrimary), hostfs.Join(sqlBackupDir, fullName))
	if err != nil {
		return Facts{}, fmt.Errorf("place the full backup in the share: %w", err)
	}
	if err := copyFile(localFull, filepath.Join(lo.share, fullName)); err != nil {
		return Facts{}, fmt.Errorf("place the full backup in the share: %w", err)
	}
	facts := Facts{FullBackup: full, ShareFullBackup: hostfs.Join(lo.sqlShare, fullName)}
	seen := map[string]bool{}
	for k := 1; k <= s.Logs.Count; k++ {
		if err := ctx.Err(); err != nil {
			return Facts{}, err
		}
		at := fullAt.Add(interval * time.Duration(k))
		clock.set(at)
		if err := pri.Commit(db, s.Logs.TransactionsPerLog); err != nil {
			return Facts{}, fmt.Errorf("log backup %d: commit: %w", k, err)
		}
		if err := pri.RunJob(ctx, backupJobName(db)); err != nil {
			return Facts{}, fmt.Errorf("log backup %d: backup job: %w", k, err)
		}
		name, err := newFile(lo.share, seen, ".trn")
		if err != nil {
			return Facts{}, fmt.Errorf("log backup %d: %w", k, err)
		}
		h, err := sqlsim.ReadBackupHeader(filepath.Join(lo.share, name))
		if err != nil {
			return Facts{}, fmt.Errorf("log backup %d: read %s: %w", k, name, err)
		}
		facts.Logs = append(facts.Logs, LogFact{
			Number: k, Name: name, FirstLSN: h.FirstLSN.String(), LastLSN: h.LastLSN.String(),
			LastTransaction: h.LastTxn, InShare: true,
		})
		// The agent runs the copy and restore jobs on their own schedules, a little after
		// the backup job, until they broke.
		if k <= s.Logs.Copied {
			clock.set(at.Add(interval / 3))
			if err := bak.RunJob(ctx, copyJobName(priName, db)); err != nil {
				return Facts{}, fmt.Errorf("log backup %d: copy job: %w", k, err)
			}
		}
		if k <= s.Logs.Restored {
			clock.set(at.Add(2 * interval / 3))
			if err := bak.RunJob(ctx, restoreJobName(priName, db)); err != nil {
				return Facts{}, fmt.Errorf("log backup %d: restore job: %w", k, err)
			}
		}
	}
	if tail := *s.Logs.TailTransactions; tail > 0 {
		clock.set(now.Add(-interval / 2))
		if err := pri.Commit(db, tail); err != nil {
			return Facts{}, fmt.Errorf("tail transactions: %w", err)
		}
	}
	if err := applyDamage(s, lo, facts.Logs); err != nil {
		return Facts{}, err
	}
	markFates(s, facts.Logs)

	if p, ok := pri.Database(db); ok {
		facts.PrimaryTransactions = p.Txn
	}
	if b, ok := bak.Database(db); ok {
		facts.RestoredTransactions = b.Txn
	}
	facts.ChainTransactions = facts.RestoredTransactions
	for _, lf := range facts.Logs {
		if lf.Restored {
			continue
		}
		if lf.Missing || lf.Damaged || lf.Truncated {
			break
		}
		facts.ChainTransactions = lf.LastTransaction
	}

	// The scenario's "0s" means a killed session stays away; the simulator spells that
	// as a negative delay (0 there means "reconnect at once").
	reconnect := time.Duration(s.SessionReconnect)
	if reconnect == 0 {
		reconnect = -1
	}
	for i := 0; i < s.Sessions; i++ {
		as, err := bak.OpenAppSession(db, reconnect)
		if err != nil {
			return Facts{}, fmt.Errorf("application session %d on %s: %w", i+1, db, err)
		}
		facts.Sessions = append(facts.Sessions, as.SPID())
	}
	for i, f := range s.Faults {
		if err := sims[f.Instance].AddFault(sqlsim.Fault{
			Match: f.Statement, Error: int32(f.Error), Drop: f.Drop, Stall: time.Duration(f.Stall), Times: f.Times,
		}); err != nil {
			return Facts{}, fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	return facts, nil
}

// databaseFiles places a database's data and log files in D:\MSSQL\Data, as on every
// host of the lab.
func databaseFiles(db string) []sqlsim.DatabaseFile {
	return []sqlsim.DatabaseFile{
		{LogicalName: db, PhysicalName: hostfs.Join(sqlDataDir, db+".mdf"), Type: "D", SizeBytes: 256 << 20},
		{LogicalName: db + "_log", PhysicalName: hostfs.Join(sqlDataDir, db+"_log.ldf"), Type: "L", SizeBytes: 64 << 20},
	}
}

// adminShare is a drive path of host as another machine reaches it: \\host\X$\rest.
func adminShare(host, drivePath string) string {
	return `\\` + host + `\` + drivePath[:1] + "$" + drivePath[2:]
}

// moves is RESTORE ... WITH MOVE for the backup instance's own paths (the same
// D:\MSSQL\Data folder, on its own host).
func moves(db string) []sqlsim.MoveFile {
	var m []sqlsim.MoveFile
	for _, f := range databaseFiles(db) {
		m = append(m, sqlsim.MoveFile{LogicalName: f.LogicalName, PhysicalName: f.PhysicalName})
	}
	return m
}

// newFile returns the one file with the extension in dir that seen does not hold yet,
// and records it.
func newFile(dir string, seen map[string]bool, ext string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var fresh []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ext) && !seen[e.Name()] {
			fresh = append(fresh, e.Name())
		}
	}
	if len(fresh) != 1 {
		return "", fmt.Errorf("expected one new %s file in %s, found %d (%s)", ext, dir, len(fresh), strings.Join(fresh, ", "))
	}
	seen[fresh[0]] = true
	return fresh[0], nil
}

// applyDamage does to the files what a failing disk, network or operator would: delete
// the missing log backups from the share and the copy folder, alter or truncate copies,
// and leave partial .wrk copies of uncopied ones.
func applyDamage(s Scenario, lo layout, logs []LogFact) error {
	byNum := func(n int) LogFact { return logs[n-1] }
	for _, n := range s.Logs.Missing {
		lf := byNum(n)
		for _, dir := range []string{lo.share, lo.copy} {
			if err := os.Remove(filepath.Join(dir, lf.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove log backup %d: %w", n, err)
			}
		}
	}
	for _, n := range s.Logs.Damaged {
		if err := damageFile(filepath.Join(lo.copy, byNum(n).Name)); err != nil {
			return fmt.Errorf("damage log backup %d: %w", n, err)
		}
	}
	for _, n := range s.Logs.Truncated {
		p := filepath.Join(lo.copy, byNum(n).Name)
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("truncate log backup %d: %w", n, err)
		}
		if err := os.Truncate(p, fi.Size()/2); err != nil {
			return fmt.Errorf("truncate log backup %d: %w", n, err)
		}
	}
	for _, n := range s.Logs.Partial {
		lf := byNum(n)
		data, err := os.ReadFile(filepath.Join(lo.share, lf.Name))
		if err != nil {
			return fmt.Errorf("partial copy of log backup %d: %w", n, err)
		}
		wrk := strings.TrimSuffix(lf.Name, filepath.Ext(lf.Name)) + ".wrk"
		if err := os.WriteFile(filepath.Join(lo.copy, wrk), data[:len(data)/2], 0o600); err != nil {
			return fmt.Errorf("partial copy of log backup %d: %w", n, err)
		}
	}
	return nil
}

// damageFile flips bits in the middle of the payload, past the header, as a bad sector
// or a faulty network copy would: the file keeps its size and header, its checksum no
// longer matches.
func damageFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	off := fi.Size() * 3 / 4
	b := make([]byte, 16)
	n, err := f.ReadAt(b, off)
	if err != nil && n == 0 {
		return err
	}
	for i := range b[:n] {
		b[i] ^= 0xA5
	}
	if _, err := f.WriteAt(b[:n], off); err != nil {
		return err
	}
	return f.Sync()
}

// markFates fills in what happened to each log backup.
func markFates(s Scenario, logs []LogFact) {
	for i := range logs {
		n := logs[i].Number
		lf := &logs[i]
		lf.Copied = n <= s.Logs.Copied
		lf.Restored = n <= s.Logs.Restored
		lf.Missing = slices.Contains(s.Logs.Missing, n)
		lf.Damaged = slices.Contains(s.Logs.Damaged, n)
		lf.Truncated = slices.Contains(s.Logs.Truncated, n)
		lf.Partial = slices.Contains(s.Logs.Partial, n)
		lf.InShare = !lf.Missing
		lf.InCopy = lf.Copied && !lf.Missing
	}
	sort.Slice(logs, func(i, j int) bool { return logs[i].Number < logs[j].Number })
}

// copyFile copies src to dst and flushes it.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
