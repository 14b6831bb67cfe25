package lync

import (
	"context"
	"fmt"
	"strings"
)

// PoolStatus is what State read about the pool, read-only.
type PoolStatus struct {
	// PoolState is the pool's Persistent Chat state (Normal, FailedOver).
	PoolState string
	// Mirror summarises Get-CsDatabaseMirrorState for the request's database, e.g.
	// "Principal, Synchronized" or "not mirrored".
	Mirror string
}

// State reads, without changing anything, the pool's state (Get-CsPersistentChatState
// through the identity discovery resolves) and the mirroring of the request's database
// (Get-CsDatabaseMirrorState), for `pcfailover status`. It waits for the module import.
func (r *Runner) State(ctx context.Context) (PoolStatus, error) {
	host, err := r.wait(ctx)
	if err != nil {
		return PoolStatus{}, err
	}
	sr := &stepRun{r: r, s: newStep("status"), planning: true, host: host}
	ids, err := sr.discover(ctx)
	if err != nil {
		return PoolStatus{}, err
	}
	st := sr.resolved
	if st == "" {
		if st, err = sr.stateOf(ctx, ids.state, false); err != nil {
			return PoolStatus{}, err
		}
	}
	out := PoolStatus{PoolState: string(st)}
	m, err := sr.mirrorOf(ctx)
	if err != nil {
		return out, fmt.Errorf("read the mirror state of %s: %w", r.req.Database, err)
	}
	if !m.installed() {
		out.Mirror = "not mirrored"
		if s := string(m.StateOnPrimary); s != "" {
			out.Mirror += " (" + s + ")"
		}
		return out, nil
	}
	parts := []string{string(m.StateOnPrimary)}
	if s := string(m.MirroringStatusOnPrimary); s != "" {
		parts = append(parts, s)
	}
	out.Mirror = strings.Join(parts, ", ")
	return out, nil
}
