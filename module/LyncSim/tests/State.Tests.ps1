BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'New-LyncSimState' {
    BeforeEach { Remove-Item -LiteralPath $env:LYNCSIM_STATE -Force -ErrorAction SilentlyContinue; New-TestLyncSimState }

    It 'writes a Normal pool that uses its primary store, mirrored to the primary mirror' {
        $state = Get-LyncSimState
        $pool = $state.persistentChatPools[0]
        $pool.poolState | Should -Be 'Normal'
        $pool.stores.primary.sqlServerFqdn | Should -Be 'sql1.contoso.com'
        $pool.stores.backupMirror.sqlInstanceName | Should -Be 'rtc'
        $state.mirrors.Count | Should -Be 1
        $state.mirrors[0].databaseName | Should -Be 'mgc'
        $state.mirrors[0].principal.sqlServerFqdn | Should -Be 'sql1.contoso.com'
        $state.mirrors[0].mirror.sqlServerFqdn | Should -Be 'sql1m.contoso.com'
    }

    It 'puts the log-shipping copy of mgc on the backup instance and nothing on the backup mirror' {
        $sql = @((Get-LyncSimState).sqlServers)
        @($sql | Where-Object { $_.fqdn -eq 'sql2.contoso.com' })[0].databases | Should -Be @('mgc')
        @(@($sql | Where-Object { $_.fqdn -eq 'sql2m.contoso.com' })[0].databases).Count | Should -Be 0
    }

    It 'makes the servers in the primary store''s data center active by default' {
        (Get-TestPool).activeServers | Should -Be @('pc1.contoso.com', 'pc2.contoso.com')
    }

    It 'refuses to overwrite an existing state file without -Force' {
        { New-LyncSimState -Path $env:LYNCSIM_STATE -PoolFqdn p.contoso.com -Computers a.contoso.com -PrimarySqlServer s.contoso.com } |
            Should -Throw -ErrorId 'LyncSimStateExists,New-LyncSimState'
    }

    It 'refuses an active server that is not a computer of the pool' {
        { New-TestLyncSimState -With @{ ActiveServers = @('pc9.contoso.com') } } | Should -Throw -ErrorId 'LyncSimInvalidTopology,New-LyncSimState'
    }

    It 'refuses more than eight computers in a pool' {
        $nine = 1..9 | ForEach-Object { "pc$_.contoso.com" }
        { New-TestLyncSimState -With @{ Computers = $nine; DataCenterMap = @{} } } | Should -Throw -ErrorId 'LyncSimInvalidTopology,New-LyncSimState'
    }

    It 'adds mgccomp to every store when compliance is enabled' {
        New-TestLyncSimState -With @{ ComplianceEnabled = $true }
        $state = Get-LyncSimState
        @($state.sqlServers | Where-Object { $_.fqdn -eq 'sql1.contoso.com' })[0].databases | Should -Be @('mgc', 'mgccomp')
        @($state.mirrors | ForEach-Object { $_.databaseName }) | Should -Be @('mgc', 'mgccomp')
    }
}

Describe 'The state file' {
    BeforeEach { New-TestLyncSimState }

    It 'round-trips through LyncSim without changing' {
        $before = Get-TestStateJson
        & (Get-Module LyncSim) { param($p) Update-LyncSimState -Path $p -ScriptBlock { param($s) } } $env:LYNCSIM_STATE
        Get-TestStateJson | Should -Be $before
    }

    It 'leaves no temporary file behind after writes' {
        Get-CsPersistentChatState | Out-Null
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        @(Get-ChildItem -LiteralPath $TestDrive -Force -Filter '*.tmp').Count | Should -Be 0
    }

    It 'is documented by an example that has every top-level key LyncSim writes' {
        $example = Get-Content -Raw -LiteralPath (Join-Path (Split-Path -Parent $PSScriptRoot) 'examples/state.json') | ConvertFrom-Json
        $written = Get-Content -Raw -LiteralPath $env:LYNCSIM_STATE | ConvertFrom-Json
        @($example.PSObject.Properties.Name) | Should -Be @($written.PSObject.Properties.Name)
        $example.schemaVersion | Should -Be 1
    }

    It 'is usable as the example state: the cmdlets work on a copy of examples/state.json' {
        Copy-Item -LiteralPath (Join-Path (Split-Path -Parent $PSScriptRoot) 'examples/state.json') -Destination $env:LYNCSIM_STATE -Force
        (Get-CsPersistentChatState).PoolFqdn | Should -Be 'pchat.contoso.com'
        @((Get-CsService -PersistentChatServer).ActiveServers) | Should -Be @('pc1.contoso.com', 'pc2.contoso.com')
    }

    It 'makes every cmdlet fail with LyncSimStateNotSet when LYNCSIM_STATE is unset' {
        $saved = $env:LYNCSIM_STATE
        try {
            $env:LYNCSIM_STATE = $null
            { Get-CsPersistentChatState } | Should -Throw -ErrorId 'LyncSimStateNotSet,Get-CsPersistentChatState'
        } finally { $env:LYNCSIM_STATE = $saved }
    }

    It 'makes every cmdlet fail with ObjectNotFound when the state file is missing' {
        $saved = $env:LYNCSIM_STATE
        try {
            $env:LYNCSIM_STATE = Join-Path $TestDrive 'absent.json'
            $err = $null
            try { Get-CsPool } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'LyncSimStateMissing,Get-CsPool'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        } finally { $env:LYNCSIM_STATE = $saved }
    }
}

Describe 'A minimal state file written by another program' {
    It 'works with only pools, sqlServers and persistentChatPools' {
        $minimal = @'
{
  "schemaVersion": 1,
  "pools": [ { "fqdn": "pchat.lab.local", "site": "Lab", "role": "PersistentChatServer", "computers": [ "pc1.lab.local", "pc2.lab.local" ] } ],
  "sqlServers": [
    { "fqdn": "sqlp.lab.local", "instance": "", "online": true, "version": "11.0.7001.0", "databases": [ "mgc" ] },
    { "fqdn": "sqlb.lab.local", "instance": "", "online": true, "version": "11.0.7001.0", "databases": [ "mgc" ] },
    { "fqdn": "sqlbm.lab.local", "instance": "", "online": true, "version": "11.0.7001.0", "databases": [] }
  ],
  "persistentChatPools": [ {
    "poolFqdn": "pchat.lab.local", "poolState": "Normal", "activeServers": [ "pc1.lab.local" ],
    "stores": { "primary": { "sqlServerFqdn": "sqlp.lab.local", "sqlInstanceName": "" }, "primaryMirror": null,
                "backup": { "sqlServerFqdn": "sqlb.lab.local", "sqlInstanceName": "" },
                "backupMirror": { "sqlServerFqdn": "sqlbm.lab.local", "sqlInstanceName": "" } } } ]
}
'@
        [System.IO.File]::WriteAllText($env:LYNCSIM_STATE, $minimal)
        Set-CsPersistentChatState -Identity 'service:pchat.lab.local' -PoolState FailedOver
        Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sqlb.lab.local' -FileShare '\\fs\m' -Confirm:$false
        Set-CsPersistentChatActiveServer -ActiveServers @{ Replace = 'pc2.lab.local' }
        (Get-CsPersistentChatState).PoolState.ToString() | Should -Be 'FailedOver'
        (Get-CsDatabaseMirrorState -PoolFqdn 'pchat.lab.local').StateOnMirror | Should -Be 'Mirror'
        @((Get-CsService -PersistentChatServer).ActiveServers) | Should -Be @('pc2.lab.local')
        @(Get-LyncSimCallLog).Count | Should -Be 6
    }
}

Describe 'The product module' {
    It 'does not export or load LyncSim' {
        $manifest = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'PCFailover/PCFailover.psd1'
        $data = Import-PowerShellDataFile -LiteralPath $manifest
        $lyncSim = (Get-Module LyncSim).ExportedFunctions.Keys
        @($data.FunctionsToExport | Where-Object { $lyncSim -contains $_ }).Count | Should -Be 0
        (Get-Content -Raw -LiteralPath $manifest) | Should -Not -Match 'LyncSim'
    }
}
