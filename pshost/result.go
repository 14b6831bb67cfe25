package pshost

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Result is what one command produced.
type Result struct {
	// Output holds one JSON document per pipeline output object, converted by
	// ConvertTo-Json -Depth (Command.OutputDepth, else Config.OutputDepth, default 3) -Compress,
	// after Select-Object when Command.Select is set. Strings, numbers and
	// booleans are JSON scalars; a top-level [datetime] is an ISO 8601 round-trip string
	// ("o" format); $null is null; levels deeper than the depth become their ToString()
	// text (as ConvertTo-Json does).
	Output []json.RawMessage
	// Errors holds the error stream's records followed by the terminating error, if any.
	Errors []ErrorRecord
	// Warnings, Verbose, Debug and Information hold the messages of those streams, in
	// order. Verbose and Debug are only produced when the command is given -Verbose or
	// -Debug (Switch(true)). Information (Write-Host, Write-Information) needs
	// PowerShell 5.0 or later.
	Warnings, Verbose, Debug, Information []string
	// HadErrors is true when the command wrote an error or failed.
	HadErrors bool
	// TimedOut is true when the command was stopped at its timeout.
	TimedOut bool
	// Duration is how long the command ran inside PowerShell.
	Duration time.Duration
	// PID is the id of the PowerShell process that ran the command.
	PID int
}

// ErrorRecord is a PowerShell ErrorRecord, flattened.
type ErrorRecord struct {
	// Message is ErrorDetails.Message when set, else Exception.Message.
	Message string `json:"message"`
	// FullyQualifiedErrorID identifies the error, e.g.
	// "NamedParameterNotFound,Get-Item" or "CommandNotAllowed,pshost".
	FullyQualifiedErrorID string `json:"fullyQualifiedErrorId"`
	// Category is the ErrorCategory name, e.g. "ObjectNotFound".
	Category string `json:"category"`
	// Reason is CategoryInfo.Reason (usually the exception's type name).
	Reason string `json:"reason"`
	// TargetName and TargetType describe CategoryInfo's target.
	TargetName string `json:"targetName"`
	TargetType string `json:"targetType"`
	// ExceptionType is the full .NET type name of the exception.
	ExceptionType string `json:"exceptionType"`
	// ScriptStackTrace and PositionMessage locate the error in script code, when known.
	ScriptStackTrace string `json:"scriptStackTrace"`
	PositionMessage  string `json:"positionMessage"`
	// Terminating is true for the error that ended the command (throw, a parameter binding
	// error, -ErrorAction Stop, a refused command).
	Terminating bool `json:"terminating"`
}

func (e ErrorRecord) String() string {
	if e.FullyQualifiedErrorID == "" {
		return e.Message
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.FullyQualifiedErrorID)
}

// CommandError reports the error records of a command that ran but failed.
type CommandError struct {
	Command string
	Records []ErrorRecord
}

func (e *CommandError) Error() string {
	if len(e.Records) == 0 {
		return fmt.Sprintf("pshost: %s failed", e.Command)
	}
	msgs := make([]string, len(e.Records))
	for i, r := range e.Records {
		msgs[i] = r.String()
	}
	return fmt.Sprintf("pshost: %s: %s", e.Command, strings.Join(msgs, "; "))
}

// Terminating returns the record that ended the command, if any.
func (e *CommandError) Terminating() (ErrorRecord, bool) {
	for _, r := range e.Records {
		if r.Terminating {
			return r, true
		}
	}
	return ErrorRecord{}, false
}

// Err returns a *CommandError for command when the result has error records (a non-nil
// Result from Invoke can still describe a failed command), else nil.
func (r *Result) Err(command string) error {
	if r == nil || (len(r.Errors) == 0 && !r.HadErrors) {
		return nil
	}
	return &CommandError{Command: command, Records: r.Errors}
}

// DecodeOutput unmarshals the output objects, as a JSON array, into v (typically a pointer
// to a slice).
func (r *Result) DecodeOutput(v any) error {
	arr, err := json.Marshal(r.Output)
	if err != nil {
		return fmt.Errorf("pshost: encode output: %w", err)
	}
	if err := json.Unmarshal(arr, v); err != nil {
		return fmt.Errorf("pshost: decode output: %w", err)
	}
	return nil
}

// Errors returned by Invoke and Ready; test with errors.Is.
var (
	// ErrNotAllowed: the command is not in Config.AllowedCommands (checked in Go and again
	// in the bootstrap).
	ErrNotAllowed = errors.New("pshost: command not allowed")
	// ErrClosed: the host was closed.
	ErrClosed = errors.New("pshost: host closed")
	// ErrTimeout: the command ran past its timeout (Command.Timeout, Config.DefaultTimeout
	// or the context's deadline) and was stopped, or the process was killed because it did
	// not stop.
	ErrTimeout = errors.New("pshost: command timed out")
	// ErrProcessExited: the PowerShell process died (crashed, was killed, or exited) while
	// the command ran or while it started. The command's outcome is unknown; it is not
	// retried. The next Invoke starts a fresh process.
	ErrProcessExited = errors.New("pshost: PowerShell process exited")
	// ErrProtocol: the process broke the protocol (a malformed or mismatched reply); it is
	// killed and the command's outcome is unknown.
	ErrProtocol = errors.New("pshost: protocol error")
	// ErrStart: the process could not be started or initialised (module import failures
	// are *ImportError and also match ErrStart).
	ErrStart = errors.New("pshost: start failed")
)

// ImportError reports a module from Config.Modules that failed to import.
type ImportError struct {
	Module string
	Record ErrorRecord
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("pshost: import module %q: %s", e.Module, e.Record.String())
}

// Is makes an ImportError match ErrStart.
func (e *ImportError) Is(target error) bool { return target == ErrStart }

// ProcessError describes a failure of the PowerShell process itself.
type ProcessError struct {
	// Op is what was under way: "start" or the command name.
	Op string
	// PID is the process id, 0 when it never started.
	PID int
	// Exit describes how the process ended ("exit status 3", "signal: killed"), if it did.
	Exit string
	// Tail is the last part of stderr and of stray stdout lines, for diagnosis.
	Tail string
	// Err is ErrProcessExited, ErrTimeout, ErrProtocol, ErrStart or a context error, possibly
	// joined with a cause.
	Err error
}

func (e *ProcessError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pshost: %s", e.Op)
	if e.PID != 0 {
		fmt.Fprintf(&b, " (pid %d)", e.PID)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Exit != "" {
		fmt.Fprintf(&b, "; process ended: %s", e.Exit)
	}
	if t := strings.TrimSpace(e.Tail); t != "" {
		fmt.Fprintf(&b, "; output tail:\n%s", t)
	}
	return b.String()
}

func (e *ProcessError) Unwrap() error { return e.Err }
