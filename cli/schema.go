package main

import (
	"github.com/urfave/cli/v2"

	"pcfailover/core/request"
)

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:      "schema",
		Usage:     "print the request JSON Schema (draft 2020-12)",
		UsageText: "pcfailover schema",
		Action: func(c *cli.Context) error {
			_, err := c.App.Writer.Write(request.Schema())
			return err
		},
	}
}
