package request

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

const validSQL = `{"schemaVersion":1,"poolFqdn":"pchat.contoso.com","database":"mgc",
 "backupSqlInstance":{"server":"127.0.0.1","port":14330,"auth":"sql","user":"sa","passwordEnv":"PCF_PW","encrypt":"disable"},
 "runDirectory":"/tmp/runs/pchat","options":{"acceptDataLoss":false}}`

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadValid(t *testing.T) {
	req, pw, err := Load([]byte(validSQL), nil, env(map[string]string{"PCF_PW": "s3cr3t"}))
	if err != nil {
		t.Fatal(err)
	}
	if req.Database != "mgc" || req.Options.CopyParallelism != 2 || req.Options.HeaderParallelism != 8 || req.Options.KillRetries != 5 {
		t.Fatalf("defaults not applied: %+v", req.Options)
	}
	if pw[RoleBackup] != "s3cr3t" {
		t.Fatalf("password not resolved from env")
	}
}

func TestLoadEnvelope(t *testing.T) {
	doc := `{"request":` + strings.Replace(validSQL, `"passwordEnv":"PCF_PW",`, "", 1) + `,"passwords":{"backupSqlInstance":"p@ss w/rd"}}`
	_, pw, err := Load([]byte(doc), nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if pw[RoleBackup] != "p@ss w/rd" {
		t.Fatalf("envelope password not used: %v", pw)
	}
}

func TestLoadInvalid(t *testing.T) {
	cases := []struct {
		name   string
		doc    string
		fields []string
	}{
		{"password in request", strings.Replace(validSQL, `"user":"sa"`, `"user":"sa","password":"x"`, 1), []string{"backupSqlInstance.password"}},
		{"missing server", strings.Replace(validSQL, `"server":"127.0.0.1",`, "", 1), []string{"backupSqlInstance.server"}},
		{"bad database", strings.Replace(validSQL, `"database":"mgc"`, `"database":"mgc]; DROP TABLE x--"`, 1), []string{"database"}},
		{"system database", strings.Replace(validSQL, `"database":"mgc"`, `"database":"master"`, 1), []string{"database"}},
		{"unknown field", strings.Replace(validSQL, `"poolFqdn"`, `"poolFQDN":"x","poolFqdn"`, 1), []string{"poolFQDN"}},
		{"bad encrypt", strings.Replace(validSQL, `"encrypt":"disable"`, `"encrypt":"yes"`, 1), []string{"backupSqlInstance.encrypt"}},
		{"relative run dir", strings.Replace(validSQL, `"/tmp/runs/pchat"`, `"runs"`, 1), []string{"runDirectory"}},
		{"env not set", validSQL, []string{"backupSqlInstance.passwordEnv"}},
		{"server with instance", strings.Replace(validSQL, `"127.0.0.1"`, `"sql1\\inst"`, 1), []string{"backupSqlInstance.server"}},
		{"not json", `{"schemaVersion":`, []string{"(request)"}},
		{"many problems", `{"schemaVersion":2,"backupSqlInstance":{"server":""},"options":{"copyParallelism":99}}`,
			[]string{"schemaVersion", "poolFqdn", "runDirectory", "options.copyParallelism", "backupSqlInstance.server"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			getenv := env(map[string]string{"PCF_PW": "x"})
			if tc.name == "env not set" {
				getenv = env(nil)
			}
			_, _, err := Load([]byte(tc.doc), nil, getenv)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want ValidationError, got %v", err)
			}
			got := map[string]bool{}
			for _, fe := range ve.Errors {
				got[fe.Field] = true
				if fe.Message == "" || fe.Fix == "" {
					t.Errorf("error without message or fix: %+v", fe)
				}
				if strings.Contains(fe.String(), `"x"`) && tc.name == "password in request" {
					t.Errorf("password value echoed: %s", fe)
				}
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("no error for %s; got %+v", f, ve.Errors)
				}
			}
		})
	}
}

func TestConnStringEscapesAndRedacts(t *testing.T) {
	in := &SQLInstance{Server: "127.0.0.1", Port: 1433, Auth: "sql", User: "sa", Encrypt: "disable"}
	secret := "p@ss;word=1&x%"
	cs := in.ConnString(secret, "master", "pcfailover")
	u, err := url.Parse(cs)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := u.User.Password(); p != secret {
		t.Fatalf("password round trip: %q", p)
	}
	if u.Query().Get("database") != "master" || u.Query().Get("encrypt") != "disable" {
		t.Fatalf("query: %v", u.Query())
	}
	red := NewRedactor(secret).Redact("login failed for " + cs)
	if strings.Contains(red, "ss;word") || strings.Contains(red, url.QueryEscape(secret)) {
		t.Fatalf("not redacted: %s", red)
	}
}

func TestIsAbsPath(t *testing.T) {
	cases := []struct {
		goos, p string
		want    bool
	}{
		{"windows", `C:\ProgramData\x`, true},
		{"windows", `\\fs1\share\logs`, true},
		{"windows", `logs\x`, false},
		{"windows", `/tmp/x`, false},
		{"linux", `/tmp/x`, true},
		{"linux", `C:\x`, false},
	}
	for _, c := range cases {
		if got := IsAbsPath(c.goos, c.p); got != c.want {
			t.Errorf("IsAbsPath(%s, %q) = %v", c.goos, c.p, got)
		}
	}
}

func TestSchemaIsValidJSONSchema(t *testing.T) {
	if _, err := compiled(); err != nil {
		t.Fatal(err)
	}
}
