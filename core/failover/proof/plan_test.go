package proof_test

import (
	"testing"

	"pcfailover/core/failover"
	"pcfailover/core/report"
)

// TestPlanCarriesTheBlockingError (the lead's known problem 3): a plan on a broken chain
// stays a plan (outcome planned, exit 0, cli/CONTRACT.md) but says in errors[] what
// failover would stop with: the same code and target as the failover that follows.
func TestPlanCarriesTheBlockingError(t *testing.T) {
	s := smallScenario("plan-gap", false)
	s.Logs.Missing = []int{3}
	p := startLab(t, s, lyncSkip)
	cfg := p.engineConfig(t, false)
	plan := failover.Plan(ctxFor(t), cfg)
	if plan.Outcome != report.OutcomePlanned || plan.ExitCode != 0 {
		t.Fatalf("plan: outcome %s exit %d", plan.Outcome, plan.ExitCode)
	}
	if st := plan.StepByID(failover.StepCheckChain); st == nil || st.Status != report.StatusBlocked {
		t.Fatalf("check-chain step %+v", st)
	}
	if len(plan.Errors) != 1 || plan.Errors[0].Code != report.CodeGapInLogChain || plan.Errors[0].Target == "" {
		t.Fatalf("plan errors %+v", plan.Errors)
	}
	run := failover.Failover(ctxFor(t), cfg)
	if run.Outcome != report.OutcomeBlocked || run.ExitCode != 3 || len(run.Errors) == 0 {
		t.Fatalf("failover: outcome %s exit %d errors %+v", run.Outcome, run.ExitCode, run.Errors)
	}
	if run.Errors[0].Code != plan.Errors[0].Code || run.Errors[0].Target != plan.Errors[0].Target {
		t.Fatalf("plan said %+v, failover stopped with %+v", plan.Errors[0], run.Errors[0])
	}
	// A plan with nothing blocked has no error.
	q := startLab(t, smallScenario("plan-ok", false), lyncSkip)
	if r := failover.Plan(ctxFor(t), q.engineConfig(t, false)); len(r.Errors) != 0 || r.ExitCode != 0 {
		t.Fatalf("clean plan: exit %d errors %+v", r.ExitCode, r.Errors)
	}
}
