//go:build !windows

package lab

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
)

// detached makes `lab serve` a session leader: it survives the `lab up` process and its
// terminal, and no terminal signal reaches it.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

// ProcessAlive reports whether pid names a live process. A zombie (exited, not yet
// reaped: `lab serve` is reparented to whatever PID 1 is, and in a container that may
// never reap) counts as exited.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !zombie(pid)
}

// zombie reads the process state from /proc (Linux); elsewhere it reports false.
func zombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may contain spaces and parentheses; the state follows
	// the last ')'.
	i := bytes.LastIndexByte(data, ')')
	return i >= 0 && i+2 < len(data) && data[i+2] == 'Z'
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
