# Shared setup for the LyncSim Pester tests: dot-source in BeforeAll.

$script:LyncSimModule = Join-Path (Split-Path -Parent $PSScriptRoot) 'LyncSim.psd1'
Import-Module $script:LyncSimModule -Force

function New-TestLyncSimState {
    # The standard two-data-center pool: DC1 = pc1, pc2, sql1 (primary), sql1m (primary mirror);
    # DC2 = pc3, pc4, sql2 (backup), sql2m (backup mirror). Extra parameters go to New-LyncSimState.
    param([hashtable]$With = @{})
    $parameters = @{
        Path                   = $env:LYNCSIM_STATE
        PoolFqdn               = 'pchat.contoso.com'
        Computers              = @('pc1.contoso.com', 'pc2.contoso.com', 'pc3.contoso.com', 'pc4.contoso.com')
        PrimarySqlServer       = 'sql1.contoso.com\rtc'
        PrimaryMirrorSqlServer = 'sql1m.contoso.com\rtc'
        BackupSqlServer        = 'sql2.contoso.com\rtc'
        BackupMirrorSqlServer  = 'sql2m.contoso.com\rtc'
        RegistrarPoolFqdn      = 'fe01.contoso.com'
        RegistrarComputers     = @('fe01a.contoso.com')
        DataCenterMap          = @{
            'pc1.contoso.com' = 'DC1'; 'pc2.contoso.com' = 'DC1'; 'sql1.contoso.com' = 'DC1'; 'sql1m.contoso.com' = 'DC1'
            'pc3.contoso.com' = 'DC2'; 'pc4.contoso.com' = 'DC2'; 'sql2.contoso.com' = 'DC2'; 'sql2m.contoso.com' = 'DC2'
        }
        Force                  = $true
    }
    foreach ($key in $With.Keys) { $parameters[$key] = $With[$key] }
    $null = New-LyncSimState @parameters
}

function Get-TestStateJson {
    return [System.IO.File]::ReadAllText($env:LYNCSIM_STATE)
}

function Get-TestPool {
    return (Get-LyncSimState).persistentChatPools[0]
}

function Get-TestPowerShellPath {
    foreach ($name in @('pwsh.exe', 'pwsh', 'powershell.exe')) {
        $candidate = Join-Path $PSHOME $name
        if (Test-Path -LiteralPath $candidate) { return $candidate }
    }
    return (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source
}

function Invoke-TestChildPowerShell {
    # Runs $Script in a new PowerShell process (with -NonInteractive when asked), feeding $InputText
    # to its stdin. Returns @{ ExitCode; Stdout; Stderr }. The child inherits LYNCSIM_STATE.
    param([Parameter(Mandatory = $true)][string]$Script, [switch]$NonInteractive, [string]$InputText = '', [int]$TimeoutSeconds = 120)
    $file = Join-Path ([System.IO.Path]::GetTempPath()) ('lyncsim-child-{0}.ps1' -f [guid]::NewGuid().ToString('N'))
    $prologue = "`$ErrorActionPreference = 'Stop'`nImport-Module '$($script:LyncSimModule.Replace("'", "''"))'`n"
    [System.IO.File]::WriteAllText($file, $prologue + $Script)
    try {
        $info = New-Object System.Diagnostics.ProcessStartInfo
        $info.FileName = Get-TestPowerShellPath
        $arguments = '-NoLogo -NoProfile '
        if ($NonInteractive) { $arguments += '-NonInteractive ' }
        $info.Arguments = $arguments + '-File "' + $file + '"'
        $info.UseShellExecute = $false
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if ($InputText) { $process.StandardInput.Write($InputText) }
        $process.StandardInput.Close()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill()
            throw "child PowerShell did not finish within $TimeoutSeconds s"
        }
        $process.WaitForExit()
        return @{ ExitCode = $process.ExitCode; Stdout = $stdout.Result; Stderr = $stderr.Result }
    } finally {
        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
    }
}

function Start-TestRunspace {
    # Runs $Script asynchronously in a new runspace of this process with LyncSim imported and
    # LYNCSIM_STATE set: a second, concurrent caller that is much cheaper to start than a
    # process (the state lock is an OS file lock, which excludes other handles of the same
    # process as it excludes other processes). Returns @{ PowerShell; Handle }.
    param([Parameter(Mandatory = $true)][string]$Script)
    $shell = [PowerShell]::Create()
    $prologue = "`$env:LYNCSIM_STATE = '$($env:LYNCSIM_STATE.Replace("'", "''"))'`nImport-Module '$($script:LyncSimModule.Replace("'", "''"))'`n"
    [void]$shell.AddScript($prologue + $Script)
    return @{ PowerShell = $shell; Handle = $shell.BeginInvoke() }
}
