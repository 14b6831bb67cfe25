//go:build !windows

package eventlog

import "testing"

func TestOffWindowsTheWriterDoesNothing(t *testing.T) {
	if ok, err := Installed(Source); ok || err != nil {
		t.Fatalf("Installed = %v, %v off Windows", ok, err)
	}
	w, err := Open(Source)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Event{ID: FailoverSucceeded, Message: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
