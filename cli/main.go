// Command pcfailover fails a Lync Server 2013 / Skype for Business Server 2015
// Persistent Chat pool over to its disaster-recovery data center and back, runs
// non-destructive DR drills, and reports log-shipping health. It reads a JSON request
// and writes a JSON report; the PCFailover PowerShell module wraps it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the CLI and returns the process exit code, so tests can drive the whole
// program in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	if err := app.RunContext(ctx, args); err != nil {
		return exitCodeOf(err, stderr)
	}
	return 0
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "pcfailover",
		Usage: "fail a Lync 2013 / SfB 2015 Persistent Chat pool over to its DR data center, safely",
		Description: "Reads a JSON request, plans before it acts, journals what it cannot observe again,\n" +
			"and writes a JSON report. Exit codes: 0 succeeded, 1 failed, 2 invalid request,\n" +
			"3 blocked by a safety check (operator decision needed), 4 interrupted (run again to resume).",
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {},
		Commands:        commands(),
	}
}

// exitCoder is an error that carries the process exit code.
type exitCoder interface{ ExitCode() int }

func exitCodeOf(err error, stderr io.Writer) int {
	fmt.Fprintln(stderr, "pcfailover:", err)
	if ec, ok := err.(exitCoder); ok {
		return ec.ExitCode()
	}
	return 2 // urfave/cli usage errors: bad flags or arguments
}
