package pshost

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pcfailover/core/errlist"
)

// pipeDrainWait is how long a dead process's pipes may stay open (held by a grandchild that
// escaped the kill) before they are closed under their readers.
const pipeDrainWait = 2 * time.Second

// process is one running PowerShell with the bootstrap loaded. Its goroutines (stdout
// reader, stderr reader, waiter, boot) are counted in the host's WaitGroup and all end
// once the process has exited.
type process struct {
	cmd   *exec.Cmd
	tree  *processTree
	stdin *os.File
	nonce string
	tail  *tailBuffer

	frames chan frame    // reply frames, in order
	exited chan struct{} // closed when the process has exited and stdout is drained
	exit   string        // how it ended; read after exited is closed

	killOnce sync.Once
	killed   atomic.Bool

	ready    chan struct{} // closed when boot has finished
	startErr error         // read after ready is closed
	info     Info          // read after ready is closed
}

// Info describes a ready PowerShell process.
type Info struct {
	// PID is PowerShell's $PID. It can differ from the launched executable's id: a .NET
	// global tool's pwsh starts PowerShell as its child.
	PID       int
	PSVersion string // $PSVersionTable.PSVersion, e.g. "5.1.17763.316" or "7.6.9"
	Edition   string // "Desktop" or "Core" ("" on PowerShell 3.0 and 4.0)
	Is64Bit   bool
	Modules   []ModuleInfo
	// StartDuration is the time from launch to ready, module imports included.
	StartDuration time.Duration
}

// ModuleInfo is a module imported at start.
type ModuleInfo struct {
	Requested string // as given in Config.Modules
	Name      string
	Version   string
	Path      string
}

func newNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate nonce: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// launch starts the PowerShell process and its reader goroutines. The bootstrap is sent and
// the ready frame awaited by boot, which launch starts in the background.
func launch(h *Host) (*process, error) {
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	p := &process{
		nonce:  nonce,
		tail:   newTailBuffer(h.cfg.StderrLimit),
		frames: make(chan frame, 4),
		exited: make(chan struct{}),
		ready:  make(chan struct{}),
	}
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("stdin pipe: %w", err)
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		closeAll(stdinR, stdinW)
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		closeAll(stdinR, stdinW, stdoutR, stdoutW)
		return nil, fmt.Errorf("stderr pipe: %w", err)
	}
	cmd := exec.Command(h.exe, h.args...)
	cmd.Env = append(append(inheritedEnv(os.Environ(), h.cfg.Unset), "POWERSHELL_TELEMETRY_OPTOUT=1", "POWERSHELL_UPDATECHECK=Off", "NO_COLOR=1"), h.cfg.Env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, stdoutW, stderrW
	configureCmd(cmd)
	if err := cmd.Start(); err != nil {
		closeAll(stdinR, stdinW, stdoutR, stdoutW, stderrR, stderrW)
		return nil, fmt.Errorf("run: %w", err)
	}
	closeAll(stdinR, stdoutW, stderrW)
	p.cmd, p.stdin = cmd, stdinW
	tree, err := attachTree(cmd)
	if err != nil {
		fmt.Fprintf(p.tail, "pshost: %v (child processes may survive a kill)\n", err)
	}
	p.tree = tree

	stdoutDone := make(chan struct{})
	stderrDone := make(chan struct{})
	h.wg.Add(3)
	go func() {
		defer h.wg.Done()
		defer close(stderrDone)
		_, _ = io.Copy(p.tail, stderrR)
	}()
	go func() {
		defer h.wg.Done()
		defer close(stdoutDone)
		p.readStdout(stdoutR, h.cfg.MaxReplyBytes)
	}()
	go func() {
		defer h.wg.Done()
		werr := cmd.Wait()
		for _, d := range []struct {
			done <-chan struct{}
			f    *os.File
		}{{stdoutDone, stdoutR}, {stderrDone, stderrR}} {
			select {
			case <-d.done:
			case <-time.After(pipeDrainWait):
				_ = d.f.Close()
				<-d.done
			}
		}
		closeAll(stdoutR, stderrR, stdinW)
		p.tree.release()
		if werr != nil {
			p.exit = werr.Error()
		} else {
			p.exit = "exit status 0"
		}
		close(p.exited)
	}()
	return p, nil
}

func closeAll(fs ...*os.File) {
	for _, f := range fs {
		_ = f.Close()
	}
}

// readStdout splits stdout into lines, passes our frames on and keeps stray lines in the
// tail. A line longer than maxLine is dropped; if it was a frame, its id gets an error.
func (p *process) readStdout(r io.Reader, maxLine int) {
	br := bufio.NewReaderSize(r, 64*1024)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		tooLong := false
		if len(line)+len(chunk) > maxLine {
			tooLong = true
			keep := min(len(chunk), max(0, maxLine-len(line)))
			line = append(line, chunk[:keep]...)
		} else {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) && !tooLong {
			continue
		}
		if tooLong {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			f, ferr := parseFrame(line[:min(len(line), len(p.nonce)+32)], p.nonce)
			if !errors.Is(ferr, errNotFrame) {
				f.err = fmt.Errorf("%w: reply longer than %d bytes", ErrProtocol, maxLine)
				p.deliver(f)
			} else {
				fmt.Fprintf(p.tail, "[stdout, %d+ bytes dropped]\n", maxLine)
			}
		} else if len(line) > 0 {
			f, ferr := parseFrame(line, p.nonce)
			switch {
			case ferr == nil:
				p.deliver(f)
			case errors.Is(ferr, errNotFrame):
				fmt.Fprintf(p.tail, "[stdout] %s", line)
				if line[len(line)-1] != '\n' {
					_, _ = p.tail.Write([]byte("\n"))
				}
			default:
				f.err = fmt.Errorf("%w: %w", ErrProtocol, ferr)
				p.deliver(f)
			}
		}
		line = line[:0]
		if err != nil {
			return
		}
	}
}

// deliver passes a frame to whoever waits for one. With one request in flight at a time
// the buffer never fills unless the process floods us with frames, which is a protocol
// error: then the process is killed.
func (p *process) deliver(f frame) {
	select {
	case p.frames <- f:
	default:
		fmt.Fprintf(p.tail, "pshost: unexpected frame %d; killing the process\n", f.id)
		p.kill()
	}
}

// kill ends the process tree (idempotent).
func (p *process) kill() {
	p.killed.Store(true)
	p.killOnce.Do(func() {
		if err := p.tree.kill(); err != nil {
			fmt.Fprintf(p.tail, "pshost: kill: %v\n", err)
		}
	})
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// dead reports whether the process exited or is being killed.
func (p *process) dead() bool {
	if p.killed.Load() {
		return true
	}
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// processError builds a ProcessError for op, waiting briefly for the process to end so
// that its exit status and stderr are complete.
func (p *process) processError(op string, err error) *ProcessError {
	select {
	case <-p.exited:
	case <-time.After(pipeDrainWait + time.Second):
	}
	e := &ProcessError{Op: op, PID: p.pid(), Tail: p.tail.String(), Err: err}
	select {
	case <-p.exited:
		e.Exit = p.exit
	default:
	}
	return e
}

// writeLine writes one ASCII line to stdin.
func (p *process) writeLine(b []byte) error {
	buf := make([]byte, 0, len(b)+1)
	buf = append(append(buf, b...), '\n')
	_, err := p.stdin.Write(buf)
	return err
}

func encodeLine(v any) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(js)))
	base64.StdEncoding.Encode(out, js)
	return out, nil
}

// boot sends the bootstrap and the init message and waits for the ready frame, within
// ctx (the host's lifetime and Config.StartTimeout). It always closes p.ready.
func (p *process) boot(ctx context.Context, h *Host, started time.Time) {
	defer close(p.ready)
	stop := context.AfterFunc(ctx, p.kill)
	defer stop()

	fail := func(err error) {
		p.kill()
		if ctx.Err() != nil {
			err = errlist.Join(err, context.Cause(ctx))
		}
		p.startErr = p.processError("start", fmt.Errorf("%w: %w", ErrStart, err))
	}
	init, err := encodeLine(initMessage{
		Nonce:       p.nonce,
		Modules:     h.cfg.Modules,
		Allowed:     h.cfg.AllowedCommands,
		OutputDepth: h.cfg.OutputDepth,
		StopGraceMs: h.cfg.StopGrace.Milliseconds(),
		MaxReply:    h.cfg.MaxReplyBytes,
	})
	if err != nil {
		fail(fmt.Errorf("encode init message: %w", err))
		return
	}
	script := make([]byte, base64.StdEncoding.EncodedLen(len(bootstrapScript)))
	base64.StdEncoding.Encode(script, []byte(bootstrapScript))
	if err := p.writeLine(script); err != nil {
		fail(fmt.Errorf("%w: send bootstrap: %w", ErrProcessExited, err))
		return
	}
	if err := p.writeLine(init); err != nil {
		fail(fmt.Errorf("%w: send init message: %w", ErrProcessExited, err))
		return
	}
	var f frame
	select {
	case f = <-p.frames:
	case <-p.exited:
		select {
		case f = <-p.frames:
		default:
			fail(ErrProcessExited)
			return
		}
	}
	if f.err != nil {
		fail(f.err)
		return
	}
	if f.id != 0 {
		fail(fmt.Errorf("%w: frame %d before the ready frame", ErrProtocol, f.id))
		return
	}
	m, err := decodeReady(f.payload)
	if err != nil {
		fail(fmt.Errorf("%w: %w", ErrProtocol, err))
		return
	}
	var importErrs []error
	info := Info{PID: m.PID, PSVersion: m.PSVersion, Edition: m.Edition, Is64Bit: m.Is64Bit}
	for _, im := range m.Imports {
		if !im.OK {
			rec := ErrorRecord{Message: "import failed"}
			if im.Error != nil {
				rec = *im.Error
			}
			importErrs = append(importErrs, &ImportError{Module: im.Module, Record: rec})
			continue
		}
		info.Modules = append(info.Modules, ModuleInfo{Requested: im.Module, Name: im.Name, Version: im.Version, Path: im.Path})
	}
	if len(importErrs) > 0 {
		p.kill()
		p.startErr = errlist.Join(importErrs...)
		return
	}
	info.StartDuration = time.Since(started)
	p.info = info
}

// inheritedEnv returns environ without the variables named in unset (names compared
// ignoring case, as Windows does).
func inheritedEnv(environ, unset []string) []string {
	if len(unset) == 0 {
		return environ
	}
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, u := range unset {
			if u != "" && strings.EqualFold(name, u) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
