# Test module for pcfailover/pshost: functions that echo, record and misbehave on purpose.
# ASCII only; Windows PowerShell 3.0+ syntax.

# Out-PshRecord appends "<name> <base64 of UTF-8 text>" to $env:PSHTEST_RECORD, so that a
# test can see exactly what reached the function, independently of output conversion.
function Out-PshRecord([string]$Name, [string]$Text) {
    if ([string]::IsNullOrEmpty($env:PSHTEST_RECORD)) { return }
    $b = [Convert]::ToBase64String((New-Object System.Text.UTF8Encoding -ArgumentList $false).GetBytes($Text))
    [System.IO.File]::AppendAllText($env:PSHTEST_RECORD, $Name + ' ' + $b + "`n")
}

function Get-PshTypeName($Value) {
    if ($Value -eq $null) { return 'null' }
    return $Value.GetType().FullName
}

# Get-PshEcho returns every bound parameter as {name, type, value}, and records strings.
function Get-PshEcho {
    [CmdletBinding()]
    param(
        [string]$Text,
        [object]$Value,
        [string[]]$List,
        [hashtable]$Table,
        [switch]$Flag,
        [int]$Number,
        [long]$Big,
        [double]$Real,
        [bool]$Truth,
        [datetime]$When,
        [object]$Members
    )
    if ($PSBoundParameters.ContainsKey('Text')) { Out-PshRecord 'Text' $Text }
    $names = @($PSBoundParameters.Keys | Sort-Object)
    foreach ($n in $names) {
        $v = $PSBoundParameters[$n]
        $shown = $v
        if ($v -is [switch]) { $shown = [bool]$v }
        if ($v -is [datetime]) { $shown = $v.ToUniversalTime().ToString('o') }
        $elem = $null
        if ($v -is [array]) { $elem = @($v | ForEach-Object { Get-PshTypeName $_ }) }
        $keys = $null
        if ($v -is [hashtable]) {
            $keys = @($v.Keys | Sort-Object)
            $shownTable = @{}
            foreach ($k in $v.Keys) {
                $item = $v[$k]
                if ($item -is [array]) { $shownTable[$k] = @{ type = (Get-PshTypeName $item); items = $item } }
                else { $shownTable[$k] = @{ type = (Get-PshTypeName $item); items = $item } }
            }
            $shown = $shownTable
        }
        New-Object PSObject -Property @{ Name = $n; Type = (Get-PshTypeName $v); Value = $shown; ElementTypes = $elem; Keys = $keys }
    }
}

# Get-PshText returns its string and its length (UTF-16 code units) and records it.
function Get-PshText {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    Out-PshRecord 'Text' $Text
    New-Object PSObject -Property @{ Text = $Text; Length = $Text.Length }
}

# Get-PshSecret returns the length of a SecureString and whether it equals -Expected.
function Get-PshSecret {
    [CmdletBinding()]
    param([System.Security.SecureString]$Secret, [string]$Expected)
    $plain = (New-Object System.Management.Automation.PSCredential -ArgumentList 'u', $Secret).GetNetworkCredential().Password
    New-Object PSObject -Property @{ Type = $Secret.GetType().FullName; Length = $Secret.Length; Matches = ($plain -ceq $Expected) }
}

# Write-PshStreams writes to every stream, then outputs one string.
function Write-PshStreams {
    [CmdletBinding()]
    param([string]$Tag = 'x')
    Write-Warning ('warning ' + $Tag)
    Write-Verbose ('verbose ' + $Tag)
    Write-Debug ('debug ' + $Tag)
    Write-Error -Message ('error ' + $Tag) -ErrorId 'PshTestError' -Category ObjectNotFound -TargetObject ('target ' + $Tag)
    Write-Host ('host ' + $Tag)
    Write-Output ('output ' + $Tag)
}

# Invoke-PshThrow writes one output object, then throws.
function Invoke-PshThrow {
    [CmdletBinding()]
    param([string]$Message = 'boom')
    Write-Output 'before the throw'
    throw $Message
}

# Get-PshNested returns nested objects of every JSON kind.
function Get-PshNested {
    [CmdletBinding()]
    param()
    Write-Output 'plain'
    Write-Output 42
    Write-Output $true
    Write-Output 2.5
    New-Object PSObject -Property ([ordered]@{
        Name = 'pool01.contoso.com'
        Count = 3
        Enabled = $false
        Missing = $null
        Tags = @('a', 'b')
        Inner = New-Object PSObject -Property ([ordered]@{ Level = 2; Deeper = New-Object PSObject -Property ([ordered]@{ Level = 3; Items = @(1, 2, 3) }) })
        Table = @{ key = 'value' }
    })
}

# Start-PshSleep sleeps (after creating -Marker, if given), for timeout and kill tests.
function Start-PshSleep {
    [CmdletBinding()]
    param([int]$Seconds = 600, [string]$Marker)
    Write-Output 'going to sleep'
    Write-Warning 'sleeping'
    if ($Marker) { [System.IO.File]::WriteAllText($Marker, [string]$PID) }
    Start-Sleep -Seconds $Seconds
    Write-Output 'woke up'
}

# Start-PshBlock blocks in .NET, where PowerShell's Stop cannot interrupt it.
function Start-PshBlock {
    [CmdletBinding()]
    param([int]$Milliseconds = 600000)
    [System.Threading.Thread]::Sleep($Milliseconds)
    Write-Output 'unblocked'
}

# Get-PshProcessId returns the process id.
function Get-PshProcessId { [CmdletBinding()] param() $PID }

# Stop-PshHostProcess ends the PowerShell process abruptly, as a crash would.
function Stop-PshHostProcess { [CmdletBinding()] param([int]$Code = 7) [Environment]::Exit($Code) }

# Set-PshDangerous asks for confirmation the way Lync's destructive cmdlets do.
function Set-PshDangerous {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param([string]$Identity = 'pool')
    if ($PSCmdlet.ShouldProcess($Identity, 'Set-PshDangerous')) { Write-Output ('changed ' + $Identity) }
}

# Read-PshInput tries to read from the user; the host has none.
function Read-PshInput { [CmdletBinding()] param() Read-Host -Prompt 'say something' }

# Write-PshConsole writes lines straight to the console, one of them shaped like a frame.
function Write-PshConsole {
    [CmdletBinding()]
    param([string]$Fake = '00000000000000000000000000000000 1 e30=')
    [Console]::Out.WriteLine($Fake)
    [Console]::Out.WriteLine('stray console line')
    Write-Output 'real output'
}

# Get-PshBig returns a string of N characters.
function Get-PshBig { [CmdletBinding()] param([int]$Length) New-Object string -ArgumentList 'x', $Length }

Export-ModuleMember -Function Get-PshEcho, Get-PshText, Get-PshSecret, Write-PshStreams, Invoke-PshThrow,
    Get-PshNested, Start-PshSleep, Start-PshBlock, Get-PshProcessId, Stop-PshHostProcess, Set-PshDangerous, Read-PshInput,
    Write-PshConsole, Get-PshBig
