package failback

import (
	"context"
	"strings"
	"testing"
	"time"

	"pcfailover/core/report"
)

// Issue 11: in failback the backup instance writes the full and tail-log backups to the
// share as it names it and the rebuilt primary restores them from the same folder as it
// names it: a UNC share both SQL Servers can read. A drive-path share (a folder of one
// host only) without primaryBackupDirectory blocks before anything is written.
func TestFailbackSharePathRule(t *testing.T) {
	fo := setupFailedOver(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	plan := Plan(ctx, Config{Request: fo.req, Passwords: fo.pw, Lync: fo.lync})
	if plan.Outcome != report.OutcomePlanned {
		t.Fatalf("plan: %s %+v", plan.Outcome, plan.Errors)
	}
	share := fo.info.SQLPaths.Share
	for _, id := range []string{StepFullBackup, StepTailLog, StepRestorePrimary} {
		s := plan.StepByID(id)
		n := 0
		for _, st := range s.Statements {
			p, ok := st.Parameters["@p1"]
			if !ok {
				continue
			}
			n++
			if !strings.HasPrefix(p, share+`\`) {
				t.Errorf("step %s: @p1 %q is not in the share %s as SQL Server names it", id, p, share)
			}
		}
		if n == 0 {
			t.Fatalf("step %s plans no statement with a path", id)
		}
	}
	req := *fo.req
	req.Share = `D:\LogShip`
	blockedPlan := Plan(ctx, Config{Request: &req, Passwords: fo.pw, Lync: fo.lync})
	s := blockedPlan.StepByID(StepFullBackup)
	if s.Status != report.StatusBlocked || !strings.Contains(s.Detail, "UNC") || !strings.Contains(s.Detail, `D:\LogShip`) {
		t.Fatalf("full-backup with a drive-path share: %s (%s)", s.Status, s.Detail)
	}
}
