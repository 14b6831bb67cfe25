package failover_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"

	"pcfailover/core/request"
)

// lockHolder takes the pool's SQL app lock on its own session, as another run would,
// and returns the release function.
func lockHolder(t *testing.T, lr *labRun) func() {
	t.Helper()
	in := *lr.req.BackupSQLInstance
	c, err := mssql.NewConnector(in.ConnString(lr.pw[request.RoleBackup], "master", "other-run"))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var res int
	q := `DECLARE @r int;
EXEC @r = sp_getapplock @Resource = @p1, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0, @DbPrincipal = 'public';
SELECT @r AS result`
	if err := conn.QueryRowContext(context.Background(), q, "pcfailover:"+strings.ToLower(lr.req.PoolFQDN)).Scan(&res); err != nil || res < 0 {
		t.Fatalf("take the app lock: %d %v", res, err)
	}
	return func() { conn.Close(); db.Close() }
}
