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
}
