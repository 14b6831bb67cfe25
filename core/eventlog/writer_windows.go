//go:build windows

package eventlog

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
	winlog "golang.org/x/sys/windows/svc/eventlog"
)

// sourceKey is where the Application log's sources are registered.
const sourceKey = `SYSTEM\CurrentControlSet\Services\EventLog\Application\`

type windowsWriter struct{ log *winlog.Log }

// Installed reports whether source is registered in the Application log.
func Installed(source string) (bool, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, sourceKey+source, registry.QUERY_VALUE)
	if err != nil {
		if errors.Is(err, registry.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("read the Event Log source %s: %w", source, err)
	}
	k.Close()
	return true, nil
}

// Open returns a Writer for source in the Application log. When the source is not
// registered it returns a *SourceMissingError (write nothing, warn, carry on).
func Open(source string) (Writer, error) {
	ok, err := Installed(source)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &SourceMissingError{Source: source}
	}
	l, err := winlog.Open(source)
	if err != nil {
		return nil, fmt.Errorf("open the Event Log source %s: %w", source, err)
	}
	return &windowsWriter{log: l}, nil
}

func (w *windowsWriter) Write(ev Event) error {
	var err error
	switch ev.Level {
	case Error:
		err = w.log.Error(ev.ID, ev.Message)
	case Warning:
		err = w.log.Warning(ev.ID, ev.Message)
	default:
		err = w.log.Info(ev.ID, ev.Message)
	}
	if err != nil {
		return fmt.Errorf("write event %d under %s: %w", ev.ID, Source, err)
	}
	return nil
}

func (w *windowsWriter) Close() error { return w.log.Close() }
