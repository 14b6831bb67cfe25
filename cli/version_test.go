package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"pcfailover/core/buildinfo"
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

// TestBuiltBinaryCarriesModuleVersion runs the binary scripts/build.sh built
// (PCFAILOVER_TEST_BINARY) and checks that it reports ModuleVersion of the module manifest,
// the one source of the version. Plain go test builds say buildinfo.DevVersion instead.
func TestBuiltBinaryCarriesModuleVersion(t *testing.T) {
	bin := os.Getenv("PCFAILOVER_TEST_BINARY")
	if bin == "" {
		t.Skip("PCFAILOVER_TEST_BINARY is not set (scripts/test.sh sets it to the binary scripts/build.sh built)")
	}
	manifest, err := os.ReadFile(filepath.Join("..", "module", "PCFailover", "PCFailover.psd1"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*ModuleVersion\s*=\s*'([0-9.]+)'`).FindSubmatch(manifest)
	if m == nil {
		t.Fatal("no ModuleVersion in PCFailover.psd1")
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	var v struct{ Version string }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if v.Version != string(m[1]) {
		t.Fatalf("binary says version %q, PCFailover.psd1 says %q: build it with scripts/build.sh", v.Version, m[1])
	}
}

func TestUnstampedBuildSaysDev(t *testing.T) {
	// go test builds without -ldflags: the version must say so rather than look released.
	if buildinfo.Version != buildinfo.DevVersion {
		t.Skipf("this test binary was stamped with version %q", buildinfo.Version)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"pcfailover", "version"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), `"version": "dev"`) {
		t.Fatalf("unstamped version output %s", out.String())
	}
}
