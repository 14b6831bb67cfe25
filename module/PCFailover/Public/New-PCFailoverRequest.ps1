function New-PCFailoverRequest {
    <#
    .SYNOPSIS
    Builds a failover request from parameters, a .psd1 file or a JSON file, and saves it.

    .DESCRIPTION
    Returns a PCFailover.Request object: the request of cli/CONTRACT.md (schemaVersion 1),
    with the field names of the JSON format, ready to pipe to Invoke-PCFailover,
    Invoke-PCFailback, Get-PCFailoverPlan, Test-PCFailoverReadiness, Invoke-PCFailoverDrill or
    Get-PCFailoverStatus, and saved with -OutFile as .json or .psd1.

    This is the one command whose parameters are the request's fields: the others take the
    request from -RequestPath, -Request or the pipeline. Parameters bind from the pipeline by
    property name, so a CSV of pools becomes one request per row:
    Import-Csv .\pools.csv | New-PCFailoverRequest | Invoke-PCFailover -WhatIf

    The request can start from a file (-RequestPath): a .psd1 (a PowerShell data file, a
    single hashtable; read without running any code, also on Windows PowerShell 3.0 and 4.0
    where Import-PowerShellDataFile does not exist) or a .json file. Field names match
    case-insensitively, so PoolFqdn and poolFqdn are the same; a SQL instance may be written
    'server\instance,port'. Parameters given alongside a file override its fields, so one file
    can be converted or adjusted (New-PCFailoverRequest -RequestPath a.psd1 -OutFile a.json).

    The request is checked before it is returned: a missing pool or backup instance, an
    unknown field, a value of the wrong kind or a password field is an error with ErrorId
    PCFailover.InvalidRequest that lists every problem and its fix. (The binary validates the
    request again, against the JSON Schema that `pcfailover schema` prints.)

    A request never holds a password. -Credential here only records the SQL login's user
    name (auth sql); pass -Credential again to Invoke-PCFailover, or name an environment
    variable in passwordEnv.

    .PARAMETER PoolFqdn
    The FQDN of the Persistent Chat pool (for example pchat.contoso.com).

    .PARAMETER BackupSqlInstance
    The backup SQL Server instance: the log-shipping secondary of mgc in the DR data center,
    written server, server\instance, server,port or server\instance,port.

    .PARAMETER Database
    The Persistent Chat database; mgc when not given.

    .PARAMETER PrimarySqlInstance
    The old primary instance. When it still answers, a tail-log backup is taken first, which
    is the difference between zero and some data loss.

    .PARAMETER BackupMirrorSqlInstance
    The instance that becomes the mirror of the new primary (runbook step 6).

    .PARAMETER Credential
    A SQL login for every SQL instance of the request: only its user name is recorded (auth
    sql). The password is never saved.

    .PARAMETER Encrypt
    The connection encryption mode: disable, false, true (the default) or strict.

    .PARAMETER TrustServerCertificate
    Accepts any server certificate (lab use only).

    .PARAMETER Certificate
    A PEM file with the certificate used to verify the SQL servers.

    .PARAMETER Share
    Overrides the backup share recorded in msdb's log-shipping tables.

    .PARAMETER CopyDestination
    Overrides the copy destination folder recorded in msdb's log-shipping tables.

    .PARAMETER RunDirectory
    Where the run's lock, journal and report live. Defaults to
    %ProgramData%\pcfailover\runs\<pool fqdn>.

    .PARAMETER PathMap
    How this machine reaches the folders SQL Server names (request field pathMap): keys are
    path prefixes as SQL Server names them (a drive path of the SQL host such as E:\LSCopy, or
    a UNC path), values the same place as this machine reaches it, for example
    @{ 'E:\LSCopy' = '\\SQLPCBAK\E$\LSCopy' }. Also accepted: objects with From and To
    properties (a pathMap read from a file, or built in a pipeline), or the text
    'E:\LSCopy=\\SQLPCBAK\E$\LSCopy;...' (a CSV column). The longest matching prefix wins,
    compared case-insensitively. Not covered by the map, a drive path of a SQL host is reached
    through its administrative share (\\HOST\E$\...) and a UNC path as it is, on Windows
    only. The binary checks each path (`pcfailover schema`); a folder it cannot reach stops a
    failover before any change (ErrorId PCFailover.PathUnreachable).

    .PARAMETER LyncModule
    The Lync module to import (Lync or SkypeForBusiness); detected when not given.

    .PARAMETER ActiveServer
    The Persistent Chat servers to make active after the failover (runbook step 7).

    .PARAMETER DataCenter
    Which data center each Persistent Chat server is in: a hashtable
    @{ 'pc1.contoso.com' = 'DC1'; 'pc3.contoso.com' = 'DC2' } or the text
    'pc1.contoso.com=DC1;pc3.contoso.com=DC2' (as in a CSV column).

    .PARAMETER BackupDataCenter
    The name of the DR data center, as used in -DataCenter.

    .PARAMETER AllowCrossDataCenter
    Allows active servers outside the backup data center.

    .PARAMETER MirrorFileShare
    The UNC share (\\server\share) Install-CsMirrorDatabase exports the new primary through to
    its mirror (runbook step 6; request field lync.mirrorFileShare). The SQL Server service
    accounts of the backup and backup mirror instances must read and write it. Defaults to
    the log-shipping share when that is a UNC path.

    .PARAMETER SkipLync
    Runs only the SQL Server part of the failover (runbook steps 1-4), or of the failback
    (clear the active servers yourself first).

    .PARAMETER FailbackActiveServer
    The Persistent Chat servers of the primary data center to make active once a failback
    has set the pool Normal (request field failback.activeServers).

    .PARAMETER PrimaryDataCenter
    The name of the primary data center, as used in -DataCenter (failback.primaryDataCenter).

    .PARAMETER PrimaryBackupDirectory
    The share as the primary's SQL Server writes log backups to it after a failback; by
    default -Share (failback.primaryBackupDirectory).

    .PARAMETER FailbackMirrorFileShare
    The UNC share (\\server\share) Install-CsMirrorDatabase uses to mirror the primary after a
    failback (failback.mirrorFileShare; default lync.mirrorFileShare).

    .PARAMETER SkipPrimaryMirror
    Leaves the primary database unmirrored after a failback (failback.skipPrimaryMirror).

    .PARAMETER SecondaryRestoreMode
    How the re-seeded backup database restores log backups after a failback: norecovery or
    standby; by default as before the failover (failback.secondaryRestoreMode).

    .PARAMETER FullBackup
    The full backup a DR drill starts from, as the backup SQL Server names it (for example
    \\SQLPCPRI\LogShip\mgc_full.bak; drill.fullBackup). Default: the newest full backup of the
    database in the share or copy folder whose log chain continues.

    .PARAMETER ScratchDirectory
    The folder on the backup SQL Server for the drill copy's files (WITH MOVE), as that server
    names it, for example E:\DrillScratch (drill.scratchDirectory). Default: the folder of the
    backup database's own files.

    .PARAMETER SkipCheckDb
    Makes the DR drill skip DBCC CHECKDB, which reads the whole copy (drill.skipCheckDb).

    .PARAMETER DrillHistoryFile
    The drill history (JSON lines) on this machine (drill.historyFile). Default:
    drill-history.jsonl in the run directory.

    .PARAMETER RpoWarningMinutes
    Get-PCFailoverStatus: data at risk above this many minutes is a warning (default 30;
    status.rpoWarningMinutes).

    .PARAMETER RpoCriticalMinutes
    Get-PCFailoverStatus: data at risk above this many minutes is critical (default 60).

    .PARAMETER RestoreWarningMinutes
    Get-PCFailoverStatus: a last restore older than this while files wait is a warning
    (default: msdb's restore_threshold, else 45).

    .PARAMETER RestoreCriticalMinutes
    Get-PCFailoverStatus: ... critical (default twice the warning).

    .PARAMETER FilesWaitingWarning
    Get-PCFailoverStatus: more log backups than this waiting to be copied or restored is a
    warning (default: off).

    .PARAMETER CopyParallelism
    How many log backups are copied at once (default 2).

    .PARAMETER HeaderParallelism
    How many batches of backup headers are read at once (default 8).

    .PARAMETER KillRetries
    How many times sessions are ended and RESTORE WITH RECOVERY retried (default 5).

    .PARAMETER AcceptDataLoss
    Allows recovering the database at a gap in the log chain (or before a damaged backup).
    The report then states exactly which LSN range and time span is lost. Never implied by
    -Force, never read from the pipeline.

    .PARAMETER RequestPath
    A request file (.json or .psd1). Binds from FullName, so Get-ChildItem output can be piped.

    .PARAMETER Request
    A PCFailover.Request object, as New-PCFailoverRequest returns.


    .PARAMETER OutFile
    Saves the request to this file: .json (UTF-8, as the binary reads it) or .psd1.

    .PARAMETER Force
    Overwrites -OutFile when it exists.

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -BackupMirrorSqlInstance sqlbackupmirror.contoso.com -ActiveServer pc3.contoso.com, pc4.contoso.com -DataCenter @{ 'pc1.contoso.com' = 'DC1'; 'pc3.contoso.com' = 'DC2'; 'pc4.contoso.com' = 'DC2' } -BackupDataCenter DC2 -OutFile C:\pcfailover\pchat.psd1

    Writes the request for a pool once, so that the 3 a.m. command is just
    Invoke-PCFailover -RequestPath C:\pcfailover\pchat.psd1.

    .EXAMPLE
    New-PCFailoverRequest -RequestPath .\pchat.psd1 -OutFile .\pchat.json

    Converts a .psd1 request into the JSON the binary reads (pcfailover plan --request pchat.json).

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance 'sqlbackup\PCHAT,14331' | Invoke-PCFailover -WhatIf

    Builds a request in memory and pipes it to the failover's what-if.

    .EXAMPLE
    Import-Csv .\pools.csv | New-PCFailoverRequest | Invoke-PCFailover -WhatIf

    A request object per CSV row (columns named like the parameters), each planned.

    .EXAMPLE
    New-PCFailoverRequest -RequestPath .\pchat.json -SkipLync | Get-PCFailoverPlan

    Changes one field of a saved request for one run: here the plan of the SQL Server
    steps only.

    .EXAMPLE
    New-PCFailoverRequest -RequestPath .\pchat.json -PathMap @{ 'E:\LSCopy' = '\\SQLPCBAK\E$\LSCopy'; '\\SQLPCPRI\LogShip' = '\\SQLPCPRI.contoso.com\LogShip' } -OutFile .\pchat.json -Force

    Records how this Persistent Chat server reaches the copy folder that msdb names as the
    backup SQL Server's E:\LSCopy (through its administrative share) and the log-shipping share.

    .EXAMPLE
    New-PCFailoverRequest -RequestPath .\pchat.json -PrimarySqlInstance sqlprimary.contoso.com -FailbackActiveServer pc1.contoso.com -PrimaryDataCenter DC1 -OutFile .\pchat-failback.json

    Adds the failback section to a saved failover request, for Invoke-PCFailback.

    .INPUTS
    PCFailover.Request, or any object with PoolFqdn and BackupSqlInstance properties (a CSV
    row), or with a RequestPath/FullName property.

    .OUTPUTS
    PCFailover.Request

    .LINK
    Invoke-PCFailover

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Parameters')]
    [OutputType('PCFailover.Request')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [Alias('Pool', 'Fqdn')]
        [string]$PoolFqdn,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [Alias('BackupSql')]
        [string]$BackupSqlInstance,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$Database,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$PrimarySqlInstance,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$BackupMirrorSqlInstance,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        [Alias('SqlCredential')]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [ValidateSet('disable', 'false', 'true', 'strict')]
        [string]$Encrypt,

        [switch]$TrustServerCertificate,

        [string]$Certificate,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$Share,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$CopyDestination,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$RunDirectory,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [object]$PathMap,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$LyncModule,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [Alias('ActiveServers')]
        [string[]]$ActiveServer,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [Alias('DataCenters')]
        [object]$DataCenter,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$BackupDataCenter,

        [switch]$AllowCrossDataCenter,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$MirrorFileShare,

        [switch]$SkipLync,

        # The failback section (Invoke-PCFailback).
        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string[]]$FailbackActiveServer,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$PrimaryDataCenter,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$PrimaryBackupDirectory,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$FailbackMirrorFileShare,

        [switch]$SkipPrimaryMirror,

        [ValidateSet('norecovery', 'standby')]
        [string]$SecondaryRestoreMode,

        # The drill section (Invoke-PCFailoverDrill).
        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$FullBackup,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$ScratchDirectory,

        [switch]$SkipCheckDb,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [string]$DrillHistoryFile,

        # The status section (Get-PCFailoverStatus thresholds).
        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$RpoWarningMinutes,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$RpoCriticalMinutes,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$RestoreWarningMinutes,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$RestoreCriticalMinutes,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$FilesWaitingWarning,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$CopyParallelism,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$HeaderParallelism,

        [Parameter(ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Parameters')]
        [Parameter(ParameterSetName = 'RequestPath')]
        [Parameter(ParameterSetName = 'Request')]
        [int]$KillRetries,

        [switch]$AcceptDataLoss,

        # New request fields are declared here, and only here (no other command repeats them):
        # add the parameter above (ValueFromPipelineByPropertyName in set Parameters, plain in
        # RequestPath and Request), its .PARAMETER help, and its mapping to the request field in
        # Set-PCRequestParameter (Private/Request.ps1), and its kind in Get-PCRequestSchema.

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'RequestPath')]
        [Alias('FullName', 'Path')]
        [string]$RequestPath,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Request')]
        [PSTypeName('PCFailover.Request')]
        [psobject]$Request,

        [string]$OutFile,

        [switch]$Force
    )

    process {
        $resolved = Resolve-PCRequest -ParameterSetName $PSCmdlet.ParameterSetName -BoundParameter $PSBoundParameters
        if ($null -ne $resolved.ErrorRecord) {
            $PSCmdlet.WriteError($resolved.ErrorRecord)
            return
        }
        $requestData = $resolved.Request
        if ($OutFile) {
            $path = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
            $extension = [System.IO.Path]::GetExtension($path).ToLowerInvariant()
            if ($extension -ne '.json' -and $extension -ne '.psd1') {
                $exception = New-Object System.ArgumentException "The request file '$path' must end in .json or .psd1."
                $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.InvalidRequestFileName', [System.Management.Automation.ErrorCategory]::InvalidArgument, $path)))
                return
            }
            if ((Test-Path -LiteralPath $path) -and -not $Force) {
                $exception = New-Object System.IO.IOException "The request file '$path' exists. Use -Force to overwrite it."
                $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.RequestFileExists', [System.Management.Automation.ErrorCategory]::ResourceExists, $path)))
                return
            }
            if ($PSCmdlet.ShouldProcess($path, "Save the failover request of pool $($requestData['poolFqdn'])")) {
                $directory = [System.IO.Path]::GetDirectoryName($path)
                if ($directory -and -not (Test-Path -LiteralPath $directory)) {
                    $null = New-Item -ItemType Directory -Path $directory -Force
                }
                Save-PCRequestFile -Request $requestData -Path $path
            }
        }
        ConvertTo-PCRequestObject -Request $requestData
    }
}
