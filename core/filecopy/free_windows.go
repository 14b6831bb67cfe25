//go:build windows

package filecopy

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// FreeBytes returns the bytes the caller may still use on the volume holding dir
// (GetDiskFreeSpaceExW lpFreeBytesAvailableToCaller: quotas included). dir may be a
// UNC path (\\server\share\folder).
func FreeBytes(dir string) (uint64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return avail, nil
}

// isDiskFull reports whether err says the volume is full (ERROR_DISK_FULL,
// ERROR_HANDLE_DISK_FULL).
func isDiskFull(err error) bool {
	return errorIs(err, windows.ERROR_DISK_FULL) || errorIs(err, windows.ERROR_HANDLE_DISK_FULL)
}

// diskFullErrno is the error a full volume gives (for tests).
var diskFullErrno error = windows.ERROR_DISK_FULL
