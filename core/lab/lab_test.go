package lab_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"go.uber.org/goleak"

	"pcfailover/core/lab"
	"pcfailover/core/lab/labtest"
	"pcfailover/core/sqlsim"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func startLab(t *testing.T, opts lab.Options) *lab.Lab {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	l, err := lab.Start(ctx, opts)
	if err != nil {
		t.Fatalf("lab.Start(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

func TestEveryScenarioStartsAndAnswers(t *testing.T) {
	for _, sc := range lab.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			l := startLab(t, lab.Options{Scenario: sc.Name})
			s, err := lab.BuiltinScenario(sc.Name)
			if err != nil {
				t.Fatal(err)
			}
			labtest.Check(t, l.Info(), s)
			want := l.Info().Facts.RestoredTransactions
			if s.FailedOver {
				// The failover restored the whole chain; writes followed on the new primary.
				want = l.Info().Facts.FailedOver.BackupTransactions
			}
			if got, ok := l.Instance(lab.RoleBackup).Database("mgc"); !ok || got.Txn != want {
				t.Errorf("backup mgc holds %d transactions, facts say %d", got.Txn, want)
			}
		})
	}
}

func TestLabJSONIsPrivateAndLoadable(t *testing.T) {
	l := startLab(t, lab.Options{Scenario: "clean"})
	info := l.Info()
	path := filepath.Join(info.Dir, lab.InfoFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("lab.json mode %v, want 0600", fi.Mode().Perm())
	}
	loaded, err := lab.Load(info.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Instances[lab.RoleBackup].Address != info.Instances[lab.RoleBackup].Address || loaded.Scenario != "clean" || loaded.PID != 0 {
		t.Errorf("lab.Load = %+v, want the lab's info without a pid", loaded)
	}
	req, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	for _, ii := range info.Instances {
		if strings.Contains(string(req), ii.Password) {
			t.Fatal("the request file contains a password")
		}
	}
	running, err := lab.Running(info.Dir)
	if err != nil || !running {
		t.Errorf("lab.Running = %v, %v; want true while the lab runs", running, err)
	}
	if _, err := lab.Start(context.Background(), lab.Options{Dir: info.Dir, Scenario: "clean"}); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second lab.Start in the same dir: %v, want already running", err)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	l, err := lab.Start(ctx, lab.Options{Dir: dir, Scenario: "planned"})
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Info().Instances[lab.RoleBackup].Address
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, lab.InfoFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lab.json still there after Close: %v", err)
	}
	if running, _ := lab.Running(dir); running {
		t.Error("lab.Running after Close")
	}
	if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Close", addr)
	}
	// The directory can be reused at once (stale files are cleaned).
	l2, err := lab.Start(ctx, lab.Options{Dir: dir, Scenario: "clean"})
	if err != nil {
		t.Fatalf("restart in the same dir: %v", err)
	}
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTLSLabVerifiesTheCertificate(t *testing.T) {
	l := startLab(t, lab.Options{Scenario: "clean", TLS: true})
	info := l.Info()
	bk := info.Instances[lab.RoleBackup]
	if bk.Certificate == "" || !info.TLS {
		t.Fatalf("TLS lab without certificate: %+v", bk)
	}
	var name string
	if err := labtest.Open(t, bk, "master").QueryRow("SELECT @@SERVERNAME").Scan(&name); err != nil {
		t.Fatalf("verified TLS login: %v", err)
	}
	// Without TLS the server refuses (encryption is required).
	plain := bk
	plain.Certificate = ""
	if err := labtest.Open(t, plain, "master").QueryRow("SELECT 1").Scan(new(int)); err == nil {
		t.Error("a lab with TLS accepted an unencrypted login")
	}
	// With another CA the verification fails.
	other := filepath.Join(t.TempDir(), "other.pem")
	l2 := startLab(t, lab.Options{Scenario: "clean", TLS: true})
	data, err := os.ReadFile(l2.Info().Instances[lab.RoleBackup].Certificate)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wrong := bk
	wrong.Certificate = other
	if err := labtest.Open(t, wrong, "master").QueryRow("SELECT 1").Scan(new(int)); err == nil {
		t.Error("TLS verification accepted a certificate signed by another CA")
	}
}

func TestCustomScenarioFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "custom.json")
	doc := `{
	  "name": "custom", "primaryUp": true, "restoreMode": "norecovery",
	  "logs": { "count": 8, "copied": 6, "restored": 2, "transactionsPerLog": 4, "tailTransactions": 3,
	            "sizeBytes": 8192, "interval": "5m", "missing": [4], "truncated": [5], "partial": [7] },
	  "faults": [ { "instance": "backup", "statement": "^RESTORE LOG", "error": 3203, "times": 1 } ],
	  "lync": { "pool": "chat.fabrikam.com", "dataCenters": { "East": ["e1.fabrikam.com"], "West": ["w1.fabrikam.com"] },
	            "primaryDataCenter": "East", "backupDataCenter": "West" }
	}`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := lab.ReadScenarioFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := startLab(t, lab.Options{Dir: filepath.Join(dir, "lab"), ScenarioFile: path})
	info := l.Info()
	labtest.Check(t, info, s)
	if info.Pool != "chat.fabrikam.com" || info.Lync.DataCenters["w1.fabrikam.com"] != "West" {
		t.Errorf("lync = %+v", info.Lync)
	}
	wrk := labtest.Files(t, info.CopyDestination, ".wrk")
	if !wrk[strings.TrimSuffix(info.Facts.Logs[6].Name, ".trn")+".wrk"] {
		t.Errorf("copy folder .wrk files = %v, want the partial copy of log 7", wrk)
	}
}

// scenarioLab starts a lab from a custom scenario document.
func scenarioLab(t *testing.T, doc string) (*lab.Lab, lab.Scenario) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "scenario.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := lab.ReadScenarioFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := startLab(t, lab.Options{Dir: filepath.Join(dir, "lab"), ScenarioFile: path})
	labtest.Check(t, l.Info(), s)
	return l, s
}

// readRequestPathMap returns the ready request's pathMap, and whether the key is there.
func readRequestPathMap(t *testing.T, info lab.Info) ([]struct{ From, To string }, bool) {
	t.Helper()
	data, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatal(err)
	}
	raw, ok := req["pathMap"]
	var pm []struct{ From, To string }
	if ok {
		if err := json.Unmarshal(raw, &pm); err != nil {
			t.Fatal(err)
		}
	}
	return pm, ok
}

// headerOnly runs RESTORE HEADERONLY on an instance over TDS and returns the error.
func headerOnly(ctx context.Context, t *testing.T, ii lab.InstanceInfo, path string) error {
	t.Helper()
	db := labtest.Open(t, ii, "master")
	rows, err := db.QueryContext(ctx, "RESTORE HEADERONLY FROM DISK = @p1", path)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

func TestDefaultLabIsTwoHosts(t *testing.T) {
	l := startLab(t, lab.Options{Scenario: "disaster"})
	info := l.Info()
	if info.SQLPaths.Share != `\\SQLPCPRI\LogShip` || info.SQLPaths.CopyDestination != `E:\LSCopy` {
		t.Errorf("sqlPaths = %+v", info.SQLPaths)
	}
	if want := filepath.Join(info.Dir, "hosts", "SQLPCPRI", "D", "LogShip"); info.Share != want {
		t.Errorf("share = %s, want %s", info.Share, want)
	}
	if want := filepath.Join(info.Dir, "hosts", "SQLPCBAK", "E", "LSCopy"); info.CopyDestination != want {
		t.Errorf("copyDestination = %s, want %s", info.CopyDestination, want)
	}
	for _, old := range []string{"share", "copy", "data", "backups"} {
		if _, err := os.Stat(filepath.Join(info.Dir, old)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("DIR/%s exists: the lab keeps its files under DIR/hosts", old)
		}
	}
	for role, host := range map[string]string{lab.RolePrimary: "SQLPCPRI", lab.RoleBackup: "SQLPCBAK", lab.RoleBackupMirror: "SQLPCBAKMIR"} {
		if info.Instances[role].MachineName != host {
			t.Errorf("%s machineName = %q, want %s", role, info.Instances[role].MachineName, host)
		}
	}
	// The primary's SQL Server is down, its host is not: the share answers.
	ctx := context.Background()
	name := info.Facts.Logs[len(info.Facts.Logs)-1].Name
	if err := headerOnly(ctx, t, info.Instances[lab.RoleBackup], info.SQLPaths.Share+`\`+name); err != nil {
		t.Errorf("HEADERONLY through the share of the primary's host: %v", err)
	}
	if !strings.HasPrefix(info.Facts.ShareFullBackup, info.SQLPaths.Share+`\`) || !strings.HasPrefix(info.Facts.FullBackup, `\\SQLPCPRI\D$\MSSQL\Backup\`) {
		t.Errorf("facts fullBackup %q shareFullBackup %q", info.Facts.FullBackup, info.Facts.ShareFullBackup)
	}
	if err := headerOnly(ctx, t, info.Instances[lab.RoleBackup], info.Facts.ShareFullBackup); err != nil {
		t.Errorf("HEADERONLY of the share's full backup: %v", err)
	}
	// LocalPath finds the files SQL Server names, by share, admin share or drive path.
	for _, c := range []struct{ host, sql string }{
		{"", info.Facts.ShareFullBackup}, {"", info.Facts.FullBackup},
		{"SQLPCBAK", info.SQLPaths.CopyDestination + `\` + info.Facts.Logs[0].Name},
		{"", `\\SQLPCBAK\E$\LSCopy\` + info.Facts.Logs[0].Name},
	} {
		p, err := info.LocalPath(c.host, c.sql)
		if err != nil {
			t.Errorf("LocalPath(%s): %v", c.sql, err)
		} else if _, err := os.Stat(p); err != nil {
			t.Errorf("LocalPath(%s) = %s: %v", c.sql, p, err)
		}
	}
	if _, err := info.LocalPath("", `E:\LSCopy`); err == nil {
		t.Error("LocalPath of a drive path without its host succeeded")
	}
	// Taking the host down at run time makes its share unreachable (53).
	if err := l.Hosts().SetDown("SQLPCPRI", true); err != nil {
		t.Fatal(err)
	}
	err := headerOnly(ctx, t, info.Instances[lab.RoleBackup], info.SQLPaths.Share+`\`+name)
	if nums := sqlErrorNumbers(err); len(nums) != 2 || nums[0] != 3201 || !strings.Contains(err.Error(), "Operating system error 53(The network path was not found.)") {
		t.Errorf("HEADERONLY with SQLPCPRI down: %v (%v), want 3201 with operating system error 53", err, nums)
	}
}

func TestScenarioOptionCopyFolderShare(t *testing.T) {
	l, _ := scenarioLab(t, `{"name": "copyshare", "copyFolderShare": true, "logs": {"count": 4, "copied": 3, "restored": 1}}`)
	info := l.Info()
	if info.SQLPaths.CopyDestination != `\\SQLPCBAK\LSCopy` {
		t.Fatalf("sqlPaths.copyDestination = %q, want the UNC share", info.SQLPaths.CopyDestination)
	}
	if want := filepath.Join(info.Dir, "hosts", "SQLPCBAK", "E", "LSCopy"); info.CopyDestination != want {
		t.Errorf("copyDestination = %s, want %s (the shared E:\\LSCopy)", info.CopyDestination, want)
	}
	// The same file by the share and by the backup host's own drive path.
	name := info.Facts.Logs[2].Name
	for _, p := range []string{info.SQLPaths.CopyDestination + `\` + name, `E:\LSCopy\` + name} {
		if err := headerOnly(context.Background(), t, info.Instances[lab.RoleBackup], p); err != nil {
			t.Errorf("HEADERONLY %s: %v", p, err)
		}
	}
	pm, _ := readRequestPathMap(t, info)
	found := false
	for _, e := range pm {
		found = found || e.From == info.SQLPaths.CopyDestination && e.To == info.CopyDestination
	}
	if !found {
		t.Errorf("request pathMap %v does not map the copy share", pm)
	}
}

func TestScenarioOptionToolOnBackupHost(t *testing.T) {
	l, _ := scenarioLab(t, `{"name": "onhost", "toolOnBackupHost": true, "logs": {"count": 3, "copied": 2, "restored": 1}}`)
	info := l.Info()
	pm, _ := readRequestPathMap(t, info)
	got := map[string]string{}
	for _, e := range pm {
		got[e.From] = e.To
	}
	for _, d := range []string{"C", "D", "E"} {
		if got[d+`:\`] != filepath.Join(info.HostsDir, "SQLPCBAK", d) {
			t.Errorf("pathMap %s:\\ -> %q", d, got[d+`:\`])
		}
		if _, ok := got[`\\SQLPCBAK\`+d+"$"]; ok {
			t.Errorf("pathMap still maps SQLPCBAK's admin share %s$", d)
		}
	}
	if got[`\\SQLPCPRI\LogShip`] != info.Share || got[`\\SQLPCPRI\D$`] != filepath.Join(info.HostsDir, "SQLPCPRI", "D") {
		t.Errorf("pathMap for the primary host: %v", got)
	}
}

func TestScenarioOptionNoPathMap(t *testing.T) {
	l, _ := scenarioLab(t, `{"name": "nomap", "pathMap": "none", "logs": {"count": 3, "copied": 2, "restored": 1}}`)
	if pm, ok := readRequestPathMap(t, l.Info()); ok {
		t.Errorf("request has pathMap %v, want none", pm)
	}
}

// wantOpenError checks that RESTORE HEADERONLY of path on inst fails with 3201 "Cannot
// open backup device" naming path and operating system error oserr ("N(text)"), then 3013.
func wantOpenError(ctx context.Context, t *testing.T, inst lab.InstanceInfo, path, oserr string) {
	t.Helper()
	err := headerOnly(ctx, t, inst, path)
	want := "Cannot open backup device '" + path + "'. Operating system error " + oserr + "."
	var me mssql.Error
	if nums := sqlErrorNumbers(err); len(nums) != 2 || nums[0] != 3201 || nums[1] != 3013 || !errors.As(err, &me) || me.All[0].Message != want {
		t.Errorf("HEADERONLY %s: %v (%v), want 3201 %q then 3013", path, err, nums, want)
	}
}

func TestScenarioOptionShareHostDown(t *testing.T) {
	l, _ := scenarioLab(t, `{"name": "hostdown", "shareHostDown": true, "logs": {"count": 5, "copied": 3, "restored": 1}}`)
	info := l.Info()
	if !l.Hosts().Down("SQLPCPRI") {
		t.Fatal("SQLPCPRI is up")
	}
	ctx := context.Background()
	wantOpenError(ctx, t, info.Instances[lab.RoleBackup], info.SQLPaths.Share+`\`+info.Facts.Logs[4].Name, "53(The network path was not found.)")
	// This machine does not reach the share's folder either; the copies on the backup
	// host are still there.
	if _, err := os.Stat(info.Share); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the share's folder %s is reachable with its host down: %v", info.Share, err)
	}
	if err := headerOnly(ctx, t, info.Instances[lab.RoleBackup], info.SQLPaths.CopyDestination+`\`+info.Facts.Logs[2].Name); err != nil {
		t.Errorf("HEADERONLY of a copied log: %v", err)
	}
}

func TestScenarioOptionShareAccessDenied(t *testing.T) {
	l, _ := scenarioLab(t, `{"name": "denied", "shareAccessDenied": true, "logs": {"count": 5, "copied": 3, "restored": 1}}`)
	info := l.Info()
	ctx := context.Background()
	wantOpenError(ctx, t, info.Instances[lab.RoleBackup], info.SQLPaths.Share+`\`+info.Facts.Logs[4].Name, "5(Access is denied.)")
	// This machine (an administrator) still reads the share's folder.
	if _, err := os.Stat(filepath.Join(info.Share, info.Facts.Logs[4].Name)); err != nil {
		t.Errorf("this machine cannot read the share: %v", err)
	}
}

func TestInvalidOptions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts lab.Options
		want string
	}{
		{"no dir", lab.Options{Scenario: "clean"}, "directory is required"},
		{"unknown scenario", lab.Options{Dir: t.TempDir(), Scenario: "flood"}, "unknown scenario"},
		{"both", lab.Options{Dir: t.TempDir(), Scenario: "clean", ScenarioFile: "x.json"}, "not both"},
		{"missing file", lab.Options{Dir: t.TempDir(), ScenarioFile: filepath.Join(t.TempDir(), "none.json")}, "read scenario"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lab.Start(ctx, tt.opts)
			if err == nil || !errors.Is(err, lab.ErrUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a usage error with %q", err, tt.want)
			}
		})
	}
}

// TestTheChainBreaksWhereTheScenarioSays applies, over TCP, every unrestored log backup in
// order as the failover would (after ending the application sessions as the runbook
// does), and checks that the simulator stops exactly where the scenario broke the chain,
// with SQL Server's error, and that the database then holds the chain's transactions.
func TestTheChainBreaksWhereTheScenarioSays(t *testing.T) {
	tests := []struct {
		scenario string
		breakAt  int   // log backup number whose restore fails; 0: none
		want     int32 // its error number (followed by 3013)
	}{
		{"disaster", 0, 0},
		{"planned", 0, 0},
		{"gap", 8, 4305},
		{"corrupt", 6, 3183},
		{"clean", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			l := startLab(t, lab.Options{Scenario: tt.scenario})
			info := l.Info()
			ctx := context.Background()
			bk := labtest.Open(t, info.Instances[lab.RoleBackup], "master")
			bk.SetMaxOpenConns(1) // one session: the one that restores
			rows, err := bk.QueryContext(ctx, "SELECT session_id FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@p1) AND is_user_process = 1", info.Database)
			if err != nil {
				t.Fatal(err)
			}
			var spids []int
			for rows.Next() {
				var id int
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				spids = append(spids, id)
			}
			rows.Close()
			if len(spids) != len(info.Facts.Sessions) {
				t.Fatalf("sessions %v, facts %v", spids, info.Facts.Sessions)
			}
			for _, id := range spids {
				if _, err := bk.ExecContext(ctx, "KILL "+strconv.Itoa(id)); err != nil {
					t.Fatalf("KILL %d: %v", id, err)
				}
			}
			broke := 0
			for _, lf := range info.Facts.Logs {
				if lf.Restored || lf.Missing {
					continue
				}
				// SQL Server reads the files by its own (Windows) paths.
				dir := info.SQLPaths.Share
				if lf.InCopy {
					dir = info.SQLPaths.CopyDestination
				}
				_, err := bk.ExecContext(ctx, "RESTORE LOG [mgc] FROM DISK = @p1 WITH NORECOVERY", dir+`\`+lf.Name)
				if lf.Number == tt.breakAt {
					nums := sqlErrorNumbers(err)
					if len(nums) < 2 || nums[0] != tt.want || nums[len(nums)-1] != 3013 {
						t.Fatalf("restore of log backup %d: %v (numbers %v), want %d then 3013", lf.Number, err, nums, tt.want)
					}
					broke = lf.Number
					break
				}
				if err != nil {
					t.Fatalf("restore of log backup %d (%s): %v", lf.Number, lf.Name, err)
				}
			}
			if broke != tt.breakAt {
				t.Fatalf("the chain broke at %d, want %d", broke, tt.breakAt)
			}
			got, _ := l.Instance(lab.RoleBackup).Database("mgc")
			if got.Txn != info.Facts.ChainTransactions {
				t.Errorf("after the chain the backup holds %d transactions, facts say %d", got.Txn, info.Facts.ChainTransactions)
			}
			if tt.breakAt == 0 {
				if _, err := bk.ExecContext(ctx, "RESTORE DATABASE [mgc] WITH RECOVERY"); err != nil {
					t.Fatalf("recovery: %v", err)
				}
				var state string
				if err := bk.QueryRowContext(ctx, "SELECT state_desc FROM sys.databases WHERE name = 'mgc'").Scan(&state); err != nil || state != "ONLINE" {
					t.Errorf("after recovery mgc is %q (%v), want ONLINE", state, err)
				}
				s, _ := lab.BuiltinScenario(tt.scenario)
				s = s.WithDefaults()
				if lost := info.Facts.PrimaryTransactions - got.Txn; lost != int64(*s.Logs.TailTransactions) {
					t.Errorf("%d transactions lost, want the %d of the tail", lost, *s.Logs.TailTransactions)
				}
			}
		})
	}
}

func sqlErrorNumbers(err error) []int32 {
	var me mssql.Error
	if !errors.As(err, &me) {
		return nil
	}
	var out []int32
	for _, e := range me.All {
		out = append(out, e.Number)
	}
	return out
}

// TestLogBackupsCarrySizeBytes: a scenario's logs.sizeBytes is the payload of each log
// backup it writes (the simulator adds one share for the backup's own log records, so
// the lab spreads sizeBytes over transactionsPerLog+1), not half as much again.
func TestLogBackupsCarrySizeBytes(t *testing.T) {
	l, _ := scenarioLab(t, `{
	  "name": "sized", "primaryUp": true, "restoreMode": "norecovery",
	  "logs": { "count": 4, "copied": 4, "restored": 1, "transactionsPerLog": 2, "sizeBytes": 300000, "interval": "5m" }
	}`)
	info := l.Info()
	for _, lf := range info.Facts.Logs {
		h, err := sqlsim.ReadBackupHeader(filepath.Join(info.Share, lf.Name))
		if err != nil {
			t.Fatal(err)
		}
		if h.PayloadSize != 300000 {
			t.Errorf("log %d (%s) carries %d bytes of payload, want sizeBytes 300000", lf.Number, lf.Name, h.PayloadSize)
		}
	}
}
