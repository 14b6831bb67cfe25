package status_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"pcfailover/core/report"
	"pcfailover/core/status"
)

// Issue 11: status lists the share and the copy folder where this machine reaches them
// (pathMap) and reports both views of each folder.
func TestStatusFoldersInBothViews(t *testing.T) {
	l, req, pw := startLab(t, "disaster")
	info := l.Info()
	s := status.Read(context.Background(), status.Config{Request: req, Passwords: pw})
	want := map[string][2]string{
		report.FolderShare: {info.SQLPaths.Share, info.Share},
		report.FolderCopy:  {info.SQLPaths.CopyDestination, info.CopyDestination},
	}
	if len(s.Folders) != 2 {
		t.Fatalf("folders %+v", s.Folders)
	}
	for _, f := range s.Folders {
		w := want[f.Role]
		if f.SQLPath != w[0] || filepath.Clean(f.LocalPath) != filepath.Clean(w[1]) || !f.Reachable {
			t.Errorf("%s: %+v, want SQL path %s, local path %s", f.Role, f, w[0], w[1])
		}
	}
	if s.LogShipping.Share != info.SQLPaths.Share || s.LogShipping.CopyDestination != info.SQLPaths.CopyDestination {
		t.Errorf("logShipping share/copyDestination %q %q are not SQL Server's paths", s.LogShipping.Share, s.LogShipping.CopyDestination)
	}
	if s.Files.InShare == 0 || s.Files.InCopyFolder == 0 || s.Files.WaitingToCopy == 0 {
		t.Errorf("files %+v: the folders were not listed", s.Files)
	}
	// Without a pathMap (Linux) neither folder can be reached: status says so.
	req.PathMap = nil
	s = status.Read(context.Background(), status.Config{Request: req, Passwords: pw})
	if c := check(s, "copy-folder"); c.Health != status.Warning || !strings.Contains(c.Message, "pathMap") {
		t.Errorf("copy-folder check %+v", c)
	}
	if c := check(s, "share"); c.Health != status.Warning || !strings.Contains(c.Message, `\\SQLPCPRI\LogShip`) {
		t.Errorf("share check %+v", c)
	}
}
