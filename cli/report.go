package main

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"pcfailover/core/htmlreport"
	"pcfailover/core/request"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "render a self-contained HTML or Markdown report of a failover, failback or drill run",
		UsageText: "pcfailover report --run DIR|FILE [--format html|md] [--out FILE]\n" +
			"   DIR: a runDirectory (its journal, or its newest drill), a drills/<run id> folder; FILE: a report JSON",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "run", Usage: "the run `DIR` (or a report JSON file)", Required: true},
			&cli.StringFlag{Name: "format", Value: "html", Usage: "html or md"},
			&cli.StringFlag{Name: "out", Usage: "write to `FILE` (atomically) instead of standard output"},
		},
		Action: runReport,
	}
}

func runReport(c *cli.Context) error {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format := c.String("format")
	if format != "html" && format != "md" {
		return invalid(stdout, stderr, "text", []request.FieldError{{Field: "--format", Message: fmt.Sprintf("%q is not html or md", format), Fix: "use --format html or --format md"}})
	}
	run, err := htmlreport.Load(c.String("run"))
	if err != nil {
		return invalid(stdout, stderr, "text", []request.FieldError{{Field: "--run", Message: err.Error(), Fix: "give a run directory or a report JSON file"}})
	}
	var b bytes.Buffer
	if format == "html" {
		err = htmlreport.WriteHTML(&b, run, time.Now())
	} else {
		err = htmlreport.WriteMarkdown(&b, run, time.Now())
	}
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	if out := c.String("out"); out != "" {
		if err := writeAtomic(out, b.Bytes()); err != nil {
			return &exitError{code: 1, msg: err.Error()}
		}
		fmt.Fprintln(stdout, out)
		return nil
	}
	_, err = stdout.Write(b.Bytes())
	return err
}

func asValidation(err error, ve **request.ValidationError) bool { return errors.As(err, ve) }
