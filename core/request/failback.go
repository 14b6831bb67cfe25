package request

// Failback is the failback-only part of a request (pcfailover failback, cli/CONTRACT.md):
// primarySqlInstance is then the rebuilt primary the pool returns to.
type Failback struct {
	// ActiveServers are the Persistent Chat servers made active in the primary data
	// center once the pool is Normal.
	ActiveServers []string `json:"activeServers,omitempty"`
	// PrimaryDataCenter names the primary data center in lync.dataCenters.
	PrimaryDataCenter string `json:"primaryDataCenter,omitempty"`
	// PrimaryBackupDirectory is the share as the primary's SQL Server writes to it
	// (log_shipping_primary_databases.backup_directory); default: the share.
	PrimaryBackupDirectory string `json:"primaryBackupDirectory,omitempty"`
	// MirrorFileShare is the UNC share Install-CsMirrorDatabase uses for the primary's
	// mirror; default: lync.mirrorFileShare.
	MirrorFileShare string `json:"mirrorFileShare,omitempty"`
	// SkipPrimaryMirror leaves the primary unmirrored (Install-CsMirrorDatabase not run).
	SkipPrimaryMirror bool `json:"skipPrimaryMirror,omitempty"`
	// SecondaryRestoreMode is how the re-seeded backup restores logs: "norecovery" or
	// "standby"; default: as it was before the failover (journal), else norecovery.
	SecondaryRestoreMode string `json:"secondaryRestoreMode,omitempty"`
}
