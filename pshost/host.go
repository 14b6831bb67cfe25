package pshost

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

//go:embed bootstrap.ps1
var bootstrapScript string

// Defaults for zero Config fields.
const (
	DefaultStderrLimit    = 64 * 1024
	DefaultOutputDepth    = 3
	DefaultTimeout        = 10 * time.Minute
	DefaultStartTimeout   = 2 * time.Minute
	DefaultStopGrace      = 5 * time.Second
	DefaultMaxReplyBytes  = 64 << 20
	maxOutputDepth        = 100
	hardDeadlineExtraWait = 5 * time.Second
)

// Config configures a Host.
type Config struct {
	// Executable is the PowerShell to run: a path, or a name looked up on PATH. "" picks
	// the 64-bit Windows PowerShell by absolute path on Windows, pwsh elsewhere.
	Executable string
	// Modules are imported once per process, in order, by name or path (Import-Module
	// -Name ... -Global -ErrorAction Stop). A failed import fails the start.
	Modules []string
	// AllowedCommands are the only commands Invoke runs (names compared ignoring case, as
	// PowerShell does). Enforced in Go and again inside PowerShell.
	AllowedCommands []string
	// Env is added to the environment of the PowerShell process ("NAME=value").
	Env []string
	// Unset names variables removed from the environment PowerShell inherits (for
	// example the variables that carry SQL passwords, which the Lync cmdlets never need).
	Unset []string
	// StderrLimit bounds the bytes of stderr (and stray stdout) kept for error reports;
	// 0 means DefaultStderrLimit.
	StderrLimit int
	// OutputDepth is the -Depth given to ConvertTo-Json for output objects (1-100);
	// 0 means DefaultOutputDepth (3). Live .NET objects grow geometrically with depth (a
	// FileInfo is 30 KB at depth 2, 2 MB at depth 4): prefer Command.Select to a larger
	// depth.
	OutputDepth int
	// DefaultTimeout applies to commands without Command.Timeout; 0 means DefaultTimeout
	// (10 minutes).
	DefaultTimeout time.Duration
	// StartTimeout bounds launch plus module imports; 0 means DefaultStartTimeout (2 minutes).
	StartTimeout time.Duration
	// StopGrace is how long a timed-out command may take to stop before the process is
	// killed; 0 means DefaultStopGrace (5 seconds).
	StopGrace time.Duration
	// MaxReplyBytes bounds one reply line; 0 means DefaultMaxReplyBytes (64 MiB). Output
	// that would exceed it is dropped by PowerShell and reported as an error record with
	// FullyQualifiedErrorId "OutputTooLarge,pshost".
	MaxReplyBytes int
}

// Command is one command to run.
type Command struct {
	// Name is the command's name; it must be in Config.AllowedCommands.
	Name string
	// Parameters are bound in order with AddParameter. Names are given without the dash.
	Parameters []Parameter
	// Timeout bounds the command; 0 means Config.DefaultTimeout. A context deadline that
	// comes sooner wins.
	Timeout time.Duration
	// Select, when not empty, pipes the output through
	// Microsoft.PowerShell.Utility\Select-Object -Property Select (names may use
	// wildcards), so that only those properties are converted to JSON.
	Select []string
	// OutputDepth overrides Config.OutputDepth for this command (0: use the Config's).
	OutputDepth int
}

// Parameter is a named parameter and its value, e.g. {"Confirm", Switch(false)}.
type Parameter struct {
	Name  string
	Value Value
}

// Host is a persistent PowerShell process that runs allow-listed commands. It is safe
// for concurrent use; commands run one at a time.
type Host struct {
	cfg     Config
	exe     string
	args    []string
	allowed map[string]string // lower-case name -> configured name

	sem    chan struct{} // one command (or one start wait) at a time
	nextID atomic.Uint64

	life       context.Context // cancelled by Close
	cancelLife context.CancelFunc
	wg         sync.WaitGroup

	mu     sync.Mutex
	proc   *process
	closed bool
}

var (
	commandNameRE   = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\-]*(\\[A-Za-z0-9_][A-Za-z0-9_.\-]*)?$`)
	parameterNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// New checks cfg and returns a Host. No process is started until Start, Ready or Invoke.
func New(cfg Config) (*Host, error) {
	if cfg.StderrLimit <= 0 {
		cfg.StderrLimit = DefaultStderrLimit
	}
	if cfg.OutputDepth == 0 {
		cfg.OutputDepth = DefaultOutputDepth
	}
	if cfg.OutputDepth < 1 || cfg.OutputDepth > maxOutputDepth {
		return nil, fmt.Errorf("pshost: output depth %d is outside 1-%d", cfg.OutputDepth, maxOutputDepth)
	}
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = DefaultTimeout
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = DefaultStopGrace
	}
	if cfg.MaxReplyBytes <= 0 {
		cfg.MaxReplyBytes = DefaultMaxReplyBytes
	}
	allowed := make(map[string]string, len(cfg.AllowedCommands))
	for _, c := range cfg.AllowedCommands {
		if !commandNameRE.MatchString(c) {
			return nil, fmt.Errorf("pshost: allowed command %q is not a command name", c)
		}
		allowed[strings.ToLower(c)] = c
	}
	for _, m := range cfg.Modules {
		if strings.TrimSpace(m) == "" || strings.ContainsAny(m, "\x00\r\n") {
			return nil, fmt.Errorf("pshost: module %q is not a module name or path", m)
		}
	}
	for _, e := range cfg.Env {
		if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") {
			return nil, fmt.Errorf("pshost: environment entry %q is not NAME=value", e)
		}
	}
	cfg.Modules = append([]string(nil), cfg.Modules...)
	cfg.AllowedCommands = append([]string(nil), cfg.AllowedCommands...)
	cfg.Env = append([]string(nil), cfg.Env...)
	cfg.Unset = append([]string(nil), cfg.Unset...)
	exe, err := findExecutable(cfg.Executable, hostPlatform(runtime.GOOS, runtime.GOARCH))
	if err != nil {
		return nil, fmt.Errorf("pshost: %w", err)
	}
	life, cancel := context.WithCancel(context.Background())
	return &Host{
		cfg:        cfg,
		exe:        exe,
		args:       launchArgs(),
		allowed:    allowed,
		sem:        make(chan struct{}, 1),
		life:       life,
		cancelLife: cancel,
	}, nil
}

// Executable returns the path of the PowerShell the host runs.
func (h *Host) Executable() string { return h.exe }

// Start launches PowerShell if no live process exists and returns without waiting for it
// to be ready: module imports go on in the background (bounded by Config.StartTimeout and
// Close, not by ctx) and the next Ready or Invoke waits for them. It returns an error only
// when the host is closed, ctx is already done, or the executable cannot be started.
func (h *Host) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pshost: start: %w", err)
	}
	_, err := h.process()
	return err
}

// Ready starts PowerShell if needed and waits until it has imported the modules. It
// returns the process's Info, or why it could not start (an *ImportError for a module
// that failed to import, joined when several did). A failed process is discarded, so the
// next call tries afresh.
func (h *Host) Ready(ctx context.Context) (*Info, error) {
	p, err := h.process()
	if err != nil {
		return nil, err
	}
	select {
	case <-p.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("pshost: wait for start: %w", ctx.Err())
	}
	if p.startErr != nil {
		h.discard(p)
		return nil, h.closedOr(p.startErr)
	}
	info := p.info
	return &info, nil
}

// process returns the current process, launching one if there is none or it died.
func (h *Host) process() (*process, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if h.proc != nil && !h.proc.dead() {
		return h.proc, nil
	}
	p, err := launch(h)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrStart, h.exe, err)
	}
	h.proc = p
	ctx, cancel := context.WithTimeout(h.life, h.cfg.StartTimeout)
	started := time.Now()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer cancel()
		p.boot(ctx, h, started)
	}()
	return p, nil
}

// discard kills p and forgets it if it is still the current process.
func (h *Host) discard(p *process) {
	p.kill()
	h.mu.Lock()
	if h.proc == p {
		h.proc = nil
	}
	h.mu.Unlock()
}

func (h *Host) closedOr(err error) error {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return err
}

// Invoke runs one allow-listed command and returns what it produced. Calls are
// serialised. The command's own errors (Write-Error, throw, parameter binding) are in
// Result.Errors with a nil error (see Result.Err). Invoke returns an error when the
// command could not run or its outcome is unknown:
//   - ErrNotAllowed, or a bad parameter (nothing was sent);
//   - ErrTimeout: the command was stopped at its timeout (the Result, also returned,
//     holds what it produced until then), or killed with its process if it did not stop;
//   - ErrProcessExited / ErrProtocol in a *ProcessError (with the tail of stderr): the
//     process died or misbehaved, the command's outcome is unknown;
//   - a context error: ctx was cancelled while the command ran; the process was killed,
//     the command's outcome is unknown;
//   - a start error (ErrStart, *ImportError) when a fresh process could not be started.
//
// A command is never retried. After a dead or killed process the next Invoke starts a new
// one (and imports the modules again).
func (h *Host) Invoke(ctx context.Context, cmd Command) (*Result, error) {
	req, err := h.buildRequest(cmd)
	if err != nil {
		return nil, err
	}
	return h.run(ctx, req, cmd.Timeout)
}

// run sends a checked request (Invoke) to the process, starting one if needed.
func (h *Host) run(ctx context.Context, req request, timeout time.Duration) (*Result, error) {
	cmd := Command{Name: req.Command}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("pshost: %s: wait for the host: %w", cmd.Name, ctx.Err())
	}
	defer func() { <-h.sem }()

	p, err := h.process()
	if err != nil {
		return nil, err
	}
	select {
	case <-p.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("pshost: %s: wait for start: %w", cmd.Name, ctx.Err())
	}
	if p.startErr != nil {
		h.discard(p)
		return nil, h.closedOr(p.startErr)
	}

	if timeout <= 0 {
		timeout = h.cfg.DefaultTimeout
	}
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < timeout {
			timeout = left
		}
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("pshost: %s: %w", cmd.Name, context.DeadlineExceeded)
	}
	req.ID = h.nextID.Add(1)
	req.TimeoutMs = max(1, min(timeout.Milliseconds(), math.MaxInt32))
	line, err := encodeLine(req)
	if err != nil {
		return nil, fmt.Errorf("pshost: %s: encode request: %w", cmd.Name, err)
	}
	res, err := h.call(ctx, p, cmd.Name, req.ID, line, timeout)
	if err != nil {
		err = h.closedOr(err)
	}
	return res, err
}

// buildRequest checks cmd and encodes its parameters (without id and timeout).
func (h *Host) buildRequest(cmd Command) (request, error) {
	name, ok := h.allowed[strings.ToLower(cmd.Name)]
	if !ok {
		return request{}, fmt.Errorf("%w: %q", ErrNotAllowed, cmd.Name)
	}
	if cmd.OutputDepth < 0 || cmd.OutputDepth > maxOutputDepth {
		return request{}, fmt.Errorf("pshost: %s: output depth %d is outside 1-%d", cmd.Name, cmd.OutputDepth, maxOutputDepth)
	}
	for _, prop := range cmd.Select {
		if prop == "" || !utf8.ValidString(prop) || strings.ContainsAny(prop, "\x00\r\n") {
			return request{}, fmt.Errorf("pshost: %s: select property %q is not a property name", cmd.Name, prop)
		}
	}
	req := request{Command: name, Parameters: make([]wireParam, 0, len(cmd.Parameters)), Select: cmd.Select, Depth: cmd.OutputDepth}
	seen := make(map[string]bool, len(cmd.Parameters))
	for _, prm := range cmd.Parameters {
		if !parameterNameRE.MatchString(prm.Name) {
			return request{}, fmt.Errorf("pshost: %s: parameter name %q is not valid (give it without the dash)", cmd.Name, prm.Name)
		}
		if k := strings.ToLower(prm.Name); seen[k] {
			return request{}, fmt.Errorf("pshost: %s: parameter %s given twice", cmd.Name, prm.Name)
		} else {
			seen[k] = true
		}
		v, err := encodeValue(prm.Value, 0)
		if err != nil {
			return request{}, fmt.Errorf("pshost: %s: parameter %s: %w", cmd.Name, prm.Name, err)
		}
		req.Parameters = append(req.Parameters, wireParam{N: prm.Name, V: v})
	}
	return req, nil
}

// call sends one request line and waits for its reply. Any way out but a well-formed
// reply kills the process, so that no later command can meet a half-finished one.
func (h *Host) call(ctx context.Context, p *process, name string, id uint64, line []byte, timeout time.Duration) (*Result, error) {
	healthy := false
	defer func() {
		if !healthy {
			h.discard(p)
		}
	}()
	// PowerShell stops the command at timeout and answers within StopGrace; past that
	// (plus a margin) the process is considered hung and killed. Killing also unblocks a
	// write to a process that stopped reading.
	var hung atomic.Bool
	done := make(chan struct{})
	defer close(done)
	// Add under mu, where Close sets closed before it waits: no Add after that Wait.
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, ErrClosed
	}
	h.wg.Add(1)
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		hard := time.NewTimer(timeout + h.cfg.StopGrace + hardDeadlineExtraWait)
		defer hard.Stop()
		ctxDone := ctx.Done()
		for {
			select {
			case <-hard.C:
				hung.Store(true)
				p.kill()
				return
			case <-ctxDone:
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					// PowerShell got this deadline as the command's timeout and stops
					// the command itself; the hard timer covers a hang.
					ctxDone = nil
					continue
				}
				p.kill()
				return
			case <-p.exited:
				return
			case <-done:
				return
			}
		}
	}()

	if err := p.writeLine(line); err != nil {
		return nil, h.interrupted(ctx, p, name, &hung, fmt.Errorf("%w: send request: %w", ErrProcessExited, err))
	}
	var f frame
	select {
	case f = <-p.frames:
	case <-p.exited:
		select {
		case f = <-p.frames:
		default:
			return nil, h.interrupted(ctx, p, name, &hung, ErrProcessExited)
		}
	}
	if f.err != nil {
		return nil, p.processError(name, f.err)
	}
	if f.id != id {
		return nil, p.processError(name, fmt.Errorf("%w: reply %d to request %d", ErrProtocol, f.id, id))
	}
	r, err := decodeReply(f.payload, id)
	if err != nil {
		return nil, p.processError(name, fmt.Errorf("%w: %w", ErrProtocol, err))
	}
	res := r.result()
	if r.Meta.Fatal != "" {
		// The bootstrap could not stop the command and is exiting.
		return res, p.processError(name, fmt.Errorf("%w: %s; process killed", ErrTimeout, r.Meta.Fatal))
	}
	healthy = true
	if res.TimedOut {
		err := fmt.Errorf("pshost: %s: %w after %v", name, ErrTimeout, timeout.Round(time.Millisecond))
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		return res, err
	}
	return res, nil
}

// interrupted explains why a call ended without a reply.
func (h *Host) interrupted(ctx context.Context, p *process, name string, hung *atomic.Bool, cause error) error {
	p.kill()
	switch {
	case hung.Load():
		return p.processError(name, fmt.Errorf("%w: no reply after the timeout and stop grace; process killed, outcome unknown", ErrTimeout))
	case ctx.Err() != nil:
		return p.processError(name, fmt.Errorf("%w; process killed, outcome unknown", ctx.Err()))
	default:
		return p.processError(name, fmt.Errorf("%w; outcome unknown", cause))
	}
}

// Close kills the PowerShell process tree and waits for the host's goroutines. A running
// Invoke returns ErrClosed. Close is idempotent.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	p := h.proc
	h.proc = nil
	h.mu.Unlock()
	h.cancelLife()
	if p != nil {
		p.kill()
	}
	h.wg.Wait()
	return nil
}
