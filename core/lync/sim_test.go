package lync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"pcfailover/core/failover"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/pshost"
)

// One pwsh with LyncSim serves every test of the package (tests run one at a time): each
// test writes a fresh LyncSim state file at the same path.
var sim struct {
	host  *pshost.Host
	state string
	dir   string // removed when the tests end
	why   string // why there is no host
}

func TestMain(m *testing.M) {
	code := runTests(m)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pcfailover-lync-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	sim.dir = dir
	sim.state = filepath.Join(dir, "state.json")
	if pwsh := findPwsh(); pwsh == "" {
		sim.why = "pwsh not found (on PATH or in ~/.dotnet/tools)"
	} else if mod, err := filepath.Abs(filepath.Join("..", "..", "module", "LyncSim", "LyncSim.psd1")); err != nil {
		sim.why = err.Error()
	} else {
		sim.host, err = pshost.New(pshost.Config{Executable: pwsh, Modules: []string{mod}, AllowedCommands: Commands(),
			Env: []string{"LYNCSIM_STATE=" + sim.state}, DefaultTimeout: time.Minute})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer sim.host.Close()
		_ = sim.host.Start(context.Background()) // warm up while the unit tests run
	}
	return m.Run()
}

func findPwsh() string {
	if p, err := exec.LookPath("pwsh"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".dotnet", "tools", "pwsh")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// simEnv is one test's LyncSim state and request.
type simEnv struct {
	t   *testing.T
	req *request.Request
}

// newSim writes a fresh state (module/LyncSim/examples/state.json: pool pchat.contoso.com,
// pc1-pc2 in DC1, pc3-pc4 in DC2, stores sql1 (primary), sql1m, sql2 (backup), sql2m) with
// the primary site's SQL Servers offline (a disaster), after mutate.
func newSim(t *testing.T, mutate func(st map[string]any)) *simEnv {
	t.Helper()
	if sim.host == nil {
		t.Skip(sim.why)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "module", "LyncSim", "examples", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	for _, s := range st["sqlServers"].([]any) {
		if sq := s.(map[string]any); strings.HasPrefix(sq["fqdn"].(string), "sql1") {
			sq["online"] = false
		}
	}
	if mutate != nil {
		mutate(st)
	}
	writeJSON(t, sim.state, st)
	return &simEnv{t: t, req: &request.Request{
		PoolFQDN: "pchat.contoso.com", Database: "mgc", RunDirectory: t.TempDir(),
		BackupSQLInstance:       &request.SQLInstance{Server: "127.0.0.1", Port: 14331},
		BackupMirrorSQLInstance: &request.SQLInstance{Server: "sql2m.contoso.com"},
		Lync: &request.Lync{
			ActiveServers:    []string{"pc3.contoso.com", "pc4.contoso.com"},
			DataCenters:      map[string]string{"pc1.contoso.com": "DC1", "pc2.contoso.com": "DC1", "pc3.contoso.com": "DC2", "pc4.contoso.com": "DC2"},
			BackupDataCenter: "DC2",
			MirrorFileShare:  `\\fs.contoso.com\pchatmirror`,
		},
	}}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// runner returns a Runner on the shared host, closed when the test ends.
func (e *simEnv) runner(mod func(*Config)) *Runner {
	e.t.Helper()
	cfg := Config{Request: e.req, Host: sim.host}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { r.Close() })
	return r
}

// simState is the part of the LyncSim state file the tests check.
type simState struct {
	PersistentChatPools []struct {
		PoolState     string   `json:"poolState"`
		ActiveServers []string `json:"activeServers"`
	} `json:"persistentChatPools"`
	Mirrors []struct {
		DatabaseName string `json:"databaseName"`
		Principal    struct {
			SQLServerFqdn string `json:"sqlServerFqdn"`
		} `json:"principal"`
		Mirror struct {
			SQLServerFqdn string `json:"sqlServerFqdn"`
		} `json:"mirror"`
		FileShare string `json:"fileShare"`
	} `json:"mirrors"`
	Faults  []map[string]any `json:"faults"`
	CallLog []struct {
		Cmdlet     string         `json:"cmdlet"`
		Parameters map[string]any `json:"parameters"`
		Outcome    string         `json:"outcome"`
	} `json:"callLog"`
}

func readSim(t *testing.T) simState {
	t.Helper()
	data, err := os.ReadFile(sim.state)
	if err != nil {
		t.Fatal(err)
	}
	var st simState
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// calls counts the call-log entries of a cmdlet.
func (st simState) calls(cmdlet string) int {
	n := 0
	for _, c := range st.CallLog {
		if strings.EqualFold(c.Cmdlet, cmdlet) {
			n++
		}
	}
	return n
}

// mutating counts the Set-*/Install-*/Uninstall-* calls.
func (st simState) mutating() int {
	n := 0
	for _, c := range st.CallLog {
		if strings.HasPrefix(c.Cmdlet, "Set-") || strings.HasPrefix(c.Cmdlet, "Install-") || strings.HasPrefix(c.Cmdlet, "Uninstall-") {
			n++
		}
	}
	return n
}

func (st simState) mirroredBackup() bool {
	for _, m := range st.Mirrors {
		if m.DatabaseName == "mgc" && m.Principal.SQLServerFqdn == "sql2.contoso.com" && m.Mirror.SQLServerFqdn == "sql2m.contoso.com" {
			return true
		}
	}
	return false
}

// addFault appends a LyncSim fault (module/LyncSim/README.md, "Faults").
func addFault(t *testing.T, cmdlet, when string) {
	t.Helper()
	data, err := os.ReadFile(sim.state)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	st["faults"] = append(st["faults"].([]any), map[string]any{"cmdlet": cmdlet, "times": 1, "when": when,
		"message": "Cannot connect to the Central Management store.", "errorId": "CmsWriteTimeout", "category": "OperationTimeout", "hangSeconds": 0, "triggered": 0})
	writeJSON(t, sim.state, st)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustRun(t *testing.T, r *Runner, id, want string) *report.Step {
	t.Helper()
	s, err := r.Run(ctxT(t), id)
	if err != nil {
		t.Fatalf("%s: %v (step %+v)", id, err, s)
	}
	if s.Status != want {
		t.Fatalf("%s: status %s, want %s (%s)", id, s.Status, want, s.Detail)
	}
	return s
}

func statementTexts(s *report.Step) string {
	var b strings.Builder
	for _, st := range s.Statements {
		if st.Kind != "cmdlet" || st.Target != "lync" {
			b.WriteString("BAD KIND ")
		}
		b.WriteString(st.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestPoolStateSetAndReadBack(t *testing.T) {
	e := newSim(t, nil)
	r := e.runner(nil)
	s := mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	st := readSim(t)
	if st.PersistentChatPools[0].PoolState != "FailedOver" {
		t.Fatalf("LyncSim pool state %s", st.PersistentChatPools[0].PoolState)
	}
	if n := st.calls(cmdSetState); n != 1 {
		t.Fatalf("%d Set-CsPersistentChatState calls", n)
	}
	want := `Set-CsPersistentChatState -Identity 'service:PersistentChatServer:pchat.contoso.com' -PoolState FailedOver -Confirm:$false`
	if got := statementTexts(s); !strings.Contains(got, want+"\n") || !strings.Contains(got, "Get-CsPersistentChatState -Identity") {
		t.Fatalf("statements:\n%s", got)
	}
	if s.RunbookStep != 5 || s.Name == "" {
		t.Fatalf("step %+v", s)
	}
	// A second run (a re-run of the request) observes it and changes nothing.
	before := st.mutating()
	s = mustRun(t, e.runner(nil), failover.StepLyncPoolState, report.StatusAlreadyDone)
	if after := readSim(t).mutating(); after != before {
		t.Fatalf("re-run made %d mutating calls", after-before)
	}
	if strings.Contains(statementTexts(s), cmdSetState) {
		t.Fatalf("already-done step lists Set-CsPersistentChatState:\n%s", statementTexts(s))
	}
}

// A deployment that accepts only the PersistentChatServer:<fqdn> form: the identity
// Get-CsPersistentChatState returns (service:PersistentChatServer:...) does not resolve,
// so the Get-CsService identity is used, never a built prefix.
func TestPoolStateIdentityFromGetCsService(t *testing.T) {
	e := newSim(t, func(st map[string]any) {
		st["options"].(map[string]any)["stateIdentityForms"] = []string{"PersistentChatServer:{fqdn}"}
	})
	s := mustRun(t, e.runner(nil), failover.StepLyncPoolState, report.StatusDone)
	if !strings.Contains(statementTexts(s), `Set-CsPersistentChatState -Identity 'PersistentChatServer:pchat.contoso.com' -PoolState FailedOver`) {
		t.Fatalf("statements:\n%s", statementTexts(s))
	}
	if readSim(t).PersistentChatPools[0].PoolState != "FailedOver" {
		t.Fatal("not FailedOver")
	}
}

func TestPoolStateUnknownPoolIsBlocked(t *testing.T) {
	e := newSim(t, nil)
	e.req.PoolFQDN = "nochat.contoso.com"
	s, err := e.runner(nil).Run(ctxT(t), failover.StepLyncPoolState)
	if !errors.Is(err, failover.ErrBlocked) || s.Status != report.StatusBlocked || !strings.Contains(err.Error(), "not a Persistent Chat pool") {
		t.Fatalf("err %v, step %+v", err, s)
	}
	if readSim(t).mutating() != 0 {
		t.Fatal("a mutating cmdlet ran")
	}
}

func TestPoolStateLocalStoreWaitsForReplication(t *testing.T) {
	e := newSim(t, func(st map[string]any) {
		st["centralManagementStore"].(map[string]any)["replicationDelaySeconds"] = 1
	})
	r := e.runner(func(c *Config) { c.VerifyLocalStore = true; c.LocalStoreWait = time.Minute })
	r.poll = 200 * time.Millisecond
	s := mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	if !strings.Contains(s.Detail, "local replica") || !strings.Contains(statementTexts(s), "-LocalStore") {
		t.Fatalf("detail %q\n%s", s.Detail, statementTexts(s))
	}
	// Replication that does not arrive in time fails the step with what to do.
	e = newSim(t, func(st map[string]any) {
		st["centralManagementStore"].(map[string]any)["replicationDelaySeconds"] = 600
	})
	_, err := e.runner(func(c *Config) { c.VerifyLocalStore = true; c.LocalStoreWait = time.Millisecond }).Run(ctxT(t), failover.StepLyncPoolState)
	if err == nil || !strings.Contains(err.Error(), "local replica still shows Normal") {
		t.Fatalf("err %v", err)
	}
}

// A failing Set-CsPersistentChatState (no effect) fails the step after one call: it is
// not retried; the next run finishes.
func TestPoolStateFaultNotRetried(t *testing.T) {
	e := newSim(t, nil)
	addFault(t, cmdSetState, "before")
	s, err := e.runner(nil).Run(ctxT(t), failover.StepLyncPoolState)
	if err == nil || errors.Is(err, failover.ErrBlocked) || s.Status != report.StatusFailed {
		t.Fatalf("err %v, step %+v", err, s)
	}
	if !strings.Contains(err.Error(), "CmsWriteTimeout") || !strings.Contains(err.Error(), "still Normal") || !strings.Contains(err.Error(), "run the same request again") {
		t.Fatalf("message does not say what happened and what to do: %v", err)
	}
	if n := readSim(t).calls(cmdSetState); n != 1 {
		t.Fatalf("%d Set-CsPersistentChatState calls, want 1", n)
	}
	mustRun(t, e.runner(nil), failover.StepLyncPoolState, report.StatusDone)
	if n := readSim(t).calls(cmdSetState); n != 2 {
		t.Fatalf("%d Set-CsPersistentChatState calls after the re-run, want 2", n)
	}
}

// A Set-CsPersistentChatState that takes effect and then fails is read back: done, once.
func TestPoolStateFaultAfterEffectIsReadBack(t *testing.T) {
	e := newSim(t, nil)
	addFault(t, cmdSetState, "after")
	s := mustRun(t, e.runner(nil), failover.StepLyncPoolState, report.StatusDone)
	if !strings.Contains(s.Detail, "its effect is there") {
		t.Fatalf("detail %q", s.Detail)
	}
	if n := readSim(t).calls(cmdSetState); n != 1 {
		t.Fatalf("%d calls", n)
	}
}

func TestMirrorInstalledWithReportInRunDirectory(t *testing.T) {
	e := newSim(t, nil)
	r := e.runner(nil)
	mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	s := mustRun(t, r, failover.StepLyncMirror, report.StatusDone)
	st := readSim(t)
	if !st.mirroredBackup() {
		t.Fatalf("LyncSim mirrors %+v", st.Mirrors)
	}
	if n := st.calls(cmdInstallMirror); n != 1 {
		t.Fatalf("%d Install-CsMirrorDatabase calls", n)
	}
	reports, _ := filepath.Glob(filepath.Join(e.req.RunDirectory, "lync", "Install-CsMirrorDatabase-*.html"))
	if len(reports) != 1 || !strings.Contains(s.Detail, reports[0]) {
		t.Fatalf("reports %v, detail %q", reports, s.Detail)
	}
	b, _ := os.ReadFile(reports[0])
	if !strings.Contains(string(b), "completed") {
		t.Fatalf("report:\n%s", b)
	}
	txt := statementTexts(s)
	if !strings.Contains(txt, `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql2.contoso.com' -SqlInstanceName 'rtc' -FileShare '\\fs.contoso.com\pchatmirror' -Report '`) ||
		!strings.Contains(txt, `-Confirm:$false`) || !strings.Contains(txt, "Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com'") {
		t.Fatalf("statements:\n%s", txt)
	}
	// Re-run: already mirrored, no further Install.
	mustRun(t, e.runner(nil), failover.StepLyncMirror, report.StatusAlreadyDone)
	if n := readSim(t).calls(cmdInstallMirror); n != 1 {
		t.Fatalf("%d Install calls after the re-run", n)
	}
}

// Install-CsMirrorDatabase prompts (ref §1.8): without -Confirm:$false it fails in the
// host and installs nothing, which is why the step always passes it.
func TestInstallMirrorWithoutConfirmFails(t *testing.T) {
	e := newSim(t, nil)
	r := e.runner(nil)
	mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	res, err := sim.host.Invoke(ctxT(t), pshost.Command{Name: cmdInstallMirror, Parameters: []pshost.Parameter{
		{Name: "DatabaseType", Value: pshost.String("PersistentChat")}, {Name: "SqlServerFqdn", Value: pshost.String("sql2.contoso.com")},
		{Name: "SqlInstanceName", Value: pshost.String("rtc")}, {Name: "FileShare", Value: pshost.String(`\\fs.contoso.com\pchatmirror`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err(cmdInstallMirror) == nil {
		t.Fatal("Install-CsMirrorDatabase without -Confirm:$false succeeded")
	}
	if readSim(t).mirroredBackup() {
		t.Fatal("the prompting call installed the mirror")
	}
	mustRun(t, r, failover.StepLyncMirror, report.StatusDone)
	st := readSim(t)
	last := st.CallLog[len(st.CallLog)-2] // the Install (the last entry is the read-back)
	if last.Cmdlet != cmdInstallMirror || last.Parameters["Confirm"] != false || last.Outcome != "ok" {
		t.Fatalf("last Install call %+v", last)
	}
}

func TestMirrorFaultNotRetriedThenRerunFinishes(t *testing.T) {
	e := newSim(t, nil)
	mustRun(t, e.runner(nil), failover.StepLyncPoolState, report.StatusDone)
	addFault(t, cmdInstallMirror, "before")
	s, err := e.runner(nil).Run(ctxT(t), failover.StepLyncMirror)
	if err == nil || s.Status != report.StatusFailed || !strings.Contains(err.Error(), "Not retried") {
		t.Fatalf("err %v, step %+v", err, s)
	}
	if n := readSim(t).calls(cmdInstallMirror); n != 1 {
		t.Fatalf("%d Install calls, want 1", n)
	}
	mustRun(t, e.runner(nil), failover.StepLyncMirror, report.StatusDone)
	if !readSim(t).mirroredBackup() {
		t.Fatal("not mirrored after the re-run")
	}
}

// Without a usable mirror file share, step 5 refuses to change the pool (the run would
// otherwise stop at step 6 with the pool FailedOver and no server active).
func TestMirrorNeedsAFileShare(t *testing.T) {
	e := newSim(t, nil)
	e.req.Lync.MirrorFileShare = ""
	e.req.Share = "/srv/logship" // not UNC: not usable for the mirror
	s, err := e.runner(nil).Run(ctxT(t), failover.StepLyncPoolState)
	if !errors.Is(err, failover.ErrBlocked) || s.Status != report.StatusBlocked || !strings.Contains(err.Error(), "step 6: Install-CsMirrorDatabase needs -FileShare") ||
		!strings.Contains(err.Error(), "lync.mirrorFileShare") {
		t.Fatalf("err %v", err)
	}
	if st := readSim(t); st.mutating() != 0 || st.PersistentChatPools[0].PoolState != "Normal" {
		t.Fatalf("%d mutating calls, state %s", st.mutating(), st.PersistentChatPools[0].PoolState)
	}
	// The log-shipping share, when it is a UNC path, serves.
	e.req.Share = `\\fs.contoso.com\logship`
	r := e.runner(nil)
	mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	s = mustRun(t, r, failover.StepLyncMirror, report.StatusDone)
	if !strings.Contains(statementTexts(s), `-FileShare '\\fs.contoso.com\logship'`) {
		t.Fatal(statementTexts(s))
	}
}

func TestMirrorNotInTopologyIsBlocked(t *testing.T) {
	e := newSim(t, func(st map[string]any) {
		st["persistentChatPools"].([]any)[0].(map[string]any)["stores"].(map[string]any)["backupMirror"] = nil
	})
	steps, err := e.runner(nil).Plan(ctxT(t))
	if err != nil || steps[1].Status != report.StatusBlocked || !strings.Contains(steps[1].Detail, "defines no mirror for the backup store sql2.contoso.com\\rtc") {
		t.Fatalf("plan %v %+v", err, steps[1])
	}
	_, err = e.runner(nil).Run(ctxT(t), failover.StepLyncPoolState)
	if !errors.Is(err, failover.ErrBlocked) || !strings.Contains(err.Error(), "step 6: the topology defines no mirror") {
		t.Fatalf("err %v", err)
	}
	if readSim(t).mutating() != 0 {
		t.Fatal("a mutating cmdlet ran")
	}
}

func TestActiveServersSetAndReadBack(t *testing.T) {
	e := newSim(t, nil)
	r := e.runner(nil)
	mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	s := mustRun(t, r, failover.StepLyncActiveServers, report.StatusDone)
	st := readSim(t)
	if got := strings.Join(st.PersistentChatPools[0].ActiveServers, ","); got != "pc3.contoso.com,pc4.contoso.com" {
		t.Fatalf("active servers %s", got)
	}
	if !strings.Contains(statementTexts(s), `Set-CsPersistentChatActiveServer -Identity 'PersistentChatServer:pchat.contoso.com' -ActiveServers @{Replace='pc3.contoso.com','pc4.contoso.com'} -Confirm:$false`) ||
		!strings.Contains(s.Detail, "pc1.contoso.com, pc2.contoso.com -> pc3.contoso.com, pc4.contoso.com") {
		t.Fatalf("detail %q\n%s", s.Detail, statementTexts(s))
	}
	mustRun(t, e.runner(nil), failover.StepLyncActiveServers, report.StatusAlreadyDone)
	if n := readSim(t).calls(cmdSetActive); n != 1 {
		t.Fatalf("%d Set-CsPersistentChatActiveServer calls", n)
	}
}

func TestActiveServersOutsideTheDataCenterRefused(t *testing.T) {
	e := newSim(t, nil)
	e.req.Lync.ActiveServers = []string{"pc1.contoso.com", "pc3.contoso.com"}
	// Checked before step 5 changes anything...
	s, err := e.runner(nil).Run(ctxT(t), failover.StepLyncPoolState)
	if !errors.Is(err, failover.ErrBlocked) || s.Status != report.StatusBlocked || !strings.Contains(err.Error(), "step 7: pc1.contoso.com is in DC1") {
		t.Fatalf("err %v, step %+v", err, s)
	}
	if st := readSim(t); st.mutating() != 0 || st.PersistentChatPools[0].PoolState != "Normal" {
		t.Fatalf("%d mutating calls, state %s", st.mutating(), st.PersistentChatPools[0].PoolState)
	}
	// ...and by step 7 itself (here the pool was failed over with the right list first).
	e.req.Lync.ActiveServers = []string{"pc3.contoso.com"}
	mustRun(t, e.runner(nil), failover.StepLyncPoolState, report.StatusDone)
	e.req.Lync.ActiveServers = []string{"pc1.contoso.com", "pc3.contoso.com"}
	s, err = e.runner(nil).Run(ctxT(t), failover.StepLyncActiveServers)
	if !errors.Is(err, failover.ErrBlocked) || s.Status != report.StatusBlocked ||
		!strings.Contains(err.Error(), "pc1.contoso.com is in DC1, not in the new primary's data center DC2") || !strings.Contains(err.Error(), "allowCrossDataCenter") {
		t.Fatalf("err %v, step %+v", err, s)
	}
	if n := readSim(t).calls(cmdSetActive); n != 0 {
		t.Fatalf("%d Set-CsPersistentChatActiveServer calls", n)
	}
	// The operator's override.
	e.req.Lync.AllowCrossDataCenter = true
	s = mustRun(t, e.runner(nil), failover.StepLyncActiveServers, report.StatusDone)
	if !strings.Contains(s.Detail, "allowed by lync.allowCrossDataCenter") {
		t.Fatalf("detail %q", s.Detail)
	}
}

// Active servers are only set once the pool uses the backup database.
func TestActiveServersNeedFailedOver(t *testing.T) {
	e := newSim(t, nil)
	_, err := e.runner(nil).Run(ctxT(t), failover.StepLyncActiveServers)
	if err == nil || !strings.Contains(err.Error(), "still Normal") {
		t.Fatalf("err %v", err)
	}
	if readSim(t).mutating() != 0 {
		t.Fatal("a mutating cmdlet ran")
	}
}

func TestActiveServersFaultNotRetried(t *testing.T) {
	e := newSim(t, nil)
	mustRun(t, e.runner(nil), failover.StepLyncPoolState, report.StatusDone)
	addFault(t, cmdSetActive, "before")
	if _, err := e.runner(nil).Run(ctxT(t), failover.StepLyncActiveServers); err == nil {
		t.Fatal("no error")
	}
	if n := readSim(t).calls(cmdSetActive); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	mustRun(t, e.runner(nil), failover.StepLyncActiveServers, report.StatusDone)
}

func TestPlanChangesNothing(t *testing.T) {
	e := newSim(t, nil)
	steps, err := e.runner(nil).Plan(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 3 {
		t.Fatalf("%d steps", len(steps))
	}
	want := map[string][]string{
		failover.StepLyncPoolState:     {`Set-CsPersistentChatState -Identity 'service:PersistentChatServer:pchat.contoso.com' -PoolState FailedOver -Confirm:$false`},
		failover.StepLyncMirror:        {`Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql2.contoso.com' -SqlInstanceName 'rtc' -FileShare '\\fs.contoso.com\pchatmirror'`, `-Confirm:$false`},
		failover.StepLyncActiveServers: {`Set-CsPersistentChatActiveServer -Identity 'PersistentChatServer:pchat.contoso.com' -ActiveServers @{Replace='pc3.contoso.com','pc4.contoso.com'} -Confirm:$false`},
	}
	for _, s := range steps {
		if s.Status != report.StatusPlanned {
			t.Errorf("%s: %s (%s)", s.ID, s.Status, s.Detail)
		}
		for _, w := range want[s.ID] {
			if !strings.Contains(statementTexts(s), w) {
				t.Errorf("%s statements lack %s:\n%s", s.ID, w, statementTexts(s))
			}
		}
	}
	st := readSim(t)
	if st.mutating() != 0 || st.PersistentChatPools[0].PoolState != "Normal" {
		t.Fatalf("plan changed something: %d mutating calls, state %s", st.mutating(), st.PersistentChatPools[0].PoolState)
	}
	// Plan after the failover: everything already done.
	r := e.runner(nil)
	for _, id := range []string{failover.StepLyncPoolState, failover.StepLyncMirror, failover.StepLyncActiveServers} {
		mustRun(t, r, id, report.StatusDone)
	}
	steps, err = e.runner(nil).Plan(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.Status != report.StatusAlreadyDone {
			t.Errorf("%s: %s (%s)", s.ID, s.Status, s.Detail)
		}
	}
	// Plan shows a refused active-server list as blocked.
	e.req.Lync.ActiveServers = []string{"pc2.contoso.com"}
	steps, _ = e.runner(nil).Plan(ctxT(t))
	if s := steps[2]; s.Status != report.StatusBlocked || !strings.Contains(s.Detail, "pc2.contoso.com is in DC1") {
		t.Errorf("%s: %s (%s)", s.ID, s.Status, s.Detail)
	}
}

// Without lync.module the host tries SkypeForBusiness, then Lync; neither exists here, so
// the steps report what to do instead of running.
func TestModuleDetectionFailureReported(t *testing.T) {
	pwsh := findPwsh()
	if pwsh == "" {
		t.Skip("pwsh not found")
	}
	if testing.Short() {
		t.Skip("starts two PowerShell processes")
	}
	req := &request.Request{PoolFQDN: "pchat.contoso.com", Database: "mgc", RunDirectory: t.TempDir(), Lync: &request.Lync{}}
	r, err := New(Config{Request: req, Executable: pwsh})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	steps, err := r.Plan(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if s := steps[0]; s.Status != report.StatusBlocked || !strings.Contains(s.Detail, "import the Lync module") ||
		!strings.Contains(s.Detail, "SkypeForBusiness") || !strings.Contains(s.Detail, "Lync") || !strings.Contains(s.Detail, "lync.module") {
		t.Fatalf("%+v", s)
	}
	if _, err := r.Run(ctxT(t), failover.StepLyncPoolState); err == nil || errors.Is(err, failover.ErrBlocked) {
		t.Fatalf("run: %v", err)
	}
}

// Request data reaches the cmdlets as values, never as script text (architecture.md
// invariant 4): a file share full of PowerShell syntax arrives verbatim.
func TestHostileValueReachesTheCmdletUnchanged(t *testing.T) {
	e := newSim(t, nil)
	hostile := "\\\\fs.contoso.com\\share'; Remove-Item -Recurse C:\\ # $(whoami) `n \u2018x\u2019 \u201b; \"y\"\n;exit"
	e.req.Lync.MirrorFileShare = hostile
	r := e.runner(nil)
	mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	s := mustRun(t, r, failover.StepLyncMirror, report.StatusDone)
	st := readSim(t)
	got := ""
	for _, m := range st.Mirrors {
		if m.Principal.SQLServerFqdn == "sql2.contoso.com" {
			got = m.FileShare
		}
	}
	if got != hostile {
		t.Fatalf("LyncSim received -FileShare %q, want %q", got, hostile)
	}
	found := false
	for _, stmt := range s.Statements {
		found = found || stmt.Parameters["FileShare"] == hostile
	}
	if !found {
		t.Fatalf("statements do not carry the value verbatim: %+v", s.Statements)
	}
}

// Without lync.activeServers the step activates the pool's computers in the backup data
// center.
func TestActiveServersDefaultToTheBackupDataCenter(t *testing.T) {
	e := newSim(t, nil)
	e.req.Lync.ActiveServers = nil
	r := e.runner(nil)
	mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	mustRun(t, r, failover.StepLyncActiveServers, report.StatusDone)
	if got := strings.Join(readSim(t).PersistentChatPools[0].ActiveServers, ","); got != "pc3.contoso.com,pc4.contoso.com" {
		t.Fatalf("active servers %s", got)
	}
}
