package tds

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// conn is one client connection.
type conn struct {
	srv *Server
	nc  net.Conn // the TCP connection; closing it ends everything

	ctx    context.Context
	cancel context.CancelFunc

	rw         io.ReadWriter // transport after login: nc or the TLS conn
	pw         *packetWriter
	sess       Session
	login      LoginRequest
	packetSize int
	tranID     uint64 // open transaction descriptor (0: none); main goroutine only
	tranSeq    uint64

	mu  sync.Mutex
	cur *request // request being read or served, for attention

	msgs chan item
}

// request is one client request; attention cancels it.
type request struct {
	ctx      context.Context
	cancel   context.CancelFunc
	attn     bool // an attention arrived while it ran (guarded by conn.mu)
	finished bool // its final packet is being written (guarded by conn.mu)
}

// item is what the reader goroutine hands to the request loop.
type item struct {
	msg  message
	req  *request
	attn bool // an attention that arrived after its request had completed
}

func (c *conn) logf(format string, args ...any) {
	c.srv.logf("tds: %s: "+format, append([]any{c.nc.RemoteAddr()}, args...)...)
}

// run serves the connection until it ends.
func (c *conn) run() {
	c.ctx, c.cancel = context.WithCancel(c.srv.ctx)
	defer c.cancel()
	defer c.nc.Close()
	_ = c.nc.SetDeadline(time.Now().Add(loginTimeout))
	stop := context.AfterFunc(c.ctx, func() { _ = c.nc.Close() })
	defer stop()
	if err := c.handshake(); err != nil {
		if c.ctx.Err() == nil && !errors.Is(err, io.EOF) {
			c.logf("login: %v", err)
		}
		if c.sess != nil { // the login reply could not be written
			c.sess.Close()
		}
		return
	}
	defer c.sess.Close()
	_ = c.nc.SetDeadline(time.Time{})

	var wg sync.WaitGroup
	defer wg.Wait()
	defer c.cancel()
	defer c.nc.Close()

	c.msgs = make(chan item, 4)
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.readLoop()
	}()
	go func() {
		defer wg.Done()
		select {
		case <-c.sess.Killed():
			c.logf("session %d killed: closing the connection", c.sess.SPID())
			_ = c.nc.Close()
		case <-c.ctx.Done():
		}
	}()
	for {
		var it item
		var ok bool
		select {
		case it, ok = <-c.msgs:
		case <-c.ctx.Done():
		}
		if !ok {
			return
		}
		if it.attn {
			if err := c.pw.writeMessage(packReply, doneToken(tokDone, doneAttn, 0, 0)); err != nil {
				return
			}
			continue
		}
		if err := c.serve(it); err != nil {
			if c.ctx.Err() == nil {
				c.logf("%v", err)
			}
			return
		}
	}
}

// readLoop reads client messages; attentions cancel the running request at once.
func (c *conn) readLoop() {
	defer close(c.msgs)
	defer c.cancel()
	for {
		m, err := readMessage(c.rw)
		if err != nil {
			if c.ctx.Err() == nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				c.logf("read: %v", err)
			}
			return
		}
		var it item
		if m.typ == packAttention {
			c.mu.Lock()
			r := c.cur
			if r != nil && !r.finished {
				r.attn = true
				r.cancel()
				c.mu.Unlock()
				continue
			}
			c.mu.Unlock()
			it.attn = true
		} else {
			r := &request{}
			r.ctx, r.cancel = context.WithCancel(c.ctx)
			c.mu.Lock()
			c.cur = r
			c.mu.Unlock()
			it = item{msg: m, req: r}
		}
		select {
		case c.msgs <- it:
		case <-c.ctx.Done():
			if it.req != nil {
				it.req.cancel()
			}
			return
		}
	}
}

// serve answers one request. A returned error ends the connection.
func (c *conn) serve(it item) error {
	req, m := it.req, it.msg
	defer req.cancel()
	w := &respWriter{c: c, pw: c.pw}
	c.pw.begin(packReply)
	if m.status&(statusResetConnection|statusResetConnectionSkip) != 0 {
		if err := c.resetConnection(m.status, w); err != nil {
			return err
		}
	}
	if m.typ != packTransMgr { // transaction requests are instantaneous: never half done
		w.ctx = req.ctx
	}
	var err error
	switch m.typ {
	case packSQLBatch:
		text, perr := parseBatch(m.data)
		if perr != nil {
			err = protocolError(w, perr)
			break
		}
		err = c.sess.Batch(req.ctx, text, w)
	case packRPC:
		r, perr := parseRPC(m.data)
		if perr != nil {
			err = protocolError(w, perr)
			break
		}
		w.rpc, w.params = true, r.Params
		err = c.sess.RPC(req.ctx, r.Proc, r.Params, w)
	case packTransMgr:
		err = c.transMgr(m.data, w)
	default:
		return fmt.Errorf("unexpected packet type 0x%02X", m.typ)
	}
	c.mu.Lock()
	req.finished = true
	attn := req.attn
	if c.cur == req {
		c.cur = nil
	}
	c.mu.Unlock()
	if err != nil && !(attn && errors.Is(err, context.Canceled)) {
		if errors.Is(err, errWriterBroken) || c.ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("session %d: %w", c.sess.SPID(), err)
	}
	return w.finish(attn)
}

// protocolError reports a malformed request to the client, as SQL Server does, and
// keeps the connection.
func protocolError(w *respWriter, err error) error {
	return w.Error(Message{Number: 4002, State: 1, Class: 16,
		Text: "The incoming tabular data stream (TDS) protocol stream is incorrect. " + err.Error()})
}

// resetConnection implements the RESETCONNECTION(SKIPTRAN) status bits.
func (c *conn) resetConnection(status byte, w *respWriter) error {
	if status&statusResetConnection != 0 && c.tranID != 0 {
		if err := c.endTran(envRollback, w); err != nil {
			return err
		}
	}
	c.sess.Reset()
	return w.emit("reset connection", envChangeBytes(envResetAck, nil, nil))
}

func tranDescriptor(id uint64) []byte { return enc(nil).u64(id) }

func (c *conn) endTran(env byte, w *respWriter) error {
	old := c.tranID
	c.tranID = 0
	if ts, ok := c.sess.(TransactionSession); ok {
		ts.InTransaction(false)
	}
	return w.emit("end transaction", envChangeBytes(env, nil, tranDescriptor(old)))
}

// transMgr answers a transaction manager request (tds-server.md §5.4).
func (c *conn) transMgr(b []byte, w *respWriter) error {
	t, err := parseTransMgr(b)
	if err != nil {
		return protocolError(w, err)
	}
	switch t.Type {
	case tmBegin:
		if c.tranID != 0 {
			return w.Error(Message{Number: 8525, State: 1, Class: 16,
				Text: "Distributed transaction completed. Either enlist this session in a new transaction or the NULL transaction."})
		}
		c.tranSeq++
		c.tranID = uint64(c.sess.SPID())<<32 | c.tranSeq
		if ts, ok := c.sess.(TransactionSession); ok {
			ts.InTransaction(true)
		}
		return w.emit("begin transaction", envChangeBytes(envBeginTran, tranDescriptor(c.tranID), nil))
	case tmCommit, tmRollback:
		if c.tranID == 0 {
			num, verb := int32(3902), "COMMIT"
			if t.Type == tmRollback {
				num, verb = 3903, "ROLLBACK"
			}
			return w.Error(Message{Number: num, State: 1, Class: 16,
				Text: fmt.Sprintf("The %s TRANSACTION request has no corresponding BEGIN TRANSACTION.", verb)})
		}
		env := byte(envCommitTran)
		if t.Type == tmRollback {
			env = envRollback
		}
		return c.endTran(env, w)
	}
	return protocolError(w, fmt.Errorf("transaction manager request type %d is not supported", t.Type))
}

// handshake runs PRELOGIN, the optional TLS handshake and LOGIN7.
func (c *conn) handshake() error {
	s := c.srv
	var first [1]byte
	if _, err := io.ReadFull(c.nc, first[:]); err != nil {
		return err
	}
	raw := &prefixConn{Conn: c.nc, prefix: first[:]}
	pre := newPacketWriter(raw, preloginPacketSize)

	if first[0] == 0x16 { // TLS ClientHello: TDS 8.0 strict encryption
		if s.opts.TLS == nil {
			return errors.New("TDS 8.0 strict encryption requested but the server has no TLS configuration")
		}
		cfg := tlsConfig(s.opts.TLS)
		cfg.NextProtos = []string{"tds/8.0"}
		tc := tls.Server(raw, cfg)
		if err := tc.HandshakeContext(c.ctx); err != nil {
			return fmt.Errorf("strict TLS handshake: %w", err)
		}
		m, err := readMessage(tc)
		if err != nil {
			return fmt.Errorf("read prelogin: %w", err)
		}
		if m.typ != packPrelogin {
			return fmt.Errorf("expected PRELOGIN, got packet type 0x%02X", m.typ)
		}
		if _, err := parsePrelogin(m.data); err != nil {
			return err
		}
		pre.w = tc
		if err := pre.writeMessage(packReply, buildPrelogin(s.version(), encryptOn)); err != nil {
			return fmt.Errorf("write prelogin: %w", err)
		}
		return c.readLogin(tc, tc, true)
	}

	m, err := readMessage(raw)
	if err != nil {
		return fmt.Errorf("read prelogin: %w", err)
	}
	if m.typ != packPrelogin {
		return fmt.Errorf("expected PRELOGIN, got packet type 0x%02X", m.typ)
	}
	opts, err := parsePrelogin(m.data)
	if err != nil {
		return err
	}
	clientEnc := byte(encryptOff)
	if v := opts[preloginEncryption]; len(v) > 0 {
		clientEnc = v[0]
	}
	reply := negotiateEncryption(clientEnc, s.opts.TLS != nil, s.opts.RequireEncryption)
	if err := pre.writeMessage(packReply, buildPrelogin(s.version(), reply)); err != nil {
		return fmt.Errorf("write prelogin: %w", err)
	}
	if reply == encryptNotSup {
		return c.readLogin(raw, raw, false)
	}
	if clientEnc == encryptNotSup {
		return errors.New("the server requires encryption and the client does not support it")
	}
	hc := &handshakeConn{prefixConn: raw, wrap: true}
	tc := tls.Server(hc, tlsConfig(s.opts.TLS))
	if err := tc.HandshakeContext(c.ctx); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	hc.wrap = false
	if reply == encryptOff {
		// Only LOGIN7 is encrypted; everything after it is plaintext (tds-server.md §3.4).
		return c.readLogin(tc, raw, true)
	}
	return c.readLogin(tc, tc, true)
}

// negotiateEncryption answers the client's PRELOGIN ENCRYPTION value (MS-TDS §2.2.6.5).
func negotiateEncryption(client byte, haveTLS, require bool) byte {
	switch {
	case !haveTLS:
		return encryptNotSup
	case client == encryptNotSup:
		if require {
			return encryptReq
		}
		return encryptNotSup
	case client == encryptOff && !require:
		return encryptOff
	case client == encryptOff:
		return encryptReq
	default:
		return encryptOn
	}
}

func tlsConfig(base *tls.Config) *tls.Config {
	cfg := base.Clone()
	// Go's TLS 1.3 server would append NewSessionTicket records to its flight.
	cfg.SessionTicketsDisabled = true
	return cfg
}

// readLogin reads LOGIN7 from in, then uses out as the transport for the session.
func (c *conn) readLogin(in io.Reader, out io.ReadWriter, encrypted bool) error {
	s := c.srv
	m, err := readMessage(in)
	if err != nil {
		return fmt.Errorf("read login: %w", err)
	}
	if m.typ != packLogin7 {
		return fmt.Errorf("expected LOGIN7, got packet type 0x%02X", m.typ)
	}
	l, err := parseLogin7(m.data)
	if err != nil {
		return err
	}
	c.rw = out
	_, fullTLS := out.(*tls.Conn)
	requested := int(l.PacketSize)
	size := s.opts.PacketSize
	if requested != 0 {
		size = clampPacketSize(requested)
	}
	if fullTLS && size > maxTLSPacketSize {
		size = maxTLSPacketSize
	}
	replySize := size
	if requested == 0 {
		replySize = preloginPacketSize
	}
	c.pw = newPacketWriter(out, replySize)
	c.login = LoginRequest{
		User: l.UserName, Password: l.Password, Database: l.Database, AppName: l.AppName,
		HostName: l.HostName, ServerName: l.ServerName, Integrated: l.Integrated,
		Encrypted: encrypted, PacketSize: requested,
	}
	sess, err := s.engine.Login(c.ctx, c.login)
	if err != nil {
		var msg *Message
		if !errors.As(err, &msg) {
			c.logf("login of %q refused: %v", l.UserName, err)
			msg = &Message{Number: 18456, State: 1, Class: 14,
				Text: fmt.Sprintf("Login failed for user '%s'.", l.UserName)}
		}
		mm := *msg
		if mm.Server == "" {
			mm.Server = s.engine.ServerName()
		}
		tok := append(messageToken(tokError, mm), doneToken(tokDone, doneError, 0, 0)...)
		_ = c.pw.writeMessage(packReply, tok)
		return fmt.Errorf("login of %q failed: %d %s", l.UserName, mm.Number, mm.Text)
	}
	if sess == nil {
		return errors.New("engine returned no session")
	}
	c.sess = sess
	c.pw.spid = uint16(sess.SPID())
	db := sess.Database()
	server := s.engine.ServerName()
	var b []byte
	b = append(b, envChangeString(envDatabase, db, "master")...)
	b = append(b, messageToken(tokInfo, Message{Number: 5701, State: 2, Class: 0,
		Text: fmt.Sprintf("Changed database context to '%s'.", db), Server: server, Line: 1})...)
	b = append(b, envChangeBytes(envCollation, collation, nil)...)
	b = append(b, envChangeString(envLanguage, "us_english", "")...)
	b = append(b, messageToken(tokInfo, Message{Number: 5703, State: 1, Class: 0,
		Text: "Changed language setting to us_english.", Server: server, Line: 1})...)
	b = append(b, loginAck(s.version())...)
	old := requested
	if old == 0 {
		old = size
	}
	b = append(b, envChangeString(envPacketSize, packetSizeString(size), packetSizeString(old))...)
	b = append(b, doneToken(tokDone, 0, 0, 0)...)
	if err := c.pw.writeMessage(packReply, b); err != nil {
		return fmt.Errorf("write login reply: %w", err)
	}
	c.pw.size = size
	c.packetSize = size
	c.logf("login %q to %q as session %d (encrypted %v, packet size %d)", l.UserName, db, sess.SPID(), encrypted, size)
	return nil
}

// prefixConn is a net.Conn whose first bytes were already read (to tell TDS from a
// TDS 8.0 TLS ClientHello).
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// handshakeConn carries the TLS handshake inside PRELOGIN packets while wrap is set and
// is a plain pass-through afterwards (tds-server.md §3.4). Each Write of the TLS server
// (one whole flight) becomes one TDS message, as go-mssqldb requires.
type handshakeConn struct {
	*prefixConn
	wrap bool
	rbuf []byte
}

func (h *handshakeConn) Read(b []byte) (int, error) {
	if !h.wrap {
		return h.prefixConn.Read(b)
	}
	for len(h.rbuf) == 0 {
		var hdr [headerSize]byte
		typ, _, data, err := readPacket(h.prefixConn, hdr[:], nil)
		if err != nil {
			return 0, err
		}
		if typ != packPrelogin {
			return 0, fmt.Errorf("tds: packet type 0x%02X during the TLS handshake", typ)
		}
		h.rbuf = data
	}
	n := copy(b, h.rbuf)
	h.rbuf = h.rbuf[n:]
	return n, nil
}

func (h *handshakeConn) Write(b []byte) (int, error) {
	if !h.wrap {
		return h.prefixConn.Write(b)
	}
	pw := newPacketWriter(h.prefixConn, preloginPacketSize)
	if err := pw.writeMessage(packPrelogin, b); err != nil {
		return 0, err
	}
	return len(b), nil
}
