function Install-CsMirrorDatabase {
    <#
    .SYNOPSIS
    Installs the mirror of a Persistent Chat database (LyncSim; ref 1.8). Returns nothing.
    .DESCRIPTION
    -SqlServerFqdn (and -SqlInstanceName) name the principal, a primary or backup store of the
    topology; the mirror is the one the topology defines for that store (backup store -> backup
    mirror, runbook step 6, ref 2.1). Prompts per database (Yes / Yes to All / No / No to All)
    unless -Confirm:$false: in a non-interactive host the prompt fails.
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'ByDatabase')]
    param(
        [Parameter(ParameterSetName = 'ByConfigured', Mandatory = $true)][switch]$ConfiguredDatabases,
        [Parameter(ParameterSetName = 'ByDatabase', Mandatory = $true)][LyncSim.DatabaseNameType]$DatabaseType,
        [Parameter(Mandatory = $true)][string]$FileShare,
        [Parameter(Mandatory = $true)][string]$SqlServerFqdn,
        [hashtable]$DatabasePathMap,
        [switch]$DropExistingDatabasesOnMirror,
        [string[]]$ExcludeDatabaseList,
        [Parameter(ParameterSetName = 'ByConfigured')][switch]$ForDefaultInstance,
        [Parameter(ParameterSetName = 'ByConfigured')][string]$ForInstance,
        [string]$Report,
        [Parameter(ParameterSetName = 'ByDatabase')][string]$SqlInstanceName
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -Body {
        param($state, $context)
        $cmdlet = $context.Cmdlet
        $reportPath = $null
        if ($context.Bound.ContainsKey('Report')) { $reportPath = Resolve-LyncSimReportPath -Cmdlet $cmdlet -Report $Report }
        $log = New-Object System.Collections.Generic.List[object]
        $succeeded = $false
        try {
            if ($ForDefaultInstance -and $context.Bound.ContainsKey('ForInstance')) {
                throw (New-LyncSimErrorRecord -Message 'You cannot use both ForInstance and ForDefaultInstance in the same command.' -ErrorId 'ForInstanceConflict' -Category 'InvalidArgument' -Target $ForInstance)
            }
            if (-not $FileShare.StartsWith('\\')) {
                # ref 1.8: "-FileShare: UNC path to the database shared folder".
                throw (New-LyncSimErrorRecord -Message ('"{0}" is not a UNC path. -FileShare must name a shared folder (\\server\share) that the SQL Server service accounts of the primary and the mirror can read and write.' -f $FileShare) -ErrorId 'FileShareNotUnc' -Category 'InvalidArgument' -Target $FileShare)
            }
            if ($cmdlet.ParameterSetName -eq 'ByDatabase') {
                $instance = ''
                if ($context.Bound.ContainsKey('SqlInstanceName')) { $instance = $SqlInstanceName }
                $items = @((Get-LyncSimStoreOnInstance -State $state -SqlServerFqdn $SqlServerFqdn -Instance $instance) | Where-Object { $_.DatabaseType -eq $DatabaseType.ToString() })
                $what = '{0} database' -f $DatabaseType
            } else {
                if ($ForDefaultInstance) {
                    $items = Get-LyncSimStoreOnInstance -State $state -SqlServerFqdn $SqlServerFqdn -Instance ''
                } elseif ($context.Bound.ContainsKey('ForInstance')) {
                    $items = Get-LyncSimStoreOnInstance -State $state -SqlServerFqdn $SqlServerFqdn -Instance $ForInstance
                } else {
                    $items = Get-LyncSimStoreOnInstance -State $state -SqlServerFqdn $SqlServerFqdn -AnyInstance
                }
                $instance = $ForInstance
                $what = 'configured databases'
            }
            $target = Format-LyncSimSqlInstance $SqlServerFqdn $instance
            if ($items.Count -eq 0) {
                throw (New-LyncSimErrorRecord -Message ('No {0} is defined in the topology on SQL Server "{1}". -SqlServerFqdn and -SqlInstanceName must name the primary SQL Server store of the database.' -f $what, $target) -ErrorId 'DatabaseNotFoundInTopology' -Category 'ObjectNotFound' -Target $target)
            }
            $items = @($items | Where-Object { $n = $_.DatabaseName; -not ($ExcludeDatabaseList | Where-Object { Test-LyncSimName $_ $n }) })
            $log.Add((New-LyncSimReportEntry -Cmdlet $cmdlet 'Info' ('Installing mirror databases for {0} on {1}; file share {2}.' -f $what, $target, $FileShare)))

            $plans = New-Object System.Collections.Generic.List[object]
            foreach ($item in $items) {
                $store = $item.Store
                $mirror = Get-LyncSimValue $item.Pool['stores'] $item.MirrorRole
                $principalName = Format-LyncSimSqlInstance $store['sqlServerFqdn'] $store['sqlInstanceName']
                if ($null -eq $mirror) {
                    throw (New-LyncSimErrorRecord -Message ('The topology defines no mirror for the {0} store {1} of pool {2}. Define the mirror SQL Server store in Topology Builder and publish the topology first.' -f $item.Role, $principalName, $item.Pool['poolFqdn']) -ErrorId 'MirrorNotInTopology' -Category 'InvalidOperation' -Target $principalName)
                }
                $mirrorName = Format-LyncSimSqlInstance $mirror['sqlServerFqdn'] $mirror['sqlInstanceName']
                $principalSql = Assert-LyncSimSqlOnline -State $state -SqlServerFqdn $store['sqlServerFqdn'] -SqlInstanceName $store['sqlInstanceName']
                $mirrorSql = Assert-LyncSimSqlOnline -State $state -SqlServerFqdn $mirror['sqlServerFqdn'] -SqlInstanceName $mirror['sqlInstanceName']
                if (-not (Test-LyncSimDatabasePresent $principalSql $item.DatabaseName)) {
                    throw (New-LyncSimErrorRecord -Message ('Database "{0}" does not exist on the primary SQL Server "{1}".' -f $item.DatabaseName, $principalName) -ErrorId 'DatabaseNotFound' -Category 'ObjectNotFound' -Target $principalName)
                }
                if ((Test-LyncSimDatabasePresent $mirrorSql $item.DatabaseName) -and -not $DropExistingDatabasesOnMirror) {
                    throw (New-LyncSimErrorRecord -Message ('Database "{0}" already exists on the mirror SQL Server "{1}". Use -DropExistingDatabasesOnMirror to delete it before the mirror is installed.' -f $item.DatabaseName, $mirrorName) -ErrorId 'DatabaseExistsOnMirror' -Category 'ResourceExists' -Target $mirrorName)
                }
                $plans.Add(@{ Item = $item; Mirror = $mirror; MirrorSql = $mirrorSql; PrincipalName = $principalName; MirrorName = $mirrorName })
            }
            foreach ($plan in $plans) {
                $db = $plan.Item.DatabaseName
                # The real cmdlet lists the primary, mirror and witness with their service accounts,
                # then asks (ref 1.8, Lync 2013 deployment doc).
                $description = 'Install mirror database "{0}": primary SQL Server {1}, mirror SQL Server {2}, no witness.' -f $db, $plan.PrincipalName, $plan.MirrorName
                $query = "Database: $db`nPrimary SQL Server: $($plan.PrincipalName)  (SQL Server service account: NT Service\MSSQLSERVER)`nMirror SQL Server: $($plan.MirrorName)  (SQL Server service account: NT Service\MSSQLSERVER)`nWitness SQL Server: (none)`nDo you want to install the mirror database?"
                if ($cmdlet.ShouldProcess($description, $query, 'Install-CsMirrorDatabase')) {
                    if ($DropExistingDatabasesOnMirror) {
                        $plan.MirrorSql['databases'] = @(@(Get-LyncSimValue $plan.MirrorSql 'databases' @()) | Where-Object { -not (Test-LyncSimName $_ $db) })
                        $log.Add((New-LyncSimReportEntry -Cmdlet $cmdlet 'Info' ('Dropped existing database "{0}" on {1}.' -f $db, $plan.MirrorName)))
                    }
                    $plan.MirrorSql['databases'] = @(@(Get-LyncSimValue $plan.MirrorSql 'databases' @()) + @($db))
                    $store = $plan.Item.Store
                    $kept = @(@(Get-LyncSimValue $state 'mirrors' @()) | Where-Object {
                            -not ((Test-LyncSimName $_['databaseName'] $db) -and (Test-LyncSimName $_['principal']['sqlServerFqdn'] $store['sqlServerFqdn']) -and (Test-LyncSimName $_['principal']['sqlInstanceName'] $store['sqlInstanceName']))
                        })
                    $state['mirrors'] = $kept + @([ordered]@{
                            databaseType = $plan.Item.DatabaseType
                            databaseName = $db
                            principal    = [ordered]@{ sqlServerFqdn = $store['sqlServerFqdn']; sqlInstanceName = $store['sqlInstanceName'] }
                            mirror       = [ordered]@{ sqlServerFqdn = $plan.Mirror['sqlServerFqdn']; sqlInstanceName = $plan.Mirror['sqlInstanceName'] }
                            fileShare    = $FileShare
                            installedAt  = (Get-LyncSimTimestamp)
                        })
                    $log.Add((New-LyncSimReportEntry -Cmdlet $cmdlet 'Info' ('Backed up "{0}" on {1} to {2}, restored it on {3} WITH NORECOVERY and started mirroring.' -f $db, $plan.PrincipalName, $FileShare, $plan.MirrorName)))
                } else {
                    $log.Add((New-LyncSimReportEntry 'Info' ('Skipped database "{0}".' -f $db)))
                }
            }
            $succeeded = $true
        } catch {
            $log.Add((New-LyncSimReportEntry 'Error' (Get-LyncSimInnerErrorRecord $_).Exception.Message))
            throw
        } finally {
            if ($null -ne $reportPath -and -not $WhatIfPreference) {
                if ($succeeded) { $log.Add((New-LyncSimReportEntry 'Info' 'Install-CsMirrorDatabase completed.')) }
                Write-LyncSimReport -Path $reportPath -Title 'Install-CsMirrorDatabase' -Entries $log.ToArray()
            }
        }
    }
}

function Uninstall-CsMirrorDatabase {
    <#
    .SYNOPSIS
    Removes the mirror of a Persistent Chat database (LyncSim; ref 1.9). Returns nothing.
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory = $true)][LyncSim.DatabaseNameType]$DatabaseType,
        [Parameter(Mandatory = $true)][string]$SqlServerFqdn,
        [switch]$DropExistingDatabasesOnMirror,
        [string]$Report,
        [string]$SqlInstanceName
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -Body {
        param($state, $context)
        $reportPath = $null
        if ($context.Bound.ContainsKey('Report')) { $reportPath = Resolve-LyncSimReportPath -Cmdlet $context.Cmdlet -Report $Report }
        $log = New-Object System.Collections.Generic.List[object]
        try {
            $instance = ''
            if ($context.Bound.ContainsKey('SqlInstanceName')) { $instance = $SqlInstanceName }
            $target = Format-LyncSimSqlInstance $SqlServerFqdn $instance
            $db = Get-LyncSimDatabaseName $DatabaseType.ToString()
            $mirror = $null
            if ($db) { $mirror = Find-LyncSimMirror -State $state -DatabaseName $db -SqlServerFqdn $SqlServerFqdn -SqlInstanceName $instance }
            if ($null -eq $mirror) {
                throw (New-LyncSimErrorRecord -Message ('No mirror is installed for the {0} database on SQL Server "{1}".' -f $DatabaseType, $target) -ErrorId 'MirrorNotFound' -Category 'ObjectNotFound' -Target $target)
            }
            [void](Assert-LyncSimSqlOnline -State $state -SqlServerFqdn $SqlServerFqdn -SqlInstanceName $instance)
            $mirrorName = Format-LyncSimSqlInstance $mirror['mirror']['sqlServerFqdn'] $mirror['mirror']['sqlInstanceName']
            $mirrorSql = $null
            if ($DropExistingDatabasesOnMirror) {
                $mirrorSql = Assert-LyncSimSqlOnline -State $state -SqlServerFqdn $mirror['mirror']['sqlServerFqdn'] -SqlInstanceName $mirror['mirror']['sqlInstanceName']
            }
            if ($context.Cmdlet.ShouldProcess(('Mirror of "{0}" on {1} ({2})' -f $db, $target, $mirrorName), 'Uninstall mirror database')) {
                $state['mirrors'] = @(@(Get-LyncSimValue $state 'mirrors' @()) | Where-Object { -not [object]::ReferenceEquals($_, $mirror) })
                $log.Add((New-LyncSimReportEntry -Cmdlet $context.Cmdlet 'Info' ('Removed mirroring of "{0}" between {1} and {2}.' -f $db, $target, $mirrorName)))
                if ($null -ne $mirrorSql) {
                    $mirrorSql['databases'] = @(@(Get-LyncSimValue $mirrorSql 'databases' @()) | Where-Object { -not (Test-LyncSimName $_ $db) })
                    $log.Add((New-LyncSimReportEntry -Cmdlet $context.Cmdlet 'Info' ('Dropped database "{0}" on {1}.' -f $db, $mirrorName)))
                }
            }
        } catch {
            $log.Add((New-LyncSimReportEntry 'Error' (Get-LyncSimInnerErrorRecord $_).Exception.Message))
            throw
        } finally {
            if ($null -ne $reportPath -and -not $WhatIfPreference) {
                Write-LyncSimReport -Path $reportPath -Title 'Uninstall-CsMirrorDatabase' -Entries $log.ToArray()
            }
        }
    }
}

function Get-CsDatabaseMirrorState {
    <#
    .SYNOPSIS
    Returns the mirroring state of the databases a pool uses (LyncSim; ref 1.10).
    .DESCRIPTION
    For a Persistent Chat pool the databases are those of the store the pool uses now: the
    primary store when Normal, the backup store when FailedOver.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$PoolFqdn,
        [LyncSim.DatabaseNameType]$DatabaseType,
        [switch]$LocalStore,
        [string]$Report
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -RequireCentralManagementStore:(-not $LocalStore) -Body {
        param($state, $context)
        $reportPath = $null
        if ($context.Bound.ContainsKey('Report')) { $reportPath = Resolve-LyncSimReportPath -Cmdlet $context.Cmdlet -Report $Report }
        if ($context.Bound.ContainsKey('DatabaseType') -and (Get-LyncSimValue $state 'product' '') -eq 'Lync Server 2013' -and
            @('App', 'Archiving', 'CMS', 'Monitoring', 'Provision', 'User') -notcontains $DatabaseType.ToString()) {
            # ref 1.10: "Allowed values for Lync Server 2013 are: App, Archiving, CMS, Monitoring,
            # Provision, User" - no PersistentChat.
            throw (New-LyncSimErrorRecord -Message ('DatabaseType "{0}" is not supported by this cmdlet in Lync Server 2013. Allowed values are: App, Archiving, CMS, Monitoring, Provision, User.' -f $DatabaseType) -ErrorId 'DatabaseTypeNotSupported' -Category 'InvalidArgument' -Target $DatabaseType.ToString())
        }
        $pool = Find-LyncSimChatPoolByFqdn -State $state -Fqdn $PoolFqdn
        if ($null -eq $pool) {
            $known = @((Find-LyncSimPool $state) | Where-Object { Test-LyncSimName $_['fqdn'] $PoolFqdn })
            if ($known.Count -eq 0) {
                throw (New-LyncSimErrorRecord -Message ('Cannot find pool "{0}" in the topology.' -f $PoolFqdn) -ErrorId 'PoolNotFound' -Category 'ObjectNotFound' -Target $PoolFqdn)
            }
            return
        }
        $store = Get-LyncSimStoreInUse $pool
        $entries = New-Object System.Collections.Generic.List[object]
        foreach ($type in (Get-LyncSimChatDatabaseType $pool)) {
            if ($context.Bound.ContainsKey('DatabaseType') -and $type -ne $DatabaseType.ToString()) { continue }
            $db = Get-LyncSimDatabaseName $type
            $notEnabled = 'DatabaseInaccessibleOrMirroringNotEnabled'
            $onPrimary = $notEnabled; $onMirror = $notEnabled; $statusPrimary = ''; $statusMirror = ''
            if ($null -ne $store) {
                $principalSql = Find-LyncSimSqlServer -State $state -SqlServerFqdn $store['sqlServerFqdn'] -SqlInstanceName $store['sqlInstanceName']
                $principalUp = ($null -ne $principalSql) -and [bool](Get-LyncSimValue $principalSql 'online' $true) -and (Test-LyncSimDatabasePresent $principalSql $db)
                $mirror = Find-LyncSimMirror -State $state -DatabaseName $db -SqlServerFqdn $store['sqlServerFqdn'] -SqlInstanceName $store['sqlInstanceName']
                if ($null -ne $mirror) {
                    $mirrorSql = Find-LyncSimSqlServer -State $state -SqlServerFqdn $mirror['mirror']['sqlServerFqdn'] -SqlInstanceName $mirror['mirror']['sqlInstanceName']
                    $mirrorUp = ($null -ne $mirrorSql) -and [bool](Get-LyncSimValue $mirrorSql 'online' $true)
                    if ($principalUp) { $onPrimary = 'Principal' }
                    if ($mirrorUp) { $onMirror = 'Mirror' }
                    if ($principalUp -and $mirrorUp) { $statusPrimary = 'Synchronized'; $statusMirror = 'Synchronized' }
                    else {
                        if ($principalUp) { $statusPrimary = 'Disconnected' }
                        if ($mirrorUp) { $statusMirror = 'Disconnected' }
                    }
                }
            }
            $object = New-Object PSObject -Property ([ordered]@{
                    DatabaseName               = $db
                    StateOnPrimary             = $onPrimary
                    StateOnMirror              = $onMirror
                    MirroringStatusOnPrimary   = $statusPrimary
                    MirroringStatusOnSecondary = $statusMirror
                })
            $object.PSObject.TypeNames.Insert(0, 'Microsoft.Rtc.Management.Deployment.DatabaseMirrorState')
            $entries.Add((New-LyncSimReportEntry 'Info' ('{0}: StateOnPrimary={1} StateOnMirror={2}' -f $db, $onPrimary, $onMirror)))
            $object
        }
        if ($null -ne $reportPath) { Write-LyncSimReport -Path $reportPath -Title 'Get-CsDatabaseMirrorState' -Entries $entries.ToArray() }
    }
}

function Test-CsDatabase {
    <#
    .SYNOPSIS
    Tests connectivity to the Persistent Chat databases of the topology (LyncSim; ref 1.12).
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low', DefaultParameterSetName = 'ByDatabase')]
    param(
        [Parameter(ParameterSetName = 'ByCMS')][switch]$CentralManagementDatabase,
        [Parameter(ParameterSetName = 'ByConfigured', Mandatory = $true)][switch]$ConfiguredDatabases,
        [Parameter(ParameterSetName = 'ByDatabase', Mandatory = $true)][LyncSim.DatabaseNameType]$DatabaseType,
        [Parameter(ParameterSetName = 'ByLocal')][switch]$LocalService,
        [Parameter(ParameterSetName = 'ByCMS')]
        [Parameter(ParameterSetName = 'ByConfigured', Mandatory = $true)]
        [Parameter(ParameterSetName = 'ByDatabase', Mandatory = $true)][string]$SqlServerFqdn,
        [Parameter(ParameterSetName = 'ByCMS')]
        [Parameter(ParameterSetName = 'ByDatabase')][string]$SqlInstanceName,
        [string]$Report
    )
    Invoke-LyncSimCall -Cmdlet $PSCmdlet -Bound $PSBoundParameters -Body {
        param($state, $context)
        $reportPath = $null
        if ($context.Bound.ContainsKey('Report')) { $reportPath = Resolve-LyncSimReportPath -Cmdlet $context.Cmdlet -Report $Report }
        $set = $context.Cmdlet.ParameterSetName
        $items = @()
        if ($set -eq 'ByDatabase') {
            $instance = ''
            if ($context.Bound.ContainsKey('SqlInstanceName')) { $instance = $SqlInstanceName }
            $items = @((Get-LyncSimStoreOnInstance -State $state -SqlServerFqdn $SqlServerFqdn -Instance $instance) | Where-Object { $_.DatabaseType -eq $DatabaseType.ToString() })
            if ($items.Count -eq 0) {
                $target = Format-LyncSimSqlInstance $SqlServerFqdn $instance
                throw (New-LyncSimErrorRecord -Message ('No {0} database is defined in the topology on SQL Server "{1}".' -f $DatabaseType, $target) -ErrorId 'DatabaseNotFoundInTopology' -Category 'ObjectNotFound' -Target $target)
            }
        } elseif ($set -eq 'ByConfigured') {
            $items = Get-LyncSimStoreOnInstance -State $state -SqlServerFqdn $SqlServerFqdn -AnyInstance
            if ($items.Count -eq 0) {
                throw (New-LyncSimErrorRecord -Message ('No database is defined in the topology on SQL Server "{0}".' -f $SqlServerFqdn) -ErrorId 'DatabaseNotFoundInTopology' -Category 'ObjectNotFound' -Target $SqlServerFqdn)
            }
        } elseif ($set -eq 'ByLocal') {
            $local = [string](Get-LyncSimValue $state 'localComputer' '')
            foreach ($pool in (Get-LyncSimChatPool $state)) {
                $topologyPool = @(@(Get-LyncSimValue $state 'pools' @()) | Where-Object { Test-LyncSimName $_['fqdn'] $pool['poolFqdn'] })
                if ($topologyPool.Count -eq 0) { continue }
                if (-not (@(Get-LyncSimValue $topologyPool[0] 'computers' @()) | Where-Object { Test-LyncSimName $_ $local })) { continue }
                $store = Get-LyncSimStoreInUse $pool
                if ($null -eq $store) { continue }
                $items = @((Get-LyncSimStoreOnInstance -State $state -SqlServerFqdn $store['sqlServerFqdn'] -Instance $store['sqlInstanceName']) | Where-Object { [object]::ReferenceEquals($_.Pool, $pool) })
            }
        } else {
            $cms = Get-LyncSimValue $state 'centralManagementStore'
            $cmsFqdn = [string](Get-LyncSimValue $cms 'sqlServerFqdn' '')
            if (-not $cmsFqdn) {
                throw (New-LyncSimErrorRecord -Message 'The topology of this simulation defines no Central Management store SQL Server (centralManagementStore.sqlServerFqdn).' -ErrorId 'DatabaseNotFoundInTopology' -Category 'ObjectNotFound' -Target 'CentralMgmt')
            }
            $items = @(@{ Store = @{ sqlServerFqdn = $cmsFqdn; sqlInstanceName = [string](Get-LyncSimValue $cms 'sqlInstanceName' '') }; DatabaseName = 'xds'; Pool = $null; MirrorRole = $null; Cms = $true })
        }
        $entries = New-Object System.Collections.Generic.List[object]
        foreach ($item in $items) {
            $store = $item.Store
            $sql = Find-LyncSimSqlServer -State $state -SqlServerFqdn $store['sqlServerFqdn'] -SqlInstanceName $store['sqlInstanceName']
            $online = ($null -ne $sql) -and [bool](Get-LyncSimValue $sql 'online' $true)
            if ($item.ContainsKey('Cms')) {
                $present = [bool](Get-LyncSimValue $cms 'available' $true)
            } else {
                $present = $online -and (Test-LyncSimDatabasePresent $sql $item.DatabaseName)
            }
            $mirror = Find-LyncSimMirror -State $state -DatabaseName $item.DatabaseName -SqlServerFqdn $store['sqlServerFqdn'] -SqlInstanceName $store['sqlInstanceName']
            $expected = '1.1.1'
            $object = New-Object PSObject -Property ([ordered]@{
                    SqlServerFqdn         = $store['sqlServerFqdn']
                    SqlInstanceName       = $store['sqlInstanceName']
                    MirrorSqlServerFqdn   = $(if ($null -ne $mirror) { $mirror['mirror']['sqlServerFqdn'] } else { $null })
                    MirrorSqlInstanceName = $(if ($null -ne $mirror) { $mirror['mirror']['sqlInstanceName'] } else { $null })
                    DatabaseName          = $item.DatabaseName
                    DataSource            = $(if ($online) { Format-LyncSimSqlInstance $store['sqlServerFqdn'] $store['sqlInstanceName'] } else { '' })
                    SQLServerVersion      = $(if ($online) { [string](Get-LyncSimValue $sql 'version' '') } else { '' })
                    ExpectedVersion       = $expected
                    InstalledVersion      = $(if ($present) { $expected } else { '' })
                    Succeed               = [bool]$present
                })
            $object.PSObject.TypeNames.Insert(0, 'Microsoft.Rtc.SyntheticTransactions.TaskOutput')
            $entries.Add((New-LyncSimReportEntry $(if ($present) { 'Info' } else { 'Error' }) ('{0} on {1}: Succeed={2}' -f $item.DatabaseName, (Format-LyncSimSqlInstance $store['sqlServerFqdn'] $store['sqlInstanceName']), [bool]$present)))
            $object
        }
        if ($null -ne $reportPath) { Write-LyncSimReport -Path $reportPath -Title 'Test-CsDatabase' -Entries $entries.ToArray() }
    }
}
