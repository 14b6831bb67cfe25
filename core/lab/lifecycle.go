package lab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Files in the lab directory used by the background server.
const (
	// LogFile receives the output of `lab serve` started by Up.
	LogFile = "lab.log"
	// stopFile asks a serving lab to stop: `lab serve` polls for it (the portable signal;
	// Windows has no SIGTERM for a detached process).
	stopFile = "lab.stop"
)

// Serve starts the lab described by opts in this process, records this process's id in
// lab.json, calls ready (if not nil) once every instance accepts connections, and runs
// until ctx is cancelled (SIGINT/SIGTERM in `lab serve`) or `lab down` asks it to stop;
// then it closes the lab.
func Serve(ctx context.Context, opts Options, ready func(Info)) error {
	l, err := start(ctx, opts, os.Getpid())
	if err != nil {
		return err
	}
	if ready != nil {
		ready(l.Info())
	}
	stop := filepath.Join(l.info.Dir, stopFile)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case <-tick.C:
			if _, err := os.Stat(stop); err == nil {
				break wait
			}
		}
	}
	err = l.Close()
	os.Remove(stop)
	return err
}

// UpOptions configures Up.
type UpOptions struct {
	Options
	// Executable is the pcfailover binary to run as `lab serve` (default: this program).
	Executable string
	// Timeout bounds the wait for the lab to accept connections (default 2 minutes).
	Timeout time.Duration
}

// Up starts the lab in the background: it runs `<Executable> lab serve --dir DIR ...`
// detached from this process, with its output in DIR/lab.log, and returns lab.json once
// every instance accepts TCP connections. A previous lab still running in DIR is an
// error; a stale one (stopped without `lab down`, or crashed) is cleaned up. The
// scenario is validated before anything starts.
func Up(ctx context.Context, opts UpOptions) (Info, error) {
	dir, err := prepareDir(opts.Dir)
	if err != nil {
		return Info{}, err
	}
	if _, err := opts.scenario(); err != nil {
		return Info{}, err
	}
	running, err := Running(dir)
	if err != nil {
		return Info{}, err
	}
	if running {
		return Info{}, alreadyRunning(dir)
	}
	exe := opts.Executable
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return Info{}, fmt.Errorf("lab up: find this program: %w", err)
		}
	}
	args := []string{"lab", "serve", "--dir", dir}
	switch {
	case opts.ScenarioFile != "":
		f, err := filepath.Abs(opts.ScenarioFile)
		if err != nil {
			return Info{}, fmt.Errorf("lab up: %w", err)
		}
		args = append(args, "--scenario-file", f)
	case opts.Scenario != "":
		args = append(args, "--scenario", opts.Scenario)
	}
	if opts.TLS {
		args = append(args, "--tls")
	}
	// Find LyncSim from here: the server runs in DIR, where the search from the working
	// directory would not find the project's module.
	module, err := findLyncModule(opts.LyncModule)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if module != "" {
		args = append(args, "--lync-module", module)
	}
	for _, name := range []string{InfoFile, stopFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Info{}, fmt.Errorf("lab up: clean stale %s: %w", name, err)
		}
	}
	logPath := filepath.Join(dir, LogFile)
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return Info{}, fmt.Errorf("lab up: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = detached()
	if err := cmd.Start(); err != nil {
		return Info{}, fmt.Errorf("lab up: start %s: %w", exe, err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	// Reaps the child if it dies while we wait; once we return, this process exits soon
	// (CLI) and the lab is adopted by the system.
	go func() { exited <- cmd.Wait() }()

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return Info{}, fmt.Errorf("lab up: lab serve exited before the lab was ready (%v)%s", err, logTail(logPath))
		case <-ctx.Done():
			cmd.Process.Kill()
			<-exited
			return Info{}, fmt.Errorf("lab up: %w", ctx.Err())
		case <-deadline.C:
			cmd.Process.Kill()
			<-exited
			return Info{}, fmt.Errorf("lab up: the lab was not ready after %s%s", timeout, logTail(logPath))
		case <-tick.C:
			info, err := Load(dir)
			if err != nil || info.PID != pid {
				continue
			}
			if err := dialAll(ctx, info); err != nil {
				continue
			}
			return info, nil
		}
	}
}

// dialAll checks that every instance accepts TCP connections.
func dialAll(ctx context.Context, info Info) error {
	var d net.Dialer
	for role, inst := range info.Instances {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		c, err := d.DialContext(cctx, "tcp", inst.Address)
		cancel()
		if err != nil {
			return fmt.Errorf("%s %s: %w", role, inst.Address, err)
		}
		c.Close()
	}
	return nil
}

// logTail returns the last lines of the lab log, for error messages.
func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "; " + path + " ends with:\n" + strings.Join(lines, "\n")
}

// Status is what `lab status` reports.
type Status struct {
	// Dir is the lab directory.
	Dir string `json:"dir"`
	// Running is true while a lab holds DIR's lock.
	Running bool `json:"running"`
	// PID of the serving process (0 for an in-process lab or when unknown).
	PID int `json:"pid,omitempty"`
	// Scenario name, from lab.json.
	Scenario string `json:"scenario,omitempty"`
	// Instances by role.
	Instances map[string]InstanceStatus `json:"instances,omitempty"`
	// Healthy is true when the lab runs and every instance answers as lab.json says
	// (up instances accept a login, down ones refuse it).
	Healthy bool `json:"healthy"`
	// Problems explains what is wrong when not healthy.
	Problems []string `json:"problems,omitempty"`
}

// InstanceStatus is one instance as `lab status` found it.
type InstanceStatus struct {
	Address string `json:"address"`
	// Expected is lab.json's "up".
	Expected bool `json:"expectedUp"`
	// Listening is true when the address accepts TCP connections.
	Listening bool `json:"listening"`
	// Up is true when a SQL login and SELECT @@SERVERNAME succeed.
	Up bool `json:"up"`
	// ServerName is what @@SERVERNAME returned.
	ServerName string `json:"serverName,omitempty"`
	// Error is the login or query error of an instance that is not up.
	Error string `json:"error,omitempty"`
}

// ReadStatus inspects the lab in dir: is its server running, does each instance answer.
func ReadStatus(ctx context.Context, dir string) (Status, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Status{}, fmt.Errorf("lab status: %w", err)
	}
	st := Status{Dir: abs}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		st.Problems = append(st.Problems, "no lab directory "+abs)
		return st, nil
	}
	if st.Running, err = Running(abs); err != nil {
		return Status{}, fmt.Errorf("lab status: %w", err)
	}
	info, err := Load(abs)
	if err != nil {
		if st.Running {
			st.Problems = append(st.Problems, "the lab is starting (no lab.json yet)")
		} else {
			st.Problems = append(st.Problems, "no lab is running in "+abs)
		}
		return st, nil
	}
	st.PID, st.Scenario = info.PID, info.Scenario
	if !st.Running {
		st.Problems = append(st.Problems, "no lab is running in "+abs+" (lab.json is stale)")
		return st, nil
	}
	st.Instances = map[string]InstanceStatus{}
	for _, role := range roleNames {
		inst, ok := info.Instances[role]
		if !ok {
			st.Problems = append(st.Problems, "lab.json has no "+role+" instance")
			continue
		}
		is := probe(ctx, inst, info.Database)
		st.Instances[role] = is
		switch {
		case !is.Listening:
			st.Problems = append(st.Problems, fmt.Sprintf("%s (%s) does not accept connections: %s", role, inst.Address, is.Error))
		case is.Up != inst.Up:
			st.Problems = append(st.Problems, fmt.Sprintf("%s (%s) is up=%v, lab.json says up=%v: %s", role, inst.Address, is.Up, inst.Up, is.Error))
		}
	}
	st.Healthy = len(st.Problems) == 0
	return st, nil
}

// Down stops the lab served from dir and waits until its process has exited. It returns
// false when no lab was running (a stale directory is left as it is: the next Start
// cleans it).
func Down(ctx context.Context, dir string, timeout time.Duration) (bool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, fmt.Errorf("lab down: %w", err)
	}
	running, err := Running(abs)
	if err != nil {
		return false, fmt.Errorf("lab down: %w", err)
	}
	info, loadErr := Load(abs)
	if !running {
		return false, nil
	}
	if timeout <= 0 {
		timeout = time.Minute
	}
	if err := os.WriteFile(filepath.Join(abs, stopFile), []byte("stop\n"), 0o600); err != nil {
		return true, fmt.Errorf("lab down: %w", err)
	}
	pid := 0
	if loadErr == nil {
		pid = info.PID
	}
	if pid > 0 {
		// Best effort: the stop file alone is enough.
		_ = askToStop(pid)
	}
	deadline := time.Now().Add(timeout)
	killed := false
	for {
		running, err := Running(abs)
		if err != nil {
			return true, fmt.Errorf("lab down: %w", err)
		}
		if !running && !ProcessAlive(pid) {
			os.Remove(filepath.Join(abs, stopFile))
			return true, nil
		}
		if time.Now().After(deadline) {
			if killed || pid <= 0 {
				return true, fmt.Errorf("lab down: the lab in %s (pid %d) did not stop within %s", abs, pid, timeout)
			}
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
			killed = true
			deadline = time.Now().Add(10 * time.Second)
		}
		select {
		case <-ctx.Done():
			return true, fmt.Errorf("lab down: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func alreadyRunning(dir string) error {
	msg := "a lab is already running in " + dir
	if info, err := Load(dir); err == nil {
		if info.PID > 0 {
			msg += fmt.Sprintf(" (pid %d, scenario %s)", info.PID, info.Scenario)
		} else {
			msg += fmt.Sprintf(" (in-process, scenario %s)", info.Scenario)
		}
	}
	return errors.New(msg + "; stop it first with `pcfailover lab down --dir " + dir + "`")
}

// prepareDir makes dir absolute and creates it.
func prepareDir(dir string) (string, error) {
	if strings.TrimSpace(dir) == "" {
		return "", fmt.Errorf("%w: a lab directory is required (--dir)", ErrUsage)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("lab %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("lab %s: %w", dir, err)
	}
	return abs, nil
}
