package failover_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/microsoft/go-mssqldb"

	"pcfailover/core/failover"
	"pcfailover/core/lab"
	"pcfailover/core/report"
	"pcfailover/core/sqlsim"
	"pcfailover/core/sqlsim/tds"
)

// headerBatches counts the RESTORE HEADERONLY round trips (batches or sp_executesql
// calls) the backup instance received since before, and the statements they held.
func headerBatches(lr *labRun, before int) (trips, stmts int) {
	for _, st := range lr.lab.Instance(lab.RoleBackup).Statements()[before:] {
		if n := strings.Count(strings.ToUpper(st.Text), "RESTORE HEADERONLY"); n > 0 {
			trips++
			stmts += n
		}
	}
	return trips, stmts
}

// Several RESTORE HEADERONLY statements go in one batch; a file that is not a backup
// (3241) or is missing (3201) in the middle or at the end of a batch gets the error on
// its own header, the files after it are read by re-issuing the rest of the batch, and
// every good file gets the LSNs its backup holds.
func TestReadHeadersBatchAttributesErrorsToTheirFile(t *testing.T) {
	lr := startLab(t, "disaster")
	var good []lab.LogFact
	for _, l := range lr.info.Facts.Logs {
		if l.InCopy && !l.Damaged && !l.Truncated {
			good = append(good, l)
		}
	}
	if len(good) < 4 {
		t.Fatalf("the disaster lab has %d log backups in the copy folder, want at least 4", len(good))
	}
	dir := t.TempDir()
	junk := filepath.Join(dir, "mgc_20260101000000.trn")
	if err := os.WriteFile(junk, []byte("this is not a backup"), 0o644); err != nil {
		t.Fatal(err)
	}
	junk2 := filepath.Join(dir, "mgc_20260101000100.trn")
	if err := os.WriteFile(junk2, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	// A folder where a file should be: SQL Server cannot open it (3201, access denied).
	gone := filepath.Join(dir, "mgc_20260101000200.trn")
	if err := os.Mkdir(gone, 0o755); err != nil {
		t.Fatal(err)
	}
	copyPath := func(l lab.LogFact) string { return filepath.Join(lr.info.CopyDestination, l.Name) }
	paths := []string{copyPath(good[0]), junk, copyPath(good[1]), gone, copyPath(good[2]), copyPath(good[3]), junk2}
	db, err := sql.Open("sqlserver", lr.info.Instances[lab.RoleBackup].DSN("master"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]string{junk: "3241: ", gone: "3201: ", junk2: "3241: "}
	for _, parallel := range []int{1, 3} {
		before := len(lr.lab.Instance(lab.RoleBackup).Statements())
		hs, err := failover.ReadHeaders(ctxT(t), db, paths, parallel)
		if err != nil {
			t.Fatalf("parallel %d: %v", parallel, err)
		}
		if len(hs) != len(paths) {
			t.Fatalf("parallel %d: %d headers for %d files", parallel, len(hs), len(paths))
		}
		for i, h := range hs {
			if h.Path != paths[i] {
				t.Fatalf("parallel %d: header %d is for %s, want %s", parallel, i, h.Path, paths[i])
			}
			if prefix, bad := want[h.Path]; bad {
				if !strings.HasPrefix(h.ReadError, prefix) {
					t.Errorf("parallel %d: %s: ReadError %q, want %s...", parallel, filepath.Base(h.Path), h.ReadError, prefix)
				}
				continue
			}
			var fact lab.LogFact
			for _, l := range good {
				if copyPath(l) == h.Path {
					fact = l
				}
			}
			if h.ReadError != "" || h.FirstLSN.String() != fact.FirstLSN || h.LastLSN.String() != fact.LastLSN {
				t.Errorf("parallel %d: %s: read error %q, LSNs %s-%s, want %s-%s", parallel, h.Name, h.ReadError,
					h.FirstLSN, h.LastLSN, fact.FirstLSN, fact.LastLSN)
			}
		}
		trips, stmts := headerBatches(lr, before)
		// parallel 1: one batch of 7; parallel 3: batches of 3, 3 and 1. No re-issue.
		wantTrips, wantStmts := map[int]int{1: 1, 3: 3}[parallel], len(paths)
		if trips != wantTrips || stmts != wantStmts {
			t.Errorf("parallel %d: %d HEADERONLY round trips holding %d statements, want %d holding %d", parallel, trips, stmts, wantTrips, wantStmts)
		}
	}
}

// Planning reads every candidate's header in fewer round trips than candidates, and a
// copy whose header is unreadable (3241), in the middle of a batch, with no original left in
// the share, is the file reported damaged: its neighbours in the same batch keep their own LSNs and the chain stops
// there.
func TestPlanNamesTheUnreadableFileInTheMiddleOfABatch(t *testing.T) {
	lr := startLab(t, "disaster")
	var copied []lab.LogFact
	for _, l := range lr.info.Facts.Logs {
		if l.InCopy && !l.Restored {
			copied = append(copied, l)
		}
	}
	if len(copied) < 3 {
		t.Fatalf("the disaster lab has %d unrestored copies, want at least 3", len(copied))
	}
	bad := copied[len(copied)/2]
	if err := os.WriteFile(filepath.Join(lr.info.CopyDestination, bad.Name), []byte("overwritten by a failing disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without its original in the share (which the plan would otherwise use instead of the
	// damaged copy), the damaged copy is where the chain stops.
	if err := os.Remove(filepath.Join(lr.info.Share, bad.Name)); err != nil {
		t.Fatal(err)
	}
	before := len(lr.lab.Instance(lab.RoleBackup).Statements())
	r := failover.Plan(ctxT(t), lr.cfg(nil))
	if len(r.Errors) == 0 || r.Errors[0].Code != report.CodeGapInLogChain || !strings.Contains(r.Errors[0].Message, "damaged: "+bad.Name) {
		t.Fatalf("errors %+v, want GapInLogChain naming %s damaged", r.Errors, bad.Name)
	}
	facts := map[string]lab.LogFact{}
	for _, l := range lr.info.Facts.Logs {
		facts[l.Name] = l
	}
	var sawBad bool
	for _, f := range r.Files {
		if f.Name == bad.Name {
			sawBad = true
			if f.Action != "damaged" || !strings.Contains(f.Detail, "3241") || f.FirstLSN != nil {
				t.Errorf("%s: %s %q (first LSN %v), want damaged with 3241", f.Name, f.Action, f.Detail, f.FirstLSN)
			}
			continue
		}
		l, ok := facts[f.Name]
		if !ok || f.FirstLSN == nil || f.FirstLSN.String() != l.FirstLSN || f.LastLSN.String() != l.LastLSN {
			t.Errorf("%s: %s, LSNs %v-%v, want %s-%s", f.Name, f.Action, f.FirstLSN, f.LastLSN, l.FirstLSN, l.LastLSN)
		}
		if f.Action == "damaged" {
			t.Errorf("%s reported damaged, only %s is", f.Name, bad.Name)
		}
	}
	if !sawBad {
		t.Fatalf("no file row for %s: %+v", bad.Name, r.Files)
	}
	trips, stmts := headerBatches(lr, before)
	if stmts < len(copied) || trips >= stmts {
		t.Fatalf("%d HEADERONLY round trips for %d statements (%d copies to read): want fewer trips than files", trips, stmts, len(copied))
	}
}

// A server that ends the batch at an error (here an injected fault, which the simulator
// makes batch-aborting) leaves fewer result sets than files: the batch's files are read
// again one per round trip and each still gets its own header.
func TestReadHeadersBatchEndedEarlyRereadsOneByOne(t *testing.T) {
	lr := startLab(t, "disaster")
	var paths []string
	facts := map[string]lab.LogFact{}
	for _, l := range lr.info.Facts.Logs {
		if l.InCopy && !l.Damaged && !l.Truncated && len(paths) < 5 {
			p := filepath.Join(lr.info.CopyDestination, l.Name)
			paths = append(paths, p)
			facts[p] = l
		}
	}
	if len(paths) < 4 {
		t.Fatalf("%d log backups in the copy folder, want at least 4", len(paths))
	}
	bk := lr.lab.Instance(lab.RoleBackup)
	if err := bk.AddFault(sqlsim.Fault{Match: `HEADERONLY\s+FROM\s+DISK\s*=\s*@p3\b`, Times: 1, Messages: []tds.Message{
		{Number: 3241, Class: 16, State: 1, Text: "The media family on device 'x' is incorrectly formed. SQL Server cannot process this media family."},
		{Number: 3013, Class: 16, State: 1, Text: "RESTORE HEADERONLY is terminating abnormally."}}}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlserver", lr.info.Instances[lab.RoleBackup].DSN("master"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := len(bk.Statements())
	hs, err := failover.ReadHeaders(ctxT(t), db, paths, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hs {
		l := facts[paths[i]]
		if h.Path != paths[i] || h.ReadError != "" || h.FirstLSN.String() != l.FirstLSN || h.LastLSN.String() != l.LastLSN {
			t.Errorf("header %d: %s %q LSNs %s-%s, want %s %s-%s", i, h.Path, h.ReadError, h.FirstLSN, h.LastLSN, paths[i], l.FirstLSN, l.LastLSN)
		}
	}
	if trips, _ := headerBatches(lr, before); trips != 1+len(paths) {
		t.Errorf("%d HEADERONLY round trips, want 1 batch + %d single reads", trips, len(paths))
	}
}
