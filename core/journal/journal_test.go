package journal

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestLockExcludesSecondRun(t *testing.T) {
	dir := t.TempDir()
	a := Holder{Host: "h1", PID: os.Getpid(), RunID: "run-a", Command: "failover", StartedAt: time.Now()}
	l, err := Acquire(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, Holder{Host: "h1", PID: os.Getpid(), RunID: "run-b"})
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.RunID != "run-a" {
		t.Fatalf("want LockedError naming run-a, got %v", err)
	}
	// Another host's lock is never taken over, even with a pid that is dead here.
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(dir, Holder{Host: "other", PID: 999999999, RunID: "run-c"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(dir, Holder{Host: "h1", PID: os.Getpid(), RunID: "run-d"}); !errors.As(err, &le) {
		t.Fatalf("foreign-host lock taken over: %v", err)
	}
}

func TestStaleLockOfDeadProcessIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.ProcessState.Pid()
	if _, err := Acquire(dir, Holder{Host: "h1", PID: dead, RunID: "crashed"}); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(dir, Holder{Host: "h1", PID: os.Getpid(), RunID: "rerun"})
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	if l.Stale == nil || l.Stale.RunID != "crashed" {
		t.Fatalf("stale holder not reported: %+v", l.Stale)
	}
}

func TestJournalAppendAndLatest(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, "r1", nil)
	if err != nil {
		t.Fatal(err)
	}
	type snap struct{ Share string }
	for _, s := range []string{`\\a\x`, `\\b\y`} {
		if err := j.Append("msdb-snapshot", snap{Share: s}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	// A crash mid-write leaves a torn line.
	f, _ := os.OpenFile(filepath.Join(dir, JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"ts":"2026-`)
	f.Close()
	var got snap
	ok, err := Latest(dir, "msdb-snapshot", &got)
	if err != nil || !ok || got.Share != `\\b\y` {
		t.Fatalf("latest: %v %v %+v", ok, err, got)
	}
	if ok, _ := Latest(dir, "nothing", &got); ok {
		t.Fatal("found a kind never written")
	}
}
