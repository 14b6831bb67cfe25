function New-LyncSimChatStateObject {
    param([Parameter(Mandatory = $true)]$ChatPool, [switch]$LocalStore, $State)
    $value = $ChatPool['poolState']
    if ($LocalStore) {
        # ref 1.2 -LocalStore: the local replica of the Central Management store, which lags the
        # store by the replication delay (ref 2.3: wait for CMS replication).
        $delay = [double](Get-LyncSimValue (Get-LyncSimValue $State 'centralManagementStore') 'replicationDelaySeconds' 0)
        $changed = [string](Get-LyncSimValue $ChatPool 'poolStateChangedAt' '')
        if ($delay -gt 0 -and $changed) {
            $at = [DateTime]::Parse($changed, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind)
            if ([DateTime]::UtcNow -lt $at.ToUniversalTime().AddSeconds($delay)) { $value = Get-LyncSimValue $ChatPool 'previousPoolState' $value }
        }
    }
    $object = New-Object PSObject -Property ([ordered]@{
            Identity  = 'service:PersistentChatServer:' + $ChatPool['poolFqdn']
            PoolState = [LyncSim.PoolState]$value
            PoolFqdn  = $ChatPool['poolFqdn']
        })
    $object.PSObject.TypeNames.Insert(0, 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState')
    return $object
}

function Get-CsPersistentChatState {
    <#
    .SYNOPSIS
    Returns the state (Normal or FailedOver) of Persistent Chat pools (LyncSim; ref 1.2).
    #>
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 1)][string]$Identity,
        [Parameter(ParameterSetName = 'Filter')][string]$Filter,
        [switch]$LocalStore
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -RequireCentralManagementStore:(-not $LocalStore) -Body {
        param($state, $context)
        $pools = Get-LyncSimChatPool $state
        if ($context.Bound.ContainsKey('Identity')) {
            $pools = Resolve-LyncSimIdentity -State $state -Identity $Identity -Forms (Get-LyncSimOption $state 'stateIdentityForms')
            if ($pools.Count -eq 0) {
                $context.Errors.Add((New-LyncSimErrorRecord -Message ('Cannot get "PersistentChatState" "{0}" because it does not exist.' -f $Identity) -ErrorId 'ItemNotFound' -Category 'ObjectNotFound' -Target $Identity))
                return
            }
        } elseif ($context.Bound.ContainsKey('Filter')) {
            $pools = @($pools | Where-Object { ('service:PersistentChatServer:' + $_['poolFqdn']) -like $Filter -or $_['poolFqdn'] -like $Filter })
        }
        foreach ($pool in $pools) { New-LyncSimChatStateObject -ChatPool $pool -LocalStore:$LocalStore -State $state }
    }
}

function Set-CsPersistentChatState {
    <#
    .SYNOPSIS
    Sets a Persistent Chat pool's state to Normal or FailedOver (LyncSim; ref 1.1). Returns nothing.
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Identity')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 1)][string]$Identity,
        [Parameter(ParameterSetName = 'Instance', ValueFromPipeline = $true)][PSObject]$Instance,
        [LyncSim.PoolState]$PoolState = 'Normal',
        [switch]$Force
    )
    process {
        Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -RequireCentralManagementStore -Body {
            param($state, $context)
            $bound = $context.Bound
            $newState = $PoolState
            if ($context.Cmdlet.ParameterSetName -eq 'Instance') {
                $id = [string]$Instance.Identity
                if (-not $bound.ContainsKey('PoolState') -and $null -ne $Instance.PSObject.Properties['PoolState']) {
                    $newState = [LyncSim.PoolState]([string]$Instance.PoolState)
                }
            } elseif ($bound.ContainsKey('Identity')) {
                $id = $Identity
            } else {
                $id = 'Global'
            }
            $pools = Resolve-LyncSimIdentity -State $state -Identity $id -Forms (Get-LyncSimOption $state 'stateIdentityForms')
            if ($pools.Count -ne 1) {
                throw (New-LyncSimErrorRecord -Message ('Cannot find "PersistentChatState" "{0}" because it does not exist.' -f $id) -ErrorId 'ItemNotFound' -Category 'ObjectNotFound' -Target $id)
            }
            $pool = $pools[0]
            if ($newState.ToString() -eq 'FailedOver' -and $null -eq (Get-LyncSimValue (Get-LyncSimValue $pool 'stores') 'backup')) {
                # ref 1.1: FailedOver "uses the backup databases defined in the topology"; a pool
                # without a backup SQL Server store has none to use.
                throw (New-LyncSimErrorRecord -Message ('Cannot set pool "{0}" to FailedOver: the topology defines no backup SQL Server store for its Persistent Chat database. Add the backup store in Topology Builder and publish the topology.' -f $pool['poolFqdn']) -ErrorId 'NoBackupStore' -Category 'InvalidOperation' -Target $id)
            }
            if ($context.Cmdlet.ShouldProcess(('service:PersistentChatServer:' + $pool['poolFqdn']), ('Set PoolState to {0}' -f $newState))) {
                if ($pool['poolState'] -ne $newState.ToString()) {
                    $pool['previousPoolState'] = $pool['poolState']
                    $pool['poolState'] = $newState.ToString()
                    $pool['poolStateChangedAt'] = Get-LyncSimTimestamp
                }
            }
        }
    }
}
