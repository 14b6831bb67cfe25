package filecopy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func listDir(t *testing.T, d string) []string {
	t.Helper()
	es, err := os.ReadDir(d)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return n
}

func TestCopy(t *testing.T) {
	content := bytes.Repeat([]byte("log record "), 10000)
	cases := []struct {
		name     string
		existing []byte
		outcome  string
		files    int
	}{
		{"fresh", nil, Copied, 1},
		{"identical present", content, AlreadyPresent, 1},
		{"different size present", content[:100], KeptBoth, 2},
		{"same size different content", bytes.ToUpper(content), KeptBoth, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			sp := filepath.Join(src, "mgc_20261125120000.trn")
			write(t, sp, content)
			if tc.existing != nil {
				write(t, filepath.Join(dst, "mgc_20261125120000.trn"), tc.existing)
			}
			var cps []string
			res, err := Copy(context.Background(), sp, dst, Options{BufferSize: 4096, Index: 3, Checkpoint: func(n string) { cps = append(cps, n) }})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tc.outcome {
				t.Fatalf("outcome %s, want %s", res.Outcome, tc.outcome)
			}
			got, err := os.ReadFile(res.Dest)
			if err != nil || !bytes.Equal(got, content) {
				t.Fatalf("dest %s does not hold the source content (%v)", res.Dest, err)
			}
			if tc.existing != nil {
				old, _ := os.ReadFile(filepath.Join(dst, "mgc_20261125120000.trn"))
				if !bytes.Equal(old, tc.existing) {
					t.Fatal("existing file was overwritten")
				}
			}
			if n := listDir(t, dst); len(n) != tc.files {
				t.Fatalf("dest holds %v", n)
			}
			if tc.outcome != AlreadyPresent && strings.Join(cps, ",") != "copy:mid:3,copy:renamed:3" {
				t.Fatalf("checkpoints %v", cps)
			}
			if tc.outcome == KeptBoth && (!strings.HasSuffix(res.Dest, ".trn") || res.Detail == "") {
				t.Fatalf("kept-both name %s detail %q", res.Dest, res.Detail)
			}
		})
	}
}

// A copy interrupted in the middle leaves only a temporary file that is neither .trn nor
// .wrk; CleanTemp removes it and a new copy completes.
func TestInterruptedCopyLeavesNoTrn(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	sp := filepath.Join(src, "mgc_1.trn")
	write(t, sp, bytes.Repeat([]byte{7}, 100000))
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Copy(ctx, sp, dst, Options{BufferSize: 1000, Checkpoint: func(n string) {
		if strings.HasPrefix(n, "copy:mid") {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want cancellation, got %v", err)
	}
	for _, n := range listDir(t, dst) {
		if strings.HasSuffix(n, ".trn") || strings.HasSuffix(n, ".wrk") {
			t.Fatalf("partial copy visible as %s", n)
		}
	}
	// A crash (no deferred cleanup) would leave the temp file: simulate and clean.
	write(t, filepath.Join(dst, tempPrefix+"mgc_1.trn.abc"+tempSuffix), []byte("partial"))
	removed, err := CleanTemp(dst)
	if err != nil || len(removed) != 1 {
		t.Fatalf("clean: %v %v", removed, err)
	}
	res, err := Copy(context.Background(), sp, dst, Options{})
	if err != nil || res.Outcome != Copied {
		t.Fatalf("recopy: %+v %v", res, err)
	}
	if n := listDir(t, dst); len(n) != 1 || n[0] != "mgc_1.trn" {
		t.Fatalf("dest %v", n)
	}
}

func TestCopyMissingSource(t *testing.T) {
	_, err := Copy(context.Background(), filepath.Join(t.TempDir(), "nope.trn"), t.TempDir(), Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want not-exist, got %v", err)
	}
}
