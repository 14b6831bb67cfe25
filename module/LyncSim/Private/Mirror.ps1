# Helpers for the mirror and database cmdlets (ref 1.8-1.10, 1.12).

function Get-LyncSimStoreOnInstance {
    # Persistent Chat stores (primary or backup) hosted on the SQL Server $SqlServerFqdn; with
    # -Instance only those on that instance ('' = default instance). One entry per store and
    # database type: @{ Pool; Role ('primary'|'backup'); MirrorRole; Store; DatabaseType; DatabaseName }.
    param([Parameter(Mandatory = $true)]$State, [string]$SqlServerFqdn, [AllowNull()][string]$Instance, [switch]$AnyInstance)
    $result = New-Object System.Collections.Generic.List[object]
    foreach ($pool in (Get-LyncSimChatPool $State)) {
        foreach ($pair in @(@('primary', 'primaryMirror'), @('backup', 'backupMirror'))) {
            $store = Get-LyncSimValue $pool['stores'] $pair[0]
            if ($null -eq $store) { continue }
            if (-not (Test-LyncSimName $store['sqlServerFqdn'] $SqlServerFqdn)) { continue }
            if (-not $AnyInstance -and -not (Test-LyncSimName $store['sqlInstanceName'] $Instance)) { continue }
            foreach ($type in (Get-LyncSimChatDatabaseType $pool)) {
                $result.Add(@{ Pool = $pool; Role = $pair[0]; MirrorRole = $pair[1]; Store = $store; DatabaseType = $type; DatabaseName = (Get-LyncSimDatabaseName $type) })
            }
        }
    }
    return , $result.ToArray()
}

function Assert-LyncSimSqlOnline {
    param([Parameter(Mandatory = $true)]$State, [string]$SqlServerFqdn, [string]$SqlInstanceName)
    $sql = Find-LyncSimSqlServer -State $State -SqlServerFqdn $SqlServerFqdn -SqlInstanceName $SqlInstanceName
    $name = Format-LyncSimSqlInstance $SqlServerFqdn $SqlInstanceName
    if ($null -eq $sql -or -not [bool](Get-LyncSimValue $sql 'online' $true)) {
        # The text SqlClient gives for an unreachable instance (reference sql-log-shipping.md 3.4 style).
        throw (New-LyncSimErrorRecord -Message ('Cannot connect to SQL Server "{0}": A network-related or instance-specific error occurred while establishing a connection to SQL Server. The server was not found or was not accessible.' -f $name) -ErrorId 'SqlServerUnavailable' -Category 'ConnectionError' -Target $name)
    }
    return $sql
}

function Resolve-LyncSimReportPath {
    # -Report "C:\Logs\InstallDatabaseMirror.html" (ref 1.8): relative paths resolve against
    # the current PowerShell location; the folder must exist.
    param([Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet, [string]$Report)
    $full = $Cmdlet.GetUnresolvedProviderPathFromPSPath($Report)
    $directory = [System.IO.Path]::GetDirectoryName($full)
    if (-not [string]::IsNullOrEmpty($directory) -and -not [System.IO.Directory]::Exists($directory)) {
        throw (New-LyncSimErrorRecord -Message ('Cannot write the report "{0}": the folder "{1}" does not exist.' -f $Report, $directory) -ErrorId 'ReportFolderNotFound' -Category 'InvalidArgument' -Target $Report)
    }
    return $full
}

function Write-LyncSimReport {
    # The HTML log the real cmdlets write with -Report: a title and one row per step.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$Title, [object[]]$Entries)
    $encode = { param($s) ([string]$s).Replace('&', '&amp;').Replace('<', '&lt;').Replace('>', '&gt;').Replace('"', '&quot;') }
    $builder = New-Object System.Text.StringBuilder
    [void]$builder.AppendLine('<!DOCTYPE html>')
    [void]$builder.AppendLine(('<html><head><meta charset="utf-8"><title>{0}</title></head><body>' -f (& $encode $Title)))
    [void]$builder.AppendLine(('<h1>{0}</h1>' -f (& $encode $Title)))
    [void]$builder.AppendLine(('<p>Created {0} by {1} on {2}</p>' -f (Get-LyncSimTimestamp), (& $encode $env:USERNAME), (& $encode ([System.Environment]::MachineName))))
    [void]$builder.AppendLine('<table border="1"><tr><th>Time</th><th>Level</th><th>Message</th></tr>')
    foreach ($entry in $Entries) {
        [void]$builder.AppendLine(('<tr><td>{0}</td><td>{1}</td><td>{2}</td></tr>' -f $entry.Time, (& $encode $entry.Level), (& $encode $entry.Message)))
    }
    [void]$builder.AppendLine('</table></body></html>')
    [System.IO.File]::WriteAllText($Path, $builder.ToString(), (New-Object System.Text.UTF8Encoding($false)))
}

function New-LyncSimReportEntry {
    # One line of a -Report log; with $Cmdlet it is also written as verbose output, as the real
    # cmdlets narrate their steps under -Verbose.
    param([string]$Level, [string]$Message, [System.Management.Automation.PSCmdlet]$Cmdlet)
    if ($null -ne $Cmdlet -and $Level -ne 'Error') { $Cmdlet.WriteVerbose($Message) }
    return New-Object PSObject -Property @{ Time = (Get-LyncSimTimestamp); Level = $Level; Message = $Message }
}
