package request

import (
	"encoding/json"
	"strings"
	"testing"
)

// A short password must not corrupt anything: only whole occurrences are redacted, JSON
// keys never, and the redacted document still parses with the same keys.
func TestRedactShortPasswordsCorruptNothing(t *testing.T) {
	cases := []struct {
		secret, in, want string
	}{
		{"e", "exitCode succeeded", "exitCode succeeded"},
		{"e", "password=e;", "password=********;"},
		{"e", "'e'", "'e'"},
		{"s", "the pool's servers", "the pool's servers"},
		{"x", "x", "x"},
		{"x", "sqlserver://sa:x@h PWD=x", "sqlserver://sa:********@h PWD=********"},
		{"abcd", "xx abcd-y", "xx ********-y"},
		{"Pa55word!", "login Pa55word! failed", "login ******** failed"},
		{"Pa55word!", "sqlserver://sa:Pa55word%21@h", "sqlserver://sa:********@h"},
		{"!!!!", "a!!!!b", "a********b"},
	}
	for _, tc := range cases {
		if got := NewRedactor(tc.secret).Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) with %q = %q, want %q", tc.in, tc.secret, got, tc.want)
		}
	}
	doc := []byte(`{"schemaVersion":1,"exitCode":0,"outcome":"succeeded","e":"password=e","msg":"pwd=e; \"x\" \u00e9","list":["x","ex"]}`)
	for _, sec := range []string{"e", "x", "1", "0", "\"", ":", "{", "schemaVersion"} {
		out := NewRedactor(sec).RedactJSON(doc)
		var got, want map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("secret %q: redacted JSON does not parse: %v\n%s", sec, err, out)
		}
		_ = json.Unmarshal(doc, &want)
		for k := range want {
			if _, ok := got[k]; !ok {
				t.Errorf("secret %q: key %q lost: %s", sec, k, out)
			}
		}
		if got["outcome"] != "succeeded" || got["exitCode"] != float64(0) {
			t.Errorf("secret %q corrupted values: %s", sec, out)
		}
	}
	out := string(NewRedactor("e").RedactJSON(doc))
	if !strings.Contains(out, `"e":"password=********"`) || !strings.Contains(out, `pwd=********;`) || !strings.Contains(out, `"ex"`) {
		t.Errorf("redacted: %s", out)
	}
	// A secret with JSON-escaped characters is found in the value, not its escaped form.
	out = string(NewRedactor(`p"w\d`).RedactJSON([]byte(`{"m":"login p\"w\\d failed"}`)))
	if strings.Contains(out, `p\"w`) {
		t.Errorf("escaped secret left: %s", out)
	}
}
