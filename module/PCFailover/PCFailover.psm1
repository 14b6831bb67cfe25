# PCFailover module loader: dot-sources the private helpers and the public commands.
# Every file here runs on Windows PowerShell 3.0-5.1 and PowerShell 7.
Set-StrictMode -Version 2.0

$privateFiles = @(Get-ChildItem -Path (Join-Path $PSScriptRoot 'Private') -Filter '*.ps1' -ErrorAction SilentlyContinue)
$publicFiles = @(Get-ChildItem -Path (Join-Path $PSScriptRoot 'Public') -Filter '*.ps1' -ErrorAction SilentlyContinue)
foreach ($file in @($privateFiles + $publicFiles)) {
    . $file.FullName
}
