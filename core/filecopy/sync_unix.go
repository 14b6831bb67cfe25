//go:build !windows

package filecopy

import "os"

// syncDir flushes a directory so a rename survives a power loss.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
