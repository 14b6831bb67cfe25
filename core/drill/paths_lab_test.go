package drill_test

import (
	"context"
	"strings"
	"testing"

	"pcfailover/core/drill"
	"pcfailover/core/lab/labtest"
	"pcfailover/core/report"
)

// Issue 11: the drill lists the share and the copy folder where this machine reaches
// them, and every statement names files as SQL Server does (Windows paths).
func TestDrillTwoHostsPaths(t *testing.T) {
	lr := startLab(t, "disaster")
	rep := drill.Run(context.Background(), drill.Config{Request: lr.req, Passwords: lr.pw})
	if rep.Outcome != report.OutcomeSucceeded {
		t.Fatalf("drill %s: %+v", rep.Outcome, rep.Errors)
	}
	labtest.Folders(t, lr.info, rep.Folders)
	n := 0
	for _, s := range rep.Steps {
		for _, st := range s.Statements {
			p, ok := st.Parameters["@p1"]
			if !ok || !strings.HasPrefix(st.Text, "RESTORE") || strings.HasPrefix(p, "(") {
				continue
			}
			n++
			if !strings.HasPrefix(p, `\\`) && !(len(p) > 2 && p[1] == ':' && p[2] == '\\') {
				t.Errorf("%s: @p1 %q is not a Windows path as SQL Server names it", st.Text, p)
			}
		}
	}
	if n == 0 {
		t.Fatal("no RESTORE statement with a path")
	}
	for _, f := range rep.Files {
		if f.LocalPath == "" || !strings.HasPrefix(f.LocalPath, lr.info.HostsDir) {
			t.Errorf("file %s: localPath %q is not under the lab hosts folder", f.Name, f.LocalPath)
		}
	}
}
