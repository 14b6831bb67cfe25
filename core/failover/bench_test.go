package failover_test

import (
	"context"
	"testing"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/lab"
	"pcfailover/core/report"
)

// BenchmarkFailover measures a whole failover (discovery, quiesce, copy and restore
// pipeline, recovery) per scenario; lab start-up is excluded from the timing.
func BenchmarkFailover(b *testing.B) {
	for _, scenario := range []string{"disaster", "lagging"} {
		b.Run(scenario, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				l, err := lab.Start(ctx, lab.Options{Dir: b.TempDir(), Scenario: scenario})
				if err != nil {
					b.Fatal(err)
				}
				lr := &labRun{lab: l, info: l.Info()}
				req, pw := lr.load(b, false)
				lr.req, lr.pw = req, pw
				b.StartTimer()
				r := failover.Failover(ctx, lr.cfg(nil))
				b.StopTimer()
				if r.Outcome != report.OutcomeSucceeded {
					b.Fatalf("%s: %+v", r.Outcome, r.Errors)
				}
				l.Close()
				cancel()
			}
		})
	}
}
