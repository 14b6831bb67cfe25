package filecopy

import (
	"errors"
	"fmt"
)

// DiskFullError says that a copy stopped because the destination's file system is full.
// The temporary file has been removed: nothing partial is left.
type DiskFullError struct {
	// Dir is the destination folder, File the file being copied, Size its size.
	Dir  string
	File string
	Size int64
	// Free is the space left when the copy stopped (0 when it could not be read).
	Free uint64
	Err  error
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("the copy folder %s is full: %s needs %d bytes, %d left (%v)", e.Dir, e.File, e.Size, e.Free, e.Err)
}

func (e *DiskFullError) Unwrap() error { return e.Err }

func errorIs(err, target error) bool { return errors.Is(err, target) }

func errorAs(err error, target any) bool { return errors.As(err, target) }
