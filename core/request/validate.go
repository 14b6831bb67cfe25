package request

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"pcfailover/core/winpath"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the request JSON Schema (draft 2020-12) that `pcfailover schema` prints.
func Schema() []byte { return bytes.Clone(schemaJSON) }

// FieldError is one problem in a request: the field (a dotted path), what is wrong, and
// what to do about it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

func (e FieldError) String() string {
	return fmt.Sprintf("%s: %s (fix: %s)", e.Field, e.Message, e.Fix)
}

// ValidationError lists every problem found in a request.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.String()
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("request.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("request.json")
})

// ValidateRaw checks raw request JSON against the schema and rejects any field named
// "password" (passwords never live in a request). It returns one FieldError per problem.
func ValidateRaw(raw []byte) []FieldError {
	var errs []FieldError
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return []FieldError{{Field: "(request)", Message: "is not valid JSON", Fix: "send one JSON object"}}
	}
	findPassword(doc, "", &errs)
	sch, err := compiled()
	if err != nil {
		return append(errs, FieldError{Field: "(schema)", Message: "the built-in schema does not compile: " + err.Error(), Fix: "report this bug"})
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if ok := asValidationError(err, &ve); ok {
			p := message.NewPrinter(language.English)
			collectSchemaErrors(ve, p, &errs)
		} else {
			errs = append(errs, FieldError{Field: "(request)", Message: err.Error(), Fix: "compare the request with `pcfailover schema`"})
		}
	}
	return errs
}

func asValidationError(err error, out **jsonschema.ValidationError) bool {
	ve, ok := err.(*jsonschema.ValidationError)
	*out = ve
	return ok
}

func findPassword(v any, path string, errs *[]FieldError) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := joinPath(path, k)
			if strings.EqualFold(k, "password") {
				*errs = append(*errs, FieldError{Field: p, Message: "a request must not contain a password",
					Fix: "remove it; name an environment variable in passwordEnv, or send the password in the standard-input envelope"})
				continue
			}
			findPassword(t[k], p, errs)
		}
	case []any:
		for i, x := range t {
			findPassword(x, fmt.Sprintf("%s[%d]", path, i), errs)
		}
	}
}

func joinPath(base, k string) string {
	if k == "" {
		k = `""` // an empty key still gets a visible name
	}
	if base == "" {
		return k
	}
	return base + "." + k
}

func collectSchemaErrors(ve *jsonschema.ValidationError, p *message.Printer, errs *[]FieldError) {
	if len(ve.Causes) > 0 {
		// oneOf on a nullable object: report the object branch's errors only.
		for _, c := range ve.Causes {
			collectSchemaErrors(c, p, errs)
		}
		return
	}
	field := strings.Join(ve.InstanceLocation, ".")
	if field == "" {
		field = "(request)"
	}
	msg := ve.ErrorKind.LocalizedString(p)
	fix := "compare the request with `pcfailover schema`"
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, prop := range k.Properties {
			if strings.EqualFold(prop, "password") {
				continue // reported by findPassword
			}
			*errs = append(*errs, FieldError{Field: joinPath(strings.Join(ve.InstanceLocation, "."), prop), Message: "is not a known field",
				Fix: "remove it or correct its spelling (see `pcfailover schema`)"})
		}
		return
	case *kind.Required:
		for _, prop := range k.Missing {
			*errs = append(*errs, FieldError{Field: joinPath(strings.Join(ve.InstanceLocation, "."), prop), Message: "is required", Fix: fixFor(prop)})
		}
		return
	case *kind.Type:
		if len(k.Want) == 1 && k.Want[0] == "null" {
			return // the null branch of a nullable object; the object branch explains
		}
		msg = fmt.Sprintf("must be %s, not %s", strings.Join(k.Want, " or "), k.Got)
		fix = "give it the right JSON type (see `pcfailover schema`)"
	case *kind.Enum:
		fix = "use one of the listed values"
	case *kind.Const:
		fix = "set it to 1"
	}
	*errs = append(*errs, FieldError{Field: field, Message: msg, Fix: fix})
}

func fixFor(prop string) string {
	switch prop {
	case "server":
		return "set it to the SQL Server host name"
	case "backupSqlInstance":
		return "describe the backup (log-shipping secondary) SQL Server instance: {\"server\": \"...\"}"
	case "poolFqdn":
		return "set it to the Persistent Chat pool FQDN"
	case "runDirectory":
		return "set it to a local folder for the lock and journal"
	case "schemaVersion":
		return "set it to 1"
	}
	return "add it"
}

var (
	identRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_@$#]{0,127}$`)
	hostRE   = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$`)
	instRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]{0,15}$`)
	envVarRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// reserved names a failover must never touch.
var systemDatabases = map[string]bool{"master": true, "model": true, "msdb": true, "tempdb": true, "resource": true, "distribution": true}

// Validate runs the semantic checks after ApplyDefaults; goos is the platform the run
// happens on (integrated auth needs Windows, and paths are judged by its rules).
func (r *Request) Validate(goos string) []FieldError {
	var errs []FieldError
	add := func(field, msg, fix string) { errs = append(errs, FieldError{Field: field, Message: msg, Fix: fix}) }
	if r.SchemaVersion != SchemaVersion {
		add("schemaVersion", fmt.Sprintf("is %d, this build reads %d", r.SchemaVersion, SchemaVersion), "set it to 1")
	}
	if r.PoolFQDN == "" {
		add("poolFqdn", "is required", "set it to the Persistent Chat pool FQDN")
	} else if !hostRE.MatchString(r.PoolFQDN) || !strings.Contains(r.PoolFQDN, ".") {
		add("poolFqdn", fmt.Sprintf("%q is not a fully qualified domain name", r.PoolFQDN), "use the pool FQDN, e.g. pchat.contoso.com")
	}
	if !identRE.MatchString(r.Database) {
		add("database", fmt.Sprintf("%q is not a regular SQL Server identifier", r.Database), "use the Persistent Chat database name (default mgc): letters, digits and _ only")
	} else if systemDatabases[strings.ToLower(r.Database)] {
		add("database", fmt.Sprintf("%q is a system database", r.Database), "use the Persistent Chat database name (default mgc)")
	}
	if r.BackupSQLInstance == nil {
		add("backupSqlInstance", "is required", "describe the backup (log-shipping secondary) SQL Server instance: {\"server\": \"...\"}")
	}
	for role, in := range r.Instances() {
		errs = append(errs, in.validate(role, goos)...)
	}
	if r.RunDirectory == "" {
		add("runDirectory", "is required", "set it to a local folder for the lock and journal")
	} else if !IsAbsPath(goos, r.RunDirectory) {
		add("runDirectory", fmt.Sprintf("%q is not an absolute path", r.RunDirectory), "use an absolute local folder")
	}
	// share and copyDestination are paths as SQL Server names them (Windows paths, on any
	// goos; POSIX paths only for old labs): pathMap says how this machine reaches them.
	if r.Share != "" {
		if _, err := winpath.Parse(r.Share); err != nil {
			add("share", fmt.Sprintf("%q: %v", r.Share, err), `use the share as SQL Server names it: a UNC path (\\server\share\folder) or a drive path of the backup SQL Server`)
		}
	}
	if r.CopyDestination != "" {
		if _, err := winpath.Parse(r.CopyDestination); err != nil {
			add("copyDestination", fmt.Sprintf("%q: %v", r.CopyDestination, err), `use the copy folder as the backup SQL Server names it (E:\LSCopy, or a UNC path)`)
		}
	}
	errs = append(errs, r.validatePathMap(goos)...)
	o := r.Options
	if o.CopyParallelism < 1 || o.CopyParallelism > 16 {
		add("options.copyParallelism", fmt.Sprintf("is %d", o.CopyParallelism), "use 1 to 16")
	}
	if o.HeaderParallelism < 1 || o.HeaderParallelism > 16 {
		add("options.headerParallelism", fmt.Sprintf("is %d", o.HeaderParallelism), "use 1 to 16")
	}
	if o.KillRetries < 1 || o.KillRetries > 50 {
		add("options.killRetries", fmt.Sprintf("is %d", o.KillRetries), "use 1 to 50")
	}
	if o.Retry.Attempts < 1 || o.Retry.Attempts > 50 {
		add("options.retry.attempts", fmt.Sprintf("is %d", o.Retry.Attempts), "use 1 to 50 (1: never retry)")
	}
	if d, err := time.ParseDuration(o.Retry.MaxElapsed); err != nil || d < time.Second || d > time.Hour {
		add("options.retry.maxElapsed", fmt.Sprintf("%q is not a duration from 1s to 1h", o.Retry.MaxElapsed), `use a duration such as "2m" or "90s"`)
	}
	if l := r.Lync; l != nil && !l.Skip {
		for i, s := range l.ActiveServers {
			if !hostRE.MatchString(s) {
				add(fmt.Sprintf("lync.activeServers[%d]", i), fmt.Sprintf("%q is not a host name", s), "use the server FQDN")
				continue
			}
			dc, ok := l.DataCenters[s]
			switch {
			case len(l.DataCenters) > 0 && !ok:
				add(fmt.Sprintf("lync.activeServers[%d]", i), fmt.Sprintf("%s has no data center in lync.dataCenters", s), "add it to lync.dataCenters")
			case ok && l.BackupDataCenter != "" && dc != l.BackupDataCenter && !l.AllowCrossDataCenter:
				add(fmt.Sprintf("lync.activeServers[%d]", i), fmt.Sprintf("%s is in %s, not in the backup data center %s", s, dc, l.BackupDataCenter),
					"choose active servers in the backup data center, or set lync.allowCrossDataCenter if it has low-latency access")
			}
		}
		if m := l.MirrorFileShare; m != "" && !isUNC(m) {
			add("lync.mirrorFileShare", fmt.Sprintf("%q is not a UNC path", m), `use \\server\share, a share the backup and backup mirror SQL Server service accounts can read and write`)
		}
		if l.BackupDataCenter != "" && len(l.DataCenters) > 0 {
			found := false
			for _, dc := range l.DataCenters {
				found = found || dc == l.BackupDataCenter
			}
			if !found {
				add("lync.backupDataCenter", fmt.Sprintf("%q is not a data center in lync.dataCenters", l.BackupDataCenter), "use one of the data centers named in lync.dataCenters")
			}
		}
	}
	errs = append(errs, r.validateDrillStatus(goos)...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs
}

// validatePathMap checks each pathMap entry: from is a drive or UNC prefix as SQL Server
// names it, to is an absolute path of this machine (by goos's rules), and no from is
// given twice (compared as Windows compares paths: case-insensitive, '/' = '\').
func (r *Request) validatePathMap(goos string) []FieldError {
	var errs []FieldError
	add := func(field, msg, fix string) { errs = append(errs, FieldError{Field: field, Message: msg, Fix: fix}) }
	const fromFix = `give the prefix as SQL Server names it: a drive path (E:\ or E:\LSCopy) or a UNC path (\\host\share or \\host\E$\folder)`
	toFix := "give the same folder as this machine reaches it, as an absolute path (e.g. /mnt/lscopy)"
	if goos == "windows" {
		toFix = `give the same folder as this machine reaches it, as an absolute path (e.g. \\SQLPCBAK\E$\LSCopy or D:\LSCopy)`
	}
	var seen []winpath.Path
	for i, e := range r.PathMap {
		field := fmt.Sprintf("pathMap[%d]", i)
		from, err := winpath.Parse(e.From)
		switch {
		case e.From == "":
			add(field+".from", "is required", fromFix)
		case err != nil:
			add(field+".from", fmt.Sprintf("%q: %v", e.From, err), fromFix)
		case from.Kind() != winpath.Drive && from.Kind() != winpath.UNC:
			add(field+".from", fmt.Sprintf("%q is a %s path, not a drive or UNC path", e.From, from.Kind()), fromFix)
		default:
			dup := -1
			for j, p := range seen {
				if !p.IsZero() && p.Equal(from) {
					dup = j
					break
				}
			}
			if dup >= 0 {
				add(field+".from", fmt.Sprintf("%q is already mapped by pathMap[%d]", e.From, dup), "keep one entry per prefix; remove this one or the other")
			}
		}
		if err == nil && (from.Kind() == winpath.Drive || from.Kind() == winpath.UNC) {
			seen = append(seen, from)
		} else {
			seen = append(seen, winpath.Path{})
		}
		to, terr := winpath.Parse(e.To)
		switch {
		case e.To == "":
			add(field+".to", "is required", toFix)
		case terr != nil:
			add(field+".to", fmt.Sprintf("%q: %v", e.To, terr), toFix)
		case !IsAbsPath(goos, e.To) || (goos != "windows" && to.Kind() != winpath.POSIX):
			add(field+".to", fmt.Sprintf("%q is not an absolute path of this machine (%s)", e.To, goos), toFix)
		}
	}
	return errs
}

func (in *SQLInstance) validate(role, goos string) []FieldError {
	var errs []FieldError
	add := func(field, msg, fix string) {
		errs = append(errs, FieldError{Field: role + "." + field, Message: msg, Fix: fix})
	}
	switch {
	case in.Server == "":
		add("server", "is required", "set it to the SQL Server host name")
	case strings.ContainsAny(in.Server, `\/`):
		add("server", fmt.Sprintf("%q contains a slash", in.Server), `give the host only and put a named instance in "instance"`)
	case !hostRE.MatchString(in.Server):
		add("server", fmt.Sprintf("%q is not a host name or IP address", in.Server), "use the SQL Server host name")
	}
	if in.Instance != "" && !instRE.MatchString(in.Instance) {
		add("instance", fmt.Sprintf("%q is not a SQL Server instance name", in.Instance), "use the instance name only (letters, digits, _), or leave it empty for the default instance")
	}
	if in.Port < 0 || in.Port > 65535 {
		add("port", fmt.Sprintf("%d is out of range", in.Port), "use 1-65535, or 0 for the default")
	}
	switch in.Auth {
	case "integrated":
		if goos != "windows" {
			add("auth", "integrated authentication needs Windows", `use "auth": "sql" with a user and passwordEnv, or run on Windows`)
		}
		if in.User != "" {
			add("user", "is set with integrated authentication", `remove it, or use "auth": "sql"`)
		}
	case "sql":
		if in.User == "" {
			add("user", "is required with sql authentication", "set the SQL login name")
		}
	default:
		add("auth", fmt.Sprintf("%q is not integrated or sql", in.Auth), `use "integrated" or "sql"`)
	}
	if in.PasswordEnv != "" && !envVarRE.MatchString(in.PasswordEnv) {
		add("passwordEnv", fmt.Sprintf("%q is not an environment variable name", in.PasswordEnv), "use letters, digits and _")
	}
	switch in.Encrypt {
	case "disable", "false", "true", "strict":
	default:
		add("encrypt", fmt.Sprintf("%q is not disable, false, true or strict", in.Encrypt), "use one of disable, false, true, strict")
	}
	if in.Certificate != "" {
		if st, err := os.Stat(in.Certificate); err != nil || st.IsDir() {
			add("certificate", fmt.Sprintf("%q is not a readable file", in.Certificate), "give the path of the server certificate's PEM file")
		}
	}
	if in.Encrypt == "disable" && (in.Certificate != "" || in.TrustServerCertificate) {
		add("encrypt", "is disable while a certificate or trustServerCertificate is given", `use "true" or "strict", or drop the certificate settings`)
	}
	return errs
}

// IsAbsPath reports whether p is absolute by goos's rules: on Windows a drive path
// (C:\x) or a UNC path (\\server\share); elsewhere a path starting with '/'.
func IsAbsPath(goos, p string) bool {
	if goos == "windows" {
		if len(p) >= 3 && isLetter(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
			return true
		}
		return len(p) > 2 && (strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "//")) && len(strings.TrimLeft(p, `\/`)) > 0
	}
	return strings.HasPrefix(p, "/")
}

// isUNC reports whether p is \\server\share[\...].
func isUNC(p string) bool {
	if !strings.HasPrefix(p, `\\`) {
		return false
	}
	server, share, ok := strings.Cut(p[2:], `\`)
	return ok && server != "" && strings.Trim(share, `\`) != ""
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// MarshalErrors renders FieldErrors as the contract's "errors" array.
func MarshalErrors(errs []FieldError) json.RawMessage {
	b, _ := json.Marshal(errs)
	return b
}
