function Get-PCCorePath {
    <#
    .SYNOPSIS
    Returns the absolute path of the pcfailover binary this module runs.
    .DESCRIPTION
    The environment variable PCFAILOVER_BINARY wins when set. Otherwise the binary is
    bin\<os>-<arch>\pcfailover(.exe) inside the module folder, as scripts/build.sh lays it out.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if ($env:PCFAILOVER_BINARY) {
        if (-not (Test-Path -LiteralPath $env:PCFAILOVER_BINARY -PathType Leaf)) {
            throw "PCFAILOVER_BINARY points to '$($env:PCFAILOVER_BINARY)', which does not exist. Set it to the pcfailover binary or remove it."
        }
        return (Resolve-Path -LiteralPath $env:PCFAILOVER_BINARY).ProviderPath
    }

    $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
    if ($onWindows) {
        $os = 'windows'
        $exe = 'pcfailover.exe'
    } else {
        $exe = 'pcfailover'
        $uname = ''
        try { $uname = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription } catch { $uname = '' }
        if ($uname -match 'Darwin') { $os = 'darwin' } else { $os = 'linux' }
    }
    $arch = 'amd64'
    try {
        $osArch = [string][System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture
        if ($osArch -eq 'Arm64') { $arch = 'arm64' }
    } catch {
        $arch = 'amd64'
    }
    $path = Join-Path (Join-Path (Join-Path $PSScriptRoot '..\bin') "$os-$arch") $exe
    $path = [System.IO.Path]::GetFullPath($path)
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        throw "The pcfailover binary was not found at '$path'. Build it with scripts/bootstrap.sh, or set PCFAILOVER_BINARY to its path."
    }
    return $path
}
