function ConvertTo-PCJson {
    <#
    .SYNOPSIS
    Serializes dictionaries, PSCustomObjects, arrays and scalars to pure-ASCII JSON.
    .DESCRIPTION
    ConvertTo-Json differs between Windows PowerShell 3.0-5.1 and PowerShell 7 (default depth 2,
    arrays wrapped as {"value":...,"Count":...} when Array type data is loaded, date formats,
    non-ASCII handling). The request and the stdin envelope must be byte-for-byte predictable
    on every version, so this writer handles exactly the types a request holds: null, booleans,
    numbers (invariant culture), strings (every non-ASCII character and control character as
    \uXXXX), dates (ISO 8601 round trip), dictionaries (insertion order), PSCustomObjects and
    arrays. -Indent pretty-prints with that many spaces per level (0 = compact).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowNull()]
        [object]$InputObject,

        [int]$Indent = 0
    )

    $builder = New-Object System.Text.StringBuilder
    Add-PCJsonValue -Builder $builder -Value $InputObject -Indent $Indent -Level 0
    $builder.ToString()
}

function Add-PCJsonValue {
    # Appends one JSON value to $Builder. Recursion is bounded to 32 levels so a cyclic object
    # graph fails clearly instead of overflowing the stack.
    param(
        [System.Text.StringBuilder]$Builder,
        [AllowNull()][object]$Value,
        [int]$Indent,
        [int]$Level
    )

    if ($Level -gt 32) {
        throw 'ConvertTo-PCJson: the object is nested more than 32 levels deep (a cycle?)'
    }
    if ($Value -is [System.Management.Automation.PSObject] -and
        -not ($Value.PSObject.BaseObject -is [System.Management.Automation.PSCustomObject])) {
        $Value = $Value.PSObject.BaseObject
    }
    if ($null -eq $Value) {
        [void]$Builder.Append('null')
        return
    }
    if ($Value -is [System.Management.Automation.SwitchParameter]) {
        $Value = $Value.IsPresent
    }
    if ($Value -is [bool]) {
        if ($Value) { [void]$Builder.Append('true') } else { [void]$Builder.Append('false') }
        return
    }
    if ($Value -is [string] -or $Value -is [char] -or $Value -is [guid] -or $Value -is [enum]) {
        Add-PCJsonString -Builder $Builder -Text ([string]$Value)
        return
    }
    if ($Value -is [datetime]) {
        Add-PCJsonString -Builder $Builder -Text ($Value.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture))
        return
    }
    if ($Value -is [double] -or $Value -is [single]) {
        if ([double]::IsNaN($Value) -or [double]::IsInfinity($Value)) {
            [void]$Builder.Append('null')
        } else {
            [void]$Builder.Append(([double]$Value).ToString('R', [System.Globalization.CultureInfo]::InvariantCulture))
        }
        return
    }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [decimal] -or $Value -is [byte] -or
        $Value -is [int16] -or $Value -is [uint16] -or $Value -is [uint32] -or $Value -is [uint64] -or $Value -is [sbyte]) {
        [void]$Builder.Append(([System.IFormattable]$Value).ToString($null, [System.Globalization.CultureInfo]::InvariantCulture))
        return
    }

    $pairs = $null
    if ($Value -is [System.Collections.IDictionary]) {
        $pairs = New-Object System.Collections.Generic.List[object]
        foreach ($key in $Value.Keys) {
            $pairs.Add((New-Object System.Collections.DictionaryEntry ([string]$key), $Value[$key]))
        }
    } elseif ($Value -is [System.Management.Automation.PSObject]) {
        $pairs = New-Object System.Collections.Generic.List[object]
        foreach ($property in $Value.PSObject.Properties) {
            if ($property.MemberType -eq 'NoteProperty' -or $property.MemberType -eq 'Property') {
                $pairs.Add((New-Object System.Collections.DictionaryEntry $property.Name, $property.Value))
            }
        }
    }
    if ($null -ne $pairs) {
        if ($pairs.Count -eq 0) {
            [void]$Builder.Append('{}')
            return
        }
        [void]$Builder.Append('{')
        $first = $true
        foreach ($pair in $pairs) {
            if (-not $first) { [void]$Builder.Append(',') }
            $first = $false
            Add-PCJsonNewLine -Builder $Builder -Indent $Indent -Level ($Level + 1)
            Add-PCJsonString -Builder $Builder -Text $pair.Key
            if ($Indent -gt 0) { [void]$Builder.Append(': ') } else { [void]$Builder.Append(':') }
            Add-PCJsonValue -Builder $Builder -Value $pair.Value -Indent $Indent -Level ($Level + 1)
        }
        Add-PCJsonNewLine -Builder $Builder -Indent $Indent -Level $Level
        [void]$Builder.Append('}')
        return
    }

    if ($Value -is [System.Collections.IEnumerable]) {
        $items = @($Value)
        if ($items.Count -eq 0) {
            [void]$Builder.Append('[]')
            return
        }
        [void]$Builder.Append('[')
        for ($i = 0; $i -lt $items.Count; $i++) {
            if ($i -gt 0) { [void]$Builder.Append(',') }
            Add-PCJsonNewLine -Builder $Builder -Indent $Indent -Level ($Level + 1)
            Add-PCJsonValue -Builder $Builder -Value $items[$i] -Indent $Indent -Level ($Level + 1)
        }
        Add-PCJsonNewLine -Builder $Builder -Indent $Indent -Level $Level
        [void]$Builder.Append(']')
        return
    }

    Add-PCJsonString -Builder $Builder -Text ([string]$Value)
}

function Add-PCJsonNewLine {
    param([System.Text.StringBuilder]$Builder, [int]$Indent, [int]$Level)
    if ($Indent -gt 0) {
        [void]$Builder.Append("`n")
        [void]$Builder.Append((New-Object string ' ', ($Indent * $Level)))
    }
}

function Add-PCJsonString {
    # Appends a JSON string literal; everything outside printable ASCII is \uXXXX.
    param([System.Text.StringBuilder]$Builder, [AllowEmptyString()][string]$Text)
    [void]$Builder.Append('"')
    foreach ($c in $Text.ToCharArray()) {
        $code = [int]$c
        if ($c -eq '"') {
            [void]$Builder.Append('\"')
        } elseif ($c -eq '\') {
            [void]$Builder.Append('\\')
        } elseif ($code -eq 10) {
            [void]$Builder.Append('\n')
        } elseif ($code -eq 13) {
            [void]$Builder.Append('\r')
        } elseif ($code -eq 9) {
            [void]$Builder.Append('\t')
        } elseif ($code -lt 32 -or $code -gt 126) {
            [void]$Builder.Append(('\u{0:x4}' -f $code))
        } else {
            [void]$Builder.Append($c)
        }
    }
    [void]$Builder.Append('"')
}
