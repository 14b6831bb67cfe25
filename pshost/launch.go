package pshost

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// stage1 is the only script passed on the command line (as -EncodedCommand). It reads one
// line from stdin, the base64 of bootstrap.ps1, and runs it. It holds no data; it is
// written for Windows PowerShell 3.0 and later.
const stage1 = `$ErrorActionPreference = 'Stop'; $l = [Console]::In.ReadLine(); if ($l -eq $null) { exit 2 }; & ([scriptblock]::Create([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($l)))); exit 0`

// encodeCommand returns s as -EncodedCommand wants it: base64 of UTF-16LE.
func encodeCommand(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// launchArgs are the arguments given to every PowerShell process, for Windows PowerShell
// 3.0-5.1 and PowerShell 7 alike. -OutputFormat Text keeps stderr free of CLIXML, which
// PowerShell otherwise writes when the command is encoded and stderr is redirected.
func launchArgs() []string {
	return []string{
		"-NoLogo", "-NoProfile", "-NonInteractive",
		"-ExecutionPolicy", "Bypass",
		"-OutputFormat", "Text",
		"-EncodedCommand", encodeCommand(stage1),
	}
}

// platform describes the machine for executable selection, so that the Windows choice can
// be tested anywhere.
type platform struct {
	goos   string
	goarch string
	getenv func(string) string
	exists func(string) bool
	// lookPath finds a bare program name on PATH.
	lookPath func(string) (string, error)
}

func hostPlatform(goos, goarch string) platform {
	return platform{
		goos:   goos,
		goarch: goarch,
		getenv: os.Getenv,
		exists: func(p string) bool {
			fi, err := os.Stat(p)
			return err == nil && !fi.IsDir()
		},
		lookPath: exec.LookPath,
	}
}

// is32BitArch reports whether a Go program for goarch is a 32-bit process (which Windows
// runs under WOW64 on a 64-bit system).
func is32BitArch(goarch string) bool {
	switch goarch {
	case "386", "arm":
		return true
	}
	return false
}

// windowsPowerShellPath returns the absolute path of the 64-bit Windows PowerShell
// (powershell.exe), never found through PATH. A 32-bit process on 64-bit Windows sees the
// 32-bit System32 through WOW64 file redirection, so it goes through Sysnative, which
// exists only for such processes.
func windowsPowerShellPath(p platform) string {
	root := p.getenv("SystemRoot")
	if root == "" {
		root = p.getenv("windir")
	}
	if root == "" {
		root = `C:\Windows`
	}
	root = strings.TrimRight(root, `\/`)
	const rel = `\WindowsPowerShell\v1.0\powershell.exe`
	if is32BitArch(p.goarch) {
		if native := root + `\Sysnative` + rel; p.exists(native) {
			return native
		}
	}
	return root + `\System32` + rel
}

// findExecutable picks the PowerShell to run. A configured path is used as it is (a bare
// name is looked up on PATH). Otherwise: on Windows the 64-bit Windows PowerShell by
// absolute path (the Lync modules need it); elsewhere pwsh on PATH, then
// ~/.dotnet/tools/pwsh (PowerShell installed as a .NET global tool).
func findExecutable(configured string, p platform) (string, error) {
	if configured != "" {
		if strings.ContainsAny(configured, `/\`) || filepath.IsAbs(configured) {
			return configured, nil
		}
		path, err := p.lookPath(configured)
		if err != nil {
			return "", fmt.Errorf("find PowerShell %q: %w", configured, err)
		}
		return path, nil
	}
	if p.goos == "windows" {
		return windowsPowerShellPath(p), nil
	}
	if path, err := p.lookPath("pwsh"); err == nil {
		return path, nil
	}
	if home := p.getenv("HOME"); home != "" {
		if tool := filepath.Join(home, ".dotnet", "tools", "pwsh"); p.exists(tool) {
			return tool, nil
		}
	}
	return "", errors.New("find PowerShell: pwsh is not on PATH nor in ~/.dotnet/tools; set Config.Executable")
}
