//go:build !windows

package eventlog

// Installed reports false: there is no Event Log off Windows.
func Installed(source string) (bool, error) { return false, nil }

// Open returns a Writer that does nothing: off Windows there is no Event Log to write to.
func Open(source string) (Writer, error) { return nopWriter{}, nil }

type nopWriter struct{}

func (nopWriter) Write(Event) error { return nil }
func (nopWriter) Close() error      { return nil }
