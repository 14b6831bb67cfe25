function Invoke-PCCoreProcess {
    <#
    .SYNOPSIS
    Runs the pcfailover binary once and returns its exit code, stdout and stderr.
    .DESCRIPTION
    Uses System.Diagnostics.Process so that no argument is re-quoted by PowerShell and the
    output is decoded as UTF-8 on every PowerShell version. Arguments are constant switches
    chosen by this module; request data (and any secret) travels on standard input only.
    Standard error carries JSON-lines events; each complete line is handed to -OnEvent
    as it arrives.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string[]]$ArgumentList,

        [byte[]]$InputBytes,

        [scriptblock]$OnEvent
    )

    $corePath = Get-PCCorePath
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = $corePath
    $psi.Arguments = [string]::Join(' ', $ArgumentList)
    $psi.UseShellExecute = $false
    $psi.CreateNoWindow = $true
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $utf8 = New-Object System.Text.UTF8Encoding $false
    $psi.StandardOutputEncoding = $utf8
    $psi.StandardErrorEncoding = $utf8

    $process = [System.Diagnostics.Process]::Start($psi)
    $stderrLines = New-Object System.Collections.Generic.List[string]
    try {
        $stdoutTask = $process.StandardOutput.ReadToEndAsync()
        if ($InputBytes) {
            $process.StandardInput.BaseStream.Write($InputBytes, 0, $InputBytes.Length)
        }
        $process.StandardInput.Close()
        while ($null -ne ($line = $process.StandardError.ReadLine())) {
            $stderrLines.Add($line)
            if ($OnEvent -and $line.StartsWith('{')) {
                & $OnEvent $line
            }
        }
        $process.WaitForExit()
        $stdout = $stdoutTask.Result
        New-Object -TypeName PSObject -Property @{
            ExitCode = $process.ExitCode
            Stdout   = $stdout
            Stderr   = [string]::Join("`n", $stderrLines.ToArray())
        }
    } finally {
        if (-not $process.HasExited) {
            try { $process.Kill() } catch { Write-Verbose "could not stop pcfailover: $_" }
        }
        $process.Dispose()
    }
}
