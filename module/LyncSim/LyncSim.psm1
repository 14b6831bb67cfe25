# LyncSim: a stand-in for the Lync Server 2013 / Skype for Business Server 2015 cmdlets that
# pcfailover runs (reference/lync-persistent-chat.md section 1). State is a JSON file named by
# $env:LYNCSIM_STATE; see README.md for its format. PowerShell 3.0 syntax only.

Set-StrictMode -Version 2.0

. (Join-Path $PSScriptRoot 'Private/Types.ps1')
Initialize-LyncSimType

foreach ($dir in @('Private', 'Public')) {
    $files = Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot $dir) -Filter '*.ps1' | Sort-Object Name
    foreach ($file in $files) {
        if ($file.Name -ne 'Types.ps1') { . $file.FullName }
    }
}
