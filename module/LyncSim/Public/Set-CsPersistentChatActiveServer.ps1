function Set-CsPersistentChatActiveServer {
    <#
    .SYNOPSIS
    Manages the list of active Persistent Chat servers (LyncSim; ref 1.3). Returns nothing.
    .DESCRIPTION
    -ActiveServers is a PSListModifier: @{Add=...}, @{Remove=...}, @{Replace=...}, an array or a
    single FQDN (Replace), or $null (clear the list, "typically done in a failback or failover
    scenario"). -Swap makes every active server inactive and every inactive one active. Every
    server made active must be a computer of the pool; at most four are active per pool.
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Explicit')]
    param(
        [Parameter(Position = 1)][string]$Identity,
        [Parameter(ParameterSetName = 'Explicit', Mandatory = $true)][AllowNull()]
        [System.Management.Automation.PSListModifier[string]]$ActiveServers,
        [Parameter(ParameterSetName = 'Swap', Mandatory = $true)][switch]$Swap,
        [switch]$Force
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -RequireCentralManagementStore -Body {
        param($state, $context)
        # XdsGlobalRelativeIdentity: omitted means the global collection (ref 1.3: "you can only
        # have a single collection of Persistent Chat servers").
        $id = 'global'
        if ($context.Bound.ContainsKey('Identity')) { $id = $Identity }
        $pools = Resolve-LyncSimIdentity -State $state -Identity $id -Forms (Get-LyncSimOption $state 'activeServerIdentityForms')
        if ($pools.Count -eq 0) {
            throw (New-LyncSimErrorRecord -Message ('Cannot find "PersistentChatActiveServer" "{0}" because it does not exist.' -f $id) -ErrorId 'ItemNotFound' -Category 'ObjectNotFound' -Target $id)
        }
        $computersOf = @{}
        foreach ($pool in $pools) {
            $topologyPool = $null
            foreach ($p in @(Get-LyncSimValue $state 'pools' @())) { if (Test-LyncSimName $p['fqdn'] $pool['poolFqdn']) { $topologyPool = $p } }
            $computersOf[$pool['poolFqdn']] = @(Get-LyncSimValue $topologyPool 'computers' @())
        }
        $findPool = {
            param([string]$server)
            foreach ($pool in $pools) {
                foreach ($computer in $computersOf[$pool['poolFqdn']]) {
                    if (Test-LyncSimName $computer $server) { return @{ Pool = $pool; Computer = $computer } }
                }
            }
            return $null
        }

        # The new active list of every pool in scope, keyed by pool FQDN.
        $next = @{}
        foreach ($pool in $pools) {
            $list = New-Object System.Collections.Generic.List[string]
            foreach ($s in @(Get-LyncSimValue $pool 'activeServers' @())) { $list.Add([string]$s) }
            $next[$pool['poolFqdn']] = $list
        }
        $removeFrom = {
            param($list, [string]$server)
            for ($i = $list.Count - 1; $i -ge 0; $i--) { if (Test-LyncSimName $list[$i] $server) { $list.RemoveAt($i) } }
        }
        if ($context.Cmdlet.ParameterSetName -eq 'Swap') {
            foreach ($pool in $pools) {
                $list = New-Object System.Collections.Generic.List[string]
                foreach ($computer in $computersOf[$pool['poolFqdn']]) {
                    $isActive = $false
                    foreach ($s in $next[$pool['poolFqdn']]) { if (Test-LyncSimName $s $computer) { $isActive = $true } }
                    if (-not $isActive) { $list.Add($computer) }
                }
                $next[$pool['poolFqdn']] = $list
            }
        } elseif ($null -eq $ActiveServers) {
            foreach ($pool in $pools) { $next[$pool['poolFqdn']] = New-Object System.Collections.Generic.List[string] }
        } else {
            $toAdd = New-Object System.Collections.Generic.List[string]
            if ($ActiveServers.Replace.Count -gt 0 -or ($ActiveServers.Add.Count -eq 0 -and $ActiveServers.Remove.Count -eq 0)) {
                foreach ($pool in $pools) { $next[$pool['poolFqdn']] = New-Object System.Collections.Generic.List[string] }
                foreach ($s in $ActiveServers.Replace) { $toAdd.Add([string]$s) }
            }
            foreach ($s in $ActiveServers.Add) { $toAdd.Add([string]$s) }
            foreach ($s in $ActiveServers.Remove) {
                foreach ($pool in $pools) { & $removeFrom $next[$pool['poolFqdn']] ([string]$s) }
            }
            foreach ($s in $toAdd) {
                $hit = & $findPool $s
                if ($null -eq $hit) {
                    $names = @($pools | ForEach-Object { $_['poolFqdn'] }) -join ', '
                    throw (New-LyncSimErrorRecord -Message ('Cannot set "{0}" as an active server: it is not a Persistent Chat server of pool {1}. Active servers must be computers of the pool (Get-CsPool).' -f $s, $names) -ErrorId 'ActiveServerNotInPool' -Category 'ObjectNotFound' -Target $s)
                }
                $list = $next[$hit.Pool['poolFqdn']]
                & $removeFrom $list $hit.Computer
                $list.Add($hit.Computer)
            }
        }
        $max = [int](Get-LyncSimOption $state 'maxActiveServersPerPool')
        foreach ($pool in $pools) {
            if ($next[$pool['poolFqdn']].Count -gt $max) {
                throw (New-LyncSimErrorRecord -Message ('Pool {0} would have {1} active servers; at most {2} Persistent Chat servers of a pool can be active.' -f $pool['poolFqdn'], $next[$pool['poolFqdn']].Count, $max) -ErrorId 'TooManyActiveServers' -Category 'InvalidOperation' -Target $pool['poolFqdn'])
            }
        }
        foreach ($pool in $pools) {
            $list = $next[$pool['poolFqdn']]
            if ($context.Cmdlet.ShouldProcess($pool['poolFqdn'], ('Set active servers to {{{0}}}' -f ($list -join ', ')))) {
                $pool['activeServers'] = [object[]]$list.ToArray()
            }
        }
    }
}
