package tds

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestValueEncodings checks column encodings against the hex in tds-server.md §7.
func TestValueEncodings(t *testing.T) {
	tests := []struct {
		name  string
		col   Column
		value any
		ti    string
		want  string
	}{
		{"numeric(25,0) int64", Column{Type: TypeNumeric, Precision: 25}, int64(41000000048800001), "6C 0D 19 00", "0D 01 01 21 B3 66 48 A9 91 00 00 00 00 00"},
		{"numeric(25,0) string", Column{Type: TypeNumeric, Precision: 25}, "41000000048800001", "6C 0D 19 00", "0D 01 01 21 B3 66 48 A9 91 00 00 00 00 00"},
		{"numeric(25,0) Decimal", Column{Type: TypeNumeric, Precision: 25}, Decimal{Unscaled: "41000000048800001", Precision: 25}, "6C 0D 19 00", "0D 01 01 21 B3 66 48 A9 91 00 00 00 00 00"},
		{"numeric(5,2) negative", Column{Type: TypeNumeric, Precision: 5, Scale: 2}, "-1.5", "6C 05 05 02", "05 00 96 00 00 00"},
		{"numeric(5,2) Decimal rescaled", Column{Type: TypeNumeric, Precision: 5, Scale: 2}, Decimal{Unscaled: "-1500", Scale: 3}, "6C 05 05 02", "05 00 96 00 00 00"},
		{"numeric(5,1) rounds half up", Column{Type: TypeNumeric, Precision: 5, Scale: 1}, "1.25", "6C 05 05 01", "05 01 0D 00 00 00"},
		{"numeric(5,1) rounds negative away from zero", Column{Type: TypeNumeric, Precision: 5, Scale: 1}, "-1.25", "6C 05 05 01", "05 00 0D 00 00 00"},
		{"numeric(5,1) rounds down", Column{Type: TypeNumeric, Precision: 5, Scale: 1}, Decimal{Unscaled: "124", Scale: 2}, "6C 05 05 01", "05 01 0C 00 00 00"},
		{"datetime", Column{Type: TypeDateTime}, time.Date(2024, 3, 15, 13, 45, 30, 500_000_000, time.UTC), "6F 08", "08 34 B1 00 00 8E BB E2 00"},
		{"datetime2(7)", Column{Type: TypeDateTime2, Scale: 7}, time.Date(2024, 3, 15, 13, 45, 30, 500_000_000, time.UTC), "2A 07", "08 40 84 7A 52 73 8F 46 0B"},
		{"datetime2(0) rounds into the next day", Column{Type: TypeDateTime2}, time.Date(1, 1, 1, 23, 59, 59, 500_000_000, time.UTC), "2A 00", "06 00 00 00 01 00 00"},
		{"datetime2(3) rounds", Column{Type: TypeDateTime2, Scale: 3}, time.Date(1, 1, 1, 0, 0, 0, 1_500_000, time.UTC), "2A 03", "07 02 00 00 00 00 00 00"},
		{"datetime2(0)", Column{Type: TypeDateTime2}, time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), "2A 00", "06 01 00 00 00 00 00"},
		{"uniqueidentifier string", Column{Type: TypeUniqueIdentifier}, "12345678-1234-5678-1234-56789ABCDEF0", "24 10", "10 78 56 34 12 34 12 78 56 12 34 56 78 9A BC DE F0"},
		{"uniqueidentifier bytes", Column{Type: TypeUniqueIdentifier}, [16]byte{0x78, 0x56, 0x34, 0x12}, "24 10", "10 78 56 34 12 00 00 00 00 00 00 00 00 00 00 00 00"},
		{"int NULL", Column{Type: TypeInt, Nullable: true}, nil, "26 04", "00"},
		{"nvarchar(10)", Column{Type: TypeNVarChar, Size: 10}, "a", "E7 14 00 09 04 D0 00 34", "02 00 61 00"},
		{"nvarchar(10) NULL", Column{Type: TypeNVarChar, Size: 10}, nil, "E7 14 00 09 04 D0 00 34", "FF FF"},
		{"nvarchar(max) empty", Column{Type: TypeNVarChar}, "", "E7 FF FF 09 04 D0 00 34", "00 00 00 00 00 00 00 00 00 00 00 00"},
		{"nvarchar(max) NULL", Column{Type: TypeNVarChar}, nil, "E7 FF FF 09 04 D0 00 34", "FF FF FF FF FF FF FF FF"},
		{"varbinary(4)", Column{Type: TypeVarBinary, Size: 4}, []byte{1, 2}, "A5 04 00", "02 00 01 02"},
		{"bit", Column{Type: TypeBit}, true, "68 01", "01 01"},
		{"float", Column{Type: TypeFloat}, 1.0, "6D 08", "08 00 00 00 00 00 00 F0 3F"},
		{"tinyint", Column{Type: TypeTinyInt}, 255, "26 01", "01 FF"},
		{"smallint", Column{Type: TypeSmallInt}, -2, "26 02", "02 FE FF"},
		{"bigint", Column{Type: TypeBigInt}, int64(-1), "26 08", "08 FF FF FF FF FF FF FF FF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti, err := typeInfo(tc.col)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ti, unhex(t, tc.ti)) {
				t.Errorf("TYPE_INFO % X, want %s", ti, tc.ti)
			}
			got, err := appendValue(nil, tc.col, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, unhex(t, tc.want)) {
				t.Errorf("value % X, want %s", got, tc.want)
			}
		})
	}
}

func TestValueEncodingErrors(t *testing.T) {
	tests := []struct {
		name  string
		col   Column
		value any
	}{
		{"int overflow", Column{Type: TypeInt}, int64(1) << 40},
		{"tinyint negative", Column{Type: TypeTinyInt}, -1},
		{"string too long", Column{Type: TypeNVarChar, Size: 2}, "abc"},
		{"binary too long", Column{Type: TypeVarBinary, Size: 1}, []byte{1, 2}},
		{"numeric too many digits", Column{Type: TypeNumeric, Precision: 3}, "1234"},
		{"numeric overflow after rounding", Column{Type: TypeNumeric, Precision: 2, Scale: 1}, "9.96"},
		{"numeric garbage", Column{Type: TypeNumeric, Precision: 5}, "12a"},
		{"datetime before 1753", Column{Type: TypeDateTime}, time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"guid garbage", Column{Type: TypeUniqueIdentifier}, "not-a-guid"},
		{"wrong Go type", Column{Type: TypeDateTime}, "2024-01-01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if b, err := appendValue(nil, tc.col, tc.value); err == nil {
				t.Errorf("encoded % X, want an error", b)
			}
		})
	}
	for _, c := range []Column{{Type: TypeNVarChar, Size: 4001}, {Type: TypeNumeric, Precision: 39}, {Type: TypeDateTime2, Scale: 8}, {Type: 99}} {
		if _, err := typeInfo(c); err == nil {
			t.Errorf("typeInfo(%+v) accepted", c)
		}
	}
}

// TestTokens checks token encodings against the hex in tds-server.md §6.
func TestTokens(t *testing.T) {
	rv := &respWriter{c: &conn{srv: &Server{engine: captureEngine{}}}, rpc: true, pw: newPacketWriter(&bytes.Buffer{}, 4096)}
	var buf bytes.Buffer
	rv.pw.w = &buf
	rv.pw.begin(packReply)
	if err := rv.ReturnValue("x", Column{Type: TypeBigInt, Nullable: true}, int64(42)); err != nil {
		t.Fatal(err)
	}
	if err := rv.pw.end(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"error", messageToken(tokError, Message{Number: 3013, State: 1, Class: 16, Text: "RESTORE failed.", Server: "SIM", Line: 1}),
			"AA 32 00 C5 0B 00 00 01 10 0F 00" + hex.EncodeToString(utf16le("RESTORE failed.")) + "03" + hex.EncodeToString(utf16le("SIM")) + "00 01 00 00 00"},
		{"info", messageToken(tokInfo, Message{Number: 3211, State: 1, Text: "10 percent processed.", Server: "SIM", Line: 1}),
			"AB 3E 00 8B 0C 00 00 01 00 15 00" + hex.EncodeToString(utf16le("10 percent processed.")) + "03" + hex.EncodeToString(utf16le("SIM")) + "00 01 00 00 00"},
		{"packet size", envChangeString(envPacketSize, "4096", "4096"), "E3 13 00 04 04 34 00 30 00 39 00 36 00 04 34 00 30 00 39 00 36 00"},
		{"begin tran", envChangeBytes(envBeginTran, []byte{1, 2, 3, 4, 5, 6, 7, 8}, nil), "E3 0B 00 08 08 01 02 03 04 05 06 07 08 00"},
		{"commit tran", envChangeBytes(envCommitTran, nil, []byte{1, 2, 3, 4, 5, 6, 7, 8}), "E3 0B 00 09 00 08 01 02 03 04 05 06 07 08"},
		{"reset ack", envChangeBytes(envResetAck, nil, nil), "E3 03 00 12 00 00"},
		{"done attn", doneToken(tokDone, doneAttn, 0, 0), "FD 20 00 00 00 00 00 00 00 00 00 00 00"},
		{"doneinproc", doneToken(tokDoneInProc, doneMore|doneCount, curCmdSelect, 2), "FF 11 00 C1 00 02 00 00 00 00 00 00 00"},
		{"return value", buf.Bytes()[headerSize:], "AC 00 00 02 40 00 78 00 01 00 00 00 00 01 00 26 08 08 2A 00 00 00 00 00 00 00"},
		{"prelogin", buildPrelogin([4]byte{15, 0, 0x0F, 0xE9}, encryptNotSup),
			"00 00 1A 00 06 01 00 20 00 01 02 00 21 00 01 03 00 22 00 04 04 00 26 00 01 FF 0F 00 0F E9 00 00 02 00 00 00 00 00 00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if want := unhex(t, tc.want); !bytes.Equal(tc.got, want) {
				t.Errorf("got  % X\nwant % X", tc.got, want)
			}
		})
	}
}

func TestPacketWriter(t *testing.T) {
	var buf bytes.Buffer
	pw := newPacketWriter(&buf, 512)
	pw.spid = 51
	payload := bytes.Repeat([]byte{7}, 504*2+10)
	pw.begin(packReply)
	if err := pw.write(payload[:100]); err != nil {
		t.Fatal(err)
	}
	if err := pw.flush(); err != nil { // a short non-final packet
		t.Fatal(err)
	}
	if err := pw.write(payload[100:]); err != nil {
		t.Fatal(err)
	}
	if err := pw.end(); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	var statuses, ids []byte
	var got []byte
	raw := buf.Bytes()
	for len(raw) > 0 {
		n := int(raw[2])<<8 | int(raw[3])
		if raw[0] != packReply || raw[4] != 0 || raw[5] != 51 || raw[7] != 0 {
			t.Fatalf("header % X", raw[:8])
		}
		sizes, statuses, ids = append(sizes, n), append(statuses, raw[1]), append(ids, raw[6])
		got = append(got, raw[8:n]...)
		raw = raw[n:]
	}
	if diff := cmp.Diff([]int{108, 512, 8 + len(payload) - 100 - 504}, sizes); diff != "" {
		t.Errorf("packet sizes (-want +got):\n%s", diff)
	}
	if !bytes.Equal(statuses, []byte{0, 0, 1}) || !bytes.Equal(ids, []byte{1, 2, 3}) {
		t.Errorf("statuses % X ids % X", statuses, ids)
	}
	if !bytes.Equal(got, payload) {
		t.Error("payload garbled")
	}
	// Reassembly reads it back as one message.
	m, err := readMessage(bytes.NewReader(buf.Bytes()))
	if err != nil || m.typ != packReply || !bytes.Equal(m.data, payload) {
		t.Errorf("readMessage: %v type %x %d bytes", err, m.typ, len(m.data))
	}
	if _, err := readMessage(bytes.NewReader(buf.Bytes()[:600])); err == nil {
		t.Error("truncated message accepted")
	}
}

// rpcParam builds one RPC parameter: name, status, TYPE_INFO and value bytes in hex.
func rpcPayload(t *testing.T, params ...string) []byte {
	b := unhex(t, "16000000 12000000 0200 0000000000000000 01000000 0600 73 00 70 00 5F 00 78 00 79 00 7A 00 0000")
	for _, p := range params {
		b = append(b, unhex(t, p)...)
	}
	return b
}

// TestParseRPCTypes covers parameter types go-mssqldb never sends but SQL Server
// clients may (DECIMALN, MONEYN, fixed-length types, smalldatetime, varchar in 1252).
func TestParseRPCTypes(t *testing.T) {
	name := "02 40 00 61 00" // "@a"
	tests := []struct {
		name string
		hex  string
		want Param
	}{
		{"decimalN", "00 6A 11 26 04 11 00 D2 02 96 49 00 00 00 00 00 00 00 00 00 00 00 00", Param{Value: Decimal{Unscaled: "-1234567890", Precision: 38, Scale: 4}, Type: "decimal"}},
		{"numericN NULL", "00 6C 05 09 00 00", Param{Value: nil, Type: "numeric"}},
		{"moneyN", "00 6E 08 08 00 00 00 00 15 CD 5B 07", Param{Value: Decimal{Unscaled: "123456789", Precision: 19, Scale: 4}, Type: "money"}},
		{"negative smallmoney", "00 6E 04 04 FF FF FF FF", Param{Value: Decimal{Unscaled: "-1", Precision: 19, Scale: 4}, Type: "smallmoney"}},
		{"int4 fixed", "00 38 2A 00 00 00", Param{Value: int64(42), Type: "int"}},
		{"bit fixed", "00 32 01", Param{Value: true, Type: "bit"}},
		{"flt8 fixed", "00 3E 00 00 00 00 00 00 F0 3F", Param{Value: 1.0, Type: "float"}},
		{"smalldatetime", "00 6F 04 04 01 00 3C 00", Param{Value: time.Date(1900, 1, 2, 1, 0, 0, 0, time.UTC), Type: "smalldatetime"}},
		{"datetime", "00 6F 08 08 34 B1 00 00 8E BB E2 00", Param{Value: time.Date(2024, 3, 15, 13, 45, 30, 500_000_000, time.UTC), Type: "datetime"}},
		{"varchar cp1252", "00 A7 03 00 00 00 00 00 00 03 00 63 61 E9", Param{Value: "caé", Type: "varchar"}},
		{"varchar NULL", "00 A7 03 00 00 00 00 00 00 FF FF", Param{Value: nil, Type: "varchar"}},
		{"nvarchar PLP NULL", "01 E7 FF FF 00 00 00 00 00 FF FF FF FF FF FF FF FF", Param{Value: nil, Type: "nvarchar", Output: true}},
		{"nvarchar PLP two chunks unknown length", "00 E7 FF FF 00 00 00 00 00 FE FF FF FF FF FF FF FF 02 00 00 00 61 00 02 00 00 00 62 00 00 00 00 00", Param{Value: "ab", Type: "nvarchar"}},
		{"binary", "00 AD 02 00 02 00 01 02", Param{Value: []byte{1, 2}, Type: "binary"}},
		{"guid NULL", "00 24 10 00", Param{Value: nil, Type: "uniqueidentifier"}},
		{"time(0)", "00 29 00 03 01 00 00", Param{Value: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), Type: "time"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseRPC(rpcPayload(t, name+tc.hex))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.Name = "@a"
			if r.Proc != "sp_xyz" || len(r.Params) != 1 {
				t.Fatalf("proc %q params %d", r.Proc, len(r.Params))
			}
			if diff := cmp.Diff(want, r.Params[0]); diff != "" {
				t.Errorf("param (-want +got):\n%s", diff)
			}
		})
	}
	bad := []string{
		"00 99",                // unknown type
		"00 26 04 04 01 00",    // truncated value
		"00 26 04 03 01 00 00", // int of 3 bytes
		"00 E7 FF FF 00 00 00 00 00 02 00 00 00 00 00 00 00 02 00 00 00 61 00 02 00 00 00 62 00 00 00 00 00", // PLP longer than announced
		"00 E7 03 00 00 00 00 00 00 03 00 61 00 62",                                                          // odd UTF-16
		"00 29 09", // time scale 9
	}
	for _, h := range bad {
		if r, err := parseRPC(rpcPayload(t, name+h)); err == nil {
			t.Errorf("%s: parsed %#v, want an error", h, r)
		}
	}
	if _, err := parseRPC(rpcPayload(t)[:10]); err == nil {
		t.Error("truncated ALL_HEADERS accepted")
	}
	if _, err := parseRPC(unhex(t, "16000000 12000000 0200 0000000000000000 01000000 FFFF 6300 0000")); err == nil {
		t.Error("unknown ProcID accepted")
	}
}

func TestParseLogin7Errors(t *testing.T) {
	steps := readCapture(t, "testdata/tds-capture.txt")
	login := steps[2].data[headerSize:]
	l, err := parseLogin7(login)
	if err != nil {
		t.Fatal(err)
	}
	want := login7{TDSVersion: 0x74000004, PacketSize: 4096, HostName: "ws1", UserName: "sa", Password: "secret",
		AppName: "simtest", ServerName: "127.0.0.1", Library: "go-mssqldb", Database: "Sales"}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("login7 (-want +got):\n%s", diff)
	}
	bad := map[string][]byte{
		"short":        login[:50],
		"length field": append([]byte{0xFF, 0xFF, 0, 0}, login[4:]...),
		"field beyond": append(append([]byte{}, login[:40]...), append([]byte{0xF0, 0x00, 0x10, 0x00}, login[44:]...)...),
	}
	for name, b := range bad {
		if _, err := parseLogin7(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNegotiateEncryption(t *testing.T) {
	tests := []struct {
		client           byte
		haveTLS, require bool
		want             byte
	}{
		{encryptOff, false, false, encryptNotSup},
		{encryptOn, false, false, encryptNotSup},
		{encryptNotSup, true, false, encryptNotSup},
		{encryptOff, true, false, encryptOff},
		{encryptOn, true, false, encryptOn},
		{encryptReq, true, false, encryptOn},
		{encryptOff, true, true, encryptReq},
		{encryptOn, true, true, encryptOn},
		{encryptNotSup, true, true, encryptReq},
	}
	for _, tc := range tests {
		if got := negotiateEncryption(tc.client, tc.haveTLS, tc.require); got != tc.want {
			t.Errorf("negotiate(client %d, tls %v, require %v) = %d, want %d", tc.client, tc.haveTLS, tc.require, got, tc.want)
		}
	}
}

func TestParseTransMgr(t *testing.T) {
	hdr := "16000000 12000000 0200 0000000000000000 01000000"
	tests := []struct {
		hex  string
		want transRequest
	}{
		{hdr + "0500 00 00", transRequest{Type: tmBegin}},
		{hdr + "0500 02 02 74 00 31 00", transRequest{Type: tmBegin, Isolation: 2, Name: "t1"}},
		{hdr + "0700 00 00", transRequest{Type: tmCommit}},
		{hdr + "0800 00 00", transRequest{Type: tmRollback}},
	}
	for _, tc := range tests {
		got, err := parseTransMgr(unhex(t, tc.hex))
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.hex, got, tc.want)
		}
	}
}
