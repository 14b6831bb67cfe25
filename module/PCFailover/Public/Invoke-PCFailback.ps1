function Invoke-PCFailback {
    <#
    .SYNOPSIS
    Returns a failed-over Persistent Chat pool to its primary data center with no transaction lost.

    .DESCRIPTION
    Runs `pcfailover failback` through the pcfailover binary. In order: clears the pool's
    active servers (no writer is left), ends the sessions left on the backup mgc, removes the
    backup database's mirror (Uninstall-CsMirrorDatabase), takes a full backup of the backup
    mgc and then a tail-log backup WITH NORECOVERY (nothing can write to it afterwards),
    restores both on the rebuilt primary (WITH MOVE where the file paths differ) and recovers
    it, checking that it ends at the tail-log backup's LSN; then sets the pool state to
    Normal, makes the primary data center's servers active, re-seeds the backup database as a
    log-shipping secondary (RESTORE WITH NORECOVERY or STANDBY), re-creates log shipping with
    the sp_add_log_shipping_* procedures and re-establishes the primary's mirror
    (Install-CsMirrorDatabase). Every step reads its effect back.

    It departs from Microsoft's published failback in three places, each so that no write is
    lost: the tail-log backup follows the full backup; PoolState Normal comes before the
    active servers (servers activated while the pool is FailedOver would write to the backup
    database, already copied); log shipping is re-created after the pool serves again, and
    the primary's mirror is re-established (Microsoft's procedure omits it).

    Before it changes anything it plans: with -WhatIf it runs `pcfailover failback --plan`,
    prints the plan (every step and the statements and cmdlets it would run) and changes
    nothing; interactively it shows the plan in the confirmation prompt. Scripts pass
    -Confirm:$false (or -Force). A run that stops half way is resumed by running the same
    request again: completed steps are detected and skipped.

    The request comes from a request file (-RequestPath) or a request object (-Request, or
    piped) made by New-PCFailoverRequest, whose failback parameters (-PrimarySqlInstance,
    -FailbackActiveServer, -PrimaryDataCenter, -PrimaryBackupDirectory,
    -FailbackMirrorFileShare, -SkipPrimaryMirror, -SecondaryRestoreMode) fill the request's
    failback section.

    Use the failover's run directory (the request's runDirectory): the failback reads the pre-failover log-shipping settings the failover saved there and
    shares its lock.

    .PARAMETER Credential
    A SQL login for every SQL instance of the request. The password goes to the binary on its
    standard input only: never on its command line, in a file, a report or a log.

    .PARAMETER AcceptDataLoss
    Allows overwriting a primary database of the pre-failover family (transactions it holds
    after the last shipped log backup are lost). Never implied by -Force.

    .PARAMETER RequestPath
    A request file (.json or .psd1), as New-PCFailoverRequest -OutFile saves it. Binds from
    FullName, so Get-ChildItem output can be piped.

    .PARAMETER Request
    A PCFailover.Request object, as New-PCFailoverRequest returns; binds from the pipeline:
    Import-Csv .\pools.csv | New-PCFailoverRequest | Invoke-PCFailback
    New-PCFailoverRequest declares every request field as a parameter. To change a field for
    one run, pass the request through it again:
    New-PCFailoverRequest -RequestPath .\pchat.json -SkipLync | Invoke-PCFailback

    .PARAMETER Force
    Runs without asking for confirmation (like -Confirm:$false). It never accepts data loss.

    .EXAMPLE
    Invoke-PCFailback -RequestPath C:\pcfailover\pchat-failback.json -WhatIf

    Prints the failback plan: every step, the backups and restores, the cmdlets. Changes
    nothing.

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com\pchat -PrimarySqlInstance sqlprimary.contoso.com\pchat -FailbackActiveServer pc1.contoso.com, pc2.contoso.com -FailbackMirrorFileShare \\fs01\pchatmirror | Invoke-PCFailback

    Fails the pool back after showing the plan and asking for confirmation.

    .EXAMPLE
    Invoke-PCFailback -RequestPath .\pchat-failback.json -Credential (Get-Credential sa) -Confirm:$false -Verbose

    Runs a saved failback request without a prompt, showing every statement sent.

    .EXAMPLE
    try { Invoke-PCFailback -RequestPath .\pchat-failback.json -Confirm:$false -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; $_.TargetObject.Steps | Format-Table }

    A blocked or failed run is an error: its ErrorId says why and its TargetObject is the
    report. Fix the cause and run the same request again to resume.

    .INPUTS
    PCFailover.Request (from New-PCFailoverRequest), or any object with a RequestPath or
    FullName property (Get-ChildItem output).

    .OUTPUTS
    PCFailover.Report (command failback). Nothing is output with -WhatIf.

    .NOTES
    Needs sysadmin on the backup and primary SQL instances and membership of
    RTCUniversalServerAdmins for the Lync steps. Exit codes of the binary: 0 succeeded,
    1 failed, 2 invalid request, 3 blocked by a safety check, 4 interrupted.

    .LINK
    Invoke-PCFailover

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
        $pool = [string]$requestData['poolFqdn']
        $credentialToUse = $null
        if ($PSBoundParameters.ContainsKey('Credential') -and $Credential -ne [System.Management.Automation.PSCredential]::Empty) {
            $credentialToUse = $Credential
        }

        $stepTotal = 0
        $description = "Fail Persistent Chat pool $pool back to $(ConvertTo-PCSqlInstanceText $requestData['primarySqlInstance'])"
        $query = $description + '?'
        $wouldPrompt = $WhatIfPreference -or ($ConfirmPreference -ne 'None')
        if ($wouldPrompt) {
            $planRun = Invoke-PCCore -Command 'failback-plan' -Request $requestData -Credential $credentialToUse -Activity "Planning the failback of $pool" -TypeName 'PCFailover.Plan'
            $planReport = $planRun.Report
            $planRecords = @($planRun.ErrorRecords)
            if ($planRun.ExitCode -eq 0) { $planRecords = @(New-PCBlockedStepErrorRecord -Report $planReport) }
            $blocked = ($planRun.ExitCode -eq 3) -or ($planRun.ExitCode -eq 0 -and $planRecords.Count -gt 0)
            if (($planRun.ExitCode -ne 0 -or $blocked) -and -not ($blocked -and $WhatIfPreference)) {
                # Do not ask about a failback that cannot run: say why, with the plan attached.
                Write-PCReportWarning -Report $planReport -ShownWarnings $planRun.ShownWarnings
                foreach ($record in $planRecords) {
                    if ($record.Exception.Data['IsTerminating']) { $PSCmdlet.ThrowTerminatingError($record) }
                    $PSCmdlet.WriteError($record)
                }
                return
            }
            $stepTotal = @($planReport.Steps).Count
            $planText = Format-PCPlanText -Report $planReport
            $description = "Fail Persistent Chat pool $pool back with this plan:" + [Environment]::NewLine + $planText
            $query = $planText + [Environment]::NewLine + [Environment]::NewLine + "Fail pool $pool back now?"
            if ($blocked) {
                foreach ($record in $planRecords) {
                    Write-Warning ("The failback of {0} would be blocked: {1}" -f $pool, $record.Exception.Message)
                }
            }
        }

        if (-not $PSCmdlet.ShouldProcess($description, $query, "Fail back Persistent Chat pool $pool")) {
            return
        }

        $run = Invoke-PCCore -Command 'failback' -Request $requestData -Credential $credentialToUse -Activity "Failing pool $pool back" -StepTotal $stepTotal
        if ($null -ne $run.Report -and $run.ExitCode -ne 2) {
            Write-PCReportWarning -Report $run.Report -ShownWarnings $run.ShownWarnings
            $run.Report
        }
        foreach ($record in $run.ErrorRecords) {
            if ($record.Exception.Data['IsTerminating']) { $PSCmdlet.ThrowTerminatingError($record) }
            $PSCmdlet.WriteError($record)
        }
    }
}
