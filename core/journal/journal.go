// Package journal keeps a run directory: the lock that stops two runs against the same
// pool from acting at once, and the JSON-lines journal of what cannot be observed again
// (the msdb log-shipping snapshot taken before it is deleted, operator decisions,
// timings). Every journal record is flushed to disk before Append returns.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"pcfailover/core/errlist"
)

// File names inside a run directory.
const (
	LockFile    = "pcfailover.lock"
	JournalFile = "journal.jsonl"
)

// Holder identifies the run holding a lock.
type Holder struct {
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	RunID     string    `json:"runId"`
	Command   string    `json:"command"`
	StartedAt time.Time `json:"startedAt"`
}

func (h Holder) String() string {
	return fmt.Sprintf("run %s (%s) on host %s, pid %d, since %s", h.RunID, h.Command, h.Host, h.PID, h.StartedAt.Format(time.RFC3339))
}

// LockedError says another run holds the lock.
type LockedError struct {
	Path   string
	Holder Holder
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another pcfailover run holds %s: %s; wait for it to finish (or, if that process is gone on another host, delete the lock file)", e.Path, e.Holder)
}

// Lock is a held run-directory lock.
type Lock struct {
	path   string
	holder Holder
	// Stale is the previous holder whose lock was removed because its process was dead.
	Stale *Holder
}

// Acquire takes the lock file in dir (creating dir). A lock left by a dead process on
// this host is taken over (Lock.Stale says whose); a live or foreign holder gives a
// *LockedError.
func Acquire(dir string, h Holder) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	p := filepath.Join(dir, LockFile)
	var stale *Holder
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			b, _ := json.Marshal(h)
			_, werr := f.Write(append(b, '\n'))
			serr := f.Sync()
			cerr := f.Close()
			if err := errlist.Join(werr, serr, cerr); err != nil {
				os.Remove(p)
				return nil, fmt.Errorf("lock %s: %w", p, err)
			}
			return &Lock{path: p, holder: h, Stale: stale}, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		cur, age, rerr := readHolder(p)
		if errors.Is(rerr, os.ErrNotExist) {
			continue // released meanwhile
		}
		dead := false
		switch {
		case rerr != nil:
			// Unreadable or empty: a holder that crashed before writing. Give a live
			// writer a moment.
			dead = age > 10*time.Second
		case cur.Host == h.Host && cur.PID > 0 && !processAlive(cur.PID):
			dead = true
		}
		if !dead {
			return nil, &LockedError{Path: p, Holder: cur}
		}
		c := cur
		stale = &c
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("lock %s: remove stale lock of %s: %w", p, cur, err)
		}
	}
	return nil, fmt.Errorf("lock %s: contended", p)
}

func readHolder(p string) (Holder, time.Duration, error) {
	var h Holder
	st, err := os.Stat(p)
	if err != nil {
		return h, 0, err
	}
	age := time.Since(st.ModTime())
	b, err := os.ReadFile(p)
	if err != nil {
		return h, age, err
	}
	if err := json.Unmarshal(bytes.TrimSpace(b), &h); err != nil {
		return h, age, fmt.Errorf("lock file %s: %w", p, err)
	}
	return h, age, nil
}

// Release removes the lock file if it is still ours.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	cur, _, err := readHolder(l.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	if cur.RunID != l.holder.RunID {
		return fmt.Errorf("unlock %s: held by %s, not by this run", l.path, cur)
	}
	return os.Remove(l.path)
}

// Record is one journal line.
type Record struct {
	TS    time.Time       `json:"ts"`
	RunID string          `json:"runId"`
	Kind  string          `json:"kind"`
	Data  json.RawMessage `json:"data,omitempty"`
}

// Journal appends records to the run directory's journal file.
type Journal struct {
	mu    sync.Mutex
	f     *os.File
	runID string
	now   func() time.Time
}

// Open opens (creating) the journal in dir for appending records of runID.
func Open(dir, runID string, now func() time.Time) (*Journal, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("journal %s: %w", dir, err)
	}
	p := filepath.Join(dir, JournalFile)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", p, err)
	}
	return &Journal{f: f, runID: runID, now: now}, nil
}

// Append writes one record of kind with data (marshalled to JSON) and flushes it.
func (j *Journal) Append(kind string, data any) error {
	if j == nil {
		return nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("journal %s: %w", kind, err)
	}
	b, err := json.Marshal(Record{TS: j.now().UTC(), RunID: j.runID, Kind: kind, Data: raw})
	if err != nil {
		return fmt.Errorf("journal %s: %w", kind, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journal %s: %w", kind, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: flush: %w", kind, err)
	}
	return nil
}

// Close closes the journal file.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

// Read returns every complete record in dir's journal (a torn last line, left by a
// crash mid-write, is ignored). A missing journal is empty.
func Read(dir string) ([]Record, error) {
	p := filepath.Join(dir, JournalFile)
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", p, err)
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r Record
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Kind != "" {
			out = append(out, r)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read journal %s: %w", p, err)
	}
	return out, nil
}

// Latest decodes into v the data of the last record of kind in dir's journal and
// reports whether there was one.
func Latest(dir, kind string, v any) (bool, error) {
	recs, err := Read(dir)
	if err != nil {
		return false, err
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Kind == kind {
			if err := json.Unmarshal(recs[i].Data, v); err != nil {
				return false, fmt.Errorf("journal record %s: %w", kind, err)
			}
			return true, nil
		}
	}
	return false, nil
}
