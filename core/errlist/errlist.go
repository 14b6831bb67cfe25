// Package errlist collects several errors into one with github.com/hashicorp/go-multierror,
// the project's one way of doing so: closing a lab's servers, writing and flushing a file,
// importing several PowerShell modules. The result keeps every error for errors.Is and
// errors.As, and its message stays on one line, because messages end up in one-line JSON
// report fields and log lines.
package errlist

import (
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Join returns nil when every err is nil; otherwise a *multierror.Error holding the
// errors that are not nil, in order (the errors of a *multierror.Error among them
// flattened), whose message is theirs joined by "; ".
func Join(errs ...error) error {
	return multierror.Append(&multierror.Error{ErrorFormat: oneLine}, errs...).ErrorOrNil()
}

// oneLine is Join's multierror.ErrorFormatFunc.
func oneLine(errs []error) string {
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}
