package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"pcfailover/core/lab"
	"pcfailover/core/lab/labtest"
)

var (
	labBinaryOnce sync.Once
	labBinaryPath string
	labBinaryErr  error
)

// labBinary is the pcfailover binary the lab tests run: $PCFAILOVER_TEST_BINARY, or one
// built once from this package.
func labBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PCFAILOVER_TEST_BINARY"); p != "" {
		return p
	}
	labBinaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pcfailover-lab-test-")
		if err != nil {
			labBinaryErr = err
			return
		}
		exe := filepath.Join(dir, "pcfailover")
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			labBinaryErr = errors.New("no go command on PATH to build pcfailover (or set PCFAILOVER_TEST_BINARY)")
			return
		}
		out, err := exec.Command(goTool, "build", "-o", exe, ".").CombinedOutput()
		if err != nil {
			labBinaryErr = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		labBinaryPath = exe
	})
	if labBinaryErr != nil {
		t.Fatal(labBinaryErr)
	}
	return labBinaryPath
}

// pcf runs the binary and returns stdout, stderr and the exit code.
func pcf(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, labBinary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// labUp starts a lab with `lab up` and registers `lab down` as cleanup.
func labUp(t *testing.T, dir string, args ...string) lab.Info {
	t.Helper()
	out, errOut, code := pcf(t, append([]string{"lab", "up", "--dir", dir}, args...)...)
	if code != 0 {
		t.Fatalf("lab up %v: exit %d\n%s%s", args, code, out, errOut)
	}
	t.Cleanup(func() { pcf(t, "lab", "down", "--dir", dir) })
	var printed lab.Info
	if err := json.Unmarshal([]byte(out), &printed); err != nil {
		t.Fatalf("lab up printed %q: %v", out, err)
	}
	info, err := lab.Load(dir)
	if err != nil {
		t.Fatalf("lab up: %v", err)
	}
	for role, inst := range info.Instances {
		if strings.Contains(out, inst.Password) {
			t.Fatalf("lab up printed the %s password", role)
		}
		if printed.Instances[role].Address != inst.Address {
			t.Fatalf("lab up printed %s at %s, lab.json says %s", role, printed.Instances[role].Address, inst.Address)
		}
	}
	return info
}

func labStatus(t *testing.T, dir string) (lab.Status, int) {
	t.Helper()
	out, _, code := pcf(t, "lab", "status", "--dir", dir)
	var st lab.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("lab status printed %q: %v", out, err)
	}
	return st, code
}

func labDown(t *testing.T, dir string, pid int) {
	t.Helper()
	out, errOut, code := pcf(t, "lab", "down", "--dir", dir)
	if code != 0 {
		t.Fatalf("lab down: exit %d\n%s%s", code, out, errOut)
	}
	if lab.ProcessAlive(pid) {
		t.Errorf("lab serve (pid %d) still runs after lab down", pid)
	}
	st, code := labStatus(t, dir)
	if code == 0 || st.Running || st.Healthy {
		t.Errorf("lab status after down: exit %d %+v, want exit 1, not running", code, st)
	}
}

func TestLabUpStatusDownEveryScenario(t *testing.T) {
	for _, sc := range lab.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			dir := t.TempDir()
			info := labUp(t, dir, "--scenario", sc.Name)
			if info.PID <= 0 || !lab.ProcessAlive(info.PID) {
				t.Fatalf("lab.json pid %d is not a running process", info.PID)
			}
			s, err := lab.BuiltinScenario(sc.Name)
			if err != nil {
				t.Fatal(err)
			}
			labtest.Check(t, info, s)
			st, code := labStatus(t, dir)
			if code != 0 || !st.Running || !st.Healthy || st.PID != info.PID || st.Scenario != sc.Name {
				t.Errorf("lab status: exit %d %+v", code, st)
			}
			if bk := st.Instances[lab.RoleBackup]; !bk.Up || bk.ServerName != info.Instances[lab.RoleBackup].ServerName {
				t.Errorf("lab status backup = %+v", bk)
			}
			// A failed-over lab's primary site was rebuilt: its instance is up again.
			if pri := st.Instances[lab.RolePrimary]; pri.Up != (s.PrimaryUp || s.FailedOver) || !pri.Listening {
				t.Errorf("lab status primary = %+v, want up=%v", pri, s.PrimaryUp || s.FailedOver)
			}
			labDown(t, dir, info.PID)
		})
	}
}

func TestLabUpWithTLSVerifiesTheCertificate(t *testing.T) {
	dir := t.TempDir()
	info := labUp(t, dir, "--scenario", "planned", "--tls")
	s, _ := lab.BuiltinScenario("planned")
	s.TLS = true
	labtest.Check(t, info, s) // every connection: encrypt=true, certificate=<lab pem>, verification on
	labDown(t, dir, info.PID)
}

func TestLabUpTwiceInOneDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	info := labUp(t, dir, "--scenario", "clean")
	_, errOut, code := pcf(t, "lab", "up", "--dir", dir, "--scenario", "clean")
	if code != 1 || !strings.Contains(errOut, "already running") {
		t.Errorf("second lab up: exit %d %q, want 1 and already running", code, errOut)
	}
	if !lab.ProcessAlive(info.PID) {
		t.Error("the second lab up stopped the first lab")
	}
	labDown(t, dir, info.PID)
}

func TestLabUpCleansAStaleDirectory(t *testing.T) {
	dir := t.TempDir()
	info := labUp(t, dir, "--scenario", "clean")
	p, err := os.FindProcess(info.PID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil { // a crash: no clean stop, lab.json stays behind
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for lab.ProcessAlive(info.PID) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	st, code := labStatus(t, dir)
	if code != 1 || st.Running || !strings.Contains(strings.Join(st.Problems, " "), "stale") {
		t.Errorf("status of a crashed lab: exit %d %+v, want exit 1 and stale", code, st)
	}
	info2 := labUp(t, dir, "--scenario", "gap")
	if info2.PID == info.PID || info2.Scenario != "gap" {
		t.Errorf("restarted lab: %+v", info2)
	}
	s, _ := lab.BuiltinScenario("gap")
	labtest.Check(t, info2, s)
	labDown(t, dir, info2.PID)
}

func TestLabScenarioFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "drill.json")
	doc := `{"name":"drill","primaryUp":true,"sessions":1,
	  "logs":{"count":6,"copied":5,"restored":3,"sizeBytes":4096,"interval":"10m","damaged":[4]}}`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	info := labUp(t, filepath.Join(dir, "lab"), "--scenario-file", file)
	s, err := lab.ReadScenarioFile(file)
	if err != nil {
		t.Fatal(err)
	}
	labtest.Check(t, info, s)
	labDown(t, filepath.Join(dir, "lab"), info.PID)
}

func TestLabInvalidScenarioExitsTwoNamingTheField(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(file, []byte(`{"name":"bad","logs":{"count":12,"copied":9,"restored":10}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"field", []string{"--scenario-file", file}, "logs.restored"},
		{"unknown scenario", []string{"--scenario", "flood"}, "unknown scenario"},
		{"both", []string{"--scenario", "gap", "--scenario-file", file}, "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labDir := filepath.Join(dir, tt.name)
			_, errOut, code := pcf(t, append([]string{"lab", "up", "--dir", labDir}, tt.args...)...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 naming %q", code, errOut, tt.want)
			}
			if _, err := os.Stat(filepath.Join(labDir, lab.InfoFile)); err == nil {
				t.Error("an invalid scenario started a lab")
			}
		})
	}
}

func TestLabDownWithoutALabSucceeds(t *testing.T) {
	out, errOut, code := pcf(t, "lab", "down", "--dir", t.TempDir())
	if code != 0 || !strings.Contains(out, `"stopped": false`) {
		t.Errorf("lab down on an empty dir: exit %d %q %q", code, out, errOut)
	}
}

func TestLabServeRunsUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"pcfailover", "lab", "serve", "--dir", dir, "--scenario", "clean"}, strings.NewReader(""), &out, &errb)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	var info lab.Info
	for {
		var err error
		if info, err = lab.Load(dir); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lab serve wrote no lab.json")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if info.PID != os.Getpid() {
		t.Errorf("lab.json pid %d, want this process %d", info.PID, os.Getpid())
	}
	st, err := lab.ReadStatus(ctx, dir)
	if err != nil || !st.Healthy {
		t.Errorf("status while serving: %+v %v", st, err)
	}
	cancel() // what SIGINT/SIGTERM do through main's signal.NotifyContext
	if code := <-done; code != 0 {
		t.Fatalf("lab serve exit %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), info.Instances[lab.RoleBackup].Password) {
		t.Error("lab serve printed a password")
	}
	if running, _ := lab.Running(dir); running {
		t.Error("the lab still runs after serve returned")
	}
}
