# scripts/release.sh OUTDIR, end to end: the archive and its checksum, then the module
# unzipped into an empty folder far from the build tree, imported from there in a new pwsh
# with no PCFAILOVER_BINARY, running Get-PCFailoverVersion and a plan against a lab through
# its own bundled binary.
BeforeDiscovery {
    $bash = Get-Command bash -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $noBash = $null -eq $bash
}

BeforeAll {
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..\..\..')).ProviderPath
    $script:manifest = Test-ModuleManifest -Path (Join-Path $PSScriptRoot '..\PCFailover.psd1')
    $script:version = [string]$manifest.Version
    $script:outDir = Join-Path $TestDrive 'out'
    $script:pwsh = $null
    foreach ($name in @('pwsh.exe', 'pwsh', 'powershell.exe')) {
        $candidate = Join-Path $PSHOME $name
        if (-not $pwsh -and (Test-Path -LiteralPath $candidate -PathType Leaf)) { $script:pwsh = $candidate }
    }
    if (-not $pwsh) { $script:pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }

    function Invoke-Installed {
        # Runs a script in a new pwsh whose only PCFailover is the installed one.
        param([string]$Script)
        $path = Join-Path $TestDrive ('installed-{0}.ps1' -f [guid]::NewGuid().ToString('N'))
        $prelude = @"
Remove-Item Env:PCFAILOVER_BINARY -ErrorAction SilentlyContinue
`$env:PSModulePath = '$modulesDir'
`$ErrorActionPreference = 'Stop'
Import-Module PCFailover
"@
        [System.IO.File]::WriteAllText($path, $prelude + "`n" + $Script, (New-Object System.Text.UTF8Encoding $true))
        $saved = $env:PCFAILOVER_BINARY
        try {
            $env:PCFAILOVER_BINARY = $null
            $output = & $pwsh -NoProfile -NonInteractive -File $path 2>&1 | Out-String -Width 300
        } finally {
            $env:PCFAILOVER_BINARY = $saved
        }
        New-Object PSObject -Property @{ ExitCode = $LASTEXITCODE; Output = $output }
    }
}

Describe 'scripts/release.sh' -Skip:$noBash {
    BeforeAll {
        $out = & bash (Join-Path $repoRoot 'scripts/release.sh') $outDir 2>&1
        $script:releaseExit = $LASTEXITCODE
        $script:releaseOutput = $out -join "`n"
        $script:zip = Join-Path $outDir ("PCFailover-{0}.zip" -f $version)
        $script:modulesDir = Join-Path $TestDrive 'elsewhere/Modules'
    }

    It 'writes PCFailover-<version>.zip and SHA256SUMS' {
        $releaseExit | Should -Be 0 -Because $releaseOutput
        Test-Path -LiteralPath $zip | Should -BeTrue
        $sums = @(Get-Content -LiteralPath (Join-Path $outDir 'SHA256SUMS'))
        $sums | Should -HaveCount 1
        $hash = (Get-FileHash -LiteralPath $zip -Algorithm SHA256).Hash.ToLowerInvariant()
        $sums[0] | Should -Be ('{0}  PCFailover-{1}.zip' -f $hash, $version)
    }

    It 'holds the module folder with both binaries, help, LICENSE and README, and no tests' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [System.IO.Compression.ZipFile]::OpenRead($zip)
        try {
            $entries = @($archive.Entries | ForEach-Object { $_.FullName.Replace('\', '/') })
        } finally {
            $archive.Dispose()
        }
        foreach ($expected in @('PCFailover/PCFailover.psd1', 'PCFailover/PCFailover.psm1', 'PCFailover/PCFailover.Format.ps1xml',
                'PCFailover/bin/windows-amd64/pcfailover.exe', 'PCFailover/bin/linux-amd64/pcfailover',
                'PCFailover/en-US/about_PCFailover.help.txt', 'PCFailover/LICENSE', 'PCFailover/README.md', 'PCFailover/CHANGELOG.md',
                'PCFailover/Public/Invoke-PCFailover.ps1', 'PCFailover/Private/Request.ps1')) {
            $entries | Should -Contain $expected
        }
        @($entries | Where-Object { $_ -match '/tests/|LyncSim|\.Tests\.ps1$' }) | Should -HaveCount 0
        @($entries | Where-Object { $_ -notmatch '^PCFailover/' }) | Should -HaveCount 0
    }

    It 'installs into an empty folder and imports from there, reporting the manifest version' {
        $null = New-Item -ItemType Directory -Path $modulesDir -Force
        @(Get-ChildItem -LiteralPath $modulesDir -Force) | Should -HaveCount 0
        # .NET restores the Unix mode of each entry, so the Linux binary stays executable.
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        [System.IO.Compression.ZipFile]::ExtractToDirectory($zip, $modulesDir)
        $installed = Join-Path $modulesDir 'PCFailover'
        $result = Invoke-Installed -Script @'
$v = Get-PCFailoverVersion
$m = Get-Module PCFailover
'{0}|{1}|{2}|{3}' -f $v.Version, $v.ModuleVersion, $v.Path, $m.ModuleBase
'@
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $fields = $result.Output.Trim().Split('|')
        $fields[0] | Should -Be $version
        $fields[1] | Should -Be $version
        $fields[2] | Should -BeLike ((Resolve-Path -LiteralPath $installed).ProviderPath + '*')
        $fields[3] | Should -Be ((Resolve-Path -LiteralPath $installed).ProviderPath)
        Test-ModuleManifest -Path (Join-Path $installed 'PCFailover.psd1') -ErrorAction Stop | Should -Not -BeNullOrEmpty
    }

    It 'plans a failover of a lab through the installed module and its own binary' {
        # The lab is test equipment: it is started with the build tree's binary (or
        # PCFAILOVER_BINARY); the plan runs through the installed module only.
        $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
        $starter = $env:PCFAILOVER_BINARY
        if (-not $starter) {
            $os = 'linux'
            $exe = 'pcfailover'
            if ($onWindows) { $os = 'windows'; $exe = 'pcfailover.exe' }
            $starter = Join-Path $repoRoot ("module/PCFailover/bin/{0}-amd64/{1}" -f $os, $exe)
        }
        $labDir = Join-Path $TestDrive 'lab'
        $up = & $starter lab up --dir $labDir --scenario disaster 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($up -join "`n")
        try {
            $lab = Get-Content -LiteralPath (Join-Path $labDir 'lab.json') -Raw | ConvertFrom-Json
            foreach ($variable in $lab.env.PSObject.Properties) {
                [Environment]::SetEnvironmentVariable($variable.Name, [string]$variable.Value)
            }
            $result = Invoke-Installed -Script (@'
$plan = Get-PCFailoverPlan -RequestPath '{0}' -WarningAction SilentlyContinue
'{{0}}|{{1}}|{{2}}' -f $plan.Outcome, @($plan.Steps).Count, (Get-PCFailoverVersion).Path
'@ -f $lab.request)
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $fields = $result.Output.Trim().Split('|')
            $fields[0] | Should -Be 'planned'
            [int]$fields[1] | Should -BeGreaterThan 3
            $fields[2] | Should -BeLike ((Resolve-Path -LiteralPath (Join-Path $modulesDir 'PCFailover')).ProviderPath + '*')
        } finally {
            $null = & $starter lab down --dir $labDir 2>&1
        }
    }
}
