package lync

import (
	"testing"

	"pcfailover/core/failover"
	"pcfailover/core/report"
)

// State reads the pool state and the mirror state, changes nothing, and follows the pool
// through a failover (FailedOver, then the backup database mirrored).
func TestStateReadsWithoutChanging(t *testing.T) {
	e := newSim(t, nil)
	r := e.runner(nil)
	before := readSim(t).mutating()
	got, err := r.State(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if got.PoolState != "Normal" || got.Mirror == "" {
		t.Fatalf("state %+v", got)
	}
	if after := readSim(t).mutating(); after != before {
		t.Fatalf("State made %d mutating calls", after-before)
	}
	mustRun(t, r, failover.StepLyncPoolState, report.StatusDone)
	mustRun(t, r, failover.StepLyncMirror, report.StatusDone)
	got, err = e.runner(nil).State(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after failover: %+v", got)
	if got.PoolState != "FailedOver" || got.Mirror == "not mirrored" {
		t.Fatalf("after failover: %+v", got)
	}
}
