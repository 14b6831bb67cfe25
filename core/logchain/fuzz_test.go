package logchain

import (
	"sort"
	"strings"
	"testing"
)

// FuzzFileNames: backup-file name parsing (IsCandidate, IsPartial, Candidates) never
// panics; a .wrk copy in progress is never a candidate; Candidates returns only
// candidates, sorted, a suffix of all of them.
func FuzzFileNames(f *testing.F) {
	f.Add("mgc_20261125120000.trn\nmgc_20261125121500.trn\nmgc_20261125123000.wrk\nother_1.trn", "mgc", "mgc_20261125121500.trn")
	f.Add(`MGC_20261125120000.TRN`+"\n"+`\\fs\share\mgc_1.trn`, "mgc", `\\fs\share\mgc_1.trn`)
	f.Add("mgc_.trn\n.pcfailover-mgc_1.trn.x.partial\nmgc_1.trn.wrk", "mgc", "")
	f.Add("x\u2018_1.trn\n\x00", "x\u2018", "..")
	f.Fuzz(func(t *testing.T, list, database, lastRestored string) {
		names := strings.Split(list, "\n")
		all := 0
		for _, n := range names {
			c, p := IsCandidate(n, database), IsPartial(n, database)
			if c && p {
				t.Fatalf("%q is both a candidate and a partial copy", n)
			}
			if c && strings.HasSuffix(strings.ToLower(n), ".wrk") {
				t.Fatalf(".wrk %q is a candidate", n)
			}
			if c {
				all++
			}
		}
		got := Candidates(names, database, lastRestored)
		if len(got) > all {
			t.Fatalf("%d candidates of %d", len(got), all)
		}
		for _, n := range got {
			if !IsCandidate(n, database) {
				t.Fatalf("%q returned but not a candidate", n)
			}
		}
		if !sort.SliceIsSorted(got, func(i, j int) bool { return strings.ToLower(got[i]) < strings.ToLower(got[j]) }) {
			t.Fatalf("not sorted: %q", got)
		}
	})
}
