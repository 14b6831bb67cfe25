//go:build linux

package proof_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"pcfailover/core/filecopy"
)

// TestFaultCopyFolderFull (row 5): the copy folder's file system is full (a real ENOSPC:
// a small tmpfs mounted over the copy folder). The copy fails naming the file, nothing
// partial is left or restored, the database is not recovered; with space freed, a
// re-run finishes.
func TestFaultCopyFolderFull(t *testing.T) {
	p := startLab(t, smallScenario("full", false), lyncSkip)
	dir := p.info.CopyDestination
	saved := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var used int64
	for _, e := range entries {
		fi, _ := e.Info()
		used += fi.Size()
		if err := os.Rename(filepath.Join(dir, e.Name()), filepath.Join(saved, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	size := used + 1<<20
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(saved, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Leave less room than one log backup.
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	filler := filepath.Join(dir, "filler.bin")
	if fill := free - 8<<10; fill > 0 {
		if err := os.WriteFile(filler, make([]byte, fill), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := p.engine(t, nil, p.engineConfig(t, false))
	p.requireSafeStop(t, r, 1)
	msg := strings.ToLower(r.Errors[0].Message)
	if !strings.Contains(msg, "no space") || !strings.Contains(msg, ".trn") {
		t.Errorf("the error does not say the disk is full and which file: %+v", r.Errors[0])
	}
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		if filecopy.IsTemp(e.Name()) {
			t.Errorf("partial copy left: %s", e.Name())
		}
	}
	if db := p.backupDB(t); db.State == "ONLINE" && !db.Standby {
		t.Fatal("recovered with the copy failed")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	p.requireSucceeded(t, p.engine(t, nil, p.engineConfig(t, false)))
}
