package lab

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuiltinScenariosAreValid(t *testing.T) {
	infos := Scenarios()
	want := []string{"disaster", "planned", "gap", "corrupt", "lagging", "clean", "failedover"}
	if len(infos) != len(want) {
		t.Fatalf("Scenarios() = %d scenarios, want %d", len(infos), len(want))
	}
	for i, name := range want {
		if infos[i].Name != name || infos[i].Description == "" {
			t.Errorf("Scenarios()[%d] = %+v, want %s with a description", i, infos[i], name)
		}
		s, err := BuiltinScenario(name)
		if err != nil {
			t.Fatalf("BuiltinScenario(%s): %v", name, err)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("built-in %s: %v", name, err)
		}
	}
}

func TestBuiltinScenariosMatchTheIssue(t *testing.T) {
	get := func(name string) Scenario {
		s, err := BuiltinScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		return s.WithDefaults()
	}
	d := get("disaster")
	if d.PrimaryUp || d.Logs.Count != 12 || d.Logs.Count-d.Logs.Copied != 3 || d.Logs.Copied-d.Logs.Restored != 5 ||
		d.RestoreMode != "standby" || d.Sessions != 2 {
		t.Errorf("disaster = %+v", d)
	}
	if p := get("planned"); !p.PrimaryUp || *p.Logs.TailTransactions == 0 {
		t.Errorf("planned must keep the primary up with a tail to back up: %+v", p)
	}
	if g := get("gap"); len(g.Logs.Missing) != 1 || g.Logs.Missing[0] <= g.Logs.Restored || g.Logs.Missing[0] > g.Logs.Copied {
		t.Errorf("gap must miss one copied, unrestored log: %+v", g.Logs)
	}
	if c := get("corrupt"); len(c.Logs.Damaged) != 1 {
		t.Errorf("corrupt must damage one copied log: %+v", c.Logs)
	}
	l := get("lagging")
	if l.Logs.Copied-l.Logs.Restored != 200 {
		t.Errorf("lagging: %d unapplied, want 200", l.Logs.Copied-l.Logs.Restored)
	}
	if span := time.Duration(l.Logs.Interval) * 200; span < 47*time.Hour || span > 49*time.Hour {
		t.Errorf("lagging: 200 logs span %s, want two days", span)
	}
	if c := get("clean"); c.Logs.Restored != c.Logs.Count {
		t.Errorf("clean must have nothing to copy or restore: %+v", c.Logs)
	}
	if f := get("failedover"); !f.FailedOver || f.PrimaryUp || len(f.Faults) != 0 || f.Logs.Count != d.Logs.Count || f.Logs.Copied != d.Logs.Copied || f.Logs.Restored != d.Logs.Restored {
		t.Errorf("failedover must be disaster, failed over: %+v", f)
	}
}

func TestFailedOverExcludesFaults(t *testing.T) {
	s, _ := BuiltinScenario("failedover")
	s.Faults = []FaultSpec{{Instance: "backup", Statement: "^RESTORE LOG", Error: 3203, Times: 1}}
	err := s.Validate()
	var se *ScenarioError
	if !errors.As(err, &se) || len(se.Errors) != 1 || se.Errors[0].Field != "faults" {
		t.Fatalf("Validate() = %v, want one error on faults", err)
	}
}

func TestBuiltinScenarioCopiesAreIndependent(t *testing.T) {
	a, _ := BuiltinScenario("gap")
	a.Logs.Missing[0] = 99
	b, _ := BuiltinScenario("gap")
	if b.Logs.Missing[0] == 99 {
		t.Fatal("BuiltinScenario returned shared state")
	}
}

func TestUnknownScenarioIsAUsageError(t *testing.T) {
	_, err := BuiltinScenario("nope")
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "disaster") {
		t.Fatalf("err = %v, want a usage error listing the built-in names", err)
	}
}

func TestScenarioFileErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, json string
		field      string
		message    string
	}{
		{"missing name", `{"logs":{"count":1}}`, "name", "is required"},
		{"unknown field", `{"name":"x","primaryDown":true}`, "primaryDown", "not a scenario field"},
		{"unknown nested field", `{"name":"x","logs":{"count":1,"copies":1}}`, "copies", "not a scenario field"},
		{"wrong type", `{"name":"x","logs":{"count":"12"}}`, "logs.count", "must be a number"},
		{"bad duration", `{"name":"x","logs":{"count":1,"interval":"15 minutes"}}`, "(file)", "invalid duration"},
		{"syntax", `{"name":"x",}`, "(file)", "not valid JSON"},
		{"empty", ``, "(file)", "is empty"},
		{"trailing data", `{"name":"x"} {}`, "(file)", "after the scenario"},
		{"negative count", `{"name":"x","logs":{"count":-1}}`, "logs.count", "negative"},
		{"copied above count", `{"name":"x","logs":{"count":3,"copied":4}}`, "logs.copied", "between 0 and logs.count (3)"},
		{"restored above copied", `{"name":"x","logs":{"count":12,"copied":9,"restored":10}}`, "logs.restored", "between 0 and logs.copied (9)"},
		{"missing restored log", `{"name":"x","logs":{"count":12,"copied":9,"restored":4,"missing":[3]}}`, "logs.missing[0]", "between 5 and 12"},
		{"missing twice", `{"name":"x","logs":{"count":12,"copied":9,"restored":4,"missing":[6,6]}}`, "logs.missing[1]", "twice"},
		{"damaged uncopied", `{"name":"x","logs":{"count":12,"copied":9,"restored":4,"damaged":[11]}}`, "logs.damaged[0]", "copied but not restored"},
		{"damaged and missing", `{"name":"x","logs":{"count":12,"copied":9,"restored":4,"missing":[6],"damaged":[6]}}`, "logs.damaged[0]", "also listed in logs.missing"},
		{"damaged and truncated", `{"name":"x","logs":{"count":12,"copied":9,"restored":4,"truncated":[6],"damaged":[6]}}`, "logs.damaged[0]", "also listed in logs.truncated"},
		{"partial copied", `{"name":"x","logs":{"count":12,"copied":9,"partial":[5]}}`, "logs.partial[0]", "never copied"},
		{"nothing to damage", `{"name":"x","logs":{"count":4,"copied":4,"restored":4,"damaged":[4]}}`, "logs.damaged[0]", "no log backup is copied but not restored"},
		{"interval too short", `{"name":"x","logs":{"count":1,"interval":"10ms"}}`, "logs.interval", "at least 1s"},
		{"sessions in norecovery", `{"name":"x","restoreMode":"norecovery","sessions":1}`, "sessions", "927"},
		{"restore mode", `{"name":"x","restoreMode":"recovery"}`, "restoreMode", `"standby" or "norecovery"`},
		{"database", `{"name":"x","database":"mgc]; drop"}`, "database", "plain SQL identifier"},
		{"fault instance", `{"name":"x","faults":[{"instance":"witness","error":4305}]}`, "faults[0].instance", "primary, backup, backupMirror"},
		{"fault regexp", `{"name":"x","faults":[{"instance":"backup","statement":"(","error":4305}]}`, "faults[0].statement", "regular expression"},
		{"fault without effect", `{"name":"x","faults":[{"instance":"backup","statement":"KILL"}]}`, "faults[0]", "error, drop or stall"},
		{"fault error and drop", `{"name":"x","faults":[{"instance":"backup","error":1,"drop":true}]}`, "faults[0].drop", "cannot be combined"},
		{"restore speed", `{"name":"x","throughput":{"restoreMBps":-1}}`, "throughput.restoreMBps", "negative"},
		{"pool", `{"name":"x","lync":{"pool":"pchat"}}`, "lync.pool", "fully qualified"},
		{"one data center", `{"name":"x","lync":{"dataCenters":{"DC1":["a.contoso.com"]}}}`, "lync.dataCenters", "exactly two"},
		{"server in two data centers", `{"name":"x","lync":{"dataCenters":{"DC1":["a.contoso.com"],"DC2":["A.contoso.com"]}}}`, "lync.dataCenters.DC2[0]", "already in data center DC1"},
		{"backup dc unknown", `{"name":"x","lync":{"dataCenters":{"DC1":["a.contoso.com"],"DC3":["b.contoso.com"]}}}`, "lync.backupDataCenter", "not a key"},
		{"pathMap value", `{"name":"x","pathMap":"off"}`, "pathMap", `must be "none"`},
		{"pathMap type", `{"name":"x","pathMap":false}`, "pathMap", "must be a string"},
		{"tool on host without map", `{"name":"x","pathMap":"none","toolOnBackupHost":true}`, "toolOnBackupHost", `pathMap "none"`},
		{"share host down with primary up", `{"name":"x","primaryUp":true,"shareHostDown":true}`, "shareHostDown", "primaryUp to false"},
		{"failed over with share host down", `{"name":"x","failedOver":true,"shareHostDown":true}`, "failedOver", "reach the share"},
		{"failed over with share access denied", `{"name":"x","failedOver":true,"shareAccessDenied":true}`, "failedOver", "reach the share"},
		{"copy folder share type", `{"name":"x","copyFolderShare":"yes"}`, "copyFolderShare", "true or false"},
		{"too many servers", `{"name":"x","lync":{"dataCenters":{"DC1":["a1.c.com","a2.c.com","a3.c.com","a4.c.com","a5.c.com"],"DC2":["b.c.com"]}}}`, "lync.dataCenters.DC1", "at most 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario(strings.NewReader(tt.json), "test.json")
			var se *ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *ScenarioError", err)
			}
			if !errors.Is(err, ErrUsage) {
				t.Errorf("a scenario error must be a usage error")
			}
			if se.Source != "test.json" {
				t.Errorf("Source = %q, want the file name", se.Source)
			}
			for _, fe := range se.Errors {
				if fe.Field == tt.field && strings.Contains(fe.Message, tt.message) {
					return
				}
			}
			t.Errorf("errors = %v, want field %q with %q", se.Errors, tt.field, tt.message)
		})
	}
}

func TestScenarioFileRoundTrip(t *testing.T) {
	doc := `{
	  "name": "drill", "description": "a drill", "primaryUp": true, "tls": true,
	  "restoreMode": "standby", "sessions": 1, "sessionReconnect": "200ms",
	  "logs": { "count": 20, "copied": 15, "restored": 10, "transactionsPerLog": 3, "tailTransactions": 0,
	            "sizeBytes": 4096, "fullSizeBytes": 8192, "interval": "5m",
	            "missing": [12], "damaged": [13], "truncated": [14], "partial": [17] },
	  "throughput": { "restoreMBps": 50, "statementLatency": "5ms", "headerLatency": "20ms" },
	  "faults": [ { "instance": "backup", "statement": "^RESTORE LOG", "error": 3203, "times": 1 },
	              { "instance": "primary", "drop": true }, { "instance": "backup", "stall": "1s" } ],
	  "lync": { "pool": "chat.fabrikam.com", "dataCenters": { "East": ["e1.fabrikam.com"], "West": ["w1.fabrikam.com", "w2.fabrikam.com"] },
	            "primaryDataCenter": "East", "backupDataCenter": "West" }
	}`
	path := filepath.Join(t.TempDir(), "drill.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ReadScenarioFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := s.WithDefaults()
	if !d.PrimaryUp || !d.TLS || d.Sessions != 1 || time.Duration(d.SessionReconnect) != 200*time.Millisecond ||
		d.Logs.Count != 20 || *d.Logs.TailTransactions != 0 || time.Duration(d.Logs.Interval) != 5*time.Minute ||
		d.Throughput.RestoreMBps != 50 || len(d.Faults) != 3 || time.Duration(d.Faults[2].Stall) != time.Second ||
		d.Lync.Pool != "chat.fabrikam.com" || d.Database != "mgc" {
		t.Errorf("parsed %+v", d)
	}
	if _, err := ReadScenarioFile(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, ErrUsage) {
		t.Errorf("missing file: err = %v, want a usage error", err)
	}
}

func TestScenarioDefaults(t *testing.T) {
	d := Scenario{Name: "x"}.WithDefaults()
	if d.Database != "mgc" || d.RestoreMode != "standby" || d.Logs.TransactionsPerLog != 25 ||
		*d.Logs.TailTransactions != 10 || d.Logs.SizeBytes != 64<<10 || time.Duration(d.Logs.Interval) != 15*time.Minute ||
		d.Lync.Pool != DefaultPool || len(d.Lync.DataCenters["DC1"]) != 4 || len(d.Lync.DataCenters["DC2"]) != 4 {
		t.Errorf("defaults = %+v %+v", d, d.Lync)
	}
}

func TestOptionsScenario(t *testing.T) {
	if _, err := (Options{Scenario: "gap", ScenarioFile: "x.json"}).scenario(); !errors.Is(err, ErrUsage) {
		t.Errorf("both: err = %v, want usage error", err)
	}
	s, err := Options{}.scenario()
	if err != nil || s.Name != "disaster" {
		t.Errorf("default scenario = %q, %v; want disaster", s.Name, err)
	}
	s, err = Options{Scenario: "clean", TLS: true}.scenario()
	if err != nil || !s.TLS {
		t.Errorf("TLS option not applied: %+v %v", s, err)
	}
}
