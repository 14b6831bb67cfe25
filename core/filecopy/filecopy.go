// Package filecopy copies backup files into the copy destination folder so that nothing
// partially copied can ever be restored: the bytes go to a temporary name in the
// destination folder, are flushed to disk, checked (size, and a SHA-256 of what was read
// against a re-read of what was written), and only then renamed to the final name. The
// temporary name never ends in .trn or .wrk, so neither this tool nor the log-shipping
// restore job can pick it up. An existing file of the same name with different content
// is never overwritten: the new copy is kept next to it under another name.
package filecopy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Outcomes of Copy.
const (
	// Copied: the file was copied to its own name.
	Copied = "copied"
	// AlreadyPresent: an identical file was already there; nothing was written.
	AlreadyPresent = "already-present"
	// KeptBoth: a different file had the name; the copy was written under another name
	// (Result.Dest) and the existing file left untouched.
	KeptBoth = "kept-both"
)

// tempPrefix starts every temporary file name; CleanTemp removes leftovers.
const tempPrefix = ".pcfailover-"
const tempSuffix = ".partial"

// Options tune a copy.
type Options struct {
	// BufferSize is the copy buffer (default 1 MiB); memory use is bounded by it.
	BufferSize int
	// Checkpoint, when set, is called with "copy:mid:<Index>" once half the bytes are
	// written (before the temporary file is complete) and "copy:renamed:<Index>" after
	// the rename.
	Checkpoint func(name string)
	// Index numbers the file in checkpoint names.
	Index int
	// Progress, when set, is called with the bytes written so far after each buffer.
	Progress func(written, total int64)
	// Open opens the source (nil: os.Open); see NetShare.
	Open Opener
}

// Result says what Copy did.
type Result struct {
	Source  string `json:"source"`
	Dest    string `json:"dest"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Outcome string `json:"outcome"`
	// Detail explains a KeptBoth outcome.
	Detail string `json:"detail,omitempty"`
}

// Copy copies src into the folder dstDir under src's base name (see the package doc).
func Copy(ctx context.Context, src, dstDir string, opt Options) (Result, error) {
	name := filepath.Base(src)
	res := Result{Source: src, Dest: filepath.Join(dstDir, name)}
	st, err := os.Stat(src)
	if err != nil {
		return res, fmt.Errorf("copy %s: %w", src, err)
	}
	if !st.Mode().IsRegular() {
		return res, fmt.Errorf("copy %s: not a regular file", src)
	}
	res.Size = st.Size()
	if same, err := sameContent(ctx, src, res.Dest, st.Size()); err != nil {
		return res, fmt.Errorf("copy %s: compare with %s: %w", src, res.Dest, err)
	} else if same != nil {
		if *same {
			res.Outcome = AlreadyPresent
			res.SHA256, err = hashFile(ctx, res.Dest)
			return res, err
		}
		// A different file holds the name: write next to it, never over it.
		sum, err := hashFile(ctx, src)
		if err != nil {
			return res, fmt.Errorf("copy %s: %w", src, err)
		}
		ext := filepath.Ext(name)
		alt := filepath.Join(dstDir, strings.TrimSuffix(name, ext)+"~"+sum[:12]+ext)
		res.Detail = fmt.Sprintf("%s already exists in %s with different content; kept it and wrote this copy as %s", name, dstDir, filepath.Base(alt))
		if same2, err := sameContent(ctx, src, alt, st.Size()); err == nil && same2 != nil && *same2 {
			res.Dest, res.Outcome, res.SHA256 = alt, KeptBoth, sum
			return res, nil
		}
		res.Dest = alt
		res.Outcome = KeptBoth
		res.SHA256, err = copyFile(ctx, src, alt, st.Size(), opt)
		return res, err
	}
	res.Outcome = Copied
	res.SHA256, err = copyFile(ctx, src, res.Dest, st.Size(), opt)
	return res, err
}

// sameContent returns nil when dst does not exist, else whether it equals src.
func sameContent(ctx context.Context, src, dst string, size int64) (*bool, error) {
	dt, err := os.Stat(dst)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := false
	if dt.Size() != size || !dt.Mode().IsRegular() {
		return &f, nil
	}
	a, err := hashFile(ctx, src)
	if err != nil {
		return nil, err
	}
	b, err := hashFile(ctx, dst)
	if err != nil {
		return nil, err
	}
	eq := a == b
	return &eq, nil
}

func copyFile(ctx context.Context, src, dst string, size int64, opt Options) (sum string, err error) {
	open := opt.Open
	if open == nil {
		open = func(p string) (io.ReadCloser, error) { return os.Open(p) }
	}
	in, err := open(src)
	if err != nil {
		return "", fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	tmp, err := createTemp(filepath.Dir(dst), filepath.Base(dst))
	if err != nil {
		return "", fmt.Errorf("copy %s: %w", src, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	bufSize := opt.BufferSize
	if bufSize <= 0 {
		bufSize = 1 << 20
	}
	buf := make([]byte, bufSize)
	h := sha256.New()
	var written int64
	midDone := false
	for {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("copy %s: %w", src, err)
		}
		n, rerr := in.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if _, werr := tmp.Write(buf[:n]); werr != nil {
				return "", writeError(src, dst, tmpName, size, werr)
			}
			written += int64(n)
			if opt.Progress != nil {
				opt.Progress(written, size)
			}
			if !midDone && opt.Checkpoint != nil && written*2 >= size {
				midDone = true
				opt.Checkpoint(fmt.Sprintf("copy:mid:%d", opt.Index))
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", fmt.Errorf("copy %s: read: %w", src, rerr)
		}
	}
	if err := tmp.Sync(); err != nil {
		return "", writeError(src, dst, tmpName, size, err)
	}
	if err := tmp.Close(); err != nil {
		return "", writeError(src, dst, tmpName, size, err)
	}
	if written != size {
		return "", fmt.Errorf("copy %s: read %d bytes, the file had %d when the copy started (is it still being written?)", src, written, size)
	}
	readSum := hex.EncodeToString(h.Sum(nil))
	writtenSum, err := hashFile(ctx, tmpName)
	if err != nil {
		return "", fmt.Errorf("copy %s: verify: %w", src, err)
	}
	if writtenSum != readSum {
		return "", fmt.Errorf("copy %s: verify: the written copy's SHA-256 %s differs from what was read %s", src, writtenSum, readSum)
	}
	if st, err := os.Stat(tmpName); err != nil || st.Size() != size {
		return "", fmt.Errorf("copy %s: verify: size of %s is not %d", src, tmpName, size)
	}
	// Never replace a file that appeared meanwhile.
	if _, err := os.Stat(dst); err == nil {
		return "", fmt.Errorf("copy %s: %s appeared during the copy; not overwriting it", src, dst)
	}
	if err := os.Rename(tmpName, dst); err != nil {
		return "", fmt.Errorf("copy %s: rename to %s: %w", src, dst, err)
	}
	syncDir(filepath.Dir(dst))
	if opt.Checkpoint != nil {
		opt.Checkpoint(fmt.Sprintf("copy:renamed:%d", opt.Index))
	}
	return readSum, nil
}

// writeError describes a failed write of the temporary copy: a full file system is a
// *DiskFullError naming the folder and the bytes the file needs.
func writeError(src, dst, tmpName string, size int64, err error) error {
	if isDiskFull(err) {
		dir := filepath.Dir(dst)
		free, _ := FreeBytes(dir)
		return &DiskFullError{Dir: dir, File: filepath.Base(dst), Size: size, Free: free, Err: err}
	}
	return fmt.Errorf("copy %s: write %s: %w", src, tmpName, err)
}

func createTemp(dir, name string) (*os.File, error) {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, tempPrefix+name+"."+hex.EncodeToString(rnd[:])+tempSuffix)
	return os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
}

// IsTemp reports whether name is one of Copy's temporary files.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, tempPrefix) && strings.HasSuffix(name, tempSuffix)
}

// CleanTemp removes temporary files left in dir by an interrupted copy and returns
// their names.
func CleanTemp(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("clean %s: %w", dir, err)
	}
	var removed []string
	for _, e := range ents {
		if e.Type().IsRegular() && IsTemp(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return removed, fmt.Errorf("clean %s: %w", dir, err)
			}
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}

func hashFile(ctx context.Context, p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if err := copyCtx(ctx, h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyCtx(ctx context.Context, h hash.Hash, r io.Reader) error {
	buf := make([]byte, 256<<10)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
