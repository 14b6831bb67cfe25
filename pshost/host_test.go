package pshost

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// hostileStrings are values that would execute code, break quoting or break framing if
// they were ever pasted into script text or a protocol line. pwned is a path that the
// injections try to create.
func hostileStrings(pwned string) map[string]string {
	big := strings.Repeat("0123456789abcdef\u2019'\"`$()\n", 1<<16) // 1 MiB+ with quotes and newlines
	return map[string]string{
		"empty":                "",
		"ascii single quote":   "O'Brien",
		"close and inject":     "x'; New-Item -ItemType File -Path '" + pwned + "'; '",
		"curly quote inject":   "x\u2019; New-Item -ItemType File -Path \u2018" + pwned + "\u2019; \u2018",
		"all single quotes":    "\u0027\u2018\u2019\u201A\u201B",
		"all double quotes":    "\"\u201C\u201D\u201E",
		"subexpression":        "$(New-Item -ItemType File -Path '" + pwned + "')",
		"double-quoted subexp": "\"$(New-Item -ItemType File -Path " + pwned + ")\"",
		"variables":            "$PID ${env:PATH} $pshNonce $args",
		"backticks":            "`$x `n `0 ``",
		"newlines":             "line1\nline2\r\nline3\rline4",
		"semicolons and hash":  "a; b # c <# d #> e",
		"remove-item":          "'; Remove-Item -Recurse -Force C:\\ #",
		"here-string end":      "'@\n\"@\nx",
		"stop parsing":         "--% & | < > ^ %PATH%",
		"en dash parameter":    "\u2013Force \u2014Confirm",
		"nul":                  "a\x00b\x00",
		"non-ascii":            "Zoë Straße 東京 ça ĳ Ω",
		"non-bmp":              "emoji \U0001F600 and \U0001D11E",
		"json and base64":      "{\"meta\":1} e30= 0 1",
		"date-like":            "2026-11-25T18:33:39Z",
		"number-like":          "0042",
		"very long":            big,
	}
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// readRecords returns the strings recorded by the test module.
func readRecords(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		_, b, _ := strings.Cut(sc.Text(), " ")
		d, err := base64.StdEncoding.DecodeString(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(d))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHostileStringsReachTheCommandUnchanged(t *testing.T) {
	pwned := filepath.Join(t.TempDir(), "pwned")
	h, record := sharedTestHost(t)
	cases := hostileStrings(pwned)
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			if err := os.Remove(record); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			res := mustInvoke(t, h, Command{Name: "Get-PshText", Parameters: []Parameter{{"Text", String(s)}}})
			if err := res.Err("Get-PshText"); err != nil {
				t.Fatal(err)
			}
			var got []struct {
				Text   string
				Length int
			}
			if err := res.DecodeOutput(&got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d output objects, want 1", len(got))
			}
			if got[0].Text != s {
				t.Errorf("echoed text differs: got %d bytes %.80q, want %d bytes %.80q", len(got[0].Text), got[0].Text, len(s), s)
			}
			if got[0].Length != utf16Len(s) {
				t.Errorf("length in PowerShell = %d, want %d UTF-16 units", got[0].Length, utf16Len(s))
			}
			rec := readRecords(t, record)
			if len(rec) != 1 || rec[0] != s {
				t.Errorf("recorded value differs from the sent one (%d records)", len(rec))
			}
		})
	}
	// The same strings as array elements, hashtable keys and values.
	t.Run("inside arrays and hashtables", func(t *testing.T) {
		var elems []Value
		var entries []Entry
		for name, s := range cases {
			if name == "very long" {
				continue
			}
			elems = append(elems, String(s))
			if s != "" {
				entries = append(entries, Entry{Key: s, Value: String(s)})
			}
		}
		res := mustInvoke(t, h, Command{Name: "Get-PshEcho", Parameters: []Parameter{
			{"Value", Array(elems...)},
			{"Table", Hashtable(entries...)},
		}})
		if err := res.Err("Get-PshEcho"); err != nil {
			t.Fatal(err)
		}
		got := echoByName(t, res)
		var arr []string
		unmarshal(t, got["Value"].Value, &arr)
		want := make([]string, len(elems))
		for i, e := range elems {
			want[i] = string(e.(stringValue))
		}
		if diff := cmp.Diff(want, arr); diff != "" {
			t.Errorf("array elements differ (-want +got):\n%s", diff)
		}
		var table map[string]struct{ Items string }
		unmarshal(t, got["Table"].Value, &table)
		if len(table) != len(entries) {
			t.Errorf("hashtable has %d keys, want %d", len(table), len(entries))
		}
		for _, e := range entries {
			if table[e.Key].Items != e.Key {
				t.Errorf("key %.40q: value %.40q", e.Key, table[e.Key].Items)
			}
		}
	})
	if _, err := os.Stat(pwned); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an injected command ran: %s exists (err %v)", pwned, err)
	}
}

type echoed struct {
	Name         string
	Type         string
	Value        json.RawMessage
	ElementTypes []string
	Keys         []string
}

func echoByName(t *testing.T, res *Result) map[string]echoed {
	t.Helper()
	var list []echoed
	if err := res.DecodeOutput(&list); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]echoed, len(list))
	for _, e := range list {
		m[e.Name] = e
	}
	return m
}

func TestParameterValuesArriveTyped(t *testing.T) {
	h, _ := sharedTestHost(t)
	when := time.Date(2026, 11, 25, 18, 33, 39, 123456700, time.UTC)
	tests := []struct {
		name      string
		params    []Parameter
		param     string
		wantType  string
		wantValue string // JSON
		wantElems []string
		wantKeys  []string
	}{
		{name: "switch on", params: []Parameter{{"Flag", Switch(true)}}, param: "Flag", wantType: "System.Management.Automation.SwitchParameter", wantValue: "true"},
		{name: "switch off", params: []Parameter{{"Flag", Switch(false)}}, param: "Flag", wantType: "System.Management.Automation.SwitchParameter", wantValue: "false"},
		{name: "null", params: []Parameter{{"Value", Null()}}, param: "Value", wantType: "null", wantValue: "null"},
		{name: "nil value is null", params: []Parameter{{"Value", nil}}, param: "Value", wantType: "null", wantValue: "null"},
		{name: "int", params: []Parameter{{"Value", Int(-42)}}, param: "Value", wantType: "System.Int32", wantValue: "-42"},
		{name: "long", params: []Parameter{{"Value", Int(1 << 40)}}, param: "Value", wantType: "System.Int64", wantValue: "1099511627776"},
		{name: "int to [int] parameter", params: []Parameter{{"Number", Int(7)}}, param: "Number", wantType: "System.Int32", wantValue: "7"},
		{name: "long to [long] parameter", params: []Parameter{{"Big", Int(-9007199254740993)}}, param: "Big", wantType: "System.Int64", wantValue: "-9007199254740993"},
		{name: "double", params: []Parameter{{"Real", Float(0.1)}}, param: "Real", wantType: "System.Double", wantValue: "0.1"},
		{name: "bool", params: []Parameter{{"Truth", Bool(false)}}, param: "Truth", wantType: "System.Boolean", wantValue: "false"},
		{name: "datetime", params: []Parameter{{"When", Time(when)}}, param: "When", wantType: "System.DateTime", wantValue: `"2026-11-25T18:33:39.1234567Z"`},
		{name: "string array", params: []Parameter{{"List", Strings("a", "b")}}, param: "List", wantType: "System.String[]", wantValue: `["a","b"]`},
		{name: "one-element array stays an array", params: []Parameter{{"Value", Array(String("only"))}}, param: "Value", wantType: "System.Object[]", wantValue: `["only"]`, wantElems: []string{"System.String"}},
		{name: "empty array", params: []Parameter{{"Value", Array()}}, param: "Value", wantType: "System.Object[]", wantValue: `[]`},
		{name: "mixed array", params: []Parameter{{"Value", Array(Int(1), String("x"), Bool(true), Null(), Array(Int(2)))}}, param: "Value", wantType: "System.Object[]",
			wantValue: `[1,"x",true,null,[2]]`, wantElems: []string{"System.Int32", "System.String", "System.Boolean", "null", "System.Object[]"}},
		{name: "hashtable", params: []Parameter{{"Table", Hashtable(Entry{"Key", String("v")}, Entry{"N", Int(3)})}}, param: "Table", wantType: "System.Collections.Hashtable",
			wantValue: `{"Key":{"items":"v","type":"System.String"},"N":{"items":3,"type":"System.Int32"}}`, wantKeys: []string{"Key", "N"}},
		{name: "empty hashtable", params: []Parameter{{"Table", Hashtable()}}, param: "Table", wantType: "System.Collections.Hashtable", wantValue: `{}`},
		{name: "list modifier add", params: []Parameter{{"Members", ListModifier{Add: []Value{String("sip:a@contoso.com")}}}}, param: "Members", wantType: "System.Collections.Hashtable",
			wantValue: `{"Add":{"items":["sip:a@contoso.com"],"type":"System.Object[]"}}`, wantKeys: []string{"Add"}},
		{name: "list modifier remove and replace", params: []Parameter{{"Members", ListModifier{Remove: []Value{String("x")}, Replace: []Value{}}}}, param: "Members", wantType: "System.Collections.Hashtable",
			wantValue: `{"Remove":{"items":["x"],"type":"System.Object[]"},"Replace":{"items":[],"type":"System.Object[]"}}`, wantKeys: []string{"Remove", "Replace"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := mustInvoke(t, h, Command{Name: "Get-PshEcho", Parameters: tc.params})
			if err := res.Err("Get-PshEcho"); err != nil {
				t.Fatal(err)
			}
			got, ok := echoByName(t, res)[tc.param]
			if !ok {
				t.Fatalf("parameter %s was not bound; output %s", tc.param, res.Output)
			}
			if got.Type != tc.wantType {
				t.Errorf("type = %s, want %s", got.Type, tc.wantType)
			}
			if !jsonEqual(t, got.Value, tc.wantValue) {
				t.Errorf("value = %s, want %s", got.Value, tc.wantValue)
			}
			if tc.wantElems != nil {
				if diff := cmp.Diff(tc.wantElems, got.ElementTypes); diff != "" {
					t.Errorf("element types (-want +got):\n%s", diff)
				}
			}
			if tc.wantKeys != nil {
				if diff := cmp.Diff(tc.wantKeys, got.Keys); diff != "" {
					t.Errorf("keys (-want +got):\n%s", diff)
				}
			}
		})
	}
	t.Run("secure string", func(t *testing.T) {
		secret := "p@ss'w\u2019rd $(x) \U0001F600"
		res := mustInvoke(t, h, Command{Name: "Get-PshSecret", Parameters: []Parameter{{"Secret", SecureString(secret)}, {"Expected", String(secret)}}})
		var got []struct {
			Type    string
			Length  int
			Matches bool
		}
		if err := res.DecodeOutput(&got); err != nil {
			t.Fatal(err)
		}
		want := []struct {
			Type    string
			Length  int
			Matches bool
		}{{"System.Security.SecureString", utf16Len(secret), true}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func jsonEqual(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var g, w any
	unmarshal(t, got, &g)
	unmarshal(t, json.RawMessage(want), &w)
	return cmp.Equal(g, w)
}

func TestOutputObjectsSurvive(t *testing.T) {
	h, _ := sharedTestHost(t)
	res := mustInvoke(t, h, Command{Name: "Get-PshNested"})
	var got []any
	if err := res.DecodeOutput(&got); err != nil {
		t.Fatal(err)
	}
	want := []any{
		"plain", 42.0, true, 2.5,
		map[string]any{
			"Name": "pool01.contoso.com", "Count": 3.0, "Enabled": false, "Missing": nil,
			"Tags":  []any{"a", "b"},
			"Inner": map[string]any{"Level": 2.0, "Deeper": map[string]any{"Level": 3.0, "Items": []any{1.0, 2.0, 3.0}}},
			"Table": map[string]any{"key": "value"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	t.Run("deeper than OutputDepth is cut", func(t *testing.T) {
		h := newTestHost(t, func(c *Config) { c.OutputDepth = 1 })
		res := mustInvoke(t, h, Command{Name: "Get-PshNested"})
		var last struct {
			Inner struct {
				Level  int
				Deeper any
			}
		}
		unmarshal(t, res.Output[len(res.Output)-1], &last)
		if _, isString := last.Inner.Deeper.(string); !isString || last.Inner.Level != 2 {
			t.Errorf("Inner = %+v, want Level 2 and Deeper cut to a string", last.Inner)
		}
	})
	t.Run("Select picks properties", func(t *testing.T) {
		res := mustInvoke(t, h, Command{Name: "Get-PshNested", Select: []string{"Name", "Tag*"}})
		var last map[string]any
		unmarshal(t, res.Output[len(res.Output)-1], &last)
		want := map[string]any{"Name": "pool01.contoso.com", "Tags": []any{"a", "b"}}
		if diff := cmp.Diff(want, last); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("per-command depth", func(t *testing.T) {
		res := mustInvoke(t, h, Command{Name: "Get-PshNested", OutputDepth: 1})
		var last struct{ Inner map[string]any }
		unmarshal(t, res.Output[len(res.Output)-1], &last)
		if _, isString := last.Inner["Deeper"].(string); !isString {
			t.Errorf("Inner = %v, want Deeper cut to a string at depth 1", last.Inner)
		}
	})
	t.Run("1 MiB output", func(t *testing.T) {
		res := mustInvoke(t, h, Command{Name: "Get-PshBig", Parameters: []Parameter{{"Length", Int(1 << 20)}}})
		var s []string
		if err := res.DecodeOutput(&s); err != nil {
			t.Fatal(err)
		}
		if len(s) != 1 || s[0] != strings.Repeat("x", 1<<20) {
			t.Errorf("got %d outputs", len(s))
		}
	})
}

func TestErrorsArriveStructured(t *testing.T) {
	h, _ := sharedTestHost(t)
	tests := []struct {
		name       string
		cmd        Command
		wantOutput []string
		want       []ErrorRecord // fields compared: Message (substring), FQID, Category, TargetName, Terminating
		anyTerm    bool          // do not compare Terminating
	}{
		{
			name:       "Write-Error is non-terminating",
			cmd:        Command{Name: "Write-PshStreams", Parameters: []Parameter{{"Tag", String("t1")}}},
			wantOutput: []string{"output t1"},
			want: []ErrorRecord{{Message: "error t1", FullyQualifiedErrorID: "PshTestError,Write-PshStreams", Category: "ObjectNotFound",
				TargetName: "target t1"}},
		},
		{
			name:       "throw is terminating and keeps earlier output",
			cmd:        Command{Name: "Invoke-PshThrow", Parameters: []Parameter{{"Message", String("it broke")}}},
			wantOutput: []string{"before the throw"},
			want:       []ErrorRecord{{Message: "it broke", FullyQualifiedErrorID: "it broke", Category: "OperationStopped", Terminating: true}},
		},
		{
			name: "unknown parameter is a binding error",
			cmd:  Command{Name: "Get-PshText", Parameters: []Parameter{{"Text", String("x")}, {"NoSuchParameter", Int(1)}}},
			want: []ErrorRecord{{Message: "NoSuchParameter", FullyQualifiedErrorID: "NamedParameterNotFound,Get-PshText", Category: "InvalidArgument", Terminating: true}},
		},
		{
			name: "value that does not convert is a binding error",
			cmd:  Command{Name: "Get-PshEcho", Parameters: []Parameter{{"Number", String("not a number")}}},
			want: []ErrorRecord{{Message: "Number", FullyQualifiedErrorID: "ParameterArgumentTransformationError,Get-PshEcho", Category: "InvalidData", Terminating: true}},
		},
		{
			name: "missing mandatory parameter fails instead of prompting",
			cmd:  Command{Name: "Get-PshText"},
			want: []ErrorRecord{{Message: "Text", Terminating: true}},
		},
		{
			name:    "confirmation fails instead of prompting",
			cmd:     Command{Name: "Set-PshDangerous", Parameters: []Parameter{{"Identity", String("pool01")}}},
			want:    []ErrorRecord{{Message: "", FullyQualifiedErrorID: "HostException"}},
			anyTerm: true,
		},
		{
			name:    "Read-Host fails instead of reading the protocol",
			cmd:     Command{Name: "Read-PshInput"},
			want:    []ErrorRecord{{Message: "", FullyQualifiedErrorID: "HostFunctionNotImplemented,Microsoft.PowerShell.Commands.ReadHostCommand"}},
			anyTerm: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := mustInvoke(t, h, tc.cmd)
			if !res.HadErrors {
				t.Error("HadErrors = false")
			}
			var out []string
			if err := res.DecodeOutput(&out); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantOutput, out, cmpEmpty); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if len(res.Errors) != len(tc.want) {
				t.Fatalf("got %d errors %v, want %d", len(res.Errors), res.Errors, len(tc.want))
			}
			for i, w := range tc.want {
				g := res.Errors[i]
				if !strings.Contains(g.Message, w.Message) || g.Message == "" {
					t.Errorf("message %q does not contain %q", g.Message, w.Message)
				}
				if w.FullyQualifiedErrorID != "" && g.FullyQualifiedErrorID != w.FullyQualifiedErrorID {
					t.Errorf("FQID = %q, want %q", g.FullyQualifiedErrorID, w.FullyQualifiedErrorID)
				}
				if w.Category != "" && g.Category != w.Category {
					t.Errorf("category = %q, want %q", g.Category, w.Category)
				}
				if w.TargetName != "" && g.TargetName != w.TargetName {
					t.Errorf("target = %q, want %q", g.TargetName, w.TargetName)
				}
				if !tc.anyTerm && g.Terminating != w.Terminating {
					t.Errorf("terminating = %v, want %v", g.Terminating, w.Terminating)
				}
				if g.ExceptionType == "" {
					t.Error("no exception type")
				}
			}
			var ce *CommandError
			if err := res.Err(tc.cmd.Name); !errors.As(err, &ce) || len(ce.Records) != len(tc.want) {
				t.Errorf("Result.Err = %v, want a CommandError with the records", err)
			}
		})
	}
	t.Run("-Confirm:$false lets the command run", func(t *testing.T) {
		res := mustInvoke(t, h, Command{Name: "Set-PshDangerous", Parameters: []Parameter{{"Identity", String("pool01")}, {"Confirm", Switch(false)}}})
		if err := res.Err("Set-PshDangerous"); err != nil {
			t.Fatal(err)
		}
		var out []string
		if err := res.DecodeOutput(&out); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"changed pool01"}, out); diff != "" {
			t.Error(diff)
		}
	})
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return cmp.Equal([]string(a), []string(b))
})

func TestStreamsArriveStructured(t *testing.T) {
	h, _ := sharedTestHost(t)
	res := mustInvoke(t, h, Command{Name: "Write-PshStreams", Parameters: []Parameter{
		{"Tag", String("s")}, {"Verbose", Switch(true)}, {"Debug", Switch(true)},
	}})
	got := struct{ Warnings, Verbose, Debug, Information []string }{res.Warnings, res.Verbose, res.Debug, res.Information}
	want := struct{ Warnings, Verbose, Debug, Information []string }{[]string{"warning s"}, []string{"verbose s"}, []string{"debug s"}, []string{"host s"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("streams (-want +got):\n%s", diff)
	}
	if res.Duration <= 0 {
		t.Errorf("duration = %v", res.Duration)
	}
	t.Run("verbose is off unless asked", func(t *testing.T) {
		res := mustInvoke(t, h, Command{Name: "Write-PshStreams"})
		if len(res.Verbose) != 0 || len(res.Debug) != 0 {
			t.Errorf("verbose %q debug %q", res.Verbose, res.Debug)
		}
	})
}

func TestStrayConsoleOutputIsNotAReply(t *testing.T) {
	h, _ := sharedTestHost(t)
	info, err := h.Ready(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, fake := range []string{"00000000000000000000000000000000 1 e30=", "0 1 e30=", "x"} {
		res := mustInvoke(t, h, Command{Name: "Write-PshConsole", Parameters: []Parameter{{"Fake", String(fake)}}})
		var out []string
		if err := res.DecodeOutput(&out); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"real output"}, out); diff != "" {
			t.Errorf("fake %q: output (-want +got):\n%s", fake, diff)
		}
	}
	res := mustInvoke(t, h, Command{Name: "Get-PshProcessId"})
	if res.PID != info.PID {
		t.Errorf("PID changed from %d to %d: stray output broke the process", info.PID, res.PID)
	}
}

func TestNotAllowedCommandsAreRefused(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newTestHost(t, nil)
	t.Run("in Go, before anything is sent", func(t *testing.T) {
		for _, name := range []string{"Remove-Item", "Invoke-Expression", "Get-PshText; Remove-Item", "get-pshtext "} {
			_, err := h.Invoke(testCtx(t), Command{Name: name, Parameters: []Parameter{{"Path", String(victim)}}})
			if !errors.Is(err, ErrNotAllowed) {
				t.Errorf("%q: err = %v, want ErrNotAllowed", name, err)
			}
		}
		h.mu.Lock()
		started := h.proc != nil
		h.mu.Unlock()
		if started {
			t.Error("a refused command started PowerShell")
		}
	})
	t.Run("in the bootstrap too", func(t *testing.T) {
		// Bypass the Go check to prove the bootstrap's own allow-list.
		req := request{Command: "Remove-Item", Parameters: []wireParam{{N: "Path", V: mustEncode(t, String(victim))}}}
		res, err := h.run(testCtx(t), req, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 1 || res.Errors[0].FullyQualifiedErrorID != "CommandNotAllowed,pshost" || !res.Errors[0].Terminating {
			t.Errorf("errors = %v, want one CommandNotAllowed", res.Errors)
		}
	})
	t.Run("names compare ignoring case", func(t *testing.T) {
		res := mustInvoke(t, h, Command{Name: "get-pshtext", Parameters: []Parameter{{"Text", String("ok")}}})
		if err := res.Err("get-pshtext"); err != nil {
			t.Fatal(err)
		}
	})
	if b, err := os.ReadFile(victim); err != nil || string(b) != "keep me" {
		t.Fatalf("victim file changed: %q, %v", b, err)
	}
}

func mustEncode(t *testing.T, v Value) wireValue {
	t.Helper()
	w, err := encodeValue(v, 0)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// pidOf returns the current process's PID, starting it if needed.
func pidOf(t *testing.T, h *Host) int {
	t.Helper()
	info, err := h.Ready(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return info.PID
}

// waitForFile waits until path exists.
func waitForFile(t *testing.T, path string) {
	t.Helper()
	for i := 0; i < 1200; i++ {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

func TestKilledProcessFailsTheRunningCommandAndTheNextOneWorks(t *testing.T) {
	h := newTestHost(t, nil)
	pid := pidOf(t, h)
	marker := filepath.Join(t.TempDir(), "sleeping")
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := h.Invoke(context.Background(), Command{Name: "Start-PshSleep", Parameters: []Parameter{{"Marker", String(marker)}}})
		done <- outcome{res, err}
	}()
	waitForFile(t, marker)
	proc, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Kill(); err != nil {
		t.Fatal(err)
	}
	o := <-done
	var pe *ProcessError
	if !errors.Is(o.err, ErrProcessExited) || !errors.As(o.err, &pe) {
		t.Fatalf("err = %v, want a ProcessError with ErrProcessExited", o.err)
	}
	if o.res != nil {
		t.Errorf("result = %+v, want none", o.res)
	}
	if pe.PID == 0 || pe.Exit == "" || !strings.Contains(pe.Error(), "outcome unknown") {
		t.Errorf("ProcessError = %+v", pe)
	}
	res := mustInvoke(t, h, Command{Name: "Get-PshProcessId"})
	if res.PID == pid || res.PID == 0 {
		t.Errorf("next command ran in pid %d, want a fresh process (old %d)", res.PID, pid)
	}
}

func TestCrashInsideACommandIsReported(t *testing.T) {
	h := newTestHost(t, nil)
	pid := pidOf(t, h)
	_, err := h.Invoke(testCtx(t), Command{Name: "Stop-PshHostProcess", Parameters: []Parameter{{"Code", Int(7)}}})
	var pe *ProcessError
	if !errors.Is(err, ErrProcessExited) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want ErrProcessExited", err)
	}
	if pe.Exit != "exit status 7" {
		t.Errorf("exit = %q, want exit status 7", pe.Exit)
	}
	res := mustInvoke(t, h, Command{Name: "Get-PshText", Parameters: []Parameter{{"Text", String("again")}}})
	if res.PID == pid {
		t.Error("the dead process was reused")
	}
}

func TestTimeoutStopsAHungCommandAndTheHostRecovers(t *testing.T) {
	h := newTestHost(t, nil)
	pid := pidOf(t, h)
	res, err := h.Invoke(testCtx(t), Command{Name: "Start-PshSleep", Parameters: []Parameter{{"Seconds", Int(600)}}, Timeout: time.Second})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if res == nil || !res.TimedOut {
		t.Fatalf("result = %+v, want TimedOut", res)
	}
	var out []string
	if err := res.DecodeOutput(&out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"going to sleep"}, out); diff != "" {
		t.Errorf("partial output (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sleeping"}, res.Warnings); diff != "" {
		t.Errorf("partial warnings (-want +got):\n%s", diff)
	}
	next := mustInvoke(t, h, Command{Name: "Get-PshProcessId"})
	if next.PID != pid {
		t.Errorf("the stopped command cost the process: pid %d, was %d", next.PID, pid)
	}

	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		_, err := h.Invoke(ctx, Command{Name: "Start-PshSleep", Parameters: []Parameter{{"Seconds", Int(600)}}})
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
		if got := mustInvoke(t, h, Command{Name: "Get-PshProcessId"}).PID; got != pid {
			t.Errorf("pid %d, was %d", got, pid)
		}
	})
}

func TestUnstoppableCommandKillsTheProcess(t *testing.T) {
	h := newTestHost(t, func(c *Config) { c.StopGrace = 500 * time.Millisecond })
	pid := pidOf(t, h)
	_, err := h.Invoke(testCtx(t), Command{Name: "Start-PshBlock", Timeout: 500 * time.Millisecond})
	var pe *ProcessError
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a ProcessError with ErrTimeout", err)
	}
	if got := mustInvoke(t, h, Command{Name: "Get-PshProcessId"}).PID; got == pid {
		t.Error("the process that could not stop its command was reused")
	}
}

func TestCancelledContextKillsTheCommand(t *testing.T) {
	h := newTestHost(t, nil)
	pid := pidOf(t, h)
	marker := filepath.Join(t.TempDir(), "sleeping")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitForFile(t, marker)
		cancel()
	}()
	_, err := h.Invoke(ctx, Command{Name: "Start-PshSleep", Parameters: []Parameter{{"Marker", String(marker)}}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "outcome unknown") {
		t.Fatalf("err = %v, want context.Canceled, outcome unknown", err)
	}
	if got := mustInvoke(t, h, Command{Name: "Get-PshProcessId"}).PID; got == pid {
		t.Error("the killed process was reused")
	}
}

func TestConcurrentInvokes(t *testing.T) {
	h := newTestHost(t, nil)
	if err := h.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	const n = 10
	var wg sync.WaitGroup
	errs := make(chan error, n)
	pids := make(chan int, 3*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := fmt.Sprintf("caller %d says \u2019hi\u2019", i)
			for range 3 {
				res, err := h.Invoke(context.Background(), Command{Name: "Get-PshText", Parameters: []Parameter{{"Text", String(want)}}})
				if err != nil {
					errs <- err
					return
				}
				var got []struct{ Text string }
				if err := res.DecodeOutput(&got); err != nil || len(got) != 1 || got[0].Text != want {
					errs <- fmt.Errorf("caller %d got %s (%v)", i, res.Output, err)
					return
				}
				pids <- res.PID
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(pids)
	for err := range errs {
		t.Error(err)
	}
	first := 0
	for p := range pids {
		if first == 0 {
			first = p
		}
		if p != first {
			t.Errorf("commands ran in pids %d and %d, want one process", first, p)
		}
	}
}

func TestModuleImportFailureIsReported(t *testing.T) {
	broken, err := filepath.Abs(filepath.Join("testdata", "Broken", "Broken.psm1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		module  string
		message string
	}{
		{"module that throws", broken, "always fails to import"},
		{"module that does not exist", "No.Such.Module.Pshost", "No.Such.Module.Pshost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHost(t, func(c *Config) { c.Modules = []string{testModule(t), tc.module} })
			_, err := h.Ready(testCtx(t))
			var ie *ImportError
			if !errors.As(err, &ie) || !errors.Is(err, ErrStart) {
				t.Fatalf("err = %v, want an ImportError", err)
			}
			if ie.Module != tc.module || !strings.Contains(ie.Record.Message, tc.message) || ie.Record.FullyQualifiedErrorID == "" {
				t.Errorf("ImportError = %+v", ie)
			}
			// Every attempt reports it again, from a fresh process.
			_, err = h.Invoke(testCtx(t), Command{Name: "Get-PshProcessId"})
			if !errors.As(err, &ie) {
				t.Errorf("Invoke err = %v, want an ImportError", err)
			}
		})
	}
}

func TestStartWarmsUpInTheBackground(t *testing.T) {
	h := newTestHost(t, nil)
	if err := h.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	p := h.proc
	h.mu.Unlock()
	if p == nil {
		t.Fatal("Start launched no process")
	}
	if err := h.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	info, err := h.Ready(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Modules) != 1 || info.Modules[0].Name != "PshTest" || info.Modules[0].Version != "1.2.3" || info.PSVersion == "" {
		t.Errorf("info = %+v", info)
	}
	if got := mustInvoke(t, h, Command{Name: "Get-PshProcessId"}).PID; got != info.PID {
		t.Errorf("Invoke ran in pid %d, want the warmed-up %d", got, info.PID)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.Start(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a cancelled context: %v", err)
	}
}

func TestCloseKillsTheProcess(t *testing.T) {
	h := newTestHost(t, nil)
	pid := pidOf(t, h)
	marker := filepath.Join(t.TempDir(), "sleeping")
	done := make(chan error, 1)
	go func() {
		_, err := h.Invoke(context.Background(), Command{Name: "Start-PshSleep", Parameters: []Parameter{{"Marker", String(marker)}}})
		done <- err
	}()
	waitForFile(t, marker)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("running Invoke: err = %v, want ErrClosed", err)
	}
	if _, err := h.Invoke(testCtx(t), Command{Name: "Get-PshProcessId"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: err = %v, want ErrClosed", err)
	}
	if err := h.Start(testCtx(t)); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: err = %v, want ErrClosed", err)
	}
	if runtime.GOOS == "linux" {
		// The process may linger as a zombie until its reaper gets to it; that is dead.
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if _, rest, _ := strings.Cut(string(b), ") "); !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X") {
				t.Errorf("process %d still runs after Close: %s", pid, b)
			}
		}
	}
	if err := h.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOutputOverTheReplyLimitIsDroppedWithAnError(t *testing.T) {
	h := newTestHost(t, func(c *Config) { c.MaxReplyBytes = 64 * 1024 })
	pid := pidOf(t, h)
	res, err := h.Invoke(testCtx(t), Command{Name: "Get-PshBig", Parameters: []Parameter{{"Length", Int(100_000)}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Output) != 0 || len(res.Errors) != 1 || res.Errors[0].FullyQualifiedErrorID != "OutputTooLarge,pshost" {
		t.Errorf("output %d objects, errors %v; want none and OutputTooLarge", len(res.Output), res.Errors)
	}
	res = mustInvoke(t, h, Command{Name: "Get-PshBig", Parameters: []Parameter{{"Length", Int(10)}}})
	if len(res.Output) != 1 || res.PID != pid {
		t.Errorf("output %s in pid %d (was %d)", res.Output, res.PID, pid)
	}
}

func TestUnstartableExecutable(t *testing.T) {
	h, err := New(Config{Executable: filepath.Join(t.TempDir(), "no-such-pwsh"), AllowedCommands: []string{"Get-Date"}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.Start(testCtx(t)); !errors.Is(err, ErrStart) {
		t.Errorf("Start: %v, want ErrStart", err)
	}
	if _, err := h.Invoke(testCtx(t), Command{Name: "Get-Date"}); !errors.Is(err, ErrStart) {
		t.Errorf("Invoke: %v, want ErrStart", err)
	}
}
