package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"pcfailover/core/eventlog"
	"pcfailover/core/lync"
	"pcfailover/core/report"
	"pcfailover/core/request"
	"pcfailover/core/status"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "log-shipping health on the backup instance (read-only); exit 0 ok, 5 warning, 6 critical, 1 unknown",
		UsageText: "pcfailover status --request FILE|- [--password-stdin] [--output json|text|prometheus] [--prometheus-file FILE]\n" +
			"   e.g. for node_exporter's textfile collector: --prometheus-file /var/lib/node_exporter/textfile/pcfailover.prom",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "request", Usage: "the request JSON `FILE`, or - for standard input (a request or a {request, passwords} envelope)"},
			&cli.BoolFlag{Name: "password-stdin", Usage: "with --request FILE: standard input carries the passwords object"},
			&cli.StringFlag{Name: "output", Usage: "stdout format: json, text or prometheus (default text on a terminal, json otherwise)"},
			&cli.StringFlag{Name: "prometheus-file", Usage: "also write the Prometheus text format to `FILE`, atomically (temporary file, then rename)"},
		},
		Action: runStatus,
	}
}

func runStatus(c *cli.Context) error {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	format, ferr := outputFormat(c, "json", "text", "prometheus")
	if ferr != nil {
		return invalid(stdout, stderr, "json", []request.FieldError{{Field: "--output", Message: ferr.Error(), Fix: "use --output json, text or prometheus"}})
	}
	req, pw, err := loadRequest(c)
	if err != nil {
		return requestError(c, format, err)
	}
	red := request.ForPasswords(pw)
	cfg := status.Config{Request: req, Passwords: pw}
	if req.Lync != nil && !req.Lync.Skip {
		// The Lync module imports in the background while the SQL reads run.
		lr, err := lync.New(lync.Config{Request: req})
		if err == nil {
			defer lr.Close()
			cfg.Lync = lyncStatus{lr}
		}
	}
	st := status.Read(c.Context, cfg)
	var b bytes.Buffer
	switch format {
	case "text":
		err = status.WriteText(&b, st)
	case "prometheus":
		err = status.WritePrometheus(&b, st)
	default:
		var j []byte
		j, err = json.MarshalIndent(st, "", "  ")
		b.Write(report.ASCII(red.RedactJSON(j)))
		b.WriteByte('\n')
	}
	if err != nil {
		return err
	}
	out := b.String()
	if format != "json" {
		out = red.Redact(out)
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		return err
	}
	if p := c.String("prometheus-file"); p != "" {
		var pb bytes.Buffer
		if err := status.WritePrometheus(&pb, st); err != nil {
			return err
		}
		if err := writeAtomic(p, []byte(red.Redact(pb.String()))); err != nil {
			return &exitError{code: status.ExitUnknown, msg: err.Error()}
		}
	}
	logOutcome(stderr, nil, eventlog.ForStatus(st), red)
	if st.ExitCode != 0 {
		msg := st.Health
		for _, ch := range st.Checks {
			if ch.Health != status.OK {
				msg += "; " + ch.Name + ": " + ch.Message
			}
		}
		return &exitError{code: st.ExitCode, msg: red.Redact(msg)}
	}
	return nil
}

// requestError reports a request that could not be loaded (exit 2).
func requestError(c *cli.Context, format string, err error) error {
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	if format == "prometheus" {
		format = "text"
	}
	var ve *request.ValidationError
	if asValidation(err, &ve) {
		return invalid(stdout, stderr, format, ve.Errors)
	}
	return invalid(stdout, stderr, format, []request.FieldError{{Field: "--request", Message: err.Error(), Fix: "give a readable request file, or - for standard input"}})
}

// writeAtomic writes data to a temporary file beside path and renames it over path, so a
// reader (the textfile collector) never sees a partial file.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %v %v", path, werr, cerr)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// lyncStatus reads the pool and mirror state for status through core/lync.
type lyncStatus struct{ r *lync.Runner }

func (l lyncStatus) Read(ctx context.Context) (*status.LyncState, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	st, err := l.r.State(ctx)
	if err != nil {
		return nil, err
	}
	return &status.LyncState{Reachable: true, PoolState: st.PoolState, MirrorState: st.Mirror}, nil
}
