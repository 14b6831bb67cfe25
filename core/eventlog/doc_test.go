package eventlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEventTableIsDocumented: README.md and cli/CONTRACT.md list every event ID with the
// level the code gives it, and no other.
func TestEventTableIsDocumented(t *testing.T) {
	ids := map[uint32]Level{
		FailoverSucceeded: Information, FailoverDataLossAccepted: Warning, FailoverBlocked: Error, FailoverFailed: Error, FailoverInterrupted: Warning,
		FailbackSucceeded: Information, FailbackDataLossAccepted: Warning, FailbackBlocked: Error, FailbackFailed: Error, FailbackInterrupted: Warning,
		DrillSucceeded: Information, DrillBlocked: Error, DrillFailed: Error, DrillInterrupted: Warning,
		StatusOK: Information, StatusWarning: Warning, StatusCritical: Error, StatusUnknown: Error,
	}
	for _, doc := range []string{"README.md", filepath.Join("cli", "CONTRACT.md")} {
		b, err := os.ReadFile(filepath.Join("..", "..", doc))
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		for _, line := range strings.Split(string(b), "\n") {
			var id uint32
			var level string
			if _, err := fmt.Sscanf(line, "| %d | %s |", &id, &level); err != nil || id < 100 || id > 1000 {
				continue
			}
			rows++
			want, ok := ids[id]
			if !ok {
				t.Errorf("%s documents event %d, which the code does not write", doc, id)
				continue
			}
			if level != want.String() {
				t.Errorf("%s: event %d is %s, the code writes %s", doc, id, level, want)
			}
		}
		if rows != len(ids) {
			t.Errorf("%s documents %d events, the code has %d", doc, rows, len(ids))
		}
	}
}
