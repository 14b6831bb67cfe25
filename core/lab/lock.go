package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

const isWindows = runtime.GOOS == "windows"

// lockFile is the name of the file whose exclusive OS lock the serving process holds for
// the lab's whole life: "is a lab running in DIR" is "is DIR/lab.lock locked", which,
// unlike a pid, cannot be fooled by a reused process id or a crashed server.
const lockFile = "lab.lock"

// errLocked is returned by tryLock when another process (or another open file in this
// process) holds the lock.
var errLocked = errors.New("locked")

// dirLock is a held DIR/lab.lock.
type dirLock struct{ f *os.File }

// acquireLock takes DIR/lab.lock without waiting; errLocked when a lab holds it.
func acquireLock(dir string) (*dirLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock lab %s: %w", dir, err)
	}
	if err := lockExclusive(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, errLocked
		}
		return nil, fmt.Errorf("lock lab %s: %w", dir, err)
	}
	return &dirLock{f: f}, nil
}

// release unlocks and closes the lock file (the file stays: removing it would race with a
// process that just opened it).
func (l *dirLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// Running reports whether a lab (in this or another process) holds DIR's lock.
func Running(dir string) (bool, error) {
	l, err := acquireLock(dir)
	if errors.Is(err, errLocked) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, l.release()
}
