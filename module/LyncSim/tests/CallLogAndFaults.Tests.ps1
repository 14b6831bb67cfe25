BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'The call log' {
    BeforeEach { New-TestLyncSimState }

    It 'records each call with its cmdlet, parameter set, time and sequence number' {
        Get-CsPersistentChatState | Out-Null
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        $log = @(Get-LyncSimCallLog)
        $log.Count | Should -Be 2
        $log[0].cmdlet | Should -Be 'Get-CsPersistentChatState'
        $log[1].cmdlet | Should -Be 'Set-CsPersistentChatState'
        $log[1].parameterSet | Should -Be 'Identity'
        $log[1].seq | Should -Be ($log[0].seq + 1)
        $log[1].outcome | Should -Be 'ok'
        [DateTime]::Parse($log[1].time, [Globalization.CultureInfo]::InvariantCulture) | Should -BeOfType ([datetime])
    }

    It 'records parameter values literally, however hostile the string' {
        $hostile = 'service:x.contoso.com''; Remove-Item C:\ -Recurse; $(whoami) `"; DROP DATABASE mgc --'
        try { Set-CsPersistentChatState -Identity $hostile -PoolState FailedOver } catch { }
        $entry = @(Get-LyncSimCallLog -Cmdlet 'Set-CsPersistentChatState')[-1]
        $entry.parameters.Identity | Should -BeExactly $hostile
        $entry.parameters.PoolState | Should -Be 'FailedOver'
        $entry.outcome | Should -Be 'error'
    }

    It 'records -ActiveServers as Add, Remove and Replace lists and switches as booleans' {
        Set-CsPersistentChatActiveServer -ActiveServers @{ Add = 'pc3.contoso.com'; Remove = 'pc1.contoso.com' } -Force -Confirm:$false
        $entry = @(Get-LyncSimCallLog -Cmdlet 'Set-CsPersistentChatActiveServer')[-1]
        @($entry.parameters.ActiveServers.Add) | Should -Be @('pc3.contoso.com')
        @($entry.parameters.ActiveServers.Remove) | Should -Be @('pc1.contoso.com')
        @($entry.parameters.ActiveServers.Replace).Count | Should -Be 0
        $entry.parameters.Force | Should -BeTrue
        $entry.parameters.Confirm | Should -BeFalse
    }

    It 'records a failed call with its ErrorId, category and message' {
        try { Set-CsPersistentChatActiveServer -ActiveServers 'evil.contoso.com' } catch { }
        $entry = @(Get-LyncSimCallLog)[-1]
        $entry.outcome | Should -Be 'error'
        $entry.error.errorId | Should -Be 'ActiveServerNotInPool'
        $entry.error.category | Should -Be 'ObjectNotFound'
        $entry.error.message | Should -Match 'evil\.contoso\.com'
    }

    It 'keeps only the newest callLogLimit entries' {
        $state = Get-LyncSimState
        $state.options.callLogLimit = 3
        [System.IO.File]::WriteAllText($env:LYNCSIM_STATE, (ConvertTo-Json $state -Depth 30))
        1..5 | ForEach-Object { Get-CsPersistentChatState | Out-Null }
        $log = @(Get-LyncSimCallLog)
        $log.Count | Should -Be 3
        $log[-1].seq | Should -Be 5
    }
}

Describe 'Fault injection' {
    BeforeEach { New-TestLyncSimState }

    It 'fails the next call without effect when the fault is "before", then lets calls through' {
        Add-LyncSimFault -Cmdlet 'Set-CsPersistentChatState' -Message 'Cannot connect to the Central Management store.' -ErrorId 'CmsUnreachable' -Category ConnectionError
        $err = $null
        try { Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'CmsUnreachable,Set-CsPersistentChatState'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        (Get-TestPool).poolState | Should -Be 'Normal'
        Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver
        (Get-TestPool).poolState | Should -Be 'FailedOver'
        (Get-LyncSimState).faults[0].triggered | Should -Be 1
    }

    It 'applies the effect and then fails when the fault is "after"' {
        Add-LyncSimFault -Cmdlet 'Set-CsPersistentChatActiveServer' -When after -Message 'The operation timed out.' -Category OperationTimeout
        { Set-CsPersistentChatActiveServer -ActiveServers @{ Replace = 'pc3.contoso.com' } } | Should -Throw -ErrorId 'LyncSimInjectedFault,Set-CsPersistentChatActiveServer'
        @((Get-TestPool).activeServers) | Should -Be @('pc3.contoso.com')
    }

    It 'fails the given number of calls' {
        Add-LyncSimFault -Cmdlet 'Get-CsPool' -Times 2
        { Get-CsPool } | Should -Throw
        { Get-CsPool } | Should -Throw
        @(Get-CsPool).Count | Should -BeGreaterThan 0
    }

    It 'fails every call with -Times -1' {
        Add-LyncSimFault -Cmdlet 'Get-CsService' -Times -1
        1..3 | ForEach-Object { { Get-CsService } | Should -Throw -ErrorId 'LyncSimInjectedFault,Get-CsService' }
    }

    It 'only affects the named cmdlet' {
        Add-LyncSimFault -Cmdlet 'Install-CsMirrorDatabase'
        (Get-CsPersistentChatState).PoolFqdn | Should -Be 'pchat.contoso.com'
        (Get-LyncSimState).faults[0].times | Should -Be 1
    }

    It 'delays a call by hangSeconds and then runs it normally when the fault has no error' {
        Add-LyncSimFault -Cmdlet 'Get-CsPersistentChatState' -HangSeconds 1
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $result = Get-CsPersistentChatState
        $watch.Stop()
        $result.PoolFqdn | Should -Be 'pchat.contoso.com'
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1
    }

    It 'does not hold the state lock while a call hangs' {
        Add-LyncSimFault -Cmdlet 'Set-CsPersistentChatState' -HangSeconds 30 -Message 'hung'
        $other = Start-TestRunspace "try { Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver } catch { }"
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ((Get-LyncSimState).faults[0].triggered -lt 1 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            (Get-LyncSimState).faults[0].triggered | Should -Be 1
            (Get-CsPersistentChatState).PoolState.ToString() | Should -Be 'Normal'
            $other.Handle.IsCompleted | Should -BeFalse
        } finally {
            $other.PowerShell.Stop()
            $other.PowerShell.Dispose()
        }
    }
}

Describe 'Concurrent use of the state file' {
    BeforeEach { New-TestLyncSimState }

    It 'loses no call-log entry when another process and another runspace write at once, and readers never see a torn file' {
        $work = "1..8 | ForEach-Object { Get-CsPersistentChatState | Out-Null }; 'RESULT ok'"
        $job = Start-Job -ScriptBlock {
            param($module, $state, $text)
            $env:LYNCSIM_STATE = $state
            Import-Module $module
            & ([scriptblock]::Create($text))
        } -ArgumentList $script:LyncSimModule, $env:LYNCSIM_STATE, $work
        # Start the in-process caller once the other process has made its first call.
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ((Get-TestStateJson) -notmatch '"callSeq":\s*[1-9]' -and $job.State -eq 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $caller = Start-TestRunspace $work
        $reads = 0
        while (-not $caller.Handle.IsCompleted -or $job.State -eq 'Running' -or $job.State -eq 'NotStarted') {
            $null = ConvertFrom-Json ([System.IO.File]::ReadAllText($env:LYNCSIM_STATE))
            $reads++
            Start-Sleep -Milliseconds 30
        }
        $output = @($caller.PowerShell.EndInvoke($caller.Handle)) + @($job | Receive-Job -Wait -AutoRemoveJob)
        $caller.PowerShell.Dispose()
        @($output | Where-Object { $_ -eq 'RESULT ok' }).Count | Should -Be 2
        $log = @(Get-LyncSimCallLog)
        $log.Count | Should -Be 16
        @($log | ForEach-Object { $_.seq } | Sort-Object -Unique).Count | Should -Be 16
        $reads | Should -BeGreaterThan 0
    }

    It 'keeps writers out while the lock is held by another handle' {
        $path = $env:LYNCSIM_STATE
        $lock = New-Object System.IO.FileStream(($path + '.lock'), [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
        try {
            $other = Start-TestRunspace "Set-CsPersistentChatState -Identity 'service:pchat.contoso.com' -PoolState FailedOver"
            Start-Sleep -Milliseconds 1500
            $other.Handle.IsCompleted | Should -BeFalse
            (Get-LyncSimState).persistentChatPools[0].poolState | Should -Be 'Normal'
        } finally { $lock.Dispose() }
        $other.PowerShell.EndInvoke($other.Handle)
        $other.PowerShell.Dispose()
        (Get-LyncSimState).persistentChatPools[0].poolState | Should -Be 'FailedOver'
    }
}
