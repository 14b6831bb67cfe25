package pshost

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const testNonce = "0123456789abcdef0123456789abcdef"

func frameLine(id string, payload string) string {
	return testNonce + " " + id + " " + base64.StdEncoding.EncodeToString([]byte(payload))
}

func TestParseFrame(t *testing.T) {
	tests := []struct {
		name        string
		line        string
		wantID      uint64
		wantPayload string
		wantStray   bool
		wantErr     bool
	}{
		{name: "reply", line: frameLine("7", `{"a":1}`), wantID: 7, wantPayload: `{"a":1}`},
		{name: "CRLF ending", line: frameLine("1", "x") + "\r\n", wantID: 1, wantPayload: "x"},
		{name: "ready", line: frameLine("0", "{}"), wantID: 0, wantPayload: "{}"},
		{name: "after a byte order mark", line: "\xef\xbb\xbf" + frameLine("2", "x"), wantID: 2, wantPayload: "x"},
		{name: "stray text", line: "WARNING: something", wantStray: true},
		{name: "empty", line: "", wantStray: true},
		{name: "other nonce", line: strings.Replace(frameLine("1", "x"), "0123", "9999", 1), wantStray: true},
		{name: "nonce only", line: testNonce, wantStray: true},
		{name: "nonce without space", line: testNonce + "1 eA==", wantStray: true},
		{name: "nonce as a suffix", line: "x" + frameLine("1", "x"), wantStray: true},
		{name: "no id", line: testNonce + " eA==", wantErr: true},
		{name: "negative id", line: testNonce + " -1 eA==", wantErr: true},
		{name: "bad base64", line: testNonce + " 1 e@==", wantErr: true},
		{name: "id overflow", line: testNonce + " 99999999999999999999 eA==", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseFrame([]byte(tc.line), testNonce)
			switch {
			case tc.wantStray:
				if !errors.Is(err, errNotFrame) {
					t.Fatalf("err = %v, want errNotFrame", err)
				}
			case tc.wantErr:
				if err == nil || errors.Is(err, errNotFrame) {
					t.Fatalf("err = %v, want a frame error", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if f.id != tc.wantID || string(f.payload) != tc.wantPayload {
					t.Errorf("got id %d payload %q", f.id, f.payload)
				}
			}
		})
	}
}

func TestDecodeReply(t *testing.T) {
	good := `{"meta":{"id":3,"timedOut":false,"hadErrors":true,"durationUs":1500,"errors":[{"message":"m","fullyQualifiedErrorId":"F,x","category":"InvalidData","terminating":true}],` +
		`"warnings":["w"],"verbose":[],"debug":[],"information":["i"],"fatal":"","pid":42},"output":["s",1,{"a":[true,null]}]}`
	r, err := decodeReply([]byte(good), 3)
	if err != nil {
		t.Fatal(err)
	}
	res := r.result()
	want := &Result{
		Output:      []json.RawMessage{json.RawMessage(`"s"`), json.RawMessage(`1`), json.RawMessage(`{"a":[true,null]}`)},
		Errors:      []ErrorRecord{{Message: "m", FullyQualifiedErrorID: "F,x", Category: "InvalidData", Terminating: true}},
		Warnings:    []string{"w"},
		Verbose:     []string{},
		Debug:       []string{},
		Information: []string{"i"},
		HadErrors:   true,
		Duration:    1500 * time.Microsecond,
		PID:         42,
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for name, bad := range map[string]string{
		"wrong id":          `{"meta":{"id":4}}`,
		"not JSON":          `{"meta":`,
		"output not array":  `{"meta":{"id":3},"output":{}}`,
		"negative duration": `{"meta":{"id":3,"durationUs":-1}}`,
		"errors not array":  `{"meta":{"id":3,"errors":"x"}}`,
	} {
		if _, err := decodeReply([]byte(bad), 3); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if r, err := decodeReply([]byte(`{"meta":{"id":3}}`), 3); err != nil || r.result().Output == nil {
		t.Errorf("reply without output: %v, want an empty, non-nil Output", err)
	}
}

// TestReadStdout feeds the stdout reader frames, stray lines and an overlong line.
func TestReadStdout(t *testing.T) {
	pr, pw := io.Pipe()
	p := &process{nonce: testNonce, tail: newTailBuffer(1024), frames: make(chan frame, 8)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.readStdout(pr, 200)
	}()
	lines := []string{
		"stray before",
		frameLine("1", "one"),
		testNonce + " 2 " + strings.Repeat("A", 300), // too long: an error for frame 2
		strings.Repeat("s", 500),                     // too long stray: dropped
		frameLine("3", "three") + "\r",
		testNonce + " x y", // malformed frame
		"stray after",
	}
	go func() {
		for _, l := range lines {
			_, _ = io.WriteString(pw, l+"\n")
		}
		_, _ = io.WriteString(pw, frameLine("4", "no newline at EOF"))
		pw.Close()
	}()
	<-done
	close(p.frames)
	var got []string
	for f := range p.frames {
		if f.err != nil {
			got = append(got, "error:"+f.err.Error())
		} else {
			got = append(got, string(f.payload))
		}
	}
	if len(got) != 5 || got[0] != "one" || !strings.Contains(got[1], "longer than 200") || got[2] != "three" ||
		!strings.Contains(got[3], "protocol") || got[4] != "no newline at EOF" {
		t.Errorf("frames = %q", got)
	}
	tail := p.tail.String()
	for _, want := range []string{"[stdout] stray before\n", "[stdout] stray after\n", "bytes dropped"} {
		if !strings.Contains(tail, want) {
			t.Errorf("tail %q lacks %q", tail, want)
		}
	}
	if strings.Contains(tail, "sssss") {
		t.Error("overlong stray line kept")
	}
}

func TestTailBuffer(t *testing.T) {
	tb := newTailBuffer(8)
	for _, s := range []string{"abc", "defgh", "ij"} {
		_, _ = tb.Write([]byte(s))
	}
	if got := tb.String(); got != "...cdefghij" {
		t.Errorf("got %q", got)
	}
	_, _ = tb.Write([]byte("0123456789"))
	if got := tb.String(); got != "...23456789" {
		t.Errorf("got %q", got)
	}
	tb = newTailBuffer(4)
	_, _ = tb.Write([]byte("xxé€")) // cut inside a rune
	if got := tb.String(); got != "...€" {
		t.Errorf("got %q", got)
	}
	tb = newTailBuffer(100)
	_, _ = tb.Write([]byte("short"))
	if got := tb.String(); got != "short" {
		t.Errorf("got %q", got)
	}
}

// FuzzDecodeReply proves the reply path (frame parsing, payload decoding, conversion to a
// Result, ready decoding) never panics on garbage. Seeds are in testdata/fuzz.
func FuzzDecodeReply(f *testing.F) {
	f.Add([]byte(frameLine("1", `{"meta":{"id":1},"output":[1]}`)))
	f.Add([]byte(frameLine("0", `{"type":"ready","imports":[{"module":"m","ok":false,"error":null}]}`)))
	f.Add([]byte(testNonce + " 1 !!!"))
	f.Add([]byte("stray"))
	f.Fuzz(func(t *testing.T, line []byte) {
		fr, err := parseFrame(line, testNonce)
		if err != nil {
			return
		}
		if r, err := decodeReply(fr.payload, fr.id); err == nil {
			res := r.result()
			if res.Output == nil {
				t.Fatal("nil Output")
			}
			_ = res.Err("x")
			_ = res.DecodeOutput(new([]any))
		}
		if m, err := decodeReady(fr.payload); err == nil && m.Type != "ready" {
			t.Fatal("accepted a ready message of another type")
		}
	})
}
