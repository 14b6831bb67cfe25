package status

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteText renders s for a human.
func WriteText(w io.Writer, s *Status) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pcfailover status %s (database %s): %s (exit %d) at %s\n", s.PoolFQDN, s.Database, strings.ToUpper(s.Health), s.ExitCode, s.CheckedAt.Format(time.RFC3339))
	if sec := s.Secondary; sec != nil {
		mode := sec.State
		if sec.IsInStandby {
			mode += " (STANDBY)"
		}
		fmt.Fprintf(&b, "\nSecondary  %s", mode)
		if sec.RedoStartLSN != nil {
			fmt.Fprintf(&b, ", next LSN %s", sec.RedoStartLSN)
		}
		b.WriteString("\n")
	}
	for _, e := range []struct {
		label string
		ev    *Event
	}{{"Last backup", s.LastBackup}, {"Last copy", s.LastCopy}, {"Last restore", s.LastRestore}} {
		if e.ev == nil {
			fmt.Fprintf(&b, "%-12s (none)\n", e.label)
			continue
		}
		fmt.Fprintf(&b, "%-12s %s", e.label, e.ev.File)
		if e.ev.At != nil {
			fmt.Fprintf(&b, " at %s (%s ago)", e.ev.At.Format(time.RFC3339), time.Duration(e.ev.AgeSeconds)*time.Second)
		}
		if e.ev.LatencySeconds != nil {
			fmt.Fprintf(&b, ", latency %s", time.Duration(*e.ev.LatencySeconds)*time.Second)
		}
		b.WriteString("\n")
	}
	for _, f := range s.Folders {
		local := f.LocalPath
		if !f.Reachable {
			local += " (NOT REACHABLE: " + f.Error + ")"
		}
		fmt.Fprintf(&b, "%-12s SQL path %s, local path %s\n", f.Role, f.SQLPath, local)
	}
	fmt.Fprintf(&b, "Files        %d in the share, %d in the copy folder; %d waiting to be copied, %d to be restored",
		s.Files.InShare, s.Files.InCopyFolder, s.Files.WaitingToCopy, s.Files.WaitingToRestore)
	if len(s.Files.Partial) > 0 {
		fmt.Fprintf(&b, "; partial copies: %s", strings.Join(s.Files.Partial, ", "))
	}
	b.WriteString("\n")
	if c := s.Chain; c != nil {
		if c.Continuous {
			fmt.Fprintf(&b, "Chain        continuous from LSN %s to %s\n", c.RedoStartLSN, c.EndLSN)
		} else {
			fmt.Fprintf(&b, "Chain        BROKEN: %s\n", c.Gap)
		}
	}
	if r := s.RPO; r != nil && r.RecoverableTo != nil {
		fmt.Fprintf(&b, "Data at risk %s (a failover now recovers to %s)\n", time.Duration(r.DataAtRiskSeconds)*time.Second, r.RecoverableTo.Format(time.RFC3339))
	}
	if l := s.Lync; l != nil {
		if l.Reachable {
			fmt.Fprintf(&b, "Lync         pool %s, mirror %s\n", l.PoolState, orDash(l.MirrorState))
		} else {
			fmt.Fprintf(&b, "Lync         unreachable: %s\n", l.Error)
		}
	}
	b.WriteString("\nChecks\n")
	for _, c := range s.Checks {
		fmt.Fprintf(&b, "  %-8s %-13s %s\n", strings.ToUpper(c.Health), c.Name, c.Message)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WritePrometheus renders s in the Prometheus text exposition format (version 0.0.4),
// for node_exporter's textfile collector: write it to a temporary file in the collector
// directory and rename it to *.prom.
func WritePrometheus(w io.Writer, s *Status) error {
	var b strings.Builder
	base := labels("pool", s.PoolFQDN, "database", s.Database)
	metric := func(name, help, typ string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	sample := func(name, lbl string, v float64) {
		fmt.Fprintf(&b, "%s{%s} %s\n", name, lbl, formatFloat(v))
	}
	metric("pcfailover_status_health", "Overall log-shipping health: 0 ok, 1 warning, 2 unknown, 3 critical.", "gauge")
	sample("pcfailover_status_health", base, float64(rank(s.Health)))
	metric("pcfailover_status_exit_code", "Exit code of pcfailover status (0 ok, 5 warning, 6 critical, 1 unknown).", "gauge")
	sample("pcfailover_status_exit_code", base, float64(s.ExitCode))
	metric("pcfailover_status_checked_timestamp_seconds", "When the status was read (Unix time).", "gauge")
	sample("pcfailover_status_checked_timestamp_seconds", base, float64(s.CheckedAt.Unix()))
	metric("pcfailover_check_health", "Health of one check: 0 ok, 1 warning, 2 unknown, 3 critical.", "gauge")
	checks := append([]Check(nil), s.Checks...)
	sort.SliceStable(checks, func(i, j int) bool { return checks[i].Name < checks[j].Name })
	for _, c := range checks {
		sample("pcfailover_check_health", base+","+labels("check", c.Name), float64(rank(c.Health)))
	}
	if r := s.RPO; r != nil && r.RecoverableTo != nil {
		metric("pcfailover_data_at_risk_seconds", "Age of the newest transaction a failover now could recover: what would be lost if the primary died now.", "gauge")
		sample("pcfailover_data_at_risk_seconds", base, float64(r.DataAtRiskSeconds))
	}
	if r := s.RPO; r != nil && r.RestoredTo != nil {
		metric("pcfailover_restored_age_seconds", "Age of the newest transaction already restored on the secondary.", "gauge")
		sample("pcfailover_restored_age_seconds", base, float64(r.RestoredAgeSeconds))
	}
	for _, e := range []struct {
		name, help string
		ev         *Event
	}{
		{"pcfailover_last_backup_age_seconds", "Seconds since the newest log backup in the share finished.", s.LastBackup},
		{"pcfailover_last_copy_age_seconds", "Seconds since the copy job last copied a file.", s.LastCopy},
		{"pcfailover_last_restore_age_seconds", "Seconds since the restore job last restored a file.", s.LastRestore},
	} {
		if e.ev != nil && e.ev.At != nil {
			metric(e.name, e.help, "gauge")
			sample(e.name, base, float64(e.ev.AgeSeconds))
		}
	}
	if s.LastRestore != nil && s.LastRestore.LatencySeconds != nil {
		metric("pcfailover_restore_latency_seconds", "From the last restored backup's finish to its restore.", "gauge")
		sample("pcfailover_restore_latency_seconds", base, float64(*s.LastRestore.LatencySeconds))
	}
	metric("pcfailover_files_waiting", "Log backups waiting, by stage (copy: only in the share; restore: not yet applied).", "gauge")
	sample("pcfailover_files_waiting", base+","+labels("stage", "copy"), float64(s.Files.WaitingToCopy))
	sample("pcfailover_files_waiting", base+","+labels("stage", "restore"), float64(s.Files.WaitingToRestore))
	if c := s.Chain; c != nil {
		metric("pcfailover_log_chain_continuous", "1 when the log chain is continuous from the secondary's redo start LSN to the newest file.", "gauge")
		v := 0.0
		if c.Continuous {
			v = 1
		}
		sample("pcfailover_log_chain_continuous", base, v)
	}
	if l := s.Lync; l != nil {
		metric("pcfailover_lync_reachable", "1 when the Lync cmdlets answered.", "gauge")
		v := 0.0
		if l.Reachable {
			v = 1
		}
		sample("pcfailover_lync_reachable", base, v)
		if l.Reachable && l.PoolState != "" {
			metric("pcfailover_lync_pool_state", "The Persistent Chat pool state (the sample with value 1).", "gauge")
			sample("pcfailover_lync_pool_state", base+","+labels("state", l.PoolState), 1)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// labels renders name="value" pairs, escaping values as the exposition format requires
// (backslash, double quote, line feed).
func labels(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		v := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(kv[i+1])
		parts = append(parts, kv[i]+`="`+v+`"`)
	}
	return strings.Join(parts, ",")
}

func formatFloat(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%g", v)
}
