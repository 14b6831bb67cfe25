package sqlsim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"pcfailover/core/sqlsim/tds"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recWriter records everything a statement writes.
type recWriter struct {
	mu     sync.Mutex
	sets   []*resultSet
	infos  []tds.Message
	errs   []tds.Message
	dones  []doneRec
	status []int32
	outs   map[string]any
	dbs    []string
	onInfo func(tds.Message)
}

type resultSet struct {
	cols []tds.Column
	rows [][]any
}

type doneRec struct {
	rows   int64
	failed bool
}

func (w *recWriter) Columns(cols []tds.Column) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sets = append(w.sets, &resultSet{cols: cols})
	return nil
}

func (w *recWriter) Row(values ...any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	rs := w.sets[len(w.sets)-1]
	if len(values) != len(rs.cols) {
		return fmt.Errorf("row has %d values for %d columns", len(values), len(rs.cols))
	}
	rs.rows = append(rs.rows, values)
	return nil
}

func (w *recWriter) Info(m tds.Message) error {
	w.mu.Lock()
	w.infos = append(w.infos, m)
	f := w.onInfo
	w.mu.Unlock()
	if f != nil {
		f(m)
	}
	return nil
}

func (w *recWriter) Error(m tds.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, m)
	return nil
}

func (w *recWriter) StatementDone(rows int64, failed bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dones = append(w.dones, doneRec{rows, failed})
	return nil
}

func (w *recWriter) ReturnStatus(s int32) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.status = append(w.status, s)
	return nil
}

func (w *recWriter) ReturnValue(name string, col tds.Column, v any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.outs == nil {
		w.outs = map[string]any{}
	}
	w.outs[name] = v
	return nil
}

func (w *recWriter) DatabaseChanged(newDB, oldDB string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dbs = append(w.dbs, newDB)
	return nil
}

func (w *recWriter) errNums() []int32 {
	var out []int32
	for _, e := range w.errs {
		out = append(out, e.Number)
	}
	return out
}

// rows returns the last result set's rows.
func (w *recWriter) rows(t *testing.T) [][]any {
	t.Helper()
	if len(w.sets) == 0 {
		t.Fatalf("no result set; errors %v", w.errs)
	}
	return w.sets[len(w.sets)-1].rows
}

// col returns a column of the last result set's first row by name.
func (w *recWriter) col(t *testing.T, name string) any {
	t.Helper()
	rs := w.sets[len(w.sets)-1]
	if len(rs.rows) == 0 {
		t.Fatalf("no rows")
	}
	for i, c := range rs.cols {
		if strings.EqualFold(c.Name, name) {
			return rs.rows[0][i]
		}
	}
	t.Fatalf("no column %s in %v", name, rs.cols)
	return nil
}

const testPassword = "Str0ng!pw"

func newInstance(t testing.TB, name string) *Instance {
	t.Helper()
	in := NewInstance(Config{
		Name:      name,
		Logins:    map[string]string{"sa": testPassword, "reader": testPassword},
		Sysadmins: []string{"sa"},
		DataBytes: 64 << 10,
	})
	t.Cleanup(in.Close)
	return in
}

func login(t *testing.T, in *Instance, user, db string) *session {
	t.Helper()
	s, err := in.Login(context.Background(), tds.LoginRequest{User: user, Password: testPassword, Database: db, AppName: "test", HostName: "testhost"})
	if err != nil {
		t.Fatalf("login %s to %s: %v", user, db, err)
	}
	t.Cleanup(s.Close)
	return s.(*session)
}

func run(t *testing.T, s *session, text string) *recWriter {
	t.Helper()
	w := &recWriter{}
	if err := s.Batch(context.Background(), text, w); err != nil {
		t.Fatalf("batch %q: %v", text, err)
	}
	return w
}

func mustOK(t *testing.T, s *session, text string) *recWriter {
	t.Helper()
	w := run(t, s, text)
	if len(w.errs) > 0 {
		t.Fatalf("batch %q: errors %v", text, w.errs)
	}
	return w
}

func rpc(t *testing.T, s *session, proc string, params ...tds.Param) *recWriter {
	t.Helper()
	w := &recWriter{}
	if err := s.RPC(context.Background(), proc, params, w); err != nil {
		t.Fatalf("rpc %s: %v", proc, err)
	}
	return w
}

// executesql builds sp_executesql params: text, declarations and named values.
func executesql(text string, kv ...any) []tds.Param {
	var decl []string
	ps := []tds.Param{{Value: text}, {}}
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		v := kv[i+1]
		typ := "nvarchar(max)"
		switch v.(type) {
		case int64:
			typ = "bigint"
		}
		decl = append(decl, name+" "+typ)
		ps = append(ps, tds.Param{Name: name, Value: v})
	}
	ps[1].Value = strings.Join(decl, ",")
	return ps
}

// pair is a primary with mgc shipping logs to a secondary through real folders.
type pair struct {
	primary, secondary *Instance
	share, copyDir     string
	fullPath           string
}

// newPair builds primary SQLPRIMARY with mgc (10 txns, full backup), secondary
// SQLBACKUP with mgc restored WITH NORECOVERY, and log shipping configured.
func newPair(t testing.TB, standby bool) *pair {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	p := &pair{
		primary:   newInstance(t, "SQLPRIMARY"),
		secondary: newInstance(t, `SQLBACKUP\PCHAT`),
		share:     filepath.Join(dir, "share"),
		copyDir:   filepath.Join(dir, "copy"),
	}
	for _, d := range []string{p.share, p.copyDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.primary.CreateDatabase("mgc", nil); err != nil {
		t.Fatal(err)
	}
	if err := p.primary.Commit("mgc", 10); err != nil {
		t.Fatal(err)
	}
	p.fullPath = filepath.Join(dir, "mgc_full.bak")
	if _, err := p.primary.BackupDatabase(ctx, "mgc", p.fullPath); err != nil {
		t.Fatal(err)
	}
	mode := RestoreOptions{Mode: NoRecovery}
	if standby {
		mode = RestoreOptions{Mode: Standby, StandbyFile: filepath.Join(dir, "mgc.tuf")}
	}
	if err := p.secondary.RestoreDatabase(ctx, "mgc", p.fullPath, mode); err != nil {
		t.Fatal(err)
	}
	if err := p.primary.ConfigureLogShippingPrimary(PrimaryConfig{Database: "mgc", BackupDirectory: p.share, BackupShare: p.share}); err != nil {
		t.Fatal(err)
	}
	if err := p.secondary.ConfigureLogShippingSecondary(SecondaryConfig{PrimaryServer: "SQLPRIMARY", PrimaryDatabase: "mgc",
		SecondaryDatabase: "mgc", BackupSourceDirectory: p.share, BackupDestinationDirectory: p.copyDir, StandbyMode: standby}); err != nil {
		t.Fatal(err)
	}
	return p
}

// logBackup commits n transactions and backs the log up to the share as
// mgc_<stamp>.trn, returning the path.
func (p *pair) logBackup(t testing.TB, n int, stamp time.Time) string {
	t.Helper()
	if err := p.primary.Commit("mgc", n); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(p.share, fmt.Sprintf("mgc_%s.trn", stamp.UTC().Format("20060102150405")))
	if _, err := p.primary.BackupLog(context.Background(), "mgc", path, false); err != nil {
		t.Fatal(err)
	}
	return path
}

var baseTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
