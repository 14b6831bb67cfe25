function ConvertTo-PCCommandLine {
    <#
    .SYNOPSIS
    Joins arguments into one command line that the Microsoft C runtime (and Go's os.Args on
    Windows) splits back into exactly the same arguments.
    .DESCRIPTION
    ProcessStartInfo.ArgumentList does not exist on .NET Framework, so the module builds
    ProcessStartInfo.Arguments itself: an argument is quoted when it is empty or holds a space,
    tab or quote; inside quotes, backslashes are doubled only where they precede a quote.
    The module only ever passes constant switches; request data travels on standard input.
    #>
    param([string[]]$ArgumentList)
    $parts = New-Object System.Collections.Generic.List[string]
    foreach ($argument in $ArgumentList) {
        if ($argument.Length -gt 0 -and $argument -notmatch '[\s"]') {
            $parts.Add($argument)
            continue
        }
        $builder = New-Object System.Text.StringBuilder
        [void]$builder.Append('"')
        $backslashes = 0
        foreach ($c in $argument.ToCharArray()) {
            if ($c -eq '\') {
                $backslashes++
                continue
            }
            if ($c -eq '"') {
                [void]$builder.Append((New-Object string '\', (2 * $backslashes + 1)))
            } elseif ($backslashes -gt 0) {
                [void]$builder.Append((New-Object string '\', $backslashes))
            }
            $backslashes = 0
            [void]$builder.Append($c)
        }
        if ($backslashes -gt 0) { [void]$builder.Append((New-Object string '\', (2 * $backslashes))) }
        [void]$builder.Append('"')
        $parts.Add($builder.ToString())
    }
    [string]::Join(' ', $parts.ToArray())
}

function Invoke-PCCoreProcess {
    <#
    .SYNOPSIS
    Runs the pcfailover binary once and returns its exit code, stdout and non-event stderr.
    .DESCRIPTION
    Uses System.Diagnostics.Process so that no argument is re-quoted by PowerShell and output
    is decoded as UTF-8 on every PowerShell version (Windows PowerShell would use the OEM code
    page). Standard input receives -InputBytes and is closed; standard output (the report) is
    read asynchronously; standard error (JSON-lines events) is read line by line on this
    thread, and each line that looks like JSON is handed to -OnEvent as it arrives, with
    -EventState. The wait for the next line polls, so Ctrl+C (pipeline stop) is honoured within
    a fraction of a second; the process is then killed, and re-running the request resumes.
    The working directory is the current FileSystem location, so relative paths mean what the
    caller sees.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string[]]$ArgumentList,

        [byte[]]$InputBytes,

        [scriptblock]$OnEvent,

        [object]$EventState
    )

    $corePath = Get-PCCorePath
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = $corePath
    $psi.Arguments = ConvertTo-PCCommandLine -ArgumentList $ArgumentList
    $psi.UseShellExecute = $false
    $psi.CreateNoWindow = $true
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $location = $ExecutionContext.SessionState.Path.CurrentFileSystemLocation
    if ($null -ne $location -and (Test-Path -LiteralPath $location.ProviderPath -PathType Container)) {
        $psi.WorkingDirectory = $location.ProviderPath
    }
    $utf8 = New-Object System.Text.UTF8Encoding $false
    $psi.StandardOutputEncoding = $utf8
    $psi.StandardErrorEncoding = $utf8

    Write-Debug ("running {0} {1}" -f $corePath, $psi.Arguments)
    $process = [System.Diagnostics.Process]::Start($psi)
    $otherLines = New-Object System.Collections.Generic.List[string]
    $finished = $false
    try {
        $stdoutTask = $process.StandardOutput.ReadToEndAsync()
        try {
            if ($InputBytes) {
                $process.StandardInput.BaseStream.Write($InputBytes, 0, $InputBytes.Length)
                $process.StandardInput.BaseStream.Flush()
            }
            $process.StandardInput.Close()
        } catch [System.IO.IOException] {
            # The binary exited before reading its input (a usage error); its output says why.
            Write-Debug "pcfailover closed its standard input early: $($_.Exception.Message)"
        }
        $lineTask = $process.StandardError.ReadLineAsync()
        while ($true) {
            if (-not $lineTask.Wait(200)) { continue }
            $line = $lineTask.Result
            if ($null -eq $line) { break }
            $lineTask = $process.StandardError.ReadLineAsync()
            if ($line.StartsWith('{')) {
                if ($OnEvent) { $null = & $OnEvent $line $EventState }
            } elseif ($line.Trim()) {
                $otherLines.Add($line)
            }
        }
        $process.WaitForExit()
        $finished = $true
        New-Object -TypeName PSObject -Property @{
            ExitCode  = $process.ExitCode
            Stdout    = $stdoutTask.Result
            Stderr    = [string]::Join("`n", $otherLines.ToArray())
            ProcessId = $process.Id
        }
    } finally {
        if (-not $finished) {
            try {
                if (-not $process.HasExited) { $process.Kill() }
            } catch {
                Write-Debug "could not stop pcfailover: $($_.Exception.Message)"
            }
        }
        $process.Dispose()
    }
}
