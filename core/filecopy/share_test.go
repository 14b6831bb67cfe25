package filecopy

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseNetShare(t *testing.T) {
	n, err := ParseNetShare("mbps=12.5,latency=30ms")
	if err != nil || n.MBps != 12.5 || n.Latency != 30*time.Millisecond {
		t.Fatalf("%+v %v", n, err)
	}
	for _, bad := range []string{"mbps", "mbps=x", "latency=3", "speed=3", "mbps=-1"} {
		if _, err := ParseNetShare(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A copy read through a NetShare (the benchmark's and the lab's model of a network
// share) is the same verified copy: the model only paces the reads.
func TestCopyThroughNetShare(t *testing.T) {
	src := filepath.Join(t.TempDir(), "mgc_20261125120000.trn")
	data := bytes.Repeat([]byte("log backup "), 40000)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ns := &NetShare{MBps: 50, Latency: time.Millisecond}
	opened := 0
	open := func(p string) (io.ReadCloser, error) { opened++; return ns.Open(p) }
	dst := t.TempDir()
	res, err := Copy(context.Background(), src, dst, Options{Open: open})
	if err != nil || res.Outcome != Copied {
		t.Fatalf("%+v %v", res, err)
	}
	got, err := os.ReadFile(res.Dest)
	if err != nil || !bytes.Equal(got, data) || opened != 1 {
		t.Fatalf("copy differs (%v) or the opener was not used (%d)", err, opened)
	}
}

// A write that fails because the file system is full is a *DiskFullError naming the
// folder and the bytes the file needs (ENOSPC itself is made real by the proof tests'
// tmpfs).
func TestWriteErrorDiskFull(t *testing.T) {
	dir := t.TempDir()
	err := writeError("src", filepath.Join(dir, "x.trn"), "tmp", 1234, diskFullErrno)
	var df *DiskFullError
	if !errorAs(err, &df) || df.Dir != dir || df.Size != 1234 || df.File != "x.trn" {
		t.Fatalf("%#v", err)
	}
	var other *DiskFullError
	if err := writeError("src", filepath.Join(dir, "x.trn"), "tmp", 1, io.ErrShortWrite); errorAs(err, &other) {
		t.Fatalf("not a full disk: %v", err)
	}
}
