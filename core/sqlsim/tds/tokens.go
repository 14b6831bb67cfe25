package tds

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Token types (tds-server.md §6.1).
const (
	tokReturnStatus = 0x79
	tokColMetadata  = 0x81
	tokError        = 0xAA
	tokInfo         = 0xAB
	tokReturnValue  = 0xAC
	tokLoginAck     = 0xAD
	tokRow          = 0xD1
	tokEnvChange    = 0xE3
	tokDone         = 0xFD
	tokDoneProc     = 0xFE
	tokDoneInProc   = 0xFF
)

// DONE status bits (tds-server.md §6.2).
const (
	doneMore   = 0x0001
	doneError  = 0x0002
	doneInXact = 0x0004
	doneCount  = 0x0010
	doneAttn   = 0x0020
)

// curCmdSelect is the DONE CurCmd of a SELECT.
const curCmdSelect = 0x00C1

// ENVCHANGE types (tds-server.md §6.3).
const (
	envDatabase   = 1
	envLanguage   = 2
	envPacketSize = 4
	envCollation  = 7
	envBeginTran  = 8
	envCommitTran = 9
	envRollback   = 10
	envResetAck   = 18
)

// withLen prefixes a token body with its 2-byte length.
func withLen(tok byte, body []byte) []byte {
	return append(enc{tok}.u16(uint16(len(body))), body...)
}

func doneToken(tok byte, status, curCmd uint16, rows uint64) []byte {
	return enc{tok}.u16(status).u16(curCmd).u64(rows)
}

// envChangeString encodes an ENVCHANGE whose values are B_VARCHARs.
func envChangeString(typ byte, newV, oldV string) []byte {
	return withLen(tokEnvChange, enc{typ}.bVarchar(newV).bVarchar(oldV))
}

// envChangeBytes encodes an ENVCHANGE whose values are B_VARBYTEs.
func envChangeBytes(typ byte, newV, oldV []byte) []byte {
	return withLen(tokEnvChange, enc{typ}.u8(byte(len(newV))).bytes(newV).u8(byte(len(oldV))).bytes(oldV))
}

// messageToken encodes an ERROR or INFO token (tds-server.md §6.4).
func messageToken(tok byte, m Message) []byte {
	body := enc(nil).u32(uint32(m.Number)).u8(m.State).u8(m.Class).
		usVarchar(m.Text).bVarchar(m.Server).bVarchar(m.Proc).u32(uint32(m.Line))
	return withLen(tok, body)
}

// loginAck encodes LOGINACK for TDS 7.4 (tds-server.md §4.4).
func loginAck(v [4]byte) []byte {
	body := enc{1, 0x74, 0x00, 0x00, 0x04}.bVarchar("Microsoft SQL Server").bytes(v[:])
	return withLen(tokLoginAck, body)
}

// colMetadata encodes COLMETADATA (tds-server.md §6.5).
func colMetadata(cols []Column) ([]byte, error) {
	if len(cols) == 0 || len(cols) > 4096 {
		return nil, fmt.Errorf("tds: result set with %d columns", len(cols))
	}
	e := enc{tokColMetadata}.u16(uint16(len(cols)))
	for _, c := range cols {
		ti, err := typeInfo(c)
		if err != nil {
			return nil, err
		}
		flags := uint16(0)
		if c.Nullable {
			flags |= 0x0001
		}
		e = e.u32(0).u16(flags).bytes(ti).bVarchar(c.Name)
	}
	return e, nil
}

// errWriterBroken is returned by a respWriter after a write to the client failed.
var errWriterBroken = errors.New("tds: connection to the client is broken")

// respWriter implements ResultWriter for one request. In a batch the last statement
// DONE is held back: it becomes the final DONE (no DONE_MORE) unless more tokens
// follow. In an RPC statements end with DONEINPROC|DONE_MORE and the wire layer appends
// DONEPROC (tds-server.md §6.1-6.2).
type respWriter struct {
	// ctx is the request's context: once it is cancelled (Attention, connection gone)
	// every method returns its error, so that an engine stops at its next write.
	ctx     context.Context
	c       *conn
	pw      *packetWriter
	rpc     bool
	params  []Param
	cols    []Column
	hasCols bool // a result set started in the current statement
	held    []byte
	errs    bool // ERROR token since the last statement end
	anyErr  bool // any ERROR token in this request
	nextOrd int
	err     error
}

func (w *respWriter) fail(op string, err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("%s: %w: %w", op, errWriterBroken, err)
	}
	return w.err
}

// emit writes a token, releasing a held DONE first (it was not the last one).
func (w *respWriter) emit(op string, tok []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.ctx != nil && w.ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, w.ctx.Err())
	}
	if w.held != nil {
		h := w.held
		w.held = nil
		h[1] |= doneMore
		if err := w.pw.write(h); err != nil {
			return w.fail(op, err)
		}
	}
	if err := w.pw.write(tok); err != nil {
		return w.fail(op, err)
	}
	return nil
}

// Columns implements ResultWriter.
func (w *respWriter) Columns(cols []Column) error {
	tok, err := colMetadata(cols)
	if err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	if err := w.emit("columns", tok); err != nil {
		return err
	}
	w.cols = append(w.cols[:0], cols...)
	w.hasCols = true
	return nil
}

// Row implements ResultWriter.
func (w *respWriter) Row(values ...any) error {
	if len(w.cols) == 0 {
		return errors.New("row: no result set started (call Columns first)")
	}
	if len(values) != len(w.cols) {
		return fmt.Errorf("row: %d values for %d columns", len(values), len(w.cols))
	}
	b := []byte{tokRow}
	for i, c := range w.cols {
		if values[i] == nil && !c.Nullable {
			return fmt.Errorf("row: NULL in NOT NULL column %q", c.Name)
		}
		var err error
		if b, err = appendValue(b, c, values[i]); err != nil {
			return fmt.Errorf("row: column %q: %w", c.Name, err)
		}
	}
	return w.emit("row", b)
}

func (w *respWriter) fillMessage(m Message) Message {
	if m.Server == "" {
		m.Server = w.c.srv.engine.ServerName()
	}
	return m
}

// Info implements ResultWriter: the INFO token leaves at once in a non-final packet.
func (w *respWriter) Info(m Message) error {
	m = w.fillMessage(m)
	if m.Class == 10 { // SQL Server sends severity 10 as 0 (tds-server.md §6.4)
		m.Class = 0
	}
	if err := w.emit("info", messageToken(tokInfo, m)); err != nil {
		return err
	}
	if err := w.pw.flush(); err != nil {
		return w.fail("info", err)
	}
	return nil
}

// Error implements ResultWriter.
func (w *respWriter) Error(m Message) error {
	if err := w.emit("error", messageToken(tokError, w.fillMessage(m))); err != nil {
		return err
	}
	w.errs, w.anyErr = true, true
	return nil
}

func (w *respWriter) inXact(status uint16) uint16 {
	if w.c.tranID != 0 {
		status |= doneInXact
	}
	return status
}

// StatementDone implements ResultWriter.
func (w *respWriter) StatementDone(rows int64, failed bool) error {
	status := uint16(0)
	var count uint64
	if rows >= 0 {
		status |= doneCount
		count = uint64(rows)
	}
	if failed || w.errs {
		status |= doneError
	}
	cur := uint16(0)
	if w.hasCols {
		cur = curCmdSelect
	}
	status = w.inXact(status)
	w.hasCols, w.errs = false, false
	if w.rpc {
		return w.emit("statement done", doneToken(tokDoneInProc, status|doneMore, cur, count))
	}
	if err := w.emit("statement done", nil); err != nil {
		return err
	}
	w.held = doneToken(tokDone, status, cur, count)
	return nil
}

// ReturnStatus implements ResultWriter.
func (w *respWriter) ReturnStatus(status int32) error {
	return w.emit("return status", enc{tokReturnStatus}.u32(uint32(status)))
}

// ReturnValue implements ResultWriter.
func (w *respWriter) ReturnValue(name string, col Column, value any) error {
	if !strings.HasPrefix(name, "@") {
		name = "@" + name
	}
	ord := -1
	for i, p := range w.params {
		if strings.EqualFold(p.Name, name) {
			ord = i
			break
		}
	}
	if ord < 0 {
		ord = w.nextOrd
	}
	w.nextOrd = ord + 1
	ti, err := typeInfo(col)
	if err != nil {
		return fmt.Errorf("return value %s: %w", name, err)
	}
	flags := uint16(0)
	if col.Nullable || value == nil {
		flags = 1
	}
	b := enc{tokReturnValue}.u16(uint16(ord)).bVarchar(name).u8(1).u32(0).u16(flags).bytes(ti)
	out, err := appendValue(b, col, value)
	if err != nil {
		return fmt.Errorf("return value %s: %w", name, err)
	}
	return w.emit("return value", out)
}

// DatabaseChanged implements ResultWriter.
func (w *respWriter) DatabaseChanged(newDB, oldDB string) error {
	return w.emit("database changed", envChangeString(envDatabase, newDB, oldDB))
}

// finish ends the response: the held DONE becomes final, or a final DONE/DONEPROC is
// appended; with an acknowledged attention the last token is DONE(DONE_ATTN).
func (w *respWriter) finish(attn bool) error {
	if w.err != nil {
		return w.err
	}
	w.ctx = nil // the request is over; its end is always written
	var last []byte
	switch {
	case attn:
		if err := w.emit("finish", nil); err != nil {
			return err
		}
		last = doneToken(tokDone, doneAttn, 0, 0)
	case w.rpc:
		status := uint16(0)
		if w.anyErr {
			status |= doneError
		}
		last = doneToken(tokDoneProc, w.inXact(status), 0, 0)
	case w.held != nil && !w.errs:
		last, w.held = w.held, nil
	default:
		if err := w.emit("finish", nil); err != nil {
			return err
		}
		status := uint16(0)
		if w.errs {
			status |= doneError
		}
		last = doneToken(tokDone, w.inXact(status), 0, 0)
	}
	if err := w.pw.write(last); err != nil {
		return w.fail("finish", err)
	}
	if err := w.pw.end(); err != nil {
		return w.fail("finish", err)
	}
	return nil
}

// packetSizeString is the ENVCHANGE packet size value.
func packetSizeString(n int) string { return strconv.Itoa(n) }
