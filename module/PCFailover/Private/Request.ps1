# The request model on the PowerShell side: reading .psd1/.json files safely, normalizing
# any input (hashtable, PSCustomObject, parameters) to the canonical request of
# cli/CONTRACT.md, validating its shape, and writing it back out. The Go binary remains the
# authority on the request (it validates against `pcfailover schema` again); the module checks
# the shape early so that a mistake in a .psd1 or a CSV row is reported before any process runs.

function Get-PCRequestSchema {
    # The canonical field names and kinds of every request object, in output order.
    @{
        request  = [ordered]@{
            schemaVersion           = 'int'
            poolFqdn                = 'string'
            database                = 'string'
            backupSqlInstance       = 'instance'
            primarySqlInstance      = 'instance'
            backupMirrorSqlInstance = 'instance'
            share                   = 'string'
            copyDestination         = 'string'
            runDirectory            = 'string'
            pathMap                 = 'pathmap'
            lync                    = 'lync'
            options                 = 'options'
            drill                   = 'drill'
            status                  = 'status'
            failback                = 'failback'
        }
        pathMapEntry = [ordered]@{
            from = 'string'
            to   = 'string'
        }
        instance = [ordered]@{
            server                 = 'string'
            instance               = 'string'
            port                   = 'int'
            auth                   = 'string'
            user                   = 'string'
            passwordEnv            = 'string'
            encrypt                = 'string'
            certificate            = 'string'
            hostNameInCertificate  = 'string'
            trustServerCertificate = 'bool'
        }
        lync     = [ordered]@{
            module               = 'string'
            activeServers        = 'strings'
            dataCenters          = 'map'
            backupDataCenter     = 'string'
            allowCrossDataCenter = 'bool'
            skip                 = 'bool'
            mirrorFileShare      = 'string'
        }
        options  = [ordered]@{
            acceptDataLoss    = 'bool'
            copyParallelism   = 'int'
            headerParallelism = 'int'
            killRetries       = 'int'
        }
        drill    = [ordered]@{
            fullBackup       = 'string'
            scratchDirectory = 'string'
            skipCheckDb      = 'bool'
            historyFile      = 'string'
        }
        failback = [ordered]@{
            activeServers          = 'strings'
            primaryDataCenter      = 'string'
            primaryBackupDirectory = 'string'
            mirrorFileShare        = 'string'
            skipPrimaryMirror      = 'bool'
            secondaryRestoreMode   = 'string'
        }
        status   = [ordered]@{
            rpoWarningMinutes      = 'int'
            rpoCriticalMinutes     = 'int'
            restoreWarningMinutes  = 'int'
            restoreCriticalMinutes = 'int'
            filesWaitingWarning    = 'int'
        }
    }
}

function New-PCRequestProblem {
    # One problem in a request, shaped like the binary's errors[] of an invalid report.
    param([string]$Field, [string]$Message, [string]$Fix)
    $problem = [pscustomobject][ordered]@{ Field = $Field; Message = $Message; Fix = $Fix }
    $problem.PSObject.TypeNames.Insert(0, 'PCFailover.RequestProblem')
    $problem
}

function Get-PCPair {
    # Key/value pairs of a dictionary or a PSCustomObject, as DictionaryEntry objects; $null
    # when the value is neither.
    param([AllowNull()][object]$InputObject)
    if ($null -eq $InputObject) { return $null }
    if ($InputObject -is [System.Management.Automation.PSObject] -and
        -not ($InputObject.PSObject.BaseObject -is [System.Management.Automation.PSCustomObject])) {
        $InputObject = $InputObject.PSObject.BaseObject
    }
    $pairs = New-Object System.Collections.Generic.List[object]
    if ($InputObject -is [System.Collections.IDictionary]) {
        foreach ($key in $InputObject.Keys) {
            $pairs.Add((New-Object System.Collections.DictionaryEntry ([string]$key), $InputObject[$key]))
        }
        return , $pairs
    }
    if ($InputObject -is [System.Management.Automation.PSObject]) {
        foreach ($property in $InputObject.PSObject.Properties) {
            if ($property.MemberType -eq 'NoteProperty' -or $property.MemberType -eq 'Property') {
                $pairs.Add((New-Object System.Collections.DictionaryEntry $property.Name, $property.Value))
            }
        }
        return , $pairs
    }
    return $null
}

function Get-PCPropertyValue {
    # Reads a property of a PSCustomObject or a key of a dictionary, case-insensitively,
    # returning $Default when it is absent (safe under Set-StrictMode).
    param([AllowNull()][object]$InputObject, [string]$Name, [AllowNull()][object]$Default = $null)
    if ($null -eq $InputObject) { return $Default }
    if ($InputObject -is [System.Collections.IDictionary]) {
        foreach ($key in $InputObject.Keys) {
            if ([string]::Equals([string]$key, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
                return $InputObject[$key]
            }
        }
        return $Default
    }
    $property = $InputObject.PSObject.Properties[$Name]
    if ($null -eq $property) { return $Default }
    return $property.Value
}

function ConvertTo-PCSqlInstanceSpec {
    <#
    .SYNOPSIS
    Parses a SQL Server instance written the way admins write it: server, server\instance,
    server,port or server\instance,port (an optional tcp: prefix is ignored).
    #>
    param([string]$Text, [string]$Field, [System.Collections.Generic.List[object]]$Problems)

    $spec = [ordered]@{}
    $value = $Text.Trim()
    if ($value -match '^(?i)tcp:') { $value = $value.Substring(4) }
    $port = 0
    $comma = $value.LastIndexOf(',')
    if ($comma -ge 0) {
        $portText = $value.Substring($comma + 1).Trim()
        $value = $value.Substring(0, $comma).Trim()
        if (-not [int]::TryParse($portText, [ref]$port) -or $port -lt 1 -or $port -gt 65535) {
            $Problems.Add((New-PCRequestProblem -Field "$Field.port" -Message "'$portText' is not a TCP port" -Fix 'write the instance as server, server\instance, server,port or server\instance,port with a port from 1 to 65535'))
            $port = 0
        }
    }
    $server = $value
    $instance = ''
    $slash = $value.IndexOf('\')
    if ($slash -ge 0) {
        $server = $value.Substring(0, $slash).Trim()
        $instance = $value.Substring($slash + 1).Trim()
    }
    if (-not $server) {
        $Problems.Add((New-PCRequestProblem -Field "$Field.server" -Message "'$Text' names no server" -Fix 'write the instance as server, server\instance, server,port or server\instance,port'))
    }
    $spec.server = $server
    if ($instance) { $spec.instance = $instance }
    if ($port -gt 0) { $spec.port = $port }
    $spec
}

function ConvertTo-PCRequestValue {
    # Converts one value to the kind the schema gives it, adding a problem when it cannot.
    param(
        [AllowNull()][object]$Value,
        [string]$Kind,
        [string]$Field,
        [System.Collections.Generic.List[object]]$Problems
    )

    if ($Value -is [System.Management.Automation.PSObject] -and
        -not ($Value.PSObject.BaseObject -is [System.Management.Automation.PSCustomObject])) {
        $Value = $Value.PSObject.BaseObject
    }
    $isList = ($Value -is [System.Collections.IEnumerable]) -and -not ($Value -is [string]) -and
        -not ($Value -is [System.Collections.IDictionary])
    switch ($Kind) {
        'string' {
            if ($isList -or $Value -is [System.Collections.IDictionary] -or $Value -is [System.Management.Automation.PSCustomObject]) {
                $Problems.Add((New-PCRequestProblem -Field $Field -Message 'must be a single string' -Fix 'give one value'))
                return $null
            }
            return [string]$Value
        }
        'int' {
            $number = 0
            if ($Value -is [int] -or $Value -is [long] -or $Value -is [byte] -or $Value -is [int16]) {
                return [int]$Value
            }
            if ($Value -is [double] -and [math]::Floor($Value) -eq $Value) {
                return [int]$Value
            }
            if ($Value -is [string] -and [int]::TryParse($Value.Trim(), [System.Globalization.NumberStyles]::Integer, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$number)) {
                return $number
            }
            $Problems.Add((New-PCRequestProblem -Field $Field -Message "'$Value' is not a whole number" -Fix 'give a whole number'))
            return $null
        }
        'bool' {
            if ($Value -is [bool]) { return $Value }
            if ($Value -is [System.Management.Automation.SwitchParameter]) { return $Value.IsPresent }
            if ($Value -is [string]) {
                $text = $Value.Trim()
                if ($text -eq 'true' -or $text -eq '1' -or $text -eq 'yes') { return $true }
                if ($text -eq 'false' -or $text -eq '0' -or $text -eq 'no' -or $text -eq '') { return $false }
            }
            if ($Value -is [int] -and ($Value -eq 0 -or $Value -eq 1)) { return [bool]$Value }
            $Problems.Add((New-PCRequestProblem -Field $Field -Message "'$Value' is not true or false" -Fix 'give $true or $false (JSON: true or false)'))
            return $null
        }
        'strings' {
            $items = New-Object System.Collections.Generic.List[string]
            $values = @()
            if ($isList) {
                $values = @($Value)
            } else {
                $values = @([string]$Value)
            }
            foreach ($item in $values) {
                if ($null -eq $item) { continue }
                foreach ($part in ([string]$item).Split([char[]]@(',', ';'))) {
                    $text = $part.Trim()
                    if ($text) { $items.Add($text) }
                }
            }
            return , $items.ToArray()
        }
        'map' {
            $map = [ordered]@{}
            $pairs = Get-PCPair -InputObject $Value
            if ($null -ne $pairs) {
                foreach ($pair in $pairs) {
                    $map[[string]$pair.Key] = [string]$pair.Value
                }
                return $map
            }
            if ($Value -is [string]) {
                foreach ($entry in $Value.Split([char[]]@(';', ','))) {
                    $entry = $entry.Trim()
                    if (-not $entry) { continue }
                    $equals = $entry.IndexOf('=')
                    if ($equals -le 0) {
                        $Problems.Add((New-PCRequestProblem -Field $Field -Message "'$entry' is not server=datacenter" -Fix "write the map as 'pc1.contoso.com=DC1;pc3.contoso.com=DC2' or as a hashtable"))
                        continue
                    }
                    $map[$entry.Substring(0, $equals).Trim()] = $entry.Substring($equals + 1).Trim()
                }
                return $map
            }
            $Problems.Add((New-PCRequestProblem -Field $Field -Message 'must map server names to data center names' -Fix "give a hashtable @{ 'pc1.contoso.com' = 'DC1' } or 'pc1.contoso.com=DC1;pc3.contoso.com=DC2'"))
            return $null
        }
        'pathmap' {
            return (ConvertTo-PCPathMap -Value $Value -Field $Field -Problems $Problems)
        }
        default {
            if ($Value -is [string] -and $Kind -eq 'instance') {
                return (ConvertTo-PCSqlInstanceSpec -Text $Value -Field $Field -Problems $Problems)
            }
            return (ConvertTo-PCRequestNode -InputObject $Value -Kind $Kind -Field $Field -Problems $Problems)
        }
    }
}

function Test-PCPathMapEntryShape {
    # True when a dictionary or object is one pathMap entry (its only keys are from and to),
    # rather than a map of SQL Server prefixes to local paths.
    param([AllowNull()][object]$InputObject)
    $pairs = Get-PCPair -InputObject $InputObject
    if ($null -eq $pairs -or $pairs.Count -eq 0) { return $false }
    foreach ($pair in $pairs) {
        if (@('from', 'to') -notcontains ([string]$pair.Key).ToLowerInvariant()) { return $false }
    }
    return $true
}

function ConvertTo-PCPathMap {
    <#
    .SYNOPSIS
    Normalizes -PathMap (request field pathMap) to an array of ordered {from, to} entries.
    .DESCRIPTION
    Accepts a hashtable of SQL Server prefixes to this machine's paths
    (@{ 'E:\LSCopy' = '\\SQLPCBAK\E$\LSCopy' }; a plain hashtable is sorted by prefix so the
    request is written the same way every time, an [ordered] one keeps its order), objects or
    hashtables with From and To (a JSON/.psd1 pathMap array, or pipeline objects), or the text
    'E:\LSCopy=\\SQLPCBAK\E$\LSCopy;F:\x=...' of a CSV column. A prefix given twice
    (compared case-insensitively, as Windows does) is a problem; whether each path is a valid
    drive or UNC path is checked by the binary (`pcfailover schema`).
    #>
    param(
        [AllowNull()][object]$Value,
        [string]$Field,
        [System.Collections.Generic.List[object]]$Problems
    )
    $fix = 'give a hashtable @{ ''E:\LSCopy'' = ''\\SQLPCBAK\E$\LSCopy'' } (SQL Server''s path = this machine''s path), objects with From and To, or the text E:\LSCopy=\\SQLPCBAK\E$\LSCopy;...'
    $raw = New-Object System.Collections.Generic.List[object]
    if ($Value -is [System.Management.Automation.PSObject] -and
        -not ($Value.PSObject.BaseObject -is [System.Management.Automation.PSCustomObject])) {
        $Value = $Value.PSObject.BaseObject
    }
    if ($Value -is [string]) {
        foreach ($entry in $Value.Split([char[]]@(';'))) {
            $entry = $entry.Trim()
            if (-not $entry) { continue }
            $equals = $entry.IndexOf('=')
            if ($equals -le 0) {
                $Problems.Add((New-PCRequestProblem -Field $Field -Message "'$entry' is not sqlPath=localPath" -Fix $fix))
                continue
            }
            $raw.Add([ordered]@{ from = $entry.Substring(0, $equals).Trim(); to = $entry.Substring($equals + 1).Trim() })
        }
    } elseif (($Value -is [System.Collections.IDictionary] -or $Value -is [System.Management.Automation.PSCustomObject]) -and
        -not (Test-PCPathMapEntryShape -InputObject $Value)) {
        $pairs = (Get-PCPair -InputObject $Value).ToArray()
        if (-not ($Value -is [System.Collections.Specialized.IOrderedDictionary]) -and $Value -is [System.Collections.IDictionary]) {
            # Ordinal, case-insensitive: the same order under every culture.
            $byKey = @{}
            foreach ($pair in $pairs) { $byKey[[string]$pair.Key] = $pair }
            $keys = [string[]]@($pairs | ForEach-Object { [string]$_.Key })
            [System.Array]::Sort($keys, [System.StringComparer]::OrdinalIgnoreCase)
            $pairs = @($keys | ForEach-Object { $byKey[$_] })
        }
        foreach ($pair in $pairs) {
            if ($null -eq $pair) { continue }
            $raw.Add([ordered]@{ from = [string]$pair.Key; to = $pair.Value })
        }
    } else {
        foreach ($item in @($Value)) {
            if ($null -eq $item) { continue }
            $raw.Add($item)
        }
    }
    $entries = New-Object System.Collections.Generic.List[object]
    $seen = @{}
    $index = 0
    foreach ($item in $raw) {
        $path = '{0}[{1}]' -f $Field, $index
        $index++
        $entry = ConvertTo-PCRequestNode -InputObject $item -Kind 'pathMapEntry' -Field $path -Problems $Problems
        if ($null -eq $entry) { continue }
        $ok = $true
        foreach ($name in @('from', 'to')) {
            if (-not $entry.Contains($name) -or -not ([string]$entry[$name]).Trim()) {
                $Problems.Add((New-PCRequestProblem -Field "$path.$name" -Message 'is required' -Fix $fix))
                $ok = $false
            } else {
                $entry[$name] = ([string]$entry[$name]).Trim()
            }
        }
        if (-not $ok) { continue }
        $key = $entry['from'].ToLowerInvariant()
        if ($seen.ContainsKey($key)) {
            $Problems.Add((New-PCRequestProblem -Field "$path.from" -Message ("'{0}' is mapped twice" -f $entry['from']) -Fix 'give each SQL Server path prefix once (Windows compares them case-insensitively)'))
            continue
        }
        $seen[$key] = $true
        $entries.Add($entry)
    }
    return , $entries.ToArray()
}

function ConvertTo-PCRequestNode {
    # Normalizes one object of the request (the request itself, an instance, lync, options)
    # to an ordered dictionary with the canonical field names in schema order. Keys match
    # case-insensitively, so a .psd1 may say PoolFqdn or poolFqdn.
    param(
        [AllowNull()][object]$InputObject,
        [string]$Kind,
        [string]$Field,
        [System.Collections.Generic.List[object]]$Problems
    )

    $schema = (Get-PCRequestSchema)[$Kind]
    $pairs = Get-PCPair -InputObject $InputObject
    $name = $Field
    if (-not $name) { $name = '(request)' }
    if ($null -eq $pairs) {
        $Problems.Add((New-PCRequestProblem -Field $name -Message 'must be an object (a hashtable or a JSON object)' -Fix 'see about_PCFailover or `pcfailover schema` for the request format'))
        return $null
    }
    $found = @{}
    foreach ($pair in $pairs) {
        $key = [string]$pair.Key
        $path = $key
        if ($Field) { $path = "$Field.$key" }
        if ($key -eq 'password') {
            $Problems.Add((New-PCRequestProblem -Field $path -Message 'a request must not contain a password' -Fix 'remove it; use -Credential, or name an environment variable in passwordEnv'))
            continue
        }
        $canonical = $null
        foreach ($known in $schema.Keys) {
            if ([string]::Equals($known, $key, [System.StringComparison]::OrdinalIgnoreCase)) { $canonical = $known }
        }
        if ($null -eq $canonical) {
            $Problems.Add((New-PCRequestProblem -Field $path -Message 'is not a known field' -Fix ('remove it or correct its spelling; the fields here are: ' + (@($schema.Keys) -join ', '))))
            continue
        }
        if ($Field) { $path = "$Field.$canonical" } else { $path = $canonical }
        if ($null -eq $pair.Value) {
            if ($schema[$canonical] -eq 'instance' -or $schema[$canonical] -eq 'lync') {
                $found[$canonical] = $null
            }
            continue
        }
        $converted = ConvertTo-PCRequestValue -Value $pair.Value -Kind $schema[$canonical] -Field $path -Problems $Problems
        if ($null -ne $converted) { $found[$canonical] = $converted }
    }
    $node = [ordered]@{}
    foreach ($known in $schema.Keys) {
        if ($found.ContainsKey($known)) { $node[$known] = $found[$known] }
    }
    $node
}

function Read-PCRequestFile {
    <#
    .SYNOPSIS
    Reads a request file (.json or .psd1) into a dictionary or PSCustomObject, without running
    any code it contains.
    .DESCRIPTION
    A .psd1 is parsed with the PowerShell parser and then checked with
    ScriptBlock.CheckRestrictedLanguage (no commands, no variables but $true/$false/$null, no
    environment variables) before its single hashtable literal is evaluated, so it works on
    Windows PowerShell 3.0 and 4.0, which lack Import-PowerShellDataFile, and a request file can
    never execute code. JSON is read with ConvertFrom-Json. Problems go to $Problems.
    #>
    param([string]$Path, [System.Collections.Generic.List[object]]$Problems)

    $fullPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    if (-not (Test-Path -LiteralPath $fullPath -PathType Leaf)) {
        $Problems.Add((New-PCRequestProblem -Field '(file)' -Message "'$fullPath' does not exist" -Fix 'give the path of a .json or .psd1 request file'))
        return $null
    }
    $text = [System.IO.File]::ReadAllText($fullPath, (New-Object System.Text.UTF8Encoding $false))
    $extension = [System.IO.Path]::GetExtension($fullPath).ToLowerInvariant()
    if ($extension -eq '.json') {
        try {
            return (ConvertFrom-Json -InputObject $text -ErrorAction Stop)
        } catch {
            $Problems.Add((New-PCRequestProblem -Field '(file)' -Message "'$fullPath' is not valid JSON: $($_.Exception.Message)" -Fix 'correct the JSON syntax (compare with `pcfailover schema`)'))
            return $null
        }
    }
    if ($extension -ne '.psd1') {
        $Problems.Add((New-PCRequestProblem -Field '(file)' -Message "'$fullPath' is neither .json nor .psd1" -Fix 'save the request as .json or .psd1'))
        return $null
    }

    $tokens = $null
    $parseErrors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, $fullPath, [ref]$tokens, [ref]$parseErrors)
    if ($parseErrors -and $parseErrors.Count -gt 0) {
        foreach ($parseError in $parseErrors) {
            $Problems.Add((New-PCRequestProblem -Field '(file)' -Message ("'{0}' line {1}: {2}" -f $fullPath, $parseError.Extent.StartLineNumber, $parseError.Message) -Fix 'correct the PowerShell data file syntax'))
        }
        return $null
    }
    $statements = @()
    if ($null -ne $ast.EndBlock) { $statements = @($ast.EndBlock.Statements) }
    $hashtableAst = $null
    if ($statements.Count -eq 1 -and $null -eq $ast.ParamBlock -and $null -eq $ast.BeginBlock -and $null -eq $ast.ProcessBlock -and
        $statements[0] -is [System.Management.Automation.Language.PipelineAst]) {
        $elements = @($statements[0].PipelineElements)
        if ($elements.Count -eq 1 -and $elements[0] -is [System.Management.Automation.Language.CommandExpressionAst] -and
            $elements[0].Expression -is [System.Management.Automation.Language.HashtableAst]) {
            $hashtableAst = $elements[0].Expression
        }
    }
    if ($null -eq $hashtableAst) {
        $Problems.Add((New-PCRequestProblem -Field '(file)' -Message "'$fullPath' must contain exactly one hashtable, @{ ... }" -Fix 'write the request as a single @{ } literal, like a module manifest'))
        return $null
    }
    # Only literal data may appear: a whitelist of AST node types, checked before anything runs.
    $allowed = @(
        'HashtableAst', 'ArrayLiteralAst', 'ArrayExpressionAst', 'StatementBlockAst', 'PipelineAst',
        'CommandExpressionAst', 'ConstantExpressionAst', 'StringConstantExpressionAst', 'UnaryExpressionAst',
        'NamedBlockAst', 'ScriptBlockAst'
    )
    $nodes = $ast.FindAll({ param($node) $true }, $true)
    foreach ($node in $nodes) {
        $kind = $node.GetType().Name
        $ok = $allowed -contains $kind
        if ($kind -eq 'StringConstantExpressionAst' -and $node.StringConstantType -eq 'BareWord' -and
            -not ($node.Parent -is [System.Management.Automation.Language.HashtableAst])) { $ok = $false }
        if ($kind -eq 'VariableExpressionAst' -and @('true', 'false', 'null') -contains $node.VariablePath.UserPath) { $ok = $true }
        if ($kind -eq 'UnaryExpressionAst' -and @('Minus', 'Plus') -notcontains [string]$node.TokenKind) { $ok = $false }
        if (-not $ok) {
            $text = $node.Extent.Text
            if ($text.Length -gt 60) { $text = $text.Substring(0, 57) + '...' }
            $Problems.Add((New-PCRequestProblem -Field '(file)' -Message ("'{0}' line {1}: {2} is not a literal value; a request file may not contain code" -f $fullPath, $node.Extent.StartLineNumber, $text) -Fix 'use only literal values: quoted strings, numbers, $true, $false, $null, @{} and @()'))
            return $null
        }
    }
    $scriptBlock = $ast.GetScriptBlock()
    # Defence in depth: the engine's own restricted-language check (available since 2.0).
    $scriptBlock.CheckRestrictedLanguage([string[]]@(), [string[]]@('true', 'false', 'null'), $false)
    & $scriptBlock
}

function Get-PCDefaultRunDirectory {
    # The run directory used when the request names none: one per pool, so that two pools run
    # from one pipeline never share a lock or a journal.
    param([string]$PoolFqdn)
    $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
    if ($onWindows) {
        $base = $env:ProgramData
        if (-not $base) { $base = [Environment]::GetFolderPath('CommonApplicationData') }
    } else {
        $base = [Environment]::GetFolderPath('LocalApplicationData')
        if (-not $base) { $base = Join-Path $HOME '.local/share' }
    }
    $safePool = $PoolFqdn
    foreach ($c in [System.IO.Path]::GetInvalidFileNameChars()) { $safePool = $safePool.Replace([string]$c, '_') }
    Join-Path (Join-Path (Join-Path $base 'pcfailover') 'runs') $safePool
}

function Set-PCRequestParameter {
    <#
    .SYNOPSIS
    Applies the request-shaped parameters of a command (its bound parameters) to a normalized
    request; empty values (a blank CSV cell) count as not given.
    .DESCRIPTION
    The request parameters are declared on New-PCFailoverRequest only; the commands that run
    a request pass just -Credential (auth sql and its user) and -AcceptDataLoss through here.
    A new request field (like -PathMap to pathMap) is mapped here, next to its parameter on
    New-PCFailoverRequest and its kind in Get-PCRequestSchema.
    #>
    param(
        [System.Collections.IDictionary]$Request,
        [System.Collections.IDictionary]$Parameter,
        [System.Collections.Generic.List[object]]$Problems
    )

    $resolvePath = {
        param([string]$Path)
        $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    }
    $given = @{}
    foreach ($key in $Parameter.Keys) {
        $value = $Parameter[$key]
        if ($null -eq $value) { continue }
        if ($value -is [string] -and -not $value.Trim()) { continue }
        if ($value -is [int] -and $value -eq 0) { continue }
        if ($value -is [System.Management.Automation.SwitchParameter] -and -not $value.IsPresent) { continue }
        $given[$key] = $value
    }

    foreach ($name in @('PoolFqdn', 'Database', 'Share', 'CopyDestination')) {
        if ($given.ContainsKey($name)) {
            $field = $name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)
            $Request[$field] = ([string]$given[$name]).Trim()
        }
    }
    if ($given.ContainsKey('PathMap')) {
        $Request['pathMap'] = ConvertTo-PCRequestValue -Value $given['PathMap'] -Kind 'pathmap' -Field 'pathMap' -Problems $Problems
    }
    if ($given.ContainsKey('RunDirectory')) {
        $Request['runDirectory'] = & $resolvePath ([string]$given['RunDirectory']).Trim()
    }
    foreach ($name in @('BackupSqlInstance', 'PrimarySqlInstance', 'BackupMirrorSqlInstance')) {
        if (-not $given.ContainsKey($name)) { continue }
        $field = $name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)
        $spec = ConvertTo-PCSqlInstanceSpec -Text ([string]$given[$name]) -Field $field -Problems $Problems
        $existing = $null
        if ($Request.Contains($field)) { $existing = $Request[$field] }
        if ($null -eq $existing) { $existing = [ordered]@{} }
        $existing['server'] = $spec.server
        if ($spec.Contains('instance')) { $existing['instance'] = $spec.instance } elseif ($existing.Contains('instance')) { $existing.Remove('instance') }
        if ($spec.Contains('port')) { $existing['port'] = $spec.port } elseif ($existing.Contains('port')) { $existing.Remove('port') }
        $Request[$field] = ConvertTo-PCRequestNode -InputObject $existing -Kind 'instance' -Field $field -Problems $Problems
    }

    $instances = @()
    foreach ($field in @('backupSqlInstance', 'primarySqlInstance', 'backupMirrorSqlInstance')) {
        if ($Request.Contains($field) -and $null -ne $Request[$field]) { $instances += , $Request[$field] }
    }
    foreach ($instance in $instances) {
        if ($given.ContainsKey('Encrypt')) { $instance['encrypt'] = [string]$given['Encrypt'] }
        if ($given.ContainsKey('TrustServerCertificate')) { $instance['trustServerCertificate'] = $true }
        if ($given.ContainsKey('Certificate')) { $instance['certificate'] = & $resolvePath ([string]$given['Certificate']) }
        if ($given.ContainsKey('Credential')) {
            $instance['auth'] = 'sql'
            $instance['user'] = $given['Credential'].UserName
            if ($instance.Contains('passwordEnv')) { $instance.Remove('passwordEnv') }
        }
    }

    $lyncGiven = $false
    foreach ($name in @('LyncModule', 'ActiveServer', 'DataCenter', 'BackupDataCenter', 'AllowCrossDataCenter', 'SkipLync', 'MirrorFileShare')) {
        if ($given.ContainsKey($name)) { $lyncGiven = $true }
    }
    if ($lyncGiven) {
        $lync = $null
        if ($Request.Contains('lync')) { $lync = $Request['lync'] }
        if ($null -eq $lync) { $lync = [ordered]@{} }
        if ($given.ContainsKey('LyncModule')) { $lync['module'] = [string]$given['LyncModule'] }
        if ($given.ContainsKey('ActiveServer')) { $lync['activeServers'] = ConvertTo-PCRequestValue -Value $given['ActiveServer'] -Kind 'strings' -Field 'lync.activeServers' -Problems $Problems }
        if ($given.ContainsKey('DataCenter')) { $lync['dataCenters'] = ConvertTo-PCRequestValue -Value $given['DataCenter'] -Kind 'map' -Field 'lync.dataCenters' -Problems $Problems }
        if ($given.ContainsKey('BackupDataCenter')) { $lync['backupDataCenter'] = [string]$given['BackupDataCenter'] }
        if ($given.ContainsKey('AllowCrossDataCenter')) { $lync['allowCrossDataCenter'] = $true }
        if ($given.ContainsKey('SkipLync')) { $lync['skip'] = $true }
        if ($given.ContainsKey('MirrorFileShare')) { $lync['mirrorFileShare'] = ([string]$given['MirrorFileShare']).Trim() }
        $Request['lync'] = ConvertTo-PCRequestNode -InputObject $lync -Kind 'lync' -Field 'lync' -Problems $Problems
    }

    # The failback section (parameters of New-PCFailoverRequest; Failback prefix where the
    # lync section has a field of the same name).
    $failbackMap = [ordered]@{
        FailbackActiveServer   = 'activeServers'
        PrimaryDataCenter      = 'primaryDataCenter'
        PrimaryBackupDirectory = 'primaryBackupDirectory'
        FailbackMirrorFileShare = 'mirrorFileShare'
        SkipPrimaryMirror      = 'skipPrimaryMirror'
        SecondaryRestoreMode   = 'secondaryRestoreMode'
    }
    $failbackGiven = $false
    foreach ($name in $failbackMap.Keys) { if ($given.ContainsKey($name)) { $failbackGiven = $true } }
    if ($failbackGiven) {
        $failback = $null
        if ($Request.Contains('failback')) { $failback = $Request['failback'] }
        if ($null -eq $failback) { $failback = [ordered]@{} }
        foreach ($name in $failbackMap.Keys) {
            if (-not $given.ContainsKey($name)) { continue }
            $field = $failbackMap[$name]
            switch ($field) {
                'activeServers' { $failback[$field] = ConvertTo-PCRequestValue -Value $given[$name] -Kind 'strings' -Field "failback.$field" -Problems $Problems }
                'skipPrimaryMirror' { $failback[$field] = $true }
                default { $failback[$field] = ([string]$given[$name]).Trim() }
            }
        }
        $Request['failback'] = ConvertTo-PCRequestNode -InputObject $failback -Kind 'failback' -Field 'failback' -Problems $Problems
    }

    # The drill section (DrillHistoryFile: the Drill prefix keeps it apart from other files)
    # and the status section (Get-PCFailoverStatus thresholds).
    $drillMap = [ordered]@{
        FullBackup       = 'fullBackup'
        ScratchDirectory = 'scratchDirectory'
        SkipCheckDb      = 'skipCheckDb'
        DrillHistoryFile = 'historyFile'
    }
    $statusMap = [ordered]@{
        RpoWarningMinutes      = 'rpoWarningMinutes'
        RpoCriticalMinutes     = 'rpoCriticalMinutes'
        RestoreWarningMinutes  = 'restoreWarningMinutes'
        RestoreCriticalMinutes = 'restoreCriticalMinutes'
        FilesWaitingWarning    = 'filesWaitingWarning'
    }
    foreach ($section in @(@('drill', $drillMap), @('status', $statusMap))) {
        $sectionName = $section[0]
        $map = $section[1]
        $sectionGiven = $false
        foreach ($name in $map.Keys) { if ($given.ContainsKey($name)) { $sectionGiven = $true } }
        if (-not $sectionGiven) { continue }
        $node = $null
        if ($Request.Contains($sectionName)) { $node = $Request[$sectionName] }
        if ($null -eq $node) { $node = [ordered]@{} }
        foreach ($name in $map.Keys) {
            if (-not $given.ContainsKey($name)) { continue }
            $field = $map[$name]
            switch ($name) {
                'SkipCheckDb' { $node[$field] = $true }
                'DrillHistoryFile' { $node[$field] = & $resolvePath ([string]$given[$name]).Trim() }
                { $sectionName -eq 'status' } { $node[$field] = ConvertTo-PCRequestValue -Value $given[$name] -Kind 'int' -Field "status.$field" -Problems $Problems }
                default {
                    # SQL Server's paths (fullBackup, scratchDirectory): kept as written.
                    $node[$field] = ([string]$given[$name]).Trim()
                }
            }
        }
        $Request[$sectionName] = ConvertTo-PCRequestNode -InputObject $node -Kind $sectionName -Field $sectionName -Problems $Problems
    }

    $optionsGiven = $false
    foreach ($name in @('AcceptDataLoss', 'CopyParallelism', 'HeaderParallelism', 'KillRetries')) {
        if ($given.ContainsKey($name)) { $optionsGiven = $true }
    }
    if ($optionsGiven) {
        $options = $null
        if ($Request.Contains('options')) { $options = $Request['options'] }
        if ($null -eq $options) { $options = [ordered]@{} }
        if ($given.ContainsKey('AcceptDataLoss')) { $options['acceptDataLoss'] = $true }
        foreach ($name in @('CopyParallelism', 'HeaderParallelism', 'KillRetries')) {
            if ($given.ContainsKey($name)) {
                $field = $name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)
                $options[$field] = [int]$given[$name]
            }
        }
        $Request['options'] = ConvertTo-PCRequestNode -InputObject $options -Kind 'options' -Field 'options' -Problems $Problems
    }
}

function Test-PCRequestShape {
    # Adds a problem for each required field that is missing and each value outside its set.
    param([System.Collections.IDictionary]$Request, [System.Collections.Generic.List[object]]$Problems)

    if ([int](Get-PCPropertyValue $Request 'schemaVersion' 0) -ne 1) {
        $Problems.Add((New-PCRequestProblem -Field 'schemaVersion' -Message 'must be 1' -Fix 'set schemaVersion = 1'))
    }
    if (-not (Get-PCPropertyValue $Request 'poolFqdn' '')) {
        $Problems.Add((New-PCRequestProblem -Field 'poolFqdn' -Message 'is required' -Fix 'give -PoolFqdn, the FQDN of the Persistent Chat pool'))
    }
    if ($null -eq (Get-PCPropertyValue $Request 'backupSqlInstance')) {
        $Problems.Add((New-PCRequestProblem -Field 'backupSqlInstance' -Message 'is required' -Fix 'give -BackupSqlInstance, the log-shipping secondary in the DR data center'))
    }
    foreach ($field in @('backupSqlInstance', 'primarySqlInstance', 'backupMirrorSqlInstance')) {
        $instance = Get-PCPropertyValue $Request $field
        if ($null -eq $instance) { continue }
        if (-not (Get-PCPropertyValue $instance 'server' '')) {
            $Problems.Add((New-PCRequestProblem -Field "$field.server" -Message 'is required' -Fix 'name the SQL Server host'))
        }
        $auth = [string](Get-PCPropertyValue $instance 'auth' '')
        if (@('', 'integrated', 'sql') -notcontains $auth) {
            $Problems.Add((New-PCRequestProblem -Field "$field.auth" -Message "'$auth' is not integrated or sql" -Fix 'use integrated (Windows) or sql (a SQL login; see -Credential)'))
        }
        $encrypt = [string](Get-PCPropertyValue $instance 'encrypt' '')
        if (@('', 'disable', 'false', 'true', 'strict') -notcontains $encrypt) {
            $Problems.Add((New-PCRequestProblem -Field "$field.encrypt" -Message "'$encrypt' is not an encrypt mode" -Fix 'use disable, false, true or strict'))
        }
        $port = [int](Get-PCPropertyValue $instance 'port' 0)
        if ($port -lt 0 -or $port -gt 65535) {
            $Problems.Add((New-PCRequestProblem -Field "$field.port" -Message "$port is not a TCP port" -Fix 'use 1-65535, or 0 for the default'))
        }
    }
    $lync = Get-PCPropertyValue $Request 'lync'
    $share = [string](Get-PCPropertyValue $lync 'mirrorFileShare' '')
    if ($share -and -not $share.StartsWith('\\')) {
        $Problems.Add((New-PCRequestProblem -Field 'lync.mirrorFileShare' -Message "'$share' is not a UNC path" -Fix 'give the \\server\share Install-CsMirrorDatabase exports the database through (both SQL Server service accounts read and write it)'))
    }
    $failback = Get-PCPropertyValue $Request 'failback'
    $share = [string](Get-PCPropertyValue $failback 'mirrorFileShare' '')
    if ($share -and -not $share.StartsWith('\\')) {
        $Problems.Add((New-PCRequestProblem -Field 'failback.mirrorFileShare' -Message "'$share' is not a UNC path" -Fix 'give the \\server\share Install-CsMirrorDatabase uses for the primary'))
    }
    $mode = [string](Get-PCPropertyValue $failback 'secondaryRestoreMode' '')
    if (@('', 'norecovery', 'standby') -notcontains $mode) {
        $Problems.Add((New-PCRequestProblem -Field 'failback.secondaryRestoreMode' -Message "'$mode' is not norecovery or standby" -Fix 'use norecovery or standby'))
    }
    $status = Get-PCPropertyValue $Request 'status'
    if ($null -ne $status) {
        foreach ($field in @('rpoWarningMinutes', 'rpoCriticalMinutes', 'restoreWarningMinutes', 'restoreCriticalMinutes', 'filesWaitingWarning')) {
            $value = [int](Get-PCPropertyValue $status $field 0)
            if ($value -lt 0 -or $value -gt 100000) {
                $Problems.Add((New-PCRequestProblem -Field "status.$field" -Message "$value is out of range" -Fix 'use 1-100000 (0 for the default)'))
            }
        }
    }
    $options = Get-PCPropertyValue $Request 'options'
    if ($null -ne $options) {
        foreach ($limit in @(@('copyParallelism', 16), @('headerParallelism', 16), @('killRetries', 50))) {
            $value = [int](Get-PCPropertyValue $options $limit[0] 0)
            if ($value -lt 0 -or $value -gt $limit[1]) {
                $Problems.Add((New-PCRequestProblem -Field "options.$($limit[0])" -Message "$value is out of range" -Fix "use 1-$($limit[1]) (0 for the default)"))
            }
        }
    }
}

function New-PCRequestErrorRecord {
    # The ErrorRecord for an invalid request: ErrorId PCFailover.InvalidRequest, category
    # InvalidArgument, the problems in Exception.Data['Problems'].
    param([System.Collections.Generic.List[object]]$Problems, [string]$Source, [AllowNull()][object]$Target)
    $lines = @()
    foreach ($problem in $Problems) { $lines += ('{0}: {1}' -f $problem.Field, $problem.Message) }
    $what = 'The failover request'
    if ($Source) { $what = "The failover request from $Source" }
    $message = '{0} is invalid: {1}' -f $what, ($lines -join '; ')
    $exception = New-Object System.ArgumentException $message
    $exception.Data['Problems'] = $Problems.ToArray()
    $record = New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.InvalidRequest', [System.Management.Automation.ErrorCategory]::InvalidArgument, $Target)
    $fixes = @()
    foreach ($problem in $Problems) { if ($problem.Fix) { $fixes += ('{0}: {1}' -f $problem.Field, $problem.Fix) } }
    $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails $message
    $record.ErrorDetails.RecommendedAction = $fixes -join '; '
    $record
}

function Resolve-PCRequest {
    <#
    .SYNOPSIS
    Builds the canonical request a command runs, from its parameter set: a request file
    (-RequestPath), a request object (-Request) or parameters; parameters given alongside a
    file or object override its fields.
    .OUTPUTS
    An object with Request (ordered dictionary) and ErrorRecord (set when invalid).
    #>
    param(
        [string]$ParameterSetName,
        [System.Collections.IDictionary]$BoundParameter
    )

    # $PSBoundParameters is a generic Dictionary whose IDictionary.Contains is explicit: copy it.
    $bound = @{}
    foreach ($key in $BoundParameter.Keys) { $bound[$key] = $BoundParameter[$key] }
    $BoundParameter = $bound
    $problems = New-Object System.Collections.Generic.List[object]
    $source = ''
    $raw = $null
    $request = $null
    if ($BoundParameter.Contains('RequestPath') -and $BoundParameter['RequestPath']) {
        $source = [string]$BoundParameter['RequestPath']
        $raw = Read-PCRequestFile -Path $source -Problems $problems
        if ($null -eq $raw) {
            $record = New-PCRequestErrorRecord -Problems $problems -Source $source -Target $source
            return (New-Object PSObject -Property @{ Request = $null; ErrorRecord = $record; Source = $source })
        }
        $request = ConvertTo-PCRequestNode -InputObject $raw -Kind 'request' -Field '' -Problems $problems
    } elseif ($BoundParameter.Contains('Request') -and $null -ne $BoundParameter['Request']) {
        $request = ConvertTo-PCRequestNode -InputObject $BoundParameter['Request'] -Kind 'request' -Field '' -Problems $problems
    } else {
        $request = [ordered]@{}
    }
    if ($null -eq $request) { $request = [ordered]@{} }

    Set-PCRequestParameter -Request $request -Parameter $BoundParameter -Problems $problems
    if (-not $request.Contains('schemaVersion')) { $request['schemaVersion'] = 1 }
    $pool = [string](Get-PCPropertyValue $request 'poolFqdn' '')
    if ($pool -and -not (Get-PCPropertyValue $request 'runDirectory' '')) {
        $request['runDirectory'] = Get-PCDefaultRunDirectory -PoolFqdn $pool
    }
    $request = ConvertTo-PCRequestNode -InputObject $request -Kind 'request' -Field '' -Problems $problems
    Test-PCRequestShape -Request $request -Problems $problems

    $errorRecord = $null
    if ($problems.Count -gt 0) {
        $target = $pool
        if (-not $target) { $target = $source }
        $errorRecord = New-PCRequestErrorRecord -Problems $problems -Source $source -Target $target
    }
    New-Object PSObject -Property @{ Request = $request; ErrorRecord = $errorRecord; Source = $source }
}

function ConvertTo-PCSqlInstanceText {
    # server\instance,port: how admins write an instance, for display.
    param([AllowNull()][object]$Instance)
    if ($null -eq $Instance) { return '' }
    $text = [string](Get-PCPropertyValue $Instance 'server' '')
    $name = [string](Get-PCPropertyValue $Instance 'instance' '')
    $port = [int](Get-PCPropertyValue $Instance 'port' 0)
    if ($name) { $text = "$text\$name" }
    if ($port -gt 0) { $text = "$text,$port" }
    $text
}

function ConvertTo-PCRequestObject {
    <#
    .SYNOPSIS
    Turns a canonical request dictionary into a PCFailover.Request object: nested
    PSCustomObjects with the contract's field names (so it converts back to the same JSON),
    SQL instances typed PCFailover.SqlInstance and shown as server\instance,port.
    #>
    param([System.Collections.IDictionary]$Request)

    $toObject = $null
    $toObject = {
        param($Value, $TypeName)
        if ($Value -is [System.Collections.IDictionary]) {
            $properties = [ordered]@{}
            foreach ($key in $Value.Keys) {
                $kind = ''
                if ($key -like '*SqlInstance') { $kind = 'PCFailover.SqlInstance' }
                if ($key -eq 'dataCenters') {
                    $map = [ordered]@{}
                    foreach ($server in $Value[$key].Keys) { $map[$server] = $Value[$key][$server] }
                    $properties[$key] = $map
                } elseif ($key -eq 'pathMap') {
                    $entries = @()
                    foreach ($entry in @($Value[$key])) {
                        $item = [pscustomobject][ordered]@{ from = $entry['from']; to = $entry['to'] }
                        $item.PSObject.TypeNames.Insert(0, 'PCFailover.PathMapEntry')
                        $entries += $item
                    }
                    $properties[$key] = $entries
                } else {
                    $properties[$key] = & $toObject $Value[$key] $kind
                }
            }
            $object = [pscustomobject]$properties
            if ($TypeName) {
                $object.PSObject.TypeNames.Insert(0, $TypeName)
                if ($TypeName -eq 'PCFailover.SqlInstance') {
                    Add-Member -InputObject $object -MemberType ScriptMethod -Name ToString -Force -Value {
                        $text = [string]$this.server
                        if ($this.PSObject.Properties['instance'] -and $this.instance) { $text = $text + '\' + $this.instance }
                        if ($this.PSObject.Properties['port'] -and $this.port) { $text = $text + ',' + $this.port }
                        $text
                    }
                }
            }
            return $object
        }
        return , $Value
    }
    & $toObject $Request 'PCFailover.Request'
}

function ConvertTo-PCPsd1Text {
    # Writes a request dictionary as a PowerShell data file (single-quoted strings, every
    # quote-like character doubled as the PowerShell tokenizer requires).
    param([AllowNull()][object]$Value, [int]$Level = 0)
    $pad = New-Object string ' ', (4 * ($Level + 1))
    $closePad = New-Object string ' ', (4 * $Level)
    if ($null -eq $Value) { return '$null' }
    if ($Value -is [bool]) { if ($Value) { return '$true' } else { return '$false' } }
    if ($Value -is [int] -or $Value -is [long]) { return ([string]$Value) }
    if ($Value -is [string]) {
        $escaped = $Value -replace "(['\u2018\u2019\u201A\u201B])", '$1$1'
        return "'" + $escaped + "'"
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $lines = @('@{')
        foreach ($key in $Value.Keys) {
            $name = [string]$key
            if ($name -notmatch '^[A-Za-z_][A-Za-z0-9_]*$') { $name = ConvertTo-PCPsd1Text -Value $name }
            $lines += ('{0}{1} = {2}' -f $pad, $name, (ConvertTo-PCPsd1Text -Value $Value[$key] -Level ($Level + 1)))
        }
        $lines += ($closePad + '}')
        return ($lines -join [Environment]::NewLine)
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = @()
        foreach ($item in $Value) { $items += (ConvertTo-PCPsd1Text -Value $item -Level ($Level + 1)) }
        return ('@(' + ($items -join ', ') + ')')
    }
    return (ConvertTo-PCPsd1Text -Value ([string]$Value) -Level $Level)
}

function Save-PCRequestFile {
    # Saves a request as JSON (UTF-8 without BOM, which Go's decoder needs) or as a .psd1
    # (ASCII, or UTF-8 with BOM when it holds non-ASCII text, so that 5.1 reads it right).
    param([System.Collections.IDictionary]$Request, [string]$Path)
    $extension = [System.IO.Path]::GetExtension($Path).ToLowerInvariant()
    if ($extension -eq '.psd1') {
        $text = (ConvertTo-PCPsd1Text -Value $Request) + [Environment]::NewLine
        $hasNonAscii = $false
        foreach ($c in $text.ToCharArray()) { if ([int]$c -gt 127) { $hasNonAscii = $true; break } }
        $encoding = New-Object System.Text.UTF8Encoding $hasNonAscii
        [System.IO.File]::WriteAllText($Path, $text, $encoding)
        return
    }
    $json = (ConvertTo-PCJson -InputObject $Request -Indent 2) + "`n"
    [System.IO.File]::WriteAllText($Path, $json, (New-Object System.Text.UTF8Encoding $false))
}

function New-PCRequestEnvelope {
    <#
    .SYNOPSIS
    The UTF-8 bytes of the standard-input envelope {"request":...,"passwords":...}: the only
    place a password ever goes (never argv, never a file).
    #>
    param([System.Collections.IDictionary]$Request, [System.Management.Automation.PSCredential]$Credential)
    $passwords = [ordered]@{}
    if ($null -ne $Credential -and $Credential -ne [System.Management.Automation.PSCredential]::Empty) {
        $plain = $Credential.GetNetworkCredential().Password
        foreach ($role in @('backupSqlInstance', 'primarySqlInstance', 'backupMirrorSqlInstance')) {
            if ($Request.Contains($role) -and $null -ne $Request[$role]) { $passwords[$role] = $plain }
        }
    }
    $json = ConvertTo-PCJson -InputObject ([ordered]@{ request = $Request; passwords = $passwords })
    , (New-Object System.Text.UTF8Encoding $false).GetBytes($json)
}
