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

    The request comes from a request file (-RequestPath, .json or .psd1) or a request object
    (-Request, or piped), both made by New-PCFailoverRequest, the one command that takes the
    request's fields as parameters; a CSV of pools goes through it
    (Import-Csv .\pools.csv | New-PCFailoverRequest | Invoke-PCFailover). Progress appears as it
    happens (Write-Progress), every statement sent is a verbose message, warnings are
    warnings. The result is a PCFailover.Report; a run that is blocked by a safety check or
    fails is also an error whose ErrorId is the report's error code (PCFailover.GapInLogChain,
    PCFailover.Locked, ...) with the report as its TargetObject. An interrupted run is a
    terminating error: run the same request again to resume.

    .PARAMETER Credential
    A SQL login for every SQL instance of the request. The password goes to the binary on its
    standard input only: never on its command line, in a file, a report or a log.

    .PARAMETER AcceptDataLoss
    Allows recovering the database at a gap in the log chain (or before a damaged backup).
    The report then states exactly which LSN range and time span is lost. Never implied by
    -Force, never read from the pipeline.

    .PARAMETER RequestPath
    A request file (.json or .psd1), as New-PCFailoverRequest -OutFile saves it. Binds from
    FullName, so Get-ChildItem output can be piped.

    .PARAMETER Request
    A PCFailover.Request object, as New-PCFailoverRequest returns; binds from the pipeline:
    Import-Csv .\pools.csv | New-PCFailoverRequest | Invoke-PCFailover
    New-PCFailoverRequest declares every request field as a parameter. To change a field for
    one run, pass the request through it again:
    New-PCFailoverRequest -RequestPath .\pchat.json -SkipLync | Invoke-PCFailover

    .PARAMETER Force
    Runs without asking for confirmation (like -Confirm:$false) and allows active servers
    outside the backup data center. It never accepts data loss: that takes -AcceptDataLoss.

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Invoke-PCFailover -WhatIf

    Prints the plan: every step, the log backups it would copy and apply, the statements it
    would run, the recovery point. Changes nothing.

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -BackupMirrorSqlInstance sqlbackupmirror.contoso.com -ActiveServer pc3.contoso.com -DataCenter @{ 'pc1.contoso.com' = 'DC1'; 'pc3.contoso.com' = 'DC2' } -BackupDataCenter DC2 | Invoke-PCFailover

    Fails the pool over after showing the plan and asking for confirmation.

    .EXAMPLE
    Invoke-PCFailover -RequestPath C:\pcfailover\pchat.psd1 -Confirm:$false -Verbose

    Runs a saved request without a prompt (as a scheduled task would), showing every
    statement sent as a verbose message.

    .EXAMPLE
    Import-Csv .\pools.csv | New-PCFailoverRequest | Invoke-PCFailover -WhatIf

    Plans the failover of every pool in the CSV (columns named like New-PCFailoverRequest's
    parameters: PoolFqdn, BackupSqlInstance and optionally BackupMirrorSqlInstance,
    ActiveServer, DataCenter, BackupDataCenter...).

    .EXAMPLE
    try { Invoke-PCFailover -RequestPath .\pchat.json -Confirm:$false -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; $_.TargetObject.Steps | Format-Table }

    A blocked or failed run is an error: its ErrorId says why (e.g.
    PCFailover.GapInLogChain) and its TargetObject is the report.

    .EXAMPLE
    Invoke-PCFailover -RequestPath .\pchat.json -Credential (Get-Credential sa) -AcceptDataLoss -Confirm:$false

    Fails over although the log chain is broken, accepting the loss that the report states.

    .INPUTS
    PCFailover.Request (from New-PCFailoverRequest), or any object with a RequestPath or
    FullName property (Get-ChildItem output).

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
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'Request')]
    [OutputType('PCFailover.Report')]
    param(
        # The request: a file, or a PCFailover.Request object. Its fields are parameters of
        # New-PCFailoverRequest only (one place: a new request field is added there).
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
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [switch]$AcceptDataLoss,

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
