package tds

import (
	"math/big"
	"testing"
	"time"
)

// checkParamValue fails unless v is one of the Go types Param documents.
func checkParamValue(t *testing.T, p Param) {
	switch v := p.Value.(type) {
	case nil, int64, float64, bool, string, []byte, time.Time, [16]byte:
	case Decimal:
		if _, ok := new(big.Int).SetString(v.Unscaled, 10); !ok {
			t.Errorf("param %q: Decimal digits %q", p.Name, v.Unscaled)
		}
	default:
		t.Errorf("param %q: value of type %T", p.Name, v)
	}
}

// FuzzParseLogin7 proves the LOGIN7 decoder never panics on garbage. Seeds are in
// testdata/fuzz/FuzzParseLogin7 (the LOGIN7 of tds-capture.txt and variants).
func FuzzParseLogin7(f *testing.F) {
	f.Add(make([]byte, 94))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := parseLogin7(b)
		if err != nil {
			return
		}
		if len(b) < 94 {
			t.Errorf("accepted %d bytes", len(b))
		}
		_ = l
	})
}

// FuzzParseRPC proves the RPC decoder never panics on garbage and only produces the
// documented Param value types. Seeds are in testdata/fuzz/FuzzParseRPC (the RPCs of
// tds-capture.txt and one of every parameter type).
func FuzzParseRPC(f *testing.F) {
	f.Add([]byte{0x04, 0, 0, 0, 0xFF, 0xFF, 0x0A, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRPC(b)
		if err != nil {
			return
		}
		for _, p := range r.Params {
			checkParamValue(t, p)
		}
	})
}

// FuzzParseOther covers the PRELOGIN, SQLBatch and transaction manager decoders and
// message reassembly.
func FuzzParseOther(f *testing.F) {
	f.Add([]byte{0x00, 0x00, 0x06, 0x00, 0x01, 0xFF, 0x02})
	f.Add([]byte{0x16, 0, 0, 0, 0x12, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x53, 0})
	f.Add([]byte{0x01, 0x01, 0x00, 0x0A, 0, 0, 1, 0, 0x41, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if opts, err := parsePrelogin(b); err == nil {
			for tok, v := range opts {
				if len(v) > len(b) {
					t.Errorf("option %x longer than the message", tok)
				}
			}
		}
		_, _ = parseBatch(b)
		_, _ = parseTransMgr(b)
		_, _ = readMessage(&byteReader{b: b})
	})
}

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, errShort
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
