package tds

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
)

// Packet types (tds-server.md §1.2).
const (
	packSQLBatch  = 0x01
	packRPC       = 0x03
	packReply     = 0x04
	packAttention = 0x06
	packTransMgr  = 0x0E
	packLogin7    = 0x10
	packPrelogin  = 0x12
)

// Packet status bits (tds-server.md §1.1).
const (
	statusEOM                 = 0x01
	statusResetConnection     = 0x08
	statusResetConnectionSkip = 0x10
)

const (
	headerSize = 8
	// minPacketSize and maxPacketSize bound the negotiated packet size (the client clamps
	// to the same range, gm:tds.go:1178-1190, and its buffers are 32 KiB).
	minPacketSize = 512
	maxPacketSize = 32767
	// maxTLSPacketSize is what SQL Server confirms for encrypted connections.
	maxTLSPacketSize = 16383
	// preloginPacketSize is used for every server message before LOGIN7 told us the
	// client's packet size: no client accepts less.
	preloginPacketSize = 512
	// maxMessageSize caps one reassembled client message.
	maxMessageSize = 64 << 20
)

// errMessageTooLarge reports a client message above maxMessageSize.
var errMessageTooLarge = errors.New("tds: client message too large")

// message is one reassembled client message.
type message struct {
	typ    byte
	status byte // status of the first packet (RESETCONNECTION bits live there)
	data   []byte
}

// readPacket reads one TDS packet; the payload is appended to buf.
func readPacket(r io.Reader, hdr []byte, buf []byte) (typ, status byte, out []byte, err error) {
	if _, err = io.ReadFull(r, hdr[:headerSize]); err != nil {
		return 0, 0, buf, err
	}
	n := int(binary.BigEndian.Uint16(hdr[2:4]))
	if n < headerSize {
		return 0, 0, buf, fmt.Errorf("tds: packet length %d shorter than its header", n)
	}
	start := len(buf)
	if len(buf)+n-headerSize > maxMessageSize {
		return 0, 0, buf, errMessageTooLarge
	}
	buf = append(buf, make([]byte, n-headerSize)...)
	if _, err = io.ReadFull(r, buf[start:]); err != nil {
		return 0, 0, buf, err
	}
	return hdr[0], hdr[1], buf, nil
}

// readMessage reads packets until one with EOM and returns the reassembled message.
func readMessage(r io.Reader) (message, error) {
	var hdr [headerSize]byte
	var m message
	first := true
	for {
		typ, status, data, err := readPacket(r, hdr[:], m.data)
		m.data = data
		if err != nil {
			if !first && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return m, err
		}
		if first {
			m.typ, m.status, first = typ, status, false
		} else if typ != m.typ {
			return m, fmt.Errorf("tds: packet type 0x%02X inside a message of type 0x%02X", typ, m.typ)
		}
		if status&statusEOM != 0 {
			return m, nil
		}
	}
}

// packetWriter frames one outgoing message into packets of at most size bytes. Only
// full packets leave before flush or end, so the final packet can carry EOM.
type packetWriter struct {
	w     io.Writer
	size  int
	spid  uint16
	typ   byte
	id    byte
	buf   []byte
	frame []byte
}

func newPacketWriter(w io.Writer, size int) *packetWriter {
	return &packetWriter{w: w, size: size, typ: packReply}
}

// begin starts a new message of the given packet type.
func (p *packetWriter) begin(typ byte) {
	p.typ = typ
	p.id = 1
	p.buf = p.buf[:0]
}

// write appends payload bytes and sends every packet that is certainly not the last.
func (p *packetWriter) write(b []byte) error {
	p.buf = append(p.buf, b...)
	max := p.size - headerSize
	sent := 0
	for len(p.buf)-sent > max {
		if err := p.send(p.buf[sent:sent+max], 0); err != nil {
			return err
		}
		sent += max
	}
	if sent > 0 {
		p.buf = append(p.buf[:0], p.buf[sent:]...)
	}
	return nil
}

// flush sends the pending bytes as a non-final packet (used to stream INFO at once).
// go-mssqldb accepts short non-final packets (tds-server.md §1.3).
func (p *packetWriter) flush() error {
	if len(p.buf) == 0 {
		return nil
	}
	err := p.send(p.buf, 0)
	p.buf = p.buf[:0]
	return err
}

// end sends the pending bytes as the final packet of the message (status exactly EOM:
// the client treats any non-zero status as final, gm:buf.go:186).
func (p *packetWriter) end() error {
	err := p.send(p.buf, statusEOM)
	p.buf = p.buf[:0]
	return err
}

func (p *packetWriter) send(payload []byte, status byte) error {
	n := headerSize + len(payload)
	p.frame = append(p.frame[:0], p.typ, status, byte(n>>8), byte(n), byte(p.spid>>8), byte(p.spid), p.id, 0)
	p.frame = append(p.frame, payload...)
	p.id++
	_, err := p.w.Write(p.frame)
	return err
}

// writeMessage sends payload as one whole message.
func (p *packetWriter) writeMessage(typ byte, payload []byte) error {
	p.begin(typ)
	if err := p.write(payload); err != nil {
		return err
	}
	return p.end()
}

// ---- little-endian encoding helpers ----

type enc []byte

func (e enc) u8(v byte) enc      { return append(e, v) }
func (e enc) u16(v uint16) enc   { return binary.LittleEndian.AppendUint16(e, v) }
func (e enc) u32(v uint32) enc   { return binary.LittleEndian.AppendUint32(e, v) }
func (e enc) u64(v uint64) enc   { return binary.LittleEndian.AppendUint64(e, v) }
func (e enc) bytes(b []byte) enc { return append(e, b...) }

// bVarchar appends a B_VARCHAR (1-byte character count + UTF-16LE), truncated at 255 units.
func (e enc) bVarchar(s string) enc {
	u := utf16.Encode([]rune(s))
	if len(u) > 255 {
		u = u[:255]
	}
	e = append(e, byte(len(u)))
	return appendUTF16(e, u)
}

// usVarchar appends a US_VARCHAR (2-byte character count + UTF-16LE).
func (e enc) usVarchar(s string) enc {
	u := utf16.Encode([]rune(s))
	if len(u) > 0xFFFF {
		u = u[:0xFFFF]
	}
	e = binary.LittleEndian.AppendUint16(e, uint16(len(u)))
	return appendUTF16(e, u)
}

func appendUTF16(b []byte, u []uint16) []byte {
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// utf16le encodes s as UTF-16LE bytes.
func utf16le(s string) []byte {
	return appendUTF16(nil, utf16.Encode([]rune(s)))
}

// fromUTF16 decodes UTF-16LE bytes (an odd trailing byte is an error).
func fromUTF16(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("tds: odd UTF-16 byte count %d", len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// dec is a bounds-checked little-endian decoder over a client message.
type dec struct {
	b   []byte
	off int
	err error
}

var errShort = errors.New("tds: message truncated")

func (d *dec) need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.b)-d.off < n {
		d.err = errShort
		return false
	}
	return true
}

func (d *dec) rest() int { return len(d.b) - d.off }

func (d *dec) u8() byte {
	if !d.need(1) {
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *dec) u16() uint16 {
	if !d.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(d.b[d.off:])
	d.off += 2
	return v
}

func (d *dec) u32() uint32 {
	if !d.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b[d.off:])
	d.off += 4
	return v
}

func (d *dec) u64() uint64 {
	if !d.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

func (d *dec) bytes(n int) []byte {
	if !d.need(n) {
		return nil
	}
	v := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return v
}

// bVarchar reads a B_VARCHAR.
func (d *dec) bVarchar() string {
	n := int(d.u8())
	b := d.bytes(2 * n)
	if d.err != nil {
		return ""
	}
	s, _ := fromUTF16(b)
	return s
}

// skipAllHeaders skips the ALL_HEADERS block that starts SQLBatch, RPC and TransMgr
// payloads (tds-server.md §5.1).
func (d *dec) skipAllHeaders() {
	if d.rest() < 4 {
		d.err = errShort
		return
	}
	total := int(d.u32())
	if total < 4 {
		d.err = fmt.Errorf("tds: ALL_HEADERS length %d", total)
		return
	}
	d.bytes(total - 4)
}
