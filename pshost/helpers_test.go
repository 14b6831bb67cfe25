package pshost

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	shared.close()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// shared is one host for the tests that do not break their process, to save starts.
var shared sharedHost

type sharedHost struct {
	once   sync.Once
	h      *Host
	dir    string
	record string
	err    error
}

// sharedTestHost returns the shared host; its module records Get-PshText values in
// record (PSHTEST_RECORD).
func sharedTestHost(t testing.TB) (h *Host, record string) {
	t.Helper()
	pwsh := testPwsh(t)
	mod := testModule(t)
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "pshost-test-")
		if shared.err != nil {
			return
		}
		shared.record = filepath.Join(shared.dir, "record.txt")
		shared.h, shared.err = New(Config{
			Executable:      pwsh,
			Modules:         []string{mod},
			AllowedCommands: testCommands,
			Env:             []string{"PSHTEST_RECORD=" + shared.record},
		})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.h, shared.record
}

func (s *sharedHost) close() {
	if s.h != nil {
		_ = s.h.Close()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// testPwsh returns the pwsh to test with, or skips the test.
func testPwsh(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("pwsh"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".dotnet", "tools", "pwsh")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("pwsh not found (on PATH or in ~/.dotnet/tools)")
	return ""
}

// testModule is the absolute path of the test module.
func testModule(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "PshTest", "PshTest.psd1"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var testCommands = []string{
	"Get-PshEcho", "Get-PshText", "Get-PshSecret", "Write-PshStreams", "Invoke-PshThrow",
	"Get-PshNested", "Start-PshSleep", "Start-PshBlock", "Get-PshProcessId", "Stop-PshHostProcess",
	"Set-PshDangerous", "Read-PshInput", "Write-PshConsole", "Get-PshBig",
}

// newTestHost returns a host running the test module, closed when the test ends.
func newTestHost(t testing.TB, mod func(*Config)) *Host {
	t.Helper()
	cfg := Config{
		Executable:      testPwsh(t),
		Modules:         []string{testModule(t)},
		AllowedCommands: testCommands,
		StopGrace:       3 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// mustInvoke runs cmd and fails the test on a host error.
func mustInvoke(t testing.TB, h *Host, cmd Command) *Result {
	t.Helper()
	res, err := h.Invoke(testCtx(t), cmd)
	if err != nil {
		t.Fatalf("Invoke %s: %v", cmd.Name, err)
	}
	return res
}

func unmarshal(t testing.TB, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("unmarshal %s: %v", raw, err)
	}
}

func TestInheritedEnvDropsUnsetNames(t *testing.T) {
	env := []string{"PATH=/bin", "PCF_SQL_PASSWORD=secret", "pcf_sql_password2=x", "HOME=/root"}
	got := inheritedEnv(env, []string{"pcf_sql_password", "PCF_SQL_PASSWORD2"})
	want := []string{"PATH=/bin", "HOME=/root"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("inheritedEnv = %q, want %q", got, want)
	}
	if same := inheritedEnv(env, nil); len(same) != len(env) {
		t.Fatalf("no unset names must keep everything, got %q", same)
	}
}
