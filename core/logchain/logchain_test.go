package logchain

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"pcfailover/core/lsn"
)

const fam = "6f9619ff-8b86-d011-b42d-00c04fc964ff"

func L(n uint64) lsn.LSN { return lsn.New(43, n, 1) }

func h(name string, first, last uint64) Header {
	base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	return Header{Name: name, Path: "/copy/" + name, DatabaseName: "mgc", FamilyGUID: fam, BackupType: 2,
		FirstLSN: L(first), LastLSN: L(last),
		BackupStartDate: base.Add(time.Duration(first) * time.Minute), BackupFinishDate: base.Add(time.Duration(last) * time.Minute)}
}

func names(es []Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.Name)
	}
	return strings.Join(s, ",")
}

func verdicts(c *Chain) map[string]Verdict {
	m := map[string]Verdict{}
	for _, e := range c.Entries {
		m[e.Name] = e.Verdict
	}
	return m
}

func TestBuild(t *testing.T) {
	target := Target{Database: "mgc", FamilyGUID: fam, Next: L(20)}
	other := h("mgc_x.trn", 20, 30)
	other.FamilyGUID = "00000000-0000-0000-0000-000000000001"
	otherDB := h("mgccomp_1.trn", 20, 30)
	otherDB.DatabaseName = "mgccomp"
	full := h("mgc_full.trn", 10, 25)
	full.BackupType = 1
	damagedUnknown := Header{Name: "mgc_d.trn", ReadError: "3241 media family incorrectly formed"}
	damagedKnownOld := h("mgc_old_damaged.trn", 5, 10)
	damagedKnownOld.IsDamaged = true

	cases := []struct {
		name    string
		headers []Header
		apply   string
		end     uint64
		safe    bool
		want    map[string]Verdict
	}{
		{"continuous", []Header{h("c", 30, 40), h("a", 10, 20), h("b", 20, 30)}, "b,c", 40, true,
			map[string]Verdict{"a": AlreadyApplied, "b": Apply, "c": Apply}},
		{"next inside first file", []Header{h("a", 15, 25), h("b", 25, 30)}, "a,b", 30, true, nil},
		{"nothing to do", []Header{h("a", 10, 20)}, "", 20, true, map[string]Verdict{"a": AlreadyApplied}},
		{"no files", nil, "", 20, true, nil},
		{"gap", []Header{h("b", 20, 30), h("d", 40, 50), h("e", 50, 60)}, "b", 30, false,
			map[string]Verdict{"b": Apply, "d": AfterGap, "e": AfterGap}},
		{"gap at start", []Header{h("b", 25, 30)}, "", 20, false, map[string]Verdict{"b": AfterGap}},
		{"empty logs", []Header{h("b", 20, 30), h("e1", 30, 30), h("c", 30, 40)}, "b,c", 40, true, map[string]Verdict{"e1": Empty}},
		{"duplicates keep one", []Header{h("b", 20, 30), h("b-copy", 20, 30), h("c", 30, 40)}, "b,c", 40, true,
			map[string]Verdict{"b-copy": Duplicate}},
		{"longer file wins", []Header{h("b", 20, 30), h("bc", 20, 40), h("c", 30, 40)}, "bc", 40, true,
			map[string]Verdict{"b": Duplicate, "c": Duplicate}},
		{"foreign files ignored", []Header{other, otherDB, full, h("b", 20, 30)}, "b", 30, true,
			map[string]Verdict{"mgc_x.trn": Foreign, "mgccomp_1.trn": Foreign, "mgc_full.trn": Foreign}},
		{"unreadable header blocks recovery", []Header{h("b", 20, 30), damagedUnknown}, "b", 30, false,
			map[string]Verdict{"mgc_d.trn": Damaged}},
		{"damaged file already behind does not block", []Header{h("b", 20, 30), damagedKnownOld}, "b", 30, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Build(target, tc.headers)
			if got := names(c.Apply); got != tc.apply {
				t.Errorf("apply = %q, want %q", got, tc.apply)
			}
			if c.End != L(tc.end) {
				t.Errorf("end = %s, want %s", c.End, L(tc.end))
			}
			if c.RecoverySafe() != tc.safe {
				t.Errorf("safe = %v, want %v (gap %+v)", c.RecoverySafe(), tc.safe, c.Gap)
			}
			v := verdicts(c)
			for n, want := range tc.want {
				if v[n] != want {
					t.Errorf("%s: verdict %s, want %s", n, v[n], want)
				}
			}
			if len(c.Entries) != len(tc.headers) {
				t.Errorf("entries %d, headers %d", len(c.Entries), len(tc.headers))
			}
		})
	}
}

func TestGapDescription(t *testing.T) {
	c := Build(Target{Database: "mgc", Next: L(20)}, []Header{h("mgc_b.trn", 20, 30), h("mgc_d.trn", 40, 50)})
	if c.Gap == nil {
		t.Fatal("no gap")
	}
	d := c.Gap.Describe()
	for _, want := range []string{L(30).String(), "mgc_b.trn", "mgc_d.trn", L(40).String()} {
		if !strings.Contains(d, want) {
			t.Errorf("description %q lacks %q", d, want)
		}
	}
	if c.LostTo != L(50) || !c.LostFrom.Equal(h("", 20, 30).BackupFinishDate) || !c.LostUntil.Equal(h("", 40, 50).BackupFinishDate) {
		t.Errorf("loss range %s %v %v", c.LostTo, c.LostFrom, c.LostUntil)
	}
}

func TestCandidates(t *testing.T) {
	all := []string{"mgc_20261125120000.trn", "mgc_20261125121500.trn", "mgc_20261125123000.wrk", "MGC_20261125123000.TRN",
		"mgccomp_20261125120000.trn", "mgc_20261125114500.trn", "readme.txt"}
	got := Candidates(all, "mgc", `D:\LSCopy\mgc_20261125120000.trn`)
	if strings.Join(got, ",") != "mgc_20261125120000.trn,mgc_20261125121500.trn,MGC_20261125123000.TRN" {
		t.Fatalf("candidates %v", got)
	}
	if n := len(Candidates(all, "mgc", "mgc_unknown.trn")); n != 4 {
		t.Fatalf("without anchor want 4 candidates, got %d", n)
	}
	if !IsPartial("mgc_1.wrk", "mgc") || IsCandidate("mgc_1.wrk", "mgc") {
		t.Fatal(".wrk classification")
	}
}

// TestChainProperties checks, on random sets of files cut from one continuous chain
// (with files dropped, duplicated, emptied, damaged, foreign and shuffled), that the
// chain never says RECOVERY is safe while a usable file beyond its end remains, that
// what it applies is contiguous from the start, and that it applies every file it can.
func TestChainProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 30).Draw(t, "n")
		bounds := []uint64{100}
		for i := 0; i < n; i++ {
			step := rapid.Uint64Range(0, 50).Draw(t, fmt.Sprintf("len%d", i))
			bounds = append(bounds, bounds[len(bounds)-1]+step)
		}
		var hs []Header
		for i := 0; i < n; i++ {
			if rapid.IntRange(0, 9).Draw(t, fmt.Sprintf("drop%d", i)) == 0 {
				continue // a missing file
			}
			x := h(fmt.Sprintf("f%03d", i), bounds[i], bounds[i+1])
			switch rapid.IntRange(0, 19).Draw(t, fmt.Sprintf("kind%d", i)) {
			case 0:
				x.IsDamaged = true
			case 1:
				x.ReadError = "3203 read failed"
			case 2:
				x.FamilyGUID = "other"
			case 3:
				hs = append(hs, x) // duplicate
				x.Name += "-dup"
			}
			hs = append(hs, x)
		}
		perm := rapid.Permutation(hs).Draw(t, "order")
		startIdx := rapid.IntRange(0, n).Draw(t, "start")
		start := L(bounds[startIdx])
		tg := Target{Database: "mgc", FamilyGUID: fam, Next: start}
		c := Build(tg, perm)

		cur := start
		for _, e := range c.Apply {
			if !(e.FirstLSN.Compare(cur) <= 0 && cur.Less(e.LastLSN)) {
				t.Fatalf("apply %s [%s,%s) does not continue %s", e.Name, e.FirstLSN, e.LastLSN, cur)
			}
			cur = e.LastLSN
		}
		if cur != c.End {
			t.Fatalf("end %s != walked %s", c.End, cur)
		}
		for _, x := range perm {
			usable := x.Known() && !x.IsDamaged && x.FamilyGUID == fam && x.FirstLSN != x.LastLSN
			if usable && x.FirstLSN.Compare(c.End) <= 0 && c.End.Less(x.LastLSN) {
				t.Fatalf("file %s still applicable at end %s", x.Name, c.End)
			}
			if c.RecoverySafe() {
				if usable && c.End.Less(x.LastLSN) {
					t.Fatalf("recovery deemed safe but %s reaches %s beyond end %s", x.Name, x.LastLSN, c.End)
				}
				if !x.Known() {
					t.Fatalf("recovery deemed safe with unreadable %s", x.Name)
				}
			}
		}
	})
}
