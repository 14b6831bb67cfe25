function Get-LyncSimServiceList {
    # The services of the simulated topology, as Get-CsService shows them (ref 1.5). Property
    # names beyond Identity, SiteID, Role, DependentServiceList are not documented (ref 1.4,
    # 1.5 [U]); README.md lists the names LyncSim uses.
    param([Parameter(Mandatory = $true)]$State)
    $version = 6
    if ((Get-LyncSimValue $State 'product' '') -like 'Skype*') { $version = 7 }
    $services = New-Object System.Collections.Generic.List[object]
    $siteOf = @{}
    foreach ($pool in (Find-LyncSimPool $State)) { $siteOf[([string]$pool['fqdn']).ToLowerInvariant()] = [string](Get-LyncSimValue $pool 'site' '') }
    $site = { param($fqdn) 'Site:' + $siteOf[([string]$fqdn).ToLowerInvariant()] }
    $counter = @{}
    $serviceId = {
        param($role)
        if (-not $counter.ContainsKey($role)) { $counter[$role] = 0 }
        $counter[$role]++
        '1-{0}-{1}' -f $role, $counter[$role]
    }
    $new = {
        param($typeName, [System.Collections.IDictionary]$properties)
        $object = New-Object PSObject -Property $properties
        $object.PSObject.TypeNames.Insert(0, $typeName)
        $object
    }
    $chatPools = Get-LyncSimChatPool $State
    foreach ($pool in @(Get-LyncSimValue $State 'pools' @())) {
        if ($pool['role'] -ne 'Registrar') { continue }
        $dependents = @($chatPools | Where-Object { Test-LyncSimName $_['registrarPoolFqdn'] $pool['fqdn'] } | ForEach-Object { 'PersistentChatServer:' + $_['poolFqdn'] })
        $services.Add((& $new 'Microsoft.Rtc.Management.Xds.DisplayRegistrar' ([ordered]@{
                        Identity             = 'Registrar:' + $pool['fqdn']
                        DependentServiceList = $dependents
                        ServiceId            = (& $serviceId 'Registrar')
                        SiteId               = (& $site $pool['fqdn'])
                        PoolFqdn             = $pool['fqdn']
                        Version              = $version
                        Role                 = 'Registrar'
                    })))
    }
    $stores = [ordered]@{}
    foreach ($chat in $chatPools) {
        $storeSet = $chat['stores']
        $computers = @()
        foreach ($p in @(Get-LyncSimValue $State 'pools' @())) { if (Test-LyncSimName $p['fqdn'] $chat['poolFqdn']) { $computers = @(Get-LyncSimValue $p 'computers' @()) } }
        $active = @(Get-LyncSimValue $chat 'activeServers' @())
        $inactive = @($computers | Where-Object { $c = $_; -not ($active | Where-Object { Test-LyncSimName $_ $c }) })
        $primary = Get-LyncSimValue $storeSet 'primary'
        $backup = Get-LyncSimValue $storeSet 'backup'
        $compliance = [bool](Get-LyncSimValue $chat 'complianceEnabled' $false)
        $storeId = { param($prefix, $store) if ($null -eq $store) { $null } else { $prefix + $store['sqlServerFqdn'] } }
        $properties = [ordered]@{
            Identity                               = 'PersistentChatServer:' + $chat['poolFqdn']
            PersistentChatDatabase                 = (& $storeId 'PersistentChatStore:' $primary)
            PersistentChatBackupDatabase           = (& $storeId 'PersistentChatStore:' $backup)
            PersistentChatComplianceDatabase       = $(if ($compliance) { & $storeId 'PersistentChatComplianceStore:' $primary } else { $null })
            PersistentChatBackupComplianceDatabase = $(if ($compliance) { & $storeId 'PersistentChatComplianceStore:' $backup } else { $null })
            Registrar                              = 'Registrar:' + $chat['registrarPoolFqdn']
            ActiveServers                          = [string[]]$active
            InactiveServers                        = [string[]]$inactive
            CommPort                               = 8011
            DependentServiceList                   = @()
            ServiceId                              = (& $serviceId 'PersistentChatServer')
            SiteId                                 = (& $site $chat['poolFqdn'])
            PoolFqdn                               = $chat['poolFqdn']
            Version                                = $version
            Role                                   = 'PersistentChatServer'
        }
        $services.Add((& $new 'Microsoft.Rtc.Management.Xds.DisplayPersistentChatServer' $properties))
        $roles = @('PersistentChatStore')
        if ($compliance) { $roles += 'PersistentChatComplianceStore' }
        foreach ($pair in @(@('primary', 'primaryMirror', $false), @('backup', 'backupMirror', $true))) {
            $store = Get-LyncSimValue $storeSet $pair[0]
            if ($null -eq $store) { continue }
            $mirror = Get-LyncSimValue $storeSet $pair[1]
            foreach ($role in $roles) {
                $key = ('{0}:{1}\{2}' -f $role, $store['sqlServerFqdn'], $store['sqlInstanceName']).ToLowerInvariant()
                if (-not $stores.Contains($key)) {
                    $stores[$key] = [ordered]@{
                        Identity              = $role + ':' + $store['sqlServerFqdn']
                        IsSqlBackendClusters  = $false
                        SqlInstanceName       = $store['sqlInstanceName']
                        MirrorSqlServerFqdn   = $(if ($null -ne $mirror) { $mirror['sqlServerFqdn'] } else { $null })
                        MirrorSqlInstanceName = $(if ($null -ne $mirror) { $mirror['sqlInstanceName'] } else { $null })
                        IsBackup              = $pair[2]
                        DependentServiceList  = @()
                        ServiceId             = (& $serviceId $role)
                        SiteId                = (& $site $store['sqlServerFqdn'])
                        PoolFqdn              = $store['sqlServerFqdn']
                        Version               = $version
                        Role                  = $role
                    }
                }
                $stores[$key].DependentServiceList = @($stores[$key].DependentServiceList) + @('PersistentChatServer:' + $chat['poolFqdn'])
            }
        }
    }
    foreach ($store in $stores.Values) {
        $services.Add((& $new ('Microsoft.Rtc.Management.Xds.Display' + $store.Role) $store))
    }
    return , $services.ToArray()
}

function Get-CsService {
    <#
    .SYNOPSIS
    Returns the services of the simulated topology (LyncSim; ref 1.5). One role switch per call.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 1)][string]$Identity,
        [Parameter(ParameterSetName = 'Filter')][string]$Filter,
        [Parameter(ParameterSetName = 'PersistentChatServer', Mandatory = $true)][switch]$PersistentChatServer,
        [Parameter(ParameterSetName = 'PersistentChatDatabase', Mandatory = $true)][switch]$PersistentChatDatabase,
        [Parameter(ParameterSetName = 'PersistentChatComplianceDatabase', Mandatory = $true)][switch]$PersistentChatComplianceDatabase,
        [Parameter(ParameterSetName = 'Registrar', Mandatory = $true)][switch]$Registrar,
        [string]$PoolFqdn
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -RequireCentralManagementStore -Body {
        param($state, $context)
        $services = Get-LyncSimServiceList $state
        $set = $context.Cmdlet.ParameterSetName
        $roleOf = @{ PersistentChatServer = 'PersistentChatServer'; PersistentChatDatabase = 'PersistentChatStore'; PersistentChatComplianceDatabase = 'PersistentChatComplianceStore'; Registrar = 'Registrar' }
        if ($roleOf.ContainsKey($set)) {
            $services = @($services | Where-Object { $_.Role -eq $roleOf[$set] })
        } elseif ($set -eq 'Filter') {
            $services = @($services | Where-Object { $_.Identity -like $Filter })
        } elseif ($context.Bound.ContainsKey('Identity')) {
            # Get-CsService help: -Identity "service:Registrar:atl-cs-001.litwareinc.com"; the
            # output form "PersistentChatServer:<fqdn>" is accepted as well.
            $wanted = $Identity.Trim()
            if ($wanted -like 'service:*') { $wanted = $wanted.Substring(8).Trim() }
            $services = @($services | Where-Object { Test-LyncSimName $_.Identity $wanted })
            if ($services.Count -eq 0) {
                $context.Errors.Add((New-LyncSimErrorRecord -Message ('Cannot get "Service" "{0}" because it does not exist.' -f $Identity) -ErrorId 'ItemNotFound' -Category 'ObjectNotFound' -Target $Identity))
                return
            }
        }
        if ($context.Bound.ContainsKey('PoolFqdn')) {
            $services = @($services | Where-Object { Test-LyncSimName $_.PoolFqdn $PoolFqdn })
        }
        $services
    }
}

function Get-CsPool {
    <#
    .SYNOPSIS
    Returns the pools of the simulated topology with their computers and services (LyncSim; ref 1.6).
    #>
    [CmdletBinding(DefaultParameterSetName = 'Identity')]
    param(
        [Parameter(ParameterSetName = 'Identity', Position = 1)][string]$Identity,
        [Parameter(ParameterSetName = 'Filter', Mandatory = $true)][string]$Filter,
        [string]$Site
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -RequireCentralManagementStore -Body {
        param($state, $context)
        $services = Get-LyncSimServiceList $state
        $pools = Find-LyncSimPool $state
        if ($context.Bound.ContainsKey('Identity')) {
            $pools = @($pools | Where-Object { Test-LyncSimName $_['fqdn'] $Identity })
            if ($pools.Count -eq 0) {
                $context.Errors.Add((New-LyncSimErrorRecord -Message ('Cannot get "Pool" "{0}" because it does not exist.' -f $Identity) -ErrorId 'ItemNotFound' -Category 'ObjectNotFound' -Target $Identity))
                return
            }
        } elseif ($context.Bound.ContainsKey('Filter')) {
            $pools = @($pools | Where-Object { $_['fqdn'] -like $Filter })
        }
        if ($context.Bound.ContainsKey('Site')) {
            # ref 1.6: -Site takes the display name ("Redmond"), not the identity ("site:Redmond").
            $known = @((Find-LyncSimPool $state) | Where-Object { Test-LyncSimName (Get-LyncSimValue $_ 'site' '') $Site })
            if ($known.Count -eq 0) {
                $context.Errors.Add((New-LyncSimErrorRecord -Message ('Cannot find site "{0}". Use the site display name, for example "Redmond", not "site:Redmond".' -f $Site) -ErrorId 'SiteNotFound' -Category 'ObjectNotFound' -Target $Site))
                return
            }
            $pools = @($pools | Where-Object { Test-LyncSimName (Get-LyncSimValue $_ 'site' '') $Site })
        }
        foreach ($pool in $pools) {
            $object = New-Object PSObject -Property ([ordered]@{
                    Identity  = $pool['fqdn']
                    Services  = [string[]]@($services | Where-Object { Test-LyncSimName $_.PoolFqdn $pool['fqdn'] } | ForEach-Object { $_.Identity })
                    Computers = [string[]]@(Get-LyncSimValue $pool 'computers' @())
                    Fqdn      = $pool['fqdn']
                    Site      = 'Site:' + (Get-LyncSimValue $pool 'site' '')
                })
            $object.PSObject.TypeNames.Insert(0, 'Microsoft.Rtc.Management.Deploy.Internal.Cluster')
            $object
        }
    }
}
