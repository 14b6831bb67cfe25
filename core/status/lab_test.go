package status_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"pcfailover/core/lab"
	"pcfailover/core/lab/labtest"
	"pcfailover/core/request"
	"pcfailover/core/status"
)

// startLab starts a lab of a built-in scenario, or of a scenario file when one is given.
func startLab(t *testing.T, scenario string, scenarioFile ...string) (*lab.Lab, *request.Request, request.Passwords) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := lab.Options{Dir: t.TempDir(), Scenario: scenario}
	if len(scenarioFile) > 0 {
		opts.ScenarioFile = scenarioFile[0]
	}
	l, err := lab.Start(ctx, opts)
	if err != nil {
		t.Fatalf("start lab %s: %v", scenario, err)
	}
	t.Cleanup(func() { l.Close() })
	info := l.Info()
	data, err := os.ReadFile(info.Request)
	if err != nil {
		t.Fatal(err)
	}
	req, pw, err := request.Load(data, nil, func(k string) string { return info.Env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return l, req, pw
}

func check(s *status.Status, name string) status.Check {
	for _, c := range s.Checks {
		if c.Name == name {
			return c
		}
	}
	return status.Check{Name: name, Health: "absent"}
}

type fakeLync struct {
	st  *status.LyncState
	err error
}

func (f fakeLync) Read(context.Context) (*status.LyncState, error) { return f.st, f.err }

func TestStatusLab(t *testing.T) {
	tests := []struct {
		scenario   string
		thresholds *request.Status
		health     string
		exit       int
		checks     map[string]string
		waiting    int
		continuous bool
	}{
		// Everything copied and restored: healthy.
		{scenario: "clean", health: status.OK, exit: 0, continuous: true,
			checks: map[string]string{"chain": status.OK, "rpo": status.OK, "restore": status.OK, "jobs": status.OK, "secondary": status.OK}},
		// The restore job broke two days ago: 200 files wait, the chain is whole.
		{scenario: "lagging", health: status.Critical, exit: 6, waiting: 200, continuous: true,
			checks: map[string]string{"chain": status.OK, "rpo": status.OK, "restore": status.Critical}},
		// With thresholds of days the same lag is a warning.
		{scenario: "lagging", thresholds: &request.Status{RPOWarningMinutes: 30, RPOCriticalMinutes: 60, RestoreWarningMinutes: 60, RestoreCriticalMinutes: 4 * 24 * 60},
			health: status.Warning, exit: 5, waiting: 200, continuous: true, checks: map[string]string{"restore": status.Warning}},
		// Log backup 7 is gone: the chain is broken.
		{scenario: "gap", health: status.Critical, exit: 6, waiting: 2, continuous: false,
			checks: map[string]string{"chain": status.Critical}},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			l, req, pw := startLab(t, tc.scenario)
			if tc.thresholds != nil {
				req.Status = tc.thresholds
			}
			before, _ := l.Instance(lab.RoleBackup).Snapshot()
			s := status.Read(context.Background(), status.Config{Request: req, Passwords: pw})
			if s.Health != tc.health || s.ExitCode != tc.exit {
				b, _ := json.MarshalIndent(s, "", " ")
				t.Fatalf("health %s exit %d, want %s %d:\n%s", s.Health, s.ExitCode, tc.health, tc.exit, b)
			}
			for name, want := range tc.checks {
				if c := check(s, name); c.Health != want {
					t.Errorf("check %s: %s (%s), want %s", name, c.Health, c.Message, want)
				}
			}
			if s.Files.WaitingToRestore != tc.waiting {
				t.Errorf("waiting to restore %d, want %d", s.Files.WaitingToRestore, tc.waiting)
			}
			if s.Chain == nil || s.Chain.Continuous != tc.continuous {
				t.Errorf("chain %+v", s.Chain)
			}
			if s.RPO == nil || s.RPO.RecoverableTo == nil || s.RPO.DataAtRiskSeconds <= 0 {
				t.Errorf("rpo %+v", s.RPO)
			}
			if s.LastBackup == nil || s.LastCopy == nil || s.LastRestore == nil || s.LastRestore.At == nil {
				t.Errorf("events: %+v %+v %+v", s.LastBackup, s.LastCopy, s.LastRestore)
			}
			after, _ := l.Instance(lab.RoleBackup).Snapshot()
			if !bytes.Equal(before, after) {
				t.Error("status changed the backup instance")
			}
		})
	}
}

func TestStatusGapDataAtRisk(t *testing.T) {
	_, req, pw := startLab(t, "gap")
	s := status.Read(context.Background(), status.Config{Request: req, Passwords: pw})
	// Logs 1-6 are usable (4 restored, 5-6 copied): a failover now recovers to log 6,
	// six intervals (90 minutes) before the newest backup, 105 minutes ago.
	if got := s.RPO.DataAtRiskSeconds / 60; got < 100 || got > 110 {
		t.Errorf("data at risk %d minutes, want about 105", got)
	}
	if c := check(s, "rpo"); c.Health != status.Critical {
		t.Errorf("rpo check %+v", c)
	}
	if !strings.Contains(s.Chain.Gap, "needs LSN") {
		t.Errorf("gap %q", s.Chain.Gap)
	}
}

func TestStatusLyncAndUnreachable(t *testing.T) {
	_, req, pw := startLab(t, "clean")
	s := status.Read(context.Background(), status.Config{Request: req, Passwords: pw,
		Lync: fakeLync{st: &status.LyncState{Reachable: true, PoolState: "FailedOver", MirrorState: "Synchronized"}}})
	if c := check(s, "lync"); c.Health != status.Warning || s.ExitCode != 5 {
		t.Errorf("lync FailedOver: %+v exit %d", c, s.ExitCode)
	}
	s = status.Read(context.Background(), status.Config{Request: req, Passwords: pw,
		Lync: fakeLync{st: &status.LyncState{Reachable: true, PoolState: "Normal"}}})
	if s.ExitCode != 0 || s.Lync.PoolState != "Normal" {
		t.Errorf("lync Normal: exit %d %+v", s.ExitCode, s.Lync)
	}
	bad := *req
	in := *req.BackupSQLInstance
	in.Port = 1
	bad.BackupSQLInstance = &in
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s = status.Read(ctx, status.Config{Request: &bad, Passwords: pw})
	if s.Health != status.Unknown || s.ExitCode != 1 || len(s.Errors) == 0 {
		t.Errorf("unreachable: %s %d %v", s.Health, s.ExitCode, s.Errors)
	}
	for _, e := range s.Errors {
		if pw[request.RoleBackup] != "" && strings.Contains(e, pw[request.RoleBackup]) {
			t.Error("password in an error")
		}
	}
}

// The SQL Servers' service accounts may not read the share (lab option
// shareAccessDenied): the share counts as unreachable, with SQL Server's message, and the
// log backups only in the share are not reported as damaged.
func TestStatusShareSQLServerMayNotRead(t *testing.T) {
	file := labtest.ScenarioFile(t, "disaster", "denied", func(s *lab.Scenario) { s.ShareAccessDenied = true })
	_, req, pw := startLab(t, "", file)
	st := status.Read(context.Background(), status.Config{Request: req, Passwords: pw})
	if c := check(st, "share"); c.Health != status.Warning || !strings.Contains(c.Message, "Operating system error 5(Access is denied.)") {
		t.Errorf("share check %+v", c)
	}
	if st.Chain == nil || len(st.Chain.Damaged) != 0 {
		t.Errorf("chain %+v: the share's files read as damaged", st.Chain)
	}
}
