package sqlsim

import (
	"time"

	"github.com/google/uuid"

	"pcfailover/core/lsn"
)

// msdbState holds msdb's log-shipping, backup-history and agent tables
// (reference sql-log-shipping.md §2.1, §3.3; lync-persistent-chat.md §3.4).
type msdbState struct {
	Primaries        []*lsPrimary         `json:"log_shipping_primary_databases"`
	MonitorPrimary   []*lsMonitorPrimary  `json:"log_shipping_monitor_primary"`
	Secondaries      []*lsSecondary       `json:"log_shipping_secondary"`
	SecondaryDBs     []*lsSecondaryDB     `json:"log_shipping_secondary_databases"`
	MonitorSecondary []*lsMonitorSecond   `json:"log_shipping_monitor_secondary"`
	History          []*lsHistory         `json:"log_shipping_monitor_history_detail"`
	Errors           []*lsErrorDetail     `json:"log_shipping_monitor_error_detail"`
	BackupSets       []*backupSetRow      `json:"backupset"`
	MediaFamilies    []*mediaFamilyRow    `json:"backupmediafamily"`
	RestoreHistory   []*restoreHistoryRow `json:"restorehistory"`
	Jobs             []*job               `json:"sysjobs"`
	JobHistory       []*jobHistoryRow     `json:"sysjobhistory"`
	nextBackupSetID  int
	nextMediaSetID   int
	nextRestoreID    int
	nextJobHistoryID int

	// PrimarySecondaries is log_shipping_primary_secondaries (logship_procs.go).
	PrimarySecondaries []*lsPrimarySecondary `json:"log_shipping_primary_secondaries"`
}

type lsPrimary struct {
	PrimaryID             uuid.UUID  `json:"primary_id"`
	PrimaryDatabase       string     `json:"primary_database"`
	BackupDirectory       string     `json:"backup_directory"`
	BackupShare           string     `json:"backup_share"`
	BackupRetentionPeriod int        `json:"backup_retention_period"`
	BackupJobID           uuid.UUID  `json:"backup_job_id"`
	MonitorServer         string     `json:"monitor_server"`
	LastBackupFile        string     `json:"last_backup_file"`
	LastBackupDate        *time.Time `json:"last_backup_date"`
}

type lsMonitorPrimary struct {
	PrimaryID         uuid.UUID  `json:"primary_id"`
	PrimaryServer     string     `json:"primary_server"`
	PrimaryDatabase   string     `json:"primary_database"`
	BackupThreshold   int        `json:"backup_threshold"`
	LastBackupFile    string     `json:"last_backup_file"`
	LastBackupDate    *time.Time `json:"last_backup_date"`
	LastBackupDateUTC *time.Time `json:"last_backup_date_utc"`
}

type lsSecondary struct {
	SecondaryID                uuid.UUID  `json:"secondary_id"`
	PrimaryServer              string     `json:"primary_server"`
	PrimaryDatabase            string     `json:"primary_database"`
	BackupSourceDirectory      string     `json:"backup_source_directory"`
	BackupDestinationDirectory string     `json:"backup_destination_directory"`
	FileRetentionPeriod        int        `json:"file_retention_period"`
	CopyJobID                  uuid.UUID  `json:"copy_job_id"`
	RestoreJobID               uuid.UUID  `json:"restore_job_id"`
	MonitorServer              string     `json:"monitor_server"`
	MonitorServerSecurityMode  bool       `json:"monitor_server_security_mode"`
	LastCopiedFile             string     `json:"last_copied_file"`
	LastCopiedDate             *time.Time `json:"last_copied_date"`
}

type lsSecondaryDB struct {
	SecondaryDatabase string     `json:"secondary_database"`
	SecondaryID       uuid.UUID  `json:"secondary_id"`
	RestoreDelay      int        `json:"restore_delay"`
	RestoreAll        bool       `json:"restore_all"`
	RestoreMode       bool       `json:"restore_mode"` // true = STANDBY
	DisconnectUsers   bool       `json:"disconnect_users"`
	BlockSize         int        `json:"block_size"`
	BufferCount       int        `json:"buffer_count"`
	MaxTransferSize   int        `json:"max_transfer_size"`
	LastRestoredFile  string     `json:"last_restored_file"`
	LastRestoredDate  *time.Time `json:"last_restored_date"`
}

type lsMonitorSecond struct {
	SecondaryServer       string     `json:"secondary_server"`
	SecondaryDatabase     string     `json:"secondary_database"`
	SecondaryID           uuid.UUID  `json:"secondary_id"`
	PrimaryServer         string     `json:"primary_server"`
	PrimaryDatabase       string     `json:"primary_database"`
	RestoreThreshold      int        `json:"restore_threshold"`
	ThresholdAlert        int        `json:"threshold_alert"`
	ThresholdAlertEnabled bool       `json:"threshold_alert_enabled"`
	LastCopiedFile        string     `json:"last_copied_file"`
	LastCopiedDate        *time.Time `json:"last_copied_date"`
	LastCopiedDateUTC     *time.Time `json:"last_copied_date_utc"`
	LastRestoredFile      string     `json:"last_restored_file"`
	LastRestoredDate      *time.Time `json:"last_restored_date"`
	LastRestoredDateUTC   *time.Time `json:"last_restored_date_utc"`
	LastRestoredLatency   *int       `json:"last_restored_latency"`
	HistoryRetention      int        `json:"history_retention_period"`
}

type lsHistory struct {
	AgentID       uuid.UUID `json:"agent_id"`
	AgentType     int       `json:"agent_type"` // 0 backup, 1 copy, 2 restore
	SessionID     int       `json:"session_id"`
	DatabaseName  string    `json:"database_name"`
	SessionStatus int       `json:"session_status"` // 0 starting, 1 running, 2 success, 3 error, 4 warning
	LogTime       time.Time `json:"log_time"`
	LogTimeUTC    time.Time `json:"log_time_utc"`
	Message       string    `json:"message"`
}

type lsErrorDetail struct {
	AgentID        uuid.UUID `json:"agent_id"`
	AgentType      int       `json:"agent_type"`
	SessionID      int       `json:"session_id"`
	DatabaseName   string    `json:"database_name"`
	SequenceNumber int       `json:"sequence_number"`
	LogTime        time.Time `json:"log_time"`
	LogTimeUTC     time.Time `json:"log_time_utc"`
	Message        string    `json:"message"`
	Source         string    `json:"source"`
}

type backupSetRow struct {
	BackupSetID        int       `json:"backup_set_id"`
	BackupSetUUID      uuid.UUID `json:"backup_set_uuid"`
	MediaSetID         int       `json:"media_set_id"`
	Type               string    `json:"type"` // D full, L log
	DatabaseName       string    `json:"database_name"`
	ServerName         string    `json:"server_name"`
	MachineName        string    `json:"machine_name"`
	FirstLSN           lsn.LSN   `json:"first_lsn"`
	LastLSN            lsn.LSN   `json:"last_lsn"`
	CheckpointLSN      lsn.LSN   `json:"checkpoint_lsn"`
	DatabaseBackupLSN  lsn.LSN   `json:"database_backup_lsn"`
	BackupStartDate    time.Time `json:"backup_start_date"`
	BackupFinishDate   time.Time `json:"backup_finish_date"`
	BackupSize         int64     `json:"backup_size"`
	IsCopyOnly         bool      `json:"is_copy_only"`
	IsDamaged          bool      `json:"is_damaged"`
	HasBackupChecksums bool      `json:"has_backup_checksums"`
	BeginsLogChain     bool      `json:"begins_log_chain"`
	FamilyGUID         uuid.UUID `json:"family_guid"`
	FirstRecoveryFork  uuid.UUID `json:"first_recovery_fork_guid"`
	LastRecoveryFork   uuid.UUID `json:"last_recovery_fork_guid"`
	RecoveryModel      string    `json:"recovery_model"`
	UserName           string    `json:"user_name"`
	DatabaseGUID       uuid.UUID `json:"database_guid"`
	ForkPointLSN       lsn.LSN   `json:"fork_point_lsn"`
}

type mediaFamilyRow struct {
	MediaSetID           int       `json:"media_set_id"`
	FamilySequenceNumber int       `json:"family_sequence_number"`
	MediaFamilyID        uuid.UUID `json:"media_family_id"`
	PhysicalDeviceName   string    `json:"physical_device_name"`
	DeviceType           int       `json:"device_type"`
}

type restoreHistoryRow struct {
	RestoreHistoryID        int       `json:"restore_history_id"`
	RestoreDate             time.Time `json:"restore_date"`
	DestinationDatabaseName string    `json:"destination_database_name"`
	UserName                string    `json:"user_name"`
	BackupSetID             int       `json:"backup_set_id"`
	RestoreType             string    `json:"restore_type"` // D, L, V
	Replace                 bool      `json:"replace"`
	Recovery                bool      `json:"recovery"`
	Restart                 bool      `json:"restart"`
	DeviceCount             int       `json:"device_count"`
}

// jobKind says what a job does when it runs.
type jobKind string

const (
	jobBackup  jobKind = "backup"
	jobCopy    jobKind = "copy"
	jobRestore jobKind = "restore"
)

type job struct {
	JobID        uuid.UUID `json:"job_id"`
	Name         string    `json:"name"`
	Enabled      bool      `json:"enabled"`
	Description  string    `json:"description"`
	CategoryID   int       `json:"category_id"`
	Kind         jobKind   `json:"kind"`
	AgentID      uuid.UUID `json:"agent_id"` // primary_id or secondary_id
	DateCreated  time.Time `json:"date_created"`
	DateModified time.Time `json:"date_modified"`
	Version      int       `json:"version_number"`
	Command      string    `json:"command"`
	// run state
	Running        bool           `json:"running"`
	LastRunOutcome int            `json:"last_run_outcome"` // 0 failed, 1 succeeded, 3 canceled, 5 unknown
	LastRunDate    *time.Time     `json:"last_run_date"`
	LastRunSeconds int            `json:"last_run_duration"`
	LastMessage    string         `json:"last_message"`
	Activity       []*jobActivity `json:"sysjobactivity"`
	runSPID        int
	runCancel      func()
	runDone        chan struct{}
}

type jobActivity struct {
	SessionID          int        `json:"session_id"`
	RunRequestedDate   *time.Time `json:"run_requested_date"`
	RunRequestedSource string     `json:"run_requested_source"`
	StartExecutionDate *time.Time `json:"start_execution_date"`
	StopExecutionDate  *time.Time `json:"stop_execution_date"`
	LastExecutedStepID *int       `json:"last_executed_step_id"`
	JobHistoryID       *int       `json:"job_history_id"`
}

type jobHistoryRow struct {
	InstanceID  int       `json:"instance_id"`
	JobID       uuid.UUID `json:"job_id"`
	StepID      int       `json:"step_id"`
	StepName    string    `json:"step_name"`
	Message     string    `json:"message"`
	RunStatus   int       `json:"run_status"`
	RunDate     int       `json:"run_date"`
	RunTime     int       `json:"run_time"`
	RunDuration int       `json:"run_duration"`
	Server      string    `json:"server"`
}

// Job categories as msdb.dbo.syscategories numbers them.
var jobCategories = []struct {
	id   int
	name string
}{
	{0, "[Uncategorized (Local)]"}, {3, "Database Maintenance"},
	{6, "Log Shipping"},
	{101, "Log Shipping Backup"}, {102, "Log Shipping Copy"}, {103, "Log Shipping Restore"}, {104, "Log Shipping Alert"},
}

func (m *msdbState) jobByID(id uuid.UUID) *job {
	for _, j := range m.Jobs {
		if j.JobID == id {
			return j
		}
	}
	return nil
}

func (m *msdbState) jobByName(name string) *job {
	for _, j := range m.Jobs {
		if eqFold(j.Name, name) {
			return j
		}
	}
	return nil
}

func (m *msdbState) secondaryDB(db string) *lsSecondaryDB {
	for _, d := range m.SecondaryDBs {
		if eqFold(d.SecondaryDatabase, db) {
			return d
		}
	}
	return nil
}

func (m *msdbState) secondary(id uuid.UUID) *lsSecondary {
	for _, s := range m.Secondaries {
		if s.SecondaryID == id {
			return s
		}
	}
	return nil
}

func (m *msdbState) monitorSecondary(id uuid.UUID, db string) *lsMonitorSecond {
	for _, r := range m.MonitorSecondary {
		if r.SecondaryID == id && eqFold(r.SecondaryDatabase, db) {
			return r
		}
	}
	return nil
}

func (m *msdbState) primary(id uuid.UUID) *lsPrimary {
	for _, p := range m.Primaries {
		if p.PrimaryID == id {
			return p
		}
	}
	return nil
}

func (m *msdbState) monitorPrimary(id uuid.UUID) *lsMonitorPrimary {
	for _, p := range m.MonitorPrimary {
		if p.PrimaryID == id {
			return p
		}
	}
	return nil
}

func tp(t time.Time) *time.Time { return &t }
