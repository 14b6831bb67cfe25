package lab

import (
	"context"
	"errors"
)

// deployment is the running simulated SQL side of a lab.
type deployment struct {
	instances map[string]InstanceInfo
	facts     Facts
}

func buildDeployment(ctx context.Context, s Scenario, lo layout, creds map[string]InstanceInfo) (*deployment, error) {
	return nil, errors.New("the SQL Server simulator (core/sqlsim) has not landed yet")
}

func (d *deployment) close() error { return nil }

func writeLyncState(s Scenario, lo layout, module string) (LyncInfo, error) {
	return LyncInfo{}, errors.New("not yet")
}
