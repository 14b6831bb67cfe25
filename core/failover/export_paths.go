package failover

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"pcfailover/core/logchain"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/winpath"
)

// Path helpers shared with core/status, core/drill and core/failback: every file has a
// path as SQL Server names it (statements) and a path as this machine reaches it (file
// operations), see core/winpath and cli/CONTRACT.md ("pathMap").

// FileRef is one file in both views.
type FileRef struct {
	Name    string
	SQLPath string
	Local   string
	Size    int64
	ModTime time.Time
}

// NameKey is the key of a file name in a folder listing: Windows compares names
// case-insensitively, so MGC_1.TRN and mgc_1.trn are one file.
func NameKey(name string) string { return nameKey(name) }

// SQLDir is the folder of a path as SQL Server names it (a Windows path's parent).
func SQLDir(p string) string { return sqlDir(p) }

// PathMapper returns the translation of req's pathMap for this machine.
func PathMapper(req *request.Request) (*winpath.Mapper, error) { return newMapper(req) }

// MachineName returns SERVERPROPERTY('MachineName') of the instance behind db: the
// Windows host whose drives its drive paths name ("" when the server does not say).
func MachineName(ctx context.Context, db Queryer) (string, error) {
	rows, err := rowMaps(ctx, db, qMachineName)
	if err != nil {
		return "", fmt.Errorf("read SERVERPROPERTY('MachineName'): %w", err)
	}
	if len(rows) == 0 {
		return "", nil
	}
	return asString(rows[0]["machine_name"]), nil
}

// ListFolder lists the regular files of the folder sqlDir (as SQL Server names it),
// reached from this machine as localDir, by NameKey.
func ListFolder(sqlDir, localDir string) (map[string]FileRef, error) {
	m, err := listFolder(sqlDir, localDir)
	if err != nil {
		return nil, err
	}
	out := make(map[string]FileRef, len(m))
	for k, f := range m {
		out[k] = FileRef{Name: f.Name, SQLPath: f.Path, Local: f.Local, Size: f.Size, ModTime: f.ModTime}
	}
	return out, nil
}

// ResolveFolder returns how this machine reaches the folder sqlDir of the SQL Server on
// host. A folder that cannot be reached, or whose mapped local folder does not exist,
// gives a *winpath.UnreachableError naming both paths and the fix.
func ResolveFolder(m *winpath.Mapper, sqlDir, host string) (string, error) {
	local, err := m.Local(sqlDir, host)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(local); errors.Is(err, os.ErrNotExist) && !winpath.SamePath(local, sqlDir) {
		return local, &winpath.UnreachableError{SQLPath: sqlDir, Tried: local, Reason: "the folder it is mapped to does not exist on this machine"}
	}
	return local, nil
}

// ReportFolder describes one folder in both views for a report.
func ReportFolder(role, sqlDir, local, host string, err error) report.Folder {
	f := report.Folder{Role: role, SQLPath: sqlDir, LocalPath: local, Reachable: err == nil}
	if winpath.MustKind(sqlDir) == winpath.Drive {
		f.Host = host
	}
	if err != nil {
		f.Error = err.Error()
		var ue *winpath.UnreachableError
		if errors.As(err, &ue) && f.LocalPath == "" {
			f.LocalPath = ue.Tried
		}
	}
	return f
}

// ReadHeaderFiles runs RESTORE HEADERONLY on each file by its SQL path, with at most
// parallel statements at once. A file whose header cannot be read gets Header.ReadError.
func ReadHeaderFiles(ctx context.Context, db *sql.DB, files []FileRef, parallel int) ([]logchain.Header, error) {
	if parallel < 1 {
		parallel = 1
	}
	fs := make([]fileInfo, len(files))
	for i, f := range files {
		fs[i] = fileInfo{Name: f.Name, Path: f.SQLPath, Local: f.Local, Size: f.Size, ModTime: f.ModTime}
	}
	return readHeaders(ctx, db, fs, parallel, func(string) {})
}
