package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

// Event is one progress event (one JSON line). Unused fields are omitted.
type Event struct {
	Type       string `json:"type"`
	TS         string `json:"ts"`
	Step       string `json:"step,omitempty"`
	Status     string `json:"status,omitempty"`
	Name       string `json:"name,omitempty"`
	DurationMs *int64 `json:"durationMs,omitempty"`
	ID         int    `json:"id,omitempty"`
	Activity   string `json:"activity,omitempty"`
	Percent    *int   `json:"percent,omitempty"`
	Target     string `json:"target,omitempty"`
	Text       string `json:"text,omitempty"`
	Level      string `json:"level,omitempty"`
	Message    string `json:"message,omitempty"`
}

// Emitter writes events as pure-ASCII JSON lines. A nil *Emitter, or one with a nil
// writer, discards events. It is safe for concurrent use.
type Emitter struct {
	mu     sync.Mutex
	w      io.Writer
	now    func() time.Time
	redact func(string) string
}

// NewEmitter returns an Emitter writing to w; redact (may be nil) is applied to every
// text field before it is written.
func NewEmitter(w io.Writer, now func() time.Time, redact func(string) string) *Emitter {
	if now == nil {
		now = time.Now
	}
	return &Emitter{w: w, now: now, redact: redact}
}

// Emit writes one event, stamping its time.
func (e *Emitter) Emit(ev Event) {
	if e == nil || e.w == nil {
		return
	}
	ev.TS = e.now().UTC().Format(time.RFC3339Nano)
	if e.redact != nil {
		ev.Text, ev.Message, ev.Status = e.redact(ev.Text), e.redact(ev.Message), e.redact(ev.Status)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return
	}
	b = append(ASCII(b), '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(b)
}

// StepStarted emits a step start.
func (e *Emitter) StepStarted(id, name string) {
	e.Emit(Event{Type: "step", Step: id, Status: "started", Name: name})
}

// StepFinished emits a step's final status and duration.
func (e *Emitter) StepFinished(id, status string, d time.Duration) {
	ms := d.Milliseconds()
	e.Emit(Event{Type: "step", Step: id, Status: status, DurationMs: &ms})
}

// Statement emits a statement about to be sent.
func (e *Emitter) Statement(step, target, text string) {
	e.Emit(Event{Type: "statement", Step: step, Target: target, Text: text})
}

// Progress emits a progress record (id groups one activity; percent 0-100 or -1).
func (e *Emitter) Progress(id int, activity, status string, percent int) {
	e.Emit(Event{Type: "progress", ID: id, Activity: activity, Status: status, Percent: &percent})
}

// Log emits a log line at level info, verbose, warn or debug.
func (e *Emitter) Log(level, format string, args ...any) {
	e.Emit(Event{Type: "log", Level: level, Message: fmt.Sprintf(format, args...)})
}

// ASCII rewrites JSON so that every non-ASCII character is a \uXXXX escape (surrogate
// pairs above the BMP), keeping the document equivalent.
func ASCII(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return b
	}
	var buf bytes.Buffer
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r < 0x80:
			buf.WriteByte(b[0])
		case r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(&buf, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&buf, `\u%04x`, r)
		}
		b = b[size:]
	}
	return buf.Bytes()
}
