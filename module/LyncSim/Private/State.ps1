# State file access: the JSON file named by $env:LYNCSIM_STATE (README.md, "State file").
# Readers never lock: writers replace the whole file by renaming a fully written temporary file
# over it, so a reader sees either the old or the new file, never a torn one. Writers serialise
# on a sibling lock file "<state>.lock" opened with FileShare.None; the operating system releases
# that lock if the process dies, so a killed PowerShell never wedges the simulator.

$script:LyncSimLockTimeoutMs = 30000

function Get-LyncSimStatePath {
    param([string]$Path)
    if ([string]::IsNullOrEmpty($Path)) { $Path = $env:LYNCSIM_STATE }
    if ([string]::IsNullOrEmpty($Path)) {
        throw (New-LyncSimErrorRecord -Message 'LyncSim has no state: set the environment variable LYNCSIM_STATE to the path of a state file (see New-LyncSimState).' -ErrorId 'LyncSimStateNotSet' -Category 'InvalidOperation' -Target 'LYNCSIM_STATE')
    }
    return [System.IO.Path]::GetFullPath($Path)
}

function ConvertTo-LyncSimHashtable {
    # ConvertFrom-Json yields PSCustomObjects (and no -AsHashtable before PowerShell 6): turn them
    # into ordered hashtables and object[] so the rest of LyncSim works on one shape everywhere.
    # PowerShell 7 turns ISO-8601 strings into DateTime; they are turned back into the same string.
    # Scalars are handled inline (no recursive call): this runs on every call of every cmdlet.
    param($InputObject)
    if ($null -eq $InputObject) { return $null }
    $base = $InputObject
    if ($InputObject -is [System.Management.Automation.PSObject]) { $base = $InputObject.PSObject.BaseObject }
    if ($base -is [string] -or $base -is [ValueType]) {
        if ($base -is [datetime]) { return $base.ToUniversalTime().ToString('o') }
        return $base
    }
    if ($base -is [System.Management.Automation.PSCustomObject]) {
        $table = [ordered]@{}
        foreach ($property in $InputObject.PSObject.Properties) {
            $value = $property.Value
            if ($null -eq $value -or $value -is [string] -or ($value -is [ValueType] -and $value -isnot [datetime])) { $table[$property.Name] = $value }
            else { $table[$property.Name] = ConvertTo-LyncSimHashtable $value }
        }
        return $table
    }
    if ($base -is [System.Collections.IDictionary]) {
        $table = [ordered]@{}
        foreach ($key in $base.Keys) {
            $value = $base[$key]
            if ($null -eq $value -or $value -is [string] -or ($value -is [ValueType] -and $value -isnot [datetime])) { $table[[string]$key] = $value }
            else { $table[[string]$key] = ConvertTo-LyncSimHashtable $value }
        }
        return $table
    }
    if ($base -is [System.Collections.IEnumerable]) {
        $list = New-Object System.Collections.Generic.List[object]
        foreach ($item in $base) {
            if ($null -eq $item -or $item -is [string] -or ($item -is [ValueType] -and $item -isnot [datetime])) { $list.Add($item) }
            else { $list.Add((ConvertTo-LyncSimHashtable $item)) }
        }
        return , $list.ToArray()
    }
    return $base
}

function Read-LyncSimStateFile {
    # -Full converts the call log too (for Get-LyncSimState / Get-LyncSimCallLog).
    param([Parameter(Mandatory = $true)][string]$Path, [switch]$Full)
    $attempt = 0
    while ($true) {
        $attempt++
        try {
            $stream = New-Object System.IO.FileStream($Path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read,
                ([System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete))
            try {
                $reader = New-Object System.IO.StreamReader($stream, (New-Object System.Text.UTF8Encoding($false)))
                $text = $reader.ReadToEnd()
            } finally { $stream.Dispose() }
            $parsed = ConvertFrom-Json -InputObject $text
            if ($null -eq $parsed -or $parsed -isnot [System.Management.Automation.PSCustomObject]) { throw "the file does not hold a JSON object" }
            if ($Full) { return (ConvertTo-LyncSimHashtable $parsed) }
            # The call log is kept as parsed (PSCustomObjects): it only grows, nothing edits it,
            # and converting thousands of entries on every call would make each call slow.
            $state = [ordered]@{}
            foreach ($property in $parsed.PSObject.Properties) {
                if ($property.Name -eq 'callLog') { $state['callLog'] = @($property.Value) }
                else { $state[$property.Name] = ConvertTo-LyncSimHashtable $property.Value }
            }
            return $state
        } catch [System.IO.FileNotFoundException] {
            throw (New-LyncSimErrorRecord -Message ("LyncSim state file '{0}' does not exist: create it with New-LyncSimState." -f $Path) -ErrorId 'LyncSimStateMissing' -Category 'ObjectNotFound' -Target $Path)
        } catch [System.IO.DirectoryNotFoundException] {
            throw (New-LyncSimErrorRecord -Message ("LyncSim state file '{0}' does not exist: create it with New-LyncSimState." -f $Path) -ErrorId 'LyncSimStateMissing' -Category 'ObjectNotFound' -Target $Path)
        } catch {
            # Sharing violations on Windows while a writer renames; retry briefly, then report.
            if ($attempt -ge 50) {
                throw (New-LyncSimErrorRecord -Message ("LyncSim state file '{0}' cannot be read: {1}" -f $Path, $_.Exception.Message) -ErrorId 'LyncSimStateUnreadable' -Category 'ReadError' -Target $Path)
            }
            Start-Sleep -Milliseconds 20
        }
    }
}

function ConvertTo-LyncSimJson {
    param([Parameter(Mandatory = $true)]$State)
    # Rebuilt from base objects first: Windows PowerShell 5.1 writes a PSObject-wrapped array as
    # {"value":[...],"Count":n}. The call log holds ConvertFrom-Json objects and fresh ordered
    # dictionaries only, which serialise as they are. Depth is explicit: the default (2) silently
    # truncates nested objects.
    $plain = [ordered]@{}
    foreach ($key in @($State.Keys)) {
        if ($key -eq 'callLog') { $plain[$key] = @($State[$key]) }
        else { $plain[$key] = ConvertTo-LyncSimHashtable $State[$key] }
    }
    return (ConvertTo-Json -InputObject $plain -Depth 30)
}

function Write-LyncSimStateFile {
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)]$State)
    $json = ConvertTo-LyncSimJson $State
    $directory = [System.IO.Path]::GetDirectoryName($Path)
    $temp = Join-Path $directory ('.{0}.{1}.{2}.tmp' -f [System.IO.Path]::GetFileName($Path), $PID, [guid]::NewGuid().ToString('N'))
    $stream = New-Object System.IO.FileStream($temp, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
    try {
        $bytes = (New-Object System.Text.UTF8Encoding($false)).GetBytes($json)
        $stream.Write($bytes, 0, $bytes.Length)
        $stream.Flush($true)
    } finally { $stream.Dispose() }
    $attempt = 0
    while ($true) {
        $attempt++
        try {
            if ([System.IO.File]::Exists($Path)) {
                # File.Replace is an atomic rename on NTFS and on Unix; [NullString] passes a real
                # null for "no backup file" (PowerShell would otherwise pass an empty string).
                [System.IO.File]::Replace($temp, $Path, [NullString]::Value)
            } else {
                [System.IO.File]::Move($temp, $Path)
            }
            return
        } catch {
            # On Windows a reader that opened the file without FILE_SHARE_DELETE blocks the
            # rename for as long as it reads; retry for about two seconds.
            if ($attempt -ge 100) {
                Remove-Item -LiteralPath $temp -Force -ErrorAction SilentlyContinue
                throw
            }
            Start-Sleep -Milliseconds 20
        }
    }
}

function Enter-LyncSimLock {
    param([Parameter(Mandatory = $true)][string]$Path)
    $lockPath = $Path + '.lock'
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        try {
            return New-Object System.IO.FileStream($lockPath, [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
        } catch {
            if ($watch.ElapsedMilliseconds -ge $script:LyncSimLockTimeoutMs) {
                throw (New-LyncSimErrorRecord -Message ("LyncSim state file '{0}' is locked by another process ({1} exists and is held open)." -f $Path, $lockPath) -ErrorId 'LyncSimStateLocked' -Category 'ResourceBusy' -Target $lockPath)
            }
            Start-Sleep -Milliseconds 15
        }
    }
}

function Update-LyncSimState {
    # Runs $ScriptBlock with the current state under the writer lock and writes the state it
    # leaves behind. The script block's output is returned.
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][scriptblock]$ScriptBlock)
    $lock = Enter-LyncSimLock -Path $Path
    try {
        $state = Read-LyncSimStateFile -Path $Path
        $output = & $ScriptBlock $state
        Write-LyncSimStateFile -Path $Path -State $state
        return $output
    } finally {
        $lock.Dispose()
    }
}
