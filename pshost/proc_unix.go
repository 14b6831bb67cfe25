//go:build !windows

package pshost

import (
	"errors"
	"os/exec"
	"syscall"
)

// configureCmd puts PowerShell in its own process group, so that killing the group ends
// every process it started.
func configureCmd(cmd *exec.Cmd) {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	cmd.SysProcAttr = attr
}

// processTree is a started PowerShell process and everything it started.
type processTree struct {
	pid int
}

func attachTree(cmd *exec.Cmd) (*processTree, error) {
	return &processTree{pid: cmd.Process.Pid}, nil
}

// kill ends the whole process group.
func (t *processTree) kill() error {
	err := syscall.Kill(-t.pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// release frees what attachTree acquired; call it after the process has exited.
func (t *processTree) release() {}
