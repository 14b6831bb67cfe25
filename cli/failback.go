package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"pcfailover/core/checkpoint"
	"pcfailover/core/failback"
	"pcfailover/core/lync"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// failbackCommand is `pcfailover failback` (cli/CONTRACT.md, Failback): --plan prints the
// what-if and changes nothing.
func failbackCommand() *cli.Command {
	flags := append(runFlags(), &cli.BoolFlag{Name: "plan", Usage: "observe and print the failback plan; change nothing"})
	return &cli.Command{
		Name:      "failback",
		Usage:     "return the pool to the primary data center with no transaction lost (resumable)",
		UsageText: "pcfailover failback --request FILE|- [--plan] [--password-stdin] [--run-dir DIR] [--accept-data-loss] [--events FILE|-] [--output json|text]",
		Flags:     flags,
		Action:    runFailback,
	}
}

func runFailback(c *cli.Context) error {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format, req, pw, err := loadRunRequest(c)
	if err != nil {
		return err
	}
	if errs := failback.Validate(req); len(errs) > 0 {
		return invalid(stdout, stderr, format, errs)
	}
	red := request.ForPasswords(pw)
	events, closeEvents, err := openEvents(c, format, red)
	if err != nil {
		return invalid(stdout, stderr, format, []request.FieldError{{Field: "--events", Message: err.Error(), Fix: "give a writable file, or - for standard error"}})
	}
	defer closeEvents()
	cfg := failback.Config{Request: req, Passwords: pw, Events: events, Checkpoints: checkpoint.FromEnv(os.Getenv)}
	if req.Lync == nil || !req.Lync.Skip {
		// The Lync steps run through core/lync, the runner of the failover's steps 5-7;
		// PowerShell imports the Lync module while the failback observes SQL Server.
		lr, err := lync.New(lync.Config{Request: req, Events: events})
		if err != nil {
			return invalid(stdout, stderr, format, []request.FieldError{{Field: "lync", Message: err.Error(), Fix: "set poolFqdn, or lync.skip to run the SQL steps only (after clearing the active servers yourself)"}})
		}
		defer lr.Close()
		cfg.Lync = lr
	}
	var rep *report.Report
	if c.Bool("plan") {
		rep = failback.Plan(c.Context, cfg)
	} else {
		rep = failback.Failback(c.Context, cfg)
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
