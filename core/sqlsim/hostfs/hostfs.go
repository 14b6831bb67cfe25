// Package hostfs models the Windows hosts of a simulated SQL Server deployment: each
// host has drives and named shares, and can be up or down. A path that a simulated SQL
// Server is given (a drive path such as E:\LSCopy\x.trn, a UNC path such as
// \\SQLPCPRI\LogShip\x.trn, or an administrative share \\SQLPCBAK\E$\LSCopy) is resolved
// to a folder of this machine under the network's root:
//
//	<root>/<HOST>/<DRIVE>/...      e.g. <root>/SQLPCBAK/E/LSCopy/mgc_20261125120000.trn
//
// A drive path means the drive of the host that evaluates it (the SQL Server's own
// machine), so E:\LSCopy on SQLPCPRI and E:\LSCopy on SQLPCBAK are different folders.
// Existing path components are matched case-insensitively, as NTFS does; new
// components are created with the case given. A share of a host that is down or
// unknown fails with Windows error 53 ("The network path was not found."), a share the
// host does not have (an administrative share of a drive it lacks too) with 67 ("The
// network name cannot be found."), a missing folder with 3 ("The system cannot find the
// path specified."), and a missing file with 2 ("The system cannot find the file
// specified."): the
// operating-system errors SQL Server reports in message 3201 (see
// core/sqlsim/FIDELITY.md "Hosts and paths").
//
// A POSIX absolute path (starting with "/") is not a Windows path: it is used as it is,
// so callers that pass temporary folders keep working.
package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Windows system error codes (winerror.h) that SQL Server reports in "Operating system
// error N(text)".
const (
	// ErrFileNotFound is ERROR_FILE_NOT_FOUND.
	ErrFileNotFound = 2
	// ErrPathNotFound is ERROR_PATH_NOT_FOUND.
	ErrPathNotFound = 3
	// ErrAccessDenied is ERROR_ACCESS_DENIED.
	ErrAccessDenied = 5
	// ErrBadNetPath is ERROR_BAD_NETPATH.
	ErrBadNetPath = 53
	// ErrBadNetName is ERROR_BAD_NET_NAME: the host answers, the share name is not one
	// of its shares.
	ErrBadNetName = 67
)

var osTexts = map[int]string{
	ErrFileNotFound: "The system cannot find the file specified.",
	ErrPathNotFound: "The system cannot find the path specified.",
	ErrAccessDenied: "Access is denied.",
	ErrBadNetPath:   "The network path was not found.",
	ErrBadNetName:   "The network name cannot be found.",
}

// OSErrorText is "N(text)" as SQL Server prints an operating-system error, e.g.
// "53(The network path was not found.)".
func OSErrorText(code int) string {
	if t, ok := osTexts[code]; ok {
		return fmt.Sprintf("%d(%s)", code, t)
	}
	return fmt.Sprintf("%d(Unknown error.)", code)
}

// PathError is a path that cannot be resolved: Code is the Windows error code.
type PathError struct {
	// Path is the path as it was given (the SQL Server's view).
	Path string
	// Code is ErrBadNetPath, ErrBadNetName, ErrAccessDenied, ErrPathNotFound or
	// ErrFileNotFound.
	Code int
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%s: operating system error %s", e.Path, OSErrorText(e.Code))
}

// OSError is the "N(text)" form of Code.
func (e *PathError) OSError() string { return OSErrorText(e.Code) }

// Network is a set of simulated Windows hosts sharing one root folder. Its methods are
// safe for concurrent use.
type Network struct {
	root  string
	mu    sync.RWMutex
	hosts map[string]*host // key: upper-case host name
}

type host struct {
	name   string
	down   bool
	shares map[string]share // key: upper-case share name
}

type share struct {
	name string
	path string // drive path on the host, e.g. D:\LogShip
	// denied: the SQL Servers' service accounts have no rights on the share (error 5).
	denied bool
}

// New returns a network whose hosts live under root (created on demand).
func New(root string) *Network {
	return &Network{root: root, hosts: map[string]*host{}}
}

// Root is the folder under which every host's drives live.
func (n *Network) Root() string { return n.root }

// AddHost adds a host with the given drive letters (each gets an empty folder
// <root>/<HOST>/<LETTER>). Adding an existing host adds the drives.
func (n *Network) AddHost(name string, drives ...string) error {
	if name == "" || strings.ContainsAny(name, `\/:*?"<>|$ `) {
		return fmt.Errorf("hostfs: host name %q: use a NetBIOS-style name such as SQLPCBAK", name)
	}
	for _, d := range drives {
		if !isLetter(d) {
			return fmt.Errorf("hostfs: host %s: drive %q: use a single letter such as E", name, d)
		}
	}
	n.mu.Lock()
	h := n.hosts[strings.ToUpper(name)]
	if h == nil {
		h = &host{name: name, shares: map[string]share{}}
		n.hosts[strings.ToUpper(name)] = h
	}
	n.mu.Unlock()
	for _, d := range drives {
		if err := os.MkdirAll(n.DriveDir(h.name, d), 0o755); err != nil {
			return fmt.Errorf("hostfs: host %s drive %s: %w", name, d, err)
		}
	}
	return nil
}

// AddShare shares the folder drivePath (e.g. D:\LogShip) of host as \\host\name,
// creating the folder if needed.
func (n *Network) AddShare(hostName, name, drivePath string) error {
	if name == "" || strings.ContainsAny(name, `\/:*?"<>|`) {
		return fmt.Errorf("hostfs: share name %q: use a plain name such as LogShip", name)
	}
	if strings.HasSuffix(name, "$") && len(name) == 2 && isLetter(name[:1]) {
		return fmt.Errorf("hostfs: share name %q is an administrative share (always present)", name)
	}
	if _, ok := splitDrive(drivePath); !ok {
		return fmt.Errorf("hostfs: share %s: folder %q: use a drive path such as D:\\LogShip", name, drivePath)
	}
	n.mu.Lock()
	h := n.hosts[strings.ToUpper(hostName)]
	if h == nil {
		n.mu.Unlock()
		return fmt.Errorf("hostfs: share %s: unknown host %q (AddHost first)", name, hostName)
	}
	h.shares[strings.ToUpper(name)] = share{name: name, path: drivePath}
	n.mu.Unlock()
	local, err := n.Resolve(hostName, drivePath)
	if err != nil {
		return fmt.Errorf("hostfs: share %s: %w", name, err)
	}
	if err := os.MkdirAll(local, 0o755); err != nil {
		return fmt.Errorf("hostfs: share %s: %w", name, err)
	}
	return nil
}

// SetDown takes a host down (true) or brings it up again (false). A down host's shares
// and drives answer nothing (error 53), and its folder moves to <root>/.down/<HOST>, so
// that this machine's paths to it (a request's pathMap) fail as well, as they would
// for a machine that is off; bringing it up moves the folder back.
func (n *Network) SetDown(hostName string, down bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := n.hosts[strings.ToUpper(hostName)]
	if h == nil {
		return fmt.Errorf("hostfs: unknown host %q", hostName)
	}
	if h.down == down {
		return nil
	}
	up, off := filepath.Join(n.root, h.name), filepath.Join(n.root, downFolder, h.name)
	from, to := up, off
	if !down {
		from, to = off, up
	}
	if _, err := os.Stat(from); err == nil {
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return fmt.Errorf("hostfs: host %s: %w", h.name, err)
		}
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("hostfs: host %s: %w", h.name, err)
		}
	}
	h.down = down
	return nil
}

// SetShareDenied takes the simulated SQL Servers' rights on a named share away (true) or
// gives them back (false): every path through \\HOST\NAME then fails with error 5
// ("Access is denied."), the classic log-shipping fault of a service account missing
// from the share's or the folder's permissions. The folder itself, its drive path on the
// host and the host's administrative shares are unchanged, and so are this machine's
// paths to it: an administrator running pcfailover still reads the share.
func (n *Network) SetShareDenied(hostName, name string, denied bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := n.hosts[strings.ToUpper(hostName)]
	if h == nil {
		return fmt.Errorf("hostfs: unknown host %q", hostName)
	}
	sh, ok := h.shares[strings.ToUpper(name)]
	if !ok {
		return fmt.Errorf("hostfs: host %s has no share %q", h.name, name)
	}
	sh.denied = denied
	h.shares[strings.ToUpper(name)] = sh
	return nil
}

// downFolder holds the folders of the hosts that are down.
const downFolder = ".down"

// Down reports whether a known host is down.
func (n *Network) Down(hostName string) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	h := n.hosts[strings.ToUpper(hostName)]
	return h != nil && h.down
}

// Hosts lists the host names, sorted.
func (n *Network) Hosts() []string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	var out []string
	for _, h := range n.hosts {
		out = append(out, h.name)
	}
	sort.Strings(out)
	return out
}

// Drives lists the drive letters (upper case, sorted) a host has folders for.
func (n *Network) Drives(hostName string) []string {
	entries, err := os.ReadDir(filepath.Join(n.root, n.hostName(hostName)))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && isLetter(e.Name()) {
			out = append(out, strings.ToUpper(e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// DriveDir is the local folder of a host's drive: <root>/<HOST>/<LETTER>.
func (n *Network) DriveDir(hostName, drive string) string {
	return filepath.Join(n.root, n.hostName(hostName), strings.ToUpper(drive))
}

// ShareDir is the drive path (e.g. D:\LogShip) a named share of a host was defined on.
func (n *Network) ShareDir(hostName, name string) (string, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	h := n.hosts[strings.ToUpper(hostName)]
	if h == nil {
		return "", false
	}
	s, ok := h.shares[strings.ToUpper(name)]
	return s.path, ok
}

func (n *Network) hostName(name string) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if h := n.hosts[strings.ToUpper(name)]; h != nil {
		return h.name
	}
	return name
}

// Resolve maps path p, as evaluated on host from (the SQL Server's machine), to a
// folder or file of this machine. It fails with a *PathError when the network path or
// a share cannot be reached; whether the file or folder exists is left to the caller
// (OSErrorFor maps its error). A POSIX absolute path is returned cleaned, as it is.
func (n *Network) Resolve(from, p string) (string, error) {
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
		return filepath.Clean(p), nil
	}
	if isUNC(p) {
		parts := components(p[2:])
		if len(parts) < 2 {
			if len(parts) == 1 && !n.hostUp(parts[0]) {
				return "", &PathError{Path: p, Code: ErrBadNetPath}
			}
			return "", &PathError{Path: p, Code: ErrPathNotFound}
		}
		n.mu.RLock()
		h := n.hosts[hostKey(parts[0])]
		var down bool
		var sh share
		var hasShare bool
		if h != nil {
			down = h.down
			sh, hasShare = h.shares[strings.ToUpper(parts[1])]
		}
		n.mu.RUnlock()
		if h == nil || down {
			return "", &PathError{Path: p, Code: ErrBadNetPath}
		}
		rest := parts[2:]
		if d := parts[1]; len(d) == 2 && d[1] == '$' && isLetter(d[:1]) {
			base := n.DriveDir(h.name, d[:1])
			if !isDirPath(base) {
				return "", &PathError{Path: p, Code: ErrBadNetName}
			}
			return walk(base, rest), nil
		}
		if !hasShare {
			return "", &PathError{Path: p, Code: ErrBadNetName}
		}
		if sh.denied {
			return "", &PathError{Path: p, Code: ErrAccessDenied}
		}
		base, err := n.Resolve(h.name, sh.path)
		if err != nil {
			return "", &PathError{Path: p, Code: ErrPathNotFound}
		}
		return walk(base, rest), nil
	}
	if d, ok := splitDrive(p); ok {
		if from == "" {
			return "", &PathError{Path: p, Code: ErrPathNotFound}
		}
		base := n.DriveDir(from, d)
		if !isDirPath(base) {
			return "", &PathError{Path: p, Code: ErrPathNotFound}
		}
		return walk(base, components(p[3:])), nil
	}
	return "", &PathError{Path: p, Code: ErrPathNotFound}
}

func (n *Network) hostUp(name string) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	h := n.hosts[hostKey(name)]
	return h != nil && !h.down
}

// hostKey is the key of the host a UNC path names: its NetBIOS name, or the first label
// of its DNS name (\\sqlpcpri.contoso.com\LogShip is SQLPCPRI's share).
func hostKey(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	return strings.ToUpper(name)
}

// OSErrorFor maps the error of a file operation on local path (resolved from a Windows
// path) to the Windows error code SQL Server would report: 2 when the folder exists but
// not the file, 3 when the folder is missing, 5 for permissions.
func OSErrorFor(local string, err error) int {
	var pe *PathError
	switch {
	case errors.As(err, &pe):
		return pe.Code
	case errors.Is(err, fs.ErrNotExist):
		if !isDirPath(filepath.Dir(local)) {
			return ErrPathNotFound
		}
		return ErrFileNotFound
	case errors.Is(err, fs.ErrPermission):
		return ErrAccessDenied
	}
	return ErrAccessDenied
}

// IsWindowsPath reports whether p is a drive path (X:\...) or a UNC path (\\host\...).
func IsWindowsPath(p string) bool {
	if isUNC(p) {
		return true
	}
	_, ok := splitDrive(p)
	return ok
}

// Join appends a file name to a folder in the folder's style: with a backslash for a
// Windows path, with filepath.Join otherwise.
func Join(dir, name string) string {
	if IsWindowsPath(dir) {
		return strings.TrimRight(dir, `\/`) + `\` + name
	}
	return filepath.Join(dir, name)
}

// Base is the last component of p, for Windows paths on any OS.
func Base(p string) string {
	if IsWindowsPath(p) {
		p = strings.TrimRight(p, `\/`)
		if i := strings.LastIndexAny(p, `\/`); i >= 0 {
			return p[i+1:]
		}
		return p
	}
	return filepath.Base(p)
}

// Dir is p without its last component, for Windows paths on any OS.
func Dir(p string) string {
	if IsWindowsPath(p) {
		t := strings.TrimRight(p, `\/`)
		if i := strings.LastIndexAny(t, `\/`); i >= 0 {
			d := t[:i]
			if len(d) == 2 && d[1] == ':' {
				d += `\`
			}
			return d
		}
		return p
	}
	return filepath.Dir(p)
}

// walk appends the components to base, each matched case-insensitively against the
// entries that exist (NTFS semantics); components that do not exist keep their case.
func walk(base string, parts []string) string {
	cur := base
	exists := true
	for _, c := range parts {
		if exists {
			if _, err := os.Lstat(filepath.Join(cur, c)); err == nil {
				cur = filepath.Join(cur, c)
				continue
			}
			entries, err := os.ReadDir(cur)
			match := ""
			if err == nil {
				for _, e := range entries {
					if strings.EqualFold(e.Name(), c) {
						match = e.Name()
						break
					}
				}
			}
			if match != "" {
				cur = filepath.Join(cur, match)
				continue
			}
			exists = false
		}
		cur = filepath.Join(cur, c)
	}
	return cur
}

// components splits a Windows path's tail on \ and /, dropping empty and "."
// components and applying ".." (never above the root, as Windows does).
func components(p string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(p, func(r rune) bool { return r == '\\' || r == '/' }) {
		switch c {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

func isUNC(p string) bool {
	return len(p) > 2 && (p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/') && p[2] != '\\' && p[2] != '/'
}

func splitDrive(p string) (string, bool) {
	if len(p) >= 3 && isLetter(p[:1]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
		return strings.ToUpper(p[:1]), true
	}
	return "", false
}

func isLetter(s string) bool {
	return len(s) == 1 && (s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z')
}

func isDirPath(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
