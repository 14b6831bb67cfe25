package status_test

import (
	"context"
	"strings"
	"testing"

	"pcfailover/core/lab/labtest"
	"pcfailover/core/status"
)

// Issue 11: status lists the share and the copy folder where this machine reaches them
// (pathMap) and reports both views of each folder.
func TestStatusFoldersInBothViews(t *testing.T) {
	l, req, pw := startLab(t, "disaster")
	info := l.Info()
	s := status.Read(context.Background(), status.Config{Request: req, Passwords: pw})
	labtest.Folders(t, info, s.Folders)
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
