package sqlsim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLogShippingConfiguredByProcedures sets log shipping up with the sp_add_log_shipping_*
// procedures alone (as a failback does) and proves the jobs then move log backups.
func TestLogShippingConfiguredByProcedures(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pri, sec := newInstance(t, "SQLPRIMARY"), newInstance(t, `SQLBACKUP\PCHAT`)
	share, copyDir := filepath.Join(dir, "share"), filepath.Join(dir, "copy")
	for _, d := range []string{share, copyDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := pri.CreateDatabase("mgc", nil); err != nil {
		t.Fatal(err)
	}
	if err := pri.Commit("mgc", 7); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(share, "mgc_seed.bak")
	ps, ss := login(t, pri, "sa", "master"), login(t, sec, "sa", "master")
	mustOK(t, ps, fmt.Sprintf("BACKUP DATABASE [mgc] TO DISK = N'%s' WITH INIT, CHECKSUM", full))
	mustOK(t, ss, fmt.Sprintf("RESTORE DATABASE [mgc] FROM DISK = N'%s' WITH REPLACE, NORECOVERY", full))

	w := mustOK(t, ps, fmt.Sprintf(`DECLARE @job uniqueidentifier, @pid uniqueidentifier;
EXEC master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = N'%s', @backup_share = N'%s',
  @backup_job_name = N'LSBackup_mgc', @backup_retention_period = 4320, @backup_job_id = @job OUTPUT, @primary_id = @pid OUTPUT;
EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'SQLBACKUP\PCHAT', @secondary_database = N'mgc';
SELECT @job AS job_id, @pid AS primary_id;`, share, share))
	if w.col(t, "job_id") == nil || w.col(t, "primary_id") == nil {
		t.Fatalf("OUTPUT parameters not set: %v", w.rows(t))
	}
	w = mustOK(t, ps, "SELECT j.enabled, ps.secondary_server FROM msdb.dbo.log_shipping_primary_databases AS p JOIN msdb.dbo.sysjobs AS j ON j.job_id = p.backup_job_id JOIN msdb.dbo.log_shipping_primary_secondaries AS ps ON ps.primary_id = p.primary_id")
	if rows := w.rows(t); len(rows) != 1 || fmt.Sprint(rows[0][0]) != "false" && fmt.Sprint(rows[0][0]) != "0" {
		t.Fatalf("backup job must be created disabled with one secondary row, got %v", rows)
	}
	mustOK(t, ss, fmt.Sprintf(`DECLARE @c uniqueidentifier, @r uniqueidentifier, @s uniqueidentifier;
EXEC master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'SQLPRIMARY', @primary_database = N'mgc',
  @backup_source_directory = N'%s', @backup_destination_directory = N'%s', @copy_job_name = N'LSCopy_SQLPRIMARY_mgc',
  @restore_job_name = N'LSRestore_SQLPRIMARY_mgc', @file_retention_period = 4320,
  @copy_job_id = @c OUTPUT, @restore_job_id = @r OUTPUT, @secondary_id = @s OUTPUT;
EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'SQLPRIMARY',
  @primary_database = N'mgc', @restore_delay = 0, @restore_mode = 0, @disconnect_users = 0, @restore_threshold = 45;
EXEC msdb.dbo.sp_update_job @job_id = @c, @enabled = 1;
EXEC msdb.dbo.sp_update_job @job_id = @r, @enabled = 1;`, share, copyDir))
	mustOK(t, ps, "EXEC msdb.dbo.sp_update_job @job_name = N'LSBackup_mgc', @enabled = 1")

	if err := pri.Commit("mgc", 5); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		in  *Instance
		job string
	}{{pri, "LSBackup_mgc"}, {sec, "LSCopy_SQLPRIMARY_mgc"}, {sec, "LSRestore_SQLPRIMARY_mgc"}} {
		if err := step.in.RunJob(ctx, step.job); err != nil {
			t.Fatalf("run %s: %v", step.job, err)
		}
		time.Sleep(1100 * time.Millisecond) // file names carry seconds
	}
	st, _ := sec.Database("mgc")
	if st.State != "RESTORING" || st.Txn != 12 {
		t.Fatalf("secondary after one shipped log: state %s, txn %d; want RESTORING, 12", st.State, st.Txn)
	}
	w = mustOK(t, ss, "SELECT last_restored_file FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = N'mgc'")
	if f := fmt.Sprint(w.col(t, "last_restored_file")); !strings.HasPrefix(filepath.Base(f), "mgc_") {
		t.Fatalf("last_restored_file = %q", f)
	}
}

func TestLogShippingProcedureErrors(t *testing.T) {
	in := newInstance(t, "SQLPRIMARY")
	if err := in.CreateDatabase("mgc", nil); err != nil {
		t.Fatal(err)
	}
	s := login(t, in, "sa", "master")
	mustOK(t, s, "EXEC sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = N'c:\\ls', @backup_share = N'\\\\h\\ls', @backup_job_name = N'LSBackup_mgc'")
	cases := []struct {
		name, sql string
		want      int32
	}{
		{"primary twice", "EXEC sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = N'c:\\ls', @backup_share = N'\\\\h\\ls', @backup_job_name = N'LSBackup_mgc2'", 32001},
		{"missing parameter", "EXEC sp_add_log_shipping_primary_database @database = N'mgc'", 201},
		{"unknown parameter", "EXEC sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'B', @secondary_database = N'mgc', @bogus = 1", 8145},
		{"no such database", "EXEC sp_add_log_shipping_primary_database @database = N'nope', @backup_directory = N'c:\\ls', @backup_share = N'\\\\h\\ls', @backup_job_name = N'x'", 911},
		{"secondary of a non-primary", "EXEC sp_add_log_shipping_primary_secondary @primary_database = N'other', @secondary_server = N'B', @secondary_database = N'mgc'", 32010},
		{"secondary database before its primary", "EXEC sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'A', @primary_database = N'mgc'", 32023},
		{"delete primary with a secondary", "EXEC sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'B', @secondary_database = N'mgc'; EXEC sp_delete_log_shipping_primary_database @database = N'mgc'", 32011},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := run(t, s, c.sql)
			if !slices.Contains(w.errNums(), c.want) {
				t.Fatalf("errors %v, want %d", w.errNums(), c.want)
			}
		})
	}
	reader := login(t, in, "reader", "master")
	if w := run(t, reader, "EXEC sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'B', @secondary_database = N'x'"); len(w.errNums()) == 0 {
		t.Fatal("a non-sysadmin ran sp_add_log_shipping_primary_secondary")
	}
}
