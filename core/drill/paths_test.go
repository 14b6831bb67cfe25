package drill

import (
	"testing"
	"time"
)

func TestServerPaths(t *testing.T) {
	tests := []struct {
		dir, name, join string
		path, d, ext    string
	}{
		{dir: `D:\SQLData`, name: "mgc_drill_1_mgc.mdf", join: `D:\SQLData\mgc_drill_1_mgc.mdf`, path: `D:\SQLData\mgc.mdf`, d: `D:\SQLData`, ext: ".mdf"},
		{dir: `D:\SQLData\`, name: "x.ldf", join: `D:\SQLData\x.ldf`, path: `\\fs\share\db\mgc_log.ldf`, d: `\\fs\share\db`, ext: ".ldf"},
		{dir: "/var/opt/mssql/data/", name: "x.mdf", join: "/var/opt/mssql/data/x.mdf", path: "/var/opt/mssql/data/mgc", d: "/var/opt/mssql/data", ext: ""},
		{dir: "/data", name: "x.ndf", join: "/data/x.ndf", path: `E:\dir.v2\mgc_2.ndf`, d: `E:\dir.v2`, ext: ".ndf"},
	}
	for _, tc := range tests {
		if got := serverJoin(tc.dir, tc.name); got != tc.join {
			t.Errorf("serverJoin(%q, %q) = %q, want %q", tc.dir, tc.name, got, tc.join)
		}
		if got := serverDir(tc.path); got != tc.d {
			t.Errorf("serverDir(%q) = %q, want %q", tc.path, got, tc.d)
		}
		if got := serverExt(tc.path); got != tc.ext {
			t.Errorf("serverExt(%q) = %q, want %q", tc.path, got, tc.ext)
		}
	}
	if got := restoreFullSQL("mgc_drill_1", 2); got != "RESTORE DATABASE [mgc_drill_1] FROM DISK = @p1 WITH MOVE @p2 TO @p3, MOVE @p4 TO @p5, NORECOVERY, STATS = 10" {
		t.Errorf("restoreFullSQL: %s", got)
	}
	if got := DatabaseName("mgc", mustTime("2026-11-25T19:06:47Z")); got != "mgc_drill_20261125190647" {
		t.Errorf("DatabaseName: %s", got)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
