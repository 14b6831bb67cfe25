package main

import (
	"encoding/json"

	"github.com/urfave/cli/v2"

	"pcfailover/core/buildinfo"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the build as JSON (version, commit, Go version, OS/arch)",
		UsageText: "pcfailover version",
		Action: func(c *cli.Context) error {
			enc := json.NewEncoder(c.App.Writer)
			enc.SetIndent("", "  ")
			return enc.Encode(buildinfo.Read())
		},
	}
}
