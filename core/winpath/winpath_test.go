package winpath

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		kind    Kind
		canon   string
		errPart string
	}{
		{`E:\LSCopy\x.trn`, Drive, `E:\LSCopy\x.trn`, ""},
		{`e:/LSCopy//x.trn`, Drive, `E:\LSCopy\x.trn`, ""},
		{`E:\LSCopy\`, Drive, `E:\LSCopy`, ""},
		{`E:\`, Drive, `E:\`, ""},
		{`E:`, Drive, `E:\`, ""},
		{`\\SQLPCPRI\LogShip`, UNC, `\\SQLPCPRI\LogShip`, ""},
		{`\\SQLPCPRI\LogShip\\sub\`, UNC, `\\SQLPCPRI\LogShip\sub`, ""},
		{`//sqlpcbak/E$/LSCopy`, UNC, `\\sqlpcbak\E$\LSCopy`, ""},
		{`\\sql.contoso.com\E$`, UNC, `\\sql.contoso.com\E$`, ""},
		{`/srv/lab/hosts//SQLPCBAK/E/`, POSIX, `/srv/lab/hosts/SQLPCBAK/E`, ""},
		{`/`, POSIX, `/`, ""},
		{``, Invalid, "", "empty"},
		{`LSCopy\x`, Invalid, "", "not an absolute path"},
		{`E:LSCopy`, Invalid, "", "relative to the current folder"},
		{`\LSCopy`, Invalid, "", "relative to the current drive"},
		{`\\SQLPCPRI`, Invalid, "", "not a UNC path"},
		{`\\SQLPCPRI\`, Invalid, "", "not a UNC path"},
		{`\\\SQLPCPRI\x`, Invalid, "", "not a UNC path"},
		{`\\?\E:\LSCopy`, Invalid, "", "not supported"},
		{`\\.\pipe\x`, Invalid, "", "not supported"},
		{`//?/E:/x`, Invalid, "", "not supported"},
		{`E:\LSCopy\..\Windows`, Invalid, "", `".."`},
		{`E:\LSCopy\.\x`, Invalid, "", `"."`},
		{`\\h\s\..\..\x`, Invalid, "", `".."`},
		{`/srv/../etc`, Invalid, "", `".."`},
		{`E:\LS:Copy`, Invalid, "", "does not allow"},
		{"E:\\LS\x00Copy", Invalid, "", "does not allow"},
		{`E:\a\...`, Invalid, "", "only dots"},
	}
	for _, c := range cases {
		p, err := Parse(c.in)
		if c.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Errorf("Parse(%q) error = %v, want one containing %q", c.in, err, c.errPart)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if p.Kind() != c.kind || p.String() != c.canon {
			t.Errorf("Parse(%q) = %s %q, want %s %q", c.in, p.Kind(), p.String(), c.kind, c.canon)
		}
	}
}

func TestPrefixAndEqual(t *testing.T) {
	cases := []struct {
		p, prefix string
		want      bool
		rest      string
	}{
		{`E:\LSCopy\x.trn`, `E:\LSCopy`, true, "x.trn"},
		{`e:\lscopy\X.TRN`, `E:\LSCopy\`, true, "X.TRN"},
		{`E:\LSCopy2\x.trn`, `E:\LSCopy`, false, ""},
		{`E:\LSCopy`, `E:\LSCopy`, true, ""},
		{`E:\LSCopy`, `E:\`, true, "LSCopy"},
		{`D:\LSCopy`, `E:\`, false, ""},
		{`\\sqlpcpri\logship\a\b`, `\\SQLPCPRI\LogShip`, true, "a/b"},
		{`\\SQLPCPRI\LogShip2\a`, `\\SQLPCPRI\LogShip`, false, ""},
		{`\\SQLPCPRI\LogShip`, `E:\`, false, ""},
		{`\\sqlpcpri.contoso.com\LogShip\a`, `\\SQLPCPRI\LogShip`, true, "a"},
		{`\\SQLPCPRI\LogShip\a`, `\\sqlpcpri.contoso.com\logship`, true, "a"},
		{`\\sqlpcpri.fabrikam.com\LogShip\a`, `\\sqlpcpri.contoso.com\LogShip`, false, ""},
		{`\\10.0.0.5\LogShip\a`, `\\10\LogShip`, false, ""},
		{`/srv/a/b`, `/srv/a`, true, "b"},
		{`/srv/A/b`, `/srv/a`, false, ""},
	}
	for _, c := range cases {
		rest, ok := MustParse(c.p).Rel(MustParse(c.prefix))
		if ok != c.want || strings.Join(rest, "/") != c.rest {
			t.Errorf("Rel(%q, %q) = %v %v, want %v %q", c.p, c.prefix, rest, ok, c.want, c.rest)
		}
	}
	if !SamePath(`E:\LSCopy\`, `e:/lscopy`) || SamePath(`E:\LSCopy`, `D:\LSCopy`) || SamePath("/a/B", "/a/b") {
		t.Error("SamePath")
	}
}

func TestJoinAndAdminShare(t *testing.T) {
	p := MustParse(`E:\LSCopy`)
	q, err := p.Join(`sub/x.trn`)
	if err != nil || q.String() != `E:\LSCopy\sub\x.trn` {
		t.Fatalf("Join = %v %v", q, err)
	}
	if _, err := p.Join(`..\Windows`); err == nil {
		t.Fatal("Join accepted ..")
	}
	a, ok := q.AdminShare("SQLPCBAK")
	if !ok || a.String() != `\\SQLPCBAK\E$\LSCopy\sub\x.trn` {
		t.Fatalf("AdminShare = %v %v", a, ok)
	}
	if s, err := SQLJoin(`\\SQLPCPRI\LogShip\`, "mgc_1.trn"); err != nil || s != `\\SQLPCPRI\LogShip\mgc_1.trn` {
		t.Fatalf("SQLJoin = %q %v", s, err)
	}
	if s, err := SQLJoin(`/srv/share`, "mgc_1.trn"); err != nil || s != `/srv/share/mgc_1.trn` {
		t.Fatalf("SQLJoin POSIX = %q %v", s, err)
	}
	if _, err := SQLJoin(`E:\x`, `a\b`); err == nil {
		t.Fatal("SQLJoin accepted a separator in the name")
	}
	if BaseName(`E:\LSCopy\x.trn`) != "x.trn" || BaseName(`/a/b.trn`) != "b.trn" {
		t.Fatal("BaseName")
	}
}

func TestMapperLocal(t *testing.T) {
	lab := []Entry{
		{From: `\\SQLPCPRI\LogShip`, To: `/lab/hosts/SQLPCPRI/D/LogShip`},
		{From: `\\SQLPCBAK\E$`, To: `/lab/hosts/SQLPCBAK/E`},
		{From: `\\SQLPCBAK\E$\LSCopy\special`, To: `/mnt/special`},
	}
	cases := []struct {
		name, goos, localHost string
		entries               []Entry
		sql, host             string
		want                  string
		unreachable           bool
	}{
		{"share by map", "linux", "", lab, `\\sqlpcpri\LOGSHIP\mgc_1.trn`, "SQLPCBAK", "/lab/hosts/SQLPCPRI/D/LogShip/mgc_1.trn", false},
		{"copy folder via admin share map", "linux", "", lab, `E:\LSCopy\mgc_1.trn`, "SQLPCBAK", "/lab/hosts/SQLPCBAK/E/LSCopy/mgc_1.trn", false},
		{"host as FQDN", "linux", "", lab, `E:\LSCopy`, "sqlpcbak.contoso.com", "/lab/hosts/SQLPCBAK/E/LSCopy", false},
		{"longest prefix wins", "linux", "", lab, `E:\LSCopy\Special\x.trn`, "SQLPCBAK", "/mnt/special/x.trn", false},
		{"whole components only", "linux", "", []Entry{{From: `E:\LSCopy`, To: "/a"}}, `E:\LSCopy2\x`, "H", "", true},
		{"drive path map", "linux", "", []Entry{{From: `E:\`, To: "/lab/E"}}, `e:\LSCopy\x`, "SQLPCBAK", "/lab/E/LSCopy/x", false},
		{"drive of another host unmapped", "linux", "", lab, `E:\LSCopy`, "SQLPCBAKMIR", "", true},
		{"UNC unmapped on linux", "linux", "", nil, `\\SQLPCPRI\LogShip`, "SQLPCBAK", "", true},
		{"no owner", "linux", "", nil, `E:\LSCopy`, "", "", true},
		{"POSIX as is", "linux", "", nil, `/srv/share/x.trn`, "SQLPCBAK", "/srv/share/x.trn", false},
		{"windows admin share default", "windows", "PCHAT3", nil, `E:\LSCopy\x.trn`, "SQLPCBAK", `\\SQLPCBAK\E$\LSCopy\x.trn`, false},
		{"windows UNC as is", "windows", "PCHAT3", nil, `//SQLPCPRI/LogShip/x.trn`, "SQLPCBAK", `\\SQLPCPRI\LogShip\x.trn`, false},
		{"windows on the SQL host", "windows", "sqlpcbak", nil, `E:\LSCopy\x.trn`, "SQLPCBAK", `E:\LSCopy\x.trn`, false},
		{"windows map beats on-host", "windows", "SQLPCBAK", []Entry{{From: `E:\LSCopy`, To: `F:\Mirror`}}, `E:\LSCopy\x.trn`, "SQLPCBAK", `F:\Mirror\x.trn`, false},
		{"windows admin share remapped", "windows", "PCHAT3", []Entry{{From: `\\SQLPCBAK\E$`, To: `\\SQLPCBAK\LSCopyRoot`}}, `E:\LSCopy`, "SQLPCBAK", `\\SQLPCBAK\LSCopyRoot\LSCopy`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewMapper(c.entries, c.goos, c.localHost)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Local(c.sql, c.host)
			if c.unreachable {
				var ue *UnreachableError
				if !errors.As(err, &ue) || !errors.Is(err, ErrUnreachable) {
					t.Fatalf("Local(%q) = %q, %v; want unreachable", c.sql, got, err)
				}
				if !strings.Contains(err.Error(), "pathMap") || ue.SQLPath == "" {
					t.Fatalf("error does not name the SQL path and pathMap: %v", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Local(%q, %q) = %q, %v; want %q", c.sql, c.host, got, err, c.want)
			}
		})
	}
}

func TestMapperHostile(t *testing.T) {
	m, err := NewMapper([]Entry{{From: `E:\LSCopy`, To: "/lab/E/LSCopy"}}, "linux", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{`E:\LSCopy\..\..\etc\passwd`, `\\?\E:\LSCopy\x`, `E:\LSCopy\a:b`, `LSCopy\x`} {
		if got, err := m.Local(p, "SQLPCBAK"); err == nil {
			t.Errorf("Local(%q) = %q, want an error", p, got)
		}
	}
	if _, err := NewMapper([]Entry{{From: `E:\..`, To: "/x"}}, "linux", ""); err == nil {
		t.Error("NewMapper accepted a .. entry")
	}
}
