# Invoke-PCFailoverDrill, Get-PCFailoverStatus and Register-PCFailoverDrill through the real
# pcfailover binary against `pcfailover lab`. No mocks.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Force
    $script:binary = & (Get-Module PCFailover) { Get-PCCorePath }
    $script:onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'

    function Start-TestLab {
        param([string]$Scenario)
        $dir = Join-Path $TestDrive ("lab-{0}-{1}" -f $Scenario, [guid]::NewGuid().ToString('N').Substring(0, 8))
        $out = & $binary lab up --dir $dir --scenario $Scenario 2>&1
        if ($LASTEXITCODE -ne 0) { throw ("lab up {0} failed (exit {1}): {2}" -f $Scenario, $LASTEXITCODE, ($out -join "`n")) }
        $lab = Get-Content -LiteralPath (Join-Path $dir 'lab.json') -Raw | ConvertFrom-Json
        foreach ($variable in $lab.env.PSObject.Properties) {
            [Environment]::SetEnvironmentVariable($variable.Name, [string]$variable.Value)
        }
        $lab
    }

    function Stop-TestLab {
        param([object]$Lab)
        if ($null -ne $Lab) { $null = & $binary lab down --dir $Lab.dir 2>&1 }
    }

    function Get-ProductionFileSnapshot {
        # The share, the copy folder and the Lync state (call log aside: reads append to it).
        param([object]$Lab)
        $lines = foreach ($dir in @($Lab.share, $Lab.copyDestination)) {
            foreach ($file in Get-ChildItem -LiteralPath $dir -File | Sort-Object Name) {
                '{0} {1} {2}' -f $file.FullName, $file.Length, (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash
            }
        }
        $state = Get-Content -LiteralPath $Lab.lync.state -Raw | ConvertFrom-Json
        $state.PSObject.Properties.Remove('callLog')
        , @(@($lines) + @($state | ConvertTo-Json -Depth 20 -Compress))
    }
}

Describe 'Invoke-PCFailoverDrill on a disaster lab' {
    BeforeAll { $script:lab = Start-TestLab -Scenario 'disaster' }
    AfterAll { Stop-TestLab -Lab $lab }

    It 'does nothing with -WhatIf' {
        $history = Join-Path $lab.runDirectory 'drill-history.jsonl'
        $output = @(Invoke-PCFailoverDrill -RequestPath $lab.request -WhatIf)
        $output | Should -HaveCount 0
        Test-Path -LiteralPath $history | Should -BeFalse
    }

    It 'restores every log backup into a scratch copy, reports RTO and RPO, and leaves production as it was' {
        $before = Get-ProductionFileSnapshot -Lab $lab
        $report = Invoke-PCFailoverDrill -RequestPath $lab.request -ErrorAction Stop
        $report.PSObject.TypeNames | Should -Contain 'PCFailover.DrillReport'
        $report.PSObject.TypeNames | Should -Contain 'PCFailover.Report'
        $report.Outcome | Should -Be 'succeeded'
        $report.ExitCode | Should -Be 0
        $report.LogsApplied | Should -Be @($lab.facts.logs).Count
        $report.FullBackup | Should -Be $lab.facts.shareFullBackup
        $report.RecoveredToLsn | Should -Be @($lab.facts.logs)[-1].lastLsn
        $report.Rpo.TotalMinutes | Should -BeGreaterThan 14
        $report.Rpo.TotalMinutes | Should -BeLessThan 20
        $report.Rto.TotalMilliseconds | Should -BeGreaterThan 0
        $report.CheckDb | Should -Be 'passed'
        $report.Dropped | Should -BeTrue
        @($report.Phases | ForEach-Object { $_.Phase }) | Should -Contain 'restore-logs'
        @($report.Steps | Where-Object { $_.Status -eq 'failed' }) | Should -HaveCount 0
        (Get-ProductionFileSnapshot -Lab $lab) | Should -Be $before
        $history = @(Get-Content -LiteralPath (Join-Path $lab.runDirectory 'drill-history.jsonl'))
        $history | Should -HaveCount 1
        ($history[0] | ConvertFrom-Json).runId | Should -Be $report.RunId
    }

    It 'fails with SQL Server''s own error when the scratch folder does not exist, and drops nothing it did not create' {
        Start-Sleep -Milliseconds 1100
        $errors = $null
        $report = New-PCFailoverRequest -RequestPath $lab.request -ScratchDirectory (Join-Path $lab.dir 'no-such-folder') | Invoke-PCFailoverDrill -ErrorAction SilentlyContinue -ErrorVariable errors
        $report.Outcome | Should -Be 'failed'
        ($report.Steps | Where-Object { $_.Id -eq 'restore-full' }).Status | Should -Be 'failed'
        ($report.Steps | Where-Object { $_.Id -eq 'drop-copy' }).Status | Should -Be 'skipped'
        $errors[0].Exception.Message | Should -Match '5133'
    }

    It 'accepts a request object from the pipeline with the drill section New-PCFailoverRequest set' {
        Start-Sleep -Milliseconds 1100
        $scratch = Join-Path $lab.dir 'scratch'
        $null = New-Item -ItemType Directory -Path $scratch -Force
        $request = New-PCFailoverRequest -RequestPath $lab.request -SkipCheckDb -ScratchDirectory $scratch
        $request.drill.skipCheckDb | Should -BeTrue
        $request.drill.scratchDirectory | Should -Be $scratch
        $report = $request | Invoke-PCFailoverDrill -ErrorAction Stop
        $report.Outcome | Should -Be 'succeeded'
        $report.CheckDb | Should -Be 'skipped'
        $report.ScratchDirectory | Should -Be $scratch
        @(Get-Content -LiteralPath (Join-Path $lab.runDirectory 'drill-history.jsonl')) | Should -HaveCount 3
    }
}

Describe 'Invoke-PCFailoverDrill when the log chain is broken' {
    BeforeAll { $script:lab = Start-TestLab -Scenario 'gap' }
    AfterAll { Stop-TestLab -Lab $lab }

    It 'outputs the report and writes a PCFailover.GapInLogChain error' {
        $errors = $null
        $report = Invoke-PCFailoverDrill -RequestPath $lab.request -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue
        $report.Outcome | Should -Be 'failed'
        $report.LogsApplied | Should -Be 6
        $report.Dropped | Should -BeTrue
        @($errors).Count | Should -BeGreaterThan 0
        @($errors | ForEach-Object { $_.FullyQualifiedErrorId }) -join ' ' | Should -Match 'PCFailover.GapInLogChain,Invoke-PCFailoverDrill'
    }

    It 'reports the broken chain as critical in Get-PCFailoverStatus' {
        $status = New-PCFailoverRequest -RequestPath $lab.request -SkipLync | Get-PCFailoverStatus -WarningAction SilentlyContinue
        $status.Health | Should -Be 'critical'
        $status.ExitCode | Should -Be 6
        $status.ChainContinuous | Should -BeFalse
        $status.Gap | Should -Match 'needs LSN'
        ($status.Checks | Where-Object { $_.Name -eq 'chain' }).Health | Should -Be 'critical'
    }
}

Describe 'Get-PCFailoverStatus' {
    It 'reports a healthy lab as ok with exit code 0' {
        $lab = Start-TestLab -Scenario 'clean'
        try {
            $warnings = $null
            $status = Get-PCFailoverStatus -RequestPath $lab.request -WarningVariable warnings
            $status.PSObject.TypeNames[0] | Should -Be 'PCFailover.Status'
            $status.Health | Should -Be 'ok'
            $status.ExitCode | Should -Be 0
            $status.ChainContinuous | Should -BeTrue
            $status.WaitingToRestore | Should -Be 0
            $status.DataAtRisk.TotalMinutes | Should -BeGreaterThan 14
            $status.LyncReachable | Should -BeTrue
            $status.PoolState | Should -Be 'Normal'
            ($status.Checks | Where-Object { $_.Name -eq 'lync' }).Health | Should -Be 'ok'
            @($warnings) | Should -HaveCount 0
            $sqlOnly = New-PCFailoverRequest -RequestPath $lab.request -SkipLync | Get-PCFailoverStatus
            $sqlOnly.LyncReachable | Should -BeNullOrEmpty
            @($sqlOnly.Checks | Where-Object { $_.Name -eq 'lync' }) | Should -HaveCount 0
        } finally { Stop-TestLab -Lab $lab }
    }

    It 'reports a lagging lab as critical, or as a warning under wider thresholds' {
        $lab = Start-TestLab -Scenario 'lagging'
        try {
            $warnings = $null
            $status = New-PCFailoverRequest -RequestPath $lab.request -SkipLync | Get-PCFailoverStatus -WarningVariable warnings -WarningAction SilentlyContinue
            $status.Health | Should -Be 'critical'
            $status.ExitCode | Should -Be 6
            $status.WaitingToRestore | Should -Be 200
            @($warnings) -join ' ' | Should -Match 'CRITICAL restore'
            $wide = New-PCFailoverRequest -RequestPath $lab.request -SkipLync -RestoreWarningMinutes 60 -RestoreCriticalMinutes 5760 | Get-PCFailoverStatus -WarningAction SilentlyContinue
            $wide.Health | Should -Be 'warning'
            $wide.ExitCode | Should -Be 5
        } finally { Stop-TestLab -Lab $lab }
    }

    It 'writes PCFailover.StatusUnknown when the backup instance does not answer' {
        $lab = Start-TestLab -Scenario 'clean'
        try {
            $errors = $null
            $status = New-PCFailoverRequest -RequestPath $lab.request -SkipLync -BackupSqlInstance '127.0.0.1,1' | Get-PCFailoverStatus -ErrorAction SilentlyContinue -ErrorVariable errors
            $status.Health | Should -Be 'unknown'
            $status.ExitCode | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be 'PCFailover.StatusUnknown,Get-PCFailoverStatus'
        } finally { Stop-TestLab -Lab $lab }
    }
}

Describe 'Register-PCFailoverDrill' {
    BeforeAll {
        $script:requestFile = Join-Path $TestDrive 'my requests\pchat.json'
        $null = New-Item -ItemType Directory -Path (Split-Path $requestFile) -Force
        $runDir = Join-Path $TestDrive 'runs'
        $json = '{"schemaVersion":1,"poolFqdn":"pchat.contoso.com","backupSqlInstance":{"server":"sqlbackup.contoso.com","auth":"integrated"},"runDirectory":' + (ConvertTo-Json $runDir) + '}'
        [System.IO.File]::WriteAllText($requestFile, $json)
        $script:sqlRequest = Join-Path $TestDrive 'sql.json'
        [System.IO.File]::WriteAllText($sqlRequest, '{"schemaVersion":1,"poolFqdn":"pchat.contoso.com","backupSqlInstance":{"server":"sqlbackup.contoso.com","auth":"sql","user":"drill"},"runDirectory":' + (ConvertTo-Json $runDir) + '}')
    }

    It 'builds a weekly gMSA task that runs the binary non-interactively and keeps its exit code' {
        $at = [DateTime]::Today.AddHours(3)
        $definition = & (Get-Module PCFailover) {
            param($Path, $At)
            New-PCDrillTaskDefinition -RequestPath $Path -PoolFqdn 'pchat.contoso.com' -BinaryPath 'C:\Program Files\PCFailover\pcfailover.exe' -RunDirectory 'C:\ProgramData\pcfailover\runs\pchat.contoso.com' -Schedule Weekly -At $At -DaysOfWeek @('Sunday', 'Wednesday') -WeeksInterval 2 -UserId 'CONTOSO\svcPCDrill$' -Gmsa $true
        } $requestFile $at
        $definition.TaskName | Should -Be 'PCFailover DR drill pchat.contoso.com'
        $definition.TaskPath | Should -Be '\PCFailover\'
        $definition.Action.Execute | Should -Be 'C:\Program Files\PCFailover\pcfailover.exe'
        $definition.Action.Argument | Should -Be ('drill --request "{0}" --output json --events C:\ProgramData\pcfailover\runs\pchat.contoso.com{1}drill-events.jsonl' -f $requestFile, [System.IO.Path]::DirectorySeparatorChar)
        $definition.Action.WorkingDirectory | Should -Be 'C:\ProgramData\pcfailover\runs\pchat.contoso.com'
        $definition.Trigger.Weekly | Should -BeTrue
        $definition.Trigger.DaysOfWeek | Should -Be @('Sunday', 'Wednesday')
        $definition.Trigger.WeeksInterval | Should -Be 2
        $definition.Trigger.At | Should -Be $at
        $definition.Principal.UserId | Should -Be 'CONTOSO\svcPCDrill$'
        $definition.Principal.LogonType | Should -Be 'Password'
        $definition.Principal.RunLevel | Should -Be 'Highest'
        $definition.Principal.Contains('Password') | Should -BeFalse
        $definition.Settings.MultipleInstances | Should -Be 'IgnoreNew'
        $definition.Settings.ExecutionTimeLimit | Should -Be (New-TimeSpan -Hours 4)
        $definition.Description | Should -Match '0 succeeded, 1 failed, 2 invalid request, 3 blocked, 4 interrupted'
    }

    It 'builds a daily task for a service account without a principal (the password goes to Register-ScheduledTask)' {
        $definition = & (Get-Module PCFailover) {
            param($Path)
            New-PCDrillTaskDefinition -RequestPath $Path -PoolFqdn 'pchat.contoso.com' -BinaryPath '/opt/pcfailover' -RunDirectory '/var/lib/pcf' -Schedule Daily -At ([DateTime]::Today.AddHours(2)) -DaysInterval 3 -UserId 'CONTOSO\svc-pcdrill' -Gmsa $false -TaskName 'Drill' -TaskPath 'DR'
        } $requestFile
        $definition.Trigger.Daily | Should -BeTrue
        $definition.Trigger.DaysInterval | Should -Be 3
        $definition.Trigger.Contains('Weekly') | Should -BeFalse
        $definition.Principal | Should -BeNullOrEmpty
        $definition.TaskPath | Should -Be '\DR\'
        $definition.ArgumentList | Should -Be @('drill', '--request', $requestFile, '--output', 'json', '--events', [System.IO.Path]::Combine('/var/lib/pcf', 'drill-events.jsonl'))
    }

    It 'recognises gMSA names' {
        & (Get-Module PCFailover) {
            Test-PCGmsaName 'CONTOSO\svcPCDrill$' | Should -BeTrue
            Test-PCGmsaName 'svcPCDrill$@contoso.com' | Should -BeTrue
            Test-PCGmsaName 'CONTOSO\svcPCDrill' | Should -BeFalse
            Test-PCGmsaName 'svcPCDrill$' | Should -BeFalse
        }
    }

    It 'shows the task with -WhatIf and registers nothing' {
        $output = @(Register-PCFailoverDrill -RequestPath $requestFile -Weekly -GroupManagedServiceAccount 'CONTOSO\svcPCDrill$' -WhatIf)
        $output | Should -HaveCount 0
    }

    It 'fails clearly where there is no Task Scheduler' -Skip:$onWindows {
        { Register-PCFailoverDrill -RequestPath $requestFile -Daily -GroupManagedServiceAccount 'CONTOSO\svcPCDrill$' -Confirm:$false } |
            Should -Throw -ErrorId 'PCFailover.NotSupported,Register-PCFailoverDrill'
    }

    It 'refuses <Case>' -TestCases @(
        @{ Case = 'no account'; Arguments = @{}; ErrorId = 'PCFailover.InvalidArgument' }
        @{ Case = 'a name that is not a gMSA'; Arguments = @{ GroupManagedServiceAccount = 'CONTOSO\svcPCDrill' }; ErrorId = 'PCFailover.InvalidArgument' }
        @{ Case = 'a SQL login with no password source'; Arguments = @{ GroupManagedServiceAccount = 'CONTOSO\svcPCDrill$'; RequestPath = 'sql' }; ErrorId = 'PCFailover.InvalidRequest' }
    ) {
        param($Arguments, $ErrorId)
        $call = @{ RequestPath = $requestFile; Confirm = $false }
        foreach ($key in $Arguments.Keys) { $call[$key] = $Arguments[$key] }
        if ($call.RequestPath -eq 'sql') { $call.RequestPath = $sqlRequest }
        { Register-PCFailoverDrill @call } | Should -Throw -ErrorId "$ErrorId,Register-PCFailoverDrill"
    }
}
