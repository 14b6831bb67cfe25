package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runLab runs the CLI in-process with the lab's environment.
func (c *cliLab) runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range c.info.Env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"pcfailover"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDrillThenReportCLI(t *testing.T) {
	c := startCLILab(t, "disaster")
	code, out, errs := c.runIn(t, "drill", "--request", c.request, "--output", "json")
	if code != 0 {
		t.Fatalf("drill exit %d: %s\n%s", code, errs, out)
	}
	var rep struct {
		Outcome      string `json:"outcome"`
		RunDirectory string `json:"runDirectory"`
		Drill        struct {
			RPOSeconds  float64 `json:"rpoSeconds"`
			RTOSeconds  float64 `json:"rtoSeconds"`
			LogsApplied int     `json:"logsApplied"`
			Dropped     bool    `json:"dropped"`
		} `json:"drill"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != "succeeded" || rep.Drill.RPOSeconds <= 0 || rep.Drill.LogsApplied != 12 || !rep.Drill.Dropped {
		t.Fatalf("drill report: %+v", rep)
	}
	html := filepath.Join(t.TempDir(), "r.html")
	if code, out, errs := c.runIn(t, "report", "--run", rep.RunDirectory, "--format", "html", "--out", html); code != 0 || strings.TrimSpace(out) != html {
		t.Fatalf("report exit %d: %s %s", code, out, errs)
	}
	b, _ := os.ReadFile(html)
	if !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "restore-logs") {
		t.Error("HTML report without chart or steps")
	}
	code, out, _ = c.runIn(t, "report", "--run", filepath.Dir(filepath.Dir(rep.RunDirectory)), "--format", "md")
	if code != 0 || !strings.HasPrefix(out, "# pcfailover drill") {
		t.Errorf("md report exit %d: %.200s", code, out)
	}
}

func TestStatusCLIExitCodes(t *testing.T) {
	tests := []struct {
		scenario string
		output   string
		exit     int
		want     []string
	}{
		{"clean", "json", 0, []string{`"health": "ok"`, `"exitCode": 0`}},
		{"lagging", "prometheus", 6, []string{`pcfailover_status_health{pool="pchat.contoso.com",database="mgc"} 3`, `pcfailover_files_waiting{pool="pchat.contoso.com",database="mgc",stage="restore"} 200`}},
		{"gap", "text", 6, []string{"CRITICAL (exit 6)", "Chain        BROKEN"}},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			c := startCLILab(t, tc.scenario)
			prom := filepath.Join(t.TempDir(), "pcfailover.prom")
			code, out, errs := c.runIn(t, "status", "--request", c.request, "--output", tc.output, "--prometheus-file", prom)
			if code != tc.exit {
				t.Fatalf("exit %d, want %d: %s\n%s", code, tc.exit, errs, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if b, err := os.ReadFile(prom); err != nil || !strings.Contains(string(b), "# TYPE pcfailover_status_health gauge") {
				t.Errorf("prometheus file: %v %.100s", err, b)
			}
			if pw := c.info.Env["PCFAILOVER_LAB_BACKUP_PASSWORD"]; pw != "" && (strings.Contains(out, pw) || strings.Contains(errs, pw)) {
				t.Error("password printed")
			}
		})
	}
}

func TestDrillStatusReportUsageErrors(t *testing.T) {
	c := startCLILab(t, "clean")
	for _, args := range [][]string{
		{"status", "--request", c.request, "--output", "xml"},
		{"drill", "--request", c.request, "--scratch-dir", "relative/dir"},
		{"report", "--run", t.TempDir(), "--format", "pdf"},
		{"report", "--run", t.TempDir()},
		{"drill"},
	} {
		if code, out, errs := c.runIn(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s %s", args, code, out, errs)
		}
	}
}
