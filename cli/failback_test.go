package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcfailover/core/checkpoint"
	"pcfailover/core/failback"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/sqlsim"
)

// startFailbackLab starts a lab of the failedover scenario (a failover already done by
// the engine, LyncSim FailedOver, writes on the backup, the primary rebuilt) and returns
// it with its ready failback request.
func startFailbackLab(t *testing.T) *cliLab {
	t.Helper()
	if findPwshForTest() == "" {
		t.Skip("pwsh not found: the failedover lab and the failback's Lync steps need PowerShell")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: "failedover"})
	if err != nil {
		t.Fatalf("lab failedover: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	info := l.Info()
	return &cliLab{info: info, lab: l, request: info.FailbackRequest}
}

func findPwshForTest() string {
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

// lyncSimPool is the pool and mirrors of the lab's LyncSim state.
type lyncSimPool struct {
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
	} `json:"mirrors"`
	CallLog []struct {
		Cmdlet string `json:"cmdlet"`
	} `json:"callLog"`
}

func (c *cliLab) lyncSim(t *testing.T) lyncSimPool {
	t.Helper()
	b, err := os.ReadFile(c.info.Lync.State)
	if err != nil {
		t.Fatal(err)
	}
	var st lyncSimPool
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// mutatingLyncCalls counts the Set-*, Install-* and Uninstall-* calls LyncSim logged.
func (st lyncSimPool) mutatingLyncCalls() int {
	n := 0
	for _, c := range st.CallLog {
		if strings.HasPrefix(c.Cmdlet, "Set-Cs") || strings.HasPrefix(c.Cmdlet, "Install-") || strings.HasPrefix(c.Cmdlet, "Uninstall-") {
			n++
		}
	}
	return n
}

// assertFailedBack checks the "done" state: the primary mgc ONLINE with every
// transaction the backup had, LyncSim Normal with the primary data center's servers
// active and the primary mirrored, and log shipping back to the backup (a new write on
// the primary reaches the backup through the backup, copy and restore jobs).
func (c *cliLab) assertFailedBack(t *testing.T) {
	t.Helper()
	db := c.info.Database
	want := c.info.Facts.FailedOver.BackupTransactions
	pri, bk := c.lab.Instance(lab.RolePrimary), c.lab.Instance(lab.RoleBackup)
	pst, ok := pri.Database(db)
	if !ok || pst.State != "ONLINE" || pst.Txn != want {
		t.Fatalf("primary %s: %s with %d transactions, want ONLINE with %d", db, pst.State, pst.Txn, want)
	}
	st := c.lyncSim(t)
	p := st.PersistentChatPools[0]
	if p.PoolState != "Normal" || !sameServers(p.ActiveServers, c.info.Facts.FailedOver.FailbackActiveServers) {
		t.Fatalf("LyncSim pool %s, active %v; want Normal with %v", p.PoolState, p.ActiveServers, c.info.Facts.FailedOver.FailbackActiveServers)
	}
	mirrored := false
	for _, m := range st.Mirrors {
		if m.DatabaseName == db && strings.HasPrefix(m.Principal.SQLServerFqdn, "sqlpcpri.") && strings.HasPrefix(m.Mirror.SQLServerFqdn, "sqlpcprimir.") {
			mirrored = true
		}
		if strings.HasPrefix(m.Principal.SQLServerFqdn, "sqlpcbak.") {
			t.Fatalf("the backup store is still mirrored: %+v", m)
		}
	}
	if !mirrored {
		t.Fatalf("the primary is not mirrored: %+v", st.Mirrors)
	}
	if bst, _ := bk.Database(db); !(bst.State == "RESTORING" || bst.Standby) || bst.Txn != want {
		t.Fatalf("backup %s after the failback: %s standby=%v with %d transactions, want a secondary at %d", db, bst.State, bst.Standby, bst.Txn, want)
	}
	if err := pri.Commit(db, 7); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	priName := c.info.Instances[lab.RolePrimary].ServerName
	for _, j := range []struct {
		in   *sqlsim.Instance
		name string
	}{{pri, "LSBackup_" + db}, {bk, "LSCopy_" + priName + "_" + db}, {bk, "LSRestore_" + priName + "_" + db}} {
		if err := j.in.RunJob(ctx, j.name); err != nil {
			t.Fatalf("log-shipping job %s: %v", j.name, err)
		}
	}
	if bst, _ := bk.Database(db); bst.Txn != want+7 {
		t.Fatalf("backup after one shipped log: %d transactions, want %d", bst.Txn, want+7)
	}
}

func sameServers(a, b []string) bool {
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

// pcfailover failback through the binary: --plan changes nothing, the run returns the pool
// home, a re-run finds every step already done and changes nothing.
func TestCLIFailbackPlanRunRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a failed-over lab")
	}
	c := startFailbackLab(t)
	before := c.lyncSim(t).mutatingLyncCalls()
	code, p, stderr := c.runBin(t, nil, "failback", "--request", c.request, "--plan", "--output", "json")
	if code != 0 || p == nil || p.Outcome != report.OutcomePlanned || p.Command != "failback-plan" {
		t.Fatalf("plan exit %d: %s %+v", code, stderr, p)
	}
	ids := []string{}
	for _, s := range failback.Steps() {
		ids = append(ids, s.ID)
	}
	if len(p.Steps) != len(ids) {
		t.Fatalf("plan has %d steps, want %d", len(p.Steps), len(ids))
	}
	for i, s := range p.Steps {
		if s.ID != ids[i] || s.Status != report.StatusPlanned {
			t.Errorf("plan step %d: %s %s (%s), want %s planned", i, s.ID, s.Status, s.Detail, ids[i])
		}
	}
	for _, id := range []string{failback.StepClearActive, failback.StepRemoveMirror, failback.StepPoolNormal, failback.StepActiveServers, failback.StepPrimaryMirror} {
		s := p.StepByID(id)
		if len(s.Statements) != 1 || s.Statements[0].Kind != "cmdlet" || s.Statements[0].Target != "lync" {
			t.Errorf("plan %s statements %+v, want one cmdlet", id, s.Statements)
		}
	}
	if after := c.lyncSim(t).mutatingLyncCalls(); after != before {
		t.Fatalf("the plan made %d mutating Lync calls", after-before)
	}
	if st, ok := c.lab.Instance(lab.RoleBackup).Database(c.info.Database); !ok || st.State != "ONLINE" || st.Standby {
		t.Fatalf("the plan changed the backup database: %+v", st)
	}

	events := filepath.Join(t.TempDir(), "events.jsonl")
	code, r, stderr := c.runBin(t, nil, "failback", "--request", c.request, "--output", "json", "--events", events)
	if code != 0 || r == nil || r.Outcome != report.OutcomeSucceeded || r.Command != "failback" {
		t.Fatalf("failback exit %d: %s %+v", code, stderr, r)
	}
	if b, err := os.ReadFile(events); err != nil || !strings.Contains(string(b), `"target":"lync"`) || !strings.Contains(string(b), `"target":"primary"`) {
		t.Fatalf("events lack lync or primary statements (%v)", err)
	}
	calls := c.lyncSim(t).mutatingLyncCalls()

	code, again, stderr := c.runBin(t, nil, "failback", "--request", c.request, "--output", "json")
	if code != 0 || again == nil || again.Outcome != report.OutcomeSucceeded {
		t.Fatalf("re-run exit %d: %s %+v", code, stderr, again)
	}
	for _, s := range again.Steps[2:] { // lock and check-state always run
		if s.Status != report.StatusAlreadyDone && s.Status != report.StatusSkipped {
			t.Errorf("re-run: step %s is %s (%s)", s.ID, s.Status, s.Detail)
		}
	}
	if after := c.lyncSim(t).mutatingLyncCalls(); after != calls {
		t.Fatalf("the re-run made %d mutating Lync calls", after-calls)
	}
	c.assertFailedBack(t)
}

// failbackCheckpoints runs a failback on a fresh failed-over lab recording every
// checkpoint it reaches, in order.
func failbackCheckpoints(t *testing.T) []string {
	t.Helper()
	c := startFailbackLab(t)
	file := filepath.Join(t.TempDir(), "checkpoints.txt")
	code, _, stderr := c.runBin(t, []string{checkpoint.EnvRecord + "=" + file}, "failback", "--request", c.request, "--output", "json")
	if code != 0 {
		t.Fatalf("recording run exit %d: %s", code, stderr)
	}
	c.assertFailedBack(t)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Fields(string(b)) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// representative picks, in order, every step boundary (before:<step id>) and every
// checkpoint in the middle of a step that writes or restores (after each backup, restore,
// journal record, log-shipping procedure and Lync call), but not the KILLs. (Crashing at
// all 62 checkpoints, after:<step id> included, passed too but takes 9 minutes: 11 labs.)
func representative(cps []string) []string {
	steps := map[string]bool{}
	for _, s := range failback.Steps() {
		steps["before:"+s.ID] = true
	}
	var out []string
	for _, cp := range cps {
		name := strings.TrimPrefix(strings.TrimPrefix(cp, "before:"), "after:")
		switch {
		case steps[cp]:
		case strings.HasPrefix(name, "kill:"), strings.HasPrefix(cp, "after:") && steps["before:"+name] && name != failback.StepFullBackup:
			// after:<step id> is the moment of before:<next step> but for the step's
			// journal record (full-backup is also the BACKUP DATABASE statement's label).
			continue
		case strings.HasPrefix(cp, "before:"):
			// before:<statement> and before:journal:<kind> are the same state as the
			// checkpoint just before them (an after:, or a read-only query in between).
			continue
		}
		out = append(out, cp)
	}
	return out
}

// A crash (the process exits at once) at a checkpoint, followed by a re-run of the same
// request, ends in the failed-back state. The crashes are chained on a failed-over lab (a
// lab costs a whole failover): crash at the first point, re-run crashing at the next, and
// so on; the last run finishes. Every run after the first resumes from a crash, so each
// point is a crash the next run recovers from. When a resumed run finishes without
// reaching the next point (its step found already done), that lab is checked and the
// chain goes on in a fresh one.
func TestCLIFailbackCrashAnywhereThenRerunFinishes(t *testing.T) {
	cps := failbackCheckpoints(t)
	pick := representative(cps)
	for _, s := range failback.Steps() {
		if s.ID == failback.StepLock {
			continue
		}
		found := false
		for _, p := range pick {
			found = found || p == "before:"+s.ID
		}
		if !found {
			t.Fatalf("step %s has no checkpoint in %v", s.ID, cps)
		}
	}
	for _, mid := range []string{"after:full-backup", "after:tail-log", "after:restore-full", "after:restore-tail", "after:recover-primary",
		"after:seed-backup", "after:seed-restore", "after:ls-primary", "after:ls-secondary", "after:journal:failback-tail-log"} {
		found := false
		for _, p := range pick {
			found = found || p == mid
		}
		if !found {
			t.Fatalf("checkpoint %s is not reached (checkpoints: %v)", mid, cps)
		}
	}
	if testing.Short() && len(pick) > 8 {
		pick = pick[:8]
	}
	t.Logf("%d checkpoints recorded, %d crashed at", len(cps), len(pick))

	var c *cliLab
	crashed, labs := 0, 0
	for _, cp := range pick {
		for attempt := 0; ; attempt++ {
			if c == nil {
				c = startFailbackLab(t)
				labs++
			}
			code, r, stderr := c.runBin(t, []string{checkpoint.EnvCrashAt + "=" + cp}, "failback", "--request", c.request, "--output", "json")
			if code == checkpoint.CrashExitCode {
				crashed++
				break
			}
			if code != 0 || attempt > 0 {
				t.Fatalf("run crashing at %s (lab %d, %d crashes) exit %d: %s %+v", cp, labs, crashed, code, stderr, r)
			}
			// The run resumed from the previous crash found the step of cp already done
			// (it checks before acting) and finished: that resume is proven; crash at cp
			// in a fresh lab.
			c.assertFailedBack(t)
			c = nil
		}
	}
	code, r, stderr := c.runBin(t, nil, "failback", "--request", c.request, "--output", "json")
	if code != 0 || r.Outcome != report.OutcomeSucceeded {
		t.Fatalf("final run after %d crashes exit %d: %s %+v", crashed, code, stderr, r)
	}
	t.Logf("%d crashes in %d labs, each resumed", crashed, labs)
	c.assertFailedBack(t)
}
