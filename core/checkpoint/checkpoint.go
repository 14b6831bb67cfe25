// Package checkpoint names the points between (and inside) everything the engine does,
// so a crash-anywhere harness can kill the process at each one and check that a re-run
// finishes the job.
//
// PCFAILOVER_CRASH_AT=<name> makes the process exit abruptly (os.Exit(86): no deferred
// function, no cleanup, no journal write) when the checkpoint <name> is reached.
// PCFAILOVER_CHECKPOINTS=<file> appends the name of every checkpoint reached, one per
// line, so a harness can enumerate them.
package checkpoint

import (
	"os"
	"sync"
)

// CrashExitCode is the exit code of a simulated crash.
const CrashExitCode = 86

// Environment variables read once by FromEnv.
const (
	EnvCrashAt = "PCFAILOVER_CRASH_AT"
	EnvRecord  = "PCFAILOVER_CHECKPOINTS"
)

// Points reaches checkpoints. The zero value and a nil *Points do nothing.
type Points struct {
	crashAt string
	record  string
	exit    func(int)
	mu      sync.Mutex
}

// FromEnv reads the two environment variables through getenv (os.Getenv in production).
func FromEnv(getenv func(string) string) *Points {
	return &Points{crashAt: getenv(EnvCrashAt), record: getenv(EnvRecord), exit: os.Exit}
}

// New returns Points that record to file (may be "") and call exit when crashAt is
// reached; tests use it to observe a crash without ending the test process.
func New(crashAt, recordFile string, exit func(int)) *Points {
	return &Points{crashAt: crashAt, record: recordFile, exit: exit}
}

// Reach marks the checkpoint name: it is recorded (when recording), then the process
// exits with CrashExitCode if name is the crash point.
func (p *Points) Reach(name string) {
	if p == nil || (p.crashAt == "" && p.record == "") {
		return
	}
	if p.record != "" {
		p.mu.Lock()
		if f, err := os.OpenFile(p.record, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			_, _ = f.WriteString(name + "\n")
			_ = f.Close()
		}
		p.mu.Unlock()
	}
	if p.crashAt != "" && name == p.crashAt {
		p.exit(CrashExitCode)
	}
}
