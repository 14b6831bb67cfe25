//go:build windows

package filecopy

// syncDir is a no-op on Windows: NTFS journals the rename, and directories cannot be
// opened for FlushFileBuffers without backup semantics.
func syncDir(string) {}
