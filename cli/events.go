package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"pcfailover/core/report"
	"pcfailover/core/request"
)

// openEvents opens the --events destination (standard error for "-", a file appended to
// otherwise) and, when the report is text on a terminal and events are not already on
// standard error, draws a progress bar there from the same events. The returned close
// function is never nil.
func openEvents(c *cli.Context, format string, red *request.Redactor) (*report.Emitter, func(), error) {
	var sinks []io.Writer
	closeAll := func() {}
	switch ev := c.String("events"); ev {
	case "":
	case "-":
		sinks = append(sinks, c.App.ErrWriter)
	default:
		f, err := os.OpenFile(ev, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, closeAll, err
		}
		sinks = append(sinks, f)
		closeAll = func() { f.Close() }
	}
	if format == "text" && c.String("events") != "-" && isTerminal(c.App.ErrWriter) {
		bar := newTerminalProgress(c.App.ErrWriter)
		sinks = append(sinks, bar)
		prev := closeAll
		closeAll = func() { bar.finish(); prev() }
	}
	if len(sinks) == 0 {
		return nil, closeAll, nil
	}
	return report.NewEmitter(io.MultiWriter(sinks...), nil, red.Redact), closeAll, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalProgress turns JSON-lines events into a progress bar: the current step's name,
// and the percentage of the main activity (progress id 1: copying and applying logs).
type terminalProgress struct {
	mu      sync.Mutex
	bar     *progressbar.ProgressBar
	pending []byte
	step    string
}

func newTerminalProgress(w io.Writer) *terminalProgress {
	return &terminalProgress{bar: progressbar.NewOptions(100,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionThrottle(100*time.Millisecond),
	)}
}

// Write consumes whole event lines; partial lines wait for the rest.
func (p *terminalProgress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, b...)
	for {
		i := bytes.IndexByte(p.pending, '\n')
		if i < 0 {
			break
		}
		p.handle(p.pending[:i])
		p.pending = p.pending[i+1:]
	}
	return len(b), nil
}

func (p *terminalProgress) handle(line []byte) {
	var ev report.Event
	if json.Unmarshal(line, &ev) != nil {
		return
	}
	switch {
	case ev.Type == "step" && ev.Status == "started":
		p.step = ev.Name
		if p.step == "" {
			p.step = ev.Step
		}
		p.bar.Describe(p.step)
	case ev.Type == "progress" && ev.ID == 1 && ev.Percent != nil:
		if pct := *ev.Percent; pct >= 0 && pct <= 100 {
			_ = p.bar.Set(pct)
		}
		if ev.Status != "" {
			p.bar.Describe(p.step + ": " + ev.Status)
		}
	}
}

func (p *terminalProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Finish()
}
