package failover

import (
	"fmt"

	"pcfailover/core/filecopy"
)

// bytesToCopy sums the sizes of the log backups to apply that the copy folder does not
// hold (their share originals); ok is false when a size is unknown.
func (e *engine) bytesToCopy(d *Discovery) (need int64, ok bool) {
	if d == nil || d.Chain == nil {
		return 0, true
	}
	ok = true
	for _, a := range d.Chain.Apply {
		if d.inCopy(a.Name) {
			continue
		}
		if sf, found := d.inShare(a.Name); found {
			need += sf.Size
		} else {
			ok = false
		}
	}
	return need, ok
}

// diskShortfall compares the bytes still to copy with the free space of the copy folder
// (as this machine reaches it: statfs, or GetDiskFreeSpaceEx on a drive or UNC path) and
// describes the shortfall, or returns "". A run that would fill the folder half-way
// stops before any change (blocked, PCFailover.DiskFull), as an administrator would
// rather free the space first than stop in the middle of the restores.
func (e *engine) diskShortfall(d *Discovery) string {
	if d == nil || !d.DB.Restoring() || d.CopyLocal == "" || d.CopyPathErr != nil {
		return ""
	}
	need, _ := e.bytesToCopy(d)
	if need == 0 {
		return ""
	}
	free, err := filecopy.FreeBytes(d.CopyLocal)
	if err != nil {
		e.ev.Log("verbose", "cannot read the free space of the copy folder %s: %v", d.CopyLocal, err)
		return ""
	}
	if uint64(need) <= free {
		return ""
	}
	return fmt.Sprintf("the copy folder %s (%s on this machine) has %d bytes free, but %d bytes of log backups must be copied into it (%d bytes short): free the space (or point copyDestination at a larger folder SQL Server reads), then run again",
		d.CopyDir, d.CopyLocal, free, need, uint64(need)-free)
}
