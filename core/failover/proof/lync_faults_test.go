package proof_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcfailover/core/report"
)

// lyncFault is one LyncSim fault (module/LyncSim/README.md, "Faults"), written into the
// state file before the run as Add-LyncSimFault would.
type lyncFault struct {
	Cmdlet      string  `json:"cmdlet"`
	Times       int     `json:"times"`
	When        string  `json:"when"`
	Message     string  `json:"message"`
	ErrorID     string  `json:"errorId"`
	Category    string  `json:"category"`
	HangSeconds float64 `json:"hangSeconds"`
	Triggered   int     `json:"triggered"`
}

func (p *proofLab) addLyncFault(t testing.TB, f lyncFault) {
	t.Helper()
	b, err := os.ReadFile(p.info.Lync.State)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	faults, _ := st["faults"].([]any)
	st["faults"] = append(faults, f)
	if b, err = json.MarshalIndent(st, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.info.Lync.State, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (p *proofLab) lyncCalls(t testing.TB, cmdlet string) (ok, failed int) {
	for _, c := range p.lync(t).CallLog {
		if c.Cmdlet == cmdlet {
			if c.Outcome == "ok" {
				ok++
			} else {
				failed++
			}
		}
	}
	return ok, failed
}

// TestFaultLyncCmdletsFail (FAULTS.md row 14): a Lync cmdlet fails. Before its effect: the
// run stops (exit 1, LyncError naming the cmdlet), the steps before it stay done, and a
// re-run finishes. After its effect (the outcome looks failed but the change was made):
// the step reads the state back, sees the effect and does not run the cmdlet again.
func TestFaultLyncCmdletsFail(t *testing.T) {
	cases := []struct {
		cmdlet, when string
		wantExit     []int // of the first run
	}{
		{"Set-CsPersistentChatState", "before", []int{1}},
		{"Install-CsMirrorDatabase", "before", []int{1}},
		{"Set-CsPersistentChatActiveServer", "before", []int{1}},
		{"Set-CsPersistentChatState", "after", []int{0, 1}},
		{"Install-CsMirrorDatabase", "after", []int{0, 1}},
		{"Get-CsPersistentChatState", "before", []int{1}},
	}
	for _, tc := range cases {
		t.Run(tc.cmdlet+"/"+tc.when, func(t *testing.T) {
			p := startLab(t, smallScenario("lync-fault", false))
			p.addLyncFault(t, lyncFault{Cmdlet: tc.cmdlet, Times: 1, When: tc.when, Message: "Injected: the Central Management store did not answer in time.", Category: "OperationTimeout"})
			r := p.failover(t, nil)
			okExit := false
			for _, c := range tc.wantExit {
				okExit = okExit || r.code == c
			}
			if !okExit || r.rep == nil {
				t.Fatalf("first run: %s", r)
			}
			if r.code != 0 {
				if len(r.rep.Errors) == 0 || r.rep.Errors[0].Code != report.CodeLyncError || !strings.Contains(r.rep.Errors[0].Message, "Injected") {
					t.Fatalf("errors %+v", r.rep.Errors)
				}
				// The SQL half is done and stays done.
				if db := p.backupDB(t); db.State != "ONLINE" || db.Txn != p.wantTxn() {
					t.Fatalf("backup database %s with %d transactions", db.State, db.Txn)
				}
				r = p.failover(t, nil)
				if r.code != 0 {
					t.Fatalf("re-run: %s", r)
				}
			}
			p.checkFailedOver(t, p.wantTxn(), true)
			if tc.when == "after" {
				ok, failed := p.lyncCalls(t, tc.cmdlet)
				if ok+failed != 1 {
					t.Fatalf("%s ran %d times (%d failed): retried after its effect was made", tc.cmdlet, ok+failed, failed)
				}
			}
		})
	}
}

// TestFaultPowerShellHostDiesMidCmdlet (row 13): the PowerShell process running the Lync
// cmdlets is killed while Set-CsPersistentChatState runs. The run stops or recovers by
// reading the state back; never a blind retry; a re-run finishes.
func TestFaultPowerShellHostDiesMidCmdlet(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("finds the PowerShell child through /proc")
	}
	for _, cmdlet := range []string{"Set-CsPersistentChatState", "Install-CsMirrorDatabase"} {
		t.Run(cmdlet, func(t *testing.T) {
			p := startLab(t, smallScenario("pwsh-dies", false))
			p.addLyncFault(t, lyncFault{Cmdlet: cmdlet, Times: 1, When: "before", HangSeconds: 120})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := p.command(ctx, t, nil, "failover", "--request", p.request, "--output", "json")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := 0
			for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && killed == 0; time.Sleep(100 * time.Millisecond) {
				if p.faultTriggered(t) {
					for _, pid := range descendants(cmd.Process.Pid) {
						if pr, err := os.FindProcess(pid); err == nil && pr.Kill() == nil {
							killed++
						}
					}
				}
			}
			err := cmd.Wait()
			r := finish(t, cmd, &out, &errb, err, start)
			if killed == 0 {
				t.Fatalf("the cmdlet never started: %s", r)
			}
			t.Logf("killed %d PowerShell processes mid-%s; the run: %s", killed, cmdlet, r)
			if r.code != 0 && (r.rep == nil || len(r.rep.Errors) == 0 || r.rep.Errors[0].Code != report.CodeLyncError) {
				t.Fatalf("first run: %s", r)
			}
			if ok, _ := p.lyncCalls(t, cmdlet); ok > 0 && r.code != 0 {
				t.Logf("%s completed before the host died", cmdlet)
			}
			if r.code != 0 {
				if r = p.failover(t, nil); r.code != 0 {
					t.Fatalf("re-run: %s", r)
				}
			}
			p.checkFailedOver(t, p.wantTxn(), true)
		})
	}
}

func (p *proofLab) faultTriggered(t testing.TB) bool {
	b, err := os.ReadFile(p.info.Lync.State)
	if err != nil {
		return false
	}
	var st struct {
		Faults []lyncFault `json:"faults"`
	}
	if json.Unmarshal(b, &st) != nil {
		return false // being rewritten
	}
	for _, f := range st.Faults {
		if f.Triggered > 0 {
			return true
		}
	}
	return false
}

// descendants lists the processes below pid (Linux /proc).
func descendants(pid int) []int {
	children := map[int][]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		self, _ := strconv.Atoi(strings.Fields(s)[0])
		children[ppid] = append(children[ppid], self)
	}
	var out []int
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			out = append(out, c)
			walk(c)
		}
	}
	walk(pid)
	return out
}
