package request

import (
	"errors"
	"strings"
	"testing"
)

func TestDrillStatusSections(t *testing.T) {
	base := strings.TrimSuffix(strings.TrimSpace(validSQL), "}")
	pw := env(map[string]string{"PCF_PW": "x"})
	tests := []struct {
		name      string
		extra     string
		badFields []string
		check     func(t *testing.T, r *Request)
	}{
		{name: "defaults", check: func(t *testing.T, r *Request) {
			if r.Status.RPOWarningMinutes != 30 || r.Status.RPOCriticalMinutes != 60 || r.Status.RestoreWarningMinutes != 0 {
				t.Errorf("status defaults: %+v", *r.Status)
			}
			if r.Drill == nil || r.Drill.FullBackup != "" || r.Drill.SkipCheckDB {
				t.Errorf("drill defaults: %+v", r.Drill)
			}
		}},
		{name: "given", extra: `,"drill":{"fullBackup":"/b/mgc_full.bak","scratchDirectory":"/scratch","skipCheckDb":true},"status":{"rpoWarningMinutes":5,"rpoCriticalMinutes":10,"restoreWarningMinutes":20,"filesWaitingWarning":3}`,
			check: func(t *testing.T, r *Request) {
				if r.Drill.FullBackup != "/b/mgc_full.bak" || r.Drill.ScratchDirectory != "/scratch" || !r.Drill.SkipCheckDB {
					t.Errorf("drill: %+v", *r.Drill)
				}
				if r.Status.RPOWarningMinutes != 5 || r.Status.RPOCriticalMinutes != 10 || r.Status.RestoreWarningMinutes != 20 || r.Status.FilesWaitingWarning != 3 {
					t.Errorf("status: %+v", *r.Status)
				}
			}},
		{name: "relative paths", extra: `,"drill":{"fullBackup":"full.bak","scratchDirectory":"scratch","historyFile":"h.jsonl"}`,
			badFields: []string{"drill.fullBackup", "drill.historyFile", "drill.scratchDirectory"}},
		{name: "critical below warning", extra: `,"status":{"rpoWarningMinutes":50,"rpoCriticalMinutes":10,"restoreWarningMinutes":30,"restoreCriticalMinutes":20}`,
			badFields: []string{"status.restoreCriticalMinutes", "status.rpoCriticalMinutes"}},
		{name: "unknown field", extra: `,"status":{"rpoWarning":5}`, badFields: []string{"status"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _, err := Load([]byte(base+tc.extra+"}"), nil, pw)
			if len(tc.badFields) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, r)
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			var got []string
			for _, e := range ve.Errors {
				got = append(got, e.Field)
			}
			for _, f := range tc.badFields {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, f)
				}
				if !found {
					t.Errorf("no error for %s in %v", f, got)
				}
			}
		})
	}
}
