package lync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"pcfailover/core/failover"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/pshost"
)

// Defaults for zero Config fields.
const (
	DefaultCommandTimeout = 5 * time.Minute
	DefaultMirrorTimeout  = 2 * time.Hour
	DefaultLocalStoreWait = 2 * time.Minute
	localStorePoll        = 2 * time.Second
)

// DetectModules are the Lync modules tried, in order, when the request names none: Skype
// for Business Server 2015, then Lync Server 2013 (ref §4, "Module import").
var detectModules = []string{"SkypeForBusiness", "Lync"}

// Config configures the Lync steps of one run.
type Config struct {
	// Request is the validated request: poolFqdn, database, runDirectory, share and the
	// lync section.
	Request *request.Request
	// Executable is the PowerShell to run ("" lets pshost choose: 64-bit Windows
	// PowerShell on Windows, pwsh elsewhere). Ignored with Host.
	Executable string
	// Env is added to PowerShell's environment ("NAME=value"). Ignored with Host.
	Env []string
	// Host, when set, is used instead of a host of the runner's own: its caller imported
	// the Lync module and allowed at least Commands(). Close does not close it.
	Host *pshost.Host
	// Events receives a statement event per cmdlet (nil: none).
	Events *report.Emitter
	// MirrorFileShare is Install-CsMirrorDatabase's -FileShare (a UNC path the SQL Server
	// service accounts of the backup and backup mirror instances can read and write).
	// "" means the request's lync.mirrorFileShare, else its share when that is a UNC path
	// (the log-shipping share, which every Persistent Chat SQL Server of both data centers
	// can read and write, ref §3.1).
	MirrorFileShare string
	// VerifyLocalStore makes step 5 also wait until the local replica of the Central
	// Management store (Get-CsPersistentChatState -LocalStore) shows FailedOver, up to
	// LocalStoreWait (0: DefaultLocalStoreWait).
	VerifyLocalStore bool
	LocalStoreWait   time.Duration
	// CommandTimeout bounds each cmdlet but Install-CsMirrorDatabase (0:
	// DefaultCommandTimeout); MirrorTimeout bounds Install-CsMirrorDatabase, which copies the
	// database to the mirror (0: DefaultMirrorTimeout).
	CommandTimeout time.Duration
	MirrorTimeout  time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Runner runs steps 5-7; it implements failover.Lync. It is safe for concurrent use;
// cmdlets run one at a time.
type Runner struct {
	cfg  Config
	req  *request.Request
	lync request.Lync

	life   context.Context
	cancel context.CancelFunc
	ready  chan struct{} // closed when the warm-up ended
	done   chan struct{} // closed when the warm-up goroutine returned

	// Set by the warm-up before ready is closed.
	host    *pshost.Host
	ownHost bool
	module  string
	warmErr error

	// poll is the interval of the -LocalStore reads.
	poll time.Duration

	mu  sync.Mutex
	ids *identities // discovered once
}

var _ failover.Lync = (*Runner)(nil)

// New checks cfg and starts PowerShell with the Lync module in the background (detecting
// the module when the request names none), so that the import overlaps the SQL steps.
// Close the Runner when the run ends.
func New(cfg Config) (*Runner, error) {
	if cfg.Request == nil {
		return nil, errors.New("lync: no request")
	}
	if cfg.Request.PoolFQDN == "" {
		return nil, errors.New("lync: the request names no pool")
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = DefaultCommandTimeout
	}
	if cfg.MirrorTimeout <= 0 {
		cfg.MirrorTimeout = DefaultMirrorTimeout
	}
	if cfg.LocalStoreWait <= 0 {
		cfg.LocalStoreWait = DefaultLocalStoreWait
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Runner{cfg: cfg, req: cfg.Request, ready: make(chan struct{}), done: make(chan struct{}), poll: localStorePoll}
	if cfg.Request.Lync != nil {
		r.lync = *cfg.Request.Lync
	}
	r.life, r.cancel = context.WithCancel(context.Background())
	go r.warm()
	return r, nil
}

// Module returns the module the host imported ("" before the warm-up ended, or with a
// Host given in Config).
func (r *Runner) Module() string {
	select {
	case <-r.ready:
		return r.module
	default:
		return ""
	}
}

// warm starts the host and imports the Lync module.
func (r *Runner) warm() {
	defer close(r.done)
	defer close(r.ready)
	if r.cfg.Host != nil {
		r.host = r.cfg.Host
		_, r.warmErr = r.host.Ready(r.life)
		return
	}
	candidates := detectModules
	if m := strings.TrimSpace(r.lync.Module); m != "" {
		candidates = []string{m}
	}
	var missing []string
	for i, mod := range candidates {
		h, err := pshost.New(pshost.Config{Executable: r.cfg.Executable, Modules: []string{mod}, AllowedCommands: Commands(),
			Env: r.cfg.Env, Unset: passwordVariables(r.cfg.Request), DefaultTimeout: r.cfg.CommandTimeout})
		if err != nil {
			r.warmErr = fmt.Errorf("start PowerShell for the Lync module: %w", err)
			return
		}
		_, err = h.Ready(r.life)
		if err == nil {
			r.host, r.ownHost, r.module = h, true, mod
			return
		}
		h.Close()
		var ie *pshost.ImportError
		if errors.As(err, &ie) && moduleNotFound(ie) && i < len(candidates)-1 {
			missing = append(missing, mod)
			continue
		}
		if len(missing) > 0 {
			err = fmt.Errorf("%w (modules %s are not installed either)", err, strings.Join(missing, ", "))
		}
		if len(candidates) > 1 {
			err = fmt.Errorf("%w; run on a server with the Lync Server Management Shell, or name the module (or its .psd1 path) in lync.module", err)
		}
		r.warmErr = fmt.Errorf("import the Lync module: %w", err)
		return
	}
}

// moduleNotFound tells a missing module from one that failed to load.
func moduleNotFound(ie *pshost.ImportError) bool {
	return strings.HasPrefix(ie.Record.FullyQualifiedErrorID, "Modules_ModuleNotFound")
}

// wait returns the ready host.
func (r *Runner) wait(ctx context.Context) (*pshost.Host, error) {
	select {
	case <-r.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the Lync module to load: %w", ctx.Err())
	}
	if r.warmErr != nil {
		return nil, r.warmErr
	}
	return r.host, nil
}

// Close stops the warm-up and the PowerShell process (unless Config.Host was given).
func (r *Runner) Close() error {
	r.cancel()
	<-r.done
	if r.ownHost && r.host != nil {
		return r.host.Close()
	}
	return nil
}

// stepRun is one step being planned or run: it records every cmdlet on the step.
type stepRun struct {
	r        *Runner
	s        *report.Step
	planning bool
	host     *pshost.Host
	// resolved is the pool state discover read in this step, if it ran here.
	resolved poolState
}

// errBlocked marks a step that must not run (exit code 3): the engine's ErrBlocked.
func blockedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", failover.ErrBlocked, fmt.Sprintf(format, args...))
}

// record adds a cmdlet to the step's statements and emits its statement event.
func (sr *stepRun) record(c command) {
	sr.s.Statements = append(sr.s.Statements, report.Statement{Target: "lync", Kind: "cmdlet", Text: c.text(), Parameters: c.parameters()})
	sr.r.cfg.Events.Statement(sr.s.ID, "lync", c.text())
}

// run records and runs one cmdlet. The error is the command's own (a *pshost.CommandError)
// or the host's (the outcome unknown), wrapped with the cmdlet name; the result may be
// non-nil with an error.
func (sr *stepRun) run(ctx context.Context, c command, timeout time.Duration) (*pshost.Result, error) {
	sr.record(c)
	pc := c.pshost()
	pc.Timeout = timeout
	if pc.Timeout <= 0 {
		pc.Timeout = sr.r.cfg.CommandTimeout
	}
	res, err := sr.host.Invoke(ctx, pc)
	if err != nil {
		return res, fmt.Errorf("%s: %w", c.name, err)
	}
	if cerr := res.Err(c.name); cerr != nil {
		return res, cerr
	}
	return res, nil
}

// read runs a read-only cmdlet and decodes its output objects.
func read[T any](ctx context.Context, sr *stepRun, c command) ([]T, error) {
	res, err := sr.run(ctx, c, 0)
	if err != nil {
		return nil, err
	}
	return decodeAll[T](c.name, res)
}

func newStep(id string) *report.Step {
	s := &report.Step{ID: id, Status: report.StatusPlanned, Statements: []report.Statement{}}
	for _, sp := range failover.Steps() {
		if sp.ID == id {
			s.Name, s.RunbookStep = sp.Name, sp.Runbook
		}
	}
	return s
}

// Plan observes (read-only) and returns steps 5-7 with their status (planned,
// already-done, blocked) and the cmdlets they would run. A problem that stops a step from
// being planned is reported on the step (blocked, with the reason), not as an error.
func (r *Runner) Plan(ctx context.Context) ([]*report.Step, error) {
	var out []*report.Step
	for _, id := range []string{failover.StepLyncPoolState, failover.StepLyncMirror, failover.StepLyncActiveServers} {
		s := newStep(id)
		if err := r.step(ctx, s, true); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			s.Status = report.StatusBlocked
			s.Detail = unblocked(err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Run runs one step (failover.StepLyncPoolState, StepLyncMirror or
// StepLyncActiveServers). It returns the step (status done or already-done, the cmdlets
// it ran, a detail) and nil, or the step and an error: wrapping failover.ErrBlocked when a
// safety check refused the step (nothing was changed), else the step failed.
func (r *Runner) Run(ctx context.Context, id string) (*report.Step, error) {
	s := newStep(id)
	s.Status = report.StatusRunning
	err := r.step(ctx, s, false)
	if err != nil {
		s.Status = report.StatusFailed
		if errors.Is(err, failover.ErrBlocked) {
			s.Status = report.StatusBlocked
		}
		if s.Detail == "" {
			s.Detail = err.Error()
		}
		return s, err
	}
	return s, nil
}

func (r *Runner) step(ctx context.Context, s *report.Step, planning bool) error {
	start := r.cfg.Now()
	host, err := r.wait(ctx)
	if err != nil {
		return err
	}
	waited := r.cfg.Now().Sub(start)
	sr := &stepRun{r: r, s: s, planning: planning, host: host}
	switch s.ID {
	case failover.StepLyncPoolState:
		err = sr.poolState(ctx)
	case failover.StepLyncMirror:
		err = sr.mirror(ctx)
	case failover.StepLyncActiveServers:
		err = sr.activeServers(ctx)
	default:
		return fmt.Errorf("lync: unknown step %q", s.ID)
	}
	if waited >= 100*time.Millisecond && s.Detail != "" {
		// The import overlaps the SQL steps; what is left of it shows in this step's time.
		s.Detail += fmt.Sprintf("; waited %v for PowerShell to import the Lync module", waited.Round(10*time.Millisecond))
	}
	return err
}

// passwordVariables names the environment variables that carry the request's SQL
// passwords: the PowerShell process running the Lync cmdlets never needs them, so it does
// not inherit them.
func passwordVariables(req *request.Request) []string {
	if req == nil {
		return nil
	}
	var names []string
	for _, inst := range req.Instances() {
		if inst.PasswordEnv != "" {
			names = append(names, inst.PasswordEnv)
		}
	}
	return names
}
