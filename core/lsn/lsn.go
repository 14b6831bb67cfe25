// Package lsn models SQL Server log sequence numbers as RESTORE HEADERONLY and
// sys.master_files expose them: numeric(25,0) values whose decimal digits are the
// virtual log file sequence number (up to 10 digits), the block offset (10 digits) and
// the slot (5 digits). A VLF sequence number above 9223 already overflows int64, so an
// LSN is kept as its three parts and compared part by part, which orders it exactly as
// the decimal value.
package lsn

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// LSN is one log sequence number. The zero value is LSN 0 ("none").
type LSN struct {
	VLF   uint64 // up to 10 decimal digits
	Block uint64 // 10 decimal digits
	Slot  uint64 // 5 decimal digits
}

const (
	maxVLF   = 9999999999
	maxBlock = 9999999999
	maxSlot  = 99999
)

// New builds an LSN from its parts; it panics when a part has too many digits, which
// is a programming error.
func New(vlf, block, slot uint64) LSN {
	if vlf > maxVLF || block > maxBlock || slot > maxSlot {
		panic(fmt.Sprintf("lsn: part out of range (%d, %d, %d)", vlf, block, slot))
	}
	return LSN{VLF: vlf, Block: block, Slot: slot}
}

// Parse reads the decimal form ("43000001796000001"). Leading zeros, surrounding
// spaces and a trailing ".0" scale suffix are accepted; anything else is an error.
func Parse(s string) (LSN, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, ".0")
	if t == "" {
		return LSN{}, fmt.Errorf("lsn: empty value")
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return LSN{}, fmt.Errorf("lsn: %q is not a decimal number", s)
		}
	}
	t = strings.TrimLeft(t, "0")
	if len(t) > 25 {
		return LSN{}, fmt.Errorf("lsn: %q has more than 25 digits", s)
	}
	t = strings.Repeat("0", 25-len(t)) + t
	vlf, _ := strconv.ParseUint(t[:10], 10, 64)
	block, _ := strconv.ParseUint(t[10:20], 10, 64)
	slot, _ := strconv.ParseUint(t[20:], 10, 64)
	return LSN{VLF: vlf, Block: block, Slot: slot}, nil
}

// MustParse is Parse for constants in tests and scenarios; it panics on error.
func MustParse(s string) LSN {
	l, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return l
}

// String is the decimal form without leading zeros ("0" for the zero LSN).
func (l LSN) String() string {
	if l.VLF == 0 && l.Block == 0 {
		return strconv.FormatUint(l.Slot, 10)
	}
	if l.VLF == 0 {
		return strconv.FormatUint(l.Block, 10) + fmt.Sprintf("%05d", l.Slot)
	}
	return strconv.FormatUint(l.VLF, 10) + fmt.Sprintf("%010d%05d", l.Block, l.Slot)
}

// IsZero reports whether l is LSN 0.
func (l LSN) IsZero() bool { return l == LSN{} }

// Compare returns -1, 0 or +1 as l is less than, equal to or greater than m.
func (l LSN) Compare(m LSN) int {
	switch {
	case l.VLF != m.VLF:
		return cmp(l.VLF, m.VLF)
	case l.Block != m.Block:
		return cmp(l.Block, m.Block)
	default:
		return cmp(l.Slot, m.Slot)
	}
}

// Less reports l < m.
func (l LSN) Less(m LSN) bool { return l.Compare(m) < 0 }

func cmp(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MarshalText writes the decimal form, so LSNs appear in JSON as strings (they do not
// fit a float64 exactly).
func (l LSN) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads the decimal form.
func (l *LSN) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Scan reads a numeric(25,0) column as go-mssqldb returns it ([]byte or string digits),
// or an int64.
func (l *LSN) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*l = LSN{}
		return nil
	case []byte:
		return l.UnmarshalText(v)
	case string:
		return l.UnmarshalText([]byte(v))
	case int64:
		if v < 0 {
			return fmt.Errorf("lsn: negative value %d", v)
		}
		return l.UnmarshalText([]byte(strconv.FormatInt(v, 10)))
	default:
		return fmt.Errorf("lsn: cannot scan %T", src)
	}
}

// Value lets an LSN be passed as a query parameter (as its decimal string).
func (l LSN) Value() (driver.Value, error) { return l.String(), nil }

// Range is a half-open LSN range [First, Last) as RESTORE HEADERONLY reports a log
// backup: LastLSN is the next log record after the backup.
type Range struct {
	First LSN `json:"first"`
	Last  LSN `json:"last"`
}

// Contains reports whether a database whose next needed LSN is next can apply this
// range: First <= next < Last.
func (r Range) Contains(next LSN) bool {
	return r.First.Compare(next) <= 0 && next.Less(r.Last)
}
