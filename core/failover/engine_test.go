package failover

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/logchain"
	"pcfailover/core/lsn"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

func testRequest(t *testing.T, accept bool) *request.Request {
	t.Helper()
	r := &request.Request{SchemaVersion: 1, PoolFQDN: "pchat.contoso.com", RunDirectory: t.TempDir(),
		BackupSQLInstance: &request.SQLInstance{Server: "127.0.0.1", Auth: "sql", User: "sa"}}
	r.ApplyDefaults("linux")
	r.Options.AcceptDataLoss = accept
	return r
}

func hdr(name string, first, last uint64) logchain.Header {
	return logchain.Header{Name: name, Path: "/copy/" + name, DatabaseName: "mgc", BackupType: 2,
		FirstLSN: lsn.New(43, first, 1), LastLSN: lsn.New(43, last, 1),
		BackupStartDate: time.Date(2026, 11, 25, 12, int(first), 0, 0, time.UTC), BackupFinishDate: time.Date(2026, 11, 25, 12, int(last), 0, 0, time.UTC)}
}

func restoringDiscovery(headers ...logchain.Header) *Discovery {
	d := &Discovery{DB: DBState{Exists: true, State: "RESTORING", RedoStartLSN: lsn.New(43, 10, 1)}, Share: "/share", CopyDir: "/copy",
		CopyFiles: map[string]fileInfo{}, ShareFiles: map[string]fileInfo{}}
	d.Headers = headers
	d.Chain = logchain.Build(logchain.Target{Database: "mgc", Next: d.DB.RedoStartLSN}, headers)
	return d
}

// Safety invariant 1 at the engine level: RESTORE WITH RECOVERY is refused, before any
// statement is sent, while a log backup is unapplied or the chain has a gap, unless the
// operator accepted the loss.
func TestRecoverRefusesUnappliedOrGap(t *testing.T) {
	cases := []struct {
		name string
		d    *Discovery
	}{
		{"unapplied file", restoringDiscovery(hdr("a", 10, 20))},
		{"gap", restoringDiscovery(hdr("a", 30, 40))},
		{"unreachable share", func() *Discovery {
			d := restoringDiscovery()
			d.ShareErr = errors.New("network path not found")
			return d
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(Config{Request: testRequest(t, false)})
			// e.conn is nil: any statement would panic, so a clean refusal proves none was sent.
			_, err := e.recoverDB(context.Background(), e.step(StepRecover), tc.d, false)
			var se *stepError
			if !errors.As(err, &se) || se.outcome != report.OutcomeBlocked || se.code != report.CodeGapInLogChain {
				t.Fatalf("want a blocked GapInLogChain, got %v", err)
			}
			if !strings.Contains(err.Error(), "refusing RESTORE WITH RECOVERY") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

func TestPlanStepStatuses(t *testing.T) {
	live := &Snapshot{BackupSourceDirectory: "/share", BackupDestinationDirectory: "/copy",
		Jobs: []Job{{Role: "copy", ID: "c", Name: "LSCopy_x_mgc", Exists: true, Enabled: true}, {Role: "restore", ID: "r", Name: "LSRestore_x_mgc", Exists: true}}}
	cases := []struct {
		name   string
		accept bool
		d      func() *Discovery
		want   map[string]string
	}{
		{"fresh secondary", false, func() *Discovery {
			d := restoringDiscovery(hdr("a", 5, 10), hdr("b", 10, 20))
			d.Live, d.Snapshot = live, live
			return d
		}, map[string]string{StepSnapshot: report.StatusPlanned, StepCheckChain: report.StatusPlanned, StepDisableJobs: report.StatusPlanned,
			StepRemoveLogShipping: report.StatusPlanned, StepTailLog: report.StatusSkipped, StepCopyLogs: report.StatusPlanned,
			StepRestoreLogs: report.StatusPlanned, StepRecover: report.StatusPlanned}},
		{"after step 1, nothing left to apply", false, func() *Discovery {
			d := restoringDiscovery(hdr("a", 5, 10))
			d.Snapshot = live
			return d
		}, map[string]string{StepSnapshot: report.StatusAlreadyDone, StepDisableJobs: report.StatusAlreadyDone, StepRemoveLogShipping: report.StatusAlreadyDone,
			StepCopyLogs: report.StatusAlreadyDone, StepRestoreLogs: report.StatusAlreadyDone, StepRecover: report.StatusPlanned}},
		{"gap blocks", false, func() *Discovery {
			d := restoringDiscovery(hdr("b", 30, 40))
			d.Live, d.Snapshot = live, live
			return d
		}, map[string]string{StepCheckChain: report.StatusBlocked}},
		{"gap accepted", true, func() *Discovery {
			d := restoringDiscovery(hdr("b", 30, 40))
			d.Live, d.Snapshot = live, live
			return d
		}, map[string]string{StepCheckChain: report.StatusPlanned}},
		{"online", false, func() *Discovery {
			return &Discovery{DB: DBState{Exists: true, State: "ONLINE"}}
		}, map[string]string{StepSnapshot: report.StatusSkipped, StepCheckChain: report.StatusAlreadyDone, StepCopyLogs: report.StatusAlreadyDone,
			StepRestoreLogs: report.StatusAlreadyDone, StepEndSessions: report.StatusAlreadyDone, StepRecover: report.StatusAlreadyDone}},
		{"unknown folders", false, func() *Discovery {
			d := restoringDiscovery()
			d.Share, d.CopyDir = "", ""
			return d
		}, map[string]string{StepSnapshot: report.StatusBlocked}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(Config{Request: testRequest(t, tc.accept)})
			e.planning = true
			d := tc.d()
			for _, s := range stepSpecs {
				e.planStep(s.ID, d)
			}
			for id, want := range tc.want {
				if got := e.step(id).Status; got != want {
					t.Errorf("%s: %s (%s), want %s", id, got, e.step(id).Detail, want)
				}
			}
			if rs := e.step(StepRestoreLogs); rs.Status == report.StatusPlanned {
				for _, st := range rs.Statements {
					if st.Text != "RESTORE LOG [mgc] FROM DISK = @p1 WITH NORECOVERY, STATS = 10" || st.Parameters["@p1"] == "" {
						t.Errorf("restore statement %+v", st)
					}
				}
			}
		})
	}
}

func TestQuoteIdent(t *testing.T) {
	if got := quoteIdent("a]b"); got != "[a]]b]" {
		t.Fatal(got)
	}
}

func TestIgnoreKillErrors(t *testing.T) {
	e := func(nums ...int32) error {
		var all []mssql.Error
		for _, n := range nums {
			all = append(all, mssql.Error{Number: n, Message: "m"})
		}
		last := all[len(all)-1]
		last.All = all
		return last
	}
	cases := []struct {
		name string
		in   error
		want []int32
	}{
		{"nil", nil, nil},
		{"only kill noise", e(6106, 6107), nil},
		{"restore error kept", e(6106, 3101, 3013), []int32{3101, 3013}},
		{"no kill errors", e(4305, 3013), []int32{4305, 3013}},
		{"not sql", errors.New("dial tcp: refused"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ignoreKillErrors(tc.in)
			if tc.name == "not sql" {
				if got != tc.in {
					t.Fatalf("non-SQL error changed: %v", got)
				}
				return
			}
			nums := sqlNumbers(got)
			if len(nums) != len(tc.want) {
				t.Fatalf("numbers %v, want %v", nums, tc.want)
			}
			for i := range nums {
				if nums[i] != tc.want[i] {
					t.Fatalf("numbers %v, want %v", nums, tc.want)
				}
			}
		})
	}
}
