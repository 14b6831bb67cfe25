package lab

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func findPwsh(t *testing.T) string {
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
	t.Skip("pwsh not found")
	return ""
}

func TestLyncStateIsReadByLyncSim(t *testing.T) {
	s, err := BuiltinScenario("disaster")
	if err != nil {
		t.Fatal(err)
	}
	s = s.WithDefaults()
	dir := t.TempDir()
	lo, err := makeLayout(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	info, err := writeLyncState(s, lo, "")
	if err != nil {
		t.Fatal(err)
	}
	if info.Module == "" {
		t.Skip("module/LyncSim/LyncSim.psd1 not found above the test's directory")
	}
	if len(info.DataCenters) != 8 || info.DataCenters["pc5.contoso.com"] != "DC2" || info.BackupDataCenter != "DC2" {
		t.Errorf("lync info = %+v", info)
	}
	pwsh := findPwsh(t)
	// The pool, its state, its stores and its servers as the Lync cmdlets report them.
	script := `$ErrorActionPreference = 'Stop'
Import-Module -Name $env:LAB_TEST_MODULE
$st = Get-CsPersistentChatState -Identity 'service:PersistentChatServer:pchat.contoso.com'
$svc = @(Get-CsService -PersistentChatServer)
$pool = Get-CsPool -Identity 'pchat.contoso.com'
[pscustomobject]@{ PoolState = [string]$st.PoolState; Services = $svc.Count; Computers = @($pool.Computers | ForEach-Object { [string]$_ }) } | ConvertTo-Json -Depth 4 -Compress`
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", script)
	cmd.Env = append(os.Environ(), "LYNCSIM_STATE="+info.State, "LAB_TEST_MODULE="+info.Module)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pwsh: %v\n%s", err, out)
	}
	var got struct {
		PoolState string
		Services  int
		Computers []string
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("pwsh output %q: %v", out, err)
	}
	if got.PoolState != "Normal" || got.Services < 1 || len(got.Computers) != 8 {
		t.Errorf("LyncSim sees %+v, want a Normal pool with 8 computers", got)
	}
}
