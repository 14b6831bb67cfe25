function Get-PCFailoverStatus {
    <#
    .SYNOPSIS
    Returns the log-shipping health of a Persistent Chat pool and the data at risk if the
    primary died now. Read-only.

    .DESCRIPTION
    Runs `pcfailover status` against the backup SQL instance: the last backup, copy and
    restore with their ages and the restore latency, the log backups waiting to be copied or
    restored, whether the log chain is continuous from the secondary's redo start LSN to the
    newest file, the data at risk now (the age of the newest transaction a failover could
    recover), the pool state and the mirror state when the request has a Lync section and
    Lync answers, and each check's verdict against the request's thresholds (status section:
    rpoWarningMinutes, rpoCriticalMinutes, restoreWarningMinutes, restoreCriticalMinutes,
    filesWaitingWarning; New-PCFailoverRequest sets them).

    The result is a PCFailover.Status whose Health is ok, warning, critical or unknown and
    whose ExitCode is what `pcfailover status` exits with (0 ok, 5 warning, 6 critical,
    1 unknown), so monitoring scripts can alert on it. A warning or critical status writes a
    warning per failing check; a status that cannot be read (the instance does not answer)
    is also an error (ErrorId PCFailover.StatusUnknown). For a Prometheus textfile collector
    use the binary directly: `pcfailover status --request FILE --output prometheus`.

    .PARAMETER RequestPath
    A request file (.json or .psd1). Its status section holds the thresholds; write them with
    New-PCFailoverRequest -RpoWarningMinutes, -RpoCriticalMinutes, -RestoreWarningMinutes,
    -RestoreCriticalMinutes and -FilesWaitingWarning, and -SkipLync for a monitoring host
    without the Lync Server Management Shell (otherwise an unreachable Lync is a warning).
    Binds from FullName, so Get-ChildItem output can be piped.

    .PARAMETER Request
    A PCFailover.Request object, as New-PCFailoverRequest returns (piped or given).

    .PARAMETER Credential
    A SQL login. The password goes to the binary on standard input only.

    .EXAMPLE
    Get-PCFailoverStatus -RequestPath C:\pcfailover\pchat.psd1

    Shows the health, the data at risk, the files waiting and the last restore.

    .EXAMPLE
    (New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Get-PCFailoverStatus).Checks | Format-Table Name, Health, Message -AutoSize

    Lists every check with its verdict.

    .EXAMPLE
    $s = New-PCFailoverRequest -RequestPath .\pchat.json -RpoCriticalMinutes 20 -SkipLync | Get-PCFailoverStatus -WarningAction SilentlyContinue; exit $s.ExitCode

    A monitoring script with a stricter RPO threshold for this run: exits 0, 5 or 6 like
    `pcfailover status`.

    .INPUTS
    PCFailover.Request (New-PCFailoverRequest), or objects with a RequestPath or FullName
    property (Get-ChildItem of request files).

    .OUTPUTS
    PCFailover.Status.

    .LINK
    Invoke-PCFailoverDrill

    .LINK
    Get-PCFailoverPlan

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(DefaultParameterSetName = 'Request')]
    [OutputType('PCFailover.Status')]
    param(
        # The request: a file, or a PCFailover.Request object. Its fields (the status
        # thresholds included) are parameters of New-PCFailoverRequest only.
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
        $run = Invoke-PCCoreJson -ArgumentList @('status') -Request $requestData -Credential $credentialToUse -Activity "Status of pool $pool"
        if ($run.ExitCode -eq 2 -or -not ($run.Raw -is [System.Management.Automation.PSCustomObject]) -or $null -eq (Get-PCPropertyValue $run.Raw 'health')) {
            $typed = $null
            if ($run.Raw -is [System.Management.Automation.PSCustomObject]) { $typed = ConvertTo-PCReport -InputObject $run.Raw }
            foreach ($record in @(New-PCCoreErrorRecord -ExitCode $run.ExitCode -Report $typed -Stderr $run.Stderr -PoolFqdn $pool)) {
                $PSCmdlet.WriteError($record)
            }
            return
        }
        $status = ConvertTo-PCStatus -InputObject $run.Raw
        foreach ($check in $status.Checks) {
            if ($check.Health -eq 'warning' -or $check.Health -eq 'critical') {
                Write-Warning ('{0} {1}: {2}' -f $check.Health.ToUpperInvariant(), $check.Name, $check.Message)
            }
        }
        $status
        if ($status.Health -eq 'unknown') {
            $message = "The status of pool $pool could not be read: " + ((@($status.Errors) + @($status.Checks | Where-Object { $_.Health -eq 'unknown' } | ForEach-Object { $_.Message })) -join '; ')
            $exception = New-Object System.InvalidOperationException $message
            $record = New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.StatusUnknown', [System.Management.Automation.ErrorCategory]::ConnectionError, $status)
            $record.CategoryInfo.TargetName = $pool
            $PSCmdlet.WriteError($record)
        }
    }
}
