// Package request is the failover request: its model, defaults, validation (JSON Schema
// plus semantic checks, one error per problem naming the field and the fix), password
// resolution, go-mssqldb connection strings, and redaction of secrets.
//
// A request never carries a password: passwords come from an environment variable named in
// the request or from the standard-input envelope (see cli/CONTRACT.md).
package request

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// SchemaVersion is the request schemaVersion this package reads.
const SchemaVersion = 1

// Instance roles, as the keys of the stdin envelope's "passwords" object.
const (
	RoleBackup       = "backupSqlInstance"
	RolePrimary      = "primarySqlInstance"
	RoleBackupMirror = "backupMirrorSqlInstance"
)

// Request is one failover (or plan) request for one Persistent Chat pool.
type Request struct {
	SchemaVersion           int          `json:"schemaVersion"`
	PoolFQDN                string       `json:"poolFqdn"`
	Database                string       `json:"database,omitempty"`
	BackupSQLInstance       *SQLInstance `json:"backupSqlInstance"`
	PrimarySQLInstance      *SQLInstance `json:"primarySqlInstance,omitempty"`
	BackupMirrorSQLInstance *SQLInstance `json:"backupMirrorSqlInstance,omitempty"`
	Share                   string       `json:"share,omitempty"`
	CopyDestination         string       `json:"copyDestination,omitempty"`
	RunDirectory            string       `json:"runDirectory"`
	// PathMap translates paths as SQL Server names them (drive or UNC prefixes) into
	// paths this machine reaches (see core/winpath and cli/CONTRACT.md).
	PathMap []PathMapEntry `json:"pathMap,omitempty"`
	Lync    *Lync          `json:"lync,omitempty"`
	Options Options        `json:"options"`
	// Drill and Status tune the drill and status commands (drillstatus.go).
	Drill  *Drill  `json:"drill,omitempty"`
	Status *Status `json:"status,omitempty"`
	// Failback is read by pcfailover failback (core/request/failback.go).
	Failback *Failback `json:"failback,omitempty"`
}

// PathMapEntry maps one prefix as SQL Server names it (From: a drive path such as E:\ or
// E:\LSCopy, or a UNC path \\host\share[\folder]) to the same place as this machine
// reaches it (To: an absolute path of this machine). The longest matching From wins.
type PathMapEntry struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// SQLInstance says how to reach one SQL Server instance.
type SQLInstance struct {
	Server string `json:"server"`
	// Instance is the named instance ("" for the default instance).
	Instance string `json:"instance,omitempty"`
	// Port is the TCP port; 0 means 1433, or SQL Browser when Instance is set.
	Port int `json:"port,omitempty"`
	// Auth is "integrated" (Windows) or "sql".
	Auth string `json:"auth,omitempty"`
	// User is the SQL login when Auth is "sql".
	User string `json:"user,omitempty"`
	// PasswordEnv names the environment variable holding the SQL login's password.
	PasswordEnv string `json:"passwordEnv,omitempty"`
	// Encrypt is go-mssqldb's encrypt mode: disable, false, true or strict.
	Encrypt string `json:"encrypt,omitempty"`
	// Certificate is a PEM file used to verify the server certificate.
	Certificate            string `json:"certificate,omitempty"`
	HostNameInCertificate  string `json:"hostNameInCertificate,omitempty"`
	TrustServerCertificate bool   `json:"trustServerCertificate,omitempty"`
}

// Lync is the Lync side of the failover (runbook steps 5-7), executed by another package.
type Lync struct {
	Module               string            `json:"module,omitempty"`
	ActiveServers        []string          `json:"activeServers,omitempty"`
	DataCenters          map[string]string `json:"dataCenters,omitempty"`
	BackupDataCenter     string            `json:"backupDataCenter,omitempty"`
	AllowCrossDataCenter bool              `json:"allowCrossDataCenter,omitempty"`
	// MirrorFileShare is Install-CsMirrorDatabase's -FileShare (runbook step 6): a UNC
	// path the backup and backup mirror SQL Server service accounts can read and write.
	MirrorFileShare string `json:"mirrorFileShare,omitempty"`
	Skip            bool   `json:"skip,omitempty"`
}

// Options tune the run.
type Options struct {
	// AcceptDataLoss lets the run recover the database at a gap (or before a damaged
	// backup) in the log chain; the report then states the lost range.
	AcceptDataLoss bool `json:"acceptDataLoss"`
	// CopyParallelism bounds concurrent file copies (default 2).
	CopyParallelism int `json:"copyParallelism,omitempty"`
	// HeaderParallelism bounds concurrent RESTORE HEADERONLY batches (default 8, at most
	// 16): each header waits on the share's latency, so more at once hide a WAN share.
	HeaderParallelism int `json:"headerParallelism,omitempty"`
	// KillRetries bounds the kill-then-RESTORE WITH RECOVERY attempts on error 3101 (default 5).
	KillRetries int `json:"killRetries,omitempty"`
	// Retry bounds the retries of a statement that failed for a transient cause (the
	// connection dropped, an instance that did not answer the login in time, deadlock
	// victim 1205): defaults 5 attempts within 2 minutes.
	Retry Retry `json:"retry"`
}

// Retry bounds the retries of transient SQL failures within one run.
type Retry struct {
	// Attempts is the total number of tries of one statement, the first included
	// (default 5; 1 disables retrying).
	Attempts int `json:"attempts,omitempty"`
	// MaxElapsed is a Go duration ("2m", "90s"): no retry starts after it has passed
	// since the first try (default "2m").
	MaxElapsed string `json:"maxElapsed,omitempty"`
}

// MaxElapsedDuration returns MaxElapsed parsed (2 minutes when empty or invalid; Validate
// rejects invalid values).
func (r Retry) MaxElapsedDuration() time.Duration {
	d, err := time.ParseDuration(r.MaxElapsed)
	if err != nil || d <= 0 {
		return 2 * time.Minute
	}
	return d
}

// Passwords are the secrets from the standard-input envelope, by role (RoleBackup...).
type Passwords map[string]string

// Envelope is what standard input may carry: a request and its passwords.
type Envelope struct {
	Request   json.RawMessage `json:"request"`
	Passwords Passwords       `json:"passwords,omitempty"`
}

// Input is a decoded request document with its raw JSON, before validation.
type Input struct {
	Request   *Request
	Raw       []byte
	Passwords Passwords
}

// Decode reads a request, or an envelope {"request":..., "passwords":...}, from r. It
// does not validate; call Validate on the result. A syntax error is returned as a
// *ValidationError naming the position.
func Decode(r io.Reader) (*Input, error) {
	data, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("read request: %w", err)
	}
	return DecodeBytes(data)
}

// DecodeBytes is Decode for a byte slice.
func DecodeBytes(data []byte) (*Input, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // PowerShell 5.1 writes a BOM
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, &ValidationError{Errors: []FieldError{{Field: "(request)", Message: "is not a JSON object: " + err.Error(),
			Fix: "send one JSON object, the request or {\"request\":{...},\"passwords\":{...}}"}}}
	}
	in := &Input{Raw: data}
	if rawReq, ok := probe["request"]; ok && len(probe) <= 2 {
		var env Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			return nil, &ValidationError{Errors: []FieldError{{Field: "passwords", Message: "is malformed: " + err.Error(),
				Fix: "send passwords as an object of strings keyed by instance role"}}}
		}
		in.Raw = rawReq
		in.Passwords = env.Passwords
	}
	var req Request
	dec := json.NewDecoder(bytes.NewReader(in.Raw))
	if err := dec.Decode(&req); err != nil {
		// Type errors are reported by the schema pass; keep what decoded.
		_ = err
	}
	in.Request = &req
	return in, nil
}

// DecodePasswords reads the stdin passwords object used with --request FILE --password-stdin.
func DecodePasswords(r io.Reader) (Passwords, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read passwords: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var p Passwords
	if err := json.Unmarshal(data, &p); err != nil {
		// The message of a JSON error can quote input; do not echo it.
		return nil, &ValidationError{Errors: []FieldError{{Field: "passwords", Message: "standard input is not a JSON object of strings",
			Fix: "send {\"backupSqlInstance\":\"...\"} on standard input"}}}
	}
	return p, nil
}

// ApplyDefaults fills the defaults: database mgc, auth sql when a user is given and
// integrated otherwise, encrypt true, and the option defaults. They are the same on
// every goos; Validate(goos) then judges them for the platform.
func (r *Request) ApplyDefaults(goos string) {
	if r.Database == "" {
		r.Database = "mgc"
	}
	for _, in := range []*SQLInstance{r.BackupSQLInstance, r.PrimarySQLInstance, r.BackupMirrorSQLInstance} {
		if in == nil {
			continue
		}
		if in.Auth == "" {
			// A login name means SQL authentication; without one, Windows integrated
			// authentication (which Validate accepts only on Windows).
			if in.User != "" {
				in.Auth = "sql"
			} else {
				in.Auth = "integrated"
			}
		}
		if in.Encrypt == "" {
			in.Encrypt = "true"
		}
	}
	if r.Options.CopyParallelism == 0 {
		r.Options.CopyParallelism = 2
	}
	if r.Options.HeaderParallelism == 0 {
		r.Options.HeaderParallelism = 8
	}
	if r.Options.KillRetries == 0 {
		r.Options.KillRetries = 5
	}
	if r.Options.Retry.Attempts == 0 {
		r.Options.Retry.Attempts = 5
	}
	if r.Options.Retry.MaxElapsed == "" {
		r.Options.Retry.MaxElapsed = "2m"
	}
	r.applyDrillStatusDefaults()
}

// Instances returns the configured SQL instances by role.
func (r *Request) Instances() map[string]*SQLInstance {
	m := map[string]*SQLInstance{}
	if r.BackupSQLInstance != nil {
		m[RoleBackup] = r.BackupSQLInstance
	}
	if r.PrimarySQLInstance != nil {
		m[RolePrimary] = r.PrimarySQLInstance
	}
	if r.BackupMirrorSQLInstance != nil {
		m[RoleBackupMirror] = r.BackupMirrorSQLInstance
	}
	return m
}

// Load decodes, defaults and validates a request in one call, resolving passwords from
// the envelope and getenv. It returns a *ValidationError listing every problem.
func Load(data []byte, extra Passwords, getenv func(string) string) (*Request, Passwords, error) {
	in, err := DecodeBytes(data)
	if err != nil {
		return nil, nil, err
	}
	pw := Passwords{}
	for k, v := range in.Passwords {
		pw[k] = v
	}
	for k, v := range extra {
		pw[k] = v
	}
	in.Request.ApplyDefaults(runtime.GOOS)
	errs := mergeErrors(in.Request.Validate(runtime.GOOS), ValidateRaw(in.Raw))
	resolved, perrs := in.Request.ResolvePasswords(pw, getenv)
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		return nil, nil, &ValidationError{Errors: dedupe(errs)}
	}
	return in.Request, resolved, nil
}

// mergeErrors keeps every semantic error (they carry the better fix) and the schema
// errors about fields the semantic checks did not mention.
func mergeErrors(semantic, schema []FieldError) []FieldError {
	seen := map[string]bool{}
	for _, e := range semantic {
		seen[e.Field] = true
	}
	out := append([]FieldError(nil), semantic...)
	for _, e := range schema {
		if !seen[e.Field] {
			out = append(out, e)
		}
	}
	return out
}

func dedupe(errs []FieldError) []FieldError {
	seen := map[string]bool{}
	var out []FieldError
	for _, e := range errs {
		k := e.Field + "\x00" + e.Message
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// ResolvePasswords returns the password of every instance that uses sql auth: from the
// envelope (by role) first, else from the environment variable named by passwordEnv.
func (r *Request) ResolvePasswords(envelope Passwords, getenv func(string) string) (Passwords, []FieldError) {
	out := Passwords{}
	var errs []FieldError
	roles := []string{RoleBackup, RolePrimary, RoleBackupMirror}
	inst := r.Instances()
	for _, role := range roles {
		in := inst[role]
		if in == nil || in.Auth != "sql" {
			continue
		}
		if p := envelope[role]; p != "" {
			out[role] = p
			continue
		}
		if in.PasswordEnv != "" {
			if p := getenv(in.PasswordEnv); p != "" {
				out[role] = p
				continue
			}
			errs = append(errs, FieldError{Field: role + ".passwordEnv", Message: fmt.Sprintf("environment variable %s is not set or empty", in.PasswordEnv),
				Fix: "set the variable before running, or send the password in the standard-input envelope"})
			continue
		}
		errs = append(errs, FieldError{Field: role + ".passwordEnv", Message: "no password source for sql auth",
			Fix: "name an environment variable in passwordEnv, or send the password in the standard-input envelope (passwords." + role + ")"})
	}
	for role := range envelope {
		if !containsStr(roles, role) {
			errs = append(errs, FieldError{Field: "passwords." + role, Message: "is not a known instance role",
				Fix: "use " + strings.Join(roles, ", ")})
		}
	}
	return out, errs
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Overrides are command-line flags that take precedence over request fields.
type Overrides struct {
	RunDirectory   string
	AcceptDataLoss bool
}

// ApplyOverrides rewrites a request document (bare or envelope) with the overrides set,
// so that schema validation sees the effective request.
func ApplyOverrides(data []byte, o Overrides) ([]byte, error) {
	if o.RunDirectory == "" && !o.AcceptDataLoss {
		return data, nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return data, nil // reported by validation
	}
	target := doc
	if inner, ok := doc["request"].(map[string]any); ok && len(doc) <= 2 {
		target = inner
	}
	if o.RunDirectory != "" {
		target["runDirectory"] = o.RunDirectory
	}
	if o.AcceptDataLoss {
		opts, ok := target["options"].(map[string]any)
		if !ok {
			opts = map[string]any{}
		}
		opts["acceptDataLoss"] = true
		target["options"] = opts
	}
	return json.Marshal(doc)
}
