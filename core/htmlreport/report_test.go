package htmlreport_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pcfailover/core/drill"
	"pcfailover/core/failover"
	"pcfailover/core/htmlreport"
	"pcfailover/core/lab"
	"pcfailover/core/request"
)

func startLab(t *testing.T, scenario string) (*request.Request, request.Passwords) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Dir: t.TempDir(), Scenario: scenario})
	if err != nil {
		t.Fatalf("start lab %s: %v", scenario, err)
	}
	t.Cleanup(func() { l.Close() })
	info := l.Info()
	data, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	req, pw, err := request.Load(data, nil, func(k string) string { return info.Env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return req, pw
}

// external matches any attribute or CSS that would fetch something: src/href to a URL,
// url(...), @import. The SVG namespace declaration (xmlns) is not a fetch.
var external = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:|//)|url\(|@import|<script|<link`)

func drills(t *testing.T, n int) (*request.Request, []*drill.Report) {
	t.Helper()
	req, pw := startLab(t, "disaster")
	var reps []*drill.Report
	for i := 0; i < n; i++ {
		if i > 0 {
			time.Sleep(1100 * time.Millisecond) // one-second resolution of the copy's name
		}
		rep := drill.Run(context.Background(), drill.Config{Request: req, Passwords: pw})
		if rep.ExitCode != 0 {
			t.Fatalf("drill %d: %s %+v", i, rep.Outcome, rep.Errors)
		}
		reps = append(reps, rep)
	}
	return req, reps
}

func TestDrillReportHTMLAndMarkdown(t *testing.T) {
	req, reps := drills(t, 2)
	last := reps[len(reps)-1]
	for _, dir := range []string{last.RunDirectory, req.RunDirectory, filepath.Join(last.RunDirectory, drill.ReportFileName)} {
		run, err := htmlreport.Load(dir)
		if err != nil {
			t.Fatalf("load %s: %v", dir, err)
		}
		if run.Doc.Drill == nil || run.Doc.RunID != last.RunID || len(run.History) != 2 {
			t.Fatalf("load %s: run %s, drill %v, history %d", dir, run.Doc.RunID, run.Doc.Drill != nil, len(run.History))
		}
	}
	run, _ := htmlreport.Load(last.RunDirectory)
	var html strings.Builder
	if err := htmlreport.WriteHTML(&html, run, time.Now()); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, want := range []string{"<svg", "RTO (seconds)", "RPO (minutes)", last.Drill.Database, "restore-logs", "DBCC CHECKDB", "passed", "Drill history", "<h2>Folders</h2>", `<code>E:\LSCopy</code>`, `<code>\\SQLPCPRI\LogShip</code>`} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if m := external.FindString(h); m != "" {
		t.Errorf("HTML references an external asset: %q", m)
	}
	var md strings.Builder
	if err := htmlreport.WriteMarkdown(&md, run, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# pcfailover drill", "| restore-logs |", "data:image/svg+xml;base64,", "## Steps", "| phase | seconds | share |", "## Folders", "| copyDestination (SQLPCBAK) | `E:\\LSCopy` |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(md.String(), "&lt;") || strings.Contains(md.String(), "&#") {
		t.Error("Markdown is HTML-escaped")
	}
}

func TestFailoverReportFromJournal(t *testing.T) {
	req, pw := startLab(t, "disaster")
	rep := failover.Failover(context.Background(), failover.Config{Request: req, Passwords: pw, JobWait: time.Minute})
	if rep.ExitCode != 0 {
		t.Fatalf("failover %s %+v", rep.Outcome, rep.Errors)
	}
	run, err := htmlreport.Load(req.RunDirectory)
	if err != nil {
		t.Fatal(err)
	}
	if run.Doc.Command != "failover" || run.Doc.Outcome != "succeeded" || run.Doc.Drill != nil || run.Doc.RunID != rep.RunID {
		t.Fatalf("rebuilt %s %s %s", run.Doc.Command, run.Doc.Outcome, run.Doc.RunID)
	}
	done := 0
	for _, s := range run.Doc.Steps {
		if s.Status == "done" {
			done++
		}
	}
	if done < 5 {
		t.Errorf("only %d done steps rebuilt: %+v", done, run.Doc.Steps)
	}
	if s := run.Doc.StepByID(failover.StepRecover); s == nil || s.Name == s.ID || s.RunbookStep != 4 {
		t.Errorf("step names not restored: %+v", s)
	}
	var html strings.Builder
	if err := htmlreport.WriteHTML(&html, run, time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "recover-database") || strings.Contains(html.String(), "<svg") {
		t.Error("failover report: missing step or unexpected chart")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := htmlreport.Load(dir); err == nil || !strings.Contains(err.Error(), "no report.json") {
		t.Errorf("empty dir: %v", err)
	}
	bad := filepath.Join(dir, "x.json")
	os.WriteFile(bad, []byte(`{"foo":1}`), 0o600)
	if _, err := htmlreport.Load(bad); err == nil {
		t.Error("non-report JSON accepted")
	}
	if _, err := htmlreport.Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing path accepted")
	}
}

// TestHTMLReportRendersInChromium renders a drill report and screenshots it with headless
// Chromium (scripts/report-screenshot.sh). Bootstrap installs chromium in CI.
func TestHTMLReportRendersInChromium(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not on PATH: run scripts/bootstrap.sh with CI=true or PCFAILOVER_INSTALL_CHROMIUM=1")
	}
	_, reps := drills(t, 3)
	run, err := htmlreport.Load(reps[len(reps)-1].RunDirectory)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	page := filepath.Join(out, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := htmlreport.WriteHTML(f, run, time.Now()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	png := filepath.Join(out, "report.png")
	if dst := os.Getenv("PCFAILOVER_SCREENSHOT"); dst != "" {
		png = dst
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "..", "scripts", "report-screenshot.sh"), page, png)
	cmd.Env = append(os.Environ(), "PCFAILOVER_NO_INSTALL=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("report-screenshot.sh: %v\n%s", err, b)
	}
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Fatalf("%s is not a PNG", png)
	}
	// A blank page compresses to almost nothing; the report with its chart does not.
	if len(b) < 20000 {
		t.Errorf("screenshot is only %d bytes: the page looks blank", len(b))
	}
}
