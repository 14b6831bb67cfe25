package lync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/lab"
	"pcfailover/core/lync"
	"pcfailover/core/report"
)

// buildCLI builds the pcfailover binary once per test binary run.
func buildCLI(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		bin := filepath.Join(lync.SimDir(), "pcfailover")
		if os.PathSeparator == '\\' {
			bin += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", bin, "pcfailover/cli")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			cli.err = fmt.Errorf("build the CLI: %v\n%s", err, out)
			return
		}
		cli.bin = bin
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.bin
}

var cli struct {
	once sync.Once
	bin  string
	err  error
}

// labCLI runs the CLI binary against an in-process lab.
type labCLI struct {
	bin, request string
	info         lab.Info
	env          []string
}

func (c *labCLI) run(t *testing.T, args ...string) (int, *report.Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("exit %d, stdout is not a report: %v\n%s\n%s", code, err, out.String(), errb.String())
	}
	return code, &r, errb.String()
}

func readLabSim(t *testing.T, path string) lync.SimState {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st lync.SimState
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// The whole runbook (steps 0-7) through the CLI binary against a disaster lab: the backup
// database comes online, LyncSim ends FailedOver, with the backup store mirrored and the
// backup data center's servers active; running the same request again changes nothing.
func TestCLIFullFailoverDisasterLab(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs a lab")
	}
	pwsh := lync.FindPwsh()
	if pwsh == "" {
		t.Skip("pwsh not found")
	}
	bin := buildCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: "disaster"})
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	info := l.Info()

	// The lab's ready request, with the mirror file share step 6 needs when the request
	// names none (the lab's share is a local folder, not a UNC path).
	data, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	var req map[string]any
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatal(err)
	}
	ly := req["lync"].(map[string]any)
	if _, ok := ly["mirrorFileShare"]; !ok {
		ly["mirrorFileShare"] = `\\fs.lab.example\pchatmirror`
	}
	reqFile := filepath.Join(t.TempDir(), "request.json")
	lync.WriteJSON(t, reqFile, req)

	env := append(os.Environ(), "PATH="+filepath.Dir(pwsh)+string(os.PathListSeparator)+os.Getenv("PATH"))
	for k, v := range info.Env {
		env = append(env, k+"="+v)
	}
	if info.Env["LYNCSIM_STATE"] == "" {
		env = append(env, "LYNCSIM_STATE="+info.Lync.State)
	}
	c := &labCLI{bin: bin, request: reqFile, info: info, env: env}

	code, p, stderr := c.run(t, "plan", "--request", reqFile, "--output", "json")
	if code != 0 || p.Outcome != report.OutcomePlanned {
		t.Fatalf("plan exit %d: %s %+v", code, stderr, p.Errors)
	}
	for _, id := range []string{failover.StepLyncPoolState, failover.StepLyncMirror, failover.StepLyncActiveServers} {
		s := p.StepByID(id)
		if s.Status != report.StatusPlanned || len(s.Statements) == 0 {
			t.Fatalf("plan %s: %s (%s) %+v", id, s.Status, s.Detail, s.Statements)
		}
	}
	if st := readLabSim(t, info.Lync.State); st.Mutating() != 0 {
		t.Fatalf("plan ran %d mutating cmdlets", st.Mutating())
	}

	events := filepath.Join(t.TempDir(), "events.jsonl")
	code, r, stderr := c.run(t, "failover", "--request", reqFile, "--output", "json", "--events", events)
	if code != 0 || r.Outcome != report.OutcomeSucceeded {
		t.Fatalf("failover exit %d: %s\n%+v", code, stderr, r.Errors)
	}
	if r.FinalState == nil || r.FinalState.State != "ONLINE" {
		t.Fatalf("database state %+v", r.FinalState)
	}
	for _, id := range []string{failover.StepLyncPoolState, failover.StepLyncMirror, failover.StepLyncActiveServers} {
		s := r.StepByID(id)
		if s.Status != report.StatusDone {
			t.Fatalf("%s: %s (%s)", id, s.Status, s.Detail)
		}
		for _, st := range s.Statements {
			if st.Kind != "cmdlet" || st.Target != "lync" || st.Text == "" {
				t.Fatalf("%s statement %+v", id, st)
			}
		}
	}
	st := readLabSim(t, info.Lync.State)
	if st.PersistentChatPools[0].PoolState != "FailedOver" {
		t.Fatalf("LyncSim pool state %s", st.PersistentChatPools[0].PoolState)
	}
	mirrored := false
	for _, m := range st.Mirrors {
		mirrored = mirrored || (m.DatabaseName == info.Database && strings.HasPrefix(m.Principal.SQLServerFqdn, "sqlpcbak.") && strings.HasPrefix(m.Mirror.SQLServerFqdn, "sqlpcbakmir."))
	}
	if !mirrored {
		t.Fatalf("LyncSim mirrors %+v", st.Mirrors)
	}
	wantActive := info.Lync.DataCenters
	for _, a := range st.PersistentChatPools[0].ActiveServers {
		if wantActive[a] != info.Lync.BackupDataCenter {
			t.Fatalf("active server %s is in %s", a, wantActive[a])
		}
	}
	if len(st.PersistentChatPools[0].ActiveServers) == 0 {
		t.Fatal("no active servers")
	}
	if reports, _ := filepath.Glob(filepath.Join(info.RunDirectory, "lync", "Install-CsMirrorDatabase-*.html")); len(reports) != 1 {
		t.Fatalf("mirror reports in the run directory: %v", reports)
	}
	if b, err := os.ReadFile(events); err != nil || !bytes.Contains(b, []byte(`"target":"lync"`)) {
		t.Fatalf("no lync statement events (%v)", err)
	}

	// Re-run: nothing changes.
	before := st.Mutating()
	code, r, stderr = c.run(t, "failover", "--request", reqFile, "--output", "json")
	if code != 0 || r.Outcome != report.OutcomeSucceeded {
		t.Fatalf("re-run exit %d: %s\n%+v", code, stderr, r.Errors)
	}
	for _, id := range []string{failover.StepLyncPoolState, failover.StepLyncMirror, failover.StepLyncActiveServers} {
		if s := r.StepByID(id); s.Status != report.StatusAlreadyDone {
			t.Fatalf("re-run %s: %s (%s)", id, s.Status, s.Detail)
		}
	}
	if after := readLabSim(t, info.Lync.State).Mutating(); after != before {
		t.Fatalf("the re-run made %d Set-*/Install-* calls", after-before)
	}
}

// Active servers that cannot be shown to be in the new primary's data center stop the run
// with exit code 3 after the SQL steps and before Lync is changed. (A request whose map puts
// them in another data center is refused earlier, by request validation, with exit 2;
// without a map that validation has nothing to check and the Lync steps refuse.)
func TestCLIActiveServerWithoutDataCenterExitsThree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs a lab")
	}
	pwsh := lync.FindPwsh()
	if pwsh == "" {
		t.Skip("pwsh not found")
	}
	bin := buildCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: "disaster"})
	if err != nil {
		t.Fatalf("lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	info := l.Info()
	data, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	var req map[string]any
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatal(err)
	}
	ly := req["lync"].(map[string]any)
	ly["mirrorFileShare"] = `\\fs.lab.example\pchatmirror`
	// No data-center map: request validation has nothing to check, the step refuses.
	delete(ly, "dataCenters")
	reqFile := filepath.Join(t.TempDir(), "request.json")
	lync.WriteJSON(t, reqFile, req)
	env := append(os.Environ(), "PATH="+filepath.Dir(pwsh)+string(os.PathListSeparator)+os.Getenv("PATH"))
	for k, v := range info.Env {
		env = append(env, k+"="+v)
	}
	c := &labCLI{bin: bin, request: reqFile, info: info, env: env}
	code, r, stderr := c.run(t, "failover", "--request", reqFile, "--output", "json")
	if code != 3 || r.Outcome != report.OutcomeBlocked {
		t.Fatalf("exit %d, outcome %s: %s %+v", code, r.Outcome, stderr, r.Errors)
	}
	s := r.StepByID(failover.StepLyncPoolState)
	if s.Status != report.StatusBlocked || len(r.Errors) != 1 || r.Errors[0].Code != report.CodeLyncError || !strings.Contains(r.Errors[0].Message, "has no data center in lync.dataCenters") {
		t.Fatalf("step %+v, errors %+v", s, r.Errors)
	}
	if r.FinalState == nil || r.FinalState.State != "ONLINE" {
		t.Fatalf("database %+v", r.FinalState)
	}
	if st := readLabSim(t, info.Lync.State); st.Mutating() != 0 || st.PersistentChatPools[0].PoolState != "Normal" {
		t.Fatalf("%d mutating Lync calls, state %s", st.Mutating(), st.PersistentChatPools[0].PoolState)
	}
}
