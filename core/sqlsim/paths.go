package sqlsim

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"pcfailover/core/sqlsim/hostfs"
	"pcfailover/core/sqlsim/tds"
)

// Every path the instance is given is a path as SQL Server sees it (a Windows drive or
// UNC path when Config.Hosts is set). These helpers resolve it through the hosts model
// and run the file operation on the resolved local path, reporting errors with the
// SQL Server path, as SQL Server's messages name it.

// localPath resolves a SQL Server path to this machine's path. Without a hosts model,
// only absolute paths of this machine are accepted (3201 with error 3 otherwise).
func (in *Instance) localPath(p string) (string, error) {
	if in.cfg.Hosts == nil {
		if p == "" || !filepath.IsAbs(p) {
			return "", &hostfs.PathError{Path: p, Code: hostfs.ErrPathNotFound}
		}
		return p, nil
	}
	return in.cfg.Hosts.Resolve(in.cfg.Host, p)
}

// osError is the "N(text)" SQL Server reports for err, a failed operation on local
// (resolved from a SQL Server path).
func osError(local string, err error) string {
	var pe *hostfs.PathError
	if errors.As(err, &pe) {
		return pe.OSError()
	}
	return osErrorText(local, err)
}

// checkDevice refuses a device path that cannot be resolved (3201).
func (in *Instance) checkDevice(p string) *tds.Message {
	if _, err := in.localPath(p); err != nil {
		m := errOpenDevice(p, osError("", err))
		return &m
	}
	return nil
}

// renamed sets a FileError's path back to the SQL Server path.
func renamed(err error, p string) error {
	var fe *FileError
	if errors.As(err, &fe) {
		fe.Path = p
	}
	return err
}

// readHeaderAt reads the backup header of SQL Server path p.
func (in *Instance) readHeaderAt(p string) (Header, error) {
	l, err := in.localPath(p)
	if err != nil {
		return Header{}, &FileError{Path: p, Kind: FileOpen, OSError: osError("", err), Err: err}
	}
	h, err := ReadBackupHeader(l)
	return h, renamed(err, p)
}

// readPayloadAt reads and verifies every page of SQL Server path p.
func (in *Instance) readPayloadAt(ctx context.Context, p string, progress func(done, total int64) error) (Header, error) {
	l, err := in.localPath(p)
	if err != nil {
		return Header{}, &FileError{Path: p, Kind: FileOpen, OSError: osError("", err), Err: err}
	}
	h, err := readPayload(ctx, l, progress)
	return h, renamed(err, p)
}

// fileExistsAt reports whether SQL Server path p is an existing file or folder.
func (in *Instance) fileExistsAt(p string) bool {
	l, err := in.localPath(p)
	return err == nil && fileExists(l)
}

// parentExistsAt reports whether the folder of SQL Server path p exists.
func (in *Instance) parentExistsAt(p string) bool {
	l, err := in.localPath(p)
	return err == nil && isDir(filepath.Dir(l))
}

// lsFilesAt lists <db>_<yyyyMMddHHmmss>.trn files in SQL Server folder dir.
func (in *Instance) lsFilesAt(dir, db string) ([]string, error) {
	l, err := in.localPath(dir)
	if err != nil {
		return nil, err
	}
	return lsFiles(l, db)
}

// removeAt deletes SQL Server path p (errors ignored, as the jobs' cleanup does).
func (in *Instance) removeAt(p string) {
	if l, err := in.localPath(p); err == nil {
		os.Remove(l)
	}
}

// copyAt copies SQL Server path src to dst through dst's .wrk name.
func (in *Instance) copyAt(src, dst string) error {
	ls, err := in.localPath(src)
	if err != nil {
		return err
	}
	ld, err := in.localPath(dst)
	if err != nil {
		return err
	}
	return copyViaWrk(ls, ld)
}

// sqlJoin joins a SQL Server folder and a file name in the folder's own style.
func sqlJoin(dir, name string) string { return hostfs.Join(dir, name) }

// sqlBase is the file name of a SQL Server path (Windows or local).
func sqlBase(p string) string { return hostfs.Base(p) }

// copyViaWrk copies src to dst, writing dst's .wrk name and renaming it when complete
// (sqllogship's copy, reference §2.3).
func copyViaWrk(src, dst string) error {
	wrk := strings.TrimSuffix(dst, filepath.Ext(dst)) + ".wrk"
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(wrk)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(wrk)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(wrk)
		return err
	}
	return os.Rename(wrk, dst)
}

// lsFiles lists <db>_<yyyyMMddHHmmss>.trn files in local folder dir, sorted by name
// (never .wrk).
func lsFiles(dir, db string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		m := trnName.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil || !strings.EqualFold(m[1], db) {
			continue
		}
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out, nil
}
