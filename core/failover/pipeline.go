package failover

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"pcfailover/core/filecopy"
	"pcfailover/core/logchain"
	"pcfailover/core/report"
	"pcfailover/core/winpath"
)

// Runbook step 3 as a pipeline: the log backups of the chain still to apply are copied
// from the share into the copy folder ahead of the restores (copy-ahead, bounded by
// options.copyParallelism), and restored strictly in LSN order, each as soon as its copy
// is ready. The stages, in the order a DBA would do them by hand:
//
//	copyLog      copy one file from the share, verified (size, SHA-256), never partial
//	checkVisible the first copy must be read back by SQL Server by its SQL path
//	verifyCopy   a copy found in the copy folder must match the share's original
//	restoreLog   observe (after a lost connection), then RESTORE LOG, retried if transient
//	recopy       a damaged copy with an intact original: set aside, copy again, verify
//
// Safety: nothing is restored before its copy is complete and verified (only finished
// .trn copies, never .wrk or temporary files), restores follow the chain's order, and a
// damaged file without an intact original stops the run (blocked) before any recovery.

// logItem is one log backup of the chain on its way through the pipeline.
type logItem struct {
	n     int // position in the chain, from 1
	entry logchain.Entry
	src   fileInfo // the share's original (zero when the share has none)
	path  string   // the copy as SQL Server names it, once ready
	local string   // the copy as this machine reaches it, once ready
	ready chan struct{}
	err   error
	// fromCopyFolder: the copy was already in the copy folder when the run looked.
	fromCopyFolder bool
	// note is the file row's detail once restored (a copy made again, say).
	note string
}

// pipeline is one round of copying and restoring.
type pipeline struct {
	d      *Discovery
	round  int
	items  []*logItem
	toCopy []*logItem
	cancel context.CancelFunc
	done   chan struct{}
	copied int // under e.fmu
}

// copyAndRestore copies the files of d.Chain.Apply that are not in the copy folder while
// restoring them in order: file k+1 is copied while file k restores.
func (e *engine) copyAndRestore(ctx context.Context, d *Discovery, round int) error {
	p, err := e.newPipeline(d, round)
	if err != nil {
		return err
	}
	sc, sr := e.step(StepCopyLogs), e.step(StepRestoreLogs)
	if sc.StartedAt == nil {
		e.begin(sc)
	}
	if sr.StartedAt == nil {
		e.begin(sr)
	}
	e.startCopies(ctx, p)
	defer p.stop()
	if len(d.Sessions) > 0 {
		if err := e.withRetry(ctx, sr, "KILL (end user sessions)", func(ctx context.Context) error {
			_, err := e.killSessions(ctx, sr, d.DB.ID)
			return err
		}); err != nil {
			return err
		}
	}
	for i, it := range p.items {
		if err := e.awaitCopy(ctx, p, it); err != nil {
			return err
		}
		e.ev.Progress(1, "Applying log backups", fmt.Sprintf("%s (%d of %d)", it.entry.Name, i+1, len(p.items)), (i*100)/len(p.items))
		if err := e.restoreVerified(ctx, p, it); err != nil {
			p.stop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
	p.stop()
	e.ev.Progress(1, "Applying log backups", "done", 100)
	e.fmu.Lock()
	sc.Detail = fmt.Sprintf("copied %d log backups to %s", p.copied, d.CopyDir)
	sr.Detail = fmt.Sprintf("applied %d log backups, the database needs LSN %s next", len(p.items), d.Chain.End)
	e.fmu.Unlock()
	return nil
}

// newPipeline lists what to copy and what is already in the copy folder.
func (e *engine) newPipeline(d *Discovery, round int) (*pipeline, error) {
	if d.CopyDir == "" {
		return nil, blocked(report.CodeInvalidRequest, "", "the copy folder is unknown: set copyDestination in the request")
	}
	p := &pipeline{d: d, round: round, done: make(chan struct{})}
	for i, a := range d.Chain.Apply {
		it := &logItem{n: i + 1, entry: a, ready: make(chan struct{})}
		it.src, _ = d.inShare(a.Name)
		p.items = append(p.items, it)
		if cf, ok := d.CopyFiles[nameKey(a.Name)]; ok && winpath.SamePath(cf.Path, a.Path) {
			it.path, it.local, it.fromCopyFolder = a.Path, cf.Local, true
			close(it.ready)
		} else {
			p.toCopy = append(p.toCopy, it)
		}
	}
	if len(p.toCopy) > 0 && d.CopyPathErr != nil {
		return nil, blocked(report.CodePathUnreachable, d.CopyDir, "log backups must be copied into the copy folder %s, which cannot be reached from this machine: %v", d.CopyDir, d.CopyPathErr)
	}
	if d.CopyLocal != "" {
		if removed, err := filecopy.CleanTemp(d.CopyLocal); err == nil && len(removed) > 0 {
			e.ev.Log("info", "removed %d temporary files of an interrupted copy from %s", len(removed), d.CopyLocal)
		}
	}
	return p, nil
}

// stop cancels the copies still running and waits for them.
func (p *pipeline) stop() {
	if p.cancel != nil {
		p.cancel()
		<-p.done
	}
}

// startCopies copies p.toCopy ahead of the restores, options.copyParallelism at a time.
// The first copy is checked alone: SQL Server must read it by its SQL path before any
// other file is copied or anything is restored (the local folder is the one it reads).
func (e *engine) startCopies(ctx context.Context, p *pipeline) {
	cctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	go func() {
		defer close(p.done)
		sem := make(chan struct{}, e.req.Options.CopyParallelism)
		var wg sync.WaitGroup
		firstChecked := make(chan struct{})
		for k, it := range p.toCopy {
			if k == 1 {
				select {
				case <-firstChecked:
				case <-cctx.Done():
				}
			}
			select {
			case sem <- struct{}{}:
			case <-cctx.Done():
				for _, rest := range p.toCopy[k:] {
					rest.err = cctx.Err()
					close(rest.ready)
				}
				wg.Wait()
				return
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				if k == 0 {
					defer close(firstChecked)
				}
				it.err = e.copyLog(cctx, p, it, k)
				var se *stepError
				if errors.As(it.err, &se) || it.err != nil && k == 0 {
					cancel() // no other file is copied into a folder SQL Server does not read
				}
				close(it.ready)
			}()
		}
		wg.Wait()
		e.fmu.Lock()
		e.copyFinished = e.now().UTC()
		e.fmu.Unlock()
	}()
}

// copyLog copies one log backup from the share (stage copy, verified by filecopy), proves
// the first one visible to SQL Server, and records it.
func (e *engine) copyLog(ctx context.Context, p *pipeline, it *logItem, k int) error {
	idx := fmt.Sprintf("%d.%d", p.round, k+1)
	e.reach("before:copy:" + idx)
	defer e.reach("after:copy:" + idx)
	note, err := e.setAsideDamaged(p.d, it)
	if err == nil && k == 0 {
		err = e.checkAbsent(ctx, it.entry, p.d)
	}
	var res filecopy.Result
	var dest string
	if err == nil {
		res, dest, err = e.copyFile(ctx, p.d, it, k+1, func(name string) {
			e.reach(strings.Replace(name, fmt.Sprintf(":%d", k+1), ":"+idx, 1))
		})
	}
	if err == nil && k == 0 {
		err = e.checkVisible(ctx, it.entry, dest, res.Dest)
	}
	if err != nil {
		return err
	}
	e.copied(p, it, res, dest)
	if note != "" {
		it.note = note
		f := e.fileRec(it.entry.Name)
		e.fmu.Lock()
		f.Detail = note
		e.fmu.Unlock()
	}
	e.ev.Progress(3, "Copying log backups", fmt.Sprintf("%s (%d of %d)", it.entry.Name, k+1, len(p.toCopy)), ((k+1)*100)/len(p.toCopy))
	return nil
}

// copyFile copies it's share original into the copy folder and returns the copy's SQL path.
func (e *engine) copyFile(ctx context.Context, d *Discovery, it *logItem, index int, cp func(string)) (filecopy.Result, string, error) {
	res, err := filecopy.Copy(ctx, it.src.Local, d.CopyLocal, filecopy.Options{Index: index, Checkpoint: cp, Open: e.cfg.ShareOpener})
	if err != nil {
		return res, "", err
	}
	dest, err := winpath.SQLJoin(d.CopyDir, filepath.Base(res.Dest))
	return res, dest, err
}

// copied records a verified copy: its header is the source's (cached), its file row.
func (e *engine) copied(p *pipeline, it *logItem, res filecopy.Result, dest string) {
	it.path, it.local = dest, res.Dest
	h := it.entry.Header
	h.Path = dest
	e.hmu.Lock()
	e.hcache[cacheKey(fileInfo{Path: dest, Size: res.Size})] = h
	e.hmu.Unlock()
	f := e.fileRec(it.entry.Name)
	e.fmu.Lock()
	f.SourcePath, f.SourceLocalPath, f.CopyPath, f.CopyLocalPath, f.SizeBytes = it.entry.Path, it.src.Local, dest, res.Dest, res.Size
	if res.Outcome == filecopy.KeptBoth {
		f.Detail = res.Detail
	}
	p.copied++
	e.fmu.Unlock()
	if res.Outcome == filecopy.KeptBoth {
		e.warn("%s", res.Detail)
	}
}

// awaitCopy waits until it's copy is ready and turns a failed copy into the run's error.
func (e *engine) awaitCopy(ctx context.Context, p *pipeline, it *logItem) error {
	select {
	case <-it.ready:
	case <-ctx.Done():
		p.stop()
		return ctx.Err()
	}
	if it.err == nil {
		return nil
	}
	p.stop()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	sc := e.step(StepCopyLogs)
	var se *stepError
	if errors.As(it.err, &se) {
		status := report.StatusFailed
		if se.outcome == report.OutcomeBlocked {
			status = report.StatusBlocked
		}
		e.end(sc, status, "")
		return se
	}
	f := e.fileRec(it.entry.Name)
	e.fmu.Lock()
	f.Action, f.Detail = report.ActionMissing, it.err.Error()
	e.fmu.Unlock()
	err := e.copyError(p.d, it, it.err)
	status := report.StatusFailed
	if errors.As(err, &se) && se.outcome == report.OutcomeBlocked {
		status = report.StatusBlocked
	}
	e.end(sc, status, "")
	return err
}

// copyError is the run's error for a copy that failed: a full copy folder has its own
// code; anything else is unexpected.
func (e *engine) copyError(d *Discovery, it *logItem, err error) error {
	var df *filecopy.DiskFullError
	if errors.As(err, &df) {
		need, _ := e.bytesToCopy(d)
		return blocked(report.CodeDiskFull, d.CopyDir, "the copy folder %s (%s on this machine) is full: copying %s stopped with %d bytes free, and %d bytes of log backups are still to copy; nothing partial was left. Free at least %d bytes there (or point copyDestination at a larger folder SQL Server reads), then run again",
			d.CopyDir, d.CopyLocal, it.entry.Name, df.Free, need, need)
	}
	return failed(report.CodeUnexpected, fmt.Errorf("copy %s (%s) to %s (%s): %w", it.entry.Path, it.src.Local, d.CopyDir, d.CopyLocal, err))
}
