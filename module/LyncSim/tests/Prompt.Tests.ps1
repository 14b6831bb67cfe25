# Install-CsMirrorDatabase prompts "[Y] Yes [A] Yes to All [N] No [L] No to All [S] Suspend"
# (ref 1.8, 4). These tests run it in child PowerShell processes so the host is real: a
# -NonInteractive host refuses the prompt, an interactive one reads the answer from stdin.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
    $script:install = @'
try {
    Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -FileShare '\\fs01.contoso.com\mirror' EXTRA
    'RESULT ok'
} catch {
    'RESULT error|' + $_.FullyQualifiedErrorId + '|' + $_.Exception.Message
    exit 3
}
'@
    function Get-BackupMirrorDatabase {
        @((Get-LyncSimState).mirrors | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' } | ForEach-Object { $_.databaseName })
    }
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'Install-CsMirrorDatabase confirmation' {
    BeforeEach { New-TestLyncSimState -With @{ ComplianceEnabled = $true } }

    It 'fails for real in a -NonInteractive host when confirmation is not suppressed, and installs nothing' {
        $child = Invoke-TestChildPowerShell -NonInteractive -Script $script:install.Replace('EXTRA', '')
        $child.ExitCode | Should -Be 3
        $child.Stdout | Should -Match 'RESULT error\|'
        $child.Stdout | Should -Match 'NonInteractive mode'
        Get-BackupMirrorDatabase | Should -BeNullOrEmpty
        $entry = @(Get-LyncSimCallLog -Cmdlet 'Install-CsMirrorDatabase')[-1]
        $entry.outcome | Should -Be 'error'
        $entry.error.message | Should -Match 'NonInteractive mode'
    }

    It 'installs in a -NonInteractive host with -Confirm:$false' {
        $child = Invoke-TestChildPowerShell -NonInteractive -Script $script:install.Replace('EXTRA', '-Confirm:$false')
        $child.Stdout | Should -Match 'RESULT ok'
        $child.ExitCode | Should -Be 0
        Get-BackupMirrorDatabase | Should -Be @('mgc', 'mgccomp')
        (Get-LyncSimCallLog -Cmdlet 'Install-CsMirrorDatabase')[-1].parameters.Confirm | Should -BeFalse
    }

    It 'asks Yes / Yes to All / No / No to All in an interactive host and honours the answers' {
        $child = Invoke-TestChildPowerShell -Script $script:install.Replace('EXTRA', '') -InputText "Y`nN`n"
        $child.Stdout | Should -Match '\[Y\] Yes\s+\[A\] Yes to All\s+\[N\] No\s+\[L\] No to All'
        $child.Stdout | Should -Match 'Mirror SQL Server: sql2m\.contoso\.com\\rtc'
        $child.Stdout | Should -Match 'RESULT ok'
        Get-BackupMirrorDatabase | Should -Be @('mgc')
    }

    It 'takes one Yes to All for every database' {
        $child = Invoke-TestChildPowerShell -Script $script:install.Replace('EXTRA', '') -InputText "A`n"
        $child.Stdout | Should -Match 'RESULT ok'
        Get-BackupMirrorDatabase | Should -Be @('mgc', 'mgccomp')
    }
}
