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

	"pcfailover/core/drill"
	"pcfailover/core/report"
	"pcfailover/core/request"
)

// requestFlags are the request flags of drill and status (cli/CONTRACT.md).
func requestFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "request", Usage: "the request JSON `FILE`, or - for standard input (a request or a {request, passwords} envelope)"},
		&cli.BoolFlag{Name: "password-stdin", Usage: "with --request FILE: standard input carries the passwords object"},
		&cli.StringFlag{Name: "run-dir", Usage: "overrides the request's runDirectory"},
		&cli.StringFlag{Name: "events", Usage: "progress events as JSON lines to `FILE`, or - for standard error"},
	}
}

func drillCommand() *cli.Command {
	return &cli.Command{
		Name:  "drill",
		Usage: "non-destructive DR drill: restore the full backup and the log chain as <db>_drill_<stamp> on the backup instance, verify, measure RTO/RPO, drop it",
		UsageText: "pcfailover drill --request FILE|- [--password-stdin] [--run-dir DIR] [--full-backup PATH] [--scratch-dir DIR] [--skip-checkdb]\n" +
			"   [--events FILE|-] [--output json|text]",
		Flags: append(requestFlags(),
			&cli.StringFlag{Name: "full-backup", Usage: "overrides drill.fullBackup: the full backup `PATH` to start from"},
			&cli.StringFlag{Name: "scratch-dir", Usage: "overrides drill.scratchDirectory: `DIR` on the backup SQL Server for the copy's files"},
			&cli.BoolFlag{Name: "skip-checkdb", Usage: "overrides drill.skipCheckDb to true"},
			&cli.StringFlag{Name: "output", Usage: "stdout format: json or text (default text on a terminal, json otherwise)"},
		),
		Action: runDrill,
	}
}

// outputFormat resolves --output among allowed (the first is the non-terminal default,
// text is the terminal default when allowed).
func outputFormat(c *cli.Context, allowed ...string) (string, error) {
	f := c.String("output")
	if f == "" {
		f = "json"
		if out, ok := c.App.Writer.(*os.File); ok && term.IsTerminal(int(out.Fd())) {
			f = "text"
		}
		return f, nil
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "json", fmt.Errorf("%q is not %s", f, strings.Join(allowed, ", "))
}

// loadDrillRequest loads the request and applies the drill flags.
func loadDrillRequest(c *cli.Context, format string) (*request.Request, request.Passwords, error) {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	req, pw, err := loadRequest(c)
	if err != nil {
		var ve *request.ValidationError
		if errors.As(err, &ve) {
			return nil, nil, invalid(stdout, stderr, format, ve.Errors)
		}
		return nil, nil, invalid(stdout, stderr, format, []request.FieldError{{Field: "--request", Message: err.Error(), Fix: "give a readable request file, or - for standard input"}})
	}
	if v := c.String("full-backup"); v != "" {
		req.Drill.FullBackup = v
	}
	if v := c.String("scratch-dir"); v != "" {
		req.Drill.ScratchDirectory = v
	}
	if c.Bool("skip-checkdb") {
		req.Drill.SkipCheckDB = true
	}
	if errs := req.Validate(runtime.GOOS); len(errs) > 0 {
		return nil, nil, invalid(stdout, stderr, format, errs)
	}
	return req, pw, nil
}

func runDrill(c *cli.Context) error {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format, ferr := outputFormat(c, "json", "text")
	if ferr != nil {
		return invalid(stdout, stderr, "json", []request.FieldError{{Field: "--output", Message: ferr.Error(), Fix: "use --output json or --output text"}})
	}
	req, pw, err := loadDrillRequest(c, format)
	if err != nil {
		return err
	}
	red := request.ForPasswords(pw)
	events, closeEvents, err := openEvents(c, format, red)
	if err != nil {
		return invalid(stdout, stderr, format, []request.FieldError{{Field: "--events", Message: err.Error(), Fix: "give a writable file, or - for standard error"}})
	}
	defer closeEvents()
	rep := drill.Run(c.Context, drill.Config{Request: req, Passwords: pw, Events: events})
	if err := writeDrillReport(stdout, format, rep, red); err != nil {
		return err
	}
	logRunOutcome(stderr, events, rep.Report, red)
	if rep.ExitCode != 0 {
		msg := rep.Outcome
		if len(rep.Errors) > 0 {
			msg += ": " + rep.Errors[len(rep.Errors)-1].Message
		}
		return &exitError{code: rep.ExitCode, msg: red.Redact(msg)}
	}
	return nil
}

func writeDrillReport(w io.Writer, format string, rep *drill.Report, red *request.Redactor) error {
	if format == "text" {
		var b bytes.Buffer
		if err := report.WriteText(&b, rep.Report); err != nil {
			return err
		}
		d := rep.Drill
		fmt.Fprintf(&b, "\nDrill copy %s (dropped: %v), full backup %s\n", d.Database, d.Dropped, d.FullBackup)
		fmt.Fprintf(&b, "RTO %.3fs (full + %d logs + recovery); failover estimate %.3fs for %d logs the secondary lacks\n",
			d.RTOSeconds, d.LogsApplied, d.FailoverRestoreSeconds, d.LogsPendingOnSecondary)
		fmt.Fprintf(&b, "RPO %.0fs; DBCC CHECKDB %s; history %s\n", d.RPOSeconds, d.CheckDB, d.HistoryFile)
		for _, p := range d.Phases {
			fmt.Fprintf(&b, "  %-18s %8.3fs\n", p.ID, float64(p.DurationMs)/1000)
		}
		_, err := io.WriteString(w, red.Redact(b.String()))
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, string(report.ASCII(red.RedactJSON(b)))+"\n")
	return err
}
