package failback

import (
	"context"

	"pcfailover/core/lync"
	"pcfailover/core/report"
)

// Lync is the Lync side of the failback; *lync.Runner (core/lync, the runner the
// failover's steps 5-7 use: one PowerShell host, one allow-list, one identity discovery)
// implements it. Every mutating call is made once and followed by the engine reading the
// pool back (safety invariant 7); none is retried blindly.
type Lync interface {
	// Pool reads the pool's state, active servers, SQL stores and whether the database
	// of the store in use is mirrored.
	Pool(ctx context.Context) (lync.Pool, error)
	// PlanFailback records op's cmdlet on s without running it.
	PlanFailback(ctx context.Context, s *report.Step, op lync.FailbackOp) error
	// RunFailback runs op's cmdlet once, recorded on s.
	RunFailback(ctx context.Context, s *report.Step, op lync.FailbackOp) error
}

var _ Lync = (*lync.Runner)(nil)
