package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"pcfailover/core/lab"
)

// labError carries the exit code of a lab subcommand: 1 when the lab failed or is down,
// 2 for bad usage or an invalid scenario.
type labError struct {
	err  error
	code int
}

func (e *labError) Error() string { return e.err.Error() }
func (e *labError) Unwrap() error { return e.err }
func (e *labError) ExitCode() int { return e.code }

// labFailure classifies an error: an invalid scenario (or usage) exits 2, anything else 1.
func labFailure(err error) error {
	if errors.Is(err, lab.ErrUsage) {
		return &labError{err: err, code: 2}
	}
	return &labError{err: err, code: 1}
}

func labScenarioHelp() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, s := range lab.Scenarios() {
		fmt.Fprintf(tw, "   %s\t%s\n", s.Name, s.Description)
	}
	tw.Flush()
	return b.String()
}

func labDirFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "dir", Usage: "the lab directory (created if needed)", Required: true}
}

func labScenarioFlags() []cli.Flag {
	return []cli.Flag{
		labDirFlag(),
		&cli.StringFlag{Name: "scenario", Usage: "a built-in scenario (default disaster)"},
		&cli.StringFlag{Name: "scenario-file", Usage: "a custom scenario `FILE` (JSON; see `pcfailover lab --help`)"},
		&cli.BoolFlag{Name: "tls", Usage: "every instance requires TLS with a certificate the lab generates"},
		&cli.StringFlag{Name: "lync-module", Usage: "path of LyncSim.psd1 (default: found next to the program or $PCFAILOVER_LYNCSIM_MODULE)"},
	}
}

func labOptions(c *cli.Context) lab.Options {
	return lab.Options{
		Dir:          c.String("dir"),
		Scenario:     c.String("scenario"),
		ScenarioFile: c.String("scenario-file"),
		TLS:          c.Bool("tls"),
		LyncModule:   c.String("lync-module"),
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func labCommand() *cli.Command {
	return &cli.Command{
		Name:  "lab",
		Usage: "start, inspect and stop a simulated deployment (SQL Server simulators, share, copy folder, LyncSim)",
		Description: "A lab is three simulated SQL Server instances (primary, backup, backupMirror) on\n" +
			"127.0.0.1, the log-shipping share and copy folder with real backup files, a LyncSim state\n" +
			"for the pool, and a ready failover request, built from a scenario by running the\n" +
			"simulator's real backup, copy and restore jobs. It writes DIR/lab.json (mode 0600: it\n" +
			"holds the lab's throwaway passwords) with the instances' addresses and logins, the share,\n" +
			"the copy folder, the request path and the environment the request needs.\n\n" +
			"Built-in scenarios:\n" + labScenarioHelp() + "\n" +
			"failedover runs the whole failover (steps 0-7, LyncSim) on a disaster lab, commits 40\n" +
			"transactions on the backup and rebuilds the primary with an empty mgc; lab.json then names\n" +
			"a ready failback request (\"failbackRequest\": DIR/failback-request.json) for\n" +
			"`pcfailover failback`. It needs PowerShell (pwsh) and the LyncSim module.\n\n" +
			"A custom scenario file (--scenario-file) is JSON, for example:\n" +
			"   { \"name\": \"drill\", \"primaryUp\": true, \"sessions\": 1, \"restoreMode\": \"standby\",\n" +
			"     \"logs\": { \"count\": 20, \"copied\": 15, \"restored\": 10, \"sizeBytes\": 65536,\n" +
			"               \"interval\": \"15m\", \"missing\": [12], \"damaged\": [], \"truncated\": [], \"partial\": [17] },\n" +
			"     \"throughput\": { \"restoreMBps\": 50, \"statementLatency\": \"5ms\" },\n" +
			"     \"faults\": [ { \"instance\": \"backup\", \"statement\": \"^RESTORE LOG\", \"error\": 3203, \"times\": 1 } ] }\n" +
			"Every field is documented in the core/lab package (go doc pcfailover/core/lab).",
		Subcommands: []*cli.Command{labUpCommand(), labStatusCommand(), labDownCommand(), labServeCommand(), labScenariosCommand()},
	}
}

func labUpCommand() *cli.Command {
	return &cli.Command{
		Name:      "up",
		Usage:     "start a lab in the background and print lab.json (passwords redacted) once it accepts connections",
		UsageText: "pcfailover lab up --dir DIR [--scenario NAME | --scenario-file FILE] [--tls]",
		Flags: append(labScenarioFlags(),
			&cli.DurationFlag{Name: "timeout", Value: 2 * time.Minute, Usage: "how long to wait for the lab to be ready"}),
		Action: func(c *cli.Context) error {
			info, err := lab.Up(c.Context, lab.UpOptions{Options: labOptions(c), Timeout: c.Duration("timeout")})
			if err != nil {
				return labFailure(err)
			}
			// Passwords stay in DIR/lab.json (mode 0600); nothing secret is printed.
			return writeJSON(c.App.Writer, info.Redacted())
		},
	}
}

func labStatusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "print whether the lab runs and each instance answers, as JSON (exit 1 when it does not)",
		UsageText: "pcfailover lab status --dir DIR",
		Flags:     []cli.Flag{labDirFlag()},
		Action: func(c *cli.Context) error {
			st, err := lab.ReadStatus(c.Context, c.String("dir"))
			if err != nil {
				return labFailure(err)
			}
			if err := writeJSON(c.App.Writer, st); err != nil {
				return err
			}
			if !st.Healthy {
				return &labError{err: errors.New("lab: " + strings.Join(st.Problems, "; ")), code: 1}
			}
			return nil
		},
	}
}

func labDownCommand() *cli.Command {
	return &cli.Command{
		Name:      "down",
		Usage:     "stop the lab and wait until its process has exited",
		UsageText: "pcfailover lab down --dir DIR",
		Flags: []cli.Flag{labDirFlag(),
			&cli.DurationFlag{Name: "timeout", Value: time.Minute, Usage: "how long to wait before killing the lab process"}},
		Action: func(c *cli.Context) error {
			wasRunning, err := lab.Down(c.Context, c.String("dir"), c.Duration("timeout"))
			if err != nil {
				return labFailure(err)
			}
			return writeJSON(c.App.Writer, map[string]any{"dir": c.String("dir"), "stopped": wasRunning, "running": false})
		},
	}
}

func labServeCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "run a lab in the foreground until interrupted (SIGINT/SIGTERM) or `lab down`",
		UsageText: "pcfailover lab serve --dir DIR [--scenario NAME | --scenario-file FILE] [--tls]",
		Flags:     labScenarioFlags(),
		Action: func(c *cli.Context) error {
			err := lab.Serve(c.Context, labOptions(c), func(info lab.Info) {
				// No password here: this goes to the terminal or DIR/lab.log.
				fmt.Fprintf(c.App.Writer, "lab ready: scenario %s, %s\n", info.Scenario, info.Dir)
				roles := make([]string, 0, len(info.Instances))
				for r := range info.Instances {
					roles = append(roles, r)
				}
				sort.Strings(roles)
				for _, r := range roles {
					ii := info.Instances[r]
					fmt.Fprintf(c.App.Writer, "  %-12s %s %s up=%v\n", r, ii.Address, ii.ServerName, ii.Up)
				}
				fmt.Fprintf(c.App.Writer, "  lab.json     %s\n", filepath.Join(info.Dir, lab.InfoFile))
			})
			if err != nil && !errors.Is(err, c.Context.Err()) {
				return labFailure(err)
			}
			fmt.Fprintln(c.App.Writer, "lab stopped")
			return nil
		},
	}
}

func labScenariosCommand() *cli.Command {
	return &cli.Command{
		Name:      "scenarios",
		Usage:     "list the built-in scenarios as JSON",
		UsageText: "pcfailover lab scenarios",
		Action: func(c *cli.Context) error {
			return writeJSON(c.App.Writer, lab.Scenarios())
		},
	}
}
