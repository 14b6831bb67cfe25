package sqlsim

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"pcfailover/core/sqlsim/tds"
)

// Fault is a rule that makes matching statements misbehave, for tests and drills.
type Fault struct {
	// Match is a case-insensitive regular expression on the statement text (each
	// statement of a batch, the sp_executesql text) or an RPC procedure name.
	Match string
	// Times is how many matching statements are affected (0 = every one).
	Times int
	// Stall delays the statement before anything else happens (honours cancellation).
	Stall time.Duration
	// Error raises SQL Server error Error (catalog text where the simulator knows it)
	// instead of running the statement. Messages, when set, are sent verbatim instead.
	Error    int32
	Messages []tds.Message
	// Drop ends the session (the client sees the connection drop).
	Drop bool
	// Down takes the whole instance down (SetDown(true)).
	Down bool
}

type faultState struct {
	f    Fault
	re   *regexp.Regexp
	used int
}

// AddFault installs a fault rule; rules are checked in the order added.
func (in *Instance) AddFault(f Fault) error {
	re, err := regexp.Compile("(?i)" + f.Match)
	if err != nil {
		return fmt.Errorf("add fault %q: %w", f.Match, err)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.faults = append(in.faults, &faultState{f: f, re: re})
	return nil
}

// ClearFaults removes every fault rule.
func (in *Instance) ClearFaults() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.faults = nil
}

func (in *Instance) matchFault(text string) *Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, fs := range in.faults {
		if fs.f.Times > 0 && fs.used >= fs.f.Times {
			continue
		}
		if fs.re.MatchString(text) {
			fs.used++
			f := fs.f
			return &f
		}
	}
	return nil
}

// faultMessages is the catalog text for an injected error number.
func faultMessages(n int32) []tds.Message {
	switch n {
	case 3101:
		return []tds.Message{errExclusive(), terminating("RESTORE DATABASE")}
	case 4305:
		return []tds.Message{errTooRecent("0", "0"), terminating("RESTORE LOG")}
	case 3201:
		return []tds.Message{errOpenDevice("", osFileNotFound), terminating("RESTORE LOG")}
	case 1205:
		return []tds.Message{msg(1205, 13, 51, "Transaction (Process ID %d) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.", 0)}
	case 32014:
		return []tds.Message{errNotLSSecondary("")}
	case 18456:
		return []tds.Message{errLoginFailed("")}
	}
	return []tds.Message{msg(n, 16, 1, "sqlsim injected fault: error %d.", n)}
}

// applyFault runs a fault; done reports that the statement must not run.
func (s *session) applyFault(ctx context.Context, f *Fault, o *out) (done bool, err error) {
	if err := sleepCtx(ctx, f.Stall); err != nil {
		return true, err
	}
	if f.Down {
		s.in.SetDown(true)
		return true, errKilled
	}
	if f.Drop {
		s.in.mu.Lock()
		s.killLocked()
		s.in.mu.Unlock()
		return true, errKilled
	}
	msgs := f.Messages
	if len(msgs) == 0 && f.Error != 0 {
		msgs = faultMessages(f.Error)
	}
	if len(msgs) == 0 {
		return false, nil
	}
	if err := o.errs(errOf(msgs...)); err != nil {
		return true, err
	}
	return true, o.w.StatementDone(-1, true)
}
