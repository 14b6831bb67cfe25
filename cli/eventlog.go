package main

import (
	"fmt"
	"io"

	"pcfailover/core/eventlog"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// openEventLog opens the Windows Event Log writer (source PCFailover); off Windows it does
// nothing. Tests replace it.
var openEventLog = eventlog.Open

// logOutcome writes the event of a run's or a status's outcome to the Windows Event Log,
// redacted like every other output. A source that is not registered, or a write that
// fails, is a warning (a warn event when events are on, else a line on standard error),
// never a failure: the command's exit code stays the outcome's.
func logOutcome(stderr io.Writer, events *report.Emitter, ev eventlog.Event, red *request.Redactor) {
	warn := func(err error) {
		msg := red.Redact(err.Error())
		if events != nil {
			events.Log("warn", "%s", msg)
			return
		}
		fmt.Fprintf(stderr, "pcfailover: warning: %s\n", msg)
	}
	w, err := openEventLog(eventlog.Source)
	if err != nil {
		warn(err)
		return
	}
	defer w.Close()
	ev.Message = red.Redact(ev.Message)
	if err := w.Write(ev); err != nil {
		warn(err)
	}
}

// logRunOutcome writes the event of a failover, failback or drill report; plans write none.
func logRunOutcome(stderr io.Writer, events *report.Emitter, rep *report.Report, red *request.Redactor) {
	if ev, ok := eventlog.ForReport(rep); ok {
		logOutcome(stderr, events, ev, red)
	}
}
