package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// commands lists every subcommand; each lives in its own file. Every command's help
// ends with examples (see examples).
func commands() []*cli.Command {
	cmds := []*cli.Command{
		versionCommand(),
		schemaCommand(),
		planCommand(),
		failoverCommand(),
		failbackCommand(),
		labCommand(),
		drillCommand(),
		statusCommand(),
		reportCommand(),
	}
	ex := commandExamples()
	for _, c := range cmds {
		addExamples(c, "", ex)
	}
	return cmds
}

// commandExamples are shown at the end of each command's --help, keyed by the command path.
func commandExamples() map[string][]string {
	return map[string][]string{
		"version": {"pcfailover version"},
		"schema":  {"pcfailover schema > pcfailover-request.schema.json"},
		"plan": {
			`pcfailover plan --request C:\pcfailover\pchat.json --output text`,
			`$env:PCF_SQL_PASSWORD = '...'; pcfailover plan --request pchat.json   # the request names passwordEnv`,
			`Get-Content pchat.json | pcfailover plan --request - --events -`,
		},
		"failover": {
			`pcfailover failover --request C:\pcfailover\pchat.json`,
			`pcfailover failover --request pchat.json --events C:\pcfailover\events.jsonl --output json > report.json`,
			`pcfailover failover --request pchat.json --accept-data-loss   # only after plan showed the loss`,
		},
		"failback": {
			`pcfailover failback --request pchat-failback.json --plan --output text`,
			`pcfailover failback --request pchat-failback.json`,
		},
		"lab": {
			"pcfailover lab up --dir /tmp/lab --scenario disaster",
			"pcfailover lab status --dir /tmp/lab",
			"pcfailover lab down --dir /tmp/lab",
		},
		"lab up": {
			"pcfailover lab up --dir /tmp/lab --scenario gap",
			"pcfailover lab up --dir /tmp/lab --scenario-file my-scenario.json --tls",
		},
		"lab status": {"pcfailover lab status --dir /tmp/lab"},
		"lab down":   {"pcfailover lab down --dir /tmp/lab"},
		"lab serve":  {"pcfailover lab serve --dir /tmp/lab --scenario disaster   # foreground, Ctrl+C stops it"},
		"drill": {
			`pcfailover drill --request pchat.json --scratch-dir D:\pcfailover-drill --output text`,
			`pcfailover drill --request pchat.json --full-backup \\fs01\lsbackup\mgc_full.bak`,
		},
		"status": {
			"pcfailover status --request pchat.json --output text",
			`pcfailover status --request pchat.json --output prometheus --prometheus-file C:\textfile\pcfailover.prom`,
		},
		"report": {
			`pcfailover report --run C:\ProgramData\pcfailover\runs\pchat --format html --out failover.html`,
			"pcfailover report --run runs/pchat/drills/20261125T030000Z --format md",
		},
		"lab scenarios": {"pcfailover lab scenarios"},
	}
}

// addExamples appends the EXAMPLES section to c's description and to its subcommands'.
func addExamples(c *cli.Command, parent string, examples map[string][]string) {
	path := strings.TrimSpace(parent + " " + c.Name)
	if ex := examples[path]; len(ex) > 0 {
		var b strings.Builder
		if c.Description != "" {
			b.WriteString(strings.TrimRight(c.Description, "\n"))
			b.WriteString("\n\n")
		}
		b.WriteString("EXAMPLES:")
		for _, e := range ex {
			b.WriteString("\n   ")
			b.WriteString(e)
		}
		c.Description = b.String()
	}
	for _, sub := range c.Subcommands {
		addExamples(sub, path, examples)
	}
}
