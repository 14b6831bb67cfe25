function Invoke-PCFailoverDrill {
    <#
    .SYNOPSIS
    Runs a non-destructive DR drill of a Persistent Chat pool: proves the backups restore,
    and measures RTO and RPO, without touching production.

    .DESCRIPTION
    Runs `pcfailover drill`: on the backup SQL instance it restores the primary's newest full
    backup (found in the log-shipping share or copy folder, or given with -FullBackup) and every
    log backup that continues it, as a scratch database mgc_drill_<UTC stamp> WITH MOVE to a
    scratch folder; recovers it; runs DBCC CHECKDB and a sanity query; measures the time of
    every phase (RTO) and the age of the newest recovered transaction (RPO); drops the copy;
    and appends one line to the drill history (drill-history.jsonl in the run directory).

    It never touches mgc, the log-shipping jobs and tables, or Lync: it only reads them. The
    one trace is SQL Server's own msdb restore history of the scratch copy. A drill refuses to
    start while a failover or failback holds the pool's run lock.

    The result is a PCFailover.DrillReport (a PCFailover.Report with the drill's figures: Rto,
    FailoverRestore, Rpo, RecoveryPoint, LogsApplied, CheckDb, Phases). A drill that finds a
    problem (a gap in the log chain, a damaged backup, a CHECKDB error) still outputs its
    report and also writes an error whose ErrorId is the report's error code
    (PCFailover.GapInLogChain, PCFailover.DamagedBackup, ...).

    .PARAMETER RequestPath
    A request file (.json or .psd1). Its drill section (fullBackup, scratchDirectory,
    skipCheckDb, historyFile) sets the drill's choices; New-PCFailoverRequest -FullBackup,
    -ScratchDirectory, -SkipCheckDb and -DrillHistoryFile write them. Binds from FullName, so
    Get-ChildItem output can be piped.

    .PARAMETER Request
    A PCFailover.Request object, as New-PCFailoverRequest returns (piped or given).

    .PARAMETER Credential
    A SQL login for the SQL instances. The password goes to the binary on standard input only.

    .EXAMPLE
    Invoke-PCFailoverDrill -RequestPath C:\pcfailover\pchat.psd1

    Runs a drill with the saved request and returns its report: RTO, RPO, log backups
    applied, DBCC CHECKDB result.

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -ScratchDirectory 'E:\DrillScratch' | Invoke-PCFailoverDrill -WhatIf

    Says what a drill restoring into E:\DrillScratch of the backup SQL Server would do, and
    does nothing. The drill's choices are request fields, set on New-PCFailoverRequest.

    .EXAMPLE
    $r = Invoke-PCFailoverDrill -RequestPath .\pchat.json -ErrorAction SilentlyContinue; $r.Phases | Format-Table; '{0:N1} s RTO, {1:N0} min RPO' -f $r.Rto.TotalSeconds, $r.Rpo.TotalMinutes

    Shows the time of each phase and the headline figures.

    .INPUTS
    PCFailover.Request (New-PCFailoverRequest), or any object with a RequestPath or FullName
    property (Get-ChildItem of request files).

    .OUTPUTS
    PCFailover.DrillReport.

    .NOTES
    Needs sysadmin (or dbcreator plus msdb read) on the backup SQL instance, and free disk in
    the scratch folder equal to the size of mgc. To run drills on a schedule, see
    Register-PCFailoverDrill. Exit codes of the binary: 0 succeeded, 1 failed, 2 invalid
    request, 3 blocked, 4 interrupted.

    .LINK
    Register-PCFailoverDrill

    .LINK
    Get-PCFailoverStatus

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Request')]
    [OutputType('PCFailover.DrillReport')]
    param(
        # The request: a file, or a PCFailover.Request object. Its fields (the drill section
        # included) are parameters of New-PCFailoverRequest only.
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'RequestPath')]
        [Alias('FullName', 'Path')]
        [string]$RequestPath,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Request')]
        [PSTypeName('PCFailover.Request')]
        [psobject]$Request,

        # Per-run settings, not request fields.
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        [Alias('SqlCredential')]
        $Credential = [System.Management.Automation.PSCredential]::Empty
    )

    process {
        $resolved = Resolve-PCRequest -ParameterSetName $PSCmdlet.ParameterSetName -BoundParameter $PSBoundParameters
        if ($null -ne $resolved.ErrorRecord) {
            $PSCmdlet.WriteError($resolved.ErrorRecord)
            return
        }
        $requestData = $resolved.Request
        $pool = [string]$requestData['poolFqdn']
        $credentialToUse = $null
        if ($PSBoundParameters.ContainsKey('Credential') -and $Credential -ne [System.Management.Automation.PSCredential]::Empty) {
            $credentialToUse = $Credential
        }
        $target = "backup SQL instance $(ConvertTo-PCSqlInstanceText $requestData['backupSqlInstance'])"
        $databaseName = 'mgc'
        if ($requestData.Contains('database') -and $requestData['database']) { $databaseName = [string]$requestData['database'] }
        $action = "Restore a scratch copy of $databaseName for a DR drill of pool $pool, check it, and drop it"
        if (-not $PSCmdlet.ShouldProcess($target, $action)) {
            return
        }
        $run = Invoke-PCCoreJson -ArgumentList @('drill') -Request $requestData -Credential $credentialToUse -Activity "DR drill of pool $pool" -Events
        $report = $null
        if ($run.Raw -is [System.Management.Automation.PSCustomObject] -and $null -ne (Get-PCPropertyValue $run.Raw 'runId')) {
            $report = ConvertTo-PCDrillReport -InputObject $run.Raw
        }
        $typedForErrors = $report
        if ($null -eq $report -and $run.ExitCode -eq 2 -and $run.Raw -is [System.Management.Automation.PSCustomObject]) {
            $typedForErrors = ConvertTo-PCReport -InputObject $run.Raw
        }
        if ($null -ne $report) {
            Write-PCReportWarning -Report $report -ShownWarnings $run.ShownWarnings
            $report
        }
        foreach ($record in @(New-PCCoreErrorRecord -ExitCode $run.ExitCode -Report $typedForErrors -Stderr $run.Stderr -PoolFqdn $pool)) {
            if ($record.Exception.Data['IsTerminating']) { $PSCmdlet.ThrowTerminatingError($record) }
            $PSCmdlet.WriteError($record)
        }
    }
}
