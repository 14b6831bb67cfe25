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
    filesWaitingWarning; or the parameters below).

    The result is a PCFailover.Status whose Health is ok, warning, critical or unknown and
    whose ExitCode is what `pcfailover status` exits with (0 ok, 5 warning, 6 critical,
    1 unknown), so monitoring scripts can alert on it. A warning or critical status writes a
    warning per failing check; a status that cannot be read (the instance does not answer)
    is also an error (ErrorId PCFailover.StatusUnknown). For a Prometheus textfile collector
    use the binary directly: `pcfailover status --request FILE --output prometheus`.

    .PARAMETER PoolFqdn
    The FQDN of the Persistent Chat pool.

    .PARAMETER BackupSqlInstance
    The backup SQL Server instance (server, server\instance, server,port).

    .PARAMETER Database
    The Persistent Chat database; mgc when not given.

    .PARAMETER Credential
    A SQL login. The password goes to the binary on standard input only.

    .PARAMETER Encrypt
    The connection encryption mode: disable, false, true (the default) or strict.

    .PARAMETER TrustServerCertificate
    Accepts any server certificate (lab use only).

    .PARAMETER Certificate
    A PEM file with the certificate used to verify the SQL servers.

    .PARAMETER Share
    Overrides the backup share recorded in msdb.

    .PARAMETER CopyDestination
    Overrides the copy destination folder recorded in msdb.

    .PARAMETER LyncModule
    The Lync module to import for the pool and mirror state (Lync or SkypeForBusiness);
    detected when not given.

    .PARAMETER SkipLync
    Reads only SQL Server (for a monitoring host without the Lync Server Management Shell).
    Otherwise an unreachable Lync is a warning.

    .PARAMETER RpoWarningMinutes
    Data at risk above this many minutes is a warning (default 30).

    .PARAMETER RpoCriticalMinutes
    Data at risk above this many minutes is critical (default 60).

    .PARAMETER RestoreWarningMinutes
    A last restore older than this (while files wait) is a warning (default: msdb's
    restore_threshold, else 45).

    .PARAMETER RestoreCriticalMinutes
    ... critical (default twice the warning).

    .PARAMETER FilesWaitingWarning
    More log backups than this waiting to be copied or restored is a warning (default: off).

    .PARAMETER RequestPath
    A request file (.json or .psd1).

    .PARAMETER Request
    A PCFailover.Request object.

    .EXAMPLE
    Get-PCFailoverStatus -RequestPath C:\pcfailover\pchat.psd1

    Shows the health, the data at risk, the files waiting and the last restore.

    .EXAMPLE
    (Get-PCFailoverStatus -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com).Checks | Format-Table Name, Health, Message -AutoSize

    Lists every check with its verdict.

    .EXAMPLE
    $s = Get-PCFailoverStatus -RequestPath .\pchat.json -RpoCriticalMinutes 20 -WarningAction SilentlyContinue; exit $s.ExitCode

    A monitoring script: exits 0, 5 or 6 like `pcfailover status`.

    .INPUTS
    PCFailover.Request, or objects with PoolFqdn and BackupSqlInstance, or RequestPath/FullName.

    .OUTPUTS
    PCFailover.Status.

    .LINK
    Invoke-PCFailoverDrill

    .LINK
    Get-PCFailoverPlan

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(DefaultParameterSetName = 'Parameters')]
    [OutputType('PCFailover.Status')]
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

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]$Database,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        [Alias('SqlCredential')]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [ValidateSet('disable', 'false', 'true', 'strict')]
        [string]$Encrypt,

        [switch]$TrustServerCertificate,

        [string]$Certificate,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]$Share,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]$CopyDestination,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string]$LyncModule,

        [switch]$SkipLync,

        [ValidateRange(1, 100000)][int]$RpoWarningMinutes,
        [ValidateRange(1, 100000)][int]$RpoCriticalMinutes,
        [ValidateRange(1, 100000)][int]$RestoreWarningMinutes,
        [ValidateRange(1, 100000)][int]$RestoreCriticalMinutes,
        [ValidateRange(1, 100000)][int]$FilesWaitingWarning,

        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'RequestPath')]
        [Alias('FullName', 'Path')]
        [string]$RequestPath,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'Request')]
        [PSTypeName('PCFailover.Request')]
        [psobject]$Request
    )

    process {
        $resolved = Resolve-PCRequest -ParameterSetName $PSCmdlet.ParameterSetName -BoundParameter $PSBoundParameters
        if ($null -ne $resolved.ErrorRecord) {
            $PSCmdlet.WriteError($resolved.ErrorRecord)
            return
        }
        $requestData = $resolved.Request
        $thresholds = $null
        if ($requestData.Contains('status')) { $thresholds = $requestData['status'] }
        if ($null -eq $thresholds) { $thresholds = [ordered]@{} }
        foreach ($name in @('RpoWarningMinutes', 'RpoCriticalMinutes', 'RestoreWarningMinutes', 'RestoreCriticalMinutes', 'FilesWaitingWarning')) {
            if ($PSBoundParameters.ContainsKey($name)) {
                $thresholds[$name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)] = [int]$PSBoundParameters[$name]
            }
        }
        if ($thresholds.Count -gt 0) { $requestData['status'] = $thresholds }
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
