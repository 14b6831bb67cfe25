# Install-PCFailoverEventSource: off Windows it registers nothing and says so; on Windows
# -WhatIf changes nothing. (The events themselves are mapped and tested in core/eventlog and
# cli/eventlog_test.go; the registration of a real source needs an elevated Windows session.)
BeforeDiscovery {
    $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Force
    $script:sourceKey = 'HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\PCFailover'
}

Describe 'Install-PCFailoverEventSource' {
    It 'supports -WhatIf and -Confirm with ConfirmImpact Medium' {
        $command = Get-Command Install-PCFailoverEventSource
        $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.SupportsShouldProcess | Should -BeTrue
        $binding.ConfirmImpact | Should -Be 'Medium'
    }

    It 'warns that there is no Event Log off Windows, registers nothing and fails nothing' -Skip:$onWindows {
        $errors = $null
        $output = @(Install-PCFailoverEventSource -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors)
        $errors | Should -HaveCount 0
        $output | Should -HaveCount 1
        $output[0].PSObject.TypeNames[0] | Should -Be 'PCFailover.EventSource'
        $output[0].Source | Should -Be 'PCFailover'
        $output[0].LogName | Should -Be 'Application'
        $output[0].Supported | Should -BeFalse
        $output[0].Registered | Should -BeFalse
        $output[0].Changed | Should -BeFalse
        ($warnings -join ' ') | Should -Match 'no Windows Event Log'
    }

    It 'changes nothing with -WhatIf on Windows' -Skip:(-not $onWindows) {
        $before = Test-Path -LiteralPath $sourceKey
        $output = Install-PCFailoverEventSource -WhatIf
        (Test-Path -LiteralPath $sourceKey) | Should -Be $before
        $output.Changed | Should -BeFalse
        $output.Registered | Should -Be $before
    }

    It 'is called by Register-PCFailoverDrill after the task is registered' {
        $text = (Get-Command Register-PCFailoverDrill).Definition
        $text | Should -Match 'Register-PCEventSource -Cmdlet \$PSCmdlet'
    }
}
