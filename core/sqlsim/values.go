package sqlsim

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"pcfailover/core/lsn"
	"pcfailover/core/sqlsim/tds"
)

// decimalVal is an exact numeric value in decimal digits (LSNs are numeric(25,0)).
type decimalVal string

func lsnValue(l lsn.LSN) any { return decimalVal(l.String()) }

// lsnOrNull is NULL for the zero LSN.
func lsnOrNull(l lsn.LSN) any {
	if l.IsZero() {
		return nil
	}
	return decimalVal(l.String())
}

// sqlGUID converts a UUID to SQL Server's uniqueidentifier byte order (the first three
// groups little-endian), the form the wire layer sends.
func sqlGUID(u uuid.UUID) [16]byte {
	var b [16]byte
	copy(b[:], u[:])
	b[0], b[1], b[2], b[3] = u[3], u[2], u[1], u[0]
	b[4], b[5] = u[5], u[4]
	b[6], b[7] = u[7], u[6]
	return b
}

func fromSQLGUID(b [16]byte) uuid.UUID {
	var u uuid.UUID
	copy(u[:], b[:])
	u[0], u[1], u[2], u[3] = b[3], b[2], b[1], b[0]
	u[4], u[5] = b[5], b[4]
	u[6], u[7] = b[7], b[6]
	return u
}

func guidOrNull(u uuid.UUID) any {
	if u == uuid.Nil {
		return nil
	}
	return u
}

func toBigRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), true
	case bool:
		if x {
			return big.NewRat(1, 1), true
		}
		return new(big.Rat), true
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(x) == nil {
			return nil, false
		}
		return r, true
	case decimalVal:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return nil, false
		}
		return r, true
	case string:
		r, ok := new(big.Rat).SetString(strings.TrimSpace(x))
		return r, ok
	}
	return nil, false
}

func isNumeric(v any) bool {
	switch v.(type) {
	case int64, float64, decimalVal, bool:
		return true
	}
	return false
}

// compareValues orders two non-NULL values: numbers numerically, strings
// case-insensitively (SQL_Latin1_General_CP1_CI_AS), times, GUIDs. ok is false when the
// types cannot be compared (a conversion error in SQL Server).
func compareValues(a, b any) (int, bool) {
	if isNumeric(a) || isNumeric(b) {
		ra, ok1 := toBigRat(a)
		rb, ok2 := toBigRat(b)
		if !ok1 || !ok2 {
			return 0, false
		}
		return ra.Cmp(rb), true
	}
	switch x := a.(type) {
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(strings.ToLower(strings.TrimRight(x, " ")), strings.ToLower(strings.TrimRight(y, " "))), true
		case uuid.UUID:
			u, err := uuid.Parse(x)
			if err != nil {
				return 0, false
			}
			return strings.Compare(u.String(), y.String()), true
		case time.Time:
			t, ok := parseDateTime(x)
			if !ok {
				return 0, false
			}
			return t.Compare(y), true
		}
	case time.Time:
		switch y := b.(type) {
		case time.Time:
			return x.Compare(y), true
		case string:
			t, ok := parseDateTime(y)
			if !ok {
				return 0, false
			}
			return x.Compare(t), true
		}
	case uuid.UUID:
		switch y := b.(type) {
		case uuid.UUID:
			return strings.Compare(x.String(), y.String()), true
		case string:
			u, err := uuid.Parse(y)
			if err != nil {
				return 0, false
			}
			return strings.Compare(x.String(), u.String()), true
		}
	}
	return 0, false
}

func parseDateTime(s string) (time.Time, bool) {
	for _, f := range []string{"2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02", "20060102"} {
		if t, err := time.ParseInLocation(f, strings.TrimSpace(s), time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// valueString is the value converted to nvarchar.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case decimalVal:
		return string(x)
	case time.Time:
		return x.Format("Jan _2 2006  3:04PM")
	case uuid.UUID:
		return strings.ToUpper(x.String())
	}
	return fmt.Sprint(v)
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case float64:
		return int64(x), true
	case decimalVal:
		r, ok := toBigRat(x)
		if !ok || !r.IsInt() || !r.Num().IsInt64() {
			return 0, false
		}
		return r.Num().Int64(), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func truthy(v any) bool {
	b, ok := v.(bool)
	return ok && b
}

// outputValue converts an internal value to what tds.ResultWriter expects for col.
func outputValue(v any, col tds.Column) any {
	if v == nil {
		return nil
	}
	switch col.Type {
	case tds.TypeInt, tds.TypeBigInt, tds.TypeSmallInt, tds.TypeTinyInt:
		if n, ok := toInt(v); ok {
			return n
		}
		return nil
	case tds.TypeBit:
		switch x := v.(type) {
		case bool:
			return x
		default:
			n, _ := toInt(v)
			return n != 0
		}
	case tds.TypeNumeric:
		switch x := v.(type) {
		case decimalVal:
			return string(x)
		case int64:
			return strconv.FormatInt(x, 10)
		default:
			r, ok := toBigRat(v)
			if !ok {
				return nil
			}
			return r.FloatString(int(col.Scale))
		}
	case tds.TypeFloat:
		r, ok := toBigRat(v)
		if !ok {
			return nil
		}
		f, _ := r.Float64()
		return f
	case tds.TypeUniqueIdentifier:
		switch x := v.(type) {
		case uuid.UUID:
			return sqlGUID(x)
		case string:
			u, err := uuid.Parse(x)
			if err != nil {
				return nil
			}
			return sqlGUID(u)
		}
		return nil
	case tds.TypeDateTime, tds.TypeDateTime2:
		if t, ok := v.(time.Time); ok {
			return t
		}
		if s, ok := v.(string); ok {
			if t, ok := parseDateTime(s); ok {
				return t
			}
		}
		return nil
	case tds.TypeVarBinary:
		if b, ok := v.([]byte); ok {
			return b
		}
		return []byte(valueString(v))
	default:
		return valueString(v)
	}
}

// likeMatch implements LIKE with %, _ and [...] classes, case-insensitively.
func likeMatch(s, pat string) bool {
	return likeRunes([]rune(strings.ToLower(s)), []rune(strings.ToLower(pat)))
}

func likeRunes(s, p []rune) bool {
	for len(p) > 0 {
		switch p[0] {
		case '%':
			for len(p) > 0 && p[0] == '%' {
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if likeRunes(s[i:], p) {
					return true
				}
			}
			return false
		case '_':
			if len(s) == 0 {
				return false
			}
			s, p = s[1:], p[1:]
		case '[':
			end := -1
			for j := 1; j < len(p); j++ {
				if p[j] == ']' {
					end = j
					break
				}
			}
			if end < 0 || len(s) == 0 {
				if len(s) == 0 || s[0] != '[' {
					return false
				}
				s, p = s[1:], p[1:]
				continue
			}
			class := p[1:end]
			neg := len(class) > 0 && class[0] == '^'
			if neg {
				class = class[1:]
			}
			match := false
			for j := 0; j < len(class); j++ {
				if j+2 < len(class) && class[j+1] == '-' {
					if s[0] >= class[j] && s[0] <= class[j+2] {
						match = true
					}
					j += 2
					continue
				}
				if class[j] == s[0] {
					match = true
				}
			}
			if match == neg {
				return false
			}
			s, p = s[1:], p[end+1:]
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
			s, p = s[1:], p[1:]
		}
	}
	return len(s) == 0
}
