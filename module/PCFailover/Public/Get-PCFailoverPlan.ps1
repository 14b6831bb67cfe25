function Get-PCFailoverPlan {
    <#
    .SYNOPSIS
    Returns the failover plan of a Persistent Chat pool, changing nothing.

    .DESCRIPTION
    Runs `pcfailover plan`: the same discovery and planning that Invoke-PCFailover runs before
    it acts (backup database state, the msdb log-shipping configuration, the log backups on the
    share and in the copy folder, their headers and LSN chain, the Lync pool state), without
    changing anything. Returns a PCFailover.Plan object (a PCFailover.Report whose outcome is
    'planned'): its Steps are PCFailover.Step objects (status planned, already-done, skipped or
    blocked, each with the exact statements it would run), its Files are PCFailover.LogFile
    objects (to-copy, to-apply, already-applied, missing, damaged...), with the recovery point
    and any data loss a failover would cause now.

    A plan that a safety check would block is still a plan: it is returned, its blocked steps
    and Errors say why, and a warning is written. A plan that cannot be made (the backup
    instance does not answer, the request is invalid) is an error with the report's ErrorId.

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
    Import-Csv .\pools.csv | New-PCFailoverRequest | Get-PCFailoverPlan
    New-PCFailoverRequest declares every request field as a parameter. To change a field for
    one run, pass the request through it again:
    New-PCFailoverRequest -RequestPath .\pchat.json -SkipLync | Get-PCFailoverPlan

    .EXAMPLE
    New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Get-PCFailoverPlan

    Shows the plan: steps, log backups by action, recovery point, warnings.

    .EXAMPLE
    (Get-PCFailoverPlan -RequestPath .\pchat.psd1).Steps | Format-Table Order, Status, Name, Detail

    The planned steps as a table.

    .EXAMPLE
    (Get-PCFailoverPlan -RequestPath .\pchat.json).Files | Where-Object Action -eq 'to-apply' | Measure-Object SizeBytes -Sum

    How many log backups remain to be applied, and how big they are.

    .EXAMPLE
    (Get-PCFailoverPlan -RequestPath .\pchat.json).Steps.Statements | Select-Object Target, Text

    Every statement a failover would run, in order.

    .INPUTS
    PCFailover.Request (from New-PCFailoverRequest), or any object with a RequestPath or
    FullName property (Get-ChildItem output).

    .OUTPUTS
    PCFailover.Plan (also a PCFailover.Report).

    .LINK
    Invoke-PCFailover

    .LINK
    Test-PCFailoverReadiness

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(DefaultParameterSetName = 'Request')]
    [OutputType('PCFailover.Plan')]
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

        [switch]$AcceptDataLoss
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
        $run = Invoke-PCCore -Command 'plan' -Request $requestData -Credential $credentialToUse -Activity "Planning the failover of $pool" -TypeName 'PCFailover.Plan'
        if ($null -ne $run.Report -and $run.ExitCode -ne 2) {
            # An invalid request is not a run: its errors say everything, no report is output.
            Write-PCReportWarning -Report $run.Report -ShownWarnings $run.ShownWarnings
            $run.Report
        }
        if ($run.ExitCode -eq 0) {
            foreach ($record in @(New-PCBlockedStepErrorRecord -Report $run.Report)) {
                Write-Warning ("The failover of {0} would be blocked: {1}" -f $pool, $record.Exception.Message)
            }
        }
        foreach ($record in $run.ErrorRecords) {
            if ($record.Exception.Data['IsTerminating']) { $PSCmdlet.ThrowTerminatingError($record) }
            if ($run.ExitCode -eq 3) {
                Write-Warning ("The failover of {0} would be blocked: {1}" -f $pool, $record.Exception.Message)
                continue
            }
            $PSCmdlet.WriteError($record)
        }
    }
}
