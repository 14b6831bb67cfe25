function Invoke-PCFailover {
    <#
    .SYNOPSIS
    Fails a Persistent Chat pool over to its disaster-recovery data center.

    .DESCRIPTION
    Runs the Microsoft runbook "Failing over Persistent Chat Server" as one command, through
    the pcfailover binary: removes log shipping from the backup mgc database, copies and
    applies every remaining transaction log backup (never recovering while an applicable log
    is left or across a gap in the log chain), brings mgc online, sets the pool FailedOver,
    mirrors the new primary to the backup mirror instance and moves the active servers.

    Before it changes anything it plans: with -WhatIf it prints the plan (every step and the
    exact statements it would run) and stops; interactively it shows the plan in the
    confirmation prompt. Scripts and scheduled tasks pass -Confirm:$false (or -Force).

    The request comes from parameters, from a request file (-RequestPath, .json or .psd1, see
    New-PCFailoverRequest) or from a request object (-Request, or piped). Parameters bind from
    the pipeline by property name, so a CSV of pools can be piped in. Progress appears as it
    happens (Write-Progress), every statement sent is a verbose message, warnings are
    warnings. The result is a PCFailover.Report; a run that is blocked by a safety check or
    fails is also an error whose ErrorId is the report's error code (PCFailover.GapInLogChain,
    PCFailover.Locked, ...) with the report as its TargetObject. An interrupted run is a
    terminating error: run the same request again to resume.

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
    A SQL login for every SQL instance of the request. The password goes to the binary on its
    standard input only: never on its command line, in a file, a report or a log.

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
    Runs only the SQL Server part of the failover (runbook steps 1-4).

    .PARAMETER CopyParallelism
    How many log backups are copied at once (default 2).

    .PARAMETER HeaderParallelism
    How many backup headers are read at once (default 4).

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

    .PARAMETER Force
    Runs without asking for confirmation (like -Confirm:$false) and allows active servers
    outside the backup data center. It never accepts data loss: that takes -AcceptDataLoss.

    .EXAMPLE
    Invoke-PCFailover -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -WhatIf

    Prints the plan: every step, the log backups it would copy and apply, the statements it
    would run, the recovery point. Changes nothing.

    .EXAMPLE
    Invoke-PCFailover -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -BackupMirrorSqlInstance sqlbackupmirror.contoso.com -ActiveServer pc3.contoso.com -DataCenter @{ 'pc1.contoso.com' = 'DC1'; 'pc3.contoso.com' = 'DC2' } -BackupDataCenter DC2

    Fails the pool over after showing the plan and asking for confirmation.

    .EXAMPLE
    Invoke-PCFailover -RequestPath C:\pcfailover\pchat.psd1 -Confirm:$false -Verbose

    Runs a saved request without a prompt (as a scheduled task would), showing every
    statement sent as a verbose message.

    .EXAMPLE
    Import-Csv .\pools.csv | Invoke-PCFailover -WhatIf

    Plans the failover of every pool in the CSV (columns PoolFqdn, BackupSqlInstance and
    optionally BackupMirrorSqlInstance, ActiveServer, DataCenter, BackupDataCenter...).

    .EXAMPLE
    try { Invoke-PCFailover -RequestPath .\pchat.json -Confirm:$false -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; $_.TargetObject.Steps | Format-Table }

    A blocked or failed run is an error: its ErrorId says why (e.g.
    PCFailover.GapInLogChain) and its TargetObject is the report.

    .EXAMPLE
    Invoke-PCFailover -RequestPath .\pchat.json -Credential (Get-Credential sa) -AcceptDataLoss -Confirm:$false

    Fails over although the log chain is broken, accepting the loss that the report states.

    .INPUTS
    PCFailover.Request, or any object with PoolFqdn and BackupSqlInstance properties (a CSV
    row), or with a RequestPath/FullName property.

    .OUTPUTS
    PCFailover.Report. Its default view shows the outcome, the steps, the log backups, the
    recovery point, any data loss, warnings and next steps. Nothing is output with -WhatIf.

    .NOTES
    Needs sysadmin on the backup SQL instance and membership of RTCUniversalServerAdmins
    for the Lync steps. Exit codes of the binary: 0 succeeded, 1 failed, 2 invalid request,
    3 blocked by a safety check, 4 interrupted; see about_PCFailover.

    .LINK
    Get-PCFailoverPlan

    .LINK
    Test-PCFailoverReadiness

    .LINK
    New-PCFailoverRequest

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'Parameters')]
    [OutputType('PCFailover.Report')]
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

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'RequestPath')]
        [Alias('FullName', 'Path')]
        [string]$RequestPath,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Request')]
        [PSTypeName('PCFailover.Request')]
        [psobject]$Request,

        [switch]$Force
    )

    begin {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
    }

    process {
        $resolved = Resolve-PCRequest -ParameterSetName $PSCmdlet.ParameterSetName -BoundParameter $PSBoundParameters
        if ($null -ne $resolved.ErrorRecord) {
            $PSCmdlet.WriteError($resolved.ErrorRecord)
            return
        }
        $requestData = $resolved.Request
        if ($Force -and $requestData.Contains('lync') -and $null -ne $requestData['lync']) {
            # The one safety check -Force overrides: it cannot lose data (never -AcceptDataLoss).
            $requestData['lync']['allowCrossDataCenter'] = $true
        }
        $pool = [string]$requestData['poolFqdn']
        $credentialToUse = $null
        if ($PSBoundParameters.ContainsKey('Credential') -and $Credential -ne [System.Management.Automation.PSCredential]::Empty) {
            $credentialToUse = $Credential
        }

        $stepTotal = 0
        $description = "Fail over Persistent Chat pool $pool to $(ConvertTo-PCSqlInstanceText $requestData['backupSqlInstance'])"
        $query = $description + '?'
        $planReport = $null
        $wouldPrompt = $WhatIfPreference -or ($ConfirmPreference -ne 'None')
        if ($wouldPrompt) {
            $planRun = Invoke-PCCore -Command 'plan' -Request $requestData -Credential $credentialToUse -Activity "Planning the failover of $pool" -TypeName 'PCFailover.Plan'
            $planReport = $planRun.Report
            $planRecords = @($planRun.ErrorRecords)
            if ($planRun.ExitCode -eq 0) { $planRecords = @(New-PCBlockedStepErrorRecord -Report $planReport) }
            $blocked = ($planRun.ExitCode -eq 3) -or ($planRun.ExitCode -eq 0 -and $planRecords.Count -gt 0)
            if (($planRun.ExitCode -ne 0 -or $blocked) -and -not ($blocked -and $WhatIfPreference)) {
                # Do not ask about a failover that cannot run: say why, with the plan attached.
                Write-PCReportWarning -Report $planReport -ShownWarnings $planRun.ShownWarnings
                foreach ($record in $planRecords) {
                    if ($record.Exception.Data['IsTerminating']) { $PSCmdlet.ThrowTerminatingError($record) }
                    $PSCmdlet.WriteError($record)
                }
                return
            }
            $stepTotal = @($planReport.Steps).Count
            $planText = Format-PCPlanText -Report $planReport
            $description = "Fail over Persistent Chat pool $pool with this plan:" + [Environment]::NewLine + $planText
            $query = $planText + [Environment]::NewLine + [Environment]::NewLine + "Fail over pool $pool now?"
            if ($blocked) {
                foreach ($record in $planRecords) {
                    Write-Warning ("The failover of {0} would be blocked: {1}" -f $pool, $record.Exception.Message)
                }
            }
        }

        if (-not $PSCmdlet.ShouldProcess($description, $query, "Fail over Persistent Chat pool $pool")) {
            return
        }

        $run = Invoke-PCCore -Command 'failover' -Request $requestData -Credential $credentialToUse -Activity "Failing over pool $pool" -StepTotal $stepTotal
        if ($null -ne $run.Report -and $run.ExitCode -ne 2) {
            # An invalid request is not a run: its errors say everything, no report is output.
            Write-PCReportWarning -Report $run.Report -ShownWarnings $run.ShownWarnings
            $run.Report
        }
        foreach ($record in $run.ErrorRecords) {
            if ($record.Exception.Data['IsTerminating']) { $PSCmdlet.ThrowTerminatingError($record) }
            $PSCmdlet.WriteError($record)
        }
    }
}
