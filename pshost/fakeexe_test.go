package pshost

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakePowerShell writes a shell script standing in for PowerShell.
func fakePowerShell(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell-script stand-ins need a Unix shell")
	}
	p := filepath.Join(t.TempDir(), "fake-pwsh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMisbehavingProcessAtStart covers processes that are not PowerShell or break the
// protocol before they are ready.
func TestMisbehavingProcessAtStart(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantErr  error
		wantText string
	}{
		{"exits at once, explaining on stderr", "echo 'cannot load runtime' >&2; exit 3", ErrProcessExited, "cannot load runtime"},
		{"hangs without reading", "sleep 600", context.DeadlineExceeded, "start"},
		{"reads but never answers (child keeps the pipes)", "cat >/dev/null & sleep 600", context.DeadlineExceeded, "start"},
		{"prints garbage", "echo 'not a frame'; read a; read b; echo done >&2; exit 0", ErrProcessExited, "[stdout] not a frame"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(Config{Executable: fakePowerShell(t, tc.body), AllowedCommands: []string{"Get-Date"}, StartTimeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			_, err = h.Ready(testCtx(t))
			var pe *ProcessError
			if !errors.Is(err, ErrStart) || !errors.Is(err, tc.wantErr) || !errors.As(err, &pe) {
				t.Fatalf("err = %v, want ErrStart and %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error lacks %q: %v", tc.wantText, err)
			}
			// Invoke reports the same kind of failure from a fresh attempt.
			if _, err := h.Invoke(testCtx(t), Command{Name: "Get-Date"}); !errors.Is(err, ErrStart) {
				t.Errorf("Invoke: %v, want ErrStart", err)
			}
		})
	}
}

// TestWrongReplyIsAProtocolError: a process that answers with another id is killed.
func TestWrongReplyIsAProtocolError(t *testing.T) {
	// Reads the bootstrap and the init message, takes the nonce from the init message,
	// sends a ready frame, then answers the first request as request 99.
	body := `read script; read init
nonce=$(printf '%s' "$init" | base64 -d | sed 's/.*"nonce":"\([0-9a-f]*\)".*/\1/')
printf '%s 0 %s\n' "$nonce" "$(printf '{"type":"ready","pid":1}' | base64 | tr -d '\n')"
read req
printf '%s 99 %s\n' "$nonce" "$(printf '{"meta":{"id":99}}' | base64 | tr -d '\n')"
sleep 600`
	h, err := New(Config{Executable: fakePowerShell(t, body), AllowedCommands: []string{"Get-Date"}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Ready(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	_, err = h.Invoke(testCtx(t), Command{Name: "Get-Date"})
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "reply 99 to request 1") {
		t.Fatalf("err = %v, want ErrProtocol", err)
	}
}
