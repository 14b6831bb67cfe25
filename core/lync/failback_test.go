package lync

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"pcfailover/core/failover"
	"pcfailover/core/report"
)

// failedOverSim runs steps 5-7 against LyncSim (pool FailedOver, backup sql2 mirrored to
// sql2m, pc3 and pc4 active), then brings the primary site's SQL Servers back online as
// a rebuild does: the state a failback starts from.
func failedOverSim(t *testing.T) (*simEnv, *Runner) {
	t.Helper()
	e := newSim(t, nil)
	r := e.runner(nil)
	for _, id := range []string{failover.StepLyncPoolState, failover.StepLyncMirror, failover.StepLyncActiveServers} {
		mustRun(t, r, id, report.StatusDone)
	}
	data, err := os.ReadFile(sim.state)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	for _, s := range st["sqlServers"].([]any) {
		s.(map[string]any)["online"] = true
	}
	writeJSON(t, sim.state, st)
	return e, r
}

func failbackStep() *report.Step {
	return &report.Step{ID: "failback-test", Statements: []report.Statement{}}
}

// The failback's operations, one after another in the failback's order, each read back
// with Pool: active servers cleared, backup mirror removed, pool Normal, DC1 servers
// active, the primary mirrored again; each recorded exactly as sent.
func TestFailbackOperationsAgainstLyncSim(t *testing.T) {
	_, r := failedOverSim(t)
	ctx := ctxT(t)
	p, err := r.Pool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.PoolState != "FailedOver" || p.Normal() || !sameSet(p.ActiveServers, []string{"pc3.contoso.com", "pc4.contoso.com"}) || !p.InUseMirrored ||
		p.Primary != (Store{FQDN: "sql1.contoso.com", Instance: "rtc"}) || p.Backup != (Store{FQDN: "sql2.contoso.com", Instance: "rtc"}) ||
		p.ServiceIdentity == "" || p.StateIdentity == "" {
		t.Fatalf("failed-over pool read as %+v", p)
	}
	tests := []struct {
		op    FailbackOp
		text  string
		check func(Pool) bool
	}{
		{FailbackOp{Kind: OpClearActive}, `Set-CsPersistentChatActiveServer -Identity 'PersistentChatServer:pchat.contoso.com' -ActiveServers $null -Confirm:$false`,
			func(p Pool) bool { return len(p.ActiveServers) == 0 && p.PoolState == "FailedOver" }},
		{FailbackOp{Kind: OpUninstallMirror, Store: p.Backup}, `Uninstall-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql2.contoso.com' -SqlInstanceName 'rtc' -Confirm:$false`,
			func(p Pool) bool { return !p.InUseMirrored }},
		{FailbackOp{Kind: OpPoolNormal}, `Set-CsPersistentChatState -Identity 'service:PersistentChatServer:pchat.contoso.com' -PoolState Normal -Confirm:$false`,
			func(p Pool) bool { return p.Normal() && len(p.ActiveServers) == 0 }},
		{FailbackOp{Kind: OpSetActive, Servers: []string{"pc1.contoso.com", "pc2.contoso.com"}},
			`Set-CsPersistentChatActiveServer -Identity 'PersistentChatServer:pchat.contoso.com' -ActiveServers @{Replace='pc1.contoso.com','pc2.contoso.com'} -Confirm:$false`,
			func(p Pool) bool { return sameSet(p.ActiveServers, []string{"pc1.contoso.com", "pc2.contoso.com"}) }},
		{FailbackOp{Kind: OpInstallMirror, Store: p.Primary, FileShare: `\\fs.contoso.com\pchatmirror`},
			`Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql1.contoso.com' -SqlInstanceName 'rtc' -FileShare '\\fs.contoso.com\pchatmirror' -DropExistingDatabasesOnMirror -Report '`,
			func(p Pool) bool { return p.Normal() && p.InUseMirrored }},
	}
	for _, tc := range tests {
		s := failbackStep()
		before := readSim(t).mutating()
		if err := r.RunFailback(ctx, s, tc.op); err != nil {
			t.Fatalf("%s: %v", tc.op.Kind, err)
		}
		if after := readSim(t).mutating(); after != before+1 {
			t.Fatalf("%s made %d mutating calls, want 1", tc.op.Kind, after-before)
		}
		if len(s.Statements) != 1 || s.Statements[0].Kind != "cmdlet" || s.Statements[0].Target != "lync" || !strings.HasPrefix(s.Statements[0].Text, tc.text) {
			t.Fatalf("%s recorded %+v, want %s", tc.op.Kind, s.Statements, tc.text)
		}
		got, err := r.Pool(ctx)
		if err != nil {
			t.Fatalf("read back after %s: %v", tc.op.Kind, err)
		}
		if !tc.check(got) {
			t.Fatalf("after %s the pool reads %+v", tc.op.Kind, got)
		}
	}
	st := readSim(t)
	mirrors := map[string]string{}
	for _, m := range st.Mirrors {
		mirrors[m.Principal.SQLServerFqdn] = m.Mirror.SQLServerFqdn
	}
	if mirrors["sql1.contoso.com"] != "sql1m.contoso.com" || mirrors["sql2.contoso.com"] != "" {
		t.Fatalf("LyncSim mirrors after the failback: %+v", st.Mirrors)
	}
}

// The plan records the same calls and changes nothing.
func TestFailbackPlanChangesNothing(t *testing.T) {
	_, r := failedOverSim(t)
	ctx := ctxT(t)
	before := readSim(t).mutating()
	s := failbackStep()
	for _, op := range []FailbackOp{{Kind: OpClearActive}, {Kind: OpUninstallMirror, Store: Store{FQDN: "sql2.contoso.com", Instance: "rtc"}},
		{Kind: OpPoolNormal}, {Kind: OpSetActive, Servers: []string{"pc1.contoso.com"}},
		{Kind: OpInstallMirror, Store: Store{FQDN: "sql1.contoso.com", Instance: "rtc"}, FileShare: `\\fs.contoso.com\m`}} {
		if err := r.PlanFailback(ctx, s, op); err != nil {
			t.Fatalf("plan %s: %v", op.Kind, err)
		}
	}
	if len(s.Statements) != 5 {
		t.Fatalf("plan recorded %d statements, want 5: %+v", len(s.Statements), s.Statements)
	}
	if after := readSim(t).mutating(); after != before {
		t.Fatalf("the plan made %d mutating calls", after-before)
	}
	if p, err := r.Pool(ctx); err != nil || p.PoolState != "FailedOver" {
		t.Fatalf("pool after the plan: %+v %v", p, err)
	}
}

// Bad operations are refused before anything runs.
func TestFailbackOperationRefusals(t *testing.T) {
	_, r := failedOverSim(t)
	ctx := ctxT(t)
	before := readSim(t).mutating()
	tests := []struct {
		name    string
		op      FailbackOp
		blocked bool
		want    string
	}{
		{"mirror share not UNC", FailbackOp{Kind: OpInstallMirror, Store: Store{FQDN: "sql1.contoso.com", Instance: "rtc"}, FileShare: `C:\share`}, true, "not a UNC path"},
		{"mirror without store", FailbackOp{Kind: OpUninstallMirror}, false, "needs a SQL Server store"},
		{"set active without servers", FailbackOp{Kind: OpSetActive}, false, "needs servers"},
		{"unknown", FailbackOp{Kind: "drop-everything"}, false, "unknown failback operation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := r.RunFailback(ctx, failbackStep(), tc.op)
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, failover.ErrBlocked) != tc.blocked {
				t.Fatalf("RunFailback(%+v) = %v, want %q (blocked %v)", tc.op, err, tc.want, tc.blocked)
			}
		})
	}
	if after := readSim(t).mutating(); after != before {
		t.Fatalf("refused operations made %d mutating calls", after-before)
	}
}

// A failing cmdlet is run once, not retried, and its error returned for the engine to
// read back.
func TestFailbackOperationFaultNotRetried(t *testing.T) {
	_, r := failedOverSim(t)
	addFault(t, cmdUninstallMirror, "before")
	err := r.RunFailback(ctxT(t), failbackStep(), FailbackOp{Kind: OpUninstallMirror, Store: Store{FQDN: "sql2.contoso.com", Instance: "rtc"}})
	if err == nil || !strings.Contains(err.Error(), "Central Management store") {
		t.Fatalf("RunFailback = %v, want the injected fault", err)
	}
	if n := readSim(t).calls(cmdUninstallMirror); n != 1 {
		t.Fatalf("%d Uninstall-CsMirrorDatabase calls, want 1 (no retry)", n)
	}
	p, err := r.Pool(ctxT(t))
	if err != nil || !p.InUseMirrored {
		t.Fatalf("after the failed uninstall: %+v %v", p, err)
	}
}
