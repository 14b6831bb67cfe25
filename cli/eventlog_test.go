package main

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"pcfailover/core/eventlog"
)

// recordingLog stands in for the Windows Event Log: it keeps what the CLI writes.
type recordingLog struct {
	mu     sync.Mutex
	events []eventlog.Event
	fail   error
}

func (r *recordingLog) Write(ev eventlog.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.events = append(r.events, ev)
	return nil
}

func (r *recordingLog) Close() error { return nil }

func useEventLog(t *testing.T, open func(string) (eventlog.Writer, error)) {
	t.Helper()
	saved := openEventLog
	openEventLog = open
	t.Cleanup(func() { openEventLog = saved })
}

// TestOutcomesGoToTheEventLog runs drill, status, plan and failover through the CLI against
// a lab and checks the events each wrote (the writer is the only stand-in: on Windows it is
// the Application log).
func TestOutcomesGoToTheEventLog(t *testing.T) {
	rec := &recordingLog{}
	useEventLog(t, func(source string) (eventlog.Writer, error) {
		if source != "PCFailover" {
			t.Errorf("source %q", source)
		}
		return rec, nil
	})
	c := startCLILab(t, "disaster")
	steps := []struct {
		args []string
		id   uint32
		none bool
	}{
		{[]string{"drill", "--request", c.request, "--output", "json"}, eventlog.DrillSucceeded, false},
		{[]string{"status", "--request", c.request, "--output", "json"}, 0, false},
		{[]string{"plan", "--request", c.request, "--output", "json"}, 0, true},
		{[]string{"failover", "--request", c.request, "--output", "json"}, eventlog.FailoverSucceeded, false},
	}
	for _, s := range steps {
		before := len(rec.events)
		code, out, errs := c.runIn(t, s.args...)
		if s.args[0] != "status" && code != 0 {
			t.Fatalf("%s exit %d: %s\n%.500s", s.args[0], code, errs, out)
		}
		got := rec.events[before:]
		if s.none {
			if len(got) != 0 {
				t.Errorf("%s wrote %+v", s.args[0], got)
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("%s wrote %d events, want 1", s.args[0], len(got))
		}
		ev := got[0]
		if s.args[0] == "status" {
			var st struct {
				Health   string `json:"health"`
				ExitCode int    `json:"exitCode"`
			}
			if err := json.Unmarshal([]byte(out), &st); err != nil {
				t.Fatal(err)
			}
			want := map[string]uint32{"ok": eventlog.StatusOK, "warning": eventlog.StatusWarning, "critical": eventlog.StatusCritical, "unknown": eventlog.StatusUnknown}[st.Health]
			if ev.ID != want || st.ExitCode != code {
				t.Errorf("status %s (exit %d) wrote event %d, want %d", st.Health, code, ev.ID, want)
			}
			continue
		}
		if ev.ID != s.id || ev.Level != eventlog.Information || !strings.Contains(ev.Message, "pool pchat.contoso.com") {
			t.Errorf("%s wrote %+v", s.args[0], ev)
		}
		for _, secret := range c.info.Env {
			if strings.HasPrefix(secret, "Lab-") && strings.Contains(ev.Message, secret) {
				t.Errorf("%s event holds a password", s.args[0])
			}
		}
	}
}

// TestMissingEventSourceIsOnlyAWarning: a run whose Event Log source is not registered
// keeps its outcome and exit code and says how to register the source.
func TestMissingEventSourceIsOnlyAWarning(t *testing.T) {
	useEventLog(t, func(source string) (eventlog.Writer, error) {
		return nil, &eventlog.SourceMissingError{Source: source}
	})
	c := startCLILab(t, "disaster")
	code, out, errs := c.runIn(t, "drill", "--request", c.request, "--output", "json")
	if code != 0 || !strings.Contains(out, `"outcome": "succeeded"`) {
		t.Fatalf("drill exit %d: %s\n%.300s", code, errs, out)
	}
	if !strings.Contains(errs, "pcfailover: warning: the Event Log source PCFailover is not registered") || !strings.Contains(errs, "Install-PCFailoverEventSource") {
		t.Errorf("no warning on standard error: %q", errs)
	}
	// With --events, the warning is a warn event the module shows as a warning.
	code, _, errs = c.runIn(t, "drill", "--request", c.request, "--output", "json", "--events", "-")
	if code != 0 || !strings.Contains(errs, `"type":"log"`) || !strings.Contains(errs, `"level":"warn"`) || !strings.Contains(errs, "Install-PCFailoverEventSource") {
		t.Errorf("drill --events - exit %d, no warn event: %.1000s", code, errs)
	}
	rec := &recordingLog{fail: errors.New("the event log is full")}
	useEventLog(t, func(string) (eventlog.Writer, error) { return rec, nil })
	code, _, errs = c.runIn(t, "drill", "--request", c.request, "--output", "json")
	if code != 0 || !strings.Contains(errs, "the event log is full") {
		t.Errorf("a failed write changed the outcome or said nothing: exit %d %q", code, errs)
	}
}
