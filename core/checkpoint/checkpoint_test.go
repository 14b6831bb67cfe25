package checkpoint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReachRecordsAndCrashes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cp.txt")
	var exited []int
	p := New("before:recover", file, func(code int) { exited = append(exited, code) })
	p.Reach("before:lock")
	p.Reach("copy:mid:1")
	if len(exited) != 0 {
		t.Fatalf("exited early: %v", exited)
	}
	p.Reach("before:recover")
	if len(exited) != 1 || exited[0] != CrashExitCode {
		t.Fatalf("want one exit %d, got %v", CrashExitCode, exited)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(b)); strings.Join(got, ",") != "before:lock,copy:mid:1,before:recover" {
		t.Fatalf("recorded %v", got)
	}
}

func TestNilAndEmptyDoNothing(t *testing.T) {
	var p *Points
	p.Reach("x")
	FromEnv(func(string) string { return "" }).Reach("x")
}
