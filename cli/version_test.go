package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestVersionPrintsBuildAsJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"pcfailover", "version"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	var v struct {
		Version, Commit, GoVersion, OS, Arch string
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if v.Version == "" || v.Commit == "" || v.GoVersion != runtime.Version() || v.OS != runtime.GOOS || v.Arch != runtime.GOARCH {
		t.Fatalf("unexpected version info %+v", v)
	}
}

func TestUnknownCommandExitsTwo(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"pcfailover", "--no-such-flag"}, strings.NewReader(""), &out, &errb)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}

func TestEveryCommandHelpHasExamples(t *testing.T) {
	var walk func(cmds []*cli.Command, parent []string)
	walk = func(cmds []*cli.Command, parent []string) {
		for _, c := range cmds {
			path := append(append([]string(nil), parent...), c.Name)
			var out, errb bytes.Buffer
			args := append(append([]string{"pcfailover"}, path...), "--help")
			if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
				t.Errorf("%v: exit %d %s", args, code, errb.String())
				continue
			}
			if !strings.Contains(out.String(), "EXAMPLES:") || !strings.Contains(out.String(), "pcfailover "+path[0]) {
				t.Errorf("%s --help has no examples:\n%s", strings.Join(path, " "), out.String())
			}
			walk(c.Subcommands, path)
		}
	}
	walk(commands(), nil)
}
