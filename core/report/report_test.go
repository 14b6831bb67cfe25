package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"pcfailover/core/lsn"
)

func TestExitCodes(t *testing.T) {
	cases := map[string]int{OutcomeSucceeded: 0, OutcomePlanned: 0, OutcomeFailed: 1, OutcomeInvalid: 2, OutcomeBlocked: 3, OutcomeInterrupted: 4}
	for o, want := range cases {
		if got := ExitCode(o); got != want {
			t.Errorf("%s: %d, want %d", o, got, want)
		}
	}
}

func TestEventsArePureASCIIJSONLinesAndRedacted(t *testing.T) {
	var b bytes.Buffer
	now := func() time.Time { return time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC) }
	e := NewEmitter(&b, now, func(s string) string { return strings.ReplaceAll(s, "s3cret", "********") })
	e.StepStarted("restore-logs", "Apply the remaining log backups")
	e.Statement("restore-logs", "backup", "RESTORE LOG [mgc] FROM DISK = N'D:\\ログ\\mgc_1.trn'")
	e.Log("warn", "login with s3cret failed 😀")
	e.Progress(1, "Applying log backups", "mgc_1.trn (1 of 2)", 50)
	e.StepFinished("restore-logs", StatusDone, 20*time.Millisecond)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		for _, c := range []byte(l) {
			if c >= 0x80 {
				t.Fatalf("non-ASCII byte in %s", l)
			}
		}
		var ev Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if ev.TS != "2026-11-25T18:30:00Z" {
			t.Fatalf("ts %s", ev.TS)
		}
	}
	var st Event
	json.Unmarshal([]byte(lines[1]), &st)
	if !strings.Contains(st.Text, "ログ") {
		t.Fatalf("escaped text does not round-trip: %q", st.Text)
	}
	var lg Event
	json.Unmarshal([]byte(lines[2]), &lg)
	if strings.Contains(lg.Message, "s3cret") || !strings.Contains(lg.Message, "😀") {
		t.Fatalf("log message %q", lg.Message)
	}
	if !strings.Contains(lines[0], `"status":"started"`) {
		t.Fatalf("step start event %s", lines[0])
	}
	var nilEmitter *Emitter
	nilEmitter.Log("info", "ignored")
}

func TestWriteTextShowsStepsGapAndErrors(t *testing.T) {
	need := lsn.MustParse("43000001791200001")
	r := &Report{Command: "failover", PoolFQDN: "pchat.contoso.com", Database: "mgc", Outcome: OutcomeBlocked, ExitCode: 3,
		Steps:    []*Step{{ID: "restore-logs", RunbookStep: 3, Name: "Apply the remaining log backups", Status: StatusBlocked, Detail: "stopped"}},
		Files:    []File{{Name: "mgc_1.trn", Action: ActionAfterGap, FirstLSN: &need, LastLSN: &need}},
		Chain:    &Chain{Gap: &Gap{NeedLSN: need, Description: "the database needs LSN 43000001791200001"}},
		Errors:   []Error{{Code: CodeGapInLogChain, Message: "gap", Target: "mgc_1.trn"}},
		Warnings: []string{ComplianceWarning}, NextSteps: []string{"find the file"}}
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"BLOCKED (exit 3)", "Apply the remaining log backups", "GAP in the log chain", "PCFailover.GapInLogChain", "mgccomp", "find the file", "after-gap"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}
