# Lab and test helpers: not Lync cmdlets, not written to the call log.

function Get-LyncSimState {
    <#
    .SYNOPSIS
    Returns the LyncSim state ($env:LYNCSIM_STATE or -Path) as nested ordered hashtables.
    #>
    [CmdletBinding()]
    param([string]$Path)
    try {
        $full = Get-LyncSimStatePath $Path
        Read-LyncSimStateFile -Path $full -Full
    } catch { $PSCmdlet.ThrowTerminatingError($_) }
}

function Get-LyncSimCallLog {
    <#
    .SYNOPSIS
    Returns the call log as objects (seq, time, cmdlet, parameterSet, parameters, outcome, error),
    optionally only the calls of one cmdlet.
    #>
    [CmdletBinding()]
    param([string]$Path, [string]$Cmdlet)
    try {
        $state = Read-LyncSimStateFile -Path (Get-LyncSimStatePath $Path) -Full
    } catch { $PSCmdlet.ThrowTerminatingError($_) }
    foreach ($entry in @(Get-LyncSimValue $state 'callLog' @())) {
        if ($Cmdlet -and -not (Test-LyncSimName $entry['cmdlet'] $Cmdlet)) { continue }
        $parameters = New-Object PSObject
        foreach ($key in $entry['parameters'].Keys) { $parameters | Add-Member -MemberType NoteProperty -Name $key -Value $entry['parameters'][$key] }
        $error_ = $null
        if ($null -ne $entry['error']) { $error_ = New-Object PSObject -Property $entry['error'] }
        $object = New-Object PSObject -Property ([ordered]@{
                seq          = $entry['seq']
                time         = $entry['time']
                cmdlet       = $entry['cmdlet']
                parameterSet = $entry['parameterSet']
                parameters   = $parameters
                outcome      = $entry['outcome']
                error        = $error_
            })
        $object.PSObject.TypeNames.Insert(0, 'LyncSim.CallLogEntry')
        $object
    }
}

function Add-LyncSimFault {
    <#
    .SYNOPSIS
    Makes the next -Times calls of a simulated cmdlet fail and/or hang (README.md, "Faults").
    .EXAMPLE
    Add-LyncSimFault -Cmdlet Set-CsPersistentChatState -When after -Message 'Timeout writing to the Central Management store.' -Category OperationTimeout
    #>
    [CmdletBinding()]
    param(
        [string]$Path,
        [Parameter(Mandatory = $true)][string]$Cmdlet,
        [string]$Message,
        [string]$ErrorId,
        [System.Management.Automation.ErrorCategory]$Category = 'NotSpecified',
        [int]$Times = 1,
        [ValidateSet('before', 'after')][string]$When = 'before',
        [double]$HangSeconds = 0
    )
    $fault = [ordered]@{
        cmdlet      = $Cmdlet
        times       = $Times
        when        = $When
        message     = $Message
        errorId     = $ErrorId
        category    = $Category.ToString()
        hangSeconds = $HangSeconds
        triggered   = 0
    }
    if (-not $PSBoundParameters.ContainsKey('ErrorId')) { $fault['errorId'] = '' }
    if (-not $PSBoundParameters.ContainsKey('Message')) { $fault['message'] = '' }
    try {
        Update-LyncSimState -Path (Get-LyncSimStatePath $Path) -ScriptBlock {
            param($state)
            $state['faults'] = @(@(Get-LyncSimValue $state 'faults' @()) + @($fault))
        }
    } catch { $PSCmdlet.ThrowTerminatingError($_) }
}

function Set-LyncSimSqlServer {
    <#
    .SYNOPSIS
    Takes a simulated SQL Server instance offline or brings it back (a data-center outage).
    #>
    [CmdletBinding()]
    param(
        [string]$Path,
        [Parameter(Mandatory = $true)][string]$SqlServerFqdn,
        [string]$SqlInstanceName = '',
        [Parameter(Mandatory = $true)][bool]$Online
    )
    try {
        Update-LyncSimState -Path (Get-LyncSimStatePath $Path) -ScriptBlock {
            param($state)
            $sql = Find-LyncSimSqlServer -State $state -SqlServerFqdn $SqlServerFqdn -SqlInstanceName $SqlInstanceName
            if ($null -eq $sql) {
                throw (New-LyncSimErrorRecord -Message ('SQL Server "{0}" is not in the LyncSim state.' -f (Format-LyncSimSqlInstance $SqlServerFqdn $SqlInstanceName)) -ErrorId 'SqlServerNotFound' -Category 'ObjectNotFound' -Target $SqlServerFqdn)
            }
            $sql['online'] = $Online
        }
    } catch { $PSCmdlet.ThrowTerminatingError($_) }
}

function Set-LyncSimCentralManagementStore {
    <#
    .SYNOPSIS
    Sets whether the simulated Central Management store is reachable, and how long its local
    replicas lag behind it.
    #>
    [CmdletBinding()]
    param([string]$Path, [bool]$Available = $true, [int]$ReplicationDelaySeconds = -1)
    try {
        Update-LyncSimState -Path (Get-LyncSimStatePath $Path) -ScriptBlock {
            param($state)
            $cms = Get-LyncSimValue $state 'centralManagementStore'
            if ($null -eq $cms) { $cms = [ordered]@{}; $state['centralManagementStore'] = $cms }
            $cms['available'] = $Available
            if ($ReplicationDelaySeconds -ge 0) { $cms['replicationDelaySeconds'] = $ReplicationDelaySeconds }
        }
    } catch { $PSCmdlet.ThrowTerminatingError($_) }
}
