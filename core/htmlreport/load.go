// Package htmlreport renders a self-contained report (HTML or Markdown, no external
// assets) of a failover, failback or drill run from its run directory: steps and
// timings, files, RPO/RTO, chain, data loss, warnings and errors, and for drills a chart
// of RTO and RPO over the drill history (go-chart, SVG embedded inline).
//
// Sources, in order: a report JSON file given directly; DIR/report.json (written by
// every drill); the newest drill of DIR's drill history (DIR is a runDirectory); or the
// run reconstructed from DIR/journal.jsonl (failover and failback journal every step).
package htmlreport

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"pcfailover/core/drill"
	"pcfailover/core/failover"
	"pcfailover/core/journal"
	"pcfailover/core/report"
)

// Run is what a report is rendered from.
type Run struct {
	// Doc is the run's report; Doc.Drill is set for drills.
	Doc *drill.Report
	// Source says where Doc came from (a file, or "journal DIR").
	Source string
	// History is the drill history (drills only), oldest first.
	History []drill.HistoryEntry
	// OtherRuns lists earlier runs found in the same journal (resumed runs).
	OtherRuns []string
}

// Load reads the run at path (a run directory or a report JSON file).
func Load(path string) (*Run, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	var run *Run
	switch {
	case !fi.IsDir():
		run, err = loadFile(path)
	case exists(filepath.Join(path, drill.ReportFileName)):
		run, err = loadFile(filepath.Join(path, drill.ReportFileName))
	case exists(filepath.Join(path, journal.JournalFile)):
		run, err = loadJournal(path)
	case exists(filepath.Join(path, drill.HistoryFileName)):
		run, err = loadLatestDrill(path)
	default:
		return nil, fmt.Errorf("report %s: no %s, %s or %s here: give a run directory (the request's runDirectory, or one of its drills/<run id> folders) or a report JSON file",
			path, drill.ReportFileName, journal.JournalFile, drill.HistoryFileName)
	}
	if err != nil {
		return nil, err
	}
	if run.Doc.Drill != nil && run.Doc.Drill.HistoryFile != "" {
		h, err := drill.ReadHistory(run.Doc.Drill.HistoryFile)
		if err != nil {
			return nil, err
		}
		run.History = h
	}
	return run, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func loadFile(p string) (*Run, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", p, err)
	}
	doc := &drill.Report{}
	if err := json.Unmarshal(b, doc); err != nil {
		return nil, fmt.Errorf("report %s: not a pcfailover report: %w", p, err)
	}
	if doc.Report == nil || doc.Command == "" {
		return nil, fmt.Errorf("report %s: not a pcfailover report (no command)", p)
	}
	return &Run{Doc: doc, Source: p}, nil
}

func loadLatestDrill(dir string) (*Run, error) {
	h, err := drill.ReadHistory(filepath.Join(dir, drill.HistoryFileName))
	if err != nil {
		return nil, err
	}
	for i := len(h) - 1; i >= 0; i-- {
		p := filepath.Join(h[i].RunDirectory, drill.ReportFileName)
		if exists(p) {
			return loadFile(p)
		}
	}
	return nil, fmt.Errorf("report %s: the drill history names no drill whose report.json still exists", dir)
}

// loadJournal rebuilds the newest run of a journal: its command, steps with status,
// duration and detail, decisions and outcome.
func loadJournal(dir string) (*Run, error) {
	recs, err := journal.Read(dir)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("report %s: the journal is empty", dir)
	}
	var order []string
	byRun := map[string][]journal.Record{}
	for _, r := range recs {
		if _, ok := byRun[r.RunID]; !ok {
			order = append(order, r.RunID)
		}
		byRun[r.RunID] = append(byRun[r.RunID], r)
	}
	last := order[len(order)-1]
	rep := &report.Report{SchemaVersion: 1, RunID: last, RunDirectory: dir, Outcome: "unfinished", Steps: []*report.Step{}, Files: []report.File{},
		Warnings:  []string{"Rebuilt from the journal (" + filepath.Join(dir, journal.JournalFile) + "): statements and files are in the report JSON the run printed."},
		NextSteps: []string{}, Errors: []report.Error{}}
	steps := map[string]*report.Step{}
	names := map[string]failover.StepSpec{}
	for _, sp := range failover.Steps() {
		names[sp.ID] = sp
	}
	for _, r := range byRun[last] {
		var m map[string]any
		_ = json.Unmarshal(r.Data, &m)
		switch r.Kind {
		case "started":
			rep.StartedAt = r.TS
			rep.Command, _ = m["command"].(string)
			rep.PoolFQDN, _ = m["pool"].(string)
			rep.Database, _ = m["database"].(string)
		case "step":
			id, _ := m["id"].(string)
			s, ok := steps[id]
			if !ok {
				s = &report.Step{ID: id, Name: id, Statements: []report.Statement{}}
				if spec, known := names[id]; known && rep.Command != "failback" {
					s.Name, s.RunbookStep = spec.Name, spec.Runbook
				}
				steps[id] = s
				rep.Steps = append(rep.Steps, s)
			}
			s.Status, _ = m["status"].(string)
			if d, ok := m["detail"].(string); ok && d != "" {
				s.Detail = d
			}
			if ms, ok := m["durationMs"].(float64); ok {
				s.DurationMs = int64(ms)
			}
			t := r.TS.Add(-time.Duration(s.DurationMs) * time.Millisecond)
			s.StartedAt = &t
		case "decision":
			b, _ := json.Marshal(m)
			rep.Warnings = append(rep.Warnings, "Decision: "+string(b))
		case "finished":
			rep.Outcome, _ = m["outcome"].(string)
			rep.ExitCode = report.ExitCode(rep.Outcome)
			rep.FinishedAt = r.TS
			if ms, ok := m["durationMs"].(float64); ok {
				rep.DurationMs = int64(ms)
			}
			if dl, ok := m["dataLoss"]; ok && dl != nil {
				b, _ := json.Marshal(dl)
				var d report.DataLoss
				if json.Unmarshal(b, &d) == nil {
					rep.DataLoss = &d
				}
			}
		}
	}
	if rep.Command == "" {
		return nil, errors.New("report " + dir + ": the journal has no start record for run " + last)
	}
	if rep.Outcome != report.OutcomeSucceeded && rep.Outcome != report.OutcomePlanned {
		failedStep := false
		for _, s := range rep.Steps {
			failedStep = failedStep || s.Status == report.StatusFailed || s.Status == report.StatusBlocked
		}
		if !failedStep {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("The run ended %s; the journal does not hold its error: render the report JSON the run printed (pcfailover %s --output json > report.json; pcfailover report --run report.json).", rep.Outcome, rep.Command))
		}
	}
	if rep.FinishedAt.IsZero() {
		rep.FinishedAt = byRun[last][len(byRun[last])-1].TS
		rep.DurationMs = rep.FinishedAt.Sub(rep.StartedAt).Milliseconds()
	}
	others := append([]string(nil), order[:len(order)-1]...)
	sort.Strings(others)
	return &Run{Doc: &drill.Report{Report: rep}, Source: "journal " + filepath.Join(dir, journal.JournalFile), OtherRuns: others}, nil
}
