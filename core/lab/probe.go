package lab

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// DSN is a go-mssqldb connection URL for the instance (database master), with the TLS
// settings the lab uses: encrypt=disable, or encrypt=true verified against the lab's
// certificate. It contains the password: never log it.
func (i InstanceInfo) DSN(database string) string {
	q := url.Values{}
	if database == "" {
		database = "master"
	}
	q.Set("database", database)
	q.Set("app name", "pcfailover-lab")
	q.Set("dial timeout", "5")
	if i.Certificate != "" {
		q.Set("encrypt", "true")
		q.Set("certificate", i.Certificate)
		q.Set("trustservercertificate", "false")
	} else {
		q.Set("encrypt", "disable")
	}
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(i.User, i.Password), Host: i.Address, RawQuery: q.Encode()}
	return u.String()
}

// probe checks one instance: TCP, then a SQL login and SELECT @@SERVERNAME.
func probe(ctx context.Context, inst InstanceInfo, _ string) InstanceStatus {
	st := InstanceStatus{Address: inst.Address, Expected: inst.Up}
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(dctx, "tcp", inst.Address)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	c.Close()
	st.Listening = true
	conn, err := mssql.NewConnector(inst.DSN("master"))
	if err != nil {
		st.Error = fmt.Sprintf("connection settings: %v", err)
		return st
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	qctx, qcancel := context.WithTimeout(ctx, 10*time.Second)
	defer qcancel()
	var name string
	if err := db.QueryRowContext(qctx, "SELECT @@SERVERNAME").Scan(&name); err != nil {
		st.Error = err.Error()
		return st
	}
	st.Up, st.ServerName = true, name
	return st
}

// splitAddr returns host and port of "127.0.0.1:PORT".
func splitAddr(addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return h, port, err
}
