BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'Set-CsPersistentChatActiveServer' {
    BeforeEach { New-TestLyncSimState -With @{ Computers = @('pc1.contoso.com', 'pc2.contoso.com', 'pc3.contoso.com', 'pc4.contoso.com', 'pc5.contoso.com') } }

    It 'applies <Name> to the active list' -TestCases @(
        @{ Name = '@{Add=..}'; Value = @{ Add = 'pc3.contoso.com' }; Expected = @('pc1.contoso.com', 'pc2.contoso.com', 'pc3.contoso.com') }
        @{ Name = '@{Remove=..}'; Value = @{ Remove = 'pc1.contoso.com' }; Expected = @('pc2.contoso.com') }
        @{ Name = '@{Replace=..}'; Value = @{ Replace = 'pc3.contoso.com', 'pc4.contoso.com' }; Expected = @('pc3.contoso.com', 'pc4.contoso.com') }
        @{ Name = 'an array'; Value = @('pc4.contoso.com', 'pc3.contoso.com'); Expected = @('pc4.contoso.com', 'pc3.contoso.com') }
        @{ Name = 'a single FQDN'; Value = 'pc3.contoso.com'; Expected = @('pc3.contoso.com') }
        @{ Name = 'an FQDN in other case'; Value = @{ Add = 'PC3.Contoso.COM' }; Expected = @('pc1.contoso.com', 'pc2.contoso.com', 'pc3.contoso.com') }
    ) {
        param($Value, $Expected)
        $output = Set-CsPersistentChatActiveServer -Identity 'PersistentChatServer:pchat.contoso.com' -ActiveServers $Value
        $output | Should -BeNullOrEmpty
        @((Get-TestPool).activeServers) | Should -Be $Expected
    }

    It 'clears every active server with -ActiveServers $null' {
        Set-CsPersistentChatActiveServer -Identity 'PChatServerCollection' -ActiveServers $null
        @((Get-TestPool).activeServers).Count | Should -Be 0
    }

    It 'swaps active and inactive servers with -Swap' {
        Set-CsPersistentChatActiveServer -ActiveServers @{ Add = 'pc5.contoso.com' }
        Set-CsPersistentChatActiveServer -Identity global -Swap
        @((Get-TestPool).activeServers) | Should -Be @('pc3.contoso.com', 'pc4.contoso.com')
    }

    It 'refuses a server that is not in the pool and changes nothing' {
        $err = $null
        try { Set-CsPersistentChatActiveServer -ActiveServers @{ Add = 'fe01a.contoso.com' } } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'ActiveServerNotInPool,Set-CsPersistentChatActiveServer'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be 'fe01a.contoso.com'
        @((Get-TestPool).activeServers) | Should -Be @('pc1.contoso.com', 'pc2.contoso.com')
    }

    It 'refuses a fifth active server' {
        { Set-CsPersistentChatActiveServer -ActiveServers @{ Add = 'pc3.contoso.com', 'pc4.contoso.com', 'pc5.contoso.com' } } |
            Should -Throw -ErrorId 'TooManyActiveServers,Set-CsPersistentChatActiveServer'
        @((Get-TestPool).activeServers).Count | Should -Be 2
    }

    It 'accepts the collection identity <Identity>' -TestCases @(
        @{ Identity = 'global' }, @{ Identity = 'PChatServerCollection' },
        @{ Identity = 'PersistentChatServer:pchat.contoso.com' }, @{ Identity = 'service:PersistentChatServer:pchat.contoso.com' }
    ) {
        param($Identity)
        Set-CsPersistentChatActiveServer -Identity $Identity -ActiveServers @{ Replace = 'pc4.contoso.com' }
        @((Get-TestPool).activeServers) | Should -Be @('pc4.contoso.com')
    }

    It 'refuses an unknown collection identity with ObjectNotFound' {
        { Set-CsPersistentChatActiveServer -Identity 'service:pchat.contoso.com' -ActiveServers $null } | Should -Throw -ErrorId 'ItemNotFound,Set-CsPersistentChatActiveServer'
        @((Get-TestPool).activeServers).Count | Should -Be 2
    }

    It 'requires -ActiveServers or -Swap' {
        (Get-Command Set-CsPersistentChatActiveServer).Parameters['ActiveServers'].ParameterSets['Explicit'].IsMandatory | Should -BeTrue
        (Get-Command Set-CsPersistentChatActiveServer).Parameters['ActiveServers'].ParameterType.Name | Should -Be 'PSListModifier`1'
    }

    It 'changes nothing with -WhatIf' {
        Set-CsPersistentChatActiveServer -ActiveServers $null -WhatIf
        @((Get-TestPool).activeServers).Count | Should -Be 2
    }

    It 'is read back through Get-CsService -PersistentChatServer' {
        Set-CsPersistentChatActiveServer -ActiveServers @{ Replace = 'pc3.contoso.com', 'pc4.contoso.com' }
        $service = Get-CsService -PersistentChatServer
        @($service.ActiveServers) | Should -Be @('pc3.contoso.com', 'pc4.contoso.com')
        @($service.InactiveServers) | Should -Be @('pc1.contoso.com', 'pc2.contoso.com', 'pc5.contoso.com')
    }

    It 'has no Get- counterpart, as in Lync' {
        Get-Command Get-CsPersistentChatActiveServer -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
