package pshost

import (
	"encoding/base64"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

func fakePlatform(goos, goarch string, env map[string]string, files ...string) platform {
	exists := make(map[string]bool, len(files))
	for _, f := range files {
		exists[f] = true
	}
	return platform{
		goos:   goos,
		goarch: goarch,
		getenv: func(k string) string { return env[k] },
		exists: func(p string) bool { return exists[p] },
		lookPath: func(name string) (string, error) {
			if p, ok := env["PATH:"+name]; ok {
				return p, nil
			}
			return "", exec.ErrNotFound
		},
	}
}

func TestFindExecutable(t *testing.T) {
	const (
		sys32     = `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
		sysnative = `C:\Windows\Sysnative\WindowsPowerShell\v1.0\powershell.exe`
	)
	tests := []struct {
		name       string
		configured string
		p          platform
		want       string
		wantErr    bool
	}{
		{"windows amd64 uses System32 by absolute path",
			"", fakePlatform("windows", "amd64", map[string]string{"SystemRoot": `C:\Windows`, "PATH:powershell.exe": `C:\evil\powershell.exe`}), sys32, false},
		{"windows arm64 uses System32",
			"", fakePlatform("windows", "arm64", map[string]string{"SystemRoot": `C:\Windows`}), sys32, false},
		{"32-bit Go on 64-bit Windows goes through Sysnative",
			"", fakePlatform("windows", "386", map[string]string{"SystemRoot": `C:\Windows`}, sysnative), sysnative, false},
		{"32-bit Go on 32-bit Windows (no Sysnative) uses System32",
			"", fakePlatform("windows", "386", map[string]string{"SystemRoot": `C:\Windows`}), sys32, false},
		{"SystemRoot with a trailing backslash",
			"", fakePlatform("windows", "amd64", map[string]string{"SystemRoot": `D:\WINNT\`}), `D:\WINNT\System32\WindowsPowerShell\v1.0\powershell.exe`, false},
		{"windir when SystemRoot is missing",
			"", fakePlatform("windows", "amd64", map[string]string{"windir": `E:\Win`}), `E:\Win\System32\WindowsPowerShell\v1.0\powershell.exe`, false},
		{"C:\\Windows when both are missing",
			"", fakePlatform("windows", "amd64", nil), sys32, false},
		{"configured absolute Windows path is kept",
			`C:\Program Files\PowerShell\7\pwsh.exe`, fakePlatform("windows", "amd64", nil), `C:\Program Files\PowerShell\7\pwsh.exe`, false},
		{"configured UNC path is kept",
			`\\server\share\pwsh.exe`, fakePlatform("windows", "amd64", nil), `\\server\share\pwsh.exe`, false},
		{"configured bare name is looked up",
			"pwsh", fakePlatform("linux", "amd64", map[string]string{"PATH:pwsh": "/opt/microsoft/powershell/7/pwsh"}), "/opt/microsoft/powershell/7/pwsh", false},
		{"configured bare name not found",
			"pwsh-preview", fakePlatform("linux", "amd64", nil), "", true},
		{"linux pwsh on PATH",
			"", fakePlatform("linux", "amd64", map[string]string{"PATH:pwsh": "/usr/bin/pwsh", "HOME": "/root"}, "/root/.dotnet/tools/pwsh"), "/usr/bin/pwsh", false},
		{"linux pwsh as a dotnet tool",
			"", fakePlatform("linux", "amd64", map[string]string{"HOME": "/root"}, "/root/.dotnet/tools/pwsh"), "/root/.dotnet/tools/pwsh", false},
		{"linux without pwsh",
			"", fakePlatform("linux", "amd64", map[string]string{"HOME": "/root"}), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findExecutable(tc.configured, tc.p)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func decodeUTF16LE(t *testing.T, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%2 != 0 {
		t.Fatalf("odd length %d", len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

func TestLaunchArgs(t *testing.T) {
	args := launchArgs()
	want := []string{"-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-OutputFormat", "Text", "-EncodedCommand"}
	if diff := cmp.Diff(want, args[:len(args)-1]); diff != "" {
		t.Errorf("switches (-want +got):\n%s", diff)
	}
	if got := decodeUTF16LE(t, args[len(args)-1]); got != stage1 {
		t.Errorf("-EncodedCommand decodes to %q, want stage1", got)
	}
	// Windows' CreateProcess limit is 32767 characters for the whole command line.
	if n := len(strings.Join(args, " ")); n > 4000 {
		t.Errorf("command line is %d characters; keep the stage-1 bootstrap small", n)
	}
	for _, a := range args {
		if strings.ContainsAny(a, " \"'") && a != args[len(args)-1] {
			t.Errorf("argument %q needs quoting on Windows", a)
		}
	}
}

func TestEncodeCommandNonASCII(t *testing.T) {
	for _, s := range []string{"", "Write-Output 'x'", "Zoë \U0001F600"} {
		if got := decodeUTF16LE(t, encodeCommand(s)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	exe := "/bin/sh" // any existing path: New does not run it
	tests := []struct {
		name string
		cfg  Config
	}{
		{"command with a space", Config{Executable: exe, AllowedCommands: []string{"Get-Item; Remove-Item"}}},
		{"command with a quote", Config{Executable: exe, AllowedCommands: []string{"Get-Item'"}}},
		{"empty command", Config{Executable: exe, AllowedCommands: []string{""}}},
		{"empty module", Config{Executable: exe, Modules: []string{" "}}},
		{"module with a newline", Config{Executable: exe, Modules: []string{"Lync\nRemove-Item"}}},
		{"bad env", Config{Executable: exe, Env: []string{"NOEQUALS"}}},
		{"depth too large", Config{Executable: exe, OutputDepth: 101}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if h, err := New(tc.cfg); err == nil {
				h.Close()
				t.Error("New accepted it")
			}
		})
	}
	h, err := New(Config{Executable: exe, AllowedCommands: []string{"Get-CsPool", `Lync\Get-CsService`, "Set-CsPersistentChatState"}})
	if err != nil {
		t.Fatalf("New with good names: %v", err)
	}
	defer h.Close()
	for _, prm := range []string{"-Force", "Force Now", "", "Fo'rce"} {
		_, err := h.Invoke(t.Context(), Command{Name: "Get-CsPool", Parameters: []Parameter{{prm, Null()}}})
		if err == nil || errors.Is(err, ErrNotAllowed) {
			t.Errorf("parameter name %q: err = %v, want a parameter error", prm, err)
		}
	}
	_, err = h.Invoke(t.Context(), Command{Name: "Get-CsPool", Parameters: []Parameter{{"Identity", Null()}, {"identity", Null()}}})
	if err == nil {
		t.Error("duplicate parameter accepted")
	}
}
