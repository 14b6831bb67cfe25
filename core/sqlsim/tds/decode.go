package tds

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encryption values of the PRELOGIN ENCRYPTION option (tds-server.md §3.3).
const (
	encryptOff    = 0
	encryptOn     = 1
	encryptNotSup = 2
	encryptReq    = 3
)

// PRELOGIN option tokens.
const (
	preloginVersion    = 0x00
	preloginEncryption = 0x01
	preloginInstOpt    = 0x02
	preloginThreadID   = 0x03
	preloginMARS       = 0x04
	preloginTerminator = 0xFF
)

// parsePrelogin decodes a PRELOGIN payload into its options (tds-server.md §3.1).
func parsePrelogin(b []byte) (map[byte][]byte, error) {
	opts := map[byte][]byte{}
	for i := 0; ; i += 5 {
		if i >= len(b) {
			return nil, fmt.Errorf("prelogin: option table not terminated")
		}
		tok := b[i]
		if tok == preloginTerminator {
			return opts, nil
		}
		if i+5 > len(b) {
			return nil, fmt.Errorf("prelogin: option table truncated")
		}
		off := int(binary.BigEndian.Uint16(b[i+1:]))
		n := int(binary.BigEndian.Uint16(b[i+3:]))
		if off+n > len(b) {
			return nil, fmt.Errorf("prelogin: option 0x%02X at %d+%d beyond %d bytes", tok, off, n, len(b))
		}
		opts[tok] = b[off : off+n]
	}
}

// buildPrelogin encodes a PRELOGIN reply: VERSION, ENCRYPTION, INSTOPT, THREADID, MARS,
// every option at least one byte long (tds-server.md §3.2).
func buildPrelogin(version [4]byte, encryption byte) []byte {
	data := [][]byte{
		{version[0], version[1], version[2], version[3], 0, 0},
		{encryption},
		{0},
		{0, 0, 0, 0},
		{0},
	}
	toks := []byte{preloginVersion, preloginEncryption, preloginInstOpt, preloginThreadID, preloginMARS}
	off := 5*len(toks) + 1
	var table, body []byte
	for i, d := range data {
		table = append(table, toks[i], byte(off>>8), byte(off), byte(len(d)>>8), byte(len(d)))
		body = append(body, d...)
		off += len(d)
	}
	table = append(table, preloginTerminator)
	return append(table, body...)
}

// login7 is the decoded LOGIN7 message (tds-server.md §4.1).
type login7 struct {
	TDSVersion uint32
	PacketSize uint32
	Integrated bool
	ReadOnly   bool
	HostName   string
	UserName   string
	Password   string
	AppName    string
	ServerName string
	Library    string
	Language   string
	Database   string
}

// parseLogin7 decodes a LOGIN7 payload; it never panics on malformed input.
func parseLogin7(b []byte) (login7, error) {
	var l login7
	if len(b) < 94 {
		return l, fmt.Errorf("login7: %d bytes, need at least 94", len(b))
	}
	if n := binary.LittleEndian.Uint32(b); int64(n) > int64(len(b)) || n < 94 {
		return l, fmt.Errorf("login7: length field %d, message %d bytes", n, len(b))
	}
	l.TDSVersion = binary.LittleEndian.Uint32(b[4:])
	l.PacketSize = binary.LittleEndian.Uint32(b[8:])
	l.Integrated = b[25]&0x80 != 0
	l.ReadOnly = b[26]&0x20 != 0
	str := func(at int, obfuscated bool) (string, error) {
		off := int(binary.LittleEndian.Uint16(b[at:]))
		n := 2 * int(binary.LittleEndian.Uint16(b[at+2:]))
		if n == 0 {
			return "", nil
		}
		if off+n > len(b) {
			return "", fmt.Errorf("login7: field at offset %d (%d bytes) beyond %d bytes", off, n, len(b))
		}
		raw := b[off : off+n]
		if obfuscated {
			raw = deobfuscate(raw)
		}
		return fromUTF16(raw)
	}
	fields := []struct {
		at  int
		dst *string
		obf bool
	}{
		{36, &l.HostName, false},
		{40, &l.UserName, false},
		{44, &l.Password, true},
		{48, &l.AppName, false},
		{52, &l.ServerName, false},
		{60, &l.Library, false},
		{64, &l.Language, false},
		{68, &l.Database, false},
	}
	for _, f := range fields {
		s, err := str(f.at, f.obf)
		if err != nil {
			return login7{}, err
		}
		*f.dst = s
	}
	return l, nil
}

// deobfuscate reverses the LOGIN7 password scrambling: XOR 0xA5, then swap nibbles
// (MS-TDS §2.2.6.4).
func deobfuscate(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		x := c ^ 0xA5
		out[i] = x<<4 | x>>4
	}
	return out
}

// rpcRequest is a decoded RPC message (tds-server.md §5.3).
type rpcRequest struct {
	Proc   string
	Params []Param
}

// procIDs maps the well-known ProcIDs (MS-TDS §2.2.6.6) to procedure names.
var procIDs = [...]string{
	1: "sp_cursor", 2: "sp_cursoropen", 3: "sp_cursorprepare", 4: "sp_cursorexecute",
	5: "sp_cursorprepexec", 6: "sp_cursorunprepare", 7: "sp_cursorfetch", 8: "sp_cursoroption",
	9: "sp_cursorclose", 10: "sp_executesql", 11: "sp_prepare", 12: "sp_execute",
	13: "sp_prepexec", 14: "sp_prepexecrpc", 15: "sp_unprepare",
}

// parseRPC decodes an RPC payload (ALL_HEADERS included); it never panics on malformed
// input. Only one RPC per message is supported (go-mssqldb never batches RPCs).
func parseRPC(b []byte) (rpcRequest, error) {
	var r rpcRequest
	d := &dec{b: b}
	d.skipAllHeaders()
	n := d.u16()
	if n == 0xFFFF {
		id := d.u16()
		if d.err == nil {
			if int(id) >= len(procIDs) || procIDs[id] == "" {
				return r, fmt.Errorf("rpc: unknown ProcID %d", id)
			}
			r.Proc = procIDs[id]
		}
	} else {
		raw := d.bytes(2 * int(n))
		if d.err == nil {
			s, err := fromUTF16(raw)
			if err != nil {
				return r, fmt.Errorf("rpc: procedure name: %w", err)
			}
			r.Proc = s
		}
	}
	d.u16() // OptionFlags (fWithRecomp, fNoMetaData, fReuseMetaData): nothing to do
	if d.err != nil {
		return r, fmt.Errorf("rpc header: %w", d.err)
	}
	for d.rest() > 0 {
		if b := d.b[d.off]; b == 0xFF || b == 0xFE {
			return r, fmt.Errorf("rpc %s: batched RPC requests are not supported", r.Proc)
		}
		var p Param
		p.Name = d.bVarchar()
		status := d.u8()
		p.Output = status&0x01 != 0
		t := d.typeInfo()
		p.Type = t.name()
		p.Value = d.value(t)
		if d.err != nil {
			return r, fmt.Errorf("rpc %s: parameter %d (%q): %w", r.Proc, len(r.Params)+1, p.Name, d.err)
		}
		r.Params = append(r.Params, p)
	}
	return r, nil
}

// decodeVarChar decodes VARCHAR/CHAR bytes. go-mssqldb sends mssql.VarChar as the Go
// string's bytes, so valid UTF-8 is taken as is; anything else is read as code page
// 1252 (the SQL_Latin1_General_CP1 code page).
func decodeVarChar(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return string(b)
	}
	return string(s)
}

// transMgr request types (tds-server.md §5.4).
const (
	tmBegin    = 5
	tmCommit   = 7
	tmRollback = 8
)

// transRequest is a decoded transaction manager request.
type transRequest struct {
	Type      uint16
	Isolation byte
	Name      string
}

func parseTransMgr(b []byte) (transRequest, error) {
	var t transRequest
	d := &dec{b: b}
	d.skipAllHeaders()
	t.Type = d.u16()
	switch t.Type {
	case tmBegin:
		t.Isolation = d.u8()
		if d.rest() > 0 {
			t.Name = d.bVarchar()
		}
	case tmCommit, tmRollback:
		if d.rest() > 0 {
			t.Name = d.bVarchar()
		}
	}
	if d.err != nil {
		return t, fmt.Errorf("transaction manager request: %w", d.err)
	}
	return t, nil
}

// parseBatch decodes a SQLBatch payload into its text.
func parseBatch(b []byte) (string, error) {
	d := &dec{b: b}
	d.skipAllHeaders()
	if d.err != nil {
		return "", fmt.Errorf("sql batch: %w", d.err)
	}
	s, err := fromUTF16(d.b[d.off:])
	if err != nil {
		return "", fmt.Errorf("sql batch: %w", err)
	}
	return s, nil
}
