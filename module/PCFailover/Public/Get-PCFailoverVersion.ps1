function Get-PCFailoverVersion {
    <#
    .SYNOPSIS
    Returns the version of the pcfailover binary this module runs.
    .DESCRIPTION
    Runs 'pcfailover version' and returns its build information as a
    PCFailover.VersionInfo object: version, commit, Go version, OS, architecture,
    the path of the binary and the version of this module (ModuleVersion).

    The module manifest's ModuleVersion is the one source of the version: scripts/build.sh
    and scripts/release.sh stamp it into the binary, so Version and ModuleVersion agree for
    a released or built module. A binary built without the stamp (go build) says 'dev'.
    .EXAMPLE
    Get-PCFailoverVersion

    Shows which pcfailover build the module will run.
    .EXAMPLE
    (Get-PCFailoverVersion).Commit

    The git commit the binary was built from.
    .EXAMPLE
    $v = Get-PCFailoverVersion; if ($v.Version -ne [string]$v.ModuleVersion) { Write-Warning "binary $($v.Version) does not match module $($v.ModuleVersion)" }

    Checks that the binary and the module come from the same release.
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
        ModuleVersion = $MyInvocation.MyCommand.Module.Version
    })
    $object.PSObject.TypeNames.Insert(0, 'PCFailover.VersionInfo')
    $object
}
