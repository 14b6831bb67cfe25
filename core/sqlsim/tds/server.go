package tds

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"pcfailover/core/errlist"
)

// Options configures a Server.
type Options struct {
	// TLS enables TLS-inside-TDS (and TDS 8.0 strict TLS). nil: the server answers
	// ENCRYPT_NOT_SUP and clients must not ask for encrypt=true.
	TLS *tls.Config
	// RequireEncryption makes the server answer ENCRYPT_REQ (SQL Server "Force
	// Encryption"): every connection is fully encrypted. It needs TLS.
	RequireEncryption bool
	// PacketSize is the server's network packet size, used when LOGIN7 does not ask for
	// one (0 means 4096). A client's requested size is honoured, clamped to 512..32767
	// (16383 on encrypted connections), and confirmed by ENVCHANGE (tds-server.md §1.3).
	PacketSize int
	// Logf is an optional debug log. Passwords are never passed to it.
	Logf func(format string, args ...any)
}

// VersionedEngine is an optional interface of Engine: ProductVersion is the SQL Server
// version sent in PRELOGIN and LOGINACK. Without it the server reports 15.0.4073
// (SQL Server 2019), as the reference prototype did (tds-server.md §3.2).
type VersionedEngine interface {
	ProductVersion() (major, minor uint8, build uint16)
}

// TransactionSession is an optional interface of Session. The server calls
// InTransaction(true) when a transaction manager request (db.BeginTx) opens a
// transaction and InTransaction(false) when it ends (commit, rollback, or a
// RESETCONNECTION that rolls it back), so that the engine can refuse what SQL Server
// refuses inside a transaction (3021 for RESTORE, BACKUP).
type TransactionSession interface {
	InTransaction(open bool)
}

// loginTimeout bounds PRELOGIN, TLS and LOGIN7 of one connection.
const loginTimeout = 30 * time.Second

// Server is a TDS 7.4 server that hands every login, batch and RPC to an Engine.
type Server struct {
	engine Engine
	opts   Options

	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	addr      net.Addr
	wg        sync.WaitGroup
}

// NewServer returns a server for engine; it serves nothing until Serve or ListenAndServe.
func NewServer(engine Engine, opts Options) *Server {
	if opts.PacketSize == 0 {
		opts.PacketSize = 4096
	}
	opts.PacketSize = clampPacketSize(opts.PacketSize)
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		engine:    engine,
		opts:      opts,
		ctx:       ctx,
		cancel:    cancel,
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
	}
}

func clampPacketSize(n int) int {
	switch {
	case n < minPacketSize:
		return minPacketSize
	case n > maxPacketSize:
		return maxPacketSize
	}
	return n
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

func (s *Server) version() [4]byte {
	if v, ok := s.engine.(VersionedEngine); ok {
		major, minor, build := v.ProductVersion()
		return [4]byte{major, minor, byte(build >> 8), byte(build)}
	}
	return [4]byte{15, 0, 0x0F, 0xE9} // 15.0.4073
}

func (s *Server) check() error {
	if s.opts.RequireEncryption && s.opts.TLS == nil {
		return errors.New("tds: RequireEncryption needs Options.TLS")
	}
	return nil
}

// track registers a listener; false if the server is already closed.
func (s *Server) track(l net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.listeners[l] = struct{}{}
	if s.addr == nil {
		s.addr = l.Addr()
	}
	return true
}

// Serve accepts connections on l until Close; it returns nil after Close and the
// accept error otherwise. It closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	if err := s.check(); err != nil {
		_ = l.Close()
		return err
	}
	if !s.track(l) {
		_ = l.Close()
		return nil
	}
	return s.serve(l)
}

// ListenAndServe listens on addr ("127.0.0.1:0" picks a free port), serves in the
// background until Close and returns the bound address.
func (s *Server) ListenAndServe(addr string) (net.Addr, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tds: listen on %s: %w", addr, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = l.Close()
		return nil, errors.New("tds: server closed")
	}
	s.listeners[l] = struct{}{}
	if s.addr == nil {
		s.addr = l.Addr()
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		if err := s.serve(l); err != nil {
			s.logf("tds: serve %s: %v", l.Addr(), err)
		}
	}()
	return l.Addr(), nil
}

func (s *Server) serve(l net.Listener) error {
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		_ = l.Close()
	}()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(delay):
					continue
				case <-s.ctx.Done():
					return nil
				}
			}
			return fmt.Errorf("tds: accept on %s: %w", l.Addr(), err)
		}
		delay = 0
		c := &conn{srv: s, nc: nc}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = nc.Close()
			return nil
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.run()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Addr is the address of the first listener (nil before Serve or ListenAndServe).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Close stops accepting, closes every connection and waits until every goroutine of the
// server has ended (engine calls must honour their context for this to return).
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var errs []error
	for l := range s.listeners {
		if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("tds: close listener %s: %w", l.Addr(), err))
		}
	}
	for c := range s.conns {
		_ = c.nc.Close()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return errlist.Join(errs...)
}

// DropConnections closes every open client connection, as a network failure or an
// instance restart would; the server keeps accepting new ones.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.nc.Close()
	}
	if n := len(s.conns); n > 0 {
		s.logf("tds: dropped %d connection(s)", n)
	}
}

// ConnectionCount is the number of open client connections.
func (s *Server) ConnectionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
