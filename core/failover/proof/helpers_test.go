package proof_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/journal"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/sqlsim"
	"pcfailover/core/winpath"
)

// mirrorShare is the UNC share step 6 (Install-CsMirrorDatabase -FileShare) needs; the lab
// request leaves it to the operator.
const mirrorShare = `\\fs.lab.example\pchatmirror`

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	if src := os.Getenv("PCFAILOVER_PEAKRSS_SRC"); src != "" {
		os.Exit(copyPeakRSSChild(src, os.Getenv("PCFAILOVER_PEAKRSS_DST")))
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// pcfailover returns the binary under test: $PCFAILOVER_TEST_BINARY (scripts/test.sh sets
// it) or one built once from ./cli.
func pcfailover(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PCFAILOVER_TEST_BINARY"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "pcfailover-proof-")
		if binErr != nil {
			return
		}
		exe := filepath.Join(binDir, "pcfailover")
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", exe, "pcfailover/cli").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build pcfailover/cli: %v\n%s", err, out)
			return
		}
		binPath = exe
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// pwshDir is the directory of pwsh ("" when it is on PATH); the test is skipped when
// there is no PowerShell at all (the Lync half needs one).
func pwshDir(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("pwsh"); err == nil {
		return ""
	}
	home, _ := os.UserHomeDir()
	p := filepath.Join(home, ".dotnet", "tools", "pwsh")
	if runtime.GOOS == "windows" {
		p += ".exe"
	}
	if _, err := os.Stat(p); err == nil {
		return filepath.Dir(p)
	}
	t.Skip("no pwsh: the Lync half (LyncSim) needs PowerShell 7")
	return ""
}

// smallScenario is the harness's lab: few, small log backups, but every kind of work
// (tail-log backup when primaryUp, files to copy from the share, copied files to
// restore, an interrupted copy job's .wrk, application sessions to end).
func smallScenario(name string, primaryUp bool) lab.Scenario {
	tail := 3
	return lab.Scenario{
		Name:      name,
		PrimaryUp: primaryUp,
		Sessions:  1,
		Logs: lab.LogPlan{
			Count: 4, Copied: 2, Restored: 1, TransactionsPerLog: 5, TailTransactions: &tail,
			SizeBytes: 24 << 10, FullSizeBytes: 64 << 10, Partial: []int{4},
		},
	}
}

// proofLab is an in-process lab and a request file for it.
type proofLab struct {
	lab     *lab.Lab
	info    lab.Info
	request string         // request file
	req     map[string]any // its contents
	pwsh    string
	workDir string // the binary's working directory ("" : the test's)
}

type labOpt func(req map[string]any)

// lyncSkip runs steps 0-4 only.
func lyncSkip(req map[string]any) { req["lync"].(map[string]any)["skip"] = true }

func startLab(t testing.TB, s lab.Scenario, opts ...labOpt) *proofLab {
	t.Helper()
	dir := t.TempDir()
	sf := filepath.Join(dir, "scenario.json")
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sf, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: filepath.Join(dir, "lab"), ScenarioFile: sf})
	if err != nil {
		t.Fatalf("start lab %s: %v", s.Name, err)
	}
	t.Cleanup(func() { l.Close() })
	p := &proofLab{lab: l, info: l.Info()}
	rb, err := os.ReadFile(p.info.Request)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rb, &p.req); err != nil {
		t.Fatal(err)
	}
	ly, _ := p.req["lync"].(map[string]any)
	if ly == nil {
		ly = map[string]any{}
		p.req["lync"] = ly
	}
	ly["mirrorFileShare"] = mirrorShare
	for _, o := range opts {
		o(p.req)
	}
	p.request = filepath.Join(dir, "request.json")
	p.writeRequest(t)
	if skip, _ := ly["skip"].(bool); !skip {
		p.pwsh = pwshDir(t)
	}
	return p
}

func (p *proofLab) writeRequest(t testing.TB) {
	t.Helper()
	b, err := json.MarshalIndent(p.req, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.request, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// env is the child's environment: ours, the lab's (passwords, LYNCSIM_STATE), pwsh on
// PATH, and extra.
func (p *proofLab) env(extra ...string) []string {
	env := os.Environ()
	if p.pwsh != "" {
		env = append(env, "PATH="+p.pwsh+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	keys := make([]string, 0, len(p.info.Env))
	for k := range p.info.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+p.info.Env[k])
	}
	return append(env, extra...)
}

// result is one run of the binary.
type result struct {
	code   int
	stdout []byte
	stderr []byte
	rep    *report.Report // nil when stdout is not a report
	took   time.Duration
}

func (p *proofLab) command(ctx context.Context, t testing.TB, extraEnv []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, pcfailover(t), args...)
	cmd.Env = p.env(extraEnv...)
	cmd.Dir = p.workDir
	return cmd
}

func finish(t testing.TB, cmd *exec.Cmd, out, errb *bytes.Buffer, err error, start time.Time) result {
	t.Helper()
	r := result{stdout: out.Bytes(), stderr: errb.Bytes(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if r.code < 0 {
			r.code = -1 // killed by a signal
		}
	case err != nil:
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	var rep report.Report
	if json.Unmarshal(r.stdout, &rep) == nil && rep.Outcome != "" {
		r.rep = &rep
	}
	return r
}

// run runs the binary to its end (3 minutes at most).
func (p *proofLab) run(t testing.TB, extraEnv []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := p.command(ctx, t, extraEnv, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	return finish(t, cmd, &out, &errb, err, start)
}

// failover runs `pcfailover failover` on the lab's request.
func (p *proofLab) failover(t testing.TB, extraEnv []string, flags ...string) result {
	t.Helper()
	return p.run(t, extraEnv, append([]string{"failover", "--request", p.request, "--output", "json"}, flags...)...)
}

func (r result) String() string {
	s := fmt.Sprintf("exit %d", r.code)
	if r.rep != nil {
		s += fmt.Sprintf(", outcome %s, errors %+v", r.rep.Outcome, r.rep.Errors)
	}
	if e := strings.TrimSpace(string(r.stderr)); e != "" {
		if len(e) > 2000 {
			e = e[len(e)-2000:]
		}
		s += "\nstderr: " + e
	}
	return s
}

// backupDB is the backup instance's database.
func (p *proofLab) backupDB(t testing.TB) sqlsim.DatabaseState {
	t.Helper()
	st, ok := p.lab.Instance(lab.RoleBackup).Database(p.info.Database)
	if !ok {
		t.Fatal("the backup database is missing")
	}
	return st
}

// lyncState is the part of the LyncSim state file the harness checks.
type lyncState struct {
	PersistentChatPools []struct {
		PoolFqdn      string   `json:"poolFqdn"`
		PoolState     string   `json:"poolState"`
		ActiveServers []string `json:"activeServers"`
		Stores        map[string]struct {
			SQLServerFqdn   string `json:"sqlServerFqdn"`
			SQLInstanceName string `json:"sqlInstanceName"`
		} `json:"stores"`
	} `json:"persistentChatPools"`
	Mirrors []struct {
		Principal struct {
			SQLServerFqdn string `json:"sqlServerFqdn"`
		} `json:"principal"`
		Mirror struct {
			SQLServerFqdn string `json:"sqlServerFqdn"`
		} `json:"mirror"`
		FileShare string `json:"fileShare"`
	} `json:"mirrors"`
	CallLog []lyncCall `json:"callLog"`
}

type lyncCall struct {
	Seq        int             `json:"seq"`
	Cmdlet     string          `json:"cmdlet"`
	Parameters json.RawMessage `json:"parameters"`
	Outcome    string          `json:"outcome"`
}

func (p *proofLab) lync(t testing.TB) lyncState {
	t.Helper()
	b, err := os.ReadFile(p.info.Lync.State)
	if err != nil {
		t.Fatal(err)
	}
	var s lyncState
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("LyncSim state: %v", err)
	}
	return s
}

// mutatingCmdlets change the pool; invariant 7: never retried blindly.
var mutatingCmdlets = map[string]bool{
	"Set-CsPersistentChatState": true, "Install-CsMirrorDatabase": true, "Set-CsPersistentChatActiveServer": true,
}

// checkFailedOver asserts the final state of a complete failover and the safety
// invariants visible in the simulator's statement log, the journal, the copy folder and
// LyncSim's call log. wantTxn is the transaction count the backup database must hold.
func (p *proofLab) checkFailedOver(t testing.TB, wantTxn int64, lyncToo bool) {
	t.Helper()
	db := p.backupDB(t)
	if db.State != "ONLINE" || db.Standby {
		t.Errorf("backup database %s (standby %v), want ONLINE", db.State, db.Standby)
	}
	if db.Txn != wantTxn {
		t.Errorf("backup database holds %d transactions, want %d", db.Txn, wantTxn)
	}
	p.checkSQLInvariants(t)
	if _, err := os.Stat(filepath.Join(p.info.RunDirectory, journal.LockFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after a finished run (%v)", err)
	}
	if !lyncToo {
		return
	}
	ls := p.lync(t)
	var found bool
	for _, pool := range ls.PersistentChatPools {
		if pool.PoolFqdn != p.info.Pool {
			continue
		}
		found = true
		if pool.PoolState != "FailedOver" {
			t.Errorf("pool state %s, want FailedOver", pool.PoolState)
		}
		want := fmt.Sprint(p.req["lync"].(map[string]any)["activeServers"])
		if got := fmt.Sprint(toAny(pool.ActiveServers)); got != want {
			t.Errorf("active servers %s, want %s", got, want)
		}
		bk, bm := pool.Stores["backup"].SQLServerFqdn, pool.Stores["backupMirror"].SQLServerFqdn
		mirrored := false
		for _, m := range ls.Mirrors {
			if m.Principal.SQLServerFqdn == bk && m.Mirror.SQLServerFqdn == bm && m.FileShare == mirrorShare {
				mirrored = true
			}
		}
		if !mirrored {
			t.Errorf("no mirror %s -> %s installed: %+v", bk, bm, ls.Mirrors)
		}
	}
	if !found {
		t.Errorf("pool %s not in the LyncSim state", p.info.Pool)
	}
	ok := map[string]int{}
	for _, c := range ls.CallLog {
		if mutatingCmdlets[c.Cmdlet] && c.Outcome == "ok" {
			ok[c.Cmdlet]++
		}
	}
	for c := range mutatingCmdlets {
		if ok[c] > 1 {
			t.Errorf("%s succeeded %d times: run again over its own effect (invariant 7)", c, ok[c])
		}
	}
}

// requireMutatingOnce asserts that each mutating Lync cmdlet was called exactly once in
// all (crash and re-run together), and succeeded: a re-run reads the state back and never
// repeats a change that was made (invariant 7).
func (p *proofLab) requireMutatingOnce(t testing.TB) {
	t.Helper()
	n := map[string][]string{}
	for _, c := range p.lync(t).CallLog {
		if mutatingCmdlets[c.Cmdlet] {
			n[c.Cmdlet] = append(n[c.Cmdlet], c.Outcome)
		}
	}
	for c := range mutatingCmdlets {
		if len(n[c]) != 1 || n[c][0] != "ok" {
			t.Errorf("%s calls: %v, want exactly one, ok (invariant 7)", c, n[c])
		}
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func param(st sqlsim.StatementRecord, name string) string {
	for _, p := range st.Params {
		if p.Name == name {
			if s, ok := p.Value.(string); ok {
				return s
			}
			return fmt.Sprint(p.Value)
		}
	}
	return ""
}

func isRecovery(text string) bool {
	up := strings.ToUpper(text)
	return strings.HasPrefix(strings.TrimSpace(up), "RESTORE") && strings.Contains(up, "WITH RECOVERY")
}

// checkSQLInvariants checks invariants 1-3 on the backup instance's statement log.
func (p *proofLab) checkSQLInvariants(t testing.TB) {
	t.Helper()
	stmts := p.lab.Instance(lab.RoleBackup).Statements()
	restored := map[string]bool{}
	recoveredAt, deleteAt := -1, time.Time{}
	for i, st := range stmts {
		for _, part := range strings.Split(st.Text, ";") {
			part = strings.TrimSpace(part)
			up := strings.ToUpper(part)
			if strings.HasPrefix(up, "RESTORE LOG") && strings.Contains(up, "FROM DISK") {
				file := param(st, "@p1")
				if recoveredAt >= 0 {
					t.Errorf("RESTORE LOG %s after the database was recovered", file)
				}
				// Invariant 3: only complete, renamed copies in the copy folder.
				base := winpath.BaseName(file)
				if !strings.HasSuffix(strings.ToLower(base), ".trn") || strings.HasPrefix(base, ".pcfailover-") {
					t.Errorf("restored a file that is not a finished .trn copy: %s", file)
				}
				restored[base] = true
			}
			if isRecovery(part) && recoveredAt < 0 {
				recoveredAt = i
				// Invariant 1: every applicable file of the chain was applied first.
				for _, l := range p.info.Facts.Logs {
					if !l.Restored && !l.Missing && !l.Damaged && !l.Truncated && !restored[l.Name] {
						t.Errorf("recovered with %s unapplied (invariant 1)", l.Name)
					}
				}
			}
		}
		if (strings.Contains(st.Text, "sp_delete_log_shipping_secondary_database") || st.Proc == "sp_delete_log_shipping_secondary_database") && deleteAt.IsZero() {
			deleteAt = st.Time
		}
	}
	// Every file restored is, byte for byte, the log backup the primary wrote (but the
	// copies a scenario damaged on purpose: SQL Server refuses those).
	for _, l := range p.info.Facts.Logs {
		if l.Damaged || l.Truncated {
			delete(restored, l.Name)
		}
	}
	for base := range restored {
		a, errA := fileHash(filepath.Join(p.info.CopyDestination, base))
		b, errB := fileHash(filepath.Join(p.info.Share, base))
		if errA == nil && errB == nil && a != b {
			t.Errorf("%s in the copy folder differs from the share's", base)
		}
	}
	// Invariant 2: the msdb snapshot was journaled before sp_delete_log_shipping ran.
	if !deleteAt.IsZero() {
		recs, err := journal.Read(p.info.RunDirectory)
		if err != nil {
			t.Fatalf("read journal: %v", err)
		}
		var snap time.Time
		for _, r := range recs {
			if r.Kind == "msdb-snapshot" && len(r.Data) > 2 {
				snap = r.TS
				break
			}
		}
		if snap.IsZero() || !snap.Before(deleteAt) {
			t.Errorf("msdb snapshot journaled at %v, sp_delete_log_shipping_secondary_database at %v (invariant 2)", snap, deleteAt)
		}
	}
}

func fileHash(path string) ([32]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// wantTxn is what a complete failover of the scenario must leave: every transaction the
// primary committed when it is up (tail-log backup), else the whole chain.
func (p *proofLab) wantTxn() int64 {
	if p.info.Instances[lab.RolePrimary].Up {
		return p.info.Facts.PrimaryTransactions
	}
	return p.info.Facts.ChainTransactions
}
