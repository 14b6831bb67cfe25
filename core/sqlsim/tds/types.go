package tds

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// TDS data type bytes (MS-TDS §2.2.5.4.1-3).
const (
	tNull           = 0x1F
	tInt1           = 0x30
	tBit            = 0x32
	tInt2           = 0x34
	tInt4           = 0x38
	tDateTim4       = 0x3A
	tFlt4           = 0x3B
	tMoney          = 0x3C
	tDateTime       = 0x3D
	tFlt8           = 0x3E
	tMoney4         = 0x7A
	tInt8           = 0x7F
	tGUID           = 0x24
	tIntN           = 0x26
	tDecimal        = 0x37
	tNumeric        = 0x3F
	tBitN           = 0x68
	tDecimalN       = 0x6A
	tNumericN       = 0x6C
	tFltN           = 0x6D
	tMoneyN         = 0x6E
	tDateTimeN      = 0x6F
	tDateN          = 0x28
	tTimeN          = 0x29
	tDateTime2N     = 0x2A
	tDateTimeOffset = 0x2B
	tBigVarBin      = 0xA5
	tBigVarChar     = 0xA7
	tBigBinary      = 0xAD
	tBigChar        = 0xAF
	tNVarChar       = 0xE7
	tNChar          = 0xEF
)

// collation is SQL_Latin1_General_CP1_CI_AS as SQL Server sends it (tds-server.md §7).
var collation = []byte{0x09, 0x04, 0xD0, 0x00, 0x34}

const plpUnknownLen = 0xFFFFFFFFFFFFFFFE
const plpNull = 0xFFFFFFFFFFFFFFFF

// unixEpochDay is 1970-01-01 counted in days since 0001-01-01 (DATE/DATETIME2) and
// datetimeEpochDay the same since 1900-01-01 (DATETIME). Day arithmetic is done with Unix
// seconds: time.Sub from year 1 overflows time.Duration (tds-server.md §7).
const (
	unixEpochDay     = 719162
	datetimeEpochDay = 25567
)

// decimalLen is the value length of a DECIMALN/NUMERICN of the given precision.
func decimalLen(prec uint8) int {
	switch {
	case prec <= 9:
		return 5
	case prec <= 19:
		return 9
	case prec <= 28:
		return 13
	default:
		return 17
	}
}

// timeLen is the byte length of a TIME part with the given scale.
func timeLen(scale uint8) int {
	switch {
	case scale <= 2:
		return 3
	case scale <= 4:
		return 4
	default:
		return 5
	}
}

// typeInfo encodes the TYPE_INFO of a result column (tds-server.md §7).
func typeInfo(c Column) ([]byte, error) {
	e := enc(nil)
	switch c.Type {
	case TypeInt:
		return e.u8(tIntN).u8(4), nil
	case TypeBigInt:
		return e.u8(tIntN).u8(8), nil
	case TypeSmallInt:
		return e.u8(tIntN).u8(2), nil
	case TypeTinyInt:
		return e.u8(tIntN).u8(1), nil
	case TypeBit:
		return e.u8(tBitN).u8(1), nil
	case TypeFloat:
		return e.u8(tFltN).u8(8), nil
	case TypeNVarChar:
		if c.Size < 0 || c.Size > 4000 {
			return nil, fmt.Errorf("tds: column %q: nvarchar(%d) out of range (1-4000, 0 = max)", c.Name, c.Size)
		}
		if c.Size == 0 {
			return e.u8(tNVarChar).u16(0xFFFF).bytes(collation), nil
		}
		return e.u8(tNVarChar).u16(uint16(2 * c.Size)).bytes(collation), nil
	case TypeVarBinary:
		if c.Size < 0 || c.Size > 8000 {
			return nil, fmt.Errorf("tds: column %q: varbinary(%d) out of range (1-8000, 0 = max)", c.Name, c.Size)
		}
		if c.Size == 0 {
			return e.u8(tBigVarBin).u16(0xFFFF), nil
		}
		return e.u8(tBigVarBin).u16(uint16(c.Size)), nil
	case TypeNumeric:
		if c.Precision < 1 || c.Precision > 38 || c.Scale > c.Precision {
			return nil, fmt.Errorf("tds: column %q: numeric(%d,%d) out of range", c.Name, c.Precision, c.Scale)
		}
		return e.u8(tNumericN).u8(byte(decimalLen(c.Precision))).u8(c.Precision).u8(c.Scale), nil
	case TypeDateTime:
		return e.u8(tDateTimeN).u8(8), nil
	case TypeDateTime2:
		if c.Scale > 7 {
			return nil, fmt.Errorf("tds: column %q: datetime2(%d) out of range", c.Name, c.Scale)
		}
		return e.u8(tDateTime2N).u8(c.Scale), nil
	case TypeUniqueIdentifier:
		return e.u8(tGUID).u8(16), nil
	}
	return nil, fmt.Errorf("tds: column %q: unknown column type %d", c.Name, c.Type)
}

// nullValue is the NULL encoding of a column type.
func nullValue(c Column) []byte {
	switch c.Type {
	case TypeNVarChar, TypeVarBinary:
		if c.Size == 0 {
			return []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
		}
		return []byte{0xFF, 0xFF}
	}
	return []byte{0}
}

// appendValue encodes one value of column c (ROW and RETURNVALUE); nil is NULL.
func appendValue(b []byte, c Column, v any) ([]byte, error) {
	if v == nil {
		return append(b, nullValue(c)...), nil
	}
	e := enc(b)
	switch c.Type {
	case TypeInt, TypeBigInt, TypeSmallInt, TypeTinyInt:
		n, err := toInt64(v)
		if err != nil {
			return b, err
		}
		switch c.Type {
		case TypeTinyInt:
			if n < 0 || n > math.MaxUint8 {
				return b, fmt.Errorf("value %d out of range for tinyint", n)
			}
			return e.u8(1).u8(byte(n)), nil
		case TypeSmallInt:
			if n < math.MinInt16 || n > math.MaxInt16 {
				return b, fmt.Errorf("value %d out of range for smallint", n)
			}
			return e.u8(2).u16(uint16(n)), nil
		case TypeInt:
			if n < math.MinInt32 || n > math.MaxInt32 {
				return b, fmt.Errorf("value %d out of range for int", n)
			}
			return e.u8(4).u32(uint32(n)), nil
		default:
			return e.u8(8).u64(uint64(n)), nil
		}
	case TypeBit:
		switch x := v.(type) {
		case bool:
			if x {
				return e.u8(1).u8(1), nil
			}
			return e.u8(1).u8(0), nil
		default:
			n, err := toInt64(v)
			if err != nil {
				return b, err
			}
			if n != 0 {
				n = 1
			}
			return e.u8(1).u8(byte(n)), nil
		}
	case TypeFloat:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		default:
			n, err := toInt64(v)
			if err != nil {
				return b, err
			}
			f = float64(n)
		}
		return e.u8(8).u64(math.Float64bits(f)), nil
	case TypeNVarChar:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		case fmt.Stringer:
			s = x.String()
		default:
			return b, fmt.Errorf("cannot send %T as nvarchar", v)
		}
		u := utf16.Encode([]rune(s))
		if c.Size == 0 {
			return appendPLP(b, appendUTF16(nil, u)), nil
		}
		if len(u) > c.Size {
			return b, fmt.Errorf("value of %d characters longer than nvarchar(%d)", len(u), c.Size)
		}
		return appendUTF16(e.u16(uint16(2*len(u))), u), nil
	case TypeVarBinary:
		var p []byte
		switch x := v.(type) {
		case []byte:
			p = x
		case string:
			p = []byte(x)
		default:
			return b, fmt.Errorf("cannot send %T as varbinary", v)
		}
		if c.Size == 0 {
			return appendPLP(b, p), nil
		}
		if len(p) > c.Size {
			return b, fmt.Errorf("value of %d bytes longer than varbinary(%d)", len(p), c.Size)
		}
		return e.u16(uint16(len(p))).bytes(p), nil
	case TypeNumeric:
		mag, neg, err := numericValue(v, c.Precision, c.Scale)
		if err != nil {
			return b, err
		}
		n := decimalLen(c.Precision)
		sign := byte(1)
		if neg {
			sign = 0
		}
		e = e.u8(byte(n)).u8(sign)
		le := make([]byte, n-1)
		be := mag.Bytes()
		for i := range be {
			le[i] = be[len(be)-1-i]
		}
		return e.bytes(le), nil
	case TypeDateTime:
		t, ok := v.(time.Time)
		if !ok {
			return b, fmt.Errorf("cannot send %T as datetime", v)
		}
		days, ticks, err := datetimeParts(t)
		if err != nil {
			return b, err
		}
		return e.u8(8).u32(uint32(days)).u32(ticks), nil
	case TypeDateTime2:
		t, ok := v.(time.Time)
		if !ok {
			return b, fmt.Errorf("cannot send %T as datetime2", v)
		}
		// Round to the column's scale like SQL Server (a carry may reach the date).
		unit := time.Duration(1)
		for i := c.Scale; i < 9; i++ {
			unit *= 10
		}
		t = t.Round(unit)
		tl := timeLen(c.Scale)
		e = e.u8(byte(tl + 3))
		e = appendTime(e, t, c.Scale)
		return appendDate(e, t), nil
	case TypeUniqueIdentifier:
		g, err := guidValue(v)
		if err != nil {
			return b, err
		}
		return e.u8(16).bytes(g[:]), nil
	}
	return b, fmt.Errorf("unknown column type %d", c.Type)
}

// appendPLP encodes a PLP value with a known total length, one chunk, terminator.
func appendPLP(b []byte, p []byte) []byte {
	e := enc(b).u64(uint64(len(p)))
	if len(p) > 0 {
		e = e.u32(uint32(len(p))).bytes(p)
	}
	return e.u32(0)
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("value %d out of range", x)
		}
		return int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, fmt.Errorf("value %d out of range", x)
		}
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("cannot send %T as an integer", v)
}

// numericValue converts v to the unscaled magnitude at the column's scale.
// int64 (and other integers) and *big.Int are whole values; strings are decimal literals
// ("2147483647000000000100001", "-12.5"); Decimal is rescaled. Extra decimal places are
// rounded half away from zero; too many digits for the precision is an error.
func numericValue(v any, prec, scale uint8) (*big.Int, bool, error) {
	var unscaled *big.Int
	var fromScale int
	switch x := v.(type) {
	case Decimal:
		n, ok := new(big.Int).SetString(x.Unscaled, 10)
		if !ok {
			return nil, false, fmt.Errorf("invalid Decimal digits %q", x.Unscaled)
		}
		unscaled, fromScale = n, int(x.Scale)
	case *Decimal:
		if x == nil {
			return nil, false, fmt.Errorf("nil *Decimal")
		}
		return numericValue(*x, prec, scale)
	case string:
		n, s, err := parseDecimalString(x)
		if err != nil {
			return nil, false, err
		}
		unscaled, fromScale = n, s
	case []byte:
		return numericValue(string(x), prec, scale)
	case *big.Int:
		if x == nil {
			return nil, false, fmt.Errorf("nil *big.Int")
		}
		unscaled = new(big.Int).Set(x)
	default:
		n, err := toInt64(v)
		if err != nil {
			return nil, false, err
		}
		unscaled = big.NewInt(n)
	}
	switch d := int(scale) - fromScale; {
	case d > 0:
		unscaled.Mul(unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil))
	case d < 0:
		// Round half away from zero, as SQL Server does converting to a smaller scale.
		div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d)), nil)
		q, r := new(big.Int).QuoRem(unscaled, div, new(big.Int))
		if r.Abs(r).Lsh(r, 1).Cmp(div) >= 0 {
			if unscaled.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		unscaled = q
	}
	neg := unscaled.Sign() < 0
	mag := unscaled.Abs(unscaled)
	if len(mag.String()) > int(prec) {
		return nil, false, fmt.Errorf("value %s does not fit numeric(%d,%d)", mag.String(), prec, scale)
	}
	return mag, neg, nil
}

// parseDecimalString parses "-123.45" into unscaled 12345 (negated) and scale 2.
func parseDecimalString(s string) (*big.Int, int, error) {
	t := strings.TrimSpace(s)
	digits, frac, hasDot := strings.Cut(t, ".")
	scale := 0
	if hasDot {
		scale = len(frac)
		digits += frac
	}
	body := strings.TrimPrefix(strings.TrimPrefix(digits, "-"), "+")
	if body == "" || strings.Trim(body, "0123456789") != "" {
		return nil, 0, fmt.Errorf("invalid decimal literal %q", s)
	}
	n, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, 0, fmt.Errorf("invalid decimal literal %q", s)
	}
	return n, scale, nil
}

// datetimeParts converts the wall clock of t to DATETIME days since 1900-01-01 and
// 1/300-second ticks since midnight.
func datetimeParts(t time.Time) (int32, uint32, error) {
	y, mo, d := t.Date()
	days := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + datetimeEpochDay
	secs := int64(t.Hour()*3600 + t.Minute()*60 + t.Second())
	ticks := secs*300 + (int64(t.Nanosecond())*300+500_000_000)/1_000_000_000
	if ticks >= 86400*300 {
		ticks -= 86400 * 300
		days++
	}
	if days < -53690 || days > 2958463 { // 1753-01-01 .. 9999-12-31
		return 0, 0, fmt.Errorf("%s out of range for datetime", t.Format(time.RFC3339))
	}
	return int32(days), uint32(ticks), nil
}

// appendTime appends the TIME part of t's wall clock at the given scale.
func appendTime(b []byte, t time.Time, scale uint8) []byte {
	secs := uint64(t.Hour()*3600 + t.Minute()*60 + t.Second())
	units := secs
	div := uint64(1_000_000_000)
	for i := uint8(0); i < scale; i++ {
		units *= 10
		div /= 10
	}
	units += uint64(t.Nanosecond()) / div
	for i := 0; i < timeLen(scale); i++ {
		b = append(b, byte(units))
		units >>= 8
	}
	return b
}

// appendDate appends the 3-byte DATE part (days since 0001-01-01) of t's wall clock.
func appendDate(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	days := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + unixEpochDay
	return append(b, byte(days), byte(days>>8), byte(days>>16))
}

// guidValue accepts [16]byte in SQL Server byte order (first three groups little-endian,
// as on the wire), []byte of 16 bytes in the same order, or a canonical string
// "12345678-1234-5678-1234-56789ABCDEF0".
func guidValue(v any) ([16]byte, error) {
	var g [16]byte
	switch x := v.(type) {
	case [16]byte:
		return x, nil
	case []byte:
		if len(x) != 16 {
			return g, fmt.Errorf("uniqueidentifier needs 16 bytes, got %d", len(x))
		}
		copy(g[:], x)
		return g, nil
	case string:
		return parseGUID(x)
	}
	return g, fmt.Errorf("cannot send %T as uniqueidentifier", v)
}

// parseGUID parses a canonical GUID string into SQL Server byte order.
func parseGUID(s string) ([16]byte, error) {
	var g [16]byte
	h := strings.Trim(s, "{}")
	if len(h) != 36 || h[8] != '-' || h[13] != '-' || h[18] != '-' || h[23] != '-' {
		return g, fmt.Errorf("invalid uniqueidentifier %q", s)
	}
	h = strings.ReplaceAll(h, "-", "")
	var rfc [16]byte
	for i := range rfc {
		n, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return g, fmt.Errorf("invalid uniqueidentifier %q", s)
		}
		rfc[i] = byte(n)
	}
	g = rfc
	g[0], g[1], g[2], g[3] = rfc[3], rfc[2], rfc[1], rfc[0]
	g[4], g[5] = rfc[5], rfc[4]
	g[6], g[7] = rfc[7], rfc[6]
	return g, nil
}

// ---- parameter decoding (RPC) ----

// readTypeInfo reads a parameter TYPE_INFO and returns a decoder for its value.
type paramType struct {
	typ       byte
	maxLen    int // BYTELEN/USHORTLEN max length; 0xFFFF = PLP
	prec      uint8
	scale     uint8
	collation []byte
}

func (d *dec) typeInfo() paramType {
	p := paramType{typ: d.u8()}
	switch p.typ {
	case tNull, tInt1, tBit, tInt2, tInt4, tDateTim4, tFlt4, tMoney, tDateTime, tFlt8, tMoney4, tInt8, tDateN:
	case tGUID, tIntN, tBitN, tFltN, tMoneyN, tDateTimeN:
		p.maxLen = int(d.u8())
	case tDecimalN, tNumericN, tDecimal, tNumeric:
		p.maxLen = int(d.u8())
		p.prec = d.u8()
		p.scale = d.u8()
	case tTimeN, tDateTime2N, tDateTimeOffset:
		p.scale = d.u8()
		if p.scale > 7 && d.err == nil {
			d.err = fmt.Errorf("tds: time scale %d", p.scale)
		}
	case tBigVarChar, tBigChar, tNVarChar, tNChar:
		p.maxLen = int(d.u16())
		p.collation = d.bytes(5)
	case tBigVarBin, tBigBinary:
		p.maxLen = int(d.u16())
	default:
		if d.err == nil {
			d.err = fmt.Errorf("tds: unsupported parameter type 0x%02X", p.typ)
		}
	}
	return p
}

// name is the SQL type name of a parameter type ("nvarchar", "bigint", ...).
func (p paramType) name() string {
	switch p.typ {
	case tNull:
		return "null"
	case tInt1:
		return "tinyint"
	case tInt2:
		return "smallint"
	case tInt4:
		return "int"
	case tInt8:
		return "bigint"
	case tIntN:
		switch p.maxLen {
		case 1:
			return "tinyint"
		case 2:
			return "smallint"
		case 4:
			return "int"
		}
		return "bigint"
	case tBit, tBitN:
		return "bit"
	case tFlt4:
		return "real"
	case tFlt8:
		return "float"
	case tFltN:
		if p.maxLen == 4 {
			return "real"
		}
		return "float"
	case tMoney4:
		return "smallmoney"
	case tMoney:
		return "money"
	case tMoneyN:
		if p.maxLen == 4 {
			return "smallmoney"
		}
		return "money"
	case tDateTim4:
		return "smalldatetime"
	case tDateTime:
		return "datetime"
	case tDateTimeN:
		if p.maxLen == 4 {
			return "smalldatetime"
		}
		return "datetime"
	case tGUID:
		return "uniqueidentifier"
	case tDecimal, tDecimalN:
		return "decimal"
	case tNumeric, tNumericN:
		return "numeric"
	case tDateN:
		return "date"
	case tTimeN:
		return "time"
	case tDateTime2N:
		return "datetime2"
	case tDateTimeOffset:
		return "datetimeoffset"
	case tBigVarChar:
		return "varchar"
	case tBigChar:
		return "char"
	case tNVarChar:
		return "nvarchar"
	case tNChar:
		return "nchar"
	case tBigVarBin:
		return "varbinary"
	case tBigBinary:
		return "binary"
	}
	return fmt.Sprintf("type 0x%02X", p.typ)
}

// fixedLen is the value length of fixed-length types.
func fixedLen(typ byte) int {
	switch typ {
	case tInt1, tBit:
		return 1
	case tInt2:
		return 2
	case tInt4, tDateTim4, tFlt4, tMoney4:
		return 4
	case tMoney, tDateTime, tFlt8, tInt8:
		return 8
	}
	return 0
}

// value reads one parameter value of type p.
func (d *dec) value(p paramType) any {
	var raw []byte
	switch p.typ {
	case tNull:
		return nil
	case tInt1, tBit, tInt2, tInt4, tDateTim4, tFlt4, tMoney, tDateTime, tFlt8, tMoney4, tInt8:
		raw = d.bytes(fixedLen(p.typ))
	case tBigVarChar, tBigChar, tNVarChar, tNChar, tBigVarBin, tBigBinary:
		if p.maxLen == 0xFFFF {
			var null bool
			raw, null = d.plp()
			if null || d.err != nil {
				return nil
			}
		} else {
			n := int(d.u16())
			if n == 0xFFFF {
				return nil
			}
			raw = d.bytes(n)
		}
		if d.err != nil {
			return nil
		}
		return d.textValue(p, raw)
	default:
		n := int(d.u8())
		if n == 0 {
			return nil
		}
		raw = d.bytes(n)
	}
	if d.err != nil {
		return nil
	}
	v, err := scalarValue(p, raw)
	if err != nil {
		d.err = err
		return nil
	}
	return v
}

func (d *dec) textValue(p paramType, raw []byte) any {
	switch p.typ {
	case tNVarChar, tNChar:
		s, err := fromUTF16(raw)
		if err != nil {
			d.err = err
			return nil
		}
		return s
	case tBigVarChar, tBigChar:
		return decodeVarChar(raw)
	}
	return append([]byte{}, raw...)
}

// plp reads a PLP value (MS-TDS §2.2.5.2.3).
func (d *dec) plp() ([]byte, bool) {
	total := d.u64()
	if d.err != nil {
		return nil, false
	}
	if total == plpNull {
		return nil, true
	}
	out := []byte{}
	for {
		n := d.u32()
		if d.err != nil {
			return nil, false
		}
		if n == 0 {
			break
		}
		if int64(n) > int64(d.rest()) {
			d.err = errShort
			return nil, false
		}
		out = append(out, d.bytes(int(n))...)
	}
	if total != plpUnknownLen && uint64(len(out)) != total {
		d.err = fmt.Errorf("tds: PLP length %d, announced %d", len(out), total)
		return nil, false
	}
	return out, false
}

// scalarValue converts a fixed or BYTELEN value to its Go representation.
func scalarValue(p paramType, raw []byte) (any, error) {
	n := len(raw)
	bad := func() (any, error) {
		return nil, fmt.Errorf("tds: %s value of %d bytes", p.name(), n)
	}
	switch p.typ {
	case tInt1, tInt2, tInt4, tInt8, tIntN:
		switch n {
		case 1:
			return int64(raw[0]), nil
		case 2:
			return int64(int16(binary.LittleEndian.Uint16(raw))), nil
		case 4:
			return int64(int32(binary.LittleEndian.Uint32(raw))), nil
		case 8:
			return int64(binary.LittleEndian.Uint64(raw)), nil
		}
		return bad()
	case tBit, tBitN:
		if n != 1 {
			return bad()
		}
		return raw[0] != 0, nil
	case tFlt4, tFlt8, tFltN:
		switch n {
		case 4:
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(raw))), nil
		case 8:
			return math.Float64frombits(binary.LittleEndian.Uint64(raw)), nil
		}
		return bad()
	case tMoney, tMoney4, tMoneyN:
		var v int64
		switch n {
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(raw)))
		case 8:
			v = int64(binary.LittleEndian.Uint32(raw))<<32 | int64(binary.LittleEndian.Uint32(raw[4:]))
		default:
			return bad()
		}
		return Decimal{Unscaled: strconv.FormatInt(v, 10), Precision: 19, Scale: 4}, nil
	case tDateTim4, tDateTime, tDateTimeN:
		switch n {
		case 4:
			days := int64(binary.LittleEndian.Uint16(raw))
			mins := int64(binary.LittleEndian.Uint16(raw[2:]))
			return time.Unix((days-datetimeEpochDay)*86400+mins*60, 0).UTC(), nil
		case 8:
			days := int64(int32(binary.LittleEndian.Uint32(raw)))
			ticks := int64(binary.LittleEndian.Uint32(raw[4:]))
			ns := ticks * 10_000_000 / 3 // 1/300 s in ns, rounded down to 100 ns like SQL Server
			return time.Unix((days-datetimeEpochDay)*86400, 0).UTC().Add(time.Duration(ns)), nil
		}
		return bad()
	case tGUID:
		if n != 16 {
			return bad()
		}
		var g [16]byte
		copy(g[:], raw)
		return g, nil
	case tDecimal, tNumeric, tDecimalN, tNumericN:
		if n < 2 || n > 17 {
			return bad()
		}
		mag := make([]byte, n-1)
		for i := range mag {
			mag[i] = raw[n-1-i]
		}
		digits := new(big.Int).SetBytes(mag).String()
		if raw[0] == 0 && digits != "0" {
			digits = "-" + digits
		}
		return Decimal{Unscaled: digits, Precision: p.prec, Scale: p.scale}, nil
	case tDateN:
		if n != 3 {
			return bad()
		}
		return dateFrom(raw).UTC(), nil
	case tTimeN:
		if n != timeLen(p.scale) {
			return bad()
		}
		return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Add(timeFrom(raw, p.scale)), nil
	case tDateTime2N:
		tl := timeLen(p.scale)
		if n != tl+3 {
			return bad()
		}
		return dateFrom(raw[tl:]).Add(timeFrom(raw[:tl], p.scale)).UTC(), nil
	case tDateTimeOffset:
		tl := timeLen(p.scale)
		if n != tl+5 {
			return bad()
		}
		utc := dateFrom(raw[tl : tl+3]).Add(timeFrom(raw[:tl], p.scale))
		off := int(int16(binary.LittleEndian.Uint16(raw[tl+3:])))
		return utc.In(time.FixedZone("", off*60)), nil
	}
	return bad()
}

// dateFrom decodes a 3-byte DATE (days since 0001-01-01) as midnight UTC.
func dateFrom(b []byte) time.Time {
	days := int64(b[0]) | int64(b[1])<<8 | int64(b[2])<<16
	return time.Unix((days-unixEpochDay)*86400, 0).UTC()
}

// timeFrom decodes a TIME part of the given scale as a duration since midnight.
func timeFrom(b []byte, scale uint8) time.Duration {
	var units uint64
	for i := len(b) - 1; i >= 0; i-- {
		units = units<<8 | uint64(b[i])
	}
	for i := scale; i < 9; i++ {
		units *= 10
	}
	return time.Duration(units) // ns; max 86400e9 fits
}
