package request

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ConnString builds the go-mssqldb URL connection string for in, opening database (for
// example "master"). The password goes only into the URL's user info (url.UserPassword
// escapes it); never print the result, print Describe instead.
func (in *SQLInstance) ConnString(password, database, appName string) string {
	u := &url.URL{Scheme: "sqlserver", Host: in.Server}
	if in.Port > 0 {
		u.Host = in.Server + ":" + strconv.Itoa(in.Port)
	}
	if in.Instance != "" && in.Port == 0 {
		u.Path = "/" + in.Instance
	}
	if in.Auth == "sql" {
		u.User = url.UserPassword(in.User, password)
	}
	q := url.Values{}
	q.Set("database", database)
	if appName != "" {
		q.Set("app name", appName)
	}
	if in.Encrypt != "" {
		q.Set("encrypt", in.Encrypt)
	}
	if in.Certificate != "" {
		q.Set("certificate", in.Certificate)
	}
	if in.HostNameInCertificate != "" {
		q.Set("hostNameInCertificate", in.HostNameInCertificate)
	}
	if in.TrustServerCertificate {
		q.Set("TrustServerCertificate", "true")
	}
	q.Set("dial timeout", "15")
	u.RawQuery = q.Encode()
	return u.String()
}

// Describe names the instance for messages: server[\instance][,port] and the login.
func (in *SQLInstance) Describe() string {
	s := in.Server
	if in.Instance != "" {
		s += `\` + in.Instance
	}
	if in.Port > 0 {
		s += "," + strconv.Itoa(in.Port)
	}
	if in.Auth == "sql" {
		s += " (sql login " + in.User + ")"
	}
	return s
}

// Redactor removes known secrets from text before it is printed, journaled or reported.
type Redactor struct {
	secrets []string
}

// NewRedactor returns a Redactor for the given secrets (empty ones are ignored), also
// covering their URL-escaped forms.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		r.secrets = append(r.secrets, s)
		if e := url.QueryEscape(s); e != s {
			r.secrets = append(r.secrets, e)
		}
		if e := url.PathEscape(s); e != s {
			r.secrets = append(r.secrets, e)
		}
		if e := strings.TrimPrefix(url.UserPassword("", s).String(), ":"); e != s {
			r.secrets = append(r.secrets, e)
		}
	}
	return r
}

// ForPasswords returns a Redactor for every password in p.
func ForPasswords(p Passwords) *Redactor {
	var s []string
	for _, v := range p {
		s = append(s, v)
	}
	return NewRedactor(s...)
}

// Redact replaces every occurrence of a secret in s with "********", except where the
// occurrence is only part of a longer word (a letter or digit right before or after it,
// where the secret itself begins or ends with one): a short password such as "e" must not
// turn "exitCode" into "********xitCode". A secret shorter than 4 characters is redacted
// only as a credential value ("password=e;", "sa:e@host").
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		s = replaceWhole(s, sec, "********", utf8.RuneCountInString(sec) < minBareSecret)
	}
	return s
}

// minBareSecret is the length below which a secret is redacted only in a credential
// context (password=, pwd=, user:secret@): a one-letter password is also a word of
// ordinary text ("the pool's servers" with password "s").
const minBareSecret = 4

// inCredentialContext reports whether the occurrence s[j:end] is a credential value.
func inCredentialContext(s string, j, end int) bool {
	before := strings.ToLower(s[:j])
	if strings.HasSuffix(before, "password=") || strings.HasSuffix(before, "pwd=") {
		return end == len(s) || strings.ContainsRune(";&'\" \t\r\n", rune(s[end]))
	}
	return strings.HasSuffix(before, ":") && end < len(s) && s[end] == '@'
}

// replaceWhole replaces the occurrences of sec in s that are not part of a longer word
// (with contextOnly, only those in a credential context).
func replaceWhole(s, sec, with string, contextOnly bool) string {
	if sec == "" || !strings.Contains(s, sec) {
		return s
	}
	first, _ := utf8.DecodeRuneInString(sec)
	last, _ := utf8.DecodeLastRuneInString(sec)
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(s[i:], sec)
		if j < 0 {
			break
		}
		j += i
		end := j + len(sec)
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[end:])
		inWord := (j > 0 && isWordRune(first) && isWordRune(before)) ||
			(end < len(s) && isWordRune(last) && isWordRune(after))
		if inWord || (contextOnly && !inCredentialContext(s, j, end)) {
			b.WriteString(s[i : j+1])
			i = j + 1
			continue
		}
		b.WriteString(s[i:j])
		b.WriteString(with)
		i = end
	}
	b.WriteString(s[i:])
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// RedactJSON redacts the string values of the JSON document b (never its keys, numbers or
// structure), so the result is still the same valid JSON with the same keys whatever the
// secrets are; a value that contains a secret is re-encoded (with \u escapes for
// HTML characters as encoding/json writes them; non-ASCII stays UTF-8). b is returned unchanged
// when it is not valid JSON.
func (r *Redactor) RedactJSON(b []byte) []byte {
	if r == nil || len(r.secrets) == 0 || !json.Valid(b) {
		return b
	}
	var out bytes.Buffer
	i := 0
	for i < len(b) {
		if b[i] != '"' {
			out.WriteByte(b[i])
			i++
			continue
		}
		// A string literal: find its end.
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		lit := b[i : j+1]
		i = j + 1
		// A key is followed (after blanks) by a colon.
		k := i
		for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r') {
			k++
		}
		if k < len(b) && b[k] == ':' {
			out.Write(lit)
			continue
		}
		var v string
		if err := json.Unmarshal(lit, &v); err != nil {
			out.Write(lit)
			continue
		}
		red := r.Redact(v)
		if red == v {
			out.Write(lit)
			continue
		}
		enc, _ := json.Marshal(red)
		out.Write(enc)
	}
	return out.Bytes()
}
