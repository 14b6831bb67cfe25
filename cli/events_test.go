package main

import (
	"bytes"
	"strings"
	"testing"

	"pcfailover/core/report"
)

func TestTerminalProgressFollowsStepsAndPercent(t *testing.T) {
	var out bytes.Buffer
	p := newTerminalProgress(&out)
	em := report.NewEmitter(p, nil, nil)
	em.StepStarted("restore-logs", "Apply the remaining log backups")
	em.Progress(1, "Applying log backups", "mgc_1.trn (1 of 2)", 50)
	em.Progress(2, "Restoring mgc_1.trn", "10 percent processed", 10) // a sub-activity moves nothing
	if got := p.bar.State().CurrentPercent; got != 0.5 {
		t.Fatalf("bar at %v, want 0.5", got)
	}
	if got := p.bar.State().Description; got != "Apply the remaining log backups: mgc_1.trn (1 of 2)" {
		t.Fatalf("the bar describes %q, want the step and file", got)
	}
	// A line split across writes is parsed once whole; garbage is ignored.
	_, _ = p.Write([]byte(`{"type":"progress","id":1,"percent":`))
	_, _ = p.Write([]byte("100}\nnot json\n"))
	if got := p.bar.State().CurrentPercent; got != 1 {
		t.Fatalf("bar at %v after a split line, want 1", got)
	}
	p.finish()
	if !strings.Contains(out.String(), "Apply the remaining log backups") {
		t.Fatalf("nothing was drawn:\n%q", out.String())
	}
}
