package pshost

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Value is a typed parameter value. The bootstrap rebuilds it as a real .NET object
// ([string], [int], [long], [double], [bool], [switch], [datetime], [securestring],
// [object[]], [hashtable] or $null) and binds it with AddParameter, so no value is ever
// parsed as PowerShell script. A nil Value is $null.
//
// Build values with String, Int, Float, Bool, Switch, Null, Time, SecureString, Array,
// Strings, Hashtable, ListModifier or Of.
type Value interface {
	encode(depth int) (wireValue, error)
}

// maxValueDepth bounds the nesting of arrays and hashtables in one parameter value.
const maxValueDepth = 32

// wireValue is the JSON encoding of a Value. Strings travel base64-encoded (field b) so
// that no JSON parser on the PowerShell side can reinterpret them (PowerShell 7's
// ConvertFrom-Json turns date-like strings into [datetime]); numbers travel as invariant
// culture strings (field n) so that no float rounding happens in transit.
// An empty array or hashtable omits a or e: the bootstrap's foreach over a missing
// property runs zero times.
type wireValue struct {
	T string      `json:"t"`
	B *string     `json:"b,omitempty"`
	N *string     `json:"n,omitempty"`
	V *bool       `json:"v,omitempty"`
	A []wireValue `json:"a,omitempty"`
	E []wireEntry `json:"e,omitempty"`
}

type wireEntry struct {
	K string    `json:"k"`
	V wireValue `json:"v"`
}

type (
	stringValue string
	secureValue string
	intValue    int64
	floatValue  float64
	boolValue   bool
	switchValue bool
	nullValue   struct{}
	timeValue   time.Time
	arrayValue  []Value
	hashValue   []Entry
)

// Entry is one key and value of a Hashtable.
type Entry struct {
	Key   string
	Value Value
}

// String is a [string] value. It must be valid UTF-8; it may contain anything else
// (quotes of every kind, $(), backticks, newlines, NUL), which reaches the command
// unchanged.
func String(s string) Value { return stringValue(s) }

// SecureString is a [securestring] built inside PowerShell from s. The text travels only on
// the host's stdin pipe (never in argv or script text) and pshost never prints it.
func SecureString(s string) Value { return secureValue(s) }

// Int is an integer: [int] when it fits in 32 bits, else [long].
func Int(i int64) Value { return intValue(i) }

// Float is a [double].
func Float(f float64) Value { return floatValue(f) }

// Bool is a [bool], for parameters typed [bool] (use Switch for [switch] parameters).
func Bool(b bool) Value { return boolValue(b) }

// Switch is a [switch] value: Switch(true) is -Name, Switch(false) is -Name:$false
// (as in -Confirm:$false).
func Switch(on bool) Value { return switchValue(on) }

// Null is $null.
func Null() Value { return nullValue{} }

// Time is a [datetime] of kind Utc holding t (to 100 ns, the resolution of .NET ticks).
func Time(t time.Time) Value { return timeValue(t) }

// Array is an [object[]] of the given values, each keeping its own type.
func Array(vs ...Value) Value { return arrayValue(vs) }

// Strings is an [object[]] of strings.
func Strings(ss ...string) Value {
	vs := make([]Value, len(ss))
	for i, s := range ss {
		vs[i] = String(s)
	}
	return arrayValue(vs)
}

// Hashtable is a [hashtable] (case-insensitive keys, as @{} in PowerShell). Keys must be
// distinct ignoring case.
func Hashtable(entries ...Entry) Value { return hashValue(entries) }

// ListModifier is the value of a Lync multi-valued parameter (a PSListModifier), written in
// PowerShell as @{Add=...; Remove=...; Replace=...}. A nil slice leaves its key out; a
// non-nil empty slice sends an empty array (Replace: []Value{} clears the list).
type ListModifier struct {
	Add, Remove, Replace []Value
}

func (l ListModifier) encode(depth int) (wireValue, error) {
	var entries []Entry
	for _, kv := range []struct {
		k  string
		vs []Value
	}{{"Add", l.Add}, {"Remove", l.Remove}, {"Replace", l.Replace}} {
		if kv.vs != nil {
			entries = append(entries, Entry{Key: kv.k, Value: arrayValue(kv.vs)})
		}
	}
	if len(entries) == 0 {
		return wireValue{}, errors.New("list modifier has none of Add, Remove, Replace")
	}
	return hashValue(entries).encode(depth)
}

func b64(s string) *string {
	e := base64.StdEncoding.EncodeToString([]byte(s))
	return &e
}

func ptr[T any](v T) *T { return &v }

func (s stringValue) encode(int) (wireValue, error) {
	if !utf8.ValidString(string(s)) {
		return wireValue{}, errors.New("string is not valid UTF-8")
	}
	return wireValue{T: "str", B: b64(string(s))}, nil
}

func (s secureValue) encode(int) (wireValue, error) {
	if !utf8.ValidString(string(s)) {
		return wireValue{}, errors.New("secure string is not valid UTF-8")
	}
	return wireValue{T: "secure", B: b64(string(s))}, nil
}

func (i intValue) encode(int) (wireValue, error) {
	return wireValue{T: "int", N: ptr(strconv.FormatInt(int64(i), 10))}, nil
}

func (f floatValue) encode(int) (wireValue, error) {
	var s string
	switch x := float64(f); {
	case math.IsNaN(x):
		s = "NaN"
	case math.IsInf(x, 1):
		s = "Infinity"
	case math.IsInf(x, -1):
		s = "-Infinity"
	default:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return wireValue{T: "double", N: &s}, nil
}

func (b boolValue) encode(int) (wireValue, error) {
	return wireValue{T: "bool", V: ptr(bool(b))}, nil
}

func (b switchValue) encode(int) (wireValue, error) {
	return wireValue{T: "switch", V: ptr(bool(b))}, nil
}

func (nullValue) encode(int) (wireValue, error) { return wireValue{T: "null"}, nil }

// dotnetEpochOffset is the number of seconds from 0001-01-01 to 1970-01-01 (UTC).
const dotnetEpochOffset = 62135596800

func (t timeValue) encode(int) (wireValue, error) {
	u := time.Time(t).UTC()
	if u.Year() < 1 || u.Year() > 9999 {
		return wireValue{}, fmt.Errorf("time %s is outside .NET DateTime's range", u.Format(time.RFC3339))
	}
	ticks := (u.Unix()+dotnetEpochOffset)*10_000_000 + int64(u.Nanosecond()/100)
	return wireValue{T: "datetime", N: ptr(strconv.FormatInt(ticks, 10))}, nil
}

func (a arrayValue) encode(depth int) (wireValue, error) {
	if depth > maxValueDepth {
		return wireValue{}, fmt.Errorf("value nested deeper than %d", maxValueDepth)
	}
	w := wireValue{T: "array", A: make([]wireValue, 0, len(a))}
	for i, v := range a {
		e, err := encodeValue(v, depth+1)
		if err != nil {
			return wireValue{}, fmt.Errorf("element %d: %w", i, err)
		}
		w.A = append(w.A, e)
	}
	return w, nil
}

func (h hashValue) encode(depth int) (wireValue, error) {
	if depth > maxValueDepth {
		return wireValue{}, fmt.Errorf("value nested deeper than %d", maxValueDepth)
	}
	w := wireValue{T: "hashtable", E: make([]wireEntry, 0, len(h))}
	seen := make(map[string]bool, len(h))
	for _, en := range h {
		if !utf8.ValidString(en.Key) {
			return wireValue{}, errors.New("hashtable key is not valid UTF-8")
		}
		fold := strings.ToLower(en.Key)
		if seen[fold] {
			return wireValue{}, fmt.Errorf("hashtable key %q given twice (keys ignore case)", en.Key)
		}
		seen[fold] = true
		v, err := encodeValue(en.Value, depth+1)
		if err != nil {
			return wireValue{}, fmt.Errorf("key %q: %w", en.Key, err)
		}
		w.E = append(w.E, wireEntry{K: *b64(en.Key), V: v})
	}
	return w, nil
}

func encodeValue(v Value, depth int) (wireValue, error) {
	if v == nil {
		return wireValue{T: "null"}, nil
	}
	return v.encode(depth)
}

// Of converts a Go value to a Value: nil, string, bool, all integer types, float32/64,
// time.Time, []string, []any, map[string]any (keys sorted, as a Hashtable), ListModifier
// and Value itself; elements of slices and maps are converted recursively. A Go bool
// becomes [bool]; use Switch for [switch] parameters.
func Of(x any) (Value, error) {
	switch v := x.(type) {
	case nil:
		return Null(), nil
	case Value:
		return v, nil
	case string:
		return String(v), nil
	case bool:
		return Bool(v), nil
	case int:
		return Int(int64(v)), nil
	case int8:
		return Int(int64(v)), nil
	case int16:
		return Int(int64(v)), nil
	case int32:
		return Int(int64(v)), nil
	case int64:
		return Int(v), nil
	case uint:
		return uintValue(uint64(v))
	case uint8:
		return Int(int64(v)), nil
	case uint16:
		return Int(int64(v)), nil
	case uint32:
		return Int(int64(v)), nil
	case uint64:
		return uintValue(v)
	case float32:
		return Float(float64(v)), nil
	case float64:
		return Float(v), nil
	case time.Time:
		return Time(v), nil
	case []string:
		return Strings(v...), nil
	case []any:
		vs := make([]Value, len(v))
		for i, e := range v {
			ev, err := Of(e)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			vs[i] = ev
		}
		return Array(vs...), nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		entries := make([]Entry, len(keys))
		for i, k := range keys {
			ev, err := Of(v[k])
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			entries[i] = Entry{Key: k, Value: ev}
		}
		return Hashtable(entries...), nil
	default:
		return nil, fmt.Errorf("pshost: no PowerShell value for Go type %T", x)
	}
}

func uintValue(u uint64) (Value, error) {
	if u > math.MaxInt64 {
		return nil, fmt.Errorf("pshost: %d does not fit in a [long]", u)
	}
	return Int(int64(u)), nil
}
