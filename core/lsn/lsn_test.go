package lsn

import (
	"encoding/json"
	"testing"
)

func TestParseRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "1", "43000001796000001", "2147483647000000000100001", "99999999999999999999"} {
		l, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if got := l.String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "-1", "12a", "1e5", "12345678901234567890123456"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", s)
		}
	}
}

func TestCompareOrdersAsDecimal(t *testing.T) {
	a := MustParse("43000001791200001")
	b := MustParse("43000001796000001")
	c := MustParse("9300000000100001") // fewer digits: smaller VLF
	if !a.Less(b) || b.Less(a) || !c.Less(a) {
		t.Fatalf("ordering wrong: a=%v b=%v c=%v", a, b, c)
	}
	if a.Compare(a) != 0 {
		t.Fatal("an LSN must equal itself")
	}
}

func TestRangeContains(t *testing.T) {
	r := Range{First: MustParse("100"), Last: MustParse("200")}
	cases := map[string]bool{"99": false, "100": true, "150": true, "199": true, "200": false}
	for s, want := range cases {
		if got := r.Contains(MustParse(s)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestJSONIsAString(t *testing.T) {
	b, err := json.Marshal(Range{First: MustParse("2147483647000000000100001"), Last: MustParse("5")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"first":"2147483647000000000100001","last":"5"}` {
		t.Fatalf("got %s", b)
	}
	var r Range
	if err := json.Unmarshal(b, &r); err != nil || r.First.VLF != 2147483647 {
		t.Fatalf("round trip: %v %+v", err, r)
	}
}

func TestScan(t *testing.T) {
	var l LSN
	if err := l.Scan([]byte("43000001796000001")); err != nil || l.String() != "43000001796000001" {
		t.Fatalf("scan bytes: %v %v", err, l)
	}
	if err := l.Scan(int64(42)); err != nil || l.String() != "42" {
		t.Fatalf("scan int64: %v %v", err, l)
	}
	if err := l.Scan(nil); err != nil || !l.IsZero() {
		t.Fatalf("scan nil: %v %v", err, l)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "43000001796000001", "", "abc", "2147483647000000000100001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(l.String())
		if err != nil || back != l {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}
