# Every documented example of the PCFailover module, run against labs: the examples of each
# command's comment-based help, the PowerShell blocks of README.md and the indented examples of
# about_PCFailover. Each example runs as written, in its own pwsh process (as an administrator
# would paste it), in a folder that holds the files it names (pchat.psd1, pchat.json,
# pchat-failback.json, pools.csv), with only these lab substitutions:
#   - C:\pcfailover\ is that folder, E:\DrillScratch a folder in it;
#   - sqlbackup / sqlbackupmirror / sqlprimary .contoso.com are the lab's SQL instances;
#   - an example that builds a request from parameters or a CSV row gets the lab's connection
#     settings as $PSDefaultParameterValues (Encrypt disable, the lab's SQL login, LyncSim, the
#     lab's run directory): what an administrator's own defaults would be.
# $Catalogue below lists every example (by wildcard): how to run it, or why it cannot run
# against a lab. A new example that matches no entry fails the first test, so it must be added.
BeforeDiscovery {
    $moduleRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath
    $repoRoot = (Resolve-Path (Join-Path $moduleRoot '..\..')).ProviderPath
    Import-Module (Join-Path $moduleRoot 'PCFailover.psd1') -Force

    # Lab: disaster (a failover can run), failedover (a failback can run) or none.
    # Params: the example builds its request from parameters or a CSV row.
    # Creates: a file the example writes (not put in its folder beforehand).
    # ExitCodes: the exit codes the example may end with (default 0).
    # The order is the run order: read-only examples first, then the ones that change a lab.
    $Catalogue = @(
        @{ Pattern = 'Get-PCFailoverVersion*'; Lab = 'none' }
        @{ Pattern = '(Get-PCFailoverVersion).Commit'; Lab = 'none' }
        @{ Pattern = '$v = Get-PCFailoverVersion; if*'; Lab = 'none' }
        @{ Pattern = 'Install-PCFailoverEventSource -WhatIf'; Lab = 'none' }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -BackupMirrorSqlInstance*-OutFile C:\pcfailover\pchat.psd1'; Lab = 'disaster'; Creates = 'pchat.psd1' }
        @{ Pattern = 'New-PCFailoverRequest -RequestPath .\pchat.psd1 -OutFile .\pchat.json'; Lab = 'disaster'; Creates = 'pchat.json' }
        @{ Pattern = 'New-PCFailoverRequest -RequestPath .\pchat.json -PathMap @{ *} -OutFile .\pchat.json -Force'; Lab = 'disaster' }
        @{ Pattern = 'New-PCFailoverRequest -RequestPath .\pchat.json -PrimarySqlInstance*-OutFile .\pchat-failback.json'; Lab = 'disaster'; Creates = 'pchat-failback.json' }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Get-PCFailoverPlan'; Lab = 'disaster'; Params = $true }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Invoke-PCFailover -WhatIf'; Lab = 'disaster'; Params = $true }
        @{ Pattern = "New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance 'sqlbackup\PCHAT,14331' | Invoke-PCFailover -WhatIf"; Lab = 'disaster'; Params = $true }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Test-PCFailoverReadiness'; Lab = 'disaster'; Params = $true }
        @{ Pattern = 'Import-Csv .\pools.csv | New-PCFailoverRequest | Invoke-PCFailover -WhatIf'; Lab = 'disaster'; Params = $true }
        @{ Pattern = 'Import-Csv .\pools.csv | New-PCFailoverRequest | Test-PCFailoverReadiness | Where-Object*'; Lab = 'disaster'; Params = $true }
        @{ Pattern = '(New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com | Get-PCFailoverStatus).Checks*'; Lab = 'disaster'; Params = $true }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -ScratchDirectory*| Invoke-PCFailoverDrill -WhatIf'; Lab = 'disaster'; Params = $true }
        @{ Pattern = "New-PCFailoverRequest -RequestPath .\pchat.json -ScratchDirectory 'E:\DrillScratch' -SkipCheckDb | Invoke-PCFailoverDrill -WhatIf"; Lab = 'disaster' }
        @{ Pattern = '(Get-PCFailoverPlan -RequestPath .\pchat.psd1).Steps | Format-Table*'; Lab = 'disaster' }
        @{ Pattern = '(Get-PCFailoverPlan -RequestPath .\pchat.json).Files*'; Lab = 'disaster' }
        @{ Pattern = '(Get-PCFailoverPlan -RequestPath .\pchat.json).Steps.Statements*'; Lab = 'disaster' }
        @{ Pattern = 'Get-PCFailoverPlan -RequestPath C:\pcfailover\pchat.psd1'; Lab = 'disaster' }
        @{ Pattern = 'New-PCFailoverRequest -RequestPath .\pchat.json -SkipLync | Get-PCFailoverPlan'; Lab = 'disaster' }
        @{ Pattern = 'New-PCFailoverRequest -RequestPath C:\pcfailover\pchat.psd1 -SkipLync | Get-PCFailoverPlan'; Lab = 'disaster' }
        @{ Pattern = 'New-PCFailoverRequest -RequestPath .\pchat.psd1 -SkipLync | Get-PCFailoverPlan'; Lab = 'disaster' }
        @{ Pattern = 'Test-PCFailoverReadiness -RequestPath C:\pcfailover\pchat.psd1'; Lab = 'disaster' }
        @{ Pattern = 'if (-not (Test-PCFailoverReadiness -RequestPath C:\pcfailover\pchat.psd1 -Quiet))*'; Lab = 'disaster' }
        @{ Pattern = 'Get-ChildItem C:\pcfailover\*.psd1 | Test-PCFailoverReadiness'; Lab = 'disaster' }
        @{ Pattern = 'Invoke-PCFailover -RequestPath C:\pcfailover\pchat.psd1 -WhatIf'; Lab = 'disaster' }
        @{ Pattern = 'Get-PCFailoverStatus -RequestPath C:\pcfailover\pchat.psd1'; Lab = 'disaster'; ExitCodes = @(0) }
        @{ Pattern = '$s = Get-PCFailoverStatus -RequestPath C:\pcfailover\pchat.psd1; $s.Checks*'; Lab = 'disaster' }
        @{ Pattern = '$s = New-PCFailoverRequest -RequestPath .\pchat.json -RpoCriticalMinutes 20*exit $s.ExitCode'; Lab = 'disaster'; ExitCodes = @(0, 5, 6) }
        @{ Pattern = 'Invoke-PCFailoverDrill -RequestPath C:\pcfailover\pchat.psd1'; Lab = 'disaster' }
        @{ Pattern = 'Invoke-PCFailoverDrill -RequestPath C:\pcfailover\pchat.psd1 | Format-List*'; Lab = 'disaster' }
        @{ Pattern = '$r = Invoke-PCFailoverDrill -RequestPath .\pchat.json -ErrorAction SilentlyContinue*'; Lab = 'disaster' }
        @{ Pattern = 'Invoke-PCFailback -RequestPath C:\pcfailover\pchat-failback.json -WhatIf*'; Lab = 'failedover' }
        # From here on the examples change the labs: the first fails the disaster lab over,
        # the later ones find everything done (a re-run is how a stopped run resumes).
        @{ Pattern = 'Invoke-PCFailover -RequestPath C:\pcfailover\pchat.psd1 -Confirm:$false -Verbose'; Lab = 'disaster' }
        @{ Pattern = 'try { $report = Invoke-PCFailover -RequestPath C:\pcfailover\pchat.psd1 -Confirm:$false -ErrorAction Stop }*'; Lab = 'disaster' }
        @{ Pattern = 'try { Invoke-PCFailover -RequestPath .\pchat.json -Confirm:$false -ErrorAction Stop }*'; Lab = 'disaster' }
        @{ Pattern = 'Invoke-PCFailback -RequestPath C:\pcfailover\pchat-failback.json -Confirm:$false'; Lab = 'failedover' }
        @{ Pattern = 'try { Invoke-PCFailback -RequestPath .\pchat-failback.json -Confirm:$false -ErrorAction Stop }*'; Lab = 'failedover' }
        # Examples that cannot run unattended against a lab, and why.
        @{ Pattern = '*(Get-Credential*'; Skip = 'asks for a password (Get-Credential); -Credential through the standard-input envelope is tested in Failover.Lab.Tests.ps1 and Core.Tests.ps1' }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -BackupMirrorSqlInstance sqlbackupmirror.contoso.com -ActiveServer pc3.contoso.com -DataCenter*| Invoke-PCFailover'; Skip = 'asks for confirmation (no -WhatIf or -Confirm:$false): the prompt needs a person' }
        @{ Pattern = 'Invoke-PCFailover -RequestPath C:\pcfailover\pchat.psd1 -Verbose'; Skip = 'asks for confirmation (no -WhatIf or -Confirm:$false): the prompt needs a person' }
        @{ Pattern = 'Invoke-PCFailover -RequestPath .\pchat.json -AcceptDataLoss'; Skip = 'asks for confirmation (no -WhatIf or -Confirm:$false): the prompt needs a person; -AcceptDataLoss runs in Failover.Lab.Tests.ps1' }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com\pchat -PrimarySqlInstance*| Invoke-PCFailback'; Skip = 'asks for confirmation (no -WhatIf or -Confirm:$false): the prompt needs a person' }
        @{ Pattern = 'New-PCFailoverRequest -PoolFqdn pchat.contoso.com -BackupSqlInstance sqlbackup.contoso.com -PrimarySqlInstance*| Invoke-PCFailback -Confirm:$false'; Skip = 'one -Credential for two lab instances with different passwords; the same failback runs from the lab request in this file and in Failback.Lab.Tests.ps1' }
        @{ Pattern = '*Get-WinEvent *'; Skip = 'reads the Windows Application log (Get-WinEvent)' }
        @{ Pattern = 'Install-PCFailoverEventSource*'; Skip = 'registers a machine-wide Event Log source (an administrator on Windows); EventLog.Tests.ps1 runs it off Windows' }
        @{ Pattern = '(Get-FileHash .\PCFailover-*.zip*'; Skip = 'needs a release archive in the current folder: Release.Lab.Tests.ps1 builds one, checks SHA256SUMS and installs it' }
        @{ Pattern = 'Expand-Archive .\PCFailover-*.zip*'; Skip = 'installs into Program Files (an administrator): Release.Lab.Tests.ps1 installs the archive into an empty folder instead' }
        @{ Pattern = 'Import-Module PCFailover'; Skip = 'imports an installed module: Release.Lab.Tests.ps1 imports the unzipped archive' }
        @{ Pattern = 'Register-PCFailoverDrill *'; Skip = 'registers a Windows scheduled task (ScheduledTasks module); the task definition is tested in Drill.Lab.Tests.ps1' }
    )

    function ConvertTo-ExampleKey {
        param([string]$Text)
        ($Text -replace '`\r?\n', ' ' -replace '\s+', ' ').Trim()
    }

    $examples = New-Object System.Collections.Generic.List[object]
    foreach ($command in Get-Command -Module PCFailover -CommandType Function) {
        $number = 0
        foreach ($example in (Get-Help $command.Name -Examples).Examples.Example) {
            $number++
            $examples.Add(@{ Source = "Get-Help $($command.Name) example $number"; Text = [string]$example.Code })
        }
    }
    # README.md: every ```powershell block, one example per statement (lines continued by a
    # backtick, a trailing pipe or an open brace belong to it); comment lines are left out.
    $readme = [System.IO.File]::ReadAllLines((Join-Path $repoRoot 'README.md'))
    $inBlock = $false
    $current = ''
    $depth = 0
    $lineNumber = 0
    $start = 0
    foreach ($line in $readme) {
        $lineNumber++
        if ($line -match '^```powershell') { $inBlock = $true; continue }
        if ($inBlock -and $line -match '^```') { $inBlock = $false; continue }
        if (-not $inBlock) { continue }
        if (-not $current -and ($line -match '^\s*#' -or -not $line.Trim())) { continue }
        if (-not $current) { $start = $lineNumber }
        $current = ($current + "`n" + $line).TrimStart("`n")
        $depth += ([regex]::Matches($line, '\{')).Count - ([regex]::Matches($line, '\}')).Count
        if ($depth -gt 0 -or $line -match '(`|\|)\s*$') { continue }
        $examples.Add(@{ Source = "README.md line $start"; Text = $current })
        $current = ''
    }
    # about_PCFailover: lines indented by 8 that start a command, with their continuations.
    $about = [System.IO.File]::ReadAllLines((Join-Path $moduleRoot 'en-US/about_PCFailover.help.txt'))
    $current = ''
    $depth = 0
    for ($i = 0; $i -lt $about.Count; $i++) {
        $line = $about[$i]
        if ($current) {
            $current = $current + "`n" + $line
        } elseif ($line -match '^ {8}(\(|\$|[A-Z][a-z]+-[A-Z])') {
            $current = $line
            $start = $i + 1
        } else {
            continue
        }
        $depth += ([regex]::Matches($line, '\{')).Count - ([regex]::Matches($line, '\}')).Count
        if ($depth -gt 0 -or $line -match '(`|\|)\s*$') { continue }
        $examples.Add(@{ Source = "about_PCFailover line $start"; Text = $current.Trim() })
        $current = ''
    }

    $cases = New-Object System.Collections.Generic.List[object]
    foreach ($example in $examples) {
        $key = ConvertTo-ExampleKey $example.Text
        $index = -1
        for ($j = 0; $j -lt $Catalogue.Count; $j++) {
            if ($key -like $Catalogue[$j].Pattern) { $index = $j; break }
        }
        $entry = @{}
        if ($index -ge 0) { $entry = $Catalogue[$index] }
        $short = $key
        if ($short.Length -gt 90) { $short = $short.Substring(0, 87) + '...' }
        $cases.Add(@{ Source = $example.Source; Text = $example.Text; Key = $key; Short = $short; Index = $index; Entry = $entry })
    }
    # An example documented in several places (help, README, about) runs once.
    $runCases = New-Object System.Collections.Generic.List[object]
    foreach ($group in @($cases | Where-Object { $_.Index -ge 0 } | Group-Object { $_.Key })) {
        $first = $group.Group[0]
        $first.Source = (@($group.Group | ForEach-Object { $_.Source }) -join '; ')
        $runCases.Add($first)
    }
    $runCases = @($runCases | Sort-Object { $_.Index }, { $_.Source })
    $allKeys = @($cases | ForEach-Object { $_.Key })
    $unmatched = @($cases | Where-Object { $_.Index -lt 0 } | ForEach-Object { '{0}: {1}' -f $_.Source, $_.Key })
    $unused = @($Catalogue | Where-Object { $pattern = $_.Pattern; -not @($allKeys | Where-Object { $_ -like $pattern }).Count } | ForEach-Object { $_.Pattern })
}

BeforeAll {
    $moduleRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath
    Import-Module (Join-Path $moduleRoot 'PCFailover.psd1') -Force
    $script:binary = & (Get-Module PCFailover) { Get-PCCorePath }
    # The PowerShell running this test (pwsh, pwsh.exe or powershell.exe in $PSHOME; a
    # dotnet-tool pwsh is found on PATH).
    $script:pwsh = $null
    foreach ($name in @('pwsh.exe', 'pwsh', 'powershell.exe')) {
        $candidate = Join-Path $PSHOME $name
        if (-not $pwsh -and (Test-Path -LiteralPath $candidate -PathType Leaf)) { $script:pwsh = $candidate }
    }
    if (-not $pwsh) { $script:pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    $script:labs = @{}

    function Start-ExampleLab {
        param([string]$Scenario)
        $dir = Join-Path $TestDrive ('lab-' + $Scenario)
        $out = & $binary lab up --dir $dir --scenario $Scenario 2>&1
        if ($LASTEXITCODE -ne 0) { throw ("pcfailover lab up --scenario {0} failed (exit {1}): {2}" -f $Scenario, $LASTEXITCODE, ($out -join "`n")) }
        Get-Content -LiteralPath (Join-Path $dir 'lab.json') -Raw | ConvertFrom-Json
    }

    function Get-InstanceText {
        param([object]$Instance)
        "'{0},{1}'" -f $Instance.server, $Instance.port
    }

    function Invoke-DocumentedExample {
        # Runs one example in a new pwsh process in a folder prepared for it; returns its exit
        # code and output (errors left in $Error make the exit code 97).
        param([string]$Text, [hashtable]$Entry, [string]$Name)
        $labName = $Entry.Lab
        $dir = Join-Path $TestDrive ('example-' + $Name)
        $null = New-Item -ItemType Directory -Path $dir -Force
        $null = New-Item -ItemType Directory -Path (Join-Path $dir 'scratch') -Force
        $code = $Text -replace '(?i)C:\\pcfailover\\', '.\' -replace "(?i)'?E:\\DrillScratch'?", "'./scratch'"
        $defaults = ''
        if ($labName -ne 'none') {
            $lab = $labs[$labName]
            foreach ($variable in $lab.env.PSObject.Properties) {
                [Environment]::SetEnvironmentVariable($variable.Name, [string]$variable.Value)
            }
            $request = Get-Content -LiteralPath $lab.request -Raw | ConvertFrom-Json
            $backup = Get-InstanceText $request.backupSqlInstance
            $code = $code -replace '(?i)sqlbackupmirror\.contoso\.com', (Get-InstanceText $request.backupMirrorSqlInstance)
            $code = $code -replace "(?i)'sqlbackup\\PCHAT,14331'", $backup -replace '(?i)sqlbackup\.contoso\.com(\\pchat)?', $backup
            if ($null -ne $lab.instances.PSObject.Properties['primary']) {
                $code = $code -replace '(?i)sqlprimary\.contoso\.com(\\pchat)?', ("'{0},{1}'" -f $lab.instances.primary.host, $lab.instances.primary.port)
            }
            $files = @{
                'pchat.json' = { param($path) Copy-Item -LiteralPath $lab.request -Destination $path }
                'pchat.psd1' = { param($path) $null = New-PCFailoverRequest -RequestPath $lab.request -OutFile $path }
                'pools.csv'  = { param($path) Set-Content -LiteralPath $path -Value @('PoolFqdn,BackupSqlInstance', ('{0},"{1},{2}"' -f $request.poolFqdn, $request.backupSqlInstance.server, $request.backupSqlInstance.port)) }
            }
            if ($labName -eq 'failedover') {
                $files['pchat-failback.json'] = { param($path) Copy-Item -LiteralPath $lab.failbackRequest -Destination $path }
            }
            foreach ($file in $files.Keys) {
                if ($Entry.Creates -ne $file) { & $files[$file] (Join-Path $dir $file) }
            }
            if ($Entry.Params) {
                # The lab's connection settings, as an administrator's $PSDefaultParameterValues
                # would give them; the password comes from the lab's environment variable.
                $defaults = @"
`$labLogin = New-Object System.Management.Automation.PSCredential ('$($request.backupSqlInstance.user)', (ConvertTo-SecureString `$env:$($request.backupSqlInstance.passwordEnv) -AsPlainText -Force))
`$PSDefaultParameterValues = @{
    'New-PCFailoverRequest:Credential' = `$labLogin
    'New-PCFailoverRequest:Encrypt' = 'disable'
    'New-PCFailoverRequest:LyncModule' = '$($request.lync.module)'
    'New-PCFailoverRequest:RunDirectory' = '$($request.runDirectory)'
    'Invoke-PCFailover:Credential' = `$labLogin
    'Get-PCFailoverPlan:Credential' = `$labLogin
    'Test-PCFailoverReadiness:Credential' = `$labLogin
    'Get-PCFailoverStatus:Credential' = `$labLogin
    'Invoke-PCFailoverDrill:Credential' = `$labLogin
}
"@
            }
        }
        $script = @"
Import-Module '$(Join-Path $moduleRoot 'PCFailover.psd1')' -ErrorAction Stop
Set-Location -LiteralPath '$dir'
$defaults
`$Error.Clear()
$code
if (`$Error.Count -gt 0) {
    foreach (`$e in `$Error) { [Console]::Out.WriteLine('EXAMPLE ERROR ' + `$e.FullyQualifiedErrorId + ': ' + `$e) }
    exit 97
}
exit 0
"@
        $path = Join-Path $dir 'example.ps1'
        [System.IO.File]::WriteAllText($path, $script, (New-Object System.Text.UTF8Encoding $true))
        $output = & $pwsh -NoProfile -NonInteractive -File $path 2>&1 | Out-String -Width 300
        New-Object PSObject -Property @{ ExitCode = $LASTEXITCODE; Output = $output; Code = $code }
    }
}

Describe 'The documented examples' {
    It 'are each in the catalogue of this test (run against a lab, or skipped with a reason)' -TestCases @(@{ Unmatched = $unmatched; Unused = $unused; Total = $runCases.Count }) {
        param($Unmatched, $Unused, $Total)
        @($unmatched) | Should -HaveCount 0 -Because 'a new example must be added to $Catalogue'
        @($unused) | Should -HaveCount 0 -Because 'every catalogue entry must still be documented'
        $Total | Should -BeGreaterThan 30
    }
}

Describe 'Running every documented example against labs' {
    BeforeAll {
        $labs['disaster'] = Start-ExampleLab -Scenario 'disaster'
        $labs['failedover'] = Start-ExampleLab -Scenario 'failedover'
        $script:exampleNumber = 0
    }
    AfterAll {
        foreach ($lab in $labs.Values) { $null = & $binary lab down --dir $lab.dir 2>&1 }
    }

    It '<Source>: <Short>' -TestCases $runCases {
        param($Source, $Text, $Entry)
        if ($Entry.Skip) {
            Set-ItResult -Skipped -Because ("cannot run unattended against a lab: " + $Entry.Skip)
            return
        }
        $script:exampleNumber++
        $result = Invoke-DocumentedExample -Text $Text -Entry $Entry -Name ('{0:D2}' -f $exampleNumber)
        $expected = @(0)
        if ($Entry.ExitCodes) { $expected = @($Entry.ExitCodes) }
        $expected | Should -Contain $result.ExitCode -Because ("the example ran as:`n{0}`nand wrote:`n{1}" -f $result.Code, $result.Output)
        $result.Output | Should -Not -Match 'EXAMPLE ERROR'
    }
}
