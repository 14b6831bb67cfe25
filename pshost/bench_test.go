package pshost

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkInvoke measures one command on a warm host: request encoding, the pipe round
// trip, parameter binding in PowerShell, ConvertTo-Json and reply decoding. Besides the
// mean (ns/op) it reports the median (median-ms), which a shared, loaded machine skews
// less: a few commands descheduled for tens of milliseconds move the mean, not the median.
func BenchmarkInvoke(b *testing.B) {
	h := newTestHost(b, nil)
	ctx := context.Background()
	if _, err := h.Ready(ctx); err != nil {
		b.Fatal(err)
	}
	cmd := Command{Name: "Get-PshText", Parameters: []Parameter{{"Text", String("sip:alice@contoso.com")}}}
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		res, err := h.Invoke(ctx, cmd)
		took = append(took, time.Since(start))
		if err != nil || len(res.Output) != 1 {
			b.Fatalf("%v %v", res, err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2])/float64(time.Millisecond), "median-ms")
}

// BenchmarkNewProcessPerCommand is the alternative the host replaces: one PowerShell
// process per command, importing the module each time.
func BenchmarkNewProcessPerCommand(b *testing.B) {
	pwsh := testPwsh(b)
	script := "Import-Module '" + testModule(b) + "'; Get-PshText -Text 'sip:alice@contoso.com' | ConvertTo-Json -Compress"
	b.ResetTimer()
	for b.Loop() {
		out, err := exec.Command(pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", script).Output()
		if err != nil || !strings.Contains(string(out), "alice") {
			b.Fatalf("%s %v", out, err)
		}
	}
}

// BenchmarkColdStart measures New + Ready + one command + Close: what the first command
// of a run costs without warm-up.
func BenchmarkColdStart(b *testing.B) {
	pwsh := testPwsh(b)
	ctx := context.Background()
	for b.Loop() {
		h, err := New(Config{Executable: pwsh, Modules: []string{testModule(b)}, AllowedCommands: testCommands})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := h.Invoke(ctx, Command{Name: "Get-PshProcessId"}); err != nil {
			b.Fatal(err)
		}
		_ = h.Close()
	}
}
