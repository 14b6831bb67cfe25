package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText renders r for a human at a terminal.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pcfailover %s %s (database %s): %s (exit %d)\n", r.Command, r.PoolFQDN, r.Database, strings.ToUpper(r.Outcome), r.ExitCode)
	if r.RunID != "" {
		fmt.Fprintf(&b, "run %s, %s, run directory %s\n", r.RunID, time.Duration(r.DurationMs)*time.Millisecond, r.RunDirectory)
	}
	if len(r.Steps) > 0 {
		b.WriteString("\nSteps\n")
	}
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "  [%d] %-13s %s", s.RunbookStep, s.Status, s.Name)
		if s.DurationMs > 0 {
			fmt.Fprintf(&b, " (%s)", time.Duration(s.DurationMs)*time.Millisecond)
		}
		b.WriteString("\n")
		if s.Detail != "" {
			fmt.Fprintf(&b, "        %s\n", s.Detail)
		}
		for _, st := range s.Statements {
			fmt.Fprintf(&b, "        %s> %s", st.Target, st.Text)
			if len(st.Parameters) > 0 {
				var ps []string
				for k, v := range st.Parameters {
					ps = append(ps, k+"="+v)
				}
				fmt.Fprintf(&b, "  [%s]", strings.Join(ps, ", "))
			}
			b.WriteString("\n")
		}
		if s.Error != nil {
			fmt.Fprintf(&b, "        error %s: %s\n", s.Error.Code, s.Error.Message)
		}
	}
	if len(r.Folders) > 0 {
		b.WriteString("\nFolders (as SQL Server names them -> as this machine reaches them)\n")
		for _, f := range r.Folders {
			local := f.LocalPath
			if local == "" {
				local = "(not reachable)"
			}
			fmt.Fprintf(&b, "  %-16s SQL path %s\n  %-16s local path %s\n", f.Role, f.SQLPath, "", local)
			if f.Error != "" {
				fmt.Fprintf(&b, "  %-16s ERROR: %s\n", "", f.Error)
			}
		}
	}
	if len(r.Files) > 0 {
		counts := map[string]int{}
		for _, f := range r.Files {
			counts[f.Action]++
		}
		b.WriteString("\nLog backups\n")
		for _, f := range r.Files {
			first, last := "", ""
			if f.FirstLSN != nil {
				first = f.FirstLSN.String()
			}
			if f.LastLSN != nil {
				last = f.LastLSN.String()
			}
			fmt.Fprintf(&b, "  %-16s %s  %s -> %s", f.Action, f.Name, first, last)
			if f.Detail != "" {
				fmt.Fprintf(&b, "  (%s)", f.Detail)
			}
			b.WriteString("\n")
		}
	}
	if r.Chain != nil && r.Chain.Gap != nil {
		fmt.Fprintf(&b, "\nGAP in the log chain: %s\n", r.Chain.Gap.Description)
	}
	if r.DataLoss != nil {
		fmt.Fprintf(&b, "\nDATA LOSS (accepted=%v): %s\n", r.DataLoss.Accepted, r.DataLoss.Description)
	}
	if r.RPO != nil && r.RPO.LastAppliedBackupFinish != nil {
		fmt.Fprintf(&b, "\nRecovery point: %s (%s ago)\n", r.RPO.LastAppliedBackupFinish.Format(time.RFC3339), time.Duration(r.RPO.AgeSeconds)*time.Second)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "\nERROR %s: %s", e.Code, e.Message)
		if e.Target != "" {
			fmt.Fprintf(&b, " [%s]", e.Target)
		}
		b.WriteString("\n")
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\nWarnings\n")
		for _, s := range r.Warnings {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	if len(r.NextSteps) > 0 {
		b.WriteString("\nNext steps\n")
		for _, s := range r.NextSteps {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
