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

	"pcfailover/core/checkpoint"
	"pcfailover/core/failover"
	"pcfailover/core/filecopy"
	"pcfailover/core/report"
)

// TestFaultCopyFolderFull (row 5): the copy folder's file system is full (a real ENOSPC:
// a small tmpfs mounted over the copy folder). Too full before the run: blocked at
// check-chain (exit 3, PCFailover.DiskFull naming the folder and the bytes), nothing
// changed. Filled up during the copy: blocked (exit 3, DiskFull naming the folder and the
// bytes still to copy), nothing partial left or restored, the database not recovered.
// With space freed, a re-run finishes.
func TestFaultCopyFolderFull(t *testing.T) {
	for _, when := range []string{"before the run", "during the copy"} {
		t.Run(when, func(t *testing.T) {
			p := startLab(t, smallScenario("full", false), lyncSkip)
			dir := p.info.CopyDestination
			mountSmallTmpfs(t, dir)
			// Leave less room than one log backup.
			var st syscall.Statfs_t
			if err := syscall.Statfs(dir, &st); err != nil {
				t.Fatal(err)
			}
			free := int64(st.Bavail) * int64(st.Bsize)
			filler := filepath.Join(dir, "filler.bin")
			fill := func() {
				if err := os.WriteFile(filler, make([]byte, free-8<<10), 0o644); err != nil {
					t.Error(err)
				}
			}
			cfg := p.engineConfig(t, false)
			if when == "before the run" {
				fill()
				// plan says so (errors[], the same code), changing nothing.
				pc := p.engineConfig(t, false)
				pc.Command = "plan"
				pr := failover.Plan(ctxFor(t), pc)
				if pr.Outcome != report.OutcomePlanned || len(pr.Errors) == 0 || pr.Errors[0].Code != report.CodeDiskFull {
					t.Errorf("plan: outcome %s errors %+v, want DiskFull in errors", pr.Outcome, pr.Errors)
				}
			} else {
				// Reached once the chain was checked (with room enough), as the copy starts.
				cfg.Checkpoints = checkpoint.New("before:copy-logs", "", func(int) { fill() })
			}
			r := p.engine(t, nil, cfg)
			p.requireSafeStop(t, r, 3)
			e := r.Errors[0]
			if e.Code != report.CodeDiskFull || e.Target != p.info.SQLPaths.CopyDestination || !strings.Contains(e.Message, "bytes") ||
				!strings.Contains(e.Message, p.info.SQLPaths.CopyDestination) {
				t.Errorf("want DiskFull naming the copy folder and the bytes: %+v", e)
			}
			if when == "before the run" {
				if s := r.StepByID(failover.StepCheckChain); s.Status != report.StatusBlocked {
					t.Errorf("check-chain %s, want blocked", s.Status)
				}
				if s := r.StepByID(failover.StepDisableJobs); s.StartedAt != nil {
					t.Errorf("disable-jobs ran although the run was blocked: %+v", s)
				}
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
		})
	}
}

// mountSmallTmpfs mounts over dir a tmpfs 1 MiB larger than dir's files, keeping them.
func mountSmallTmpfs(t *testing.T, dir string) {
	t.Helper()
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
}
