package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"pcfailover/core/checkpoint"
	"pcfailover/core/failover"
	"pcfailover/core/filecopy"
	"pcfailover/core/lync"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// exitError ends the program with a code after the report was written.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }

// runFlags are the flags shared by plan and failover (cli/CONTRACT.md).
func runFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "request", Usage: "the request JSON `FILE`, or - for standard input (a request or a {request, passwords} envelope)"},
		&cli.BoolFlag{Name: "password-stdin", Usage: "with --request FILE: standard input carries the passwords object"},
		&cli.StringFlag{Name: "run-dir", Usage: "overrides the request's runDirectory"},
		&cli.BoolFlag{Name: "accept-data-loss", Usage: "overrides options.acceptDataLoss to true: recover at a gap, reporting the loss"},
		&cli.StringFlag{Name: "events", Usage: "progress events as JSON lines to `FILE`, or - for standard error"},
		&cli.StringFlag{Name: "output", Usage: "stdout format: json or text (default text on a terminal, json otherwise)"},
	}
}

func failoverCommand() *cli.Command {
	return &cli.Command{
		Name:      "failover",
		Usage:     "run the failover (runbook steps 0-7; steps 5-7 skipped with lync.skip), resumable",
		UsageText: "pcfailover failover --request FILE|- [--password-stdin] [--run-dir DIR] [--accept-data-loss] [--events FILE|-] [--output json|text]",
		Flags:     runFlags(),
		Action:    func(c *cli.Context) error { return runEngine(c, "failover") },
	}
}

// loadRunRequest resolves --output (json or text; text by default on a terminal) and loads
// the request for failover, plan and failback. An error is already reported on stdout and
// stderr and carries exit code 2; format is then the format it was reported in.
func loadRunRequest(c *cli.Context) (string, *request.Request, request.Passwords, error) {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format := c.String("output")
	switch format {
	case "":
		format = "json"
		if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	case "json", "text":
	default:
		return "json", nil, nil, invalid(stdout, stderr, "json", []request.FieldError{{Field: "--output", Message: fmt.Sprintf("%q is not json or text", format), Fix: "use --output json or --output text"}})
	}
	req, pw, err := loadRequest(c)
	if err != nil {
		var ve *request.ValidationError
		if errors.As(err, &ve) {
			return format, nil, nil, invalid(stdout, stderr, format, ve.Errors)
		}
		return format, nil, nil, invalid(stdout, stderr, format, []request.FieldError{{Field: "--request", Message: err.Error(), Fix: "give a readable request file, or - for standard input"}})
	}
	return format, req, pw, nil
}

// EnvShareSim, when set ("mbps=20,latency=30ms"), makes the copies read the share as
// over a network share (filecopy.NetShare): a lab and benchmark hook, never needed in
// production.
const EnvShareSim = "PCFAILOVER_SHARE_SIM"

func runEngine(c *cli.Context, command string) error {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format, req, pw, err := loadRunRequest(c)
	if err != nil {
		return err
	}
	red := request.ForPasswords(pw)
	events, closeEvents, err := openEvents(c, format, red)
	if err != nil {
		return invalid(stdout, stderr, format, []request.FieldError{{Field: "--events", Message: err.Error(), Fix: "give a writable file, or - for standard error"}})
	}
	defer closeEvents()
	cfg := failover.Config{Request: req, Passwords: pw, Command: command, Events: events, Checkpoints: checkpoint.FromEnv(os.Getenv)}
	if v := os.Getenv(EnvShareSim); v != "" {
		// Test and benchmark hook (set by the lab): the share behaves like a network share.
		ns, err := filecopy.ParseNetShare(v)
		if err != nil {
			return invalid(stdout, stderr, format, []request.FieldError{{Field: EnvShareSim, Message: err.Error(), Fix: "use mbps=<MB/s>,latency=<duration>, or unset it"}})
		}
		cfg.ShareOpener = ns.Open
	}
	if req.Lync == nil || !req.Lync.Skip {
		// Steps 5-7: PowerShell imports the Lync module while the SQL steps run.
		lr, err := lync.New(lync.Config{Request: req, Events: events})
		if err != nil {
			return invalid(stdout, stderr, format, []request.FieldError{{Field: "lync", Message: err.Error(), Fix: "set poolFqdn, or lync.skip to run steps 0-4 only"}})
		}
		defer lr.Close()
		cfg.Lync = lr
	}
	var rep *report.Report
	if command == "plan" {
		rep = failover.Plan(c.Context, cfg)
	} else {
		rep = failover.Failover(c.Context, cfg)
	}
	if err := writeReport(stdout, format, rep, red); err != nil {
		return err
	}
	logRunOutcome(stderr, events, rep, red)
	if rep.ExitCode != 0 {
		msg := rep.Outcome
		if len(rep.Errors) > 0 {
			msg += ": " + rep.Errors[0].Message
		}
		return &exitError{code: rep.ExitCode, msg: red.Redact(msg)}
	}
	return nil
}

func loadRequest(c *cli.Context) (*request.Request, request.Passwords, error) {
	src := c.String("request")
	if src == "" {
		return nil, nil, &request.ValidationError{Errors: []request.FieldError{{Field: "--request", Message: "is required", Fix: "give --request FILE, or --request - to read it from standard input"}}}
	}
	var data []byte
	var extra request.Passwords
	var err error
	if src == "-" {
		if c.Bool("password-stdin") {
			return nil, nil, &request.ValidationError{Errors: []request.FieldError{{Field: "--password-stdin", Message: "cannot be used with --request -", Fix: "send the envelope {request, passwords} on standard input instead"}}}
		}
		data, err = io.ReadAll(io.LimitReader(c.App.Reader, 4<<20))
	} else {
		data, err = os.ReadFile(src)
		if err == nil && c.Bool("password-stdin") {
			extra, err = request.DecodePasswords(c.App.Reader)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	data, err = request.ApplyOverrides(data, request.Overrides{RunDirectory: c.String("run-dir"), AcceptDataLoss: c.Bool("accept-data-loss")})
	if err != nil {
		return nil, nil, err
	}
	return request.Load(data, extra, os.Getenv)
}

// invalid prints the contract's invalid-request object and one line per problem.
func invalid(stdout, stderr io.Writer, format string, errs []request.FieldError) error {
	if format == "text" {
		fmt.Fprintln(stdout, "pcfailover: invalid request")
	} else {
		out := struct {
			Outcome  string               `json:"outcome"`
			ExitCode int                  `json:"exitCode"`
			Errors   []request.FieldError `json:"errors"`
		}{report.OutcomeInvalid, 2, errs}
		b, _ := json.MarshalIndent(out, "", "  ")
		stdout.Write(append(report.ASCII(b), '\n'))
	}
	var lines []string
	for _, e := range errs {
		line := e.String()
		fmt.Fprintln(stderr, line)
		lines = append(lines, line)
	}
	return &exitError{code: 2, msg: fmt.Sprintf("invalid request (%d problems)", len(lines))}
}

func writeReport(w io.Writer, format string, rep *report.Report, red *request.Redactor) error {
	if format == "text" {
		var b bytes.Buffer
		if err := report.WriteText(&b, rep); err != nil {
			return err
		}
		_, err := io.WriteString(w, red.Redact(b.String()))
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	// Redact string values only (never keys or structure), then escape non-ASCII.
	s := string(report.ASCII(red.RedactJSON(b)))
	if runtime.GOOS == "windows" {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	_, err = io.WriteString(w, s+"\n")
	return err
}
