BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
    function Get-Mirror { @((Get-LyncSimState).mirrors) }
    function Install-BackupMirror {
        param([hashtable]$With = @{})
        $parameters = @{ DatabaseType = 'PersistentChat'; SqlServerFqdn = 'sql2.contoso.com'; SqlInstanceName = 'rtc'; FileShare = '\\fs01.contoso.com\mirror'; Confirm = $false }
        foreach ($key in $With.Keys) { $parameters[$key] = $With[$key] }
        Install-CsMirrorDatabase @parameters
    }
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'Get-CsDatabaseMirrorState' {
    BeforeEach { New-TestLyncSimState -With @{ Product = 'Skype for Business Server 2015' } }

    It 'reports the primary store mirrored and synchronized while the pool is Normal' {
        $state = Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com' -DatabaseType PersistentChat
        $state.DatabaseName | Should -Be 'mgc'
        $state.StateOnPrimary | Should -Be 'Principal'
        $state.StateOnMirror | Should -Be 'Mirror'
        $state.MirroringStatusOnPrimary | Should -Be 'Synchronized'
    }

    It 'reports the backup store, not yet mirrored, once the pool is FailedOver' {
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        $state = Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com'
        $state.StateOnPrimary | Should -Be 'DatabaseInaccessibleOrMirroringNotEnabled'
        $state.StateOnMirror | Should -Be 'DatabaseInaccessibleOrMirroringNotEnabled'
        $state.MirroringStatusOnPrimary | Should -Be ''
    }

    It 'reports a disconnected mirror when the mirror instance is down' {
        Set-LyncSimSqlServer -SqlServerFqdn 'sql1m.contoso.com' -SqlInstanceName 'rtc' -Online $false
        $state = Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com'
        $state.StateOnPrimary | Should -Be 'Principal'
        $state.StateOnMirror | Should -Be 'DatabaseInaccessibleOrMirroringNotEnabled'
        $state.MirroringStatusOnPrimary | Should -Be 'Disconnected'
    }

    It 'refuses the PersistentChat database type on Lync Server 2013, whose list lacks it' {
        New-TestLyncSimState
        { Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com' -DatabaseType PersistentChat } | Should -Throw -ErrorId 'DatabaseTypeNotSupported,Get-CsDatabaseMirrorState'
        (Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com').DatabaseName | Should -Be 'mgc'
    }

    It 'throws ObjectNotFound for a pool that is not in the topology' {
        { Get-CsDatabaseMirrorState -PoolFqdn 'nope.contoso.com' } | Should -Throw -ErrorId 'PoolNotFound,Get-CsDatabaseMirrorState'
    }

    It 'writes its -Report file' {
        $report = Join-Path $TestDrive 'mirrorstate.html'
        $null = Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com' -Report $report
        Get-Content -Raw -LiteralPath $report | Should -Match 'mgc: StateOnPrimary=Principal'
    }
}

Describe 'Install-CsMirrorDatabase' {
    BeforeEach {
        New-TestLyncSimState -With @{ Product = 'Skype for Business Server 2015' }
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
    }

    It 'mirrors the backup store to the backup mirror of the topology and returns nothing' {
        $output = Install-BackupMirror
        $output | Should -BeNullOrEmpty
        $mirror = @(Get-Mirror | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' })
        $mirror.Count | Should -Be 1
        $mirror[0].mirror.sqlServerFqdn | Should -Be 'sql2m.contoso.com'
        $mirror[0].fileShare | Should -Be '\\fs01.contoso.com\mirror'
        (Get-CsDatabaseMirrorState -PoolFqdn 'pchat.contoso.com').StateOnMirror | Should -Be 'Mirror'
        (Test-CsDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql2.contoso.com' -SqlInstanceName 'rtc').MirrorSqlServerFqdn | Should -Be 'sql2m.contoso.com'
    }

    It 'writes an HTML -Report naming the database and both instances' {
        $report = Join-Path $TestDrive 'install.html'
        Install-BackupMirror -With @{ Report = $report }
        $html = Get-Content -Raw -LiteralPath $report
        $html | Should -Match '<html>'
        $html | Should -Match 'sql2\.contoso\.com\\rtc'
        $html | Should -Match 'sql2m\.contoso\.com\\rtc'
        $html | Should -Match 'completed'
    }

    It 'writes the -Report also when it fails, with the error' {
        $report = Join-Path $TestDrive 'failed.html'
        Set-LyncSimSqlServer -SqlServerFqdn 'sql2m.contoso.com' -SqlInstanceName 'rtc' -Online $false
        { Install-BackupMirror -With @{ Report = $report } } | Should -Throw
        Get-Content -Raw -LiteralPath $report | Should -Match 'Error.*Cannot connect to SQL Server'
    }

    It 'refuses a -Report in a folder that does not exist' {
        { Install-BackupMirror -With @{ Report = (Join-Path $TestDrive 'no/such/dir/r.html') } } | Should -Throw -ErrorId 'ReportFolderNotFound,Install-CsMirrorDatabase'
    }

    It 'refuses a second install while the database exists on the mirror, unless told to drop it' {
        Install-BackupMirror
        { Install-BackupMirror } | Should -Throw -ErrorId 'DatabaseExistsOnMirror,Install-CsMirrorDatabase'
        Install-BackupMirror -With @{ DropExistingDatabasesOnMirror = $true }
        @(Get-Mirror | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' }).Count | Should -Be 1
    }

    It 'refuses a file share that is not a UNC path' {
        { Install-BackupMirror -With @{ FileShare = 'D:\mirror' } } | Should -Throw -ErrorId 'FileShareNotUnc,Install-CsMirrorDatabase'
    }

    It 'refuses an instance that holds no store: the default instance is not rtc' {
        $parameters = @{ DatabaseType = 'PersistentChat'; SqlServerFqdn = 'sql2.contoso.com'; FileShare = '\\fs\m'; Confirm = $false }
        { Install-CsMirrorDatabase @parameters } | Should -Throw -ErrorId 'DatabaseNotFoundInTopology,Install-CsMirrorDatabase'
    }

    It 'refuses the mirror instance as principal' {
        { Install-BackupMirror -With @{ SqlServerFqdn = 'sql2m.contoso.com' } } | Should -Throw -ErrorId 'DatabaseNotFoundInTopology,Install-CsMirrorDatabase'
    }

    It 'fails with ConnectionError when the <Which> instance is down' -TestCases @(
        @{ Which = 'principal'; Fqdn = 'sql2.contoso.com' }, @{ Which = 'mirror'; Fqdn = 'sql2m.contoso.com' }
    ) {
        param($Fqdn)
        Set-LyncSimSqlServer -SqlServerFqdn $Fqdn -SqlInstanceName 'rtc' -Online $false
        $err = $null
        try { Install-BackupMirror } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'SqlServerUnavailable,Install-CsMirrorDatabase'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        @(Get-Mirror | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' }).Count | Should -Be 0
    }

    It 'refuses a store whose topology defines no mirror' {
        New-TestLyncSimState -With @{ BackupMirrorSqlServer = $null }
        { Install-BackupMirror } | Should -Throw -ErrorId 'MirrorNotInTopology,Install-CsMirrorDatabase'
    }

    It 'installs every configured database with -ConfiguredDatabases and honours -ExcludeDatabaseList' {
        New-TestLyncSimState -With @{ ComplianceEnabled = $true }
        Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -FileShare '\\fs\m' -ExcludeDatabaseList 'mgccomp' -Confirm:$false
        @(Get-Mirror | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' } | ForEach-Object { $_.databaseName }) | Should -Be @('mgc')
        Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -ForInstance 'rtc' -FileShare '\\fs\m' -DropExistingDatabasesOnMirror -Confirm:$false
        @(Get-Mirror | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' } | ForEach-Object { $_.databaseName }) | Should -Be @('mgc', 'mgccomp')
    }

    It 'refuses -ForInstance together with -ForDefaultInstance' {
        { Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -ForInstance rtc -ForDefaultInstance -FileShare '\\fs\m' -Confirm:$false } |
            Should -Throw -ErrorId 'ForInstanceConflict,Install-CsMirrorDatabase'
    }

    It 'installs nothing and writes no report with -WhatIf' {
        $report = Join-Path $TestDrive 'whatif.html'
        Install-BackupMirror -With @{ WhatIf = $true; Report = $report }
        @(Get-Mirror | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' }).Count | Should -Be 0
        Test-Path -LiteralPath $report | Should -BeFalse
    }

    It 'has no -Force and the misspelled parameter of the help example does not bind' {
        (Get-Command Install-CsMirrorDatabase).Parameters.ContainsKey('Force') | Should -BeFalse
        { Install-BackupMirror -With @{ DropExisitingDatabasesOnMirror = $true } } | Should -Throw -ErrorId 'NamedParameterNotFound,Install-CsMirrorDatabase'
    }

    It 'rejects an unknown -DatabaseType at parameter binding' {
        { Install-BackupMirror -With @{ DatabaseType = 'PChat' } } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Install-CsMirrorDatabase'
    }
}

Describe 'Uninstall-CsMirrorDatabase' {
    BeforeEach { New-TestLyncSimState }

    It 'removes the mirror and keeps the copy on the mirror instance' {
        $output = Uninstall-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql1.contoso.com' -SqlInstanceName 'rtc'
        $output | Should -BeNullOrEmpty
        @(Get-Mirror).Count | Should -Be 0
        @((Get-LyncSimState).sqlServers | Where-Object { $_.fqdn -eq 'sql1m.contoso.com' })[0].databases | Should -Be @('mgc')
    }

    It 'drops the copy on the mirror instance with -DropExistingDatabasesOnMirror' {
        Uninstall-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql1.contoso.com' -SqlInstanceName 'rtc' -DropExistingDatabasesOnMirror
        @(@((Get-LyncSimState).sqlServers | Where-Object { $_.fqdn -eq 'sql1m.contoso.com' })[0].databases).Count | Should -Be 0
    }

    It 'throws ObjectNotFound when no mirror is installed for the instance' {
        { Uninstall-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql2.contoso.com' -SqlInstanceName 'rtc' } | Should -Throw -ErrorId 'MirrorNotFound,Uninstall-CsMirrorDatabase'
    }

    It 'writes its -Report file' {
        $report = Join-Path $TestDrive 'uninstall.html'
        Uninstall-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql1.contoso.com' -SqlInstanceName 'rtc' -Report $report
        Get-Content -Raw -LiteralPath $report | Should -Match 'Removed mirroring of &quot;mgc&quot;'
    }
}

Describe 'Test-CsDatabase' {
    BeforeEach { New-TestLyncSimState }

    It 'succeeds for a store on an online instance and names its mirror and version' {
        $result = Test-CsDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql1.contoso.com' -SqlInstanceName 'rtc'
        $result.Succeed | Should -BeTrue
        $result.DatabaseName | Should -Be 'mgc'
        $result.MirrorSqlServerFqdn | Should -Be 'sql1m.contoso.com'
        $result.SQLServerVersion | Should -Be '11.0.7001.0'
        $result.DataSource | Should -Be 'sql1.contoso.com\rtc'
    }

    It 'fails (Succeed false) for a store whose instance is down' {
        Set-LyncSimSqlServer -SqlServerFqdn 'sql1.contoso.com' -SqlInstanceName 'rtc' -Online $false
        $result = Test-CsDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql1.contoso.com' -SqlInstanceName 'rtc'
        $result.Succeed | Should -BeFalse
        $result.SQLServerVersion | Should -Be ''
    }

    It 'tests the store the local server uses now with -LocalService' {
        (Test-CsDatabase -LocalService).SqlServerFqdn | Should -Be 'sql1.contoso.com'
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        (Test-CsDatabase -LocalService).SqlServerFqdn | Should -Be 'sql2.contoso.com'
    }

    It 'tests every configured database on a server with -ConfiguredDatabases' {
        New-TestLyncSimState -With @{ ComplianceEnabled = $true }
        @(Test-CsDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' | ForEach-Object { $_.DatabaseName }) | Should -Be @('mgc', 'mgccomp')
    }

    It 'throws ObjectNotFound for a server with no store' {
        { Test-CsDatabase -ConfiguredDatabases -SqlServerFqdn 'sql9.contoso.com' } | Should -Throw -ErrorId 'DatabaseNotFoundInTopology,Test-CsDatabase'
    }

    It 'writes its -Report file' {
        $report = Join-Path $TestDrive 'test.html'
        $null = Test-CsDatabase -LocalService -Report $report
        Get-Content -Raw -LiteralPath $report | Should -Match 'mgc on sql1.contoso.com\\rtc: Succeed=True'
    }
}

Describe 'Install-CsMirrorDatabase -Verbose' {
    BeforeEach { New-TestLyncSimState }

    It 'narrates its steps as verbose output' {
        $verbose = Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'sql2.contoso.com' -SqlInstanceName 'rtc' -FileShare '\\fs\m' -Confirm:$false -Verbose 4>&1
        @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message }) -join "`n" |
            Should -Match 'restored it on sql2m\.contoso\.com\\rtc WITH NORECOVERY'
    }
}
