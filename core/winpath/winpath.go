// Package winpath handles the two views of every file in a failover: the path as SQL
// Server names it (a Windows drive path such as E:\LSCopy\x.trn, or a UNC path such as
// \\SQLPCPRI\LogShip\x.trn) and the path as the machine running pcfailover reaches it.
//
// Parsing, comparing and joining Windows paths here does not depend on the GOOS the tool
// runs on (path/filepath does). Comparison is case-insensitive and by whole components,
// as NTFS and SMB treat names; '\' and '/' are equivalent separators in drive and UNC
// forms, as in the Win32 path normalisation. Components "." and "..", characters Windows
// forbids in names, and the \\?\ and \\.\ device prefixes are rejected explicitly: a path
// that SQL Server stores never needs them, and accepting them would let a path escape
// the prefix it was mapped by.
//
// Translation from SQL Server's view to this machine's view is done by a Mapper
// (mapper.go), built from the request's pathMap.
package winpath

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// Kind is the form of a path.
type Kind int

// The forms a path may take.
const (
	// Invalid is the zero Kind.
	Invalid Kind = iota
	// Drive is X:\dir\file, a path on a drive of one Windows host.
	Drive
	// UNC is \\host\share\dir\file.
	UNC
	// POSIX is /dir/file, an absolute path of a Unix machine (only this machine's paths,
	// or old lab paths given to the simulator).
	POSIX
)

func (k Kind) String() string {
	switch k {
	case Drive:
		return "drive"
	case UNC:
		return "UNC"
	case POSIX:
		return "POSIX"
	}
	return "invalid"
}

// Path is a parsed absolute path. The zero Path is invalid.
type Path struct {
	kind Kind
	// drive is the upper-case drive letter for Drive paths.
	drive byte
	// host and share name a UNC path's share, as given.
	host, share string
	// parts are the components below the root, as given (case kept), never empty, "." or "..".
	parts []string
}

// ErrDevicePath is returned for \\?\ and \\.\ paths.
var ErrDevicePath = errors.New(`device and long-path prefixes (\\?\, \\.\) are not supported; give the plain drive or UNC path`)

// Parse classifies and normalises an absolute path: a drive path (E:\ or E:, E:\dir),
// a UNC path (\\host\share[\dir]), or a POSIX absolute path (/dir). Repeated and trailing
// separators are dropped. Relative paths, drive-relative paths (E:dir), "." and ".."
// components, names with characters Windows forbids (<>:"|?* and control characters)
// and device paths are errors.
func Parse(s string) (Path, error) {
	switch {
	case s == "":
		return Path{}, errors.New("is empty")
	case strings.HasPrefix(s, `\\?\`), strings.HasPrefix(s, `\\.\`), strings.HasPrefix(s, `//?/`), strings.HasPrefix(s, `//./`),
		strings.HasPrefix(s, `\??\`):
		return Path{}, ErrDevicePath
	case len(s) >= 2 && isLetter(s[0]) && s[1] == ':':
		if len(s) > 2 && !isSep(s[2]) {
			return Path{}, fmt.Errorf("%q is relative to the current folder of drive %c:; give %c:\\%s", s, upper(s[0]), upper(s[0]), s[2:])
		}
		parts, err := splitWin(s[2:])
		if err != nil {
			return Path{}, err
		}
		return Path{kind: Drive, drive: upper(s[0]), parts: parts}, nil
	case len(s) >= 2 && isSep(s[0]) && isSep(s[1]):
		all, err := splitWin(s[2:])
		if err != nil {
			return Path{}, err
		}
		if len(all) < 2 || (len(s) > 2 && isSep(s[2])) {
			return Path{}, fmt.Errorf(`%q is not a UNC path \\host\share[\folder]`, s)
		}
		return Path{kind: UNC, host: all[0], share: all[1], parts: all[2:]}, nil
	case s[0] == '/':
		if strings.ContainsRune(s, 0) {
			return Path{}, fmt.Errorf("%q contains a NUL character", s)
		}
		parts, err := splitPOSIX(s)
		if err != nil {
			return Path{}, fmt.Errorf("%q %w; give the path without it", s, err)
		}
		return Path{kind: POSIX, parts: parts}, nil
	case s[0] == '\\':
		return Path{}, fmt.Errorf("%q is relative to the current drive; give the drive letter (E:\\...) or a UNC path", s)
	}
	return Path{}, fmt.Errorf("%q is not an absolute path (give a drive path E:\\folder or a UNC path \\\\host\\share)", s)
}

// MustKind returns the Kind of s, or Invalid when s does not parse.
func MustKind(s string) Kind {
	p, err := Parse(s)
	if err != nil {
		return Invalid
	}
	return p.kind
}

// MustParse is Parse for constants in tests and code; it panics on error.
func MustParse(s string) Path {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

func splitWin(s string) ([]string, error) {
	var parts []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == '\\' || r == '/' }) {
		switch c {
		case ".", "..":
			return nil, fmt.Errorf("contains a %q component; give the path without it", c)
		}
		if i := strings.IndexFunc(c, func(r rune) bool { return r < 32 || strings.ContainsRune(`<>:"|?*`, r) }); i >= 0 {
			return nil, fmt.Errorf("component %q contains %q, which Windows does not allow in a name", c, c[i])
		}
		if strings.TrimRight(c, ". ") == "" {
			return nil, fmt.Errorf("component %q is only dots and spaces", c)
		}
		parts = append(parts, c)
	}
	return parts, nil
}

func isSep(b byte) bool    { return b == '\\' || b == '/' }
func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }
func upper(b byte) byte {
	if b >= 'a' && b <= 'z' {
		return b - 'a' + 'A'
	}
	return b
}

// Kind returns the form of p.
func (p Path) Kind() Kind { return p.kind }

// IsZero reports whether p is the zero (invalid) Path.
func (p Path) IsZero() bool { return p.kind == Invalid }

// Drive returns the upper-case drive letter of a Drive path, else 0.
func (p Path) Drive() byte { return p.drive }

// Host returns the host of a UNC path, else "".
func (p Path) Host() string { return p.host }

// Share returns the share name of a UNC path, else "".
func (p Path) Share() string { return p.share }

// Parts returns the components below the root (drive, share or /).
func (p Path) Parts() []string { return append([]string(nil), p.parts...) }

// Base returns the last component, or "" for a root.
func (p Path) Base() string {
	if len(p.parts) == 0 {
		return ""
	}
	return p.parts[len(p.parts)-1]
}

// Dir returns p without its last component (a root stays a root).
func (p Path) Dir() Path {
	q := p
	if len(q.parts) > 0 {
		q.parts = append([]string(nil), p.parts[:len(p.parts)-1]...)
	}
	return q
}

// String renders p in its canonical form: E:\dir\file, \\host\share\dir, /dir/file.
// A drive root is E:\.
func (p Path) String() string {
	switch p.kind {
	case Drive:
		return string(p.drive) + `:\` + strings.Join(p.parts, `\`)
	case UNC:
		s := `\\` + p.host + `\` + p.share
		if len(p.parts) > 0 {
			s += `\` + strings.Join(p.parts, `\`)
		}
		return s
	case POSIX:
		return "/" + strings.Join(p.parts, "/")
	}
	return ""
}

// Join returns p with elem appended. Each elem may hold several components separated by
// '\' or '/' (and '/' only for POSIX paths); "." and ".." are rejected.
func (p Path) Join(elem ...string) (Path, error) {
	if p.kind == Invalid {
		return Path{}, errors.New("join onto an invalid path")
	}
	q := p
	q.parts = append([]string(nil), p.parts...)
	for _, e := range elem {
		var parts []string
		var err error
		if p.kind == POSIX {
			parts, err = splitPOSIX(e)
		} else {
			parts, err = splitWin(e)
		}
		if err != nil {
			return Path{}, fmt.Errorf("join %q onto %s: %w", e, p, err)
		}
		q.parts = append(q.parts, parts...)
	}
	return q, nil
}

func splitPOSIX(s string) ([]string, error) {
	var parts []string
	for _, c := range strings.Split(s, "/") {
		switch c {
		case "":
			continue
		case ".", "..":
			return nil, fmt.Errorf("contains a %q component", c)
		}
		parts = append(parts, c)
	}
	return parts, nil
}

// rootEqual reports whether p and q have the same root: the same kind and drive, or the
// same UNC host and share (case-insensitive).
func rootEqual(p, q Path) bool {
	if p.kind != q.kind || p.kind == Invalid {
		return false
	}
	switch p.kind {
	case Drive:
		return p.drive == q.drive
	case UNC:
		return HostEqual(p.host, q.host) && strings.EqualFold(p.share, q.share)
	}
	return true
}

// HostEqual compares two host names of UNC paths case-insensitively; a computer name
// (SQLPCPRI) equals a DNS name whose first label it is (sqlpcpri.contoso.com), as both
// reach the same server in one domain. IP addresses compare only as wholes.
func HostEqual(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	if strings.Contains(a, ".") == strings.Contains(b, ".") {
		return false
	}
	if strings.Contains(a, ".") {
		a, b = b, a
	}
	first, _, _ := strings.Cut(b, ".")
	if net.ParseIP(b) != nil || a == "" {
		return false
	}
	return strings.EqualFold(a, first)
}

// Equal reports whether p and q name the same place (Windows forms case-insensitively, as
// NTFS and SMB look names up: Go's simple case folding stands in for NTFS's upcase table;
// POSIX paths exactly).
func (p Path) Equal(q Path) bool {
	if !rootEqual(p, q) || len(p.parts) != len(q.parts) {
		return false
	}
	for i := range p.parts {
		if !p.partEqual(p.parts[i], q.parts[i]) {
			return false
		}
	}
	return true
}

func (p Path) partEqual(a, b string) bool {
	if p.kind == POSIX {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// Rel returns the components of p below prefix, and whether prefix is a whole-component
// prefix of p (E:\LSCopy is a prefix of e:\lscopy\x.trn but not of E:\LSCopy2\x.trn).
func (p Path) Rel(prefix Path) ([]string, bool) {
	if !rootEqual(p, prefix) || len(prefix.parts) > len(p.parts) {
		return nil, false
	}
	for i := range prefix.parts {
		if !p.partEqual(p.parts[i], prefix.parts[i]) {
			return nil, false
		}
	}
	return append([]string(nil), p.parts[len(prefix.parts):]...), true
}

// HasPrefix reports whether prefix is a whole-component prefix of p.
func (p Path) HasPrefix(prefix Path) bool {
	_, ok := p.Rel(prefix)
	return ok
}

// AdminShare returns the administrative share form of a drive path on host:
// E:\LSCopy on SQLPCBAK is \\SQLPCBAK\E$\LSCopy. Other kinds are returned unchanged
// with ok false.
func (p Path) AdminShare(host string) (Path, bool) {
	if p.kind != Drive || host == "" {
		return p, false
	}
	return Path{kind: UNC, host: host, share: string(p.drive) + "$", parts: append([]string(nil), p.parts...)}, true
}
