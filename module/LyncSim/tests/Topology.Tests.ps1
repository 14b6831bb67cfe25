BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'Get-CsService' {
    BeforeEach { New-TestLyncSimState }

    It 'returns the Persistent Chat service with its stores, registrar and server lists' {
        $service = @(Get-CsService -PersistentChatServer)
        $service.Count | Should -Be 1
        $service[0].Identity | Should -Be 'PersistentChatServer:pchat.contoso.com'
        $service[0].Role | Should -Be 'PersistentChatServer'
        $service[0].PoolFqdn | Should -Be 'pchat.contoso.com'
        $service[0].SiteId | Should -Be 'Site:Redmond'
        $service[0].PersistentChatDatabase | Should -Be 'PersistentChatStore:sql1.contoso.com'
        $service[0].PersistentChatBackupDatabase | Should -Be 'PersistentChatStore:sql2.contoso.com'
        $service[0].Registrar | Should -Be 'Registrar:fe01.contoso.com'
        $service[0].Version | Should -Be 6
    }

    It 'returns the primary and backup stores with the topology mirror of each' {
        $stores = @(Get-CsService -PersistentChatDatabase)
        $stores.Count | Should -Be 2
        $primary = @($stores | Where-Object { -not $_.IsBackup })[0]
        $backup = @($stores | Where-Object { $_.IsBackup })[0]
        $primary.Identity | Should -Be 'PersistentChatStore:sql1.contoso.com'
        $primary.SqlInstanceName | Should -Be 'rtc'
        $primary.MirrorSqlServerFqdn | Should -Be 'sql1m.contoso.com'
        $backup.MirrorSqlServerFqdn | Should -Be 'sql2m.contoso.com'
        $backup.DependentServiceList | Should -Be @('PersistentChatServer:pchat.contoso.com')
    }

    It 'returns compliance stores only when compliance is enabled' {
        @(Get-CsService -PersistentChatComplianceDatabase).Count | Should -Be 0
        New-TestLyncSimState -With @{ ComplianceEnabled = $true }
        @(Get-CsService -PersistentChatComplianceDatabase).Count | Should -Be 2
        (Get-CsService -PersistentChatServer).PersistentChatComplianceDatabase | Should -Be 'PersistentChatComplianceStore:sql1.contoso.com'
    }

    It 'finds a service by identity <Identity>' -TestCases @(
        @{ Identity = 'PersistentChatServer:pchat.contoso.com' }, @{ Identity = 'service:PersistentChatServer:pchat.contoso.com' }
    ) {
        param($Identity)
        (Get-CsService -Identity $Identity).Role | Should -Be 'PersistentChatServer'
    }

    It 'writes a non-terminating ObjectNotFound error for an unknown identity' {
        $result = Get-CsService -Identity 'PersistentChatServer:other.contoso.com' -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ItemNotFound,Get-CsService'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'filters by -PoolFqdn and by -Filter' {
        @(Get-CsService -PoolFqdn 'sql2.contoso.com').Identity | Should -Be @('PersistentChatStore:sql2.contoso.com')
        @(Get-CsService -Filter 'Registrar:*').Identity | Should -Be @('Registrar:fe01.contoso.com')
    }

    It 'accepts one role switch per call' {
        { Get-CsService -PersistentChatServer -PersistentChatDatabase } | Should -Throw -ErrorId 'AmbiguousParameterSet,Get-CsService'
    }
}

Describe 'Get-CsPool' {
    BeforeEach { New-TestLyncSimState }

    It 'returns the Persistent Chat pool with its computers, site and services' {
        $pool = Get-CsPool -Identity 'pchat.contoso.com'
        $pool.Fqdn | Should -Be 'pchat.contoso.com'
        $pool.Site | Should -Be 'Site:Redmond'
        @($pool.Computers) | Should -Be @('pc1.contoso.com', 'pc2.contoso.com', 'pc3.contoso.com', 'pc4.contoso.com')
        @($pool.Services) | Should -Be @('PersistentChatServer:pchat.contoso.com')
    }

    It 'lists SQL Server stores as pools named by their FQDN' {
        (Get-CsPool -Identity 'sql2.contoso.com').Services | Should -Be @('PersistentChatStore:sql2.contoso.com')
    }

    It 'takes the site display name for -Site and refuses the site identity' {
        @(Get-CsPool -Site 'Redmond').Count | Should -Be 6
        Get-CsPool -Site 'site:Redmond' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'SiteNotFound,Get-CsPool'
    }

    It 'writes a non-terminating ObjectNotFound error for an unknown pool' {
        Get-CsPool -Identity 'nope.contoso.com' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ItemNotFound,Get-CsPool'
    }

    It 'matches -Filter wildcards against pool FQDNs' {
        @(Get-CsPool -Filter 'pc*').Count | Should -Be 1
    }
}
