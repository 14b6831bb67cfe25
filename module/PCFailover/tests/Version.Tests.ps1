BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Force
}

Describe 'Get-PCFailoverVersion' {
    It 'runs the binary and returns its build as an object' {
        $v = Get-PCFailoverVersion
        $v.PSObject.TypeNames[0] | Should -Be 'PCFailover.VersionInfo'
        $v.Version | Should -Not -BeNullOrEmpty
        $v.GoVersion | Should -Match '^go1\.'
        $v.OS | Should -BeIn @('linux', 'windows', 'darwin')
        Test-Path -LiteralPath $v.Path | Should -BeTrue
    }

    It 'reports the version of the module manifest, stamped into the binary by scripts/build.sh' {
        # The one version source: ModuleVersion. The binary under bin/ is the one build.sh
        # built (PCFAILOVER_BINARY, when set, must be such a build too).
        $manifest = Test-ModuleManifest -Path (Join-Path $PSScriptRoot '..\PCFailover.psd1')
        $v = Get-PCFailoverVersion
        $v.ModuleVersion | Should -Be $manifest.Version
        $v.Version | Should -Be ([string]$manifest.Version)
    }

    It 'fails with a clear message when PCFAILOVER_BINARY points nowhere' {
        $saved = $env:PCFAILOVER_BINARY
        try {
            $env:PCFAILOVER_BINARY = Join-Path ([System.IO.Path]::GetTempPath()) 'no-such-pcfailover'
            { Get-PCFailoverVersion } | Should -Throw -ExpectedMessage '*PCFAILOVER_BINARY*'
        } finally {
            $env:PCFAILOVER_BINARY = $saved
        }
    }
}

Describe 'The PCFailover manifest' {
    It 'declares PowerShell 3.0 and explicit exports' {
        $manifest = Test-ModuleManifest -Path (Join-Path $PSScriptRoot '..\PCFailover.psd1')
        $manifest.PowerShellVersion | Should -Be ([version]'3.0')
        $manifest.ExportedFunctions.Keys | Should -Contain 'Get-PCFailoverVersion'
    }

    It 'passes Test-ModuleManifest and is ready for the PowerShell Gallery' {
        $path = Join-Path $PSScriptRoot '..\PCFailover.psd1'
        $manifest = Test-ModuleManifest -Path $path -ErrorAction Stop
        $manifest.Version | Should -BeGreaterThan ([version]'0.0')
        $manifest.Author | Should -Not -BeNullOrEmpty
        $manifest.Description | Should -Not -BeNullOrEmpty
        $manifest.Copyright | Should -Match 'MIT'
        $psData = $manifest.PrivateData.PSData
        $psData.Tags | Should -Contain 'PSEdition_Desktop'
        $psData.Tags | Should -Contain 'PSEdition_Core'
        @($psData.Tags | Where-Object { $_ -match '\s' }) | Should -HaveCount 0 -Because 'Gallery tags have no spaces'
        $psData.LicenseUri | Should -Match '^https://'
        ([string]$psData.ReleaseNotes).Trim() | Should -Not -BeNullOrEmpty
        # No placeholder URI anywhere in the manifest.
        (Get-Content -LiteralPath $path -Raw) | Should -Not -Match 'example\.(invalid|com|org)|contoso|localhost'
        if ($psData.ContainsKey('ProjectUri')) { $psData.ProjectUri | Should -Match '^https://' }
    }

    It 'keeps CompatiblePSEditions out of the manifest, which Windows PowerShell 3.0 and 4.0 cannot load' {
        # The editions are Gallery tags instead (see the comment in PCFailover.psd1).
        $text = Get-Content -LiteralPath (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Raw
        $text | Should -Not -Match '(?m)^\s*CompatiblePSEditions\s*='
    }
}
