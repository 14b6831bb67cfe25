package errlist_test

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/hashicorp/go-multierror"

	"pcfailover/core/errlist"
)

func TestJoinNilWhenNothingFailed(t *testing.T) {
	if err := errlist.Join(); err != nil {
		t.Errorf("Join() = %v, want nil", err)
	}
	if err := errlist.Join(nil, nil); err != nil {
		t.Errorf("Join(nil, nil) = %v, want nil", err)
	}
}

func TestJoinKeepsEveryErrorOnOneLine(t *testing.T) {
	write := errors.New("write x: disk full")
	err := errlist.Join(nil, write, nil, fs.ErrNotExist)
	if err == nil {
		t.Fatal("Join returned nil")
	}
	if got, want := err.Error(), "write x: disk full; file does not exist"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if !errors.Is(err, write) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is lost an error of %v", err)
	}
	var me *multierror.Error
	if !errors.As(err, &me) || len(me.Errors) != 2 {
		t.Errorf("not a *multierror.Error of 2 errors: %#v", err)
	}
}

func TestJoinFlattensAndFindsTypes(t *testing.T) {
	inner := errlist.Join(errors.New("stop primary: closed"), errors.New("stop backup: closed"))
	_, statErr := os.Stat("/nonexistent/errlist-test")
	err := errlist.Join(inner, statErr)
	var me *multierror.Error
	if !errors.As(err, &me) || len(me.Errors) != 3 {
		t.Fatalf("want 3 flattened errors, got %#v", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "/nonexistent/errlist-test" {
		t.Errorf("errors.As found no *fs.PathError in %v", err)
	}
	if got := errlist.Join(errors.New("one")).Error(); got != "one" {
		t.Errorf("one error's message %q, want %q", got, "one")
	}
}
