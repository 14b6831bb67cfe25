package sqlsim

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"pcfailover/core/sqlsim/tds"
)

// joinOn parses "SELECT * FROM a JOIN b ON <on>" (kind: JOIN or LEFT JOIN) and returns
// its join clause.
func joinOn(t *testing.T, kind, on string) joinClause {
	t.Helper()
	stmts, perr := parseBatch("SELECT * FROM a " + kind + " b ON " + on)
	if perr != nil {
		t.Fatalf("parse %q: %s", on, perr.text)
	}
	return stmts[0].s.(*selectStmt).from.joins[0]
}

func joinTable(name string, rows [][]any) *table {
	return &table{name: name, cols: []tds.Column{{Name: "k"}, {Name: "v"}}, rows: rows}
}

// nestedLoop is the join by definition: every pair of rows evaluated against the ON clause.
func nestedLoop(t *testing.T, base *env, rows [][]any, src source, j joinClause) [][]any {
	t.Helper()
	var out [][]any
	for _, l := range rows {
		matched := false
		for _, r := range src.t.rows {
			row := append(append([]any(nil), l...), r...)
			e := *base
			e.row = row
			v, err := e.eval(j.on)
			if err != nil {
				t.Fatal(err)
			}
			if truthy(v) {
				matched = true
				out = append(out, row)
			}
		}
		if !matched && j.kind == "LEFT" {
			out = append(out, append(append([]any(nil), l...), nil, nil))
		}
	}
	return out
}

func randomRows(r *rand.Rand, n int, mixed bool) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		var k any = int64(r.IntN(8))
		switch r.IntN(10) {
		case 0:
			k = nil
		case 1:
			if mixed {
				k = fmt.Sprint(r.IntN(8)) // a string key: compared by conversion, not hashed
			}
		}
		rows[i] = []any{k, int64(r.IntN(4))}
	}
	return rows
}

// TestJoinRowsEqualsNestedLoop: the hash join gives exactly the rows, in the same order,
// that evaluating every pair gives, for inner and LEFT joins, NULL and duplicate keys,
// extra conditions, either side of the equality, and keys that cannot be hashed.
func TestJoinRowsEqualsNestedLoop(t *testing.T) {
	ons := []string{"b.k = a.k", "a.k = b.k", "b.k = a.k AND b.v <> 2", "a.v = 1 AND a.k = b.k", "b.k = a.k OR b.v = 3", "b.k + 0 = a.k", "b.v = b.k"}
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 40; round++ {
		mixed := round%4 == 3
		left, right := randomRows(r, 1+r.IntN(30), mixed), randomRows(r, r.IntN(30), mixed)
		for _, kind := range []string{"JOIN", "LEFT JOIN"} {
			for _, on := range ons {
				a := source{alias: "a", tname: "a", t: joinTable("a", left)}
				b := source{alias: "b", tname: "b", t: joinTable("b", right), offset: 2}
				base := &env{sources: []source{a, b}}
				j := joinOn(t, kind, on)
				got, err := joinRows(base, left, b, j)
				if err != nil {
					t.Fatalf("%s ON %s: %v", kind, on, err)
				}
				if want := nestedLoop(t, base, left, b, j); !reflect.DeepEqual(got, want) {
					t.Fatalf("round %d, %s ON %s (mixed keys %v):\n got  %v\n want %v", round, kind, on, mixed, got, want)
				}
			}
		}
	}
}

// TestHashKeysOnlyForColumnEqualities: the hash path is taken for an equality of a
// column of the joined table with an earlier one (alone or AND-ed), never otherwise.
func TestHashKeysOnlyForColumnEqualities(t *testing.T) {
	a := source{alias: "a", tname: "a", t: joinTable("a", nil)}
	b := source{alias: "b", tname: "b", t: joinTable("b", nil), offset: 2}
	base := &env{sources: []source{a, b}}
	for on, want := range map[string]bool{
		"b.k = a.k": true, "a.k = b.k": true, "a.v = 1 AND b.k = a.k": true,
		"b.k = a.k OR b.v = 3": false, "b.k + 0 = a.k": false, "b.v = b.k": false, "a.v = a.k": false, "b.k < a.k": false,
	} {
		if _, _, ok := hashKeys(base, b, joinOn(t, "JOIN", on).on); ok != want {
			t.Errorf("ON %s: hashed %v, want %v", on, ok, want)
		}
	}
}
