# pshost bootstrap, stage 2. Sent by the Go host (pcfailover/pshost) as the first stdin line
# and run by the stage-1 -EncodedCommand. ASCII only; Windows PowerShell 3.0-5.1 and
# PowerShell 7 (no PS5+ syntax: no classes, no ::new(), no ternary or ?? operators).
#
# Protocol (every line ASCII):
#   stdin  line 2:   base64(UTF-8 JSON) {nonce, modules, allowed, depth, stopGraceMs}
#   stdin  then:     base64(UTF-8 JSON) {id, command, parameters:[{n, v}], timeoutMs}
#   stdout frames:   "<nonce> <id> <base64(UTF-8 JSON)>"; id 0 = ready, else the reply to id.
# Request data is never parsed as script: the command must be in the allow-list, runs by
# name with AddCommand in a dedicated runspace (which cannot see this script's variables,
# so not the nonce), and each parameter value is rebuilt as a typed .NET object and bound
# with AddParameter. The runspace has no host UI, so nothing in it can prompt or read stdin.

Set-StrictMode -Off
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'

$pshIn = [Console]::In
$pshOut = [Console]::Out
$pshUtf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
$pshInv = [System.Globalization.CultureInfo]::InvariantCulture
$pshNonce = $null
# Types used per request, resolved once: [Activator]::CreateInstance on them costs a
# fraction of New-Object (a cmdlet call) and works on PowerShell 3.0.
$pshListType = [System.Collections.ArrayList]
$pshCollType = [System.Management.Automation.PSDataCollection[psobject]]
$pshEmpty = [object[]]@()

function Read-PshMessage {
    $line = $pshIn.ReadLine()
    if ($line -eq $null) { return $null }
    $json = $pshUtf8.GetString([Convert]::FromBase64String($line.Trim()))
    return (ConvertFrom-Json -InputObject $json)
}

function Write-PshFrame([long]$Id, [string]$Json) {
    $b64 = [Convert]::ToBase64String($pshUtf8.GetBytes($Json))
    $pshOut.Write($pshNonce + ' ' + $Id.ToString($pshInv) + ' ' + $b64 + "`n")
    $pshOut.Flush()
}

function ConvertFrom-PshBase64([string]$Text) {
    return $pshUtf8.GetString([Convert]::FromBase64String($Text))
}

# ConvertFrom-PshValue rebuilds a typed value (see pshost/value.go). Arrays are returned
# wrapped in a one-element array so that the pipeline does not unroll them.
function ConvertFrom-PshValue($W, [int]$Depth) {
    if ($Depth -gt 64) { throw 'parameter value nested too deeply' }
    if ($W -eq $null) { return $null }
    $t = [string]$W.t
    if ($t -eq 'null') { return $null }
    if ($t -eq 'str') { return (ConvertFrom-PshBase64 ([string]$W.b)) }
    if ($t -eq 'int') {
        $l = [long]::Parse([string]$W.n, [System.Globalization.NumberStyles]::AllowLeadingSign, $pshInv)
        if ($l -ge [int]::MinValue -and $l -le [int]::MaxValue) { return [int]$l }
        return $l
    }
    if ($t -eq 'double') { return [double]::Parse([string]$W.n, [System.Globalization.NumberStyles]::Float, $pshInv) }
    if ($t -eq 'bool') { return [bool]$W.v }
    if ($t -eq 'switch') { return (New-Object System.Management.Automation.SwitchParameter -ArgumentList ([bool]$W.v)) }
    if ($t -eq 'datetime') {
        $ticks = [long]::Parse([string]$W.n, [System.Globalization.NumberStyles]::None, $pshInv)
        return (New-Object System.DateTime -ArgumentList $ticks, ([System.DateTimeKind]::Utc))
    }
    if ($t -eq 'secure') {
        $ss = New-Object System.Security.SecureString
        foreach ($ch in (ConvertFrom-PshBase64 ([string]$W.b)).ToCharArray()) { $ss.AppendChar($ch) }
        $ss.MakeReadOnly()
        return $ss
    }
    if ($t -eq 'array') {
        $list = New-Object System.Collections.ArrayList
        foreach ($e in $W.a) { [void]$list.Add((ConvertFrom-PshValue $e ($Depth + 1))) }
        return ,($list.ToArray())
    }
    if ($t -eq 'hashtable') {
        $h = @{}
        foreach ($e in $W.e) { $h[(ConvertFrom-PshBase64 ([string]$e.k))] = (ConvertFrom-PshValue $e.v ($Depth + 1)) }
        return $h
    }
    throw ('unknown parameter value type ' + $t)
}

function New-PshError([string]$Message, [string]$Fqid, [string]$Category, [string]$TargetName, [bool]$Terminating) {
    return @{
        message = $Message; fullyQualifiedErrorId = $Fqid; category = $Category; reason = ''
        targetName = $TargetName; targetType = ''; exceptionType = ''; scriptStackTrace = ''
        positionMessage = ''; terminating = $Terminating
    }
}

function ConvertTo-PshError($Record, [bool]$Terminating) {
    $msg = ''
    $exType = ''
    if ($Record.Exception -ne $null) {
        $msg = [string]$Record.Exception.Message
        $exType = $Record.Exception.GetType().FullName
    }
    if ($Record.ErrorDetails -ne $null -and -not [string]::IsNullOrEmpty($Record.ErrorDetails.Message)) {
        $msg = [string]$Record.ErrorDetails.Message
    }
    $pos = ''
    if ($Record.InvocationInfo -ne $null) { $pos = [string]$Record.InvocationInfo.PositionMessage }
    $ci = $Record.CategoryInfo
    return @{
        message = $msg
        fullyQualifiedErrorId = [string]$Record.FullyQualifiedErrorId
        category = [string]$ci.Category
        reason = [string]$ci.Reason
        targetName = [string]$ci.TargetName
        targetType = [string]$ci.TargetType
        exceptionType = $exType
        scriptStackTrace = [string]$Record.ScriptStackTrace
        positionMessage = $pos
        terminating = $Terminating
    }
}

# Get-PshErrorRecord finds the ErrorRecord behind an exception caught around a
# [powershell] method call (they arrive wrapped in MethodInvocationException).
function Get-PshErrorRecord($Caught) {
    $ex = $Caught.Exception
    while (($ex -is [System.Management.Automation.MethodInvocationException]) -and ($ex.InnerException -ne $null)) {
        $ex = $ex.InnerException
    }
    if ($ex -is [System.Management.Automation.IContainsErrorRecord]) { return $ex.ErrorRecord }
    return (New-Object System.Management.Automation.ErrorRecord -ArgumentList $ex, 'pshost.InvokeFailed', ([System.Management.Automation.ErrorCategory]::NotSpecified), $null)
}

function ConvertTo-PshJsonText($Value) {
    return (ConvertTo-Json -InputObject $Value -Compress)
}

# ConvertTo-PshOutputJson converts one output object with the configured depth. Scalars are
# unwrapped from their PSObject first, so that notes attached to them (PSPath on
# Get-Content lines, DisplayHint on Get-Date) do not turn them into objects.
function ConvertTo-PshOutputJson($O, [int]$Depth) {
    if ($O -eq $null) { return 'null' }
    try {
        $base = $O
        if ($O -is [System.Management.Automation.PSObject]) { $base = $O.PSObject.BaseObject }
        if ($base -is [string] -or $base -is [char] -or $base -is [guid]) { return (ConvertTo-PshJsonText ([string]$base)) }
        if ($base -is [datetime]) { return (ConvertTo-PshJsonText (([datetime]$base).ToString('o', $pshInv))) }
        if ($base -is [bool] -or $base -is [System.ValueType]) { return (ConvertTo-Json -InputObject $base -Compress) }
        return (ConvertTo-Json -InputObject $O -Depth $Depth -Compress -WarningAction SilentlyContinue)
    } catch {
        return (ConvertTo-PshJsonText ([string]$O))
    }
}

# ConvertTo-PshMetaJson converts a reply's meta. A command that wrote no errors, warnings,
# verbose, debug or information records (the common case) has only booleans, numbers and
# empty lists, written here directly: ConvertTo-Json costs about half a millisecond a call.
# Anything else goes through ConvertTo-Json.
function ConvertTo-PshMetaJson($Meta) {
    $lists = 'errors', 'warnings', 'verbose', 'debug', 'information'
    $simple = [string]::IsNullOrEmpty([string]$Meta['fatal'])
    foreach ($k in $lists) {
        $v = $Meta[$k]
        if ($v -ne $null -and @($v).Count -gt 0) { $simple = $false }
    }
    if (-not $simple) { return (ConvertTo-Json -InputObject $Meta -Depth 6 -Compress) }
    $b = '{"timedOut":' + ([string][bool]$Meta['timedOut']).ToLowerInvariant() +
        ',"hadErrors":' + ([string][bool]$Meta['hadErrors']).ToLowerInvariant() + ',"fatal":""'
    foreach ($k in $lists) { $b += ',"' + $k + '":[]' }
    foreach ($k in 'durationUs', 'id', 'pid') { $b += ',"' + $k + '":' + ([long]$Meta[$k]).ToString($pshInv) }
    return ($b + '}')
}

# Write-PshReply sends the reply; output that would make the line longer than the Go side
# accepts is dropped and reported as an error record instead.
function Write-PshReply([long]$Id, $Meta, $OutputJson) {
    $Meta['id'] = $Id
    $Meta['pid'] = $PID
    $outText = [string]::Join(',', [string[]]$OutputJson)
    if ($pshMaxReply -gt 0 -and (($pshUtf8.GetByteCount($outText) / 3) * 4 + 4096) -gt $pshMaxReply) {
        $tooLarge = New-PshError ('The output (' + $OutputJson.Count + ' objects, ' + $outText.Length + ' characters of JSON) exceeds the host''s reply limit of ' + $pshMaxReply + ' bytes. Select fewer properties or a lower depth.') 'OutputTooLarge,pshost' 'LimitsExceeded' '' $false
        $Meta['errors'] = [object[]](@($Meta['errors']) + @($tooLarge))
        $Meta['hadErrors'] = $true
        $outText = ''
    }
    $metaJson = ConvertTo-PshMetaJson $Meta
    Write-PshFrame $Id ('{"meta":' + $metaJson + ',"output":[' + $outText + ']}')
}

function Get-PshMessages($Collection) {
    $list = [Activator]::CreateInstance($pshListType)
    foreach ($r in $Collection) { [void]$list.Add([string]$r.Message) }
    return ,([object[]]$list.ToArray())
}

function Invoke-PshRequest($Req) {
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $errors = [Activator]::CreateInstance($pshListType)
    $outJson = [Activator]::CreateInstance($pshListType)
    $meta = @{ timedOut = $false; hadErrors = $false; fatal = ''
        warnings = $pshEmpty; verbose = $pshEmpty; debug = $pshEmpty; information = $pshEmpty }
    $name = [string]$Req.command
    if (-not $pshAllowed.ContainsKey($name)) {
        [void]$errors.Add((New-PshError ('The command "' + $name + '" is not in the allow-list of this host.') 'CommandNotAllowed,pshost' 'PermissionDenied' $name $true))
        $meta['hadErrors'] = $true
        $meta['errors'] = [object[]]$errors.ToArray()
        $meta['durationUs'] = [long]($sw.Elapsed.Ticks / 10)
        return @{ meta = $meta; output = [object[]]@() }
    }
    $ps = [System.Management.Automation.PowerShell]::Create()
    $disposable = $true
    try {
        $ps.Runspace = $pshRunspace
        [void]$ps.AddCommand($name)
        foreach ($p in $Req.parameters) {
            $v = ConvertFrom-PshValue $p.v 0
            [void]$ps.AddParameter([string]$p.n, $v)
        }
        $select = [Activator]::CreateInstance($pshListType)
        foreach ($s in $Req.select) { if ($s -ne $null) { [void]$select.Add([string]$s) } }
        if ($select.Count -gt 0) {
            [void]$ps.AddCommand('Microsoft.PowerShell.Utility\Select-Object').AddParameter('Property', [string[]]$select.ToArray())
        }
        $depth = [int]$Req.depth
        if ($depth -le 0) { $depth = $pshDepth }
        $inColl = [Activator]::CreateInstance($pshCollType)
        $inColl.Complete()
        $outColl = [Activator]::CreateInstance($pshCollType)
        $timeoutMs = [int]$Req.timeoutMs
        $async = $ps.BeginInvoke($inColl, $outColl)
        $completed = $true
        if ($timeoutMs -gt 0) { $completed = $async.AsyncWaitHandle.WaitOne($timeoutMs) }
        else { [void]$async.AsyncWaitHandle.WaitOne() }
        if (-not $completed) {
            $meta['timedOut'] = $true
            $stop = $ps.BeginStop($null, $null)
            if (-not $stop.AsyncWaitHandle.WaitOne($pshStopGraceMs)) {
                $meta['fatal'] = 'the command did not stop within ' + $pshStopGraceMs + ' ms of its timeout'
                $disposable = $false
            }
        }
        if ($disposable) {
            try { [void]$ps.EndInvoke($async) }
            catch {
                if (-not $meta['timedOut']) { [void]$errors.Insert(0, (ConvertTo-PshError (Get-PshErrorRecord $_) $true)) }
            }
        }
        foreach ($o in $outColl.ReadAll()) { [void]$outJson.Add((ConvertTo-PshOutputJson $o $depth)) }
        $streams = $ps.Streams
        if ($streams.Error.Count -gt 0) {
            $all = [Activator]::CreateInstance($pshListType)
            foreach ($e in $streams.Error.ReadAll()) { [void]$all.Add((ConvertTo-PshError $e $false)) }
            $all.AddRange($errors)
            $errors = $all
        }
        if ($streams.Warning.Count -gt 0) { $meta['warnings'] = Get-PshMessages $streams.Warning }
        if ($streams.Verbose.Count -gt 0) { $meta['verbose'] = Get-PshMessages $streams.Verbose }
        if ($streams.Debug.Count -gt 0) { $meta['debug'] = Get-PshMessages $streams.Debug }
        if ($pshHasInformation -and $streams.Information.Count -gt 0) {
            $info = [Activator]::CreateInstance($pshListType)
            foreach ($i in $streams.Information) { [void]$info.Add([string]$i.MessageData) }
            $meta['information'] = [object[]]$info.ToArray()
        }
        $meta['hadErrors'] = ($errors.Count -gt 0) -or ($disposable -and $ps.HadErrors)
    } catch {
        [void]$errors.Add((ConvertTo-PshError (Get-PshErrorRecord $_) $true))
        $meta['hadErrors'] = $true
    } finally {
        if ($disposable) { $ps.Dispose() }
    }
    $meta['errors'] = [object[]]$errors.ToArray()
    $meta['durationUs'] = [long]($sw.Elapsed.Ticks / 10)
    return @{ meta = $meta; output = [object[]]$outJson.ToArray() }
}

# --- start: read the init message, open the runspace, import the modules ---
$init = Read-PshMessage
if ($init -eq $null) { exit 2 }
$pshNonce = [string]$init.nonce
$pshDepth = [int]$init.depth
$pshStopGraceMs = [int]$init.stopGraceMs
$pshMaxReply = [long]$init.maxReply
$pshAllowed = @{}
# The Information stream exists from PowerShell 5.0 on.
$pshHasInformation = ([System.Management.Automation.PSDataStreams].GetProperty('Information') -ne $null)
foreach ($c in $init.allowed) { $pshAllowed[[string]$c] = $true }

try { if ($PSStyle -ne $null) { $PSStyle.OutputRendering = 'PlainText' } } catch { }
$pshOnWindows = ([Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT)
$iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
if ($pshOnWindows) {
    # Execution policies exist only on Windows (setting one elsewhere makes Open fail).
    try { $iss.ExecutionPolicy = [Microsoft.PowerShell.ExecutionPolicy]::Bypass } catch { }
}
$pshRunspace = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace($iss)
if ($pshOnWindows) {
    # Like powershell.exe 3.0+, run commands on one STA thread.
    $pshRunspace.ApartmentState = [System.Threading.ApartmentState]::STA
}
$pshRunspace.ThreadOptions = [System.Management.Automation.Runspaces.PSThreadOptions]::ReuseThread
$pshRunspace.Open()
$pshRunspace.SessionStateProxy.SetVariable('ProgressPreference', 'SilentlyContinue')

$imports = New-Object System.Collections.ArrayList
foreach ($m in $init.modules) {
    $mod = [string]$m
    $r = @{ module = $mod; ok = $false; name = ''; version = ''; path = ''; error = $null }
    $ps = [System.Management.Automation.PowerShell]::Create()
    try {
        $ps.Runspace = $pshRunspace
        [void]$ps.AddCommand('Import-Module').AddParameter('Name', $mod).AddParameter('Global', $true).AddParameter('PassThru', $true).AddParameter('ErrorAction', 'Stop')
        $loaded = $ps.Invoke()
        if ($ps.Streams.Error.Count -gt 0) {
            $r['error'] = ConvertTo-PshError $ps.Streams.Error[0] $false
        } elseif ($loaded.Count -eq 0) {
            $r['error'] = New-PshError ('Import-Module returned no module for "' + $mod + '".') 'ModuleNotImported,pshost' 'ResourceUnavailable' $mod $true
        } else {
            $first = $loaded[0]
            $r['ok'] = $true
            $r['name'] = [string]$first.Name
            $r['version'] = [string]$first.Version
            $r['path'] = [string]$first.Path
        }
    } catch {
        $r['error'] = ConvertTo-PshError (Get-PshErrorRecord $_) $true
    } finally {
        $ps.Dispose()
    }
    [void]$imports.Add($r)
}

$ready = @{
    type = 'ready'
    psVersion = $PSVersionTable.PSVersion.ToString()
    edition = [string]$PSVersionTable.PSEdition
    pid = $PID
    is64Bit = [Environment]::Is64BitProcess
    imports = [object[]]$imports.ToArray()
}
Write-PshFrame 0 (ConvertTo-Json -InputObject $ready -Depth 6 -Compress)

# --- serve: one request per line until stdin closes ---
while ($true) {
    $id = 0
    try {
        $line = $pshIn.ReadLine()
        if ($line -eq $null) { break }
        if ($line.Trim().Length -eq 0) { continue }
        $req = ConvertFrom-Json -InputObject ($pshUtf8.GetString([Convert]::FromBase64String($line.Trim())))
        $id = [long]$req.id
        $r = Invoke-PshRequest $req
    } catch {
        $err = ConvertTo-PshError (Get-PshErrorRecord $_) $true
        $r = @{ meta = @{ timedOut = $false; hadErrors = $true; fatal = ''; durationUs = 0
                errors = [object[]]@($err); warnings = [object[]]@(); verbose = [object[]]@()
                debug = [object[]]@(); information = [object[]]@() }; output = [object[]]@() }
    }
    Write-PshReply $id $r.meta $r.output
    if (-not [string]::IsNullOrEmpty([string]$r.meta['fatal'])) { [Environment]::Exit(3) }
}
exit 0
