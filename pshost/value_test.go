package pshost

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestValueEncoding(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"nil", nil, `{"t":"null"}`},
		{"null", Null(), `{"t":"null"}`},
		{"string is base64", String("a'b"), `{"t":"str","b":"YSdi"}`},
		{"empty string", String(""), `{"t":"str","b":""}`},
		{"int", Int(-5), `{"t":"int","n":"-5"}`},
		{"max long", Int(math.MaxInt64), `{"t":"int","n":"9223372036854775807"}`},
		{"float", Float(0.1), `{"t":"double","n":"0.1"}`},
		{"float exponent", Float(1e300), `{"t":"double","n":"1e+300"}`},
		{"NaN", Float(math.NaN()), `{"t":"double","n":"NaN"}`},
		{"-Inf", Float(math.Inf(-1)), `{"t":"double","n":"-Infinity"}`},
		{"bool", Bool(true), `{"t":"bool","v":true}`},
		{"switch off", Switch(false), `{"t":"switch","v":false}`},
		{"time is UTC ticks", Time(time.Date(1970, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600))), `{"t":"datetime","n":"621355968000000000"}`},
		{"secure", SecureString("pw"), `{"t":"secure","b":"cHc="}`},
		{"empty array", Array(), `{"t":"array"}`},
		{"array", Array(Int(1), nil), `{"t":"array","a":[{"t":"int","n":"1"},{"t":"null"}]}`},
		{"strings", Strings("x"), `{"t":"array","a":[{"t":"str","b":"eA=="}]}`},
		{"hashtable", Hashtable(Entry{"K", Bool(false)}), `{"t":"hashtable","e":[{"k":"Sw==","v":{"t":"bool","v":false}}]}`},
		{"list modifier", ListModifier{Add: []Value{String("a")}, Replace: []Value{}},
			`{"t":"hashtable","e":[{"k":"QWRk","v":{"t":"array","a":[{"t":"str","b":"YQ=="}]}},{"k":"UmVwbGFjZQ==","v":{"t":"array"}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := encodeValue(tc.v, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestValueEncodingErrors(t *testing.T) {
	deep := Value(String("x"))
	for range maxValueDepth + 2 {
		deep = Array(deep)
	}
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"invalid UTF-8", String("a\xffb"), "UTF-8"},
		{"invalid UTF-8 in a secure string", SecureString("\xc3"), "UTF-8"},
		{"invalid UTF-8 key", Hashtable(Entry{"\xff", nil}), "UTF-8"},
		{"duplicate keys ignoring case", Hashtable(Entry{"Add", nil}, Entry{"ADD", nil}), "twice"},
		{"empty list modifier", ListModifier{}, "none of"},
		{"nested error names the path", Array(Null(), Hashtable(Entry{"k", String("\xff")})), "element 1: key \"k\""},
		{"too deep", deep, "deeper"},
		{"year 0", Time(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)), "range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := encodeValue(tc.v, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestOf(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		want Value
	}{
		{"nil", nil, Null()},
		{"string", "s", String("s")},
		{"bool", true, Bool(true)},
		{"int", 3, Int(3)},
		{"uint8", uint8(200), Int(200)},
		{"uint64", uint64(1 << 62), Int(1 << 62)},
		{"float32", float32(0.5), Float(0.5)},
		{"time", when, Time(when)},
		{"strings", []string{"a", "b"}, Strings("a", "b")},
		{"any slice", []any{1, "x", nil}, Array(Int(1), String("x"), Null())},
		{"map sorted", map[string]any{"b": 1, "a": []any{true}}, Hashtable(Entry{"a", Array(Bool(true))}, Entry{"b", Int(1)})},
		{"Value passes through", Switch(true), Switch(true)},
		{"list modifier", ListModifier{Remove: []Value{String("x")}}, ListModifier{Remove: []Value{String("x")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Of(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			gw, _ := encodeValue(got, 0)
			ww, _ := encodeValue(tc.want, 0)
			gj, _ := json.Marshal(gw)
			wj, _ := json.Marshal(ww)
			if string(gj) != string(wj) {
				t.Errorf("got %s, want %s", gj, wj)
			}
		})
	}
	for _, bad := range []any{uint64(math.MaxUint64), struct{}{}, []int{1}, map[string]string{}, []any{make(chan int)}} {
		if _, err := Of(bad); err == nil {
			t.Errorf("Of(%T) accepted", bad)
		}
	}
}
