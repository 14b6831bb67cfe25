# The Windows Event Log source PCFailover: the binary writes outcome events under it (see
# core/eventlog); registering it needs an administrator, once per server.

function Get-PCEventSourceName { 'PCFailover' }

function Register-PCEventSource {
    <#
    .SYNOPSIS
    Registers the PCFailover source in the Application log (ShouldProcess through -Cmdlet).
    .OUTPUTS
    An object with Status (PCFailover.EventSource) and ErrorRecord (set when it failed).
    #>
    param([System.Management.Automation.PSCmdlet]$Cmdlet)

    $source = Get-PCEventSourceName
    $status = New-Object PSObject -Property ([ordered]@{
        Source     = $source
        LogName    = 'Application'
        Registered = $false
        Changed    = $false
        Supported  = $true
    })
    $status.PSObject.TypeNames.Insert(0, 'PCFailover.EventSource')
    $result = New-Object PSObject -Property @{ Status = $status; ErrorRecord = $null }
    $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
    if (-not $onWindows) {
        $status.Supported = $false
        $Cmdlet.WriteWarning('There is no Windows Event Log on this system: pcfailover writes no events here, so there is no source to register.')
        return $result
    }
    $exists = $false
    try {
        $exists = [System.Diagnostics.EventLog]::SourceExists($source)
    } catch {
        # Searching every log (Security included) needs an administrator; read the key instead.
        $exists = Test-Path -LiteralPath ('HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\' + $source)
    }
    if ($exists) {
        $status.Registered = $true
        $Cmdlet.WriteVerbose("The Event Log source $source is registered.")
        return $result
    }
    if (-not $Cmdlet.ShouldProcess("Application event log", "Register the event source $source")) {
        return $result
    }
    try {
        [System.Diagnostics.EventLog]::CreateEventSource($source, 'Application')
        $status.Registered = $true
        $status.Changed = $true
    } catch {
        $exception = New-Object System.InvalidOperationException ("Could not register the Event Log source {0}: {1} Run Install-PCFailoverEventSource once in an elevated PowerShell (Run as administrator)." -f $source, $_.Exception.Message), $_.Exception
        $result.ErrorRecord = New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.EventSourceFailed', [System.Management.Automation.ErrorCategory]::PermissionDenied, $source)
    }
    $result
}
