# Install-CsMirrorDatabase prompts "[Y] Yes [A] Yes to All [N] No [L] No to All [S] Suspend"
# (ref 1.8, 4). These tests run it in child PowerShell processes so the host is real: a
# -NonInteractive host refuses the prompt, an interactive one reads the answer from stdin.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:savedState = $env:LYNCSIM_STATE
    $env:LYNCSIM_STATE = Join-Path $TestDrive 'state.json'
    function Get-BackupMirrorDatabase {
        @((Get-LyncSimState).mirrors | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' } | ForEach-Object { $_.databaseName })
    }
}
AfterAll { $env:LYNCSIM_STATE = $script:savedState }

Describe 'Install-CsMirrorDatabase confirmation' {
    Context 'in a -NonInteractive host' {
        BeforeAll {
            New-TestLyncSimState -With @{ ComplianceEnabled = $true }
            $script:child = Invoke-TestChildPowerShell -NonInteractive -Script @'
try {
    Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -FileShare '\\fs01.contoso.com\mirror'
    'FIRST ok'
} catch {
    'FIRST error|' + $_.FullyQualifiedErrorId + '|' + $_.Exception.Message
}
'MIRRORS ' + (@((Get-LyncSimState).mirrors | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' }).Count)
Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -FileShare '\\fs01.contoso.com\mirror' -Confirm:$false
'SECOND ok'
'@
        }

        It 'fails for real when confirmation is not suppressed, and installs nothing' {
            $script:child.Stdout | Should -Match 'FIRST error\|InvalidOperation,Install-CsMirrorDatabase\|PowerShell is in NonInteractive mode'
            $script:child.Stdout | Should -Match 'MIRRORS 0'
            $entry = @(Get-LyncSimCallLog -Cmdlet 'Install-CsMirrorDatabase')[0]
            $entry.outcome | Should -Be 'error'
            $entry.error.message | Should -Match 'NonInteractive mode'
        }

        It 'installs every database with -Confirm:$false' {
            $script:child.Stdout | Should -Match 'SECOND ok'
            $script:child.ExitCode | Should -Be 0
            Get-BackupMirrorDatabase | Should -Be @('mgc', 'mgccomp')
            @(Get-LyncSimCallLog -Cmdlet 'Install-CsMirrorDatabase')[1].parameters.Confirm | Should -BeFalse
        }
    }

    Context 'in an interactive host' {
        BeforeAll {
            New-TestLyncSimState -With @{ ComplianceEnabled = $true }
            $script:child = Invoke-TestChildPowerShell -InputText "Y`nN`nA`n" -Script @'
Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -FileShare '\\fs01.contoso.com\mirror'
'AFTER-FIRST ' + (@((Get-LyncSimState).mirrors | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' } | ForEach-Object { $_.databaseName }) -join ',')
Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn 'sql2.contoso.com' -FileShare '\\fs01.contoso.com\mirror' -DropExistingDatabasesOnMirror
'AFTER-SECOND ' + (@((Get-LyncSimState).mirrors | Where-Object { $_.principal.sqlServerFqdn -eq 'sql2.contoso.com' } | ForEach-Object { $_.databaseName }) -join ',')
'@
        }

        It 'asks Yes / Yes to All / No / No to All, showing the primary and mirror SQL Servers' {
            $script:child.Stdout | Should -Match '\[Y\] Yes\s+\[A\] Yes to All\s+\[N\] No\s+\[L\] No to All'
            $script:child.Stdout | Should -Match 'Primary SQL Server: sql2\.contoso\.com\\rtc'
            $script:child.Stdout | Should -Match 'Mirror SQL Server: sql2m\.contoso\.com\\rtc'
        }

        It 'installs the databases answered Yes and skips the ones answered No' {
            $script:child.Stdout | Should -Match 'AFTER-FIRST mgc\r?\n'
        }

        It 'takes one Yes to All for every database' {
            $script:child.Stdout | Should -Match 'AFTER-SECOND mgc,mgccomp'
            Get-BackupMirrorDatabase | Should -Be @('mgc', 'mgccomp')
        }
    }
}
