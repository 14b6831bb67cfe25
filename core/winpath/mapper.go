package winpath

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
)

// Entry is one pathMap entry: From as SQL Server names the place (drive or UNC prefix),
// To as this machine reaches it.
type Entry struct {
	From string
	To   string
}

type entry struct {
	from Path
	to   Path
}

// Mapper translates paths as SQL Server names them into paths this machine reaches
// (cli/CONTRACT.md, "pathMap"):
//  1. the entry with the longest From that is a whole-component prefix of the path wins;
//  2. a drive path X:\rest of host H: on Windows, when this machine is H, it is used
//     directly; else H's administrative share \\H\X$\rest, mapped by rule 1 when an
//     entry covers it, else used as is on Windows and unreachable elsewhere;
//  3. a UNC path: used as is on Windows, unreachable elsewhere;
//  4. a POSIX path (old labs, tests) is used as is.
type Mapper struct {
	entries []entry
	goos    string
	// localHost is this machine's computer name (compared with MachineName).
	localHost string
}

// NewMapper builds a Mapper from pathMap entries (already validated by core/request).
// goos is the platform the tool runs on and localHost its computer name; NewMapper
// with goos "" uses runtime.GOOS and os.Hostname.
func NewMapper(entries []Entry, goos, localHost string) (*Mapper, error) {
	if goos == "" {
		goos = runtime.GOOS
		if h, err := os.Hostname(); err == nil {
			localHost = h
		}
	}
	m := &Mapper{goos: goos, localHost: shortHost(localHost)}
	for i, e := range entries {
		from, err := Parse(e.From)
		if err != nil {
			return nil, fmt.Errorf("pathMap[%d].from: %w", i, err)
		}
		to, err := Parse(e.To)
		if err != nil {
			return nil, fmt.Errorf("pathMap[%d].to: %w", i, err)
		}
		m.entries = append(m.entries, entry{from: from, to: to})
	}
	// Longest prefix first; stable so that equal lengths keep the request's order.
	sort.SliceStable(m.entries, func(i, j int) bool { return len(m.entries[i].from.parts) > len(m.entries[j].from.parts) })
	return m, nil
}

// shortHost turns a DNS name into its first label, the Windows computer name.
func shortHost(h string) string {
	h, _, _ = strings.Cut(h, ".")
	return h
}

// GOOS returns the platform the Mapper translates for.
func (m *Mapper) GOOS() string { return m.goos }

// UnreachableError says that a path SQL Server names cannot be reached from this machine.
type UnreachableError struct {
	// SQLPath is the path as SQL Server names it; Tried is the path this machine would
	// use ("" when there is none).
	SQLPath, Tried string
	// Reason explains why.
	Reason string
}

func (e *UnreachableError) Error() string {
	s := fmt.Sprintf("the SQL Server path %s is not reachable from this machine", e.SQLPath)
	if e.Tried != "" {
		s += fmt.Sprintf(" (tried %s)", e.Tried)
	}
	return s + ": " + e.Reason + "; fix: " + e.Fix()
}

// Fix says what the operator can do.
func (e *UnreachableError) Fix() string {
	return fmt.Sprintf(`add a pathMap entry {"from": %q, "to": "<the same folder as this machine reaches it>"} to the request, or share the folder and give its UNC path (share/copyDestination)`, e.SQLPath)
}

// ErrUnreachable is matched by errors.Is for every *UnreachableError.
var ErrUnreachable = errors.New("path not reachable from this machine")

// Is makes errors.Is(err, ErrUnreachable) true.
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

// Local returns the path this machine uses for sqlPath, a path as the SQL Server on host
// (its SERVERPROPERTY('MachineName')) names it.
func (m *Mapper) Local(sqlPath, host string) (string, error) {
	p, err := Parse(sqlPath)
	if err != nil {
		return "", fmt.Errorf("path %q named by SQL Server: %w", sqlPath, err)
	}
	if p.kind == POSIX {
		return p.String(), nil
	}
	if l, ok := m.mapped(p); ok {
		return l, nil
	}
	host = shortHost(host)
	if p.kind == Drive {
		if m.goos == "windows" && host != "" && strings.EqualFold(host, m.localHost) {
			return p.String(), nil
		}
		if host == "" {
			return "", &UnreachableError{SQLPath: p.String(), Reason: "the SQL host that owns this drive path is unknown"}
		}
		admin, _ := p.AdminShare(host)
		if l, ok := m.mapped(admin); ok {
			return l, nil
		}
		if m.goos == "windows" {
			return admin.String(), nil
		}
		return "", &UnreachableError{SQLPath: p.String(), Tried: admin.String(),
			Reason: fmt.Sprintf("it is a drive of %s, and on %s its administrative share %s is reachable only through pathMap", host, m.goos, admin)}
	}
	if m.goos == "windows" {
		return p.String(), nil
	}
	return "", &UnreachableError{SQLPath: p.String(), Tried: p.String(),
		Reason: fmt.Sprintf("on %s a UNC path is reachable only through pathMap", m.goos)}
}

// mapped applies the longest matching entry.
func (m *Mapper) mapped(p Path) (string, bool) {
	for _, e := range m.entries {
		rest, ok := p.Rel(e.from)
		if !ok {
			continue
		}
		q := e.to
		q.parts = append(append([]string(nil), e.to.parts...), rest...)
		return q.String(), true
	}
	return "", false
}

// SQLJoin joins a file name onto a folder as SQL Server names it (Windows rules for
// drive and UNC paths, '/' for POSIX paths). name must be a single component.
func SQLJoin(dir, name string) (string, error) {
	p, err := Parse(dir)
	if err != nil {
		return "", fmt.Errorf("folder %q: %w", dir, err)
	}
	if strings.ContainsAny(name, `\/`) {
		return "", fmt.Errorf("file name %q contains a separator", name)
	}
	q, err := p.Join(name)
	if err != nil {
		return "", err
	}
	return q.String(), nil
}

// BaseName returns the last component of a Windows or POSIX path ("" for a root).
func BaseName(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	return p[i+1:]
}

// SamePath reports whether a and b name the same place by Windows rules (case-insensitive,
// '\' = '/', trailing separators ignored); POSIX paths compare exactly.
func SamePath(a, b string) bool {
	pa, err1 := Parse(a)
	pb, err2 := Parse(b)
	if err1 != nil || err2 != nil {
		return a != "" && a == b
	}
	return pa.Equal(pb)
}
