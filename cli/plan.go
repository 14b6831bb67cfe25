package main

import "github.com/urfave/cli/v2"

func planCommand() *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "discover (read-only) and print what failover would do, step by step",
		UsageText: "pcfailover plan --request FILE|- [--password-stdin] [--run-dir DIR] [--accept-data-loss] [--events FILE|-] [--output json|text]",
		Flags:     runFlags(),
		Action:    func(c *cli.Context) error { return runEngine(c, "plan") },
	}
}
