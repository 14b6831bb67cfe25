package tds

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// captureEngine answers exactly what the reference prototype answered in
// testdata/tds-capture.txt (a copy of shared/docs/reference/tds-capture.txt, recorded
// between go-mssqldb v1.11.2 and the prototype), so that the server's bytes can be
// compared with the transcript.
type captureEngine struct{}

func (captureEngine) ServerName() string { return "SIM" }

func (captureEngine) Login(_ context.Context, req LoginRequest) (Session, error) {
	if req.User != "sa" || req.Password != "secret" {
		return nil, &Message{Number: 18456, State: 1, Class: 14, Text: "Login failed for user '" + req.User + "'."}
	}
	return &captureSession{db: req.Database}, nil
}

type captureSession struct{ db string }

func (s *captureSession) SPID() int               { return 51 }
func (s *captureSession) Database() string        { return s.db }
func (s *captureSession) Reset()                  {}
func (s *captureSession) Close()                  {}
func (s *captureSession) Killed() <-chan struct{} { return nil }
func (s *captureSession) InTransaction(open bool) {}
func nvarcharMax(name string) Column              { return Column{Name: name, Type: TypeNVarChar, Nullable: true} }
func nullableNVarChar(name string, n int) Column {
	return Column{Name: name, Type: TypeNVarChar, Size: n, Nullable: true}
}

func (s *captureSession) Batch(_ context.Context, text string, w ResultWriter) error {
	switch text {
	case "SELECT 1":
		if err := w.Columns([]Column{{Type: TypeInt, Nullable: true}}); err != nil {
			return err
		}
		if err := w.Row(1); err != nil {
			return err
		}
		return w.StatementDone(1, false)
	case "SELECT ERR":
		if err := w.Error(Message{Number: 3201, State: 2, Class: 16, Line: 1,
			Text: `Cannot open backup device 'X:\nope.bak'. Operating system error 3(The system cannot find the path specified.).`}); err != nil {
			return err
		}
		if err := w.Error(Message{Number: 3013, State: 1, Class: 16, Line: 1, Text: "RESTORE DATABASE is terminating abnormally."}); err != nil {
			return err
		}
		return w.StatementDone(-1, true)
	}
	return fmt.Errorf("unexpected batch %q", text)
}

func (s *captureSession) RPC(_ context.Context, proc string, params []Param, w ResultWriter) error {
	switch proc {
	case "sp_executesql":
		cols := []Column{nvarcharMax("stmt"), nvarcharMax("decl")}
		vals := []any{params[0].Value, params[1].Value}
		for _, p := range params[2:] {
			cols = append(cols, nvarcharMax(p.Name))
			vals = append(vals, fmt.Sprintf("%T:%v", p.Value, p.Value))
		}
		if err := w.Columns(cols); err != nil {
			return err
		}
		if err := w.Row(vals...); err != nil {
			return err
		}
	case "sp_who2":
		cols := []Column{nullableNVarChar("SPID", 5), nullableNVarChar("Status", 30), nullableNVarChar("Login", 128), nullableNVarChar("DBName", 128)}
		if err := w.Columns(cols); err != nil {
			return err
		}
		if err := w.Row("51   ", "RUNNABLE", "sa", "Sales"); err != nil {
			return err
		}
		if err := w.Row("77   ", "sleeping", "app", "Sales"); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unexpected RPC %q", proc)
	}
	rows := int64(1)
	if proc == "sp_who2" {
		rows = 2
	}
	if err := w.StatementDone(rows, false); err != nil {
		return err
	}
	return w.ReturnStatus(0)
}

// captureStep is one direction of the transcript.
type captureStep struct {
	title    string
	toServer bool
	data     []byte
}

// readCapture parses the hexdump transcript.
func readCapture(t *testing.T, path string) []captureStep {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []captureStep
	title := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "==== "):
			title = strings.TrimPrefix(line, "==== ")
		case strings.HasPrefix(line, "---- "):
			steps = append(steps, captureStep{title: title, toServer: strings.HasPrefix(line, "---- C->S")})
		case line != "" && len(steps) > 0:
			body := line
			if i := strings.Index(body, "|"); i >= 0 {
				body = body[:i]
			}
			fields := strings.Fields(body)
			for _, h := range fields[1:] {
				b, err := hex.DecodeString(h)
				if err != nil {
					t.Fatalf("capture line %q: %v", line, err)
				}
				steps[len(steps)-1].data = append(steps[len(steps)-1].data, b...)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// readRawMessage reads packets up to EOM and returns them with their headers.
func readRawMessage(r io.Reader) ([]byte, error) {
	var out []byte
	for {
		var hdr [headerSize]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return out, err
		}
		n := int(hdr[2])<<8 | int(hdr[3])
		body := make([]byte, n-headerSize)
		if _, err := io.ReadFull(r, body); err != nil {
			return out, err
		}
		out = append(append(out, hdr[:]...), body...)
		if hdr[1]&statusEOM != 0 {
			return out, nil
		}
	}
}

// TestCaptureReplay sends the client bytes recorded from go-mssqldb and requires the
// server to answer byte for byte like the transcript in the reference.
func TestCaptureReplay(t *testing.T) {
	steps := readCapture(t, "testdata/tds-capture.txt")
	if len(steps) != 12 {
		t.Fatalf("%d capture steps, want 12", len(steps))
	}
	srv := startServer(t, captureEngine{}, Options{})
	nc, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	for i := 0; i+1 < len(steps); i += 2 {
		req, want := steps[i], steps[i+1]
		if !req.toServer || want.toServer {
			t.Fatalf("step %d: transcript out of order", i)
		}
		if _, err := nc.Write(req.data); err != nil {
			t.Fatal(err)
		}
		got, err := readRawMessage(nc)
		if err != nil {
			t.Fatalf("%s: read reply: %v", req.title, err)
		}
		if !bytes.Equal(got, want.data) {
			t.Errorf("%s (step %d): reply differs\n got: %s\nwant: %s", req.title, i, hex.EncodeToString(got), hex.EncodeToString(want.data))
		}
	}
}

// TestRawProtocolEdges drives paths go-mssqldb does not normally take: a malformed
// batch, an attention with no request running, a request split over packets, and an
// unknown packet type.
func TestRawProtocolEdges(t *testing.T) {
	steps := readCapture(t, "testdata/tds-capture.txt")
	srv := startServer(t, captureEngine{}, Options{})
	nc, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	roundTrip := func(req []byte) []byte {
		t.Helper()
		if _, err := nc.Write(req); err != nil {
			t.Fatal(err)
		}
		got, err := readRawMessage(nc)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	roundTrip(steps[0].data) // PRELOGIN
	roundTrip(steps[2].data) // LOGIN7
	allHeaders := "1600000012000000020000000000000000000100000"

	// A batch with an odd number of text bytes: error 4002, connection kept.
	bad := unhex(t, "01 01 00 21 00 00 01 00"+allHeaders+"0 41 00 42")
	got := roundTrip(bad)
	if len(got) < 15 || got[8] != tokError || !bytes.Equal(got[11:15], unhex(t, "A2 0F 00 00")) {
		t.Errorf("malformed batch reply % X, want ERROR 4002", got)
	}
	if !bytes.HasSuffix(got, doneToken(tokDone, doneError, 0, 0)) {
		t.Errorf("malformed batch reply does not end with DONE_ERROR: % X", got)
	}

	// An attention after the response was complete gets its own DONE(ATTN) message.
	got = roundTrip(unhex(t, "06 01 00 08 00 00 01 00"))
	if want := append(unhex(t, "04 01 00 15 00 33 01 00"), doneToken(tokDone, doneAttn, 0, 0)...); !bytes.Equal(got, want) {
		t.Errorf("attention reply % X, want % X", got, want)
	}

	// "SELECT 1" split over two packets of the same message.
	text := utf16le("SELECT 1")
	body := append(unhex(t, allHeaders+"0"), text...)
	p1 := append(unhex(t, "01 00 00 10 00 00 01 00"), body[:8]...)
	rest := body[8:]
	p2 := append([]byte{0x01, 0x01, 0x00, byte(8 + len(rest)), 0, 0, 2, 0}, rest...)
	got = roundTrip(append(p1, p2...))
	if want := steps[5].data; !bytes.Equal(got[8:], want[8+6:]) { // the capture starts with the RESETCONNECTION ack
		t.Errorf("split batch reply % X, want % X", got[8:], want[8+6:])
	}

	// Transaction manager: begin, then RESETCONNECTION rolls the transaction back, and a
	// commit without a transaction is error 3902.
	tm := func(body string) []byte {
		b := unhex(t, allHeaders+"0"+body)
		return append([]byte{packTransMgr, 0x01, 0, byte(8 + len(b)), 0, 0, 1, 0}, b...)
	}
	desc := "01 00 00 00 33 00 00 00" // session 51, first transaction
	got = roundTrip(tm("05 00 00 00"))
	if want := unhex(t, "E3 0B 00 08 08"+desc+"00"); !bytes.Equal(got[8:8+len(want)], want) {
		t.Errorf("begin reply % X, want ENVCHANGE % X", got, want)
	}
	reset := append([]byte{}, steps[4].data...) // SELECT 1 with EOM|RESETCONNECTION
	got = roundTrip(reset)
	if want := unhex(t, "E3 0B 00 0A 00 08"+desc+"E3 03 00 12 00 00"); !bytes.Equal(got[8:8+len(want)], want) {
		t.Errorf("reset reply % X, want rollback ENVCHANGE then reset ack % X", got, want)
	}
	got = roundTrip(tm("07 00 00 00"))
	if len(got) < 15 || got[8] != tokError || !bytes.Equal(got[11:15], unhex(t, "3E 0F 00 00")) {
		t.Errorf("commit without transaction reply % X, want ERROR 3902", got)
	}

	// An unknown packet type ends the connection.
	if _, err := nc.Write(unhex(t, "02 01 00 09 00 00 01 00 00")); err != nil {
		t.Fatal(err)
	}
	if b, err := readRawMessage(nc); err == nil {
		t.Errorf("connection alive after an unknown packet type: % X", b)
	}
}

// versionedEngine reports SQL Server 2016 SP2 (13.0.5026).
type versionedEngine struct{ captureEngine }

func (versionedEngine) ProductVersion() (major, minor uint8, build uint16) { return 13, 0, 5026 }

// TestServeAndVersion runs Serve on a caller's listener and checks that the optional
// VersionedEngine sets the version in PRELOGIN and LOGINACK.
func TestServeAndVersion(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(versionedEngine{}, Options{Logf: t.Logf})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	steps := readCapture(t, "testdata/tds-capture.txt")
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := nc.Write(steps[0].data); err != nil {
		t.Fatal(err)
	}
	pre, err := readRawMessage(nc)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "0D 00 13 A2 00 00"); !bytes.Contains(pre, want) {
		t.Errorf("PRELOGIN reply % X lacks version % X", pre, want)
	}
	if _, err := nc.Write(steps[2].data); err != nil {
		t.Fatal(err)
	}
	ack, err := readRawMessage(nc)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(loginAck([4]byte{13, 0, 0x13, 0xA2}), tokEnvChange); !bytes.Contains(ack, want) {
		t.Errorf("login reply % X lacks LOGINACK % X", ack, want)
	}
	if srv.Addr().String() != l.Addr().String() {
		t.Errorf("Addr %v, want %v", srv.Addr(), l.Addr())
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v after Close, want nil", err)
	}
	if err := srv.Serve(l); err != nil {
		t.Errorf("Serve after Close = %v, want nil", err)
	}
}
