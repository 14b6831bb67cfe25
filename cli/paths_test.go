package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Issue 11: `pcfailover plan --output text` on the demo lab shows each folder as SQL
// Server names it and as this machine reaches it.
func TestCLIPlanTextShowsEachFolderSQLAndLocalPath(t *testing.T) {
	c := startCLILab(t, "disaster")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, engineBinary(t), "plan", "--request", c.request, "--output", "text")
	cmd.Env = os.Environ()
	for k, v := range c.info.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("plan: %v: %s", err, errb.String())
	}
	text := out.String()
	for _, f := range []struct{ role, sql, local string }{
		{"share", c.info.SQLPaths.Share, c.info.Share},
		{"copyDestination", c.info.SQLPaths.CopyDestination, c.info.CopyDestination},
	} {
		lines := strings.Split(text, "\n")
		found := false
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), f.role+" ") && strings.HasSuffix(l, "SQL path "+f.sql) &&
				i+1 < len(lines) && strings.HasSuffix(lines[i+1], "local path "+f.local) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no SQL path %s followed by local path %s in:\n%s", f.role, f.sql, f.local, text)
		}
	}
}
