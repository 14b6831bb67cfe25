package main

import (
	"strings"
	"testing"
)

func TestSummarizeCountsAndShowsFailures(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"ok line\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:9: boom\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestB"}`,
		`{"Action":"skip","Package":"p","Test":"TestC"}`,
		`{"Action":"fail","Package":"p"}`,
		`{"Action":"output","Package":"q","Output":"q.go:1: syntax error\n"}`,
		`{"Action":"fail","Package":"q"}`,
		`# build output`,
	}, "\n")
	var report strings.Builder
	p, f, s, err := summarize(strings.NewReader(in), &report)
	if err != nil {
		t.Fatal(err)
	}
	if p != 1 || f != 2 || s != 1 {
		t.Fatalf("counts %d %d %d, want 1 2 1", p, f, s)
	}
	out := report.String()
	for _, want := range []string{"=== FAIL p TestB", "b_test.go:9: boom", "=== FAIL q ", "syntax error", "# build output"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ok line") || strings.Contains(out, "=== FAIL p \n") {
		t.Errorf("report shows passing output or the package line of a package with a failed test:\n%s", out)
	}
}
