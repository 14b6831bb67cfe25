# End-to-end: Invoke-PCFailback through the real pcfailover binary against a `pcfailover lab`
# of the failedover scenario (the whole failover already run by pcfailover, LyncSim
# FailedOver, 40 transactions committed on the backup since, the primary rebuilt with an
# empty mgc). No mocks.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Force
    $script:binary = & (Get-Module PCFailover) { Get-PCCorePath }

    function Get-LabFileSnapshot {
        # Every file of the lab by relative path, size and SHA-256 (the LyncSim state without
        # its call log and call counter, which reading cmdlets advance); the server's log and lock aside.
        param([object]$Lab)
        $root = (Resolve-Path -LiteralPath $Lab.dir).ProviderPath
        $lines = foreach ($file in Get-ChildItem -LiteralPath $root -Recurse -File | Sort-Object FullName) {
            $relative = $file.FullName.Substring($root.Length)
            if ($relative -match '(^|[\\/])lab\.(log|lock|stop)$') { continue }
            if ($file.FullName -eq $Lab.lync.state) {
                $state = Get-Content -LiteralPath $file.FullName -Raw | ConvertFrom-Json
                $state.PSObject.Properties.Remove('callLog')
                $state.PSObject.Properties.Remove('callSeq')
                '{0} {1}' -f $relative, ($state | ConvertTo-Json -Depth 20 -Compress)
                continue
            }
            '{0} {1} {2}' -f $relative, $file.Length, (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash
        }
        , @($lines)
    }
}

Describe 'Invoke-PCFailback on a failed-over lab' {
    BeforeAll {
        $dir = Join-Path $TestDrive 'lab-failedover'
        $out = & $binary lab up --dir $dir --scenario failedover 2>&1
        if ($LASTEXITCODE -ne 0) { throw ("pcfailover lab up --scenario failedover failed (exit {0}): {1}" -f $LASTEXITCODE, ($out -join "`n")) }
        $script:lab = Get-Content -LiteralPath (Join-Path $dir 'lab.json') -Raw | ConvertFrom-Json
        foreach ($variable in $lab.env.PSObject.Properties) {
            [Environment]::SetEnvironmentVariable($variable.Name, [string]$variable.Value)
        }
        $script:primary = $lab.instances.primary
    }
    AfterAll {
        if ($null -ne $lab) { $null = & $binary lab down --dir $lab.dir 2>&1 }
    }

    It 'names a ready failback request in lab.json' {
        $lab.failbackRequest | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath $lab.failbackRequest | Should -BeTrue
        $lab.facts.failedOver.backupTransactions | Should -BeGreaterThan 0
    }

    It 'changes nothing with -WhatIf: same files, no mutating Lync call' {
        $before = Get-LabFileSnapshot -Lab $lab
        $calls = @((Get-Content -LiteralPath $lab.lync.state -Raw | ConvertFrom-Json).callLog).Count
        $output = @(Invoke-PCFailback -RequestPath $lab.failbackRequest -WhatIf -WarningAction SilentlyContinue 6>&1 | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] })
        @($output | Where-Object { $_.PSObject.TypeNames -contains 'PCFailover.Report' }) | Should -HaveCount 0
        $after = Get-LabFileSnapshot -Lab $lab
        Compare-Object -ReferenceObject $before -DifferenceObject $after | Should -BeNullOrEmpty
        $log = @((Get-Content -LiteralPath $lab.lync.state -Raw | ConvertFrom-Json).callLog)
        @($log | Select-Object -Skip $calls | Where-Object { $_.cmdlet -notmatch '^(Get|Test)-' }) | Should -HaveCount 0
    }

    It 'fails the pool back: LyncSim Normal, the primary mgc ONLINE with every transaction' {
        $report = Invoke-PCFailback -RequestPath $lab.failbackRequest -Confirm:$false -WarningAction SilentlyContinue
        @($report) | Should -HaveCount 1
        $report.PSObject.TypeNames[0] | Should -Be 'PCFailover.Report'
        $report.Command | Should -Be 'failback'
        $report.Outcome | Should -Be 'succeeded'
        $report.ExitCode | Should -Be 0
        $steps = @{}
        foreach ($step in $report.Steps) { $steps[$step.Id] = $step.Status }
        foreach ($id in @('lync-clear-active-servers', 'lync-remove-backup-mirror', 'full-backup', 'tail-log-backup', 'restore-primary',
                'lync-pool-state-normal', 'lync-active-servers', 'reseed-backup', 'log-shipping-primary', 'log-shipping-secondary', 'lync-primary-mirror')) {
            $steps[$id] | Should -Be 'done' -Because $id
        }

        $state = Get-Content -LiteralPath $lab.lync.state -Raw | ConvertFrom-Json
        $chat = @($state.persistentChatPools | Where-Object { $_.poolFqdn -eq $lab.pool })[0]
        $chat.poolState | Should -Be 'Normal'
        @($chat.activeServers | Sort-Object) | Should -Be @($lab.facts.failedOver.failbackActiveServers | Sort-Object)
        foreach ($server in @($chat.activeServers)) { $lab.lync.dataCenters.$server | Should -Be $lab.lync.primaryDataCenter }
        @($state.mirrors | Where-Object { $_.principal.sqlServerFqdn -like 'sqlpcpri.*' -and $_.mirror.sqlServerFqdn -like 'sqlpcprimir.*' }) | Should -HaveCount 1

        # Every transaction: the primary was recovered exactly at the end of the tail-log
        # backup, taken WITH NORECOVERY after the writers were stopped (the engine reads the
        # primary's LSN back over TCP before it reports the step done).
        $report.DatabaseState | Should -Be 'ONLINE'
        $tail = ($report.Steps | Where-Object { $_.Id -eq 'tail-log-backup' }).Detail
        $restore = ($report.Steps | Where-Object { $_.Id -eq 'restore-primary' }).Detail
        $tail -match 'last LSN (\d+)' | Should -BeTrue -Because $tail
        $tailLsn = $Matches[1]
        $restore | Should -Match ('ONLINE at LSN {0} ' -f $tailLsn)
        $restore | Should -Match 'every transaction of the backup database is there'
    }

    It 'finds everything done when the same request runs again' {
        $report = Invoke-PCFailback -RequestPath $lab.failbackRequest -Confirm:$false -WarningAction SilentlyContinue
        $report.Outcome | Should -Be 'succeeded'
        @($report.Steps | Where-Object { @('lock', 'check-state') -notcontains $_.Id -and @('already-done', 'skipped') -notcontains $_.Status }) | Should -HaveCount 0
    }

}
