package sqlsim

import (
	"encoding/json"
	"fmt"
)

// Snapshot returns deterministic JSON of the instance's durable state: databases
// (state, LSNs, transaction counts, files) and msdb (log-shipping tables, backup and
// restore history, jobs). Sessions, faults and the statement log are excluded, so a
// read-only tool run leaves the snapshot unchanged.
func (in *Instance) Snapshot() ([]byte, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	snap := struct {
		Server       string      `json:"server"`
		AgentRunning bool        `json:"agent_running"`
		Down         bool        `json:"down"`
		Databases    []*database `json:"databases"`
		MSDB         *msdbState  `json:"msdb"`
	}{in.cfg.Name, in.agentRunning, in.down, in.sortedDBs(), &in.msdb}
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", in.cfg.Name, err)
	}
	return b, nil
}
