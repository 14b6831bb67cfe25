function New-LyncSimState {
    <#
    .SYNOPSIS
    Writes a new, consistent LyncSim state file: one Persistent Chat pool stretched over two data
    centers with primary, primary-mirror, backup and backup-mirror SQL Server stores.
    .DESCRIPTION
    The pool starts Normal, using its primary store; the primary store is mirrored to the
    primary-mirror store when one is given; the backup store holds the log-shipping secondary
    copy of mgc; the backup-mirror store holds nothing yet. SQL Server names are "fqdn" or
    "fqdn\instance". See README.md for the format written.
    .EXAMPLE
    New-LyncSimState -Path $env:LYNCSIM_STATE -PoolFqdn pchat.contoso.com -Computers pc1.contoso.com,pc2.contoso.com,pc3.contoso.com,pc4.contoso.com -PrimarySqlServer 'sql1.contoso.com\rtc' -PrimaryMirrorSqlServer 'sql1m.contoso.com\rtc' -BackupSqlServer 'sql2.contoso.com\rtc' -BackupMirrorSqlServer 'sql2m.contoso.com\rtc' -DataCenterMap @{'pc1.contoso.com'='DC1';'pc2.contoso.com'='DC1';'pc3.contoso.com'='DC2';'pc4.contoso.com'='DC2'}
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$PoolFqdn,
        [Parameter(Mandatory = $true)][string[]]$Computers,
        [Parameter(Mandatory = $true)][string]$PrimarySqlServer,
        [string]$PrimaryMirrorSqlServer,
        [string]$BackupSqlServer,
        [string]$BackupMirrorSqlServer,
        [string[]]$ActiveServers,
        [string]$RegistrarPoolFqdn,
        [string[]]$RegistrarComputers,
        [string]$Site = 'Redmond',
        [ValidateSet('Lync Server 2013', 'Skype for Business Server 2015')][string]$Product = 'Lync Server 2013',
        [hashtable]$DataCenterMap,
        [switch]$ComplianceEnabled,
        [switch]$NoPrimaryMirror,
        [string]$LocalComputer,
        [string]$SqlVersion = '11.0.7001.0',
        [switch]$Force
    )
    $fail = {
        param($message, $target)
        $PSCmdlet.ThrowTerminatingError((New-LyncSimErrorRecord -Message $message -ErrorId 'LyncSimInvalidTopology' -Category 'InvalidArgument' -Target $target))
    }
    $split = {
        param($value)
        $parts = ([string]$value).Split([char]'\')
        if ($parts.Count -gt 2 -or [string]::IsNullOrEmpty($parts[0])) { & $fail ("'{0}' is not a SQL Server name of the form fqdn or fqdn\instance." -f $value) $value }
        $instance = ''
        if ($parts.Count -eq 2) { $instance = $parts[1] }
        return [ordered]@{ sqlServerFqdn = $parts[0]; sqlInstanceName = $instance }
    }

    $computerList = @($Computers | Where-Object { -not [string]::IsNullOrEmpty($_) })
    # "high availability and disaster recovery configurations will allow up to eight, but only
    # four can be active" (reference section 1.3).
    if ($computerList.Count -lt 1 -or $computerList.Count -gt 8) { & $fail ('A Persistent Chat pool has 1 to 8 servers; {0} given.' -f $computerList.Count) $PoolFqdn }
    if (-not $RegistrarPoolFqdn) {
        $domain = ''
        $dot = $PoolFqdn.IndexOf('.')
        if ($dot -gt 0) { $domain = $PoolFqdn.Substring($dot) }
        $RegistrarPoolFqdn = 'fe01' + $domain
    }
    if (-not $RegistrarComputers) { $RegistrarComputers = @($RegistrarPoolFqdn) }

    $stores = [ordered]@{ primary = (& $split $PrimarySqlServer); primaryMirror = $null; backup = $null; backupMirror = $null }
    if ($PrimaryMirrorSqlServer) { $stores.primaryMirror = & $split $PrimaryMirrorSqlServer }
    if ($BackupSqlServer) { $stores.backup = & $split $BackupSqlServer }
    if ($BackupMirrorSqlServer) {
        if (-not $BackupSqlServer) { & $fail 'A backup mirror store needs a backup store (-BackupSqlServer).' $BackupMirrorSqlServer }
        $stores.backupMirror = & $split $BackupMirrorSqlServer
    }

    $mapLookup = @{}
    if ($DataCenterMap) { foreach ($key in $DataCenterMap.Keys) { $mapLookup[([string]$key).ToLowerInvariant()] = [string]$DataCenterMap[$key] } }

    if ($PSBoundParameters.ContainsKey('ActiveServers')) {
        $active = @($ActiveServers | Where-Object { -not [string]::IsNullOrEmpty($_) })
    } elseif ($DataCenterMap -and $mapLookup.ContainsKey($stores.primary.sqlServerFqdn.ToLowerInvariant())) {
        # Active servers start in the data center of the primary store (reference section 2.1, step 7).
        $primaryDc = $mapLookup[$stores.primary.sqlServerFqdn.ToLowerInvariant()]
        $active = @($computerList | Where-Object { $mapLookup[$_.ToLowerInvariant()] -eq $primaryDc } | Select-Object -First 4)
    } else {
        $active = @($computerList | Select-Object -First ([Math]::Min(4, [Math]::Max(1, [Math]::Ceiling($computerList.Count / 2)))))
    }
    foreach ($server in $active) {
        if (-not ($computerList | Where-Object { Test-LyncSimName $_ $server })) { & $fail ("Active server '{0}' is not a computer of pool '{1}'." -f $server, $PoolFqdn) $server }
    }
    if ($active.Count -gt 4) { & $fail 'At most 4 servers of a Persistent Chat pool can be active.' $PoolFqdn }

    $types = @('PersistentChat')
    if ($ComplianceEnabled) { $types += 'PersistentChatCompliance' }
    $databases = @($types | ForEach-Object { Get-LyncSimDatabaseName $_ })

    $sqlServers = New-Object System.Collections.Generic.List[object]
    $addSql = {
        param($store, [string[]]$dbs)
        if ($null -eq $store) { return }
        foreach ($existing in $sqlServers) {
            if ((Test-LyncSimName $existing.fqdn $store.sqlServerFqdn) -and (Test-LyncSimName $existing.instance $store.sqlInstanceName)) {
                & $fail ('SQL Server {0} is given for two stores.' -f (Format-LyncSimSqlInstance $store.sqlServerFqdn $store.sqlInstanceName)) $store.sqlServerFqdn
            }
        }
        $sqlServers.Add([ordered]@{
                fqdn      = $store.sqlServerFqdn
                instance  = $store.sqlInstanceName
                site      = $Site
                online    = $true
                version   = $SqlVersion
                databases = @($dbs)
            })
    }
    & $addSql $stores.primary $databases
    if ($NoPrimaryMirror) { & $addSql $stores.primaryMirror @() } else { & $addSql $stores.primaryMirror $databases }
    & $addSql $stores.backup $databases
    & $addSql $stores.backupMirror @()

    $now = Get-LyncSimTimestamp
    $mirrors = New-Object System.Collections.Generic.List[object]
    if ($null -ne $stores.primaryMirror -and -not $NoPrimaryMirror) {
        foreach ($type in $types) {
            $mirrors.Add([ordered]@{
                    databaseType = $type
                    databaseName = (Get-LyncSimDatabaseName $type)
                    principal    = [ordered]@{ sqlServerFqdn = $stores.primary.sqlServerFqdn; sqlInstanceName = $stores.primary.sqlInstanceName }
                    mirror       = [ordered]@{ sqlServerFqdn = $stores.primaryMirror.sqlServerFqdn; sqlInstanceName = $stores.primaryMirror.sqlInstanceName }
                    fileShare    = ''
                    installedAt  = $now
                })
        }
    }

    $dataCenters = [ordered]@{}
    if ($DataCenterMap) { foreach ($key in ($DataCenterMap.Keys | Sort-Object)) { $dataCenters[[string]$key] = [string]$DataCenterMap[$key] } }

    $state = [ordered]@{
        schemaVersion          = 1
        product                = $Product
        centralManagementStore = [ordered]@{ available = $true; replicationDelaySeconds = 0 }
        localComputer          = $(if ($LocalComputer) { $LocalComputer } else { $computerList[0] })
        pools                  = @(
            [ordered]@{ fqdn = $RegistrarPoolFqdn; site = $Site; role = 'Registrar'; computers = @($RegistrarComputers) },
            [ordered]@{ fqdn = $PoolFqdn; site = $Site; role = 'PersistentChatServer'; computers = @($computerList) }
        )
        sqlServers             = $sqlServers.ToArray()
        persistentChatPools    = @(
            [ordered]@{
                poolFqdn           = $PoolFqdn
                registrarPoolFqdn  = $RegistrarPoolFqdn
                complianceEnabled  = [bool]$ComplianceEnabled
                poolState          = 'Normal'
                previousPoolState  = 'Normal'
                poolStateChangedAt = $now
                activeServers      = @($active | ForEach-Object { $s = $_; @($computerList | Where-Object { Test-LyncSimName $_ $s })[0] })
                stores             = $stores
            }
        )
        mirrors                = $mirrors.ToArray()
        dataCenters            = $dataCenters
        options                = $script:LyncSimDefaultOptions
        faults                 = @()
        callSeq                = 0
        callLog                = @()
    }

    $full = [System.IO.Path]::GetFullPath($Path)
    if ((Test-Path -LiteralPath $full) -and -not $Force) {
        $PSCmdlet.ThrowTerminatingError((New-LyncSimErrorRecord -Message ("LyncSim state file '{0}' already exists; use -Force to replace it." -f $full) -ErrorId 'LyncSimStateExists' -Category 'ResourceExists' -Target $full))
    }
    if ($PSCmdlet.ShouldProcess($full, 'Write LyncSim state')) {
        $directory = [System.IO.Path]::GetDirectoryName($full)
        if (-not (Test-Path -LiteralPath $directory)) { [void](New-Item -ItemType Directory -Path $directory -Force) }
        Write-LyncSimStateFile -Path $full -State $state
        Get-Item -LiteralPath $full
    }
}
