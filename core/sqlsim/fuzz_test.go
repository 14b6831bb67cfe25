package sqlsim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"pcfailover/core/lsn"
)

// FuzzReadBackupHeader proves the backup reader never panics on garbage; seeds in
// testdata/fuzz/FuzzReadBackupHeader include a valid file and its corruptions.
func FuzzReadBackupHeader(f *testing.F) {
	dir := f.TempDir()
	valid := filepath.Join(dir, "seed.trn")
	if err := WriteBackupFile(valid, Header{BackupType: BackupTypeLog, DatabaseName: "mgc", FamilyGUID: uuid.New(),
		FirstLSN: lsn.New(37, 100, 1), LastLSN: lsn.New(37, 200, 1), PayloadSize: 3 * pageSize / 2}); err != nil {
		f.Fatal(err)
	}
	data, _ := os.ReadFile(valid)
	f.Add(data)
	f.Add(data[:20])
	f.Add(data[:len(data)-5])
	f.Add([]byte("PCFSIMBK\x01\x00\xff\xff\xff\xff"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.trn")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := ReadBackupHeader(p)
		if err == nil && h.BackupType != BackupTypeLog && h.BackupType != BackupTypeDatabase {
			t.Fatalf("accepted backup type %d", h.BackupType)
		}
		_, _ = readPayload(t.Context(), p, nil)
	})
}

// FuzzParseBatch proves the parser never panics.
func FuzzParseBatch(f *testing.F) {
	for _, s := range []string{preflightQuery, sessionsQuery, lastRestoreQuery, "RESTORE LOG [m]]x] FROM DISK = @p WITH STANDBY = N'x', STATS",
		"KILL 53 WITH STATUSONLY", "/* /* nested */ */ SELECT 'a''b'", "EXEC @r = sp_getapplock @Resource = N'x', @LockMode = 'Exclusive'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseBatch(s)
	})
}
