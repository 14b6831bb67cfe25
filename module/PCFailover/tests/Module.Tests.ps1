BeforeDiscovery {
    $moduleRoot = Join-Path $PSScriptRoot '..'
    Import-Module (Join-Path $moduleRoot 'PCFailover.psd1') -Force
    $commands = @(Get-Command -Module PCFailover -CommandType Function | ForEach-Object { @{ Name = $_.Name } })
    $runCommands = @(
        @{ Name = 'Invoke-PCFailover'; PerRun = @('Credential', 'AcceptDataLoss', 'Force') }
        @{ Name = 'Invoke-PCFailback'; PerRun = @('Credential', 'AcceptDataLoss', 'Force') }
        @{ Name = 'Get-PCFailoverPlan'; PerRun = @('Credential', 'AcceptDataLoss') }
        @{ Name = 'Test-PCFailoverReadiness'; PerRun = @('Credential', 'AcceptDataLoss', 'Quiet') }
        @{ Name = 'Invoke-PCFailoverDrill'; PerRun = @('Credential') }
        @{ Name = 'Get-PCFailoverStatus'; PerRun = @('Credential') }
    )
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
        $expected = @('Get-PCFailoverPlan', 'Get-PCFailoverStatus', 'Get-PCFailoverVersion', 'Install-PCFailoverEventSource', 'Invoke-PCFailover', 'Invoke-PCFailoverDrill', 'New-PCFailoverRequest', 'Register-PCFailoverDrill', 'Test-PCFailoverReadiness')
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

    It 'declares the request parameters once, on New-PCFailoverRequest: <Name> takes a request' -TestCases $runCommands {
        param($Name, $PerRun)
        $command = Get-Command $Name
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $own = @($command.Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object)
        $own | Should -Be @(@('RequestPath', 'Request') + $PerRun | Sort-Object)
        @($command.ParameterSets | ForEach-Object { $_.Name } | Sort-Object) | Should -Be @('Request', 'RequestPath')
        # Request must be the default set: with RequestPath as the default, PowerShell does not
        # bind a piped PCFailover.Request object by value at all.
        $command.DefaultParameterSet | Should -Be 'Request'
        $path = $command.Parameters['RequestPath']
        $path.ParameterSets['RequestPath'].IsMandatory | Should -BeTrue
        $path.ParameterSets['RequestPath'].ValueFromPipelineByPropertyName | Should -BeTrue
        $path.ParameterSets['RequestPath'].Position | Should -Be 0
        @($path.Aliases | Sort-Object) | Should -Be @('FullName', 'Path')
        $request = $command.Parameters['Request']
        $request.ParameterSets['Request'].IsMandatory | Should -BeTrue
        $request.ParameterSets['Request'].ValueFromPipeline | Should -BeTrue
        @($request.Attributes | Where-Object { $_ -is [System.Management.Automation.PSTypeNameAttribute] } | ForEach-Object { $_.PSTypeName }) | Should -Be @('PCFailover.Request')
        # Every request field is New-PCFailoverRequest's: no run command repeats one.
        $requestParameters = @((Get-Command New-PCFailoverRequest).Parameters.Keys | Where-Object { $common -notcontains $_ -and @('RequestPath', 'Request', 'OutFile', 'Force', 'Credential', 'AcceptDataLoss') -notcontains $_ })
        $requestParameters.Count | Should -BeGreaterThan 20
        foreach ($parameter in $requestParameters) {
            $command.Parameters.Keys | Should -Not -Contain $parameter -Because "$parameter is a request field, declared on New-PCFailoverRequest only"
        }
    }

    It 'gives New-PCFailoverRequest a parameter for every request field the module maps' {
        # Set-PCRequestParameter maps parameter names to request fields; each must exist on
        # New-PCFailoverRequest and bind from the pipeline by property name (CSV columns).
        $command = Get-Command New-PCFailoverRequest
        $mapText = (Get-Command Set-PCRequestParameter -Module PCFailover -ErrorAction SilentlyContinue)
        if ($null -eq $mapText) { $mapText = & (Get-Module PCFailover) { Get-Command Set-PCRequestParameter } }
        $names = [regex]::Matches($mapText.Definition, "'([A-Z][A-Za-z]+)'") | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique
        $names = @($names | Where-Object { @('Credential', 'AcceptDataLoss') -notcontains $_ })
        $names.Count | Should -BeGreaterThan 20
        foreach ($name in $names) {
            $command.Parameters.Keys | Should -Contain $name
            $set = $command.Parameters[$name].ParameterSets['Parameters']
            if ($command.Parameters[$name].ParameterType -ne [System.Management.Automation.SwitchParameter] -and @('Encrypt', 'Certificate', 'SecondaryRestoreMode') -notcontains $name) {
                $set.ValueFromPipelineByPropertyName | Should -BeTrue -Because "$name is a CSV column"
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
