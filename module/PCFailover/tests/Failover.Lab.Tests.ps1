# End-to-end: the PCFailover module through the real pcfailover binary against
# `pcfailover lab` (SQL Server simulators, the share and copy folder, LyncSim). One lab per
# Describe block, stopped in AfterAll. No mocks: every run below is the production path.
BeforeDiscovery {
    $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
    $scenarioCases = @(
        @{ Scenario = 'planned'; TailLog = 'done' }
        @{ Scenario = 'lagging'; TailLog = 'skipped' }
        @{ Scenario = 'clean'; TailLog = 'skipped' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Force
    $script:binary = & (Get-Module PCFailover) { Get-PCCorePath }

    function Start-TestLab {
        # Starts a lab of that scenario under $TestDrive and returns lab.json as an object.
        param([string]$Scenario)
        $dir = Join-Path $TestDrive ("lab-{0}-{1}" -f $Scenario, [guid]::NewGuid().ToString('N').Substring(0, 8))
        $json = & $binary lab up --dir $dir --scenario $Scenario 2>&1
        if ($LASTEXITCODE -ne 0) {
            throw ("pcfailover lab up --scenario {0} failed (exit {1}): {2}" -f $Scenario, $LASTEXITCODE, ($json -join "`n"))
        }
        # lab up prints lab.json with the passwords redacted; the file itself holds them.
        Get-Content -LiteralPath (Join-Path $dir 'lab.json') -Raw | ConvertFrom-Json
    }

    function Stop-TestLab {
        param([object]$Lab)
        if ($null -ne $Lab) { $null = & $binary lab down --dir $Lab.dir 2>&1 }
    }

    function Use-TestLab {
        # Puts the lab's environment (passwordEnv variables, LYNCSIM_STATE) in this process,
        # which the binary inherits.
        param([object]$Lab)
        foreach ($variable in $Lab.env.PSObject.Properties) {
            [Environment]::SetEnvironmentVariable($variable.Name, [string]$variable.Value)
        }
    }

    function Get-LabFileSnapshot {
        # Every file of the lab (share, copy folder, database files, LyncSim state, run
        # directory) by relative path, size and SHA-256; the server's own log and lock aside.
        # The LyncSim call log and call counter are left out: reading cmdlets advance them by design.
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

    function Get-LyncSimPoolState {
        param([object]$Lab)
        $state = Get-Content -LiteralPath $Lab.lync.state -Raw | ConvertFrom-Json
        $state
    }

    function Get-LyncSimMutatingCall {
        param([object]$Lab)
        $state = Get-Content -LiteralPath $Lab.lync.state -Raw | ConvertFrom-Json
        $calls = @()
        if ($state.PSObject.Properties['callLog']) { $calls = @($state.callLog) }
        @($calls | Where-Object { $_.cmdlet -notmatch '^(Get|Test)-' })
    }

    function Get-UnrestoredCount {
        param([object]$Lab)
        @($Lab.facts.logs | Where-Object { -not $_.restored -and -not ($_.PSObject.Properties['missing'] -and $_.missing) }).Count
    }
}

Describe 'Invoke-PCFailover on a disaster lab' {
    BeforeAll {
        $script:lab = Start-TestLab -Scenario 'disaster'
        Use-TestLab -Lab $lab
    }
    AfterAll {
        Stop-TestLab -Lab $lab
    }

    It 'changes nothing with -WhatIf: same files, same plan, no mutating Lync call' {
        $planBefore = Get-PCFailoverPlan -RequestPath $lab.request -WarningAction SilentlyContinue
        $filesBefore = Get-LabFileSnapshot -Lab $lab
        $mutatingBefore = @(Get-LyncSimMutatingCall -Lab $lab).Count

        $output = @(Invoke-PCFailover -RequestPath $lab.request -WhatIf -WarningAction SilentlyContinue)

        $output | Should -HaveCount 0
        $filesAfter = Get-LabFileSnapshot -Lab $lab
        Compare-Object -ReferenceObject $filesBefore -DifferenceObject $filesAfter | Should -BeNullOrEmpty
        @(Get-LyncSimMutatingCall -Lab $lab).Count | Should -Be $mutatingBefore
        $planAfter = Get-PCFailoverPlan -RequestPath $lab.request -WarningAction SilentlyContinue
        @($planAfter.Steps | ForEach-Object { '{0}={1}' -f $_.Id, $_.Status }) | Should -Be @($planBefore.Steps | ForEach-Object { '{0}={1}' -f $_.Id, $_.Status })
        @($planAfter.Files | ForEach-Object { '{0}={1}' -f $_.Name, $_.Action }) | Should -Be @($planBefore.Files | ForEach-Object { '{0}={1}' -f $_.Name, $_.Action })
        & $binary lab status --dir $lab.dir | Out-Null
        $LASTEXITCODE | Should -Be 0
    }

    It 'plans through a request built with -PathMap equal to the lab''s pathMap, showing both views of each folder' {
        $labRequest = Get-Content -LiteralPath $lab.request -Raw | ConvertFrom-Json
        $map = @{}
        foreach ($entry in @($labRequest.pathMap)) { $map[$entry.from] = $entry.to }
        $map.Count | Should -BeGreaterThan 1
        # The lab's request without its pathMap: from this machine (Linux) the SQL Servers'
        # UNC and drive paths are then unreachable, and the plan says so as PathUnreachable.
        $labRequest.PSObject.Properties.Remove('pathMap')
        $noMap = Join-Path $TestDrive 'nomap.json'
        [System.IO.File]::WriteAllText($noMap, ($labRequest | ConvertTo-Json -Depth 10), (New-Object System.Text.UTF8Encoding $false))
        if ([System.IO.Path]::DirectorySeparatorChar -ne '\') {
            $blocked = Get-PCFailoverPlan -RequestPath $noMap -WarningAction SilentlyContinue -WarningVariable planWarnings
            ($planWarnings | ForEach-Object { "$_" }) -join ' ' | Should -Match 'pathMap'
            @($blocked.Folders | Where-Object { -not $_.Reachable }).Count | Should -BeGreaterThan 0
            $readiness = Test-PCFailoverReadiness -RequestPath $noMap -WarningAction SilentlyContinue
            $readiness.Ready | Should -BeFalse
            @($readiness.ErrorId) | Should -Contain 'PCFailover.PathUnreachable'
        }

        $request = New-PCFailoverRequest -RequestPath $noMap -PathMap $map
        @($request.pathMap).Count | Should -Be $map.Count
        $plan = $request | Get-PCFailoverPlan -WarningAction SilentlyContinue -ErrorVariable mappedErrors
        @($mappedErrors) | Should -HaveCount 0
        $plan.Outcome | Should -Be 'planned'
        $share = @($plan.Folders | Where-Object { $_.Role -eq 'share' })[0]
        $copy = @($plan.Folders | Where-Object { $_.Role -eq 'copyDestination' })[0]
        $share.SqlPath | Should -Be $lab.sqlPaths.share
        $share.LocalPath | Should -Be $lab.share
        $share.Reachable | Should -BeTrue
        $copy.SqlPath | Should -Be $lab.sqlPaths.copyDestination
        $copy.LocalPath | Should -Be $lab.copyDestination
        $copy.Host | Should -Be 'SQLPCBAK'
        $toApply = @($plan.Files | Where-Object { $_.Action -eq 'to-apply' -or $_.Action -eq 'to-copy' })
        $toApply.Count | Should -BeGreaterThan 0
        foreach ($file in $toApply) {
            $file.SqlPath | Should -BeLike ($lab.sqlPaths.copyDestination + '\*')
            $file.LocalPath | Should -Be (Join-Path $lab.copyDestination $file.Name)
        }
        ($plan | Out-String -Width 300) | Should -Match ('copyDestination: ' + [regex]::Escape($lab.sqlPaths.copyDestination) + ' -> ' + [regex]::Escape($lab.copyDestination) + ' \(reachable\)')
    }

    It 'plans with a -Credential that never appears in the process arguments' -Skip:$onWindows {
        # A wrapper records the arguments the operating system sees, then runs the binary.
        $argvFile = Join-Path $TestDrive 'argv.txt'
        $wrapper = Join-Path $TestDrive 'pcfailover-wrapper'
        $body = "#!/bin/sh`nprintf '%s\n' `"`$@`" > '$argvFile'`ntr '\000' '\n' < /proc/`$`$/cmdline >> '$argvFile'`nexec '$binary' `"`$@`"`n"
        [System.IO.File]::WriteAllText($wrapper, $body, (New-Object System.Text.UTF8Encoding $false))
        & chmod 755 $wrapper

        $backup = $lab.instances.backup
        $secret = [string]$backup.password
        $credential = New-Object System.Management.Automation.PSCredential ([string]$backup.user, (ConvertTo-SecureString $secret -AsPlainText -Force))
        $request = New-PCFailoverRequest -RequestPath $lab.request -RunDirectory (Join-Path $TestDrive 'cred-run')
        foreach ($role in @('primarySqlInstance', 'backupMirrorSqlInstance')) { $request.PSObject.Properties.Remove($role) }
        $savedBinary = $env:PCFAILOVER_BINARY
        $savedPassword = [Environment]::GetEnvironmentVariable([string]$backup.passwordEnv)
        try {
            $env:PCFAILOVER_BINARY = $wrapper
            [Environment]::SetEnvironmentVariable([string]$backup.passwordEnv, $null)
            $plan = $request | New-PCFailoverRequest -SkipLync | Get-PCFailoverPlan -Credential $credential -WarningAction SilentlyContinue
        } finally {
            $env:PCFAILOVER_BINARY = $savedBinary
            [Environment]::SetEnvironmentVariable([string]$backup.passwordEnv, $savedPassword)
        }
        $plan.Outcome | Should -Be 'planned' -Because 'the password reached the binary through the standard-input envelope'
        $argv = Get-Content -LiteralPath $argvFile -Raw
        $argv | Should -Not -BeNullOrEmpty
        $argv.Contains($secret) | Should -BeFalse
        @(Get-Content -LiteralPath $argvFile | Select-Object -First 7) | Should -Be @('plan', '--request', '-', '--events', '-', '--output', 'json')
    }

    It 'fails the pool over: database online, every unrestored log applied, one report' {
        $warnings = $null
        $report = Invoke-PCFailover -RequestPath $lab.request -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        @($report) | Should -HaveCount 1
        $report.PSObject.TypeNames[0] | Should -Be 'PCFailover.Report'
        $report.Outcome | Should -Be 'succeeded'
        $report.ExitCode | Should -Be 0
        $report.DatabaseState | Should -Be 'ONLINE'
        @($report.Files | Where-Object { $_.Action -eq 'applied' }).Count | Should -Be (Get-UnrestoredCount -Lab $lab)
        $report.DataLoss | Should -BeNullOrEmpty
        ($warnings -join ' ') | Should -Match 'mgccomp'
        $steps = @{}
        foreach ($step in $report.Steps) { $steps[$step.Id] = $step.Status }
        $steps['recover-database'] | Should -Be 'done'
        $steps['tail-log-backup'] | Should -Be 'skipped'
        # Steps 5-7 ran (the lab's request names the LyncSim module and a mirror file share).
        foreach ($id in @('lync-pool-state', 'lync-mirror', 'lync-active-servers')) { $steps[$id] | Should -Be 'done' -Because $id }
        $state = Get-LyncSimPoolState -Lab $lab
        $chat = @($state.persistentChatPools | Where-Object { $_.poolFqdn -eq $lab.pool })
        $chat | Should -HaveCount 1
        $chat[0].poolState | Should -Be 'FailedOver'
        @($chat[0].activeServers).Count | Should -BeGreaterThan 0
        foreach ($server in @($chat[0].activeServers)) {
            $lab.lync.dataCenters.$server | Should -Be $lab.lync.backupDataCenter -Because "$server is active"
        }
        @($state.mirrors | Where-Object { $_.databaseName -eq $lab.database -and $_.principal.sqlServerFqdn -like 'sqlpcbak.*' -and $_.mirror.sqlServerFqdn -like 'sqlpcbakmir.*' }) | Should -HaveCount 1
    }

    It 'finds everything done when the same request runs again' {
        $report = Invoke-PCFailover -RequestPath $lab.request -Confirm:$false -WarningAction SilentlyContinue
        $report.Outcome | Should -Be 'succeeded'
        @($report.Files | Where-Object { $_.Action -eq 'applied' -or $_.Action -eq 'copied' }) | Should -HaveCount 0
        @($report.Steps | Where-Object { $_.Status -eq 'done' -and @('lock', 'end-sessions') -notcontains $_.Id }) | Should -HaveCount 0
    }
}

Describe 'Broken log chains through the pipeline' {
    BeforeAll {
        $script:gapLab = Start-TestLab -Scenario 'gap'
        $script:corruptLab = Start-TestLab -Scenario 'corrupt'
        # The share's original is damaged too (else pcfailover sets the bad copy aside and
        # copies it again: issue 12), so nothing can replace it and the run is blocked.
        $bad = @($corruptLab.facts.logs | Where-Object { $_.PSObject.Properties['damaged'] -and $_.damaged })[0].name
        Copy-Item -LiteralPath (Join-Path $corruptLab.copyDestination $bad) -Destination (Join-Path $corruptLab.share $bad) -Force
        # Two labs in one pipeline: give each lab's passwords their own variables.
        $script:requests = foreach ($entry in @(@{ Lab = $gapLab; Prefix = 'PCF_GAP' }, @{ Lab = $corruptLab; Prefix = 'PCF_CORRUPT' })) {
            $request = New-PCFailoverRequest -RequestPath $entry.Lab.request
            foreach ($role in @('backupSqlInstance', 'primarySqlInstance', 'backupMirrorSqlInstance')) {
                $instance = $request.PSObject.Properties[$role]
                if ($null -eq $instance -or $null -eq $instance.Value -or -not $instance.Value.PSObject.Properties['passwordEnv']) { continue }
                $name = '{0}_{1}' -f $entry.Prefix, $role.ToUpperInvariant()
                $value = $entry.Lab.env.PSObject.Properties[$instance.Value.passwordEnv]
                if ($value) { [Environment]::SetEnvironmentVariable($name, [string]$value.Value) }
                $instance.Value.passwordEnv = $name
            }
            $request
        }
    }
    AfterAll {
        Stop-TestLab -Lab $gapLab
        Stop-TestLab -Lab $corruptLab
    }

    It 'runs both requests, each blocked with its ErrorId and its report attached' {
        $errors = $null
        $reports = @($requests | Invoke-PCFailover -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $reports | Should -HaveCount 2
        $reports[0].Outcome | Should -Be 'blocked' -Because ($errors -join '; ')
        $reports[1].Outcome | Should -Be 'blocked' -Because ($errors -join '; ')
        $ids = @($errors | ForEach-Object { $_.FullyQualifiedErrorId })
        $ids | Should -Contain 'PCFailover.GapInLogChain,Invoke-PCFailover'
        $ids | Should -Contain 'PCFailover.DamagedBackup,Invoke-PCFailover'
        $gapError = @($errors | Where-Object { $_.FullyQualifiedErrorId -like 'PCFailover.GapInLogChain,*' })[0]
        $gapError.TargetObject.PSObject.TypeNames[0] | Should -Be 'PCFailover.Report'
        $gapError.TargetObject.RunDirectory | Should -Be $gapLab.runDirectory
        $gapError.TargetObject.DataLoss.Accepted | Should -BeFalse
        $gapError.Exception.Data['Report'] | Should -Be $gapError.TargetObject
        $damaged = @($corruptLab.facts.logs | Where-Object { $_.PSObject.Properties['damaged'] -and $_.damaged })[0].name
        $damagedError = @($errors | Where-Object { $_.FullyQualifiedErrorId -like 'PCFailover.DamagedBackup,*' })[0]
        $damagedError.CategoryInfo.TargetName | Should -Be $damaged
    }

    It 'is not ready while the chain has a gap, and says why' {
        Use-TestLab -Lab $gapLab
        $readiness = Test-PCFailoverReadiness -RequestPath $gapLab.request -WarningAction SilentlyContinue
        $readiness.Ready | Should -BeFalse
        # The plan shows the gap as a blocked step (the failover itself exits 3 with
        # PCFailover.GapInLogChain, tested above).
        @($readiness.ErrorId | Where-Object { $_ -eq 'PCFailover.GapInLogChain' -or $_ -eq 'PCFailover.Blocked' }) | Should -Not -BeNullOrEmpty
        ($readiness.BlockingReason -join ' ') | Should -Match 'gap'
        Test-PCFailoverReadiness -RequestPath $gapLab.request -Quiet -WarningAction SilentlyContinue | Should -BeFalse
    }

    It 'does not ask to fail over a pool whose plan would be blocked' {
        Use-TestLab -Lab $gapLab
        $errors = $null
        # -Confirm would prompt (and fail under -NonInteractive); a blocked plan stops first.
        $output = @(Invoke-PCFailover -RequestPath $gapLab.request -Confirm -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $output | Should -HaveCount 0
        $errors | Should -Not -BeNullOrEmpty
        $errors[0].TargetObject.Command | Should -Be 'plan'
        $errors[0].FullyQualifiedErrorId | Should -Match '^PCFailover\.(Blocked|GapInLogChain),Invoke-PCFailover$'
    }

    It 'recovers at the gap only with -AcceptDataLoss, and states the loss' {
        Use-TestLab -Lab $gapLab
        $report = Invoke-PCFailover -RequestPath $gapLab.request -AcceptDataLoss -Confirm:$false -WarningAction SilentlyContinue
        $report.Outcome | Should -Be 'succeeded'
        $report.DatabaseState | Should -Be 'ONLINE'
        $report.DataLoss.Accepted | Should -BeTrue
        $report.DataLoss.Description | Should -Not -BeNullOrEmpty
    }

}

Describe 'The <Scenario> scenario through Invoke-PCFailover' -ForEach $scenarioCases {
    BeforeAll {
        $script:lab = Start-TestLab -Scenario $Scenario
        Use-TestLab -Lab $lab
    }
    AfterAll {
        Stop-TestLab -Lab $lab
    }

    It 'is ready, then fails over with every unrestored log applied' {
        Test-PCFailoverReadiness -RequestPath $lab.request -Quiet -WarningAction SilentlyContinue | Should -BeTrue
        $errors = $null
        $report = Invoke-PCFailover -RequestPath $lab.request -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $report.Outcome | Should -Be 'succeeded' -Because ($errors -join '; ')
        $report.DatabaseState | Should -Be 'ONLINE'
        $report.DataLoss | Should -BeNullOrEmpty
        @($report.Steps | Where-Object { $_.Id -eq 'tail-log-backup' })[0].Status | Should -Be $TailLog
        @($report.Files | Where-Object { $_.Action -eq 'applied' }).Count | Should -BeGreaterOrEqual (Get-UnrestoredCount -Lab $lab)
    }
}
