// Package logchain decides, from RESTORE HEADERONLY facts alone, which transaction log
// backups a RESTORING database still needs, in which order, and whether recovering it
// would lose data. It is pure: no SQL, no files.
//
// The rules (reference/sql-log-shipping.md §3.3, §1.8): the database needs next =
// redo_start_lsn; a log backup [FirstLSN, LastLSN) applies when FirstLSN <= next <
// LastLSN, and then next becomes its LastLSN. A file with LastLSN <= next is already
// applied (restoring it gives 4326); a file with FirstLSN > next is too recent (4305): a
// gap. Files of another database, family or recovery fork, non-log backups and damaged
// files never join the chain.
package logchain

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"pcfailover/core/lsn"
)

// Header is what RESTORE HEADERONLY said about one backup file (or why it could not be
// read).
type Header struct {
	// Name is the file's base name; Path where it was read (copy folder or share).
	Name string
	Path string
	Size int64

	DatabaseName        string
	FamilyGUID          string
	FirstRecoveryForkID string
	BackupType          int
	FirstLSN            lsn.LSN
	LastLSN             lsn.LSN
	BackupStartDate     time.Time
	BackupFinishDate    time.Time
	IsDamaged           bool

	// ReadError is set when the header could not be read (e.g. 3241, 3203): the file is
	// then damaged and its LSNs are unknown.
	ReadError string
}

// Known reports whether the header's LSNs are known (it was read).
func (h Header) Known() bool { return h.ReadError == "" }

// Target is the database the chain is built for.
type Target struct {
	Database string
	// FamilyGUID and ForkGUID, when not empty, must match the header's FamilyGUID and
	// FirstRecoveryForkID (case-insensitive).
	FamilyGUID string
	ForkGUID   string
	// Next is the LSN the database needs next (sys.master_files.redo_start_lsn).
	Next lsn.LSN
}

// Verdict is what the chain does with one file.
type Verdict string

// Verdicts.
const (
	Apply          Verdict = "apply"
	AlreadyApplied Verdict = "already-applied"
	Empty          Verdict = "empty"
	Foreign        Verdict = "foreign"
	Damaged        Verdict = "damaged"
	Duplicate      Verdict = "duplicate"
	AfterGap       Verdict = "after-gap"
)

// Entry is one file with its verdict and the reason for it.
type Entry struct {
	Header
	Verdict Verdict
	Reason  string
}

// Gap is a break in the chain: the database needs Need and no usable file contains it.
type Gap struct {
	Need lsn.LSN
	// After is the last file the chain applies before the gap (nil: the gap is right at
	// the database's redo start LSN).
	After *Entry
	// Next is the earliest usable file beyond the gap (nil when the gap is caused only by
	// a damaged file at the end of what is available).
	Next *Entry
	// Damaged lists damaged files that may have covered Need.
	Damaged []string
}

// Describe says in one sentence what is missing.
func (g *Gap) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the database needs LSN %s", g.Need)
	if g.After != nil {
		fmt.Fprintf(&b, " after %s (finished %s)", g.After.Name, fmtTime(g.After.BackupFinishDate))
	}
	if g.Next != nil {
		fmt.Fprintf(&b, ", but the next available log backup %s begins at LSN %s (started %s)",
			g.Next.Name, g.Next.FirstLSN, fmtTime(g.Next.BackupStartDate))
	} else {
		b.WriteString(", and no usable log backup contains it")
	}
	if len(g.Damaged) > 0 {
		fmt.Fprintf(&b, "; damaged: %s", strings.Join(g.Damaged, ", "))
	}
	return b.String()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return t.Format("2006-01-02 15:04:05")
}

// Chain is the verdict on a set of files for one target.
type Chain struct {
	Start lsn.LSN
	// Entries holds every input file with its verdict, ordered by FirstLSN then name
	// (files whose header could not be read last, by name).
	Entries []Entry
	// Apply is the files to restore, in order.
	Apply []Entry
	// End is the LSN the database needs after Apply is restored.
	End lsn.LSN
	// Gap is set when usable files exist beyond End, or a damaged file may hold the
	// continuation.
	Gap *Gap
	// Lost is the LSN range [End, LostTo) that recovering now would lose, as far as the
	// files beyond the gap show (LostTo is zero when unknown).
	LostTo lsn.LSN
	// LostFrom and LostUntil are the time span of the loss as the files show it.
	LostFrom, LostUntil time.Time
}

// RecoverySafe reports whether RESTORE ... WITH RECOVERY after applying Apply loses no
// log that is available: no gap, and no damaged file that might continue the chain.
func (c *Chain) RecoverySafe() bool { return c.Gap == nil }

// LastApplied returns the last file of Apply, or nil.
func (c *Chain) LastApplied() *Entry {
	if len(c.Apply) == 0 {
		return nil
	}
	return &c.Apply[len(c.Apply)-1]
}

// Build classifies headers against t and walks the chain from t.Next.
func Build(t Target, headers []Header) *Chain {
	c := &Chain{Start: t.Next, End: t.Next}
	var usable []int
	entries := make([]Entry, len(headers))
	for i, h := range headers {
		e := Entry{Header: h}
		switch {
		case !h.Known():
			e.Verdict, e.Reason = Damaged, "header unreadable: "+h.ReadError
		case h.IsDamaged:
			e.Verdict, e.Reason = Damaged, "RESTORE HEADERONLY reports IsDamaged"
		case h.BackupType != 2:
			e.Verdict, e.Reason = Foreign, fmt.Sprintf("not a transaction log backup (BackupType %d)", h.BackupType)
		case !strings.EqualFold(h.DatabaseName, t.Database):
			e.Verdict, e.Reason = Foreign, fmt.Sprintf("a backup of database %q", h.DatabaseName)
		case t.FamilyGUID != "" && h.FamilyGUID != "" && !strings.EqualFold(h.FamilyGUID, t.FamilyGUID):
			e.Verdict, e.Reason = Foreign, "another database family (FamilyGUID "+h.FamilyGUID+")"
		case t.ForkGUID != "" && h.FirstRecoveryForkID != "" && !strings.EqualFold(h.FirstRecoveryForkID, t.ForkGUID):
			e.Verdict, e.Reason = Foreign, "another recovery fork (FirstRecoveryForkID "+h.FirstRecoveryForkID+")"
		case h.FirstLSN.Compare(h.LastLSN) == 0:
			e.Verdict, e.Reason = Empty, "empty log backup (FirstLSN = LastLSN)"
		case h.LastLSN.Compare(t.Next) <= 0:
			e.Verdict, e.Reason = AlreadyApplied, "ends at or before the database's redo start LSN "+t.Next.String()
		case h.LastLSN.Less(h.FirstLSN):
			e.Verdict, e.Reason = Damaged, "LastLSN before FirstLSN"
		default:
			usable = append(usable, i)
		}
		entries[i] = e
	}
	sort.SliceStable(usable, func(a, b int) bool {
		ha, hb := headers[usable[a]], headers[usable[b]]
		if d := ha.FirstLSN.Compare(hb.FirstLSN); d != 0 {
			return d < 0
		}
		if d := ha.LastLSN.Compare(hb.LastLSN); d != 0 {
			return d > 0 // the longer file first
		}
		return ha.Name < hb.Name
	})
	cur := t.Next
	var lastApplied = -1
	k := 0
	for k < len(usable) {
		// Among files starting at or before cur, take the one reaching furthest.
		best := -1
		j := k
		for ; j < len(usable) && headers[usable[j]].FirstLSN.Compare(cur) <= 0; j++ {
			i := usable[j]
			switch {
			case headers[i].LastLSN.Compare(cur) <= 0:
				entries[i].Verdict, entries[i].Reason = Duplicate, "covered by the files applied before it"
			case best == -1 || headers[i].LastLSN.Compare(headers[best].LastLSN) > 0:
				if best != -1 {
					entries[best].Verdict, entries[best].Reason = Duplicate, "covered by "+headers[i].Name
				}
				best = i
			default:
				entries[i].Verdict, entries[i].Reason = Duplicate, "covered by "+headers[best].Name
			}
		}
		k = j
		if best == -1 {
			break // gap: usable[k] starts after cur
		}
		entries[best].Verdict, entries[best].Reason = Apply, ""
		cur = headers[best].LastLSN
		lastApplied = best
		// Files already consumed in [k, j) that became duplicates stay so; continue with
		// files whose FirstLSN <= new cur.
	}
	c.End = cur
	var after []int
	for _, i := range usable[k:] {
		if headers[i].LastLSN.Compare(cur) <= 0 {
			entries[i].Verdict, entries[i].Reason = Duplicate, "covered by the files applied before it"
			continue
		}
		after = append(after, i)
	}
	var damaged []string
	for i := range entries {
		if entries[i].Verdict != Damaged {
			continue
		}
		h := headers[i]
		// A damaged file whose range is known and fully behind the end of the chain does
		// not matter; any other damaged file might hold the continuation.
		if h.Known() && h.LastLSN.Compare(cur) <= 0 && !h.LastLSN.Less(h.FirstLSN) {
			continue
		}
		damaged = append(damaged, h.Name)
	}
	sort.Strings(damaged)
	if len(after) > 0 || len(damaged) > 0 {
		g := &Gap{Need: cur, Damaged: damaged}
		if lastApplied >= 0 {
			e := entries[lastApplied]
			g.After = &e
		}
		var maxLast lsn.LSN
		for n, i := range after {
			entries[i].Verdict, entries[i].Reason = AfterGap, "after the gap at LSN "+cur.String()
			if n == 0 {
				e := entries[i]
				g.Next = &e
				c.LostFrom = headers[i].BackupStartDate
			}
			if maxLast.Less(headers[i].LastLSN) {
				maxLast = headers[i].LastLSN
			}
			if headers[i].BackupFinishDate.After(c.LostUntil) {
				c.LostUntil = headers[i].BackupFinishDate
			}
		}
		if g.After != nil && !g.After.BackupFinishDate.IsZero() {
			c.LostFrom = g.After.BackupFinishDate
		}
		c.LostTo = maxLast
		c.Gap = g
	}
	for _, i := range usable {
		if entries[i].Verdict == Apply {
			c.Apply = append(c.Apply, entries[i])
		}
	}
	sort.SliceStable(c.Apply, func(a, b int) bool { return c.Apply[a].FirstLSN.Less(c.Apply[b].FirstLSN) })
	c.Entries = entries
	sort.SliceStable(c.Entries, func(a, b int) bool {
		ea, eb := c.Entries[a], c.Entries[b]
		if ea.Known() != eb.Known() {
			return ea.Known()
		}
		if d := ea.FirstLSN.Compare(eb.FirstLSN); d != 0 && ea.Known() {
			return d < 0
		}
		return ea.Name < eb.Name
	})
	return c
}

// IsCandidate reports whether name looks like a log backup of database: <db>_*.trn,
// case-insensitive (the log-shipping naming, §2.3). `.wrk` files never are.
func IsCandidate(name, database string) bool {
	n := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	return strings.HasPrefix(n, strings.ToLower(database)+"_") && strings.HasSuffix(n, ".trn")
}

// IsPartial reports whether name is a log-shipping copy in progress (<db>_*.wrk).
func IsPartial(name, database string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, strings.ToLower(database)+"_") && strings.HasSuffix(n, ".wrk")
}

// Candidates returns the names (sorted) whose headers are worth reading: log backups of
// database, and, when lastRestored (a file name or path from msdb) is among them, only
// those sorting at or after it. Without the anchor every log backup is a candidate.
func Candidates(names []string, database, lastRestored string) []string {
	var c []string
	for _, n := range names {
		if IsCandidate(n, database) {
			c = append(c, n)
		}
	}
	sort.Slice(c, func(i, j int) bool { return strings.ToLower(c[i]) < strings.ToLower(c[j]) })
	anchor := strings.ToLower(path.Base(strings.ReplaceAll(lastRestored, `\`, "/")))
	if anchor == "" || anchor == "." {
		return c
	}
	for i, n := range c {
		if strings.ToLower(n) == anchor {
			return c[i:]
		}
	}
	return c
}
