function Install-PCFailoverEventSource {
    <#
    .SYNOPSIS
    Registers the PCFailover source of the Windows Application event log, so that failovers,
    failbacks, drills and status checks are written there.

    .DESCRIPTION
    pcfailover writes the outcome of every failover, failback, DR drill and status check to
    the Windows Application log under the source PCFailover, with a stable event ID and level
    (for SCOM and other monitors; the table is in about_PCFailover and README.md):

        100 failover succeeded (Information)   200 failback succeeded (Information)
        101 ... with data loss accepted (Warning) 201 ... with data loss accepted (Warning)
        102 failover blocked (Error)           202 failback blocked (Error)
        103 failover failed (Error)            203 failback failed (Error)
        104 failover interrupted (Warning)     204 failback interrupted (Warning)
        300 drill succeeded (Information)      400 status ok (Information)
        302 drill blocked (Error)              401 status warning (Warning)
        303 drill failed (Error)               402 status critical (Error)
        304 drill interrupted (Warning)        403 status unknown (Error)

    Writing needs the source to be registered once per server, which needs an administrator:
    this command does it (Register-PCFailoverDrill does it too). Until then every run warns
    that the source is missing and carries on: the Event Log is never a reason to fail.

    It returns a PCFailover.EventSource object (Source, LogName, Registered, Changed,
    Supported). Off Windows there is no Event Log: it warns, registers nothing and returns
    Supported $false. It supports -WhatIf and -Confirm.

    .EXAMPLE
    Install-PCFailoverEventSource

    Registers the PCFailover source in the Application log (run once, as an administrator).

    .EXAMPLE
    Install-PCFailoverEventSource -WhatIf

    Says whether the source is registered and what would be registered; changes nothing.

    .EXAMPLE
    Install-PCFailoverEventSource; Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'PCFailover'; Id = 302, 303 } -MaxEvents 10

    Registers the source, then lists the last failed or blocked drills.

    .OUTPUTS
    PCFailover.EventSource

    .LINK
    Register-PCFailoverDrill

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('PCFailover.EventSource')]
    param()

    $result = Register-PCEventSource -Cmdlet $PSCmdlet
    if ($null -ne $result.ErrorRecord) {
        $PSCmdlet.WriteError($result.ErrorRecord)
    }
    $result.Status
}
