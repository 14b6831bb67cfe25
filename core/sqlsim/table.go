package sqlsim

import (
	"pcfailover/core/sqlsim/tds"
)

// table is a materialised row source: a catalog view, DMV, msdb table or user table.
type table struct {
	name string
	cols []tds.Column
	rows [][]any
}

// colIndex finds a column by name, case-insensitively (-1 when absent).
func (t *table) colIndex(name string) int {
	for i, c := range t.cols {
		if eqFold(c.Name, name) {
			return i
		}
	}
	return -1
}

func eqFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Column constructors.
func cInt(n string) tds.Column   { return tds.Column{Name: n, Type: tds.TypeInt, Nullable: true} }
func cSmall(n string) tds.Column { return tds.Column{Name: n, Type: tds.TypeSmallInt, Nullable: true} }
func cTiny(n string) tds.Column  { return tds.Column{Name: n, Type: tds.TypeTinyInt, Nullable: true} }
func cBig(n string) tds.Column   { return tds.Column{Name: n, Type: tds.TypeBigInt, Nullable: true} }
func cBit(n string) tds.Column   { return tds.Column{Name: n, Type: tds.TypeBit, Nullable: true} }
func cFloat(n string) tds.Column { return tds.Column{Name: n, Type: tds.TypeFloat, Nullable: true} }
func cDT(n string) tds.Column    { return tds.Column{Name: n, Type: tds.TypeDateTime, Nullable: true} }
func cGUID(n string) tds.Column {
	return tds.Column{Name: n, Type: tds.TypeUniqueIdentifier, Nullable: true}
}
func cStr(n string, size int) tds.Column {
	return tds.Column{Name: n, Type: tds.TypeNVarChar, Size: size, Nullable: true}
}
func cLSN(n string) tds.Column {
	return tds.Column{Name: n, Type: tds.TypeNumeric, Precision: 25, Scale: 0, Nullable: true}
}
func cNum(n string, p, s uint8) tds.Column {
	return tds.Column{Name: n, Type: tds.TypeNumeric, Precision: p, Scale: s, Nullable: true}
}
func cBin(n string, size int) tds.Column {
	return tds.Column{Name: n, Type: tds.TypeVarBinary, Size: size, Nullable: true}
}
