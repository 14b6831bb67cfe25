BeforeDiscovery {
    $moduleRoot = Join-Path $PSScriptRoot '..'
    Import-Module (Join-Path $moduleRoot 'PCFailover.psd1') -Force
    $commands = @(Get-Command -Module PCFailover -CommandType Function | ForEach-Object { @{ Name = $_.Name } })
    $requestCommands = @('Get-PCFailoverPlan', 'Test-PCFailoverReadiness', 'New-PCFailoverRequest') | ForEach-Object { @{ Name = $_ } }
    $sourceFiles = @(Get-ChildItem -LiteralPath $moduleRoot -Recurse -File |
            Where-Object { $_.Extension -in @('.ps1', '.psm1', '.psd1', '.ps1xml', '.txt') } |
            ForEach-Object { @{ Path = $_.FullName; Name = $_.FullName.Substring($moduleRoot.Length) } })
    $scriptFiles = @($sourceFiles | Where-Object { $_.Path -match '\.(ps1|psm1|psd1)$' -and $_.Path -notmatch '[\\/]tests[\\/]' })
}

BeforeAll {
    $moduleRoot = Join-Path $PSScriptRoot '..'
    Import-Module (Join-Path $moduleRoot 'PCFailover.psd1') -Force
}

Describe 'The PCFailover module surface' {
    It 'exports exactly the commands of the issues so far' {
        $manifest = Test-ModuleManifest -Path (Join-Path $moduleRoot 'PCFailover.psd1')
        $expected = @('Get-PCFailoverPlan', 'Get-PCFailoverStatus', 'Get-PCFailoverVersion', 'Invoke-PCFailover', 'Invoke-PCFailoverDrill', 'New-PCFailoverRequest', 'Register-PCFailoverDrill', 'Test-PCFailoverReadiness')
        $others = @($manifest.ExportedFunctions.Keys | Where-Object { $_ -match 'Failback' })
        @($manifest.ExportedFunctions.Keys | Sort-Object) | Should -Be @($expected + $others | Sort-Object)
        $manifest.PowerShellVersion | Should -Be ([version]'3.0')
        @($manifest.ExportedAliases.Keys) | Should -HaveCount 0
    }

    It 'uses approved verbs only' {
        $approved = @(Get-Verb | ForEach-Object { $_.Verb })
        foreach ($command in Get-Command -Module PCFailover) {
            $approved | Should -Contain $command.Verb
        }
    }

    It 'makes Invoke-PCFailover ask for confirmation and support -WhatIf' {
        $command = Get-Command Invoke-PCFailover
        $binding = $command.ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.SupportsShouldProcess | Should -BeTrue
        $binding.ConfirmImpact | Should -Be 'High'
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Force'
        $command.Parameters.Keys | Should -Contain 'AcceptDataLoss'
    }

    It 'gives <Name> the same request parameters as Invoke-PCFailover' -TestCases $requestCommands {
        param($Name)
        $reference = Get-Command Invoke-PCFailover
        $command = Get-Command $Name
        $skip = @('Force', 'Quiet', 'OutFile') + [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in $reference.Parameters.Values) {
            if ($skip -contains $parameter.Name) { continue }
            $command.Parameters.Keys | Should -Contain $parameter.Name
            $mine = $command.Parameters[$parameter.Name]
            $mine.ParameterType | Should -Be $parameter.ParameterType
            @($mine.Aliases) | Should -Be @($parameter.Aliases)
            foreach ($set in $parameter.ParameterSets.Keys) {
                $mine.ParameterSets.Keys | Should -Contain $set
                $mine.ParameterSets[$set].ValueFromPipelineByPropertyName | Should -Be $parameter.ParameterSets[$set].ValueFromPipelineByPropertyName -Because "$($parameter.Name) in set $set"
                $mine.ParameterSets[$set].IsMandatory | Should -Be $parameter.ParameterSets[$set].IsMandatory -Because "$($parameter.Name) in set $set"
            }
        }
    }
}

Describe 'Help' {
    It 'documents <Name> with a synopsis, a description, examples and every parameter' -TestCases $commands {
        param($Name)
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s*\[')
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 1
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Match $Name
            ($example.Remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in (Get-Command $Name).Parameters.Keys) {
            if ($common -contains $parameter) { continue }
            $documented = @($help.Parameters.Parameter | Where-Object { $_.Name -eq $parameter })
            ($documented[0].Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "parameter $parameter of $Name needs help"
        }
    }

    It 'has an about_PCFailover topic' {
        $path = Join-Path $moduleRoot 'en-US/about_PCFailover.help.txt'
        $lines = @(Get-Content -LiteralPath $path)
        $lines[0] | Should -Be 'TOPIC'
        $lines[1] | Should -Be '    about_PCFailover'
        $lines[2] | Should -Be ''
        @($lines | Where-Object { $_.Length -gt 80 }) | Should -HaveCount 0
        (Get-Content -LiteralPath $path -Raw) | Should -Match 'PCFailover.GapInLogChain'
    }
}

Describe 'Windows PowerShell 3.0 compatibility' {
    It 'keeps <Name> ASCII-only' -TestCases $sourceFiles {
        param($Path)
        $bytes = [System.IO.File]::ReadAllBytes($Path)
        @($bytes | Where-Object { $_ -gt 127 }) | Should -HaveCount 0
    }

    It 'uses no syntax newer than PowerShell 3.0 in <Name>' -TestCases $scriptFiles {
        param($Path)
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        $errors | Should -HaveCount 0
        $newer = @('QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr', 'Class', 'Enum', 'Using')
        @($tokens | Where-Object { $newer -contains [string]$_.Kind } | ForEach-Object { "$($_.Kind) at line $($_.Extent.StartLineNumber)" }) | Should -HaveCount 0
        @($ast.FindAll({ param($node) $node.GetType().Name -eq 'TernaryExpressionAst' -or $node.GetType().Name -eq 'PipelineChainAst' }, $true)) | Should -HaveCount 0
        $memberCalls = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.InvokeMemberExpressionAst] -and $node.Static -and $node.Member.Extent.Text -eq 'new' }, $true))
        $memberCalls | Should -HaveCount 0 -Because '[type]::new() needs PowerShell 5.0'
        $text = [System.IO.File]::ReadAllText($Path)
        $text | Should -Not -Match '\$IsWindows|\$IsLinux|\$IsMacOS|-AsHashtable|-Parallel\b|Import-PowerShellDataFile\s+-|\.Where\(|\.ForEach\('
    }
}
