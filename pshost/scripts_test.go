package pshost

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// psFiles are the PowerShell files of this package; all must run on Windows PowerShell 3.0.
func psFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.ps1", filepath.Join("testdata", "*.ps1"), filepath.Join("testdata", "*", "*.ps*1")} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 4 {
		t.Fatalf("found only %v", files)
	}
	return files
}

func TestScriptsAreASCII(t *testing.T) {
	for _, f := range psFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range b {
			if c > 0x7e || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
				t.Errorf("%s: byte %d is 0x%02x; PowerShell files must be ASCII", f, i, c)
				break
			}
		}
	}
	if strings.ContainsAny(stage1, "\n\r\"") {
		t.Error("stage1 must be one line without double quotes")
	}
}

// TestScriptsUseOnlyPS3Syntax parses every script with PowerShell's own parser and
// rejects syntax that Windows PowerShell 3.0 lacks.
func TestScriptsUseOnlyPS3Syntax(t *testing.T) {
	pwsh := testPwsh(t)
	files := psFiles(t)
	check := filepath.Join("testdata", "Test-PS3Syntax.ps1")
	args := append([]string{"-NoLogo", "-NoProfile", "-NonInteractive", "-File", check}, files...)
	out, err := exec.Command(pwsh, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", check, err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("syntax Windows PowerShell 3.0 cannot run:\n%s", s)
	}
	// The checker itself must find what it looks for.
	bad := filepath.Join(t.TempDir(), "bad.ps1")
	src := "class C {}\n$a = $b ?? 1\n$x = [string]::new('a')\n${y}?.Name\nls && ls\n$z = $IsWindows\n"
	if err := os.WriteFile(bad, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-File", check, bad).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"class", "??", "::new", "?.", "&&", "$IsWindows"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("checker missed %s:\n%s", want, out)
		}
	}
}
