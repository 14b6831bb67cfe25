package failover

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"pcfailover/core/logchain"
	"pcfailover/core/winpath"
)

// useIntactOriginals looks at the copies whose header SQL Server cannot read (RESTORE
// HEADERONLY: 3241, 3203...): when the share holds the same file and SQL Server reads the
// original's header, the chain uses the original (hs[i] replaced), and the pipeline sets
// the bad copy aside and copies the original again (setAsideDamaged). Without an intact
// original the copy stays damaged and blocks as before.
func (e *engine) useIntactOriginals(ctx context.Context, d *Discovery, files []fileInfo, hs []logchain.Header) error {
	for i, h := range hs {
		if h.ReadError == "" || i >= len(files) {
			continue
		}
		cf, inCopy := d.CopyFiles[nameKey(h.Name)]
		sf, inShare := d.inShare(h.Name)
		if !inCopy || !inShare || !winpath.SamePath(cf.Path, files[i].Path) || winpath.SamePath(sf.Path, cf.Path) {
			continue
		}
		sh, err := readHeader(ctx, e.db, sf)
		if err != nil {
			return fmt.Errorf("read the share's original of %s: %w", h.Name, err)
		}
		if sh.ReadError != "" || sh.IsDamaged || !sh.Known() {
			continue
		}
		hs[i] = sh
		e.fmu.Lock()
		e.damagedCopies[nameKey(h.Name)] = h.ReadError
		e.fmu.Unlock()
		e.warn("the copy %s in the copy folder is damaged (RESTORE HEADERONLY: %s); its original in the share is intact: it is set aside and copied again", cf.Path, h.ReadError)
	}
	return nil
}

// setAsideDamaged renames a damaged copy found by useIntactOriginals to
// <name>.damaged-<UTC stamp> (never deleted) before its original is copied again, and
// returns the file row's detail ("" when the file had no damaged copy).
func (e *engine) setAsideDamaged(d *Discovery, it *logItem) (string, error) {
	k := nameKey(it.entry.Name)
	e.fmu.Lock()
	cause, bad := e.damagedCopies[k]
	delete(e.damagedCopies, k)
	e.fmu.Unlock()
	cf, ok := d.CopyFiles[k]
	if !bad || !ok {
		return "", nil
	}
	aside := cf.Local + ".damaged-" + e.now().UTC().Format("20060102T150405Z")
	e.reach("before:recopy-set-aside")
	if err := os.Rename(cf.Local, aside); err != nil {
		return "", fmt.Errorf("set the damaged copy %s aside: %w", cf.Local, err)
	}
	e.reach("after:recopy-set-aside")
	return fmt.Sprintf("the copy was damaged (RESTORE HEADERONLY: %s): set aside as %s and copied again from %s", cause, filepath.Base(aside), it.entry.Path), nil
}
