function Get-PCFailoverVersion {
    <#
    .SYNOPSIS
    Returns the version of the pcfailover binary this module runs.
    .DESCRIPTION
    Runs 'pcfailover version' and returns its build information as a
    PCFailover.VersionInfo object: version, commit, Go version, OS, architecture,
    and the path of the binary.
    .EXAMPLE
    Get-PCFailoverVersion

    Shows which pcfailover build the module will run.
    .EXAMPLE
    (Get-PCFailoverVersion).Commit

    The git commit the binary was built from.
    .OUTPUTS
    PCFailover.VersionInfo
    #>
    [CmdletBinding()]
    [OutputType('PCFailover.VersionInfo')]
    param()

    $result = Invoke-PCCoreProcess -ArgumentList @('version')
    if ($result.ExitCode -ne 0) {
        $exception = New-Object System.InvalidOperationException ("pcfailover version failed with exit code {0}: {1}" -f $result.ExitCode, $result.Stderr)
        $record = New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.VersionFailed', [System.Management.Automation.ErrorCategory]::InvalidResult, $null)
        $PSCmdlet.ThrowTerminatingError($record)
    }
    $info = ConvertFrom-Json -InputObject $result.Stdout
    $object = New-Object -TypeName PSObject -Property ([ordered]@{
        Version   = [string]$info.version
        Commit    = [string]$info.commit
        GoVersion = [string]$info.goVersion
        OS        = [string]$info.os
        Arch      = [string]$info.arch
        Path      = Get-PCCorePath
    })
    $object.PSObject.TypeNames.Insert(0, 'PCFailover.VersionInfo')
    $object
}
