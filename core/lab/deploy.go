package lab

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"

	"pcfailover/core/errlist"
	"pcfailover/core/sqlsim"
	"pcfailover/core/sqlsim/hostfs"
	"pcfailover/core/sqlsim/tds"
)

// deployment is the running SQL side of a lab: one simulator instance and one TDS server
// per role.
type deployment struct {
	instances map[string]InstanceInfo
	sims      map[string]*sqlsim.Instance
	servers   map[string]*tds.Server
	facts     Facts
	clock     *labClock
	net       *hostfs.Network
}

// labClock is the simulators' clock. While the scenario is built it stands at the
// scenario's past moments (log backups every interval up to one interval before now),
// moving forward a millisecond per reading so that start and finish times are ordered;
// once the lab runs it is the real time.
type labClock struct {
	mu   sync.Mutex
	at   time.Time
	live bool
}

func (c *labClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		return time.Now()
	}
	c.at = c.at.Add(time.Millisecond)
	return c.at
}

// set moves the build-time clock to t (never backwards).
func (c *labClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.at) {
		c.at = t
	}
}

func (c *labClock) goLive() {
	c.mu.Lock()
	c.live = true
	c.mu.Unlock()
}

// buildDeployment creates the instances, builds the scenario with the simulator's own
// operations, then starts a TDS server for each instance on 127.0.0.1.
func buildDeployment(ctx context.Context, s Scenario, lo layout, creds map[string]InstanceInfo) (*deployment, error) {
	d := &deployment{
		instances: map[string]InstanceInfo{},
		sims:      map[string]*sqlsim.Instance{},
		servers:   map[string]*tds.Server{},
		clock:     &labClock{},
	}
	for _, role := range roleNames {
		c := creds[role]
		d.sims[role] = sqlsim.NewInstance(sqlsim.Config{
			Name:   c.ServerName,
			Logins: map[string]string{c.User: c.Password},
			// The SQL Server Agent service account is sysadmin, as setup makes it; the
			// log-shipping jobs run as it.
			Sysadmins:        []string{c.User, `NT SERVICE\SQLSERVERAGENT`},
			Clock:            d.clock.now,
			RestoreMBps:      s.Throughput.RestoreMBps,
			StatementLatency: time.Duration(s.Throughput.StatementLatency),
			HeaderLatency:    time.Duration(s.Throughput.HeaderLatency),
			BytesPerTxn:      bytesPerTxn(s),
			DataBytes:        s.Logs.FullSizeBytes,
			Host:             machineName(role),
			Hosts:            lo.net,
		})
	}
	facts, err := buildScenario(ctx, s, lo, d.sims, d.clock)
	if err != nil {
		return d, err
	}
	d.facts = facts
	d.clock.goLive()

	var tlsCfg *tls.Config
	certPath := ""
	if s.TLS {
		if err := os.MkdirAll(lo.tls, 0o700); err != nil {
			return d, fmt.Errorf("tls: %w", err)
		}
		var err error
		certPath, _, tlsCfg, err = tds.GenerateCertificate(nil, lo.tls)
		if err != nil {
			return d, fmt.Errorf("tls: %w", err)
		}
	}
	for _, role := range roleNames {
		srv := tds.NewServer(d.sims[role], tds.Options{TLS: tlsCfg, RequireEncryption: tlsCfg != nil})
		d.servers[role] = srv
		addr, err := srv.ListenAndServe("127.0.0.1:0")
		if err != nil {
			return d, fmt.Errorf("start %s: %w", role, err)
		}
		host, port, err := splitAddr(addr.String())
		if err != nil {
			return d, fmt.Errorf("start %s: %w", role, err)
		}
		ii := creds[role]
		ii.Address, ii.Host, ii.Port, ii.Certificate = addr.String(), host, port, certPath
		ii.Up = role != RolePrimary || s.PrimaryUp
		d.instances[role] = ii
	}
	if !s.PrimaryUp {
		d.sims[RolePrimary].SetDown(true)
	}
	if s.ShareAccessDenied {
		// The service accounts lose their rights on the share (error 5); the folder stays.
		if err := lo.net.SetShareDenied(machineName(RolePrimary), shareName, true); err != nil {
			return d, err
		}
	}
	if s.ShareHostDown {
		// The whole primary host is gone: its SQL Server and its share (error 53).
		if err := lo.net.SetDown(machineName(RolePrimary), true); err != nil {
			return d, err
		}
	}
	d.net = lo.net
	if err := ctx.Err(); err != nil {
		return d, err
	}
	return d, nil
}

// bytesPerTxn spreads a log backup's payload size over its transactions. The simulator
// gives a log backup of n transactions n+1 shares of payload (its own log records are
// one: a log backup with no transaction is not empty), so a log backup of the scenario's
// TransactionsPerLog has SizeBytes of payload.
func bytesPerTxn(s Scenario) int {
	n := max(s.Logs.TransactionsPerLog, 0) + 1
	b := s.Logs.SizeBytes / int64(n)
	if b < 1 {
		b = 1
	}
	return int(b)
}

// close stops the servers (closing every connection), then the instances (application
// sessions, agent, jobs), and waits for all their goroutines.
func (d *deployment) close() error {
	var errs []error
	for _, role := range roleNames {
		if srv := d.servers[role]; srv != nil {
			if err := srv.Close(); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", role, err))
			}
		}
	}
	for _, role := range roleNames {
		if in := d.sims[role]; in != nil {
			in.Close()
		}
	}
	return errlist.Join(errs...)
}

// Instance returns the simulator instance of a role ("primary", "backup",
// "backupMirror") for assertions and fault injection, or nil for an unknown role.
func (l *Lab) Instance(role string) *sqlsim.Instance {
	if l.dep == nil {
		return nil
	}
	return l.dep.sims[role]
}

// Hosts returns the lab's simulated Windows hosts (SQLPCPRI, SQLPCBAK, SQLPCBAKMIR), to
// take a host down (Hosts().SetDown("SQLPCPRI", true): its shares answer error 53) or
// resolve a SQL Server path to the lab folder, or nil before the lab is built.
func (l *Lab) Hosts() *hostfs.Network {
	if l.dep == nil {
		return nil
	}
	return l.dep.net
}

// Server returns the TDS server of a role (to drop connections in tests), or nil.
func (l *Lab) Server(role string) *tds.Server {
	if l.dep == nil {
		return nil
	}
	return l.dep.servers[role]
}
