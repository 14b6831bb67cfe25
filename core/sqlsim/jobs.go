package sqlsim

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"pcfailover/core/sqlsim/hostfs"
	"pcfailover/core/sqlsim/tds"
)

type timeRef struct{ t *time.Time }

// PrimaryConfig configures log shipping on a primary: the LSBackup job backs the
// database's log up to BackupDirectory as <db>_<yyyyMMddHHmmss>.trn (UTC).
type PrimaryConfig struct {
	Database string
	// BackupDirectory is where the backup job writes (the primary's path to the share).
	BackupDirectory string
	// BackupShare is the network path secondaries copy from (msdb backup_share).
	BackupShare string
	// RetentionMinutes deletes older .trn files from BackupDirectory (0 = keep all).
	RetentionMinutes int
	// BackupJobName defaults to LSBackup_<db>.
	BackupJobName string
	MonitorServer string
	// BackupThresholdMinutes defaults to 60.
	BackupThresholdMinutes int
}

// SecondaryConfig configures log shipping on a secondary: msdb rows and the LSCopy and
// LSRestore jobs, as sp_add_log_shipping_secondary_primary/_database would.
type SecondaryConfig struct {
	PrimaryServer, PrimaryDatabase string
	// SecondaryDatabase must already exist, RESTORING or STANDBY ("initialized").
	SecondaryDatabase string
	// BackupSourceDirectory is the share; BackupDestinationDirectory the copy folder.
	BackupSourceDirectory, BackupDestinationDirectory string
	// FileRetentionMinutes: the restore job deletes restored files older than this (0 = keep).
	FileRetentionMinutes int
	// CopyJobName / RestoreJobName default to LSCopy_<primary>_<db> / LSRestore_<primary>_<db>.
	CopyJobName, RestoreJobName string
	RestoreDelayMinutes         int
	// RestoreOneFilePerRun is restore_all = 0 (the default, false, is restore_all = 1).
	RestoreOneFilePerRun bool
	// StandbyMode is restore_mode = 1 (restore WITH STANDBY); false is NORECOVERY.
	StandbyMode     bool
	DisconnectUsers bool
	MonitorServer   string
	// RestoreThresholdMinutes defaults to 45.
	RestoreThresholdMinutes int
}

// ConfigureLogShippingPrimary adds msdb log_shipping_primary_databases and monitor
// rows and an enabled backup job.
func (in *Instance) ConfigureLogShippingPrimary(cfg PrimaryConfig) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(cfg.Database)
	if d == nil {
		return fmt.Errorf("configure log shipping primary %s: %s", cfg.Database, errDBNotExist(cfg.Database).Text)
	}
	if d.RecoveryModel == "SIMPLE" {
		return fmt.Errorf("configure log shipping primary %s: recovery model is SIMPLE", cfg.Database)
	}
	for _, p := range in.msdb.Primaries {
		if eqFold(p.PrimaryDatabase, d.Name) {
			return fmt.Errorf("configure log shipping primary %s: %s", d.Name, msg(32001, 16, 1, "Log shipping is already configured for database %s.", d.Name).Text)
		}
	}
	if cfg.BackupJobName == "" {
		cfg.BackupJobName = "LSBackup_" + d.Name
	}
	if cfg.BackupThresholdMinutes == 0 {
		cfg.BackupThresholdMinutes = 60
	}
	id := uuid.New()
	j := in.addJobLocked(cfg.BackupJobName, 101, jobBackup, id, fmt.Sprintf(`"sqllogship.exe" -Backup %s -server %s`, strings.ToUpper(id.String()), in.cfg.Name))
	in.msdb.Primaries = append(in.msdb.Primaries, &lsPrimary{
		PrimaryID: id, PrimaryDatabase: d.Name, BackupDirectory: cfg.BackupDirectory, BackupShare: cfg.BackupShare,
		BackupRetentionPeriod: cfg.RetentionMinutes, BackupJobID: j.JobID, MonitorServer: cfg.MonitorServer,
	})
	in.msdb.MonitorPrimary = append(in.msdb.MonitorPrimary, &lsMonitorPrimary{
		PrimaryID: id, PrimaryServer: in.cfg.Name, PrimaryDatabase: d.Name, BackupThreshold: cfg.BackupThresholdMinutes,
	})
	return nil
}

// ConfigureLogShippingSecondary adds the secondary's msdb rows and its copy and restore jobs.
func (in *Instance) ConfigureLogShippingSecondary(cfg SecondaryConfig) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.dbLocked(cfg.SecondaryDatabase)
	if d == nil {
		return fmt.Errorf("configure log shipping secondary %s: %s", cfg.SecondaryDatabase, errDBNotExist(cfg.SecondaryDatabase).Text)
	}
	if d.State != "RESTORING" && !d.Standby {
		return fmt.Errorf("configure log shipping secondary %s: database is not initialized (not RESTORING or STANDBY)", d.Name)
	}
	if in.msdb.secondaryDB(d.Name) != nil {
		return fmt.Errorf("configure log shipping secondary %s: %s", d.Name, msg(32015, 16, 1, "The secondary database %s already exists.", d.Name).Text)
	}
	if cfg.CopyJobName == "" {
		cfg.CopyJobName = fmt.Sprintf("LSCopy_%s_%s", cfg.PrimaryServer, cfg.PrimaryDatabase)
	}
	if cfg.RestoreJobName == "" {
		cfg.RestoreJobName = fmt.Sprintf("LSRestore_%s_%s", cfg.PrimaryServer, cfg.PrimaryDatabase)
	}
	if cfg.RestoreThresholdMinutes == 0 {
		cfg.RestoreThresholdMinutes = 45
	}
	var sec *lsSecondary
	for _, s := range in.msdb.Secondaries {
		if eqFold(s.PrimaryServer, cfg.PrimaryServer) && eqFold(s.PrimaryDatabase, cfg.PrimaryDatabase) {
			sec = s
		}
	}
	if sec == nil {
		id := uuid.New()
		cj := in.addJobLocked(cfg.CopyJobName, 102, jobCopy, id, fmt.Sprintf(`"sqllogship.exe" -Copy %s -server %s`, strings.ToUpper(id.String()), in.cfg.Name))
		rj := in.addJobLocked(cfg.RestoreJobName, 103, jobRestore, id, fmt.Sprintf(`"sqllogship.exe" -Restore %s -server %s`, strings.ToUpper(id.String()), in.cfg.Name))
		sec = &lsSecondary{
			SecondaryID: id, PrimaryServer: cfg.PrimaryServer, PrimaryDatabase: cfg.PrimaryDatabase,
			BackupSourceDirectory: cfg.BackupSourceDirectory, BackupDestinationDirectory: cfg.BackupDestinationDirectory,
			FileRetentionPeriod: cfg.FileRetentionMinutes, CopyJobID: cj.JobID, RestoreJobID: rj.JobID,
			MonitorServer: cfg.MonitorServer, MonitorServerSecurityMode: true,
		}
		in.msdb.Secondaries = append(in.msdb.Secondaries, sec)
	}
	in.msdb.SecondaryDBs = append(in.msdb.SecondaryDBs, &lsSecondaryDB{
		SecondaryDatabase: d.Name, SecondaryID: sec.SecondaryID, RestoreDelay: cfg.RestoreDelayMinutes,
		RestoreAll: !cfg.RestoreOneFilePerRun, RestoreMode: cfg.StandbyMode, DisconnectUsers: cfg.DisconnectUsers,
		BlockSize: -1, BufferCount: -1, MaxTransferSize: -1,
	})
	in.msdb.MonitorSecondary = append(in.msdb.MonitorSecondary, &lsMonitorSecond{
		SecondaryServer: in.cfg.Name, SecondaryDatabase: d.Name, SecondaryID: sec.SecondaryID,
		PrimaryServer: cfg.PrimaryServer, PrimaryDatabase: cfg.PrimaryDatabase, RestoreThreshold: cfg.RestoreThresholdMinutes,
		ThresholdAlert: 14421, ThresholdAlertEnabled: true, HistoryRetention: 5760,
	})
	return nil
}

func (in *Instance) addJobLocked(name string, category int, kind jobKind, agent uuid.UUID, command string) *job {
	now := in.now()
	j := &job{JobID: uuid.New(), Name: name, Enabled: true, CategoryID: category, Kind: kind, AgentID: agent,
		DateCreated: now, DateModified: now, Version: 1, LastRunOutcome: 5, Command: command,
		Description: "No description available."}
	in.msdb.Jobs = append(in.msdb.Jobs, j)
	return j
}

// findJob resolves @job_id / @job_name as the msdb procedures do.
func (in *Instance) findJobLocked(vals map[string]any) (*job, *sqlError) {
	if v, ok := vals["@job_id"]; ok && v != nil {
		var id uuid.UUID
		switch x := v.(type) {
		case uuid.UUID:
			id = x
		default:
			u, err := uuid.Parse(valueString(v))
			if err != nil {
				return nil, errOf(msg(8169, 16, 2, "Conversion failed when converting from a character string to uniqueidentifier."))
			}
			id = u
		}
		if j := in.msdb.jobByID(id); j != nil {
			return j, nil
		}
		return nil, errOf(errJobIDNotFound(strings.ToUpper(id.String())))
	}
	if n, ok := argString(vals, "@job_name"); ok {
		if j := in.msdb.jobByName(n); j != nil {
			return j, nil
		}
		return nil, errOf(errJobNotFound(n))
	}
	return nil, errOf(msg(14294, 16, 1, "Supply either @job_id or @job_name to identify the job."))
}

func (s *session) spUpdateJob(args []procArg) (procResult, *sqlError, error) {
	vals, err := bindArgs("sp_update_job", []paramSpec{{name: "@job_id"}, {name: "@job_name"}, {name: "@new_name"},
		{name: "@enabled"}, {name: "@description"}, {name: "@start_step_id"}, {name: "@category_name"},
		{name: "@owner_login_name"}, {name: "@notify_level_eventlog"}, {name: "@delete_level"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	in := s.in
	in.mu.Lock()
	defer in.mu.Unlock()
	j, serr := in.findJobLocked(vals)
	if serr != nil {
		return procResult{status: 1}, serr, nil
	}
	if v, ok := vals["@enabled"]; ok && v != nil {
		n, ok := toInt(v)
		if !ok {
			return procResult{status: 1}, errOf(errConversion(valueString(v), "nvarchar")), nil
		}
		j.Enabled = n != 0
	}
	if n, ok := argString(vals, "@new_name"); ok {
		j.Name = n
	}
	if d, ok := argString(vals, "@description"); ok {
		j.Description = d
	}
	j.DateModified = in.now()
	j.Version++
	return procResult{}, nil, nil
}

func (s *session) spStartJob(args []procArg, o *out) (procResult, *sqlError, error) {
	vals, err := bindArgs("sp_start_job", []paramSpec{{name: "@job_name"}, {name: "@job_id"}, {name: "@error_flag"},
		{name: "@server_name"}, {name: "@step_name"}, {name: "@output_flag"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	in := s.in
	in.mu.Lock()
	j, serr := in.findJobLocked(vals)
	if serr != nil {
		in.mu.Unlock()
		return procResult{status: 1}, serr, nil
	}
	if !in.agentOnLocked() {
		in.mu.Unlock()
		return procResult{status: 1}, errOf(errAgentNotRunning()), nil
	}
	if j.Running {
		in.mu.Unlock()
		return procResult{status: 1}, errOf(errJobRunning(j.Name)), nil
	}
	name := j.Name
	in.startJobLocked(j, "user "+s.login)
	in.mu.Unlock()
	if err := o.info(info(14243, "Job '%s' started successfully.", name)); err != nil {
		return procResult{}, nil, err
	}
	return procResult{}, nil, nil
}

func (s *session) spStopJob(args []procArg, o *out) (procResult, *sqlError, error) {
	vals, err := bindArgs("sp_stop_job", []paramSpec{{name: "@job_name"}, {name: "@job_id"}, {name: "@originating_server"}, {name: "@server_name"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	in := s.in
	in.mu.Lock()
	j, serr := in.findJobLocked(vals)
	if serr != nil {
		in.mu.Unlock()
		return procResult{status: 1}, serr, nil
	}
	if !j.Running {
		in.mu.Unlock()
		return procResult{status: 1}, errOf(msg(22022, 16, 1, "SQLServerAgent Error: Request to stop job %s (from User %s) refused because the job is not currently running.", j.Name, s.login)), nil
	}
	if j.runCancel != nil {
		j.runCancel()
	}
	name := j.Name
	in.mu.Unlock()
	if err := o.info(info(0, "Job '%s' stopped successfully.", name)); err != nil {
		return procResult{}, nil, err
	}
	return procResult{}, nil, nil
}

func agentDate(t *time.Time) (int64, int64) {
	if t == nil {
		return 0, 0
	}
	return int64(t.Year()*10000 + int(t.Month())*100 + t.Day()), int64(t.Hour()*10000 + t.Minute()*100 + t.Second())
}

func (s *session) spHelpJob(args []procArg, o *out) (procResult, *sqlError, error) {
	vals, err := bindArgs("sp_help_job", []paramSpec{{name: "@job_id"}, {name: "@job_name"}, {name: "@job_aspect"},
		{name: "@job_type"}, {name: "@owner_login_name"}, {name: "@subsystem"}, {name: "@category_name"},
		{name: "@enabled"}, {name: "@execution_status"}, {name: "@date_comparator"}, {name: "@date_created"},
		{name: "@date_last_modified"}, {name: "@description"}}, args)
	if err != nil {
		return procResult{}, err, nil
	}
	in := s.in
	in.mu.Lock()
	var jobs []*job
	single := false
	if vals["@job_id"] != nil || vals["@job_name"] != nil {
		j, serr := in.findJobLocked(vals)
		if serr != nil {
			in.mu.Unlock()
			return procResult{status: 1}, serr, nil
		}
		jobs, single = []*job{j}, true
	} else {
		jobs = append(jobs, in.msdb.Jobs...)
		sort.Slice(jobs, func(a, b int) bool { return jobs[a].Name < jobs[b].Name })
	}
	var rows, steps [][]any
	for _, j := range jobs {
		status := int64(4)
		if j.Running {
			status = 1
		}
		if v, ok := vals["@enabled"]; ok && v != nil {
			if n, _ := toInt(v); (n != 0) != j.Enabled {
				continue
			}
		}
		if v, ok := vals["@execution_status"]; ok && v != nil {
			if n, _ := toInt(v); n != 0 && n != status {
				continue
			}
		}
		cat := ""
		for _, c := range jobCategories {
			if c.id == j.CategoryID {
				cat = c.name
			}
		}
		ld, lt := agentDate(j.LastRunDate)
		var step any
		if j.Running {
			step = "1 (Log shipping)"
		} else {
			step = "0 (unknown)"
		}
		rows = append(rows, []any{j.JobID, in.cfg.Name, j.Name, boolInt(j.Enabled), j.Description, int64(1), cat, "sa",
			int64(0), int64(0), int64(0), int64(0), "(unknown)", "(unknown)", "(unknown)", int64(0), j.DateCreated,
			j.DateModified, int64(j.Version), ld, lt, int64(j.LastRunOutcome), int64(0), int64(0), int64(0), status,
			step, int64(0), int64(1), int64(0), int64(1), int64(1)})
		if single {
			steps = append(steps, []any{int64(1), "Log shipping", "CmdExec", j.Command, int64(0), int64(0),
				"(quit with success)", "(quit with failure)", nil, "", int64(0), int64(0), ld, lt, int64(j.LastRunOutcome)})
		}
	}
	in.mu.Unlock()
	cols := []tds.Column{cGUID("job_id"), cStr("originating_server", 30), cStr("name", 128), cTiny("enabled"),
		cStr("description", 512), cInt("start_step_id"), cStr("category", 128), cStr("owner", 128),
		cInt("notify_level_eventlog"), cInt("notify_level_email"), cInt("notify_level_netsend"), cInt("notify_level_page"),
		cStr("notify_email_operator", 128), cStr("notify_netsend_operator", 128), cStr("notify_page_operator", 128),
		cInt("delete_level"), cDT("date_created"), cDT("date_modified"), cInt("version_number"), cInt("last_run_date"),
		cInt("last_run_time"), cInt("last_run_outcome"), cInt("next_run_date"), cInt("next_run_time"),
		cInt("next_run_schedule_id"), cInt("current_execution_status"), cStr("current_execution_step", 128),
		cInt("current_retry_attempt"), cInt("has_step"), cInt("has_schedule"), cInt("has_target"), cInt("type")}
	if err := writeResult(o, cols, rows); err != nil {
		return procResult{}, nil, err
	}
	if single {
		stepCols := []tds.Column{cInt("step_id"), cStr("step_name", 128), cStr("subsystem", 40), cStr("command", 0),
			cInt("flags"), cInt("cmdexec_success_code"), cStr("on_success_action", 50), cStr("on_fail_action", 50),
			cStr("server", 128), cStr("database_name", 128), cInt("retry_attempts"), cInt("retry_interval"),
			cInt("last_run_date"), cInt("last_run_time"), cInt("last_run_outcome")}
		if err := writeResult(o, stepCols, steps); err != nil {
			return procResult{}, nil, err
		}
	}
	return procResult{}, nil, nil
}

// ---- agent and job execution ----

func (in *Instance) agentOnLocked() bool { return in.agentRunning }

// SetAgentRunning starts or stops the simulated SQL Server Agent service: while it is
// stopped sp_start_job fails (22022) and the agent's sessions vanish from sysprocesses.
func (in *Instance) SetAgentRunning(on bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.setAgentLocked(on)
}

func (in *Instance) setAgentLocked(on bool) {
	if on == in.agentRunning {
		return
	}
	in.agentRunning = on
	if on {
		in.agentSes++
		for _, prog := range []string{"SQLAgent - Generic Refresher", "SQLAgent - Job invocation engine"} {
			s := newSession(in, in.allocSPIDLocked(), agentLogin, true)
			s.program, s.host, s.db, s.loginDB = prog, in.cfg.Host, "msdb", "msdb"
			s.agent = true
			in.sessions[s.spid] = s
		}
	} else {
		for _, s := range in.sortedSessions() {
			if s.agent {
				s.killLocked()
			}
		}
	}
	in.broadcastLocked()
}

func machineName(server string) string {
	if i := strings.IndexByte(server, '\\'); i >= 0 {
		return server[:i]
	}
	return server
}

// startJobLocked starts a job run in the background (sp_start_job, the schedule).
func (in *Instance) startJobLocked(j *job, source string) {
	ctx, cancel := context.WithCancel(in.bgCtx)
	in.beginJobLocked(j, source, cancel)
	in.bg.Add(1)
	go func() {
		defer in.bg.Done()
		defer cancel()
		in.runJobBody(ctx, j)
	}()
}

func (in *Instance) beginJobLocked(j *job, source string, cancel func()) {
	now := in.now()
	j.Running = true
	j.runCancel = cancel
	j.runDone = make(chan struct{})
	j.Activity = append(j.Activity, &jobActivity{SessionID: in.agentSes, RunRequestedDate: tp(now),
		RunRequestedSource: source, StartExecutionDate: tp(now)})
}

// RunJob runs one job synchronously, as the agent would, and returns its failure (the
// job's outcome and history are recorded either way). The agent need not be running.
func (in *Instance) RunJob(ctx context.Context, name string) error {
	in.mu.Lock()
	if in.down || in.closed {
		in.mu.Unlock()
		return fmt.Errorf("run job %s: %w", name, ErrInstanceDown)
	}
	j := in.msdb.jobByName(name)
	if j == nil {
		in.mu.Unlock()
		return fmt.Errorf("run job %s: %s", name, errJobNotFound(name).Text)
	}
	if j.Running {
		in.mu.Unlock()
		return fmt.Errorf("run job %s: %s", name, errJobRunning(name).Text)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in.beginJobLocked(j, "sqlsim RunJob", cancel)
	in.mu.Unlock()
	if err := in.runJobBody(ctx, j); err != nil {
		return fmt.Errorf("run job %s: %w", name, err)
	}
	return nil
}

// WaitJob waits until the named job is idle.
func (in *Instance) WaitJob(ctx context.Context, name string) error {
	for {
		in.mu.Lock()
		j := in.msdb.jobByName(name)
		if j == nil || !j.Running {
			in.mu.Unlock()
			return nil
		}
		done := j.runDone
		in.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// StartAgent runs every enabled log-shipping job each interval until ctx ends or the
// instance closes (the agent's schedule). It also marks the agent running.
func (in *Instance) StartAgent(ctx context.Context, interval time.Duration) {
	in.SetAgentRunning(true)
	in.bg.Add(1)
	go func() {
		defer in.bg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-in.bgCtx.Done():
				return
			case <-t.C:
			}
			in.mu.Lock()
			if in.agentRunning && !in.down {
				for _, j := range in.msdb.Jobs {
					if j.Enabled && !j.Running {
						in.startJobLocked(j, "schedule")
					}
				}
			}
			in.mu.Unlock()
		}
	}()
}

// jobSession registers the session a job step runs as (visible in the DMVs).
func (in *Instance) jobSession(j *job) *session {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := newSession(in, in.allocSPIDLocked(), agentLogin, true)
	id := j.JobID
	s.program = fmt.Sprintf("SQLAgent - TSQL JobStep (Job 0x%X : Step 1)", id[:])
	s.host = in.cfg.Host
	s.agent = true
	in.sessions[s.spid] = s
	j.runSPID = s.spid
	in.broadcastLocked()
	return s
}

// runJobBody runs the job's step and records the outcome.
func (in *Instance) runJobBody(ctx context.Context, j *job) error {
	s := in.jobSession(j)
	started := in.now()
	var err error
	switch j.Kind {
	case jobBackup:
		err = in.runBackupJob(ctx, s, j)
	case jobCopy:
		err = in.runCopyJob(ctx, s, j)
	case jobRestore:
		err = in.runRestoreJob(ctx, s, j)
	default:
		err = errors.New("job has no step")
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	s.removeLocked()
	now := in.now()
	j.Running = false
	j.runCancel = nil
	j.LastRunDate = tp(started)
	j.LastRunSeconds = int(now.Sub(started).Seconds())
	outcome, text := 1, "The job succeeded."
	if err != nil {
		outcome, text = 0, "The job failed. "+err.Error()
		if errors.Is(err, context.Canceled) {
			outcome, text = 3, "The job was stopped prior to completion."
		}
	}
	j.LastRunOutcome = outcome
	j.LastMessage = text
	in.msdb.nextJobHistoryID++
	hid := in.msdb.nextJobHistoryID
	rd, rt := agentDate(&started)
	in.msdb.JobHistory = append(in.msdb.JobHistory, &jobHistoryRow{InstanceID: hid, JobID: j.JobID, StepID: 0,
		StepName: "(Job outcome)", Message: text, RunStatus: outcome, RunDate: int(rd), RunTime: int(rt),
		RunDuration: j.LastRunSeconds, Server: in.cfg.Name})
	if n := len(j.Activity); n > 0 {
		a := j.Activity[n-1]
		a.StopExecutionDate = tp(now)
		one := 1
		a.LastExecutedStepID = &one
		a.JobHistoryID = &hid
	}
	if j.runDone != nil {
		close(j.runDone)
		j.runDone = nil
	}
	in.broadcastLocked()
	return err
}

var trnName = regexp.MustCompile(`(?i)^(.+)_(\d{14})\.trn$`)

func fileStamp(name string) (time.Time, bool) {
	m := trnName.FindStringSubmatch(sqlBase(name))
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("20060102150405", m[2], time.UTC)
	return t, err == nil
}

func (in *Instance) lsHistoryLocked(agent uuid.UUID, agentType int, db string, status int, text string) {
	now := in.now()
	in.msdb.History = append(in.msdb.History, &lsHistory{AgentID: agent, AgentType: agentType, SessionID: in.agentSes,
		DatabaseName: db, SessionStatus: status, LogTime: now, LogTimeUTC: now.UTC(), Message: text})
	if status == 3 {
		in.msdb.Errors = append(in.msdb.Errors, &lsErrorDetail{AgentID: agent, AgentType: agentType,
			SessionID: in.agentSes, DatabaseName: db, SequenceNumber: len(in.msdb.Errors) + 1, LogTime: now,
			LogTimeUTC: now.UTC(), Message: text, Source: "Microsoft.SqlServer.Management.LogShipping"})
	}
}

// runBackupJob is sqllogship -backup: BACKUP LOG to <dir>/<db>_<UTC stamp>.trn.
func (in *Instance) runBackupJob(ctx context.Context, s *session, j *job) error {
	in.mu.Lock()
	p := in.msdb.primary(j.AgentID)
	if p == nil {
		in.mu.Unlock()
		return errors.New("log shipping primary configuration not found")
	}
	db, dir, keep := p.PrimaryDatabase, p.BackupDirectory, p.BackupRetentionPeriod
	in.lsHistoryLocked(p.PrimaryID, 0, db, 0, "Starting transaction log backup.")
	now := in.now().UTC()
	in.mu.Unlock()
	name := fmt.Sprintf("%s_%s.trn", db, now.Format("20060102150405"))
	path := sqlJoin(dir, name)
	for i := 1; in.fileExistsAt(path); i++ {
		// Two backups in one second: the next second's name, as the job would on its next run.
		name = fmt.Sprintf("%s_%s.trn", db, now.Add(time.Duration(i)*time.Second).Format("20060102150405"))
		path = sqlJoin(dir, name)
	}
	_, serr := in.backup(ctx, s, backupReq{kind: "LOG", db: db, path: path, init: true}, nil)
	in.mu.Lock()
	defer in.mu.Unlock()
	if serr != nil {
		text := "*** Error: " + serr.msgs[0].Text + " ***"
		in.lsHistoryLocked(p.PrimaryID, 0, db, 3, text)
		return errors.New(text)
	}
	t := in.now()
	p.LastBackupFile, p.LastBackupDate = path, tp(t)
	if mp := in.msdb.monitorPrimary(p.PrimaryID); mp != nil {
		mp.LastBackupFile, mp.LastBackupDate, mp.LastBackupDateUTC = path, tp(t), tp(t.UTC())
	}
	in.lsHistoryLocked(p.PrimaryID, 0, db, 2, "Backed up log to "+path)
	if keep > 0 {
		in.cleanup(dir, db, t.UTC().Add(-time.Duration(keep)*time.Minute), "")
	}
	return nil
}

// jobPathError is the job history text of a folder sqllogship cannot list, as .NET
// reports it: "The network path was not found." for error 53, "The network name cannot
// be found." for 67, UnauthorizedAccessException's "Access to the path ... is denied."
// for 5, else DirectoryNotFoundException's "Could not find a part of the path" ([I]:
// texts of the .NET exceptions, not captured from sqllogship).
func jobPathError(dir string, err error) string {
	if t := jobNetError(dir, err); t != "" {
		return t
	}
	return fmt.Sprintf("*** Error: Could not find a part of the path '%s'.(mscorlib) ***", dir)
}

// jobNetError is the job history text of a path that fails with 53, 67 or 5, or "".
func jobNetError(p string, err error) string {
	var pe *hostfs.PathError
	if !errors.As(err, &pe) {
		return ""
	}
	switch pe.Code {
	case hostfs.ErrBadNetPath:
		return "*** Error: The network path was not found.(mscorlib) ***"
	case hostfs.ErrBadNetName:
		return "*** Error: The network name cannot be found.(mscorlib) ***"
	case hostfs.ErrAccessDenied:
		return fmt.Sprintf("*** Error: Access to the path '%s' is denied.(mscorlib) ***", p)
	}
	return ""
}

// jobCopyError is the job history text of a failed file copy.
func jobCopyError(src, dst string, err error) string {
	if t := jobNetError(src, err); t != "" {
		return t
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("*** Error: Could not find file '%s'.(mscorlib) ***", src)
	}
	return fmt.Sprintf("*** Error: Could not copy '%s' to '%s'.(mscorlib) ***", src, dst)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// cleanup deletes <db>_*.trn in dir stamped before cutoff (and, when upTo is set, whose
// name sorts at or before upTo).
func (in *Instance) cleanup(dir, db string, cutoff time.Time, upTo string) {
	files, err := in.lsFilesAt(dir, db)
	if err != nil {
		return
	}
	for _, f := range files {
		t, ok := fileStamp(f)
		if !ok || !t.Before(cutoff) || (upTo != "" && f > upTo) {
			continue
		}
		in.removeAt(sqlJoin(dir, f))
	}
}

// runCopyJob is sqllogship -copy: files newer than last_copied_file are copied from the
// share to the copy folder as .wrk and renamed to .trn when complete.
func (in *Instance) runCopyJob(ctx context.Context, s *session, j *job) error {
	in.mu.Lock()
	sec := in.msdb.secondary(j.AgentID)
	if sec == nil {
		in.mu.Unlock()
		return errors.New("log shipping secondary configuration not found")
	}
	src, dst, db, last, id := sec.BackupSourceDirectory, sec.BackupDestinationDirectory, sec.PrimaryDatabase, sqlBase(sec.LastCopiedFile), sec.SecondaryID
	if sec.LastCopiedFile == "" {
		last = ""
	}
	in.lsHistoryLocked(id, 1, "", 0, "Starting transaction log copy.")
	in.mu.Unlock()
	fail := func(text string) error {
		in.mu.Lock()
		in.lsHistoryLocked(id, 1, "", 3, text)
		in.mu.Unlock()
		return errors.New(text)
	}
	files, err := in.lsFilesAt(src, db)
	if err != nil {
		return fail(jobPathError(src, err))
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if last != "" && f <= last {
			continue
		}
		target := sqlJoin(dst, f)
		if !in.fileExistsAt(target) {
			if err := in.copyAt(sqlJoin(src, f), target); err != nil {
				return fail(jobCopyError(sqlJoin(src, f), target, err))
			}
		}
		in.mu.Lock()
		t := in.now()
		sec.LastCopiedFile, sec.LastCopiedDate = target, tp(t)
		for _, m := range in.msdb.MonitorSecondary {
			if m.SecondaryID == id {
				m.LastCopiedFile, m.LastCopiedDate, m.LastCopiedDateUTC = target, tp(t), tp(t.UTC())
			}
		}
		in.lsHistoryLocked(id, 1, "", 1, "Copied "+sqlJoin(src, f)+" to "+target)
		in.mu.Unlock()
	}
	in.mu.Lock()
	in.lsHistoryLocked(id, 1, "", 2, "The copy operation was successful.")
	in.mu.Unlock()
	return nil
}

// runRestoreJob is sqllogship -restore for every secondary database of the job's
// secondary id (reference §2.4): files after the last restored one, skipping those
// already covered, honouring restore_delay, restore_all, restore_mode and
// disconnect_users; then old files are deleted per file_retention_period.
func (in *Instance) runRestoreJob(ctx context.Context, s *session, j *job) error {
	in.mu.Lock()
	sec := in.msdb.secondary(j.AgentID)
	if sec == nil {
		in.mu.Unlock()
		return errors.New("log shipping secondary configuration not found")
	}
	var dbs []*lsSecondaryDB
	for _, d := range in.msdb.SecondaryDBs {
		if d.SecondaryID == sec.SecondaryID {
			dbs = append(dbs, d)
		}
	}
	dir, pdb, id, keep := sec.BackupDestinationDirectory, sec.PrimaryDatabase, sec.SecondaryID, sec.FileRetentionPeriod
	in.mu.Unlock()
	var firstErr error
	for _, sd := range dbs {
		if err := in.restoreSecondary(ctx, s, id, dir, pdb, sd); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if keep > 0 && firstErr == nil {
		in.mu.Lock()
		upTo := ""
		for _, sd := range dbs {
			if f := sqlBase(sd.LastRestoredFile); sd.LastRestoredFile != "" && (upTo == "" || f < upTo) {
				upTo = f
			}
		}
		cut := in.now().UTC().Add(-time.Duration(keep) * time.Minute)
		in.mu.Unlock()
		if upTo != "" {
			in.cleanup(dir, pdb, cut, upTo)
		}
	}
	return firstErr
}

func (in *Instance) restoreSecondary(ctx context.Context, s *session, id uuid.UUID, dir, pdb string, sd *lsSecondaryDB) error {
	in.mu.Lock()
	db := sd.SecondaryDatabase
	last := ""
	if sd.LastRestoredFile != "" {
		last = sqlBase(sd.LastRestoredFile)
	}
	delay, all, standby, disconnect := sd.RestoreDelay, sd.RestoreAll, sd.RestoreMode, sd.DisconnectUsers
	in.lsHistoryLocked(id, 2, db, 0, "Starting transaction log restore.")
	in.mu.Unlock()
	fail := func(text string) error {
		in.mu.Lock()
		in.lsHistoryLocked(id, 2, db, 3, text)
		in.mu.Unlock()
		return errors.New(text)
	}
	files, err := in.lsFilesAt(dir, pdb)
	if err != nil {
		return fail(jobPathError(dir, err))
	}
	restored := 0
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if last != "" && f <= last {
			continue
		}
		path := sqlJoin(dir, f)
		h, err := in.readHeaderAt(path)
		if err != nil {
			return fail("*** Error: " + fileErrorMessages(err, db)[0].Text + " ***")
		}
		in.mu.Lock()
		d := in.dbLocked(db)
		var redo = h.LastLSN
		if d != nil {
			redo = d.RedoStartLSN
		}
		now := in.now()
		in.mu.Unlock()
		if d == nil {
			return fail(fmt.Sprintf("*** Error: The secondary database '%s' does not exist. ***", db))
		}
		if delay > 0 && now.Sub(h.BackupFinishDate) < time.Duration(delay)*time.Minute {
			break
		}
		if h.LastLSN.Compare(redo) <= 0 {
			in.mu.Lock()
			in.lsHistoryLocked(id, 2, db, 1, fmt.Sprintf("Skipped log backup file. Secondary DB: '%s', File: '%s'", db, path))
			sd.LastRestoredFile = path
			in.mu.Unlock()
			continue
		}
		if redo.Less(h.FirstLSN) {
			return fail(fmt.Sprintf("*** Error: The file '%s' is too recent to apply to the secondary database '%s'.(Microsoft.SqlServer.Management.LogShipping) ***", path, db))
		}
		if disconnect {
			in.mu.Lock()
			for _, o := range in.sortedSessions() {
				if o.user && o != s && eqFold(o.db, db) {
					o.killLocked()
				}
			}
			in.mu.Unlock()
		}
		opts := RestoreOptions{Mode: NoRecovery}
		if standby {
			opts = RestoreOptions{Mode: Standby, StandbyFile: sqlJoin(dir, fmt.Sprintf("%s_%s.tuf", db, now.UTC().Format("20060102150405")))}
		}
		if serr := in.restore(ctx, s, restoreReq{kind: "LOG", db: db, devices: []string{path}, opts: opts, hasMode: true}, nil); serr != nil {
			return fail("*** Error: " + serr.msgs[0].Text + " ***")
		}
		in.mu.Lock()
		t := in.now()
		sd.LastRestoredFile, sd.LastRestoredDate = path, tp(t)
		if m := in.msdb.monitorSecondary(id, db); m != nil {
			lat := int(t.Sub(h.BackupFinishDate).Minutes())
			m.LastRestoredFile, m.LastRestoredDate, m.LastRestoredDateUTC, m.LastRestoredLatency = path, tp(t), tp(t.UTC()), &lat
		}
		in.lsHistoryLocked(id, 2, db, 1, fmt.Sprintf("Restored log backup file. Secondary DB: '%s', File: '%s'", db, path))
		in.mu.Unlock()
		restored++
		if !all {
			break
		}
	}
	in.mu.Lock()
	in.lsHistoryLocked(id, 2, db, 2, fmt.Sprintf("The restore operation was successful. Secondary Database: '%s', Number of log backup files restored: %d", db, restored))
	in.mu.Unlock()
	return nil
}

// keep tds imported for Column use in this file's helpers.
var _ tds.Column
