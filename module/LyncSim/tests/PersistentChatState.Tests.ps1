BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'Get-CsPersistentChatState' {
    BeforeEach { New-TestLyncSimState }

    It 'returns one object per pool with the service identity and a PoolState enum' {
        $result = @(Get-CsPersistentChatState)
        $result.Count | Should -Be 1
        $result[0].Identity | Should -Be 'service:PersistentChatServer:pchat.contoso.com'
        $result[0].PoolState | Should -BeOfType ([LyncSim.PoolState])
        $result[0].PoolState.ToString() | Should -Be 'Normal'
        $result[0].PSObject.TypeNames[0] | Should -Be 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState'
    }

    It 'serialises PoolState as a number with ConvertTo-Json, as the real enum does' {
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        (Get-CsPersistentChatState | ConvertTo-Json -Compress) | Should -Match '"PoolState":1'
    }

    It 'accepts the documented identity form <Identity>' -TestCases @(
        @{ Identity = 'service:PersistentChatServer:pchat.contoso.com' }
        @{ Identity = 'PersistentChatServer:pchat.contoso.com' }
        @{ Identity = 'service:pchat.contoso.com' }
        @{ Identity = 'service: pchat.contoso.com' }
        @{ Identity = 'SERVICE:PCHAT.CONTOSO.COM' }
    ) {
        param($Identity)
        (Get-CsPersistentChatState -Identity $Identity).PoolFqdn | Should -Be 'pchat.contoso.com'
        Set-CsPersistentChatState -Identity $Identity -PoolState FailedOver
        (Get-TestPool).poolState | Should -Be 'FailedOver'
    }

    It 'writes a non-terminating ObjectNotFound error for an unknown identity' {
        $result = Get-CsPersistentChatState -Identity 'pchat.contoso.com' -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ItemNotFound,Get-CsPersistentChatState'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'pchat.contoso.com'
    }

    It 'filters pools with -Filter wildcards' {
        @(Get-CsPersistentChatState -Filter '*.contoso.com').Count | Should -Be 1
        @(Get-CsPersistentChatState -Filter '*.fabrikam.com').Count | Should -Be 0
    }

    It 'refuses an identity form the simulated deployment does not accept' {
        $state = Get-LyncSimState
        $state.options.stateIdentityForms = @('PersistentChatServer:{fqdn}')
        [System.IO.File]::WriteAllText($env:LYNCSIM_STATE, (ConvertTo-Json $state -Depth 30))
        { Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver } | Should -Throw -ErrorId 'ItemNotFound,Set-CsPersistentChatState'
        Set-CsPersistentChatState -Identity 'PersistentChatServer:pchat.contoso.com' -PoolState FailedOver
        (Get-TestPool).poolState | Should -Be 'FailedOver'
    }

    It 'fails with ResourceUnavailable while the Central Management store is down, but -LocalStore still reads' {
        Set-LyncSimCentralManagementStore -Available $false
        { Get-CsPersistentChatState } | Should -Throw -ErrorId 'CentralManagementStoreUnavailable,Get-CsPersistentChatState'
        (Get-CsPersistentChatState -LocalStore).PoolState.ToString() | Should -Be 'Normal'
    }

    It 'shows the previous state in -LocalStore until CMS replication has caught up' {
        Set-LyncSimCentralManagementStore -ReplicationDelaySeconds 3600
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        (Get-CsPersistentChatState).PoolState.ToString() | Should -Be 'FailedOver'
        (Get-CsPersistentChatState -LocalStore).PoolState.ToString() | Should -Be 'Normal'
        Set-LyncSimCentralManagementStore -ReplicationDelaySeconds 0
        (Get-CsPersistentChatState -LocalStore).PoolState.ToString() | Should -Be 'FailedOver'
    }
}

Describe 'Set-CsPersistentChatState' {
    BeforeEach { New-TestLyncSimState }

    It 'returns nothing; the new state is seen only by reading back' {
        $output = Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        $output | Should -BeNullOrEmpty
        (Get-CsPersistentChatState).PoolState.ToString() | Should -Be 'FailedOver'
    }

    It 'makes the pool use the backup store once FailedOver' {
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        (Test-CsDatabase -LocalService).SqlServerFqdn | Should -Be 'sql2.contoso.com'
    }

    It 'sets Normal when -PoolState is omitted, the documented default' {
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com'
        (Get-TestPool).poolState | Should -Be 'Normal'
    }

    It 'refuses a PoolState other than Normal or FailedOver at parameter binding' {
        { Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState 'Failover' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Set-CsPersistentChatState'
        @(Get-LyncSimCallLog -Cmdlet 'Set-CsPersistentChatState').Count | Should -Be 0
    }

    It 'throws ObjectNotFound for an unknown identity and changes nothing' {
        $before = (Get-LyncSimState).persistentChatPools
        $err = $null
        try { Set-CsPersistentChatState -Identity 'service:other.contoso.com' -PoolState FailedOver } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'ItemNotFound,Set-CsPersistentChatState'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        ((Get-LyncSimState).persistentChatPools | ConvertTo-Json -Depth 10) | Should -Be ($before | ConvertTo-Json -Depth 10)
    }

    It 'throws ObjectNotFound without an identity: the global scope names no pool' {
        { Set-CsPersistentChatState -PoolState FailedOver } | Should -Throw -ErrorId 'ItemNotFound,Set-CsPersistentChatState'
    }

    It 'takes the object read by Get-CsPersistentChatState from the pipeline (-Instance)' {
        Get-CsPersistentChatState | Set-CsPersistentChatState -PoolState FailedOver
        (Get-TestPool).poolState | Should -Be 'FailedOver'
        $state = Get-CsPersistentChatState
        $state.PoolState = 'Normal'
        Set-CsPersistentChatState -Instance $state
        (Get-TestPool).poolState | Should -Be 'Normal'
    }

    It 'refuses FailedOver for a pool whose topology has no backup store' {
        New-TestLyncSimState -With @{ BackupSqlServer = $null; BackupMirrorSqlServer = $null }
        { Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver } | Should -Throw -ErrorId 'NoBackupStore,Set-CsPersistentChatState'
        (Get-TestPool).poolState | Should -Be 'Normal'
    }

    It 'changes nothing with -WhatIf' {
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver -WhatIf
        (Get-TestPool).poolState | Should -Be 'Normal'
    }

    It 'refuses to write while the Central Management store is down' {
        Set-LyncSimCentralManagementStore -Available $false
        { Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver } | Should -Throw -ErrorId 'CentralManagementStoreUnavailable,Set-CsPersistentChatState'
        (Get-TestPool).poolState | Should -Be 'Normal'
    }
}
