function Test-PCFailoverReadiness {
    <#
    .SYNOPSIS
    Tells whether a Persistent Chat pool can be failed over now, and if not, why.

    .DESCRIPTION
    The preflight: runs the failover plan (read-only, like Get-PCFailoverPlan) and returns a
    PCFailover.Readiness object: Ready is $true when nothing would block the failover;
    otherwise BlockingReason lists every reason (a gap in the log chain, a damaged or missing
    log backup, another run holding the lock, an instance that does not answer, a missing
    permission...). Warnings, the recovery point and the full plan come with it.

    With -Quiet it returns only $true or $false, for scripts and monitoring. An invalid
    request is an error (PCFailover.InvalidRequest), not a "not ready".

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
    Import-Csv .\pools.csv | New-PCFailoverRequest | Test-PCFailoverReadiness
    New-PCFailoverRequest declares every request field as a parameter. To change a field for
    one run, pass the request through it again:
    New-PCFailoverRequest -RequestPath .\pchat.json -SkipLync | Test-PCFailoverReadiness

    .PARAMETER Quiet
    Returns only $true (ready) or $false (not ready).

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Test-PCFailoverReadiness

    Ready or not, with the blocking reasons and the recovery point.

    .EXAMPLE
    if (-not (Test-PCFailoverReadiness -RequestPath C:\pcfailover\pchat.psd1 -Quiet)) { Send-MailMessage -Subject 'Persistent Chat DR is not ready' ... }

    A scheduled readiness check that alerts when a failover would be blocked.

    .EXAMPLE
    Import-Csv .\pools.csv | New-PCFailoverRequest | Test-PCFailoverReadiness | Where-Object { -not $_.Ready }

    Every pool that could not be failed over right now.

    .INPUTS
    PCFailover.Request (from New-PCFailoverRequest), or any object with a RequestPath or
    FullName property (Get-ChildItem output).

    .OUTPUTS
    PCFailover.Readiness, or System.Boolean with -Quiet.

    .LINK
    Get-PCFailoverPlan

    .LINK
    Invoke-PCFailover

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(DefaultParameterSetName = 'Request')]
    [OutputType('PCFailover.Readiness', [bool])]
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

        [switch]$Quiet
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
        $run = Invoke-PCCore -Command 'plan' -Request $requestData -Credential $credentialToUse -Activity "Checking whether pool $pool can fail over" -TypeName 'PCFailover.Plan'
        foreach ($record in $run.ErrorRecords) {
            if ($record.Exception.Data['IsTerminating'] -or $run.ExitCode -eq 2) {
                if ($record.Exception.Data['IsTerminating']) { $PSCmdlet.ThrowTerminatingError($record) }
                $PSCmdlet.WriteError($record)
            }
        }
        if ($run.ExitCode -eq 2) { return }

        $readiness = ConvertTo-PCReadiness -Report $run.Report -ExitCode $run.ExitCode -PoolFqdn $pool
        if ($Quiet) {
            return $readiness.Ready
        }
        $readiness
    }
}
