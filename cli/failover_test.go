package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/checkpoint"
	"pcfailover/core/lab"
	"pcfailover/core/report"
)

var (
	engineBinOnce sync.Once
	engineBinPath string
	engineBinErr  error
)

// engineBinary is the pcfailover binary for process-level tests (crashes need a real
// process): $PCFAILOVER_TEST_BINARY, or one built once into a temporary directory.
func engineBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PCFAILOVER_TEST_BINARY"); p != "" {
		return p
	}
	engineBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pcfailover-engine-test-")
		if err != nil {
			engineBinErr = err
			return
		}
		exe := filepath.Join(dir, "pcfailover")
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			engineBinErr = err
			return
		}
		out, err := exec.Command(goTool, "build", "-o", exe, ".").CombinedOutput()
		if err != nil {
			engineBinErr = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		engineBinPath = exe
	})
	if engineBinErr != nil {
		t.Fatal(engineBinErr)
	}
	return engineBinPath
}

func TestSchemaCommandPrintsTheRequestSchema(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"pcfailover", "schema"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var s map[string]any
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" || s["properties"] == nil {
		t.Fatalf("not the request schema: %v", s["$schema"])
	}
}

func TestInvalidRequestExitsTwoWithOneErrorPerProblem(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		stdin  string
		fields []string
	}{
		{"no request", nil, "", []string{"--request"}},
		{"password in request", []string{"--request", "-"},
			`{"schemaVersion":1,"poolFqdn":"pchat.contoso.com","backupSqlInstance":{"server":"sql1","auth":"sql","user":"sa","password":"hunter2"},"runDirectory":"/tmp/x"}`,
			[]string{"backupSqlInstance.password"}},
		{"several problems", []string{"--request", "-"}, `{"schemaVersion":1,"database":"x y","backupSqlInstance":{"server":""}}`,
			[]string{"poolFqdn", "runDirectory", "backupSqlInstance.server", "database"}},
	}
	for _, tc := range cases {
		for _, cmd := range []string{"plan", "failover"} {
			t.Run(tc.name+"/"+cmd, func(t *testing.T) {
				var out, errb bytes.Buffer
				args := append([]string{"pcfailover", cmd, "--output", "json"}, tc.args...)
				code := run(context.Background(), args, strings.NewReader(tc.stdin), &out, &errb)
				if code != 2 {
					t.Fatalf("exit %d, want 2; stdout %s", code, out.String())
				}
				var res struct {
					Outcome  string
					ExitCode int
					Errors   []struct{ Field, Message, Fix string }
				}
				if err := json.Unmarshal(out.Bytes(), &res); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
				}
				if res.Outcome != "invalid" || res.ExitCode != 2 {
					t.Fatalf("%+v", res)
				}
				got := map[string]bool{}
				for _, e := range res.Errors {
					got[e.Field] = true
				}
				for _, f := range tc.fields {
					if !got[f] {
						t.Errorf("no error for %s in %+v", f, res.Errors)
					}
				}
				if strings.Contains(out.String()+errb.String(), "hunter2") {
					t.Fatal("password echoed")
				}
				if n := strings.Count(strings.TrimSpace(errb.String()), "\n"); n < len(res.Errors)-1 {
					t.Errorf("stderr has %d lines for %d errors", n+1, len(res.Errors))
				}
			})
		}
	}
}

// cliLab is a lab and how to run the binary against it.
type cliLab struct {
	info lab.Info
	lab  *lab.Lab
	// request is the lab's request with lync.skip set: these tests are about the SQL
	// half (steps 0-4); the Lync steps have their own tests.
	request string
}

func startCLILab(t *testing.T, scenario string) *cliLab {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: scenario})
	if err != nil {
		t.Fatalf("lab %s: %v", scenario, err)
	}
	t.Cleanup(func() { l.Close() })
	c := &cliLab{info: l.Info(), lab: l}
	b, err := os.ReadFile(c.info.Request)
	if err != nil {
		t.Fatal(err)
	}
	var req map[string]any
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	ly, _ := req["lync"].(map[string]any)
	if ly == nil {
		ly = map[string]any{}
	}
	ly["skip"] = true
	req["lync"] = ly
	b, _ = json.Marshal(req)
	c.request = filepath.Join(t.TempDir(), "request-sql-only.json")
	if err := os.WriteFile(c.request, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// runBin runs the binary with the lab's environment plus extra, returning the exit
// code, the decoded report (when stdout is one) and stderr.
func (c *cliLab) runBin(t *testing.T, extra []string, args ...string) (int, *report.Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, engineBinary(t), args...)
	env := os.Environ()
	for k, v := range c.info.Env {
		env = append(env, k+"="+v)
	}
	cmd.Env = append(env, extra...)
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
	if json.Unmarshal(out.Bytes(), &r) != nil {
		return code, nil, errb.String()
	}
	for _, p := range c.info.Env {
		if len(p) >= 8 && (strings.Contains(out.String(), p) || strings.Contains(errb.String(), p)) && !strings.Contains(p, string(os.PathSeparator)) {
			t.Fatal("a password appeared in the output")
		}
	}
	return code, &r, errb.String()
}

func (c *cliLab) backupState(t *testing.T) (string, int64) {
	st, ok := c.lab.Instance(lab.RoleBackup).Database(c.info.Database)
	if !ok {
		t.Fatal("no backup database")
	}
	state := st.State
	if st.Standby {
		state += "/STANDBY"
	}
	return state, st.Txn
}

func TestCLIPlanThenFailoverDisaster(t *testing.T) {
	c := startCLILab(t, "disaster")
	events := filepath.Join(t.TempDir(), "events.jsonl")
	code, p, stderr := c.runBin(t, nil, "plan", "--request", c.request, "--output", "json")
	if code != 0 || p == nil || p.Outcome != report.OutcomePlanned {
		t.Fatalf("plan exit %d: %s", code, stderr)
	}
	code, r, stderr := c.runBin(t, nil, "failover", "--request", c.request, "--output", "json", "--events", events)
	if code != 0 || r == nil || r.Outcome != report.OutcomeSucceeded {
		t.Fatalf("failover exit %d: %s %+v", code, stderr, r)
	}
	if st, txn := c.backupState(t); st != "ONLINE" || txn != c.info.Facts.ChainTransactions {
		t.Fatalf("backup %s with %d transactions, want ONLINE with %d", st, txn, c.info.Facts.ChainTransactions)
	}
	for i := range p.Steps {
		if p.Steps[i].ID != r.Steps[i].ID {
			t.Fatalf("plan and failover step lists differ at %d", i)
		}
	}
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	n := 0
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("event is not JSON: %s", sc.Text())
		}
		for _, ch := range sc.Bytes() {
			if ch >= 0x80 {
				t.Fatalf("non-ASCII event: %s", sc.Text())
			}
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d events", n)
	}
}

func TestCLIGapExitsThreeThenAcceptDataLoss(t *testing.T) {
	c := startCLILab(t, "gap")
	code, r, stderr := c.runBin(t, nil, "failover", "--request", c.request, "--output", "json")
	if code != 3 || r == nil || r.Outcome != report.OutcomeBlocked || r.Chain == nil || r.Chain.Gap == nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if st, _ := c.backupState(t); st == "ONLINE" {
		t.Fatal("recovered across the gap")
	}
	code, r, stderr = c.runBin(t, nil, "failover", "--request", c.request, "--output", "json", "--accept-data-loss")
	if code != 0 || r.DataLoss == nil || !r.DataLoss.Accepted {
		t.Fatalf("exit %d: %s %+v", code, stderr, r)
	}
	if st, txn := c.backupState(t); st != "ONLINE" || txn != c.info.Facts.ChainTransactions {
		t.Fatalf("backup %s with %d transactions", st, txn)
	}
}

// checkpointsOf runs a failover on a fresh lab recording every checkpoint it reaches.
func checkpointsOf(t *testing.T, scenario string) []string {
	c := startCLILab(t, scenario)
	file := filepath.Join(t.TempDir(), "checkpoints.txt")
	code, _, stderr := c.runBin(t, []string{checkpoint.EnvRecord + "=" + file}, "failover", "--request", c.request, "--output", "json")
	if code != 0 {
		t.Fatalf("recording run exit %d: %s", code, stderr)
	}
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

// A crash (the process exits at once, no cleanup) at any checkpoint, followed by a
// re-run of the same request, ends in the same final state as an uninterrupted run.
func TestCLICrashAnywhereThenRerunFinishes(t *testing.T) {
	cps := checkpointsOf(t, "disaster")
	if len(cps) < 20 {
		t.Fatalf("only %d checkpoints: %v", len(cps), cps)
	}
	// Every distinct kind of checkpoint (the first of each, indices stripped), and every
	// point in the middle of a copy.
	kindSeen := map[string]bool{}
	var pick []string
	for _, cp := range cps {
		k := cp
		if i := strings.LastIndex(cp, ":"); i > 0 && strings.ContainsAny(cp[i+1:], "0123456789") {
			k = cp[:i]
		}
		if !kindSeen[k] || strings.HasPrefix(cp, "copy:mid") {
			kindSeen[k] = true
			pick = append(pick, cp)
		}
	}
	sort.Strings(pick)
	if testing.Short() && len(pick) > 6 {
		pick = pick[:6]
	}
	for _, cp := range pick {
		t.Run(cp, func(t *testing.T) {
			c := startCLILab(t, "disaster")
			code, _, stderr := c.runBin(t, []string{checkpoint.EnvCrashAt + "=" + cp}, "failover", "--request", c.request, "--output", "json")
			if code != checkpoint.CrashExitCode {
				t.Fatalf("crash run exit %d, want %d: %s", code, checkpoint.CrashExitCode, stderr)
			}
			code, r, stderr := c.runBin(t, nil, "failover", "--request", c.request, "--output", "json")
			if code != 0 {
				t.Fatalf("re-run exit %d: %s %+v", code, stderr, r)
			}
			if st, txn := c.backupState(t); st != "ONLINE" || txn != c.info.Facts.ChainTransactions {
				t.Fatalf("after crash at %s: backup %s with %d transactions, want ONLINE with %d", cp, st, txn, c.info.Facts.ChainTransactions)
			}
		})
	}
}

// Every scenario through the binary: the exit code, the outcome and the final state of
// the backup database.
func TestCLIScenarios(t *testing.T) {
	cases := []struct {
		scenario string
		code     int
		outcome  string
		state    string
		txn      func(lab.Info) int64
		errCode  string
	}{
		{"planned", 0, report.OutcomeSucceeded, "ONLINE", func(i lab.Info) int64 { return i.Facts.PrimaryTransactions }, ""},
		{"lagging", 0, report.OutcomeSucceeded, "ONLINE", func(i lab.Info) int64 { return i.Facts.ChainTransactions }, ""},
		{"clean", 0, report.OutcomeSucceeded, "ONLINE", func(i lab.Info) int64 { return i.Facts.ChainTransactions }, ""},
		// The damaged copy's original in the share is intact: set aside, copied again (issue 12).
		{"corrupt", 0, report.OutcomeSucceeded, "ONLINE", func(i lab.Info) int64 { return i.Facts.Logs[len(i.Facts.Logs)-1].LastTransaction }, ""},
		{"gap", 3, report.OutcomeBlocked, "", nil, report.CodeGapInLogChain},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			c := startCLILab(t, tc.scenario)
			code, r, stderr := c.runBin(t, nil, "failover", "--request", c.request, "--output", "json")
			if code != tc.code || r == nil || r.Outcome != tc.outcome {
				t.Fatalf("exit %d (want %d): %s", code, tc.code, stderr)
			}
			state, txn := c.backupState(t)
			if tc.state != "" && state != tc.state {
				t.Fatalf("backup database %s, want %s", state, tc.state)
			}
			if tc.state == "" && state == "ONLINE" {
				t.Fatal("backup database recovered")
			}
			if tc.txn != nil && txn != tc.txn(c.info) {
				t.Fatalf("backup database holds %d transactions, want %d", txn, tc.txn(c.info))
			}
			if tc.errCode != "" && (len(r.Errors) == 0 || r.Errors[0].Code != tc.errCode) {
				t.Fatalf("errors %+v, want %s", r.Errors, tc.errCode)
			}
			if !strings.Contains(stderr, "pcfailover: ") && code != 0 {
				t.Fatalf("no human line on stderr: %q", stderr)
			}
		})
	}
}

// Two runs at once through the binary: the second, finding the first's lock, exits 3
// naming it; the first finishes.
func TestCLIConcurrentRunsOneExitsThree(t *testing.T) {
	c := startCLILab(t, "lagging")
	type result struct {
		code int
		rep  *report.Report
	}
	first := make(chan result, 1)
	go func() {
		code, r, _ := c.runBin(t, nil, "failover", "--request", c.request, "--output", "json")
		first <- result{code, r}
	}()
	// Wait until the first run holds the lock file, then start the second.
	lockFile := filepath.Join(c.info.RunDirectory, "pcfailover.lock")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(lockFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run never took the lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
	code2, r2, _ := c.runBin(t, nil, "failover", "--request", c.request, "--output", "json")
	r1 := <-first
	if r1.code != 0 {
		t.Fatalf("first run exit %d %+v", r1.code, r1.rep)
	}
	// The second either met the lock (3) or started after the first released it and found
	// everything done (0); it never acts at the same time.
	switch code2 {
	case 3:
		if r2 == nil || len(r2.Errors) == 0 || r2.Errors[0].Code != report.CodeLocked || !strings.Contains(r2.Errors[0].Message, r1.rep.RunID) {
			t.Fatalf("second run: %+v", r2)
		}
	case 0:
		t.Log("the second run started after the first finished")
	default:
		t.Fatalf("second run exit %d", code2)
	}
}

// The module's way in: the request and its passwords as one envelope on standard input,
// or --request FILE with --password-stdin; the password environment variables unset.
func TestCLIPasswordsFromStandardInput(t *testing.T) {
	c := startCLILab(t, "clean")
	reqJSON, err := os.ReadFile(c.request)
	if err != nil {
		t.Fatal(err)
	}
	pw := map[string]string{}
	for role, key := range map[string]string{"backup": "backupSqlInstance", "primary": "primarySqlInstance", "backupMirror": "backupMirrorSqlInstance"} {
		if in, ok := c.info.Instances[role]; ok {
			pw[key] = in.Password
		}
	}
	envelope, _ := json.Marshal(map[string]any{"request": json.RawMessage(reqJSON), "passwords": pw})
	pwOnly, _ := json.Marshal(pw)
	var clean []string
	for _, kv := range os.Environ() {
		if _, isLab := c.info.Env[strings.SplitN(kv, "=", 2)[0]]; !isLab {
			clean = append(clean, kv)
		}
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin []byte
	}{
		{"envelope", []string{"plan", "--request", "-", "--output", "json"}, envelope},
		{"password-stdin", []string{"plan", "--request", c.request, "--password-stdin", "--output", "json"}, pwOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(engineBinary(t), tc.args...)
			cmd.Env = clean
			cmd.Stdin = bytes.NewReader(tc.stdin)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v: %s %s", err, errb.String(), out.String())
			}
			var r report.Report
			if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Outcome != report.OutcomePlanned {
				t.Fatalf("outcome %q (%v)", r.Outcome, err)
			}
			for _, p := range pw {
				if strings.Contains(out.String()+errb.String(), p) {
					t.Fatal("a password appeared in the output")
				}
			}
		})
	}
}

// A crash around the tail-log backup (planned failover) is resumed too: the re-run sees
// the old primary RESTORING and its tail file in the share, and loses nothing.
func TestCLICrashAroundTailLogThenRerun(t *testing.T) {
	for _, cp := range []string{"before:tail-log", "after:tail-log", "after:tail-log-backup", "copy:mid:0.4"} {
		t.Run(cp, func(t *testing.T) {
			c := startCLILab(t, "planned")
			code, _, stderr := c.runBin(t, []string{checkpoint.EnvCrashAt + "=" + cp}, "failover", "--request", c.request, "--output", "json")
			if code != checkpoint.CrashExitCode {
				t.Fatalf("crash run exit %d: %s", code, stderr)
			}
			code, r, stderr := c.runBin(t, nil, "failover", "--request", c.request, "--output", "json")
			if code != 0 {
				t.Fatalf("re-run exit %d: %s %+v", code, stderr, r)
			}
			if st, txn := c.backupState(t); st != "ONLINE" || txn != c.info.Facts.PrimaryTransactions {
				t.Fatalf("backup %s with %d transactions, want ONLINE with %d", st, txn, c.info.Facts.PrimaryTransactions)
			}
		})
	}
}
