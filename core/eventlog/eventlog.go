// Package eventlog maps pcfailover outcomes (failover, failback, drill, status) to Windows
// Event Log entries: the Application log, source PCFailover, a stable event ID and level per
// outcome (the table is in README.md and cli/CONTRACT.md). The mapping is plain Go and is
// tested on every OS; Open writes to the Event Log on Windows and does nothing elsewhere.
package eventlog

import (
	"fmt"
	"strings"
	"time"

	"pcfailover/core/report"
	"pcfailover/core/status"
)

// Source is the Event Log source pcfailover writes under, in the Application log. The
// PowerShell module registers it (Install-PCFailoverEventSource, Register-PCFailoverDrill).
const Source = "PCFailover"

// Level is the level (entry type) of an event.
type Level int

// The levels of the Windows Event Log that pcfailover uses.
const (
	Information Level = iota
	Warning
	Error
)

// String names the level as Event Viewer does.
func (l Level) String() string {
	switch l {
	case Warning:
		return "Warning"
	case Error:
		return "Error"
	}
	return "Information"
}

// Event IDs. They are stable (monitors such as SCOM match on them) and stay at or below 1000,
// the range any registered message file (EventCreate.exe, EventLogMessages.dll) can show.
const (
	FailoverSucceeded        uint32 = 100
	FailoverDataLossAccepted uint32 = 101
	FailoverBlocked          uint32 = 102
	FailoverFailed           uint32 = 103
	FailoverInterrupted      uint32 = 104
	FailbackSucceeded        uint32 = 200
	FailbackDataLossAccepted uint32 = 201
	FailbackBlocked          uint32 = 202
	FailbackFailed           uint32 = 203
	FailbackInterrupted      uint32 = 204
	DrillSucceeded           uint32 = 300
	DrillBlocked             uint32 = 302
	DrillFailed              uint32 = 303
	DrillInterrupted         uint32 = 304
	StatusOK                 uint32 = 400
	StatusWarning            uint32 = 401
	StatusCritical           uint32 = 402
	StatusUnknown            uint32 = 403
)

const (
	// maxMessage keeps a message under ReportEvent's limit of 31,839 characters.
	maxMessage = 31000
	// succeededDataLoss is the outcome key of a successful run that accepted data loss.
	succeededDataLoss = "succeeded-data-loss"
	nl                = "\r\n"
)

// Event is one Event Log entry.
type Event struct {
	ID      uint32
	Level   Level
	Message string
}

type outcomeEvent struct {
	id    uint32
	level Level
}

var runEvents = map[string]map[string]outcomeEvent{
	"failover": {
		report.OutcomeSucceeded:   {FailoverSucceeded, Information},
		succeededDataLoss:         {FailoverDataLossAccepted, Warning},
		report.OutcomeBlocked:     {FailoverBlocked, Error},
		report.OutcomeFailed:      {FailoverFailed, Error},
		report.OutcomeInterrupted: {FailoverInterrupted, Warning},
	},
	"failback": {
		report.OutcomeSucceeded:   {FailbackSucceeded, Information},
		succeededDataLoss:         {FailbackDataLossAccepted, Warning},
		report.OutcomeBlocked:     {FailbackBlocked, Error},
		report.OutcomeFailed:      {FailbackFailed, Error},
		report.OutcomeInterrupted: {FailbackInterrupted, Warning},
	},
	"drill": {
		report.OutcomeSucceeded:   {DrillSucceeded, Information},
		report.OutcomeBlocked:     {DrillBlocked, Error},
		report.OutcomeFailed:      {DrillFailed, Error},
		report.OutcomeInterrupted: {DrillInterrupted, Warning},
	},
}

// ForReport maps the report of a failover, failback or drill to its event. It returns false
// for anything that is not such a run's outcome (a plan, an invalid request, a nil report):
// those write no event.
func ForReport(rep *report.Report) (Event, bool) {
	if rep == nil {
		return Event{}, false
	}
	byOutcome, ok := runEvents[rep.Command]
	if !ok {
		return Event{}, false
	}
	outcome := rep.Outcome
	dataLoss := rep.DataLoss != nil && rep.DataLoss.Accepted
	if outcome == report.OutcomeSucceeded && dataLoss {
		if _, ok := byOutcome[succeededDataLoss]; ok {
			outcome = succeededDataLoss
		}
	}
	oe, ok := byOutcome[outcome]
	if !ok {
		return Event{}, false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "pcfailover %s of pool %s (database %s): %s.", rep.Command, orNone(rep.PoolFQDN), orNone(rep.Database), rep.Outcome)
	b.WriteString(nl)
	fmt.Fprintf(&b, "Run %s, started %s, %s, exit code %d, run directory %s.", orNone(rep.RunID), rep.StartedAt.UTC().Format(time.RFC3339), time.Duration(rep.DurationMs)*time.Millisecond, rep.ExitCode, orNone(rep.RunDirectory))
	if dataLoss {
		b.WriteString(nl)
		desc := rep.DataLoss.Description
		if desc == "" {
			desc = "(no description)"
		}
		b.WriteString("Data loss accepted: " + desc)
	}
	for _, e := range rep.Errors {
		b.WriteString(nl)
		b.WriteString("Error " + e.Code + ": " + e.Message)
		if e.Target != "" {
			b.WriteString(" (" + e.Target + ")")
		}
	}
	for _, w := range rep.Warnings {
		b.WriteString(nl + "Warning: " + w)
	}
	for _, s := range rep.NextSteps {
		b.WriteString(nl + "Next step: " + s)
	}
	b.WriteString(nl + nl + "The full report is the command's output; the run directory holds its journal.")
	return Event{ID: oe.id, Level: oe.level, Message: clip(b.String())}, true
}

// ForStatus maps a log-shipping status to its event: ok, warning, critical or unknown.
func ForStatus(st *status.Status) Event {
	ev := Event{ID: StatusUnknown, Level: Error}
	health := status.Unknown
	if st != nil {
		health = st.Health
	}
	switch health {
	case status.OK:
		ev = Event{ID: StatusOK, Level: Information}
	case status.Warning:
		ev = Event{ID: StatusWarning, Level: Warning}
	case status.Critical:
		ev = Event{ID: StatusCritical, Level: Error}
	}
	var b strings.Builder
	if st == nil {
		b.WriteString("pcfailover status: unknown (no status could be read).")
		ev.Message = b.String()
		return ev
	}
	fmt.Fprintf(&b, "pcfailover status of pool %s (database %s): %s, exit code %d, checked %s.", orNone(st.PoolFQDN), orNone(st.Database), health, st.ExitCode, st.CheckedAt.UTC().Format(time.RFC3339))
	for _, c := range st.Checks {
		if c.Health == status.OK {
			continue
		}
		b.WriteString(nl + "Check " + c.Name + " " + c.Health + ": " + c.Message)
	}
	for _, e := range st.Errors {
		b.WriteString(nl + "Error " + e)
	}
	b.WriteString(nl + nl + "pcfailover status --output text shows every check.")
	ev.Message = clip(b.String())
	return ev
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func clip(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	return s[:maxMessage] + " [truncated]"
}

// SourceMissingError says the PCFailover source is not registered on this machine: a
// warning for the caller, never a failure of the run.
type SourceMissingError struct{ Source string }

func (e *SourceMissingError) Error() string {
	return fmt.Sprintf("the Event Log source %s is not registered, so no event was written: %s", e.Source, "run Install-PCFailoverEventSource (or Register-PCFailoverDrill) once as an administrator")
}

// Writer writes events under Source. Open returns one; Close releases it.
type Writer interface {
	Write(ev Event) error
	Close() error
}
