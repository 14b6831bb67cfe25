//go:build unix

package filecopy

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// FreeBytes returns the bytes an unprivileged writer may still use in the file system
// holding dir (statfs f_bavail * f_bsize).
func FreeBytes(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil //nolint:unconvert // field types differ by OS
}

// isDiskFull reports whether err says the file system is full (ENOSPC, EDQUOT).
func isDiskFull(err error) bool {
	return errorIs(err, unix.ENOSPC) || errorIs(err, unix.EDQUOT)
}

// diskFullErrno is the error a full file system gives (for tests).
var diskFullErrno error = unix.ENOSPC
