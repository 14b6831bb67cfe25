package pshost

import "syscall"

// setParentDeathSignal kills PowerShell if this process dies without closing the host.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
