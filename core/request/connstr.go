package request

import (
	"net/url"
	"strconv"
	"strings"
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

// Redact replaces every secret in s with "********".
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "********")
	}
	return s
}
