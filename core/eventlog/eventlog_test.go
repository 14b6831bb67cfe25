package eventlog

import (
	"strings"
	"testing"
	"time"

	"pcfailover/core/report"
	"pcfailover/core/status"
)

func run(command, outcome string) *report.Report {
	return &report.Report{
		Command: command, Outcome: outcome, ExitCode: report.ExitCode(outcome), RunID: "run-1",
		PoolFQDN: "pchat.contoso.com", Database: "mgc", RunDirectory: `C:\ProgramData\pcfailover\runs\pchat.contoso.com`,
		StartedAt: time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC), DurationMs: 90_000,
	}
}

func TestEveryRunOutcomeHasItsStableIDAndLevel(t *testing.T) {
	cases := []struct {
		command, outcome string
		dataLoss         bool
		id               uint32
		level            Level
	}{
		{"failover", report.OutcomeSucceeded, false, 100, Information},
		{"failover", report.OutcomeSucceeded, true, 101, Warning},
		{"failover", report.OutcomeBlocked, false, 102, Error},
		{"failover", report.OutcomeFailed, false, 103, Error},
		{"failover", report.OutcomeFailed, true, 103, Error},
		{"failover", report.OutcomeInterrupted, false, 104, Warning},
		{"failback", report.OutcomeSucceeded, false, 200, Information},
		{"failback", report.OutcomeSucceeded, true, 201, Warning},
		{"failback", report.OutcomeBlocked, false, 202, Error},
		{"failback", report.OutcomeFailed, false, 203, Error},
		{"failback", report.OutcomeInterrupted, false, 204, Warning},
		{"drill", report.OutcomeSucceeded, false, 300, Information},
		{"drill", report.OutcomeBlocked, false, 302, Error},
		{"drill", report.OutcomeFailed, false, 303, Error},
		{"drill", report.OutcomeInterrupted, false, 304, Warning},
	}
	seen := map[uint32]bool{}
	for _, c := range cases {
		rep := run(c.command, c.outcome)
		if c.dataLoss {
			rep.DataLoss = &report.DataLoss{Accepted: true, Description: "log backups 41-43 (12 minutes) are lost"}
		}
		ev, ok := ForReport(rep)
		if !ok {
			t.Fatalf("%s %s: no event", c.command, c.outcome)
		}
		if ev.ID != c.id || ev.Level != c.level {
			t.Errorf("%s %s (data loss %v): event %d %s, want %d %s", c.command, c.outcome, c.dataLoss, ev.ID, ev.Level, c.id, c.level)
		}
		if ev.ID > 1000 {
			t.Errorf("event ID %d is above 1000, which EventCreate.exe's message file cannot show", ev.ID)
		}
		if !strings.HasPrefix(ev.Message, "pcfailover "+c.command+" of pool pchat.contoso.com (database mgc): "+c.outcome+".") {
			t.Errorf("message does not start with the outcome:\n%s", ev.Message)
		}
		if c.dataLoss && !strings.Contains(ev.Message, "Data loss accepted: log backups 41-43 (12 minutes) are lost") {
			t.Errorf("message does not state the loss:\n%s", ev.Message)
		}
		seen[ev.ID] = true
	}
	if len(seen) != 14 {
		t.Errorf("%d distinct IDs, want 14", len(seen))
	}
}

func TestPlansAndInvalidRequestsWriteNoEvent(t *testing.T) {
	for _, rep := range []*report.Report{
		nil,
		run("plan", report.OutcomePlanned),
		run("failback-plan", report.OutcomePlanned),
		run("failover", report.OutcomePlanned),
		run("failover", report.OutcomeInvalid),
		run("drill", "no-such-outcome"),
	} {
		if ev, ok := ForReport(rep); ok {
			t.Errorf("%+v gave event %+v", rep, ev)
		}
	}
}

func TestMessageNamesErrorsWarningsNextStepsAndIsBounded(t *testing.T) {
	rep := run("failover", report.OutcomeBlocked)
	rep.Errors = []report.Error{{Code: "PCFailover.GapInLogChain", Message: "the log chain breaks after mgc_1.trn", Target: "mgc_2.trn"}}
	rep.Warnings = []string{"The compliance database mgccomp is not failed over."}
	rep.NextSteps = []string{"Restore the missing log backup, or rerun with -AcceptDataLoss."}
	ev, _ := ForReport(rep)
	for _, want := range []string{
		"Error PCFailover.GapInLogChain: the log chain breaks after mgc_1.trn (mgc_2.trn)",
		"Warning: The compliance database mgccomp is not failed over.",
		"Next step: Restore the missing log backup",
		"Run run-1, started 2026-12-04T03:00:00Z, 1m30s, exit code 3",
	} {
		if !strings.Contains(ev.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, ev.Message)
		}
	}
	rep.Warnings = []string{strings.Repeat("w", 40000)}
	ev, _ = ForReport(rep)
	if len(ev.Message) > maxMessage+len(" [truncated]") || !strings.HasSuffix(ev.Message, " [truncated]") {
		t.Errorf("a %d-character message was not cut to the Event Log's limit", len(ev.Message))
	}
}

func TestStatusHealthMapsToItsEvent(t *testing.T) {
	cases := []struct {
		health string
		id     uint32
		level  Level
	}{
		{status.OK, 400, Information},
		{status.Warning, 401, Warning},
		{status.Critical, 402, Error},
		{status.Unknown, 403, Error},
	}
	for _, c := range cases {
		st := &status.Status{PoolFQDN: "pchat.contoso.com", Database: "mgc", Health: c.health, ExitCode: status.ExitCode(c.health),
			Checks: []status.Check{{Name: "rpo", Health: c.health, Message: "data at risk: 25 minutes"}, {Name: "chain", Health: status.OK, Message: "continuous"}}}
		ev := ForStatus(st)
		if ev.ID != c.id || ev.Level != c.level {
			t.Errorf("%s: event %d %s, want %d %s", c.health, ev.ID, ev.Level, c.id, c.level)
		}
		if c.health != status.OK && !strings.Contains(ev.Message, "Check rpo "+c.health+": data at risk: 25 minutes") {
			t.Errorf("%s: message lacks the failing check:\n%s", c.health, ev.Message)
		}
		if strings.Contains(ev.Message, "Check chain") {
			t.Errorf("%s: message lists a check that is ok:\n%s", c.health, ev.Message)
		}
	}
	if ev := ForStatus(nil); ev.ID != StatusUnknown || ev.Level != Error {
		t.Errorf("nil status: %+v", ev)
	}
}

func TestSourceMissingErrorSaysHowToRegisterIt(t *testing.T) {
	err := &SourceMissingError{Source: Source}
	if !strings.Contains(err.Error(), "Install-PCFailoverEventSource") || !strings.Contains(err.Error(), "PCFailover") {
		t.Errorf("unhelpful: %v", err)
	}
}
