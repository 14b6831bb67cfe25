package proof_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"pcfailover/core/failover"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// markerDir receives the files an injected command would create; none may exist after.
func injectionCorpus(markerDir string) map[string]string {
	m := func(n string) string { return filepath.Join(markerDir, "pwned-"+n) }
	return map[string]string{
		"quote":        `x'`,
		"sql-drop":     `x'; DROP DATABASE mgc; --`,
		"smart-quotes": "x\u2018\u2019\u201a\u201b; New-Item -ItemType File -Path '" + m("smart") + "'; \u2018",
		"bracket":      `x]; SHUTDOWN WITH NOWAIT; --[`,
		"comment":      `x/* */; EXEC xp_cmdshell 'touch ` + m("sql") + `' --`,
		"ps-subexpr":   `$(New-Item -ItemType File -Path '` + m("subexpr") + `')`,
		"ps-backtick":  "`$(New-Item -ItemType File -Path '" + m("backtick") + "')`",
		"ps-statement": `"; New-Item -ItemType File -Path '` + m("stmt") + `'; "`,
		"newlines":     "x\nGO\r\nSELECT 1\n; New-Item -Path '" + m("newline") + "'",
		"nul":          "x\x00y",
		"long":         strings.Repeat("A", 70000),
		"non-ascii":    "мгц_数据库_\U0001F525_\u00e9\u200b",
		"placeholders": `@p1 %s {0} ${x} $env:PATH`,
	}
}

// stringFields lists the path of every string in the request (arrays as path[i]) plus
// the optional string fields the lab request leaves out.
func stringFields(req map[string]any) []string {
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			out = append(out, prefix)
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", prefix, i), e)
			}
		case map[string]any:
			for k, e := range v {
				if prefix == "lync.dataCenters" {
					out = append(out, prefix+"{key:"+k+"}")
				}
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, e)
			}
		}
	}
	walk("", req)
	seen := map[string]bool{}
	for _, f := range out {
		seen[f] = true
	}
	for _, f := range []string{"share", "copyDestination", "lync.module", "lync.mirrorFileShare", "backupSqlInstance.instance",
		"backupSqlInstance.hostNameInCertificate", "backupSqlInstance.certificate"} {
		if !seen[f] {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

var indexRE = regexp.MustCompile(`\[(\d+)\]`)

// setField sets path in a deep copy of req to v.
func setField(req map[string]any, path, v string) map[string]any {
	b, _ := json.Marshal(req)
	var cp map[string]any
	_ = json.Unmarshal(b, &cp)
	if i := strings.Index(path, "{key:"); i >= 0 {
		parent := cp
		for _, k := range strings.Split(strings.TrimSuffix(path[:i], "."), ".") {
			parent = parent[k].(map[string]any)
		}
		key := strings.TrimSuffix(path[i+len("{key:"):], "}")
		parent[v] = parent[key]
		delete(parent, key)
		return cp
	}
	parts := strings.Split(indexRE.ReplaceAllString(path, ".$1"), ".")
	var cur any = cp
	for i, k := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[k] = v
			} else {
				if c[k] == nil {
					c[k] = map[string]any{}
				}
				cur = c[k]
			}
		case []any:
			var n int
			fmt.Sscan(k, &n)
			if last {
				c[n] = v
			} else {
				cur = c[n]
			}
		}
	}
	return cp
}

func namesField(fe request.FieldError, path string) bool {
	norm := func(s string) string {
		s = indexRE.ReplaceAllString(s, ".$1")
		if i := strings.Index(s, "{key:"); i >= 0 {
			s = strings.TrimSuffix(s[:i], ".")
		}
		return strings.TrimPrefix(s, "/")
	}
	f, p := norm(strings.ReplaceAll(fe.Field, "/", ".")), norm(path)
	return f == p || strings.HasPrefix(p, f+".") || strings.HasPrefix(f, p+".")
}

// TestInjectionCorpusInEveryStringField puts every payload of the corpus into every
// string field of the request: it is rejected with an error naming the field, or it is
// accepted and then only ever a literal value: a plan against the lab sends no
// statement whose text contains it (values travel as sp_executesql parameters), and no
// injected command ran (no marker file).
func TestInjectionCorpusInEveryStringField(t *testing.T) {
	p := startLab(t, smallScenario("injection", false), lyncSkip)
	markers := t.TempDir()
	corpus := injectionCorpus(markers)
	fields := stringFields(p.req)
	getenv := func(k string) string {
		if v, ok := p.info.Env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	rejected, accepted := 0, 0
	var acceptedNames []string
	for _, field := range fields {
		for name, payload := range corpus {
			values := []string{payload}
			switch {
			case strings.Contains(field, "Directory") || field == "share" || field == "copyDestination" || strings.HasSuffix(field, "certificate") || field == "lync.module":
				values = append(values, filepath.Join(p.info.Dir, "x"+payload))
			case field == "lync.mirrorFileShare":
				values = append(values, `\\fs.lab.example\`+payload)
			}
			for _, v := range values {
				doc := setField(p.req, field, v)
				data, _ := json.Marshal(doc)
				req, pw, err := request.Load(data, nil, getenv)
				if err != nil {
					var ve *request.ValidationError
					if !errors.As(err, &ve) {
						t.Errorf("%s=%s: not a validation error: %v", field, name, err)
						continue
					}
					named := false
					for _, fe := range ve.Errors {
						named = named || namesField(fe, field)
						if fe.Message == "" || fe.Fix == "" {
							t.Errorf("%s=%s: error without message or fix: %+v", field, name, fe)
						}
					}
					if !named {
						t.Errorf("%s=%s: rejected without naming the field: %+v", field, name, ve.Errors)
					}
					rejected++
					continue
				}
				accepted++
				acceptedNames = append(acceptedNames, field+"="+name)
				before := len(p.lab.Instance(lab.RoleBackup).Statements())
				ctx := ctxFor(t)
				rep := failover.Plan(ctx, failover.Config{Request: req, Passwords: pw, Command: "plan"})
				if rep.Outcome == "" {
					t.Errorf("%s=%s: no outcome", field, name)
				}
				for _, st := range p.lab.Instance(lab.RoleBackup).Statements()[before:] {
					if strings.Contains(st.Text, v) || (len(payload) > 3 && strings.Contains(st.Text, payload)) {
						t.Errorf("%s=%s: the payload is in a statement's text: %q", field, name, st.Text)
					}
				}
				if rep.Outcome == report.OutcomeSucceeded {
					t.Errorf("%s=%s: plan acted", field, name)
				}
			}
		}
	}
	requireNoMarkers(t, markers)
	if db := p.backupDB(t); db.State == "ONLINE" && !db.Standby {
		t.Fatal("a plan changed the database")
	}
	sort.Strings(acceptedNames)
	t.Logf("%d string fields x %d payloads: %d rejected naming the field, %d accepted as literals and planned: %v", len(fields), len(corpus), rejected, accepted, acceptedNames)
}

func requireNoMarkers(t *testing.T, dir string) {
	t.Helper()
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		t.Errorf("an injected command ran: %s exists", e.Name())
	}
}

// TestInjectionUsedAsLiteralsInAFullFailover runs complete failovers (through the binary,
// Lync steps with LyncSim) whose share, copy folder, run directory and mirror file share
// are named with hostile strings: the share and copy folder really are directories with
// those names. The run succeeds; the simulator's statement log carries the paths only as
// parameters, never in a statement's text; LyncSim's call log shows
// Install-CsMirrorDatabase received the hostile -FileShare exactly, as one literal value;
// no injected command ran.
func TestInjectionUsedAsLiteralsInAFullFailover(t *testing.T) {
	// A short marker directory: the paths stay within what SQL Server's catalog holds
	// (backupmediafamily.physical_device_name is nvarchar(260)).
	markers, err := os.MkdirTemp("", "inj")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(markers) })
	corpus := injectionCorpus(markers)
	// Every construct at once (a file name cannot hold "/" or NUL); the commands name
	// files relative to the marker directory, the runs' working directory.
	sink := "x\u2018\u2019\u201a\u201b;ni pwned1;\u2018$(ni pwned2)`$(ni pwned3)`\"; ni pwned4; \"'; DROP DATABASE mgc; --]; SHUTDOWN; *\u2215 @p1 {0}"
	for name, payload := range map[string]string{"kitchen-sink": sink, "non-ascii": corpus["non-ascii"] + corpus["placeholders"]} {
		t.Run(name, func(t *testing.T) {
			p := startLab(t, smallScenario("injection-run", false))
			// Short directory names (NAME_MAX) with the payload in each.
			seg := payload
			if len(seg) > 200 {
				seg = seg[:200]
			}
			share := filepath.Join(p.info.Dir, "s"+seg)
			cp := filepath.Join(p.info.Dir, "c"+seg)
			run := filepath.Join(p.info.Dir, "r"+seg)
			for src, dst := range map[string]string{p.info.Share: share, p.info.CopyDestination: cp} {
				if err := os.Rename(src, dst); err != nil {
					t.Fatal(err)
				}
			}
			mirror := `\\fs.lab.example\` + payload
			p.req["share"], p.req["copyDestination"], p.req["runDirectory"] = share, cp, run
			p.req["lync"].(map[string]any)["mirrorFileShare"] = mirror
			p.writeRequest(t)
			p.info.Share, p.info.CopyDestination, p.info.RunDirectory = share, cp, run
			p.workDir = markers
			r := p.failover(t, nil)
			if r.code != 0 {
				t.Fatalf("failover: %s", r)
			}
			p.checkSQLInvariants(t)
			if db := p.backupDB(t); db.State != "ONLINE" || db.Txn != p.wantTxn() {
				t.Fatalf("backup database %s with %d transactions", db.State, db.Txn)
			}
			for _, role := range []string{lab.RoleBackup, lab.RolePrimary} {
				for _, st := range p.lab.Instance(role).Statements() {
					if strings.Contains(st.Text, seg) || strings.Contains(st.Text, "pwned") {
						t.Errorf("a hostile path is in a statement's text: %q", st.Text)
					}
				}
			}
			got := ""
			for _, c := range p.lync(t).CallLog {
				if c.Cmdlet == "Install-CsMirrorDatabase" {
					var params map[string]any
					_ = json.Unmarshal(c.Parameters, &params)
					got, _ = params["FileShare"].(string)
				}
			}
			if got != mirror {
				t.Errorf("Install-CsMirrorDatabase -FileShare %q, want the literal %q", got, mirror)
			}
			requireNoMarkers(t, markers)
		})
	}
}
