package sqlsim

import (
	"sync"
	"time"

	"pcfailover/core/sqlsim/tds"
)

// AppSession is a simulated application connection (a Persistent Chat server) to a
// database: it appears in sp_who2 and the DMVs, holds the database's shared lock, and
// after being killed reconnects by itself after the configured delay, retrying while
// the database cannot be opened. It reproduces the kill-then-recover race: RESTORE ...
// WITH RECOVERY gets 3101 while it is connected.
type AppSession struct {
	in    *Instance
	db    string
	delay time.Duration

	mu         sync.Mutex
	cur        *session
	reconnects int
	stop       chan struct{}
	done       chan struct{}
}

// OpenAppSession connects an application session to db. reconnectAfterKill < 0 means
// it never reconnects. The database must be openable (927 while RESTORING).
func (in *Instance) OpenAppSession(db string, reconnectAfterKill time.Duration) (*AppSession, error) {
	a := &AppSession{in: in, db: db, delay: reconnectAfterKill, stop: make(chan struct{}), done: make(chan struct{})}
	s, err := a.connect()
	if err != nil {
		return nil, err
	}
	a.cur = s
	in.bg.Add(1)
	go a.loop()
	return a, nil
}

func (a *AppSession) connect() (*session, error) {
	in := a.in
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.down || in.closed {
		return nil, ErrInstanceDown
	}
	d := in.dbLocked(a.db)
	if d == nil {
		return nil, &Error{Messages: []tds.Message{errCannotOpenLoginDB(a.db)}}
	}
	if m := in.openCheckLocked(d, 0); m != nil {
		return nil, &Error{Messages: []tds.Message{*m}}
	}
	s := newSession(in, in.allocSPIDLocked(), "PChatService", true)
	s.program, s.host, s.db, s.loginDB = "Persistent Chat Server", "sqlsim-app", d.Name, d.Name
	in.sessions[s.spid] = s
	in.broadcastLocked()
	return s, nil
}

func (a *AppSession) loop() {
	defer a.in.bg.Done()
	defer close(a.done)
	for {
		a.mu.Lock()
		cur := a.cur
		a.mu.Unlock()
		select {
		case <-a.stop:
			return
		case <-a.in.bgCtx.Done():
			return
		case <-cur.killed:
		}
		a.mu.Lock()
		a.cur = nil
		a.mu.Unlock()
		if a.delay < 0 {
			select {
			case <-a.stop:
			case <-a.in.bgCtx.Done():
			}
			return
		}
		for {
			wait := a.delay
			if wait <= 0 {
				wait = time.Millisecond
			}
			t := time.NewTimer(wait)
			select {
			case <-a.stop:
				t.Stop()
				return
			case <-a.in.bgCtx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if s, err := a.connect(); err == nil {
				a.mu.Lock()
				a.cur = s
				a.reconnects++
				a.mu.Unlock()
				break
			}
		}
	}
}

// SPID is the session id while connected, 0 while disconnected.
func (a *AppSession) SPID() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur == nil {
		return 0
	}
	return a.cur.spid
}

// Reconnects counts successful reconnections after kills.
func (a *AppSession) Reconnects() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reconnects
}

// Close disconnects the session for good and stops its reconnect loop.
func (a *AppSession) Close() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
	a.mu.Lock()
	cur := a.cur
	a.cur = nil
	a.mu.Unlock()
	if cur != nil {
		cur.Close()
	}
}
