package sqlsim

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/sqlsim/hostfs"
)

// hostPair is log shipping between two Windows hosts: SQLPCPRI\PCHAT backs up to its
// D:\LogShip, shared as \\SQLPCPRI\LogShip; SQLPCBAK\PCHAT copies to its E:\LSCopy and
// restores from there. Every path the instances get is a Windows path.
type hostPair struct {
	net                *hostfs.Network
	primary, secondary *Instance
}

func newHostPair(t *testing.T) *hostPair {
	t.Helper()
	ctx := context.Background()
	net := hostfs.New(filepath.Join(t.TempDir(), "hosts"))
	for _, h := range []string{"SQLPCPRI", "SQLPCBAK"} {
		if err := net.AddHost(h, "C", "D", "E"); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{`D:\MSSQL\Data`, `D:\MSSQL\Backup`} {
			l, err := net.Resolve(h, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(l, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := net.AddShare("SQLPCPRI", "LogShip", `D:\LogShip`); err != nil {
		t.Fatal(err)
	}
	if l, err := net.Resolve("SQLPCBAK", `E:\LSCopy`); err != nil || os.MkdirAll(l, 0o755) != nil {
		t.Fatal(err)
	}
	mk := func(name, host string) *Instance {
		in := NewInstance(Config{Name: name, Host: host, Hosts: net, Logins: map[string]string{"sa": testPassword},
			Sysadmins: []string{"sa"}, DataBytes: 64 << 10})
		t.Cleanup(in.Close)
		return in
	}
	p := &hostPair{net: net, primary: mk(`SQLPCPRI\PCHAT`, "SQLPCPRI"), secondary: mk(`SQLPCBAK\PCHAT`, "SQLPCBAK")}
	files := []DatabaseFile{{LogicalName: "mgc", PhysicalName: `D:\MSSQL\Data\mgc.mdf`, Type: "D"},
		{LogicalName: "mgc_log", PhysicalName: `D:\MSSQL\Data\mgc_log.ldf`, Type: "L"}}
	if err := p.primary.CreateDatabase("mgc", files); err != nil {
		t.Fatal(err)
	}
	if err := p.primary.Commit("mgc", 10); err != nil {
		t.Fatal(err)
	}
	if _, err := p.primary.BackupDatabase(ctx, "mgc", `D:\MSSQL\Backup\mgc_full.bak`); err != nil {
		t.Fatal(err)
	}
	// The secondary reads the full backup through the primary's administrative share.
	if err := p.secondary.RestoreDatabase(ctx, "mgc", `\\SQLPCPRI\D$\MSSQL\Backup\mgc_full.bak`,
		RestoreOptions{Mode: Standby, StandbyFile: `D:\MSSQL\Data\mgc.tuf`}); err != nil {
		t.Fatal(err)
	}
	if err := p.primary.ConfigureLogShippingPrimary(PrimaryConfig{Database: "mgc", BackupDirectory: `D:\LogShip`, BackupShare: `\\SQLPCPRI\LogShip`}); err != nil {
		t.Fatal(err)
	}
	if err := p.secondary.ConfigureLogShippingSecondary(SecondaryConfig{PrimaryServer: `SQLPCPRI\PCHAT`, PrimaryDatabase: "mgc",
		SecondaryDatabase: "mgc", BackupSourceDirectory: `\\SQLPCPRI\LogShip`, BackupDestinationDirectory: `E:\LSCopy`, StandbyMode: true}); err != nil {
		t.Fatal(err)
	}
	return p
}

// ship runs the backup job, then the copy and restore jobs, returning the backup's
// file name.
func (p *hostPair) ship(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	if err := p.primary.Commit("mgc", 5); err != nil {
		t.Fatal(err)
	}
	if err := p.primary.RunJob(ctx, "LSBackup_mgc"); err != nil {
		t.Fatal(err)
	}
	if err := p.secondary.RunJob(ctx, `LSCopy_SQLPCPRI\PCHAT_mgc`); err != nil {
		t.Fatal(err)
	}
	if err := p.secondary.RunJob(ctx, `LSRestore_SQLPCPRI\PCHAT_mgc`); err != nil {
		t.Fatal(err)
	}
	files, err := lsFiles(filepath.Join(p.net.Root(), "SQLPCBAK", "E", "LSCopy"), "mgc")
	if err != nil || len(files) == 0 {
		t.Fatalf("copy folder E:\\LSCopy on SQLPCBAK: %v %v", files, err)
	}
	return files[len(files)-1]
}

func TestHostsLogShippingUsesWindowsPaths(t *testing.T) {
	p := newHostPair(t)
	name := p.ship(t)
	// The files are where the hosts model puts them, on each host's own drive.
	for _, f := range []string{filepath.Join("SQLPCPRI", "D", "LogShip", name), filepath.Join("SQLPCBAK", "E", "LSCopy", name)} {
		if _, err := os.Stat(filepath.Join(p.net.Root(), f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(p.net.Root(), "SQLPCPRI", "E", "LSCopy", name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy landed on the primary's E: too: %v", err)
	}
	db := serve(t, p.secondary)
	ctx := context.Background()
	var machine, src, dst, lastCopied, lastRestored string
	if err := db.QueryRowContext(ctx, "SELECT CAST(SERVERPROPERTY('MachineName') AS nvarchar(128))").Scan(&machine); err != nil || machine != "SQLPCBAK" {
		t.Errorf("MachineName = %q, %v; want SQLPCBAK", machine, err)
	}
	if err := db.QueryRowContext(ctx, "SELECT s.backup_source_directory, s.backup_destination_directory, s.last_copied_file, d.last_restored_file FROM msdb.dbo.log_shipping_secondary s JOIN msdb.dbo.log_shipping_secondary_databases d ON d.secondary_id = s.secondary_id").
		Scan(&src, &dst, &lastCopied, &lastRestored); err != nil {
		t.Fatal(err)
	}
	if src != `\\SQLPCPRI\LogShip` || dst != `E:\LSCopy` || lastCopied != `E:\LSCopy\`+name || lastRestored != `E:\LSCopy\`+name {
		t.Errorf("msdb paths: %s %s %s %s", src, dst, lastCopied, lastRestored)
	}
	var phys []string
	rows, err := db.QueryContext(ctx, "SELECT physical_name FROM sys.master_files WHERE database_id = DB_ID('mgc') ORDER BY file_id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		phys = append(phys, s)
	}
	rows.Close()
	if !slices.Equal(phys, []string{`D:\MSSQL\Data\mgc.mdf`, `D:\MSSQL\Data\mgc_log.ldf`}) {
		t.Errorf("physical_name = %v", phys)
	}
	var dev string
	if err := db.QueryRowContext(ctx, "SELECT TOP 1 m.physical_device_name FROM msdb.dbo.backupmediafamily m").Scan(&dev); err == nil && !hostfs.IsWindowsPath(dev) {
		t.Errorf("backupmediafamily.physical_device_name = %q, want a Windows path", dev)
	}
	// HEADERONLY by the SQL Server's own drive path, by the share, and by the admin share.
	for _, path := range []string{`E:\LSCopy\` + name, `\\SQLPCPRI\LogShip\` + name, `\\SQLPCBAK\E$\LSCopy\` + name} {
		var dbName string
		rows, err := db.QueryContext(ctx, "RESTORE HEADERONLY FROM DISK = @p1", path)
		if err != nil {
			t.Fatalf("HEADERONLY %s: %v", path, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		if rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				t.Fatal(err)
			}
			dbName, _ = (*vals[slices.Index(cols, "DatabaseName")].(*any)).(string)
		}
		rows.Close()
		if dbName != "mgc" {
			t.Errorf("HEADERONLY %s: DatabaseName %q", path, dbName)
		}
	}
	// A MOVE target on a drive the host lacks fails as SQL Server does (5133).
	_, err = db.ExecContext(ctx, `RESTORE DATABASE [mgc2] FROM DISK = N'\\SQLPCPRI\D$\MSSQL\Backup\mgc_full.bak' WITH NORECOVERY, MOVE N'mgc' TO N'Q:\Data\mgc2.mdf', MOVE N'mgc_log' TO N'D:\MSSQL\Data\mgc2_log.ldf'`)
	if n := sqlErrNums(err); len(n) == 0 || n[0] != 5133 {
		t.Errorf("MOVE to Q:\\: %v (%v), want 5133", err, n)
	}
}

// headerErr runs RESTORE HEADERONLY over TDS and returns the error's messages.
func headerErr(t *testing.T, db *sql.DB, path string) (nums []int32, first string) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "RESTORE HEADERONLY FROM DISK = @p1", path)
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	var e mssql.Error
	if !errors.As(err, &e) {
		t.Fatalf("HEADERONLY %s: %v, want a SQL Server error", path, err)
	}
	return sqlErrNums(err), e.All[0].Message
}

// wantOpenError checks that RESTORE HEADERONLY of path fails with 3201 "Cannot open
// backup device" naming path and operating system error oserr ("N(text)"), then 3013.
func wantOpenError(t *testing.T, db *sql.DB, path, oserr string) {
	t.Helper()
	nums, text := headerErr(t, db, path)
	want := "Cannot open backup device '" + path + "'. Operating system error " + oserr + "."
	if !slices.Equal(nums, []int32{3201, 3013}) || text != want {
		t.Errorf("HEADERONLY %s: %v %q, want [3201 3013] %q", path, nums, text, want)
	}
}

func TestHostsShareOfADownHostIsError53(t *testing.T) {
	p := newHostPair(t)
	name := p.ship(t)
	db := serve(t, p.secondary)
	if err := p.net.SetDown("SQLPCPRI", true); err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, db, `\\SQLPCPRI\LogShip\`+name, "53(The network path was not found.)")
	// The copy job cannot list the share either, and says so in its history.
	err := p.secondary.RunJob(context.Background(), `LSCopy_SQLPCPRI\PCHAT_mgc`)
	if err == nil || !strings.Contains(err.Error(), "The network path was not found") {
		t.Errorf("copy job with the share's host down: %v", err)
	}
	// The backup's own copy folder still answers.
	if _, err := db.Exec("RESTORE HEADERONLY FROM DISK = @p1", `E:\LSCopy\`+name); err != nil {
		t.Errorf("local copy with the primary host down: %v", err)
	}
}

// A share whose permissions leave out the SQL Servers' service accounts: 3201 with
// operating system error 5 through the share, the copy job's history says "Access to the
// path ... is denied", and the same folder through the administrative share (an
// administrator's path) and this machine's folder still answer.
func TestHostsShareDeniedIsError5(t *testing.T) {
	p := newHostPair(t)
	name := p.ship(t)
	db := serve(t, p.secondary)
	if err := p.net.SetShareDenied("SQLPCPRI", "logship", true); err != nil {
		t.Fatal(err)
	}
	path := `\\SQLPCPRI\LogShip\` + name
	wantOpenError(t, db, path, "5(Access is denied.)")
	err := p.secondary.RunJob(context.Background(), `LSCopy_SQLPCPRI\PCHAT_mgc`)
	if err == nil || !strings.Contains(err.Error(), `Access to the path '\\SQLPCPRI\LogShip' is denied.`) {
		t.Errorf("copy job through a denied share: %v", err)
	}
	if _, err := db.Exec("RESTORE HEADERONLY FROM DISK = @p1", `\\SQLPCPRI\D$\LogShip\`+name); err != nil {
		t.Errorf("the same folder through the administrative share: %v", err)
	}
	if _, err := os.Stat(filepath.Join(p.net.Root(), "SQLPCPRI", "D", "LogShip", name)); err != nil {
		t.Errorf("this machine's folder of the share: %v", err)
	}
	if err := p.net.SetShareDenied("SQLPCPRI", "LogShip", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("RESTORE HEADERONLY FROM DISK = @p1", path); err != nil {
		t.Errorf("rights given back: %v", err)
	}
	if err := p.net.SetShareDenied("SQLPCPRI", "NoShare", true); err == nil {
		t.Error("SetShareDenied of a share the host lacks succeeded")
	}
}

func TestHostsMissingShareFolderAndFile(t *testing.T) {
	p := newHostPair(t)
	db := serve(t, p.secondary)
	for _, c := range []struct{ path, os string }{
		{`\\SQLPCPRI\NoShare\x.trn`, "67(The network name cannot be found.)"},
		{`\\SQLPCPRI\Q$\x.trn`, "67(The network name cannot be found.)"},
		{`E:\NoFolder\x.trn`, "3(The system cannot find the path specified.)"},
		{`Q:\x.trn`, "3(The system cannot find the path specified.)"},
		{`E:\LSCopy\nope.trn`, "2(The system cannot find the file specified.)"},
		{`\\SQLPCPRI\LogShip\nope.trn`, "2(The system cannot find the file specified.)"},
		{`\\NOSUCHHOST\LogShip\x.trn`, "53(The network path was not found.)"},
	} {
		wantOpenError(t, db, c.path, c.os)
	}
	// BACKUP to a folder that does not exist on this host fails the same way.
	_, err := serve(t, p.primary).Exec(`BACKUP LOG [mgc] TO DISK = N'E:\LSCopy\mgc_x.trn'`)
	if n := sqlErrNums(err); len(n) == 0 || n[0] != 3201 || !strings.Contains(err.Error(), "3(The system cannot find the path specified.)") {
		t.Errorf("BACKUP to the primary's E:\\LSCopy (only the backup has one): %v", err)
	}
}

func TestHostsNamesDifferingInCaseAreOneFile(t *testing.T) {
	p := newHostPair(t)
	name := p.ship(t)
	db := serve(t, p.secondary)
	upper := `e:\lscopy\` + strings.ToUpper(name)
	if _, err := db.Exec("RESTORE HEADERONLY FROM DISK = @p1", upper); err != nil {
		t.Fatalf("HEADERONLY %s: %v", upper, err)
	}
	// BACKUP to the same name in another case finds the existing file (no INIT: the
	// simulator refuses to append), and WITH INIT overwrites that one file.
	pdb := serve(t, p.primary)
	other := `D:\LOGSHIP\` + strings.ToUpper(name)
	_, err := pdb.Exec("BACKUP LOG [mgc] TO DISK = @p1", other)
	if err == nil || !strings.Contains(err.Error(), "appending a backup set to the existing media") {
		t.Errorf("BACKUP to %s: %v, want the existing file", other, err)
	}
	if _, err := pdb.Exec("BACKUP LOG [mgc] TO DISK = @p1 WITH INIT", other); err != nil {
		t.Fatalf("BACKUP WITH INIT to %s: %v", other, err)
	}
	entries, err := os.ReadDir(filepath.Join(p.net.Root(), "SQLPCPRI", "D", "LogShip"))
	if err != nil {
		t.Fatal(err)
	}
	var trn []string
	for _, e := range entries {
		if strings.EqualFold(e.Name(), name) {
			trn = append(trn, e.Name())
		}
	}
	if !slices.Equal(trn, []string{name}) {
		t.Errorf("share holds %v, want the one file %s", trn, name)
	}
}
