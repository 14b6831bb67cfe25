# Unit-level tests of the module's side of the CLI contract that need no lab: the command
# line, the event reader, the report objects and the exit-code/error mapping. The process
# tests use a small stand-in for the binary that replays a canned run and records its argv
# and standard input; the real binary and the lab are exercised in Failover.Lab.Tests.ps1.
BeforeDiscovery {
    $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Force

    $script:succeededReport = @'
{"schemaVersion":1,"command":"failover","runId":"20261125T183000Z-4f2a","outcome":"succeeded","exitCode":0,
 "poolFqdn":"pchat.contoso.com","database":"mgc","runDirectory":"/tmp/run","startedAt":"2026-11-25T18:30:00Z",
 "finishedAt":"2026-11-25T18:30:01.234Z","durationMs":1234,"databaseState":{"state":"ONLINE","isInStandby":false},
 "steps":[
  {"id":"remove-log-shipping","runbookStep":1,"name":"Remove log shipping","status":"done","startedAt":"2026-11-25T18:30:00Z","durationMs":20,"detail":"","statements":[{"target":"backup","kind":"sql","text":"EXEC sp_delete_log_shipping_secondary_database @p1","parameters":{"@p1":"mgc"}}],"error":null},
  {"id":"restore-logs","runbookStep":3,"name":"Apply the remaining log backups","status":"done","durationMs":200,"detail":"applied 2 log backups","statements":[],"error":null}
 ],
 "files":[{"name":"mgc_20261125120000.trn","sizeBytes":2048,"firstLsn":"43000001791200001","lastLsn":"43000001796000001","backupFinishDate":"2026-11-25T12:00:05Z","action":"applied","detail":""}],
 "chain":{"continuous":true,"gap":null},"rpo":{"lastAppliedBackupFinish":"2026-11-25T18:15:00Z","ageSeconds":900},
 "dataLoss":null,"warnings":["The compliance database mgccomp is not failed over."],"nextSteps":[],"errors":[]}
'@
    $script:blockedReport = @'
{"schemaVersion":1,"command":"failover","runId":"r2","outcome":"blocked","exitCode":3,"poolFqdn":"pchat.contoso.com","database":"mgc",
 "steps":[{"id":"recover","runbookStep":4,"name":"Bring mgc online","status":"blocked","durationMs":0,"detail":"a log backup is missing","statements":[],"error":null}],
 "files":[],"warnings":[],"nextSteps":["Find mgc_20261125121500.trn, or rerun with -AcceptDataLoss."],
 "errors":[{"code":"PCFailover.GapInLogChain","category":"InvalidData","message":"the log chain breaks after mgc_20261125120000.trn","target":"mgc_20261125121500.trn"}]}
'@

    function New-FakeCore {
        # A stand-in for pcfailover: for command C it records argv (argv-C-N.txt) and stdin
        # (stdin-C-N.json), writes events-C.jsonl to stderr, report-C.json to stdout, and exits
        # with the number in exit-C.
        param([string]$Directory)
        $null = New-Item -ItemType Directory -Path $Directory -Force
        $script = Join-Path $Directory 'pcfailover'
        $body = @'
#!/bin/sh
dir="$(dirname "$0")"
cmd="$1"
n=$(ls "$dir" | grep -c "^argv-$cmd-")
printf '%s\n' "$@" > "$dir/argv-$cmd-$n.txt"
cat > "$dir/stdin-$cmd-$n.json"
[ -f "$dir/events-$cmd.jsonl" ] && cat "$dir/events-$cmd.jsonl" >&2
[ -f "$dir/report-$cmd.json" ] && cat "$dir/report-$cmd.json"
code=0
[ -f "$dir/exit-$cmd" ] && code=$(cat "$dir/exit-$cmd")
exit "$code"
'@
        [System.IO.File]::WriteAllText($script, $body.Replace("`r`n", "`n"), (New-Object System.Text.UTF8Encoding $false))
        & chmod 755 $script
        $script
    }

    function Set-FakeRun {
        param([string]$Directory, [string]$Command, [string]$Report, [int]$ExitCode = 0, [string[]]$Event = @())
        if ($null -ne $Report) { [System.IO.File]::WriteAllText((Join-Path $Directory "report-$Command.json"), $Report) }
        [System.IO.File]::WriteAllText((Join-Path $Directory "exit-$Command"), [string]$ExitCode)
        [System.IO.File]::WriteAllText((Join-Path $Directory "events-$Command.jsonl"), (($Event -join "`n") + "`n"))
    }
}

Describe 'The command line of the binary' {
    It 'quotes arguments the way the C runtime and Go split them back' {
        InModuleScope PCFailover {
            ConvertTo-PCCommandLine -ArgumentList @('plan', '--request', '-') | Should -Be 'plan --request -'
            ConvertTo-PCCommandLine -ArgumentList @('a b', '') | Should -Be '"a b" ""'
            ConvertTo-PCCommandLine -ArgumentList @('x"y') | Should -Be '"x\"y"'
            ConvertTo-PCCommandLine -ArgumentList @('C:\dir with space\') | Should -Be '"C:\dir with space\\"'
            ConvertTo-PCCommandLine -ArgumentList @('C:\plain\') | Should -Be 'C:\plain\'
        }
    }
}

Describe 'The event reader' {
    It 'turns statements and info logs into verbose messages and warnings into warnings' {
        InModuleScope PCFailover {
            Mock Write-Progress { }
            $state = New-PCEventState -Activity 'Failing over pool p'
            $VerbosePreference = 'Continue'
            $records = @(
                '{"type":"statement","ts":"t","step":"restore-logs","target":"backup","text":"RESTORE LOG [mgc] FROM DISK = @p1 WITH NORECOVERY"}',
                '{"type":"log","ts":"t","level":"info","message":"copied 3 files"}',
                '{"type":"log","ts":"t","level":"warn","message":"mgccomp is not failed over"}'
            ) | ForEach-Object { Write-PCCoreEvent -Line $_ -State $state } 3>&1 4>&1
            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
            $warnings = @($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object { $_.Message })
            $verbose | Should -Contain '[backup] RESTORE LOG [mgc] FROM DISK = @p1 WITH NORECOVERY'
            $verbose | Should -Contain 'copied 3 files'
            $warnings | Should -Be @('mgccomp is not failed over')
            $state.ShownWarnings.Contains('mgccomp is not failed over') | Should -BeTrue
        }
    }

    It 'shows steps on the run bar and progress on child bars, with the percent clamped' {
        InModuleScope PCFailover {
            Mock Write-Progress { }
            $state = New-PCEventState -Activity 'Failing over pool p' -StepTotal 4
            Write-PCCoreEvent -State $state -Line '{"type":"step","ts":"t","step":"restore-logs","status":"running","name":"Apply the remaining log backups"}'
            Write-PCCoreEvent -State $state -Line '{"type":"progress","ts":"t","id":2,"activity":"Applying log backups","status":"mgc_1.trn (3 of 8)","percent":150}'
            Write-PCCoreEvent -State $state -Line '{"type":"progress","ts":"t","id":2,"activity":"","status":"","percent":-7}'
            Should -Invoke Write-Progress -Times 1 -Exactly -ParameterFilter { $Id -eq 1 -and $Status -eq 'Step 1 of 4: Apply the remaining log backups' -and $PercentComplete -eq 0 }
            Should -Invoke Write-Progress -Times 1 -Exactly -ParameterFilter { $Id -eq 12 -and $ParentId -eq 1 -and $Activity -eq 'Applying log backups' -and $PercentComplete -eq 100 }
            Should -Invoke Write-Progress -Times 1 -Exactly -ParameterFilter { $Id -eq 12 -and $Activity -eq 'Failing over pool p' -and $Status -eq 'working' -and $PercentComplete -eq -1 }
            Complete-PCCoreProgress -State $state
            Should -Invoke Write-Progress -Times 1 -Exactly -ParameterFilter { $Id -eq 12 -and $Completed }
            Should -Invoke Write-Progress -Times 1 -Exactly -ParameterFilter { $Id -eq 1 -and $Completed }
        }
    }

    It 'ignores lines that are not JSON and event types it does not know' {
        InModuleScope PCFailover {
            Mock Write-Progress { }
            Mock Write-Warning { }
            $state = New-PCEventState -Activity 'a'
            $out = @(
                'pcfailover: a human line', '{not json', '{"type":"future","x":1}', '{"no":"type"}', '[1,2]'
            ) | ForEach-Object { Write-PCCoreEvent -Line $_ -State $state } 4>&1
            $out | Should -HaveCount 0
            Should -Invoke Write-Progress -Times 0 -Exactly
            Should -Invoke Write-Warning -Times 0 -Exactly
        }
    }
}

Describe 'The report objects' {
    It 'types the report, its steps and its log files' {
        InModuleScope PCFailover -Parameters @{ Json = $succeededReport } {
            param($Json)
            $report = ConvertTo-PCReport -InputObject (ConvertFrom-Json $Json)
            $report.PSObject.TypeNames[0] | Should -Be 'PCFailover.Report'
            $report.Outcome | Should -Be 'succeeded'
            $report.DatabaseState | Should -Be 'ONLINE'
            $report.Duration.TotalMilliseconds | Should -Be 1234
            $report.StartedAt | Should -BeOfType [datetime]
            $report.StartedAt.ToUniversalTime() | Should -Be ([datetime]::new(2026, 11, 25, 18, 30, 0, [DateTimeKind]::Utc))
            $report.Steps | Should -HaveCount 2
            $report.Steps[0].PSObject.TypeNames[0] | Should -Be 'PCFailover.Step'
            $report.Steps[0].Order | Should -Be 1
            $report.Steps[0].PoolFqdn | Should -Be 'pchat.contoso.com'
            $report.Steps[0].Statements[0].Parameters['@p1'] | Should -Be 'mgc'
            $report.Files[0].PSObject.TypeNames[0] | Should -Be 'PCFailover.LogFile'
            $report.Files[0].FirstLsn | Should -Be '43000001791200001'
            $report.Rpo.Age | Should -Be ([timespan]::FromMinutes(15))
        }
    }

    It 'has default views that render' {
        InModuleScope PCFailover -Parameters @{ Json = $succeededReport } {
            param($Json)
            $report = ConvertTo-PCReport -InputObject (ConvertFrom-Json $Json)
            $list = $report | Out-String -Width 200
            $list | Should -Match 'Outcome\s+: succeeded \(exit code 0\)'
            $list | Should -Match '1\. done\s+Remove log shipping'
            $list | Should -Match 'LogBackups\s+: 1 applied'
            $table = $report | Format-Table | Out-String -Width 200
            $table | Should -Match 'pchat\.contoso\.com\s+failover\s+succeeded'
            ($report.Steps | Out-String -Width 200) | Should -Match 'Apply the remaining log backups'
            ($report.Files | Out-String -Width 200) | Should -Match 'mgc_20261125120000\.trn\s+applied'
        }
    }
}

Describe 'Folders and paths in both views' {
    It 'types folders[] as PCFailover.Folder and the files'' SQL and local paths, shown by the views' {
        $json = @'
{"schemaVersion":1,"command":"plan","runId":"r1","outcome":"planned","exitCode":3,"poolFqdn":"pchat.contoso.com","database":"mgc",
 "steps":[],"warnings":[],"nextSteps":["Add a pathMap entry."],
 "folders":[{"role":"share","sqlPath":"\\\\SQLPCPRI\\LogShip","localPath":"\\\\SQLPCPRI\\LogShip","reachable":false,"error":"not reachable: add a pathMap entry"},
            {"role":"copyDestination","host":"SQLPCBAK","sqlPath":"E:\\LSCopy","localPath":"/lab/hosts/SQLPCBAK/E/LSCopy","reachable":true}],
 "files":[{"name":"mgc_1.trn","action":"to-copy","sqlPath":"E:\\LSCopy\\mgc_1.trn","localPath":"/lab/hosts/SQLPCBAK/E/LSCopy/mgc_1.trn","sourcePath":"\\\\SQLPCPRI\\LogShip\\mgc_1.trn","sourceLocalPath":"/lab/LogShip/mgc_1.trn","copyPath":"E:\\LSCopy\\mgc_1.trn","copyLocalPath":"/lab/hosts/SQLPCBAK/E/LSCopy/mgc_1.trn"}],
 "errors":[{"code":"PCFailover.PathUnreachable","category":"InvalidData","message":"the share \\\\SQLPCPRI\\LogShip cannot be reached","target":"\\\\SQLPCPRI\\LogShip"}]}
'@
        InModuleScope PCFailover -Parameters @{ Json = $json } {
            param($Json)
            $report = ConvertTo-PCReport -InputObject (ConvertFrom-Json $Json)
            $report.Folders | Should -HaveCount 2
            $report.Folders[0].PSObject.TypeNames[0] | Should -Be 'PCFailover.Folder'
            $report.Folders[0].Role | Should -Be 'share'
            $report.Folders[0].Reachable | Should -BeFalse
            $report.Folders[0].Error | Should -Match 'pathMap'
            $report.Folders[1].Host | Should -Be 'SQLPCBAK'
            $report.Folders[1].SqlPath | Should -Be 'E:\LSCopy'
            $report.Folders[1].LocalPath | Should -Be '/lab/hosts/SQLPCBAK/E/LSCopy'
            $report.Folders[1].Reachable | Should -BeTrue
            $file = $report.Files[0]
            $file.SqlPath | Should -Be 'E:\LSCopy\mgc_1.trn'
            $file.LocalPath | Should -Be '/lab/hosts/SQLPCBAK/E/LSCopy/mgc_1.trn'
            $file.SourcePath | Should -Be '\\SQLPCPRI\LogShip\mgc_1.trn'
            $file.SourceLocalPath | Should -Be '/lab/LogShip/mgc_1.trn'
            $file.CopyLocalPath | Should -Be '/lab/hosts/SQLPCBAK/E/LSCopy/mgc_1.trn'
            $list = $report | Out-String -Width 250
            $list | Should -Match 'share: \\\\SQLPCPRI\\LogShip -> \\\\SQLPCPRI\\LogShip \(NOT reachable\)'
            $list | Should -Match 'copyDestination: E:\\LSCopy -> /lab/hosts/SQLPCBAK/E/LSCopy \(reachable\)'
            ($report.Folders | Out-String -Width 250) | Should -Match 'copyDestination\s+SQLPCBAK\s+E:\\LSCopy\s+/lab/hosts/SQLPCBAK/E/LSCopy\s+True'
            ($report.Files | Format-Table -View Paths | Out-String -Width 250) | Should -Match 'mgc_1\.trn\s+to-copy\s+E:\\LSCopy\\mgc_1\.trn\s+/lab/hosts/SQLPCBAK/E/LSCopy/mgc_1\.trn'
            $records = @(New-PCCoreErrorRecord -ExitCode 3 -Report $report -PoolFqdn 'pchat.contoso.com')
            $records | Should -HaveCount 1
            $records[0].FullyQualifiedErrorId | Should -Be 'PCFailover.PathUnreachable'
            $records[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $records[0].CategoryInfo.TargetName | Should -Be '\\SQLPCPRI\LogShip'
            $status = ConvertTo-PCStatus -InputObject (ConvertFrom-Json '{"poolFqdn":"p","health":"warning","exitCode":5,"checks":[],"folders":[{"role":"share","sqlPath":"\\\\H\\S","localPath":"/s","reachable":true}]}')
            $status.Folders[0].SqlPath | Should -Be '\\H\S'
            $status.Folders[0].PSObject.TypeNames[0] | Should -Be 'PCFailover.Folder'
        }
    }
}

Describe 'Exit codes and errors' {
    It 'maps a blocked run to its error code, category and target, with the report attached' {
        InModuleScope PCFailover -Parameters @{ Json = $blockedReport } {
            param($Json)
            $report = ConvertTo-PCReport -InputObject (ConvertFrom-Json $Json)
            $records = @(New-PCCoreErrorRecord -ExitCode 3 -Report $report -PoolFqdn 'pchat.contoso.com')
            $records | Should -HaveCount 1
            $records[0].FullyQualifiedErrorId | Should -Be 'PCFailover.GapInLogChain'
            $records[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $records[0].CategoryInfo.TargetName | Should -Be 'mgc_20261125121500.trn'
            $records[0].TargetObject | Should -Be $report
            $records[0].Exception.Data['Report'] | Should -Be $report
            $records[0].Exception.Data['IsTerminating'] | Should -BeFalse
            $records[0].ErrorDetails.RecommendedAction | Should -Match 'AcceptDataLoss'
        }
    }

    It 'maps each exit code without errors[] to its own ErrorId' {
        InModuleScope PCFailover {
            $report = ConvertTo-PCReport -InputObject ([pscustomobject]@{ command = 'failover'; poolFqdn = 'p'; outcome = 'x'; errors = @() })
            $cases = @{ 1 = 'PCFailover.Failed'; 2 = 'PCFailover.InvalidRequest'; 3 = 'PCFailover.Blocked'; 4 = 'PCFailover.Interrupted'; 9 = 'PCFailover.Unexpected' }
            foreach ($code in $cases.Keys) {
                $record = @(New-PCCoreErrorRecord -ExitCode $code -Report $report -PoolFqdn 'p')[0]
                $record.FullyQualifiedErrorId | Should -Be $cases[$code]
            }
            @(New-PCCoreErrorRecord -ExitCode 0 -Report $report) | Should -HaveCount 0
            @(New-PCCoreErrorRecord -ExitCode 4 -Report $report)[0].Exception.Data['IsTerminating'] | Should -BeTrue
            @(New-PCCoreErrorRecord -ExitCode 4 -Report $report)[0].Exception | Should -BeOfType [System.OperationCanceledException]
        }
    }

    It 'maps the field errors of an invalid request to PCFailover.InvalidRequest' {
        InModuleScope PCFailover {
            $raw = ConvertFrom-Json '{"outcome":"invalid","exitCode":2,"errors":[{"field":"backupSqlInstance.server","message":"is required","fix":"set it to the backup SQL Server host name"}]}'
            $record = @(New-PCCoreErrorRecord -ExitCode 2 -Report (ConvertTo-PCReport -InputObject $raw) -PoolFqdn 'p')[0]
            $record.FullyQualifiedErrorId | Should -Be 'PCFailover.InvalidRequest'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.CategoryInfo.TargetName | Should -Be 'backupSqlInstance.server'
            $record.Exception.Message | Should -Be 'backupSqlInstance.server: is required'
            $record.ErrorDetails.RecommendedAction | Should -Be 'set it to the backup SQL Server host name'
        }
    }

    It 'turns a blocked plan that names its error in errors[] into that error, as a blocked run' {
        InModuleScope PCFailover {
            $raw = ConvertFrom-Json '{"command":"plan","outcome":"planned","exitCode":0,"poolFqdn":"p.contoso.com","steps":[{"id":"check-chain","name":"Check the log chain","status":"blocked","detail":"gap"}],"errors":[{"code":"PCFailover.GapInLogChain","category":"InvalidData","message":"gap after mgc_1.trn","target":"mgc_2.trn"}]}'
            $report = ConvertTo-PCReport -InputObject $raw -TypeName 'PCFailover.Plan'
            $records = @(New-PCBlockedStepErrorRecord -Report $report)
            $records | Should -HaveCount 1
            $records[0].FullyQualifiedErrorId | Should -Be 'PCFailover.GapInLogChain'
            $records[0].CategoryInfo.TargetName | Should -Be 'mgc_2.trn'
            $records[0].Exception.Data['ExitCode'] | Should -Be 3
            $records[0].Exception.Data['IsTerminating'] | Should -BeFalse
        }
    }

    It 'turns the blocked steps of a plan without errors[] into PCFailover.Blocked, and readiness into not ready' {
        InModuleScope PCFailover {
            $raw = ConvertFrom-Json '{"command":"plan","outcome":"planned","exitCode":0,"poolFqdn":"p.contoso.com","steps":[{"id":"check-chain","name":"Check the log chain","status":"blocked","detail":"gap in the log chain"},{"id":"recover-database","name":"Recover","status":"planned"}],"errors":[]}'
            $report = ConvertTo-PCReport -InputObject $raw -TypeName 'PCFailover.Plan'
            $records = @(New-PCBlockedStepErrorRecord -Report $report)
            $records | Should -HaveCount 1
            $records[0].FullyQualifiedErrorId | Should -Be 'PCFailover.Blocked'
            $records[0].CategoryInfo.TargetName | Should -Be 'check-chain'
            $records[0].Exception.Message | Should -Match 'gap in the log chain'
            $readiness = ConvertTo-PCReadiness -Report $report -ExitCode 0 -PoolFqdn 'p.contoso.com'
            $readiness.Ready | Should -BeFalse
            $readiness.ErrorId | Should -Be @('PCFailover.Blocked')
        }
    }

    It 'makes a run without a readable report a terminating PCFailover.Unexpected' {
        InModuleScope PCFailover {
            $record = @(New-PCCoreErrorRecord -ExitCode 1 -Report $null -Stderr 'panic: boom' -PoolFqdn 'p')[0]
            $record.FullyQualifiedErrorId | Should -Be 'PCFailover.Unexpected'
            $record.Exception.Message | Should -Match 'panic: boom'
            $record.Exception.Data['IsTerminating'] | Should -BeTrue
        }
    }
}

Describe 'Running the binary' -Skip:$onWindows {
    BeforeAll {
        $script:savedBinary = $env:PCFAILOVER_BINARY
        $script:fakeDir = Join-Path $TestDrive 'fake'
        $env:PCFAILOVER_BINARY = New-FakeCore -Directory $fakeDir
        $script:secret = 'Sup3r-Secret-' + [guid]::NewGuid().ToString('N')
        $script:credential = New-Object System.Management.Automation.PSCredential ('pcfo', (ConvertTo-SecureString $secret -AsPlainText -Force))
    }
    AfterAll {
        $env:PCFAILOVER_BINARY = $savedBinary
    }
    BeforeEach {
        Get-ChildItem -LiteralPath $fakeDir -Filter 'argv-*' | Remove-Item
        Get-ChildItem -LiteralPath $fakeDir -Filter 'stdin-*' | Remove-Item
    }

    It 'sends the request and the password on standard input only, and returns the report' {
        Set-FakeRun -Directory $fakeDir -Command 'failover' -Report $succeededReport -ExitCode 0 -Event @(
            '{"type":"step","ts":"t","step":"remove-log-shipping","status":"running","name":"Remove log shipping"}',
            '{"type":"statement","ts":"t","step":"remove-log-shipping","target":"backup","text":"EXEC sp_delete_log_shipping_secondary_database @p1"}'
        )
        $output = @(New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Invoke-PCFailover -Credential $credential -Confirm:$false -Verbose -WarningAction SilentlyContinue 4>&1)
        $reports = @($output | Where-Object { $_.PSObject.TypeNames -contains 'PCFailover.Report' })
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        $reports | Should -HaveCount 1
        $reports[0].Outcome | Should -Be 'succeeded'
        $verbose | Should -Contain '[backup] EXEC sp_delete_log_shipping_secondary_database @p1'

        $argv = Get-Content -LiteralPath (Join-Path $fakeDir 'argv-failover-0.txt')
        $argv | Should -Be @('failover', '--request', '-', '--events', '-', '--output', 'json')
        ($argv -join ' ') | Should -Not -Match $secret
        $envelope = Get-Content -LiteralPath (Join-Path $fakeDir 'stdin-failover-0.json') -Raw | ConvertFrom-Json
        $envelope.passwords.backupSqlInstance | Should -Be $secret
        $envelope.request.poolFqdn | Should -Be 'pchat.contoso.com'
        $envelope.request.backupSqlInstance.user | Should -Be 'pcfo'
    }

    It 'surfaces a blocked run as an error with its ErrorId and the report attached' {
        Set-FakeRun -Directory $fakeDir -Command 'failover' -Report $blockedReport -ExitCode 3
        $err = $null
        $output = @(New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Invoke-PCFailover -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue)
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'PCFailover.GapInLogChain,Invoke-PCFailover'
        $err[0].TargetObject.Outcome | Should -Be 'blocked'
        $err[0].TargetObject.Steps[0].Status | Should -Be 'blocked'
        $output | Should -HaveCount 1
        $output[0].Outcome | Should -Be 'blocked'
    }

    It 'lets -ErrorAction Stop make a blocked run catchable' {
        Set-FakeRun -Directory $fakeDir -Command 'failover' -Report $blockedReport -ExitCode 3
        $caught = $null
        try {
            $null = New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Invoke-PCFailover -Confirm:$false -ErrorAction Stop
        } catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -Be 'PCFailover.GapInLogChain,Invoke-PCFailover'
        $caught.Exception.Data['Report'].Errors[0].Target | Should -Be 'mgc_20261125121500.trn'
    }

    It 'stops the pipeline with a terminating error when a run is interrupted' {
        Set-FakeRun -Directory $fakeDir -Command 'failover' -Report '{"command":"failover","poolFqdn":"a","outcome":"interrupted","exitCode":4,"errors":[{"code":"PCFailover.Interrupted","category":"OperationStopped","message":"interrupted"}]}' -ExitCode 4
        $caught = $null
        try {
            @('a', 'b') | ForEach-Object { [pscustomobject]@{ PoolFqdn = $_; BackupSqlInstance = 'sqlbackup' } } |
                New-PCFailoverRequest | Invoke-PCFailover -Confirm:$false -ErrorAction SilentlyContinue
        } catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -Be 'PCFailover.Interrupted,Invoke-PCFailover'
        @(Get-ChildItem -LiteralPath $fakeDir -Filter 'argv-failover-*') | Should -HaveCount 1
    }

    It 'reports a binary that writes no report, with what it said' {
        [System.IO.File]::Delete((Join-Path $fakeDir 'report-failover.json'))
        Set-FakeRun -Directory $fakeDir -Command 'failover' -Report $null -ExitCode 1 -Event @('pcfailover: cannot create the run directory')
        { New-PCFailoverRequest -PoolFqdn 'p' -BackupSqlInstance 'b' | Invoke-PCFailover -Confirm:$false } |
            Should -Throw -ErrorId 'PCFailover.Unexpected,Invoke-PCFailover' -ExpectedMessage '*cannot create the run directory*'
    }

    It 'runs only the plan with -WhatIf and outputs nothing' {
        $plan = $succeededReport.Replace('"command":"failover"', '"command":"plan"').Replace('"outcome":"succeeded"', '"outcome":"planned"')
        Set-FakeRun -Directory $fakeDir -Command 'plan' -Report $plan -ExitCode 0
        $output = @(New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Invoke-PCFailover -WhatIf)
        $output | Should -HaveCount 0
        @(Get-ChildItem -LiteralPath $fakeDir -Filter 'argv-plan-*') | Should -HaveCount 1
        @(Get-ChildItem -LiteralPath $fakeDir -Filter 'argv-failover-*') | Should -HaveCount 0
    }

    It 'runs every request piped in, one run each' {
        Set-FakeRun -Directory $fakeDir -Command 'failover' -Report $succeededReport -ExitCode 0
        $rows = @(
            [pscustomobject]@{ PoolFqdn = 'one.contoso.com'; BackupSqlInstance = 'sqlb1' },
            [pscustomobject]@{ PoolFqdn = 'two.contoso.com'; BackupSqlInstance = 'sqlb2\PC' }
        )
        $reports = @($rows | New-PCFailoverRequest | Invoke-PCFailover -Confirm:$false -WarningAction SilentlyContinue)
        $reports | Should -HaveCount 2
        $first = Get-Content -LiteralPath (Join-Path $fakeDir 'stdin-failover-0.json') -Raw | ConvertFrom-Json
        $second = Get-Content -LiteralPath (Join-Path $fakeDir 'stdin-failover-1.json') -Raw | ConvertFrom-Json
        $first.request.poolFqdn | Should -Be 'one.contoso.com'
        $second.request.poolFqdn | Should -Be 'two.contoso.com'
        $second.request.backupSqlInstance.instance | Should -Be 'PC'
        $first.request.runDirectory | Should -Not -Be $second.request.runDirectory
    }

    It 'answers readiness from the plan: not ready, with every blocking reason' {
        $plan = $blockedReport.Replace('"command":"failover"', '"command":"plan"')
        Set-FakeRun -Directory $fakeDir -Command 'plan' -Report $plan -ExitCode 3
        $readiness = New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Test-PCFailoverReadiness
        $readiness.PSObject.TypeNames[0] | Should -Be 'PCFailover.Readiness'
        $readiness.Ready | Should -BeFalse
        $readiness.ErrorId | Should -Be @('PCFailover.GapInLogChain')
        ($readiness.BlockingReason -join "`n") | Should -Match 'log chain breaks'
        New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Test-PCFailoverReadiness -Quiet | Should -BeFalse
    }

    It 'returns the plan as a PCFailover.Plan, with a warning when it would be blocked' {
        $plan = $blockedReport.Replace('"command":"failover"', '"command":"plan"')
        Set-FakeRun -Directory $fakeDir -Command 'plan' -Report $plan -ExitCode 3
        $output = @(New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Get-PCFailoverPlan 3>&1)
        $plans = @($output | Where-Object { $_.PSObject.TypeNames -contains 'PCFailover.Plan' })
        $warnings = @($output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $plans | Should -HaveCount 1
        $plans[0].PSObject.TypeNames | Should -Contain 'PCFailover.Report'
        $warnings[0].Message | Should -Match 'would be blocked'
    }
}

Describe 'Invalid requests through the real binary' {
    It 'writes one PCFailover.InvalidRequest error per problem the binary finds, and no report' {
        # The module's own shape check passes (poolFqdn is a string); the binary's semantic
        # validation refuses a pool name that is not an FQDN, before any connection.
        $err = $null
        $output = @(New-PCFailoverRequest -PoolFqdn 'not-an-fqdn' -BackupSqlInstance '127.0.0.1,1' -RunDirectory (Join-Path $TestDrive 'run') | Invoke-PCFailover -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue)
        $output | Should -HaveCount 0
        $err.Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -Be 'PCFailover.InvalidRequest,Invoke-PCFailover'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        @($err | ForEach-Object { $_.CategoryInfo.TargetName }) | Should -Contain 'poolFqdn'
        @($err | Where-Object { $_.CategoryInfo.TargetName -eq 'poolFqdn' })[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe '-Force' -Skip:$onWindows {
    BeforeAll {
        $script:savedBinary = $env:PCFAILOVER_BINARY
        $script:fakeDir = Join-Path $TestDrive 'fake-force'
        $env:PCFAILOVER_BINARY = New-FakeCore -Directory $fakeDir
        Set-FakeRun -Directory $fakeDir -Command 'failover' -Report $succeededReport -ExitCode 0
    }
    AfterAll {
        $env:PCFAILOVER_BINARY = $savedBinary
    }

    It 'runs without a prompt and allows cross-data-center servers, but never accepts data loss' {
        $null = New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' -ActiveServer 'pc1.contoso.com' | Invoke-PCFailover -Force -WarningAction SilentlyContinue
        $envelope = Get-Content -LiteralPath (Join-Path $fakeDir 'stdin-failover-0.json') -Raw | ConvertFrom-Json
        $envelope.request.lync.allowCrossDataCenter | Should -BeTrue
        $envelope.request.PSObject.Properties['options'] | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath $fakeDir -Filter 'argv-plan-*') | Should -HaveCount 0 -Because 'nothing asks, so no plan is needed first'
    }

    It 'adds no Lync section to a request that has none' {
        $null = New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup' | Invoke-PCFailover -Force -WarningAction SilentlyContinue
        $envelope = Get-Content -LiteralPath (Join-Path $fakeDir 'stdin-failover-1.json') -Raw | ConvertFrom-Json
        $envelope.request.PSObject.Properties['lync'] | Should -BeNullOrEmpty
    }
}
