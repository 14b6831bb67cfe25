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
    its mirror (runbook step 6; request field lync.mirrorFileShare).

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


    .PARAMETER Quiet
    Returns only $true (ready) or $false (not ready).

    .EXAMPLE
    Test-PCFailoverReadiness -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com

    Ready or not, with the blocking reasons and the recovery point.

    .EXAMPLE
    if (-not (Test-PCFailoverReadiness -RequestPath C:\pcfailover\pchat.psd1 -Quiet)) { Send-MailMessage -Subject 'Persistent Chat DR is not ready' ... }

    A scheduled readiness check that alerts when a failover would be blocked.

    .EXAMPLE
    Import-Csv .\pools.csv | Test-PCFailoverReadiness | Where-Object { -not $_.Ready }

    Every pool that could not be failed over right now.

    .INPUTS
    PCFailover.Request, or any object with PoolFqdn and BackupSqlInstance properties, or with
    a RequestPath/FullName property.

    .OUTPUTS
    PCFailover.Readiness, or System.Boolean with -Quiet.

    .LINK
    Get-PCFailoverPlan

    .LINK
    Invoke-PCFailover

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(DefaultParameterSetName = 'Parameters')]
    [OutputType('PCFailover.Readiness', [bool])]
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
