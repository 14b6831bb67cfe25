package sqlsim

import (
	"context"
	"fmt"
	"hash/crc32"
	"strings"
	"time"
)

// appLock is one sp_getapplock grant or waiting request.
type appLock struct {
	db       string
	resource string
	mode     string // Shared, Update, IntentShared, IntentExclusive, Exclusive
	owner    string // Session, Transaction
	spid     int
	count    int
	waiting  bool
}

var lockModes = map[string]string{
	"shared": "Shared", "update": "Update", "intentshared": "IntentShared",
	"intentexclusive": "IntentExclusive", "exclusive": "Exclusive",
}

var lockAbbrev = map[string]string{
	"Shared": "S", "Update": "U", "IntentShared": "IS", "IntentExclusive": "IX", "Exclusive": "X",
}

// compatible is SQL Server's lock compatibility matrix for the application lock modes.
func compatible(held, want string) bool {
	m := map[string]map[string]bool{
		"Shared":          {"Shared": true, "Update": true, "IntentShared": true},
		"Update":          {"Shared": true, "IntentShared": true},
		"IntentShared":    {"Shared": true, "Update": true, "IntentShared": true, "IntentExclusive": true},
		"IntentExclusive": {"IntentShared": true, "IntentExclusive": true},
		"Exclusive":       {},
	}
	return m[held][want]
}

// grantableLocked reports whether spid can be granted mode on (db, resource), and if
// not, which session blocks it.
func (in *Instance) grantableLocked(db, resource, mode string, spid int) (bool, int) {
	for _, l := range in.applocks {
		if l.waiting || l.spid == spid || !strings.EqualFold(l.db, db) || l.resource != resource {
			continue
		}
		if !compatible(l.mode, mode) {
			return false, l.spid
		}
	}
	return true, 0
}

// spGetAppLock implements sp_getapplock: return 0 granted at once, 1 granted after
// waiting, -1 timeout, -2 cancelled, -999 parameter error; locks owned by the session
// (or its transaction) and released when it ends.
func (s *session) spGetAppLock(ctx context.Context, args []procArg, db string) (procResult, *sqlError, error) {
	vals, err := bindArgs("sp_getapplock", []paramSpec{{name: "@resource", required: true}, {name: "@lockmode", required: true},
		{name: "@lockowner"}, {name: "@locktimeout"}, {name: "@dbprincipal"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	res, _ := argString(vals, "@resource")
	modeArg, _ := argString(vals, "@lockmode")
	mode, ok := lockModes[strings.ToLower(modeArg)]
	if !ok || res == "" || len(res) > 255 {
		return procResult{status: -999}, errOf(msg(1002, 16, 1, "Line 1: Specified parameter %s is not valid.", "@LockMode")), nil
	}
	owner := "Transaction"
	if o, ok := argString(vals, "@lockowner"); ok {
		switch strings.ToLower(o) {
		case "session":
			owner = "Session"
		case "transaction":
		default:
			return procResult{status: -999}, errOf(msg(1002, 16, 1, "Line 1: Specified parameter %s is not valid.", "@LockOwner")), nil
		}
	}
	in := s.in
	in.mu.Lock()
	timeout := int64(-1)
	if v, ok := s.options["LOCK_TIMEOUT"]; ok {
		timeout, _ = toInt(v)
	}
	in.mu.Unlock()
	if v, ok := vals["@locktimeout"]; ok && v != nil {
		timeout, _ = toInt(v)
	}
	in.mu.Lock()
	if owner == "Transaction" && s.tranCount == 0 {
		in.mu.Unlock()
		return procResult{status: -999}, errOf(errAppLockNoTran()), nil
	}
	// Re-entrant: the same owner already holds it.
	for _, l := range in.applocks {
		if !l.waiting && l.spid == s.spid && l.owner == owner && strings.EqualFold(l.db, db) && l.resource == res && l.mode == mode {
			l.count++
			in.mu.Unlock()
			return procResult{status: 0}, nil, nil
		}
	}
	var deadline <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Millisecond)
		defer t.Stop()
		deadline = t.C
	}
	var waiter *appLock
	waited := false
	for {
		if ok, _ := in.grantableLocked(db, res, mode, s.spid); ok {
			if waiter != nil {
				in.removeLockLocked(waiter)
			}
			in.applocks = append(in.applocks, &appLock{db: db, resource: res, mode: mode, owner: owner, spid: s.spid, count: 1})
			in.broadcastLocked()
			in.mu.Unlock()
			if waited {
				return procResult{status: 1}, nil, nil
			}
			return procResult{status: 0}, nil, nil
		}
		if timeout == 0 {
			in.mu.Unlock()
			return procResult{status: -1}, nil, nil
		}
		if waiter == nil {
			waiter = &appLock{db: db, resource: res, mode: mode, owner: owner, spid: s.spid, count: 1, waiting: true}
			in.applocks = append(in.applocks, waiter)
		}
		waited = true
		ch := in.changed
		in.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			in.mu.Lock()
			in.removeLockLocked(waiter)
			in.mu.Unlock()
			return procResult{status: -1}, nil, nil
		case <-ctx.Done():
			in.mu.Lock()
			in.removeLockLocked(waiter)
			in.mu.Unlock()
			return procResult{status: -2}, nil, ctx.Err()
		case <-s.killed:
			in.mu.Lock()
			in.removeLockLocked(waiter)
			in.mu.Unlock()
			return procResult{status: -2}, nil, errKilled
		}
		in.mu.Lock()
	}
}

func (in *Instance) removeLockLocked(l *appLock) {
	in.applocks = filter(in.applocks, func(x *appLock) bool { return x != l })
	in.broadcastLocked()
}

// spReleaseAppLock implements sp_releaseapplock: 0 released, -999 (with 1223) when the
// lock is not held.
func (s *session) spReleaseAppLock(args []procArg, db string) (procResult, *sqlError, error) {
	vals, err := bindArgs("sp_releaseapplock", []paramSpec{{name: "@resource", required: true}, {name: "@lockowner"},
		{name: "@dbprincipal"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	res, _ := argString(vals, "@resource")
	owner := "Transaction"
	if o, ok := argString(vals, "@lockowner"); ok && strings.EqualFold(o, "session") {
		owner = "Session"
	}
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, l := range in.applocks {
		if !l.waiting && l.spid == s.spid && l.owner == owner && strings.EqualFold(l.db, db) && l.resource == res {
			l.count--
			if l.count == 0 {
				in.removeLockLocked(l)
			}
			return procResult{status: 0}, nil, nil
		}
	}
	return procResult{status: -999}, errOf(errAppLockNotHeld(res)), nil
}

func (in *Instance) releaseAllAppLocksLocked(spid int) {
	in.applocks = filter(in.applocks, func(l *appLock) bool { return l.spid != spid })
}

func (in *Instance) releaseTranAppLocksLocked(spid int) {
	in.applocks = filter(in.applocks, func(l *appLock) bool { return !(l.spid == spid && l.owner == "Transaction") })
	in.broadcastLocked()
}

// blockerLocked is the session blocking spid's waiting request (0 when none).
func (in *Instance) blockerLocked(spid int) int {
	for _, l := range in.applocks {
		if l.waiting && l.spid == spid {
			if ok, by := in.grantableLocked(l.db, l.resource, l.mode, spid); !ok {
				return by
			}
		}
	}
	return 0
}

type lockRow struct {
	resType, db, desc, mode, status, owner string
	spid                                   int
}

// lockRowsLocked is sys.dm_tran_locks: a shared DATABASE lock for every user session
// in a user database, an exclusive one for a running RESTORE/BACKUP, and application locks.
func (in *Instance) lockRowsLocked() []lockRow {
	var out []lockRow
	for _, s := range in.sortedSessions() {
		if s.user && !strings.EqualFold(s.db, "master") && !strings.EqualFold(s.db, "tempdb") {
			out = append(out, lockRow{resType: "DATABASE", db: s.db, mode: "S", status: "GRANT", owner: "SHARED_TRANSACTION_WORKSPACE", spid: s.spid})
		}
	}
	for _, d := range in.sortedDBs() {
		if d.busyCmd != "" {
			out = append(out, lockRow{resType: "DATABASE", db: d.Name, mode: "X", status: "GRANT", owner: "TRANSACTION", spid: d.busySPID})
		}
	}
	for _, l := range in.applocks {
		status := "GRANT"
		if l.waiting {
			status = "WAIT"
		}
		owner := "SESSION"
		if l.owner == "Transaction" {
			owner = "TRANSACTION"
		}
		h := crc32.ChecksumIEEE([]byte(l.resource))
		out = append(out, lockRow{resType: "APPLICATION", db: l.db, desc: fmt.Sprintf("0:[%s]:(%08x)", truncate(l.resource, 32), h),
			mode: lockAbbrev[l.mode], status: status, owner: owner, spid: l.spid})
	}
	return out
}
