package sqlsim

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/google/uuid"

	"pcfailover/core/lsn"
)

// Backup file format, version 1 (all integers little-endian):
//
//	magic      8 bytes  "PCFSIMBK"
//	version    uint16   1
//	headerLen  uint32   length of the JSON header
//	header     JSON     Header
//	headerCRC  uint32   CRC-32C of version, headerLen and header
//	payloadLen uint64   payload bytes (excluding page checksums)
//	pages      payloadLen bytes in pages of 8192 bytes, each followed by its CRC-32C
//	trailer    8 bytes  "PCFSIMEN"
//
// A file whose magic, header length, header checksum or header JSON is wrong is "not a
// backup" (3241); a file shorter than its pages is truncated (3203); a page whose
// checksum does not match is damaged (3183).

const (
	backupMagic   = "PCFSIMBK"
	backupTrailer = "PCFSIMEN"
	backupVersion = 1
	pageSize      = 8192
	maxHeaderLen  = 1 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Backup types (RESTORE HEADERONLY BackupType).
const (
	BackupTypeDatabase = 1
	BackupTypeLog      = 2
)

// Header is what a backup file carries and RESTORE HEADERONLY / FILELISTONLY expose.
type Header struct {
	BackupName           string    `json:"backup_name"`
	BackupDescription    string    `json:"backup_description"`
	BackupType           int       `json:"backup_type"` // 1 database, 2 log
	DatabaseName         string    `json:"database_name"`
	ServerName           string    `json:"server_name"`
	MachineName          string    `json:"machine_name"`
	UserName             string    `json:"user_name"`
	DatabaseVersion      int       `json:"database_version"`
	DatabaseCreationDate time.Time `json:"database_creation_date"`
	FirstLSN             lsn.LSN   `json:"first_lsn"`
	LastLSN              lsn.LSN   `json:"last_lsn"`
	CheckpointLSN        lsn.LSN   `json:"checkpoint_lsn"`
	DatabaseBackupLSN    lsn.LSN   `json:"database_backup_lsn"`
	ForkPointLSN         lsn.LSN   `json:"fork_point_lsn"`
	BackupStartDate      time.Time `json:"backup_start_date"`
	BackupFinishDate     time.Time `json:"backup_finish_date"`
	FamilyGUID           uuid.UUID `json:"family_guid"`
	BindingID            uuid.UUID `json:"binding_id"`
	RecoveryForkID       uuid.UUID `json:"recovery_fork_id"`
	FirstRecoveryForkID  uuid.UUID `json:"first_recovery_fork_id"`
	BackupSetGUID        uuid.UUID `json:"backup_set_guid"`
	RecoveryModel        string    `json:"recovery_model"`
	HasBackupChecksums   bool      `json:"has_backup_checksums"`
	IsDamaged            bool      `json:"is_damaged"`
	BeginsLogChain       bool      `json:"begins_log_chain"`
	IsCopyOnly           bool      `json:"is_copy_only"`
	IsTailLog            bool      `json:"is_tail_log"`
	TailLogNoRecovery    bool      `json:"tail_log_norecovery"`
	IsReadOnly           bool      `json:"is_read_only"`
	// FirstTxn and LastTxn are the committed-transaction range the backup carries
	// (a full backup: 0..LastTxn; a log backup: FirstTxn..LastTxn, FirstTxn > LastTxn
	// when empty). Simulator-specific.
	FirstTxn    int64          `json:"first_txn"`
	LastTxn     int64          `json:"last_txn"`
	Files       []DatabaseFile `json:"files"`
	PayloadSize int64          `json:"payload_size"`
}

// Flags is the HEADERONLY Flags bit mask.
func (h Header) Flags() int {
	f := 0
	if h.IsReadOnly {
		f |= 4
	}
	if h.HasBackupChecksums {
		f |= 16
	}
	if h.IsDamaged {
		f |= 32
	}
	if h.IsTailLog {
		f |= 64
	}
	if h.TailLogNoRecovery {
		f |= 256
	}
	return f
}

// BackupTypeDescription is HEADERONLY's BackupTypeDescription.
func (h Header) BackupTypeDescription() string {
	if h.BackupType == BackupTypeLog {
		return "Transaction Log"
	}
	return "Database"
}

// FileErrorKind classifies why a backup file could not be used.
type FileErrorKind int

// Kinds of backup file errors and the SQL Server error each maps to.
const (
	FileOpen      FileErrorKind = iota + 1 // 3201: cannot open (OS error)
	FileMalformed                          // 3241: not a backup, bad header
	FileTruncated                          // 3203: shorter than its pages
	FileDamaged                            // 3183: a page checksum does not match
)

// FileError is a backup file problem.
type FileError struct {
	Path string
	Kind FileErrorKind
	// OSError is the Windows-style "n(text)" SQL Server prints for FileOpen/FileTruncated.
	OSError string
	// Page is the 1-based damaged page for FileDamaged.
	Page int
	Err  error
}

func (e *FileError) Error() string {
	switch e.Kind {
	case FileOpen:
		return fmt.Sprintf("backup file %s: cannot open: operating system error %s", e.Path, e.OSError)
	case FileTruncated:
		return fmt.Sprintf("backup file %s: truncated: %s", e.Path, e.OSError)
	case FileDamaged:
		return fmt.Sprintf("backup file %s: page %d is damaged", e.Path, e.Page)
	}
	return fmt.Sprintf("backup file %s: not a valid backup: %v", e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// osErrorText maps a Go file error to the Windows error SQL Server would report.
func osErrorText(path string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, derr := os.Stat(filepath.Dir(path)); derr != nil {
			return osPathNotFound
		}
		return osFileNotFound
	case errors.Is(err, fs.ErrPermission):
		return osAccessDenied
	case errors.Is(err, syscall.EISDIR):
		return osAccessDenied
	}
	return "1117(The request could not be performed because of an I/O device error.)"
}

// ReadBackupHeader reads and validates a backup file's header without reading its pages.
func ReadBackupHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, &FileError{Path: path, Kind: FileOpen, OSError: osErrorText(path, err), Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return Header{}, &FileError{Path: path, Kind: FileOpen, OSError: osAccessDenied, Err: syscall.EISDIR}
	}
	h, _, err := readHeader(bufio.NewReader(f), path)
	return h, err
}

func malformed(path string, err error) error {
	return &FileError{Path: path, Kind: FileMalformed, Err: err}
}

func readHeader(r io.Reader, path string) (Header, int64, error) {
	var fixed [14]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return Header{}, 0, malformed(path, fmt.Errorf("short file: %w", err))
	}
	if string(fixed[:8]) != backupMagic {
		return Header{}, 0, malformed(path, errors.New("bad magic"))
	}
	ver := binary.LittleEndian.Uint16(fixed[8:10])
	if ver != backupVersion {
		return Header{}, 0, malformed(path, fmt.Errorf("unsupported version %d", ver))
	}
	n := binary.LittleEndian.Uint32(fixed[10:14])
	if n == 0 || n > maxHeaderLen {
		return Header{}, 0, malformed(path, fmt.Errorf("bad header length %d", n))
	}
	buf := make([]byte, int(n)+4+8)
	if _, err := io.ReadFull(r, buf); err != nil {
		return Header{}, 0, malformed(path, fmt.Errorf("short header: %w", err))
	}
	hdr := buf[:n]
	crc := crc32.Update(crc32.Checksum(fixed[8:14], crcTable), crcTable, hdr)
	if binary.LittleEndian.Uint32(buf[n:n+4]) != crc {
		return Header{}, 0, malformed(path, errors.New("header checksum mismatch"))
	}
	var h Header
	if err := json.Unmarshal(hdr, &h); err != nil {
		return Header{}, 0, malformed(path, fmt.Errorf("header: %w", err))
	}
	payload := binary.LittleEndian.Uint64(buf[n+4:])
	if int64(payload) < 0 || int64(payload) != h.PayloadSize {
		return Header{}, 0, malformed(path, errors.New("payload length does not match header"))
	}
	if h.BackupType != BackupTypeDatabase && h.BackupType != BackupTypeLog {
		return Header{}, 0, malformed(path, fmt.Errorf("unknown backup type %d", h.BackupType))
	}
	return h, int64(payload), nil
}

// payloadByte generates deterministic page content from the backup set GUID.
type payloadGen struct{ x uint64 }

func newPayloadGen(id uuid.UUID) *payloadGen {
	x := binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])
	if x == 0 {
		x = 0x9E3779B97F4A7C15
	}
	return &payloadGen{x: x}
}

func (g *payloadGen) fill(b []byte) {
	for i := 0; i < len(b); i += 8 {
		g.x ^= g.x << 13
		g.x ^= g.x >> 7
		g.x ^= g.x << 17
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], g.x)
		copy(b[i:], w[:])
	}
}

// WriteBackupFile writes a backup file carrying h and a generated payload of
// h.PayloadSize bytes. It writes to path+".tmp" and renames, so a crash never leaves a
// half-written file under the final name. The lab uses it to craft files (another
// database, another fork, a damaged flag) that BACKUP itself would not produce.
func WriteBackupFile(path string, h Header) error {
	if h.PayloadSize < 0 {
		return fmt.Errorf("write backup %s: negative payload size", path)
	}
	if h.BackupSetGUID == uuid.Nil {
		h.BackupSetGUID = uuid.New()
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var fixed [14]byte
	copy(fixed[:8], backupMagic)
	binary.LittleEndian.PutUint16(fixed[8:10], backupVersion)
	binary.LittleEndian.PutUint32(fixed[10:14], uint32(len(hdr)))
	crc := crc32.Update(crc32.Checksum(fixed[8:14], crcTable), crcTable, hdr)
	var tail [12]byte
	binary.LittleEndian.PutUint32(tail[:4], crc)
	binary.LittleEndian.PutUint64(tail[4:], uint64(h.PayloadSize))
	w.Write(fixed[:])
	w.Write(hdr)
	w.Write(tail[:])
	gen := newPayloadGen(h.BackupSetGUID)
	page := make([]byte, pageSize)
	for left := h.PayloadSize; left > 0; {
		n := min(left, pageSize)
		gen.fill(page[:n])
		w.Write(page[:n])
		var c [4]byte
		binary.LittleEndian.PutUint32(c[:], crc32.Checksum(page[:n], crcTable))
		w.Write(c[:])
		left -= n
	}
	w.WriteString(backupTrailer)
	if err := w.Flush(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write backup %s: %w", path, err)
	}
	return nil
}

// readPayload reads and verifies every page, calling progress(done, total) after each
// chunk; progress may sleep (throughput) and returns ctx errors.
func readPayload(ctx context.Context, path string, progress func(done, total int64) error) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, &FileError{Path: path, Kind: FileOpen, OSError: osErrorText(path, err), Err: err}
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	h, total, err := readHeader(r, path)
	if err != nil {
		return Header{}, err
	}
	page := make([]byte, pageSize+4)
	var done int64
	pageNo := 0
	for done < total {
		if err := ctx.Err(); err != nil {
			return h, err
		}
		n := min(total-done, pageSize)
		if _, err := io.ReadFull(r, page[:n+4]); err != nil {
			return h, &FileError{Path: path, Kind: FileTruncated, OSError: osEOF, Err: err}
		}
		pageNo++
		if binary.LittleEndian.Uint32(page[n:n+4]) != crc32.Checksum(page[:n], crcTable) {
			return h, &FileError{Path: path, Kind: FileDamaged, Page: pageNo, Err: errors.New("page checksum mismatch")}
		}
		done += n
		if progress != nil && (pageNo%16 == 0 || done == total) {
			if err := progress(done, total); err != nil {
				return h, err
			}
		}
	}
	var tr [8]byte
	if _, err := io.ReadFull(r, tr[:]); err != nil {
		return h, &FileError{Path: path, Kind: FileTruncated, OSError: osEOF, Err: err}
	}
	if string(tr[:]) != backupTrailer {
		return h, malformed(path, errors.New("bad trailer"))
	}
	if total == 0 && progress != nil {
		if err := progress(0, 0); err != nil {
			return h, err
		}
	}
	return h, nil
}
