package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func testNet(t *testing.T) *Network {
	t.Helper()
	n := New(filepath.Join(t.TempDir(), "hosts"))
	for _, h := range []string{"SQLPCPRI", "SQLPCBAK"} {
		if err := n.AddHost(h, "C", "D", "E"); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.AddShare("SQLPCPRI", "LogShip", `D:\LogShip`); err != nil {
		t.Fatal(err)
	}
	return n
}

func write(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustResolve(t *testing.T, n *Network, from, p string) string {
	t.Helper()
	l, err := n.Resolve(from, p)
	if err != nil {
		t.Fatalf("Resolve(%s, %s): %v", from, p, err)
	}
	return l
}

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	var pe *PathError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("error = %v, want operating system error %d", err, code)
	}
}

func TestResolveDriveAdminShareAndNamedShare(t *testing.T) {
	n := testNet(t)
	bak := filepath.Join(n.Root(), "SQLPCBAK", "E", "LSCopy", "mgc_1.trn")
	write(t, bak)
	if got := mustResolve(t, n, "SQLPCBAK", `E:\LSCopy\mgc_1.trn`); got != bak {
		t.Errorf("drive path = %s, want %s", got, bak)
	}
	if got := mustResolve(t, n, "SQLPCPRI", `\\SQLPCBAK\E$\LSCopy\mgc_1.trn`); got != bak {
		t.Errorf("admin share = %s, want %s", got, bak)
	}
	pri := filepath.Join(n.Root(), "SQLPCPRI", "D", "LogShip", "mgc_1.trn")
	write(t, pri)
	if got := mustResolve(t, n, "SQLPCBAK", `\\SQLPCPRI\LogShip\mgc_1.trn`); got != pri {
		t.Errorf("named share = %s, want %s", got, pri)
	}
	if got := mustResolve(t, n, "SQLPCBAK", `\\sqlpcpri.contoso.com\LogShip\mgc_1.trn`); got != pri {
		t.Errorf("DNS name = %s, want %s", got, pri)
	}
	if got := mustResolve(t, n, "SQLPCBAK", `//sqlpcpri/logship/MGC_1.TRN`); got != pri {
		t.Errorf("forward slashes, other case = %s, want %s", got, pri)
	}
}

func TestResolveCaseInsensitiveOneFile(t *testing.T) {
	n := testNet(t)
	f := filepath.Join(n.Root(), "SQLPCBAK", "E", "LSCopy", "mgc_20261125120000.trn")
	write(t, f)
	for _, p := range []string{`e:\lscopy\MGC_20261125120000.TRN`, `E:\LSCOPY\mgc_20261125120000.trn`, `\\sqlpcbak\e$\LsCopy\Mgc_20261125120000.Trn`} {
		if got := mustResolve(t, n, "sqlpcbak", p); got != f {
			t.Errorf("%s = %s, want %s", p, got, f)
		}
	}
	// A new component keeps the case given, under the existing folder's own name.
	if got, want := mustResolve(t, n, "SQLPCBAK", `e:\lscopy\New.trn`), filepath.Join(n.Root(), "SQLPCBAK", "E", "LSCopy", "New.trn"); got != want {
		t.Errorf("new file = %s, want %s", got, want)
	}
}

func TestResolveOtherHostsDriveIsAnotherFile(t *testing.T) {
	n := testNet(t)
	a := mustResolve(t, n, "SQLPCPRI", `E:\LSCopy\x.trn`)
	b := mustResolve(t, n, "SQLPCBAK", `E:\LSCopy\x.trn`)
	if a == b {
		t.Fatalf("E: of two hosts resolved to one file %s", a)
	}
	write(t, b)
	if _, err := os.Stat(a); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the primary's E:\\LSCopy\\x.trn exists after writing the backup's: %v", err)
	}
	if OSErrorFor(a, func() error { _, err := os.Open(a); return err }()) != ErrPathNotFound {
		t.Errorf("missing folder on the primary: want error 3")
	}
}

func TestResolveErrors(t *testing.T) {
	n := testNet(t)
	_, err := n.Resolve("SQLPCBAK", `\\SQLPCXXX\LogShip\x.trn`)
	wantCode(t, err, ErrBadNetPath)
	_, err = n.Resolve("SQLPCBAK", `\\SQLPCPRI\NoSuchShare\x.trn`)
	wantCode(t, err, ErrBadNetName)
	if got := err.(*PathError).OSError(); got != "67(The network name cannot be found.)" {
		t.Errorf("OSError = %q", got)
	}
	_, err = n.Resolve("SQLPCBAK", `Q:\x.trn`)
	wantCode(t, err, ErrPathNotFound)
	_, err = n.Resolve("SQLPCBAK", `\\SQLPCPRI\Q$\x.trn`)
	wantCode(t, err, ErrBadNetName)
	_, err = n.Resolve("SQLPCBAK", `relative\x.trn`)
	wantCode(t, err, ErrPathNotFound)

	priDir := filepath.Join(n.Root(), "SQLPCPRI", "D", "LogShip")
	if err := n.SetDown("SQLPCPRI", true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(priDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a down host's folder is still reachable from this machine: %v", err)
	}
	_, err = n.Resolve("SQLPCBAK", `\\SQLPCPRI\LogShip\x.trn`)
	wantCode(t, err, ErrBadNetPath)
	if got := err.(*PathError).OSError(); got != "53(The network path was not found.)" {
		t.Errorf("OSError = %q", got)
	}
	_, err = n.Resolve("SQLPCBAK", `\\SQLPCPRI\D$\LogShip`)
	wantCode(t, err, ErrBadNetPath)
	if err := n.SetDown("SQLPCPRI", false); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Resolve("SQLPCBAK", `\\SQLPCPRI\LogShip\x.trn`); err != nil {
		t.Fatalf("host back up: %v", err)
	}
	if st, err := os.Stat(priDir); err != nil || !st.IsDir() {
		t.Errorf("host back up, its share folder: %v", err)
	}

	// Missing folder (3) and missing file (2) are told apart by OSErrorFor.
	missingDir := mustResolve(t, n, "SQLPCBAK", `E:\NoFolder\x.trn`)
	_, err = os.Open(missingDir)
	if c := OSErrorFor(missingDir, err); c != ErrPathNotFound {
		t.Errorf("missing folder: code %d, want 3", c)
	}
	missingFile := mustResolve(t, n, "SQLPCPRI", `\\SQLPCPRI\LogShip\nope.trn`)
	_, err = os.Open(missingFile)
	if c := OSErrorFor(missingFile, err); c != ErrFileNotFound {
		t.Errorf("missing file: code %d, want 2", c)
	}
	if OSErrorText(ErrPathNotFound) != "3(The system cannot find the path specified.)" || OSErrorText(ErrFileNotFound) != "2(The system cannot find the file specified.)" {
		t.Errorf("texts: %q %q", OSErrorText(3), OSErrorText(2))
	}
}

func TestResolvePOSIXAndHelpers(t *testing.T) {
	n := testNet(t)
	if got := mustResolve(t, n, "SQLPCBAK", "/tmp/x/../y.trn"); got != filepath.Clean("/tmp/y.trn") {
		t.Errorf("POSIX path = %s", got)
	}
	if got := mustResolve(t, n, "SQLPCBAK", `E:\a\..\..\b.trn`); got != filepath.Join(n.Root(), "SQLPCBAK", "E", "b.trn") {
		t.Errorf(".. above the root = %s", got)
	}
	if Join(`E:\LSCopy\`, "x.trn") != `E:\LSCopy\x.trn` || Base(`\\H\S\d\x.trn`) != "x.trn" || Dir(`E:\x.trn`) != `E:\` || Dir(`E:\LSCopy\x.trn`) != `E:\LSCopy` {
		t.Errorf("Join/Base/Dir: %s %s %s", Join(`E:\LSCopy\`, "x.trn"), Base(`\\H\S\d\x.trn`), Dir(`E:\x.trn`))
	}
	if IsWindowsPath("/tmp/x") || !IsWindowsPath(`\\H\S`) || !IsWindowsPath(`e:/x`) {
		t.Error("IsWindowsPath")
	}
	if err := n.AddShare("NOHOST", "S", `D:\S`); err == nil {
		t.Error("AddShare on an unknown host succeeded")
	}
	if err := n.AddHost(`BAD\NAME`); err == nil {
		t.Error("AddHost accepted a backslash")
	}
	if d := n.Drives("sqlpcbak"); len(d) != 3 || d[0] != "C" {
		t.Errorf("Drives = %v", d)
	}
	if p, ok := n.ShareDir("sqlpcpri", "LOGSHIP"); !ok || p != `D:\LogShip` {
		t.Errorf("ShareDir = %q %v", p, ok)
	}
}
