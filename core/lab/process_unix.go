//go:build !windows

package lab

import (
	"errors"
	"os"
	"syscall"
)

// detached makes `lab serve` a session leader: it survives the `lab up` process and its
// terminal, and no terminal signal reaches it.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

// processAlive reports whether pid names a live process (zombies count as alive until
// their parent reaps them).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// askToStop sends SIGTERM; `lab serve` closes the lab and exits. The stop file is the
// portable channel; the signal makes the stop immediate.
func askToStop(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(syscall.SIGTERM)
}
