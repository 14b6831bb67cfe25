//go:build windows

package lab

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// detached starts `lab serve` without a console and in its own process group, so closing
// the console of `lab up` or pressing Ctrl+C there does not stop the lab.
func detached() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		CreationFlags: windows.CREATE_NEW_PROCESS_GROUP | windows.DETACHED_PROCESS,
		HideWindow:    true,
	}
}

// stillActive is STILL_ACTIVE, the exit code GetExitCodeProcess reports for a running
// process.
const stillActive = 259

// ProcessAlive reports whether pid names a running process.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		// Access denied means the process exists but belongs to someone else.
		return err == windows.ERROR_ACCESS_DENIED
	}
	defer windows.CloseHandle(h)
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return false
	}
	return code == stillActive
}

// askToStop does nothing on Windows: a detached process has no console to receive
// CTRL_BREAK_EVENT, so `lab down` relies on the stop file that `lab serve` polls.
func askToStop(pid int) error { return nil }
