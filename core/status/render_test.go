package status

import (
	"bufio"
	"regexp"
	"strings"
	"testing"
	"time"
)

func sampleStatus() *Status {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	lat := int64(120)
	return &Status{PoolFQDN: `pc"hat\.contoso.com`, Database: "mgc", CheckedAt: at, Health: Warning, ExitCode: 5,
		LastRestore: &Event{File: "mgc_1.trn", At: &at, AgeSeconds: 300, LatencySeconds: &lat},
		Files:       Files{WaitingToCopy: 3, WaitingToRestore: 8},
		Chain:       &Chain{Continuous: true},
		RPO:         &RPO{RecoverableTo: &at, DataAtRiskSeconds: 900},
		Lync:        &LyncState{Reachable: true, PoolState: "Normal"},
		Checks:      []Check{{Name: "rpo", Health: OK}, {Name: "restore", Health: Warning}}}
}

func TestWritePrometheus(t *testing.T) {
	var b strings.Builder
	if err := WritePrometheus(&b, sampleStatus()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	base := `pool="pc\"hat\\.contoso.com",database="mgc"`
	for _, want := range []string{
		"pcfailover_status_health{" + base + "} 1\n",
		"pcfailover_status_exit_code{" + base + "} 5\n",
		"pcfailover_check_health{" + base + `,check="restore"} 1` + "\n",
		"pcfailover_data_at_risk_seconds{" + base + "} 900\n",
		"pcfailover_files_waiting{" + base + `,stage="restore"} 8` + "\n",
		"pcfailover_log_chain_continuous{" + base + "} 1\n",
		"pcfailover_restore_latency_seconds{" + base + "} 120\n",
		"pcfailover_lync_pool_state{" + base + `,state="Normal"} 1` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	// Every line is a comment or a sample of the exposition format; every metric has
	// one HELP and one TYPE.
	sampleRE := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\} -?[0-9.e+]+$`)
	types := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# TYPE "):
			types[strings.Fields(line)[2]]++
		case strings.HasPrefix(line, "# HELP "):
		case !sampleRE.MatchString(line):
			t.Errorf("not a valid sample line: %q", line)
		}
	}
	for name, n := range types {
		if n != 1 {
			t.Errorf("%s has %d TYPE lines", name, n)
		}
	}
}

func TestThresholdAndText(t *testing.T) {
	tests := []struct {
		v, warn, crit int64
		want          string
	}{
		{10, 30, 60, OK}, {30, 30, 60, OK}, {31, 30, 60, Warning}, {61, 30, 60, Critical}, {5, 0, 0, OK},
	}
	for _, tc := range tests {
		if got := threshold("x", tc.v, tc.warn, tc.crit, "minutes", "").Health; got != tc.want {
			t.Errorf("threshold(%d, %d, %d) = %s, want %s", tc.v, tc.warn, tc.crit, got, tc.want)
		}
	}
	for h, code := range map[string]int{OK: 0, Warning: 5, Critical: 6, Unknown: 1} {
		if ExitCode(h) != code {
			t.Errorf("ExitCode(%s) = %d", h, ExitCode(h))
		}
	}
	var b strings.Builder
	if err := WriteText(&b, sampleStatus()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"WARNING (exit 5)", "8 to be restored", "Data at risk 15m0s", "pool Normal"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
