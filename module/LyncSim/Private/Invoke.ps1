# The common path of every simulated Lync cmdlet: fault injection, the Central Management store
# check, the cmdlet's own work on the state under the writer lock, and one call-log entry per
# call recording the bound parameters as values (README.md, "Call log" and "Faults").

function ConvertTo-LyncSimLogValue {
    # A JSON-able copy of a bound parameter value: strings stay the exact strings received,
    # switches become booleans, enums their names, PSListModifier {Add, Remove, Replace}.
    param($Value, [int]$Depth = 0)
    if ($null -eq $Value) { return $null }
    if ($Depth -gt 6) { return [string]$Value }
    $base = $Value
    if ($Value -is [System.Management.Automation.PSObject]) { $base = $Value.PSObject.BaseObject }
    if ($base -is [string] -or $base -is [bool] -or $base -is [int] -or $base -is [long] -or $base -is [double] -or $base -is [decimal]) { return $base }
    if ($base -is [System.Management.Automation.SwitchParameter]) { return $base.IsPresent }
    if ($base -is [enum]) { return $base.ToString() }
    if ($base -is [datetime]) { return $base.ToUniversalTime().ToString('o') }
    if ($base -is [System.Management.Automation.ScriptBlock]) { return $base.ToString() }
    if ($base.GetType().IsGenericType -and $base.GetType().Name -eq 'PSListModifier`1') {
        return [ordered]@{
            Add     = @(foreach ($v in $base.Add) { ConvertTo-LyncSimLogValue $v ($Depth + 1) })
            Remove  = @(foreach ($v in $base.Remove) { ConvertTo-LyncSimLogValue $v ($Depth + 1) })
            Replace = @(foreach ($v in $base.Replace) { ConvertTo-LyncSimLogValue $v ($Depth + 1) })
        }
    }
    if ($base -is [System.Collections.IDictionary]) {
        $table = [ordered]@{}
        foreach ($key in $base.Keys) { $table[[string]$key] = ConvertTo-LyncSimLogValue $base[$key] ($Depth + 1) }
        return $table
    }
    if ($base -is [System.Collections.IEnumerable]) {
        $list = New-Object System.Collections.Generic.List[object]
        foreach ($item in $base) { $list.Add((ConvertTo-LyncSimLogValue $item ($Depth + 1))) }
        return , $list.ToArray()
    }
    if ($base -is [System.Management.Automation.PSCustomObject]) {
        $table = [ordered]@{}
        foreach ($property in $Value.PSObject.Properties) { $table[$property.Name] = ConvertTo-LyncSimLogValue $property.Value ($Depth + 1) }
        return $table
    }
    if ($base.GetType().IsPrimitive) { return $base }
    return [string]$base
}

function Find-LyncSimFault {
    param([Parameter(Mandatory = $true)]$State, [Parameter(Mandatory = $true)][string]$Cmdlet)
    foreach ($fault in @(Get-LyncSimValue $State 'faults' @())) {
        if ((Test-LyncSimName $fault['cmdlet'] $Cmdlet) -and ([int](Get-LyncSimValue $fault 'times' 1)) -ne 0) { return $fault }
    }
    return $null
}

function New-LyncSimFaultError {
    param([Parameter(Mandatory = $true)]$Fault, [string]$Cmdlet)
    $message = [string](Get-LyncSimValue $Fault 'message' '')
    if ([string]::IsNullOrEmpty($message)) { $message = ('{0} failed (fault injected by LyncSim).' -f $Cmdlet) }
    $errorId = [string](Get-LyncSimValue $Fault 'errorId' '')
    if ([string]::IsNullOrEmpty($errorId)) { $errorId = 'LyncSimInjectedFault' }
    $category = [string](Get-LyncSimValue $Fault 'category' 'NotSpecified')
    if (-not [enum]::IsDefined([System.Management.Automation.ErrorCategory], $category)) { $category = 'NotSpecified' }
    return New-LyncSimErrorRecord -Message $message -ErrorId $errorId -Category $category -Target $Cmdlet
}

function Add-LyncSimCallLogEntry {
    param([Parameter(Mandatory = $true)]$State, [Parameter(Mandatory = $true)]$Entry)
    $seq = [long](Get-LyncSimValue $State 'callSeq' 0) + 1
    $State['callSeq'] = $seq
    $Entry['seq'] = $seq
    $log = New-Object System.Collections.Generic.List[object]
    foreach ($old in @(Get-LyncSimValue $State 'callLog' @())) { $log.Add($old) }
    $log.Add($Entry)
    $limit = [int](Get-LyncSimOption $State 'callLogLimit')
    while ($limit -gt 0 -and $log.Count -gt $limit) { $log.RemoveAt(0) }
    $State['callLog'] = $log.ToArray()
}

function Invoke-LyncSimCall {
    # Runs $Body (param($State, $Context)) for the cmdlet $Cmdlet under the state lock.
    # Inside $Body, $PSBoundParameters and $PSCmdlet are the script block's own: use
    # $Context.Bound and $Context.Cmdlet. The cmdlet's parameters are read as variables through
    # PowerShell's dynamic scoping, so the functions on the way (this one, Update-LyncSimState)
    # must not define variables named like a Lync parameter.
    # $Body returns the cmdlet's output; it raises a terminating error with
    # `throw (New-LyncSimErrorRecord ...)` and non-terminating ones by adding ErrorRecords to
    # $Context.Errors. Mutations are kept only when $Body completes (a failed call changes
    # nothing but the call log), except for faults with when = "after", which fail the call
    # after its effect is stored: the case where a tool must read back rather than retry.
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Bound,
        [Parameter(Mandatory = $true)][scriptblock]$Body,
        [switch]$RequireCentralManagementStore
    )
    $name = $Cmdlet.MyInvocation.MyCommand.Name
    try {
        $path = Get-LyncSimStatePath
    } catch {
        $Cmdlet.ThrowTerminatingError($_)
    }
    $parameters = [ordered]@{}
    foreach ($key in $Bound.Keys) { $parameters[$key] = ConvertTo-LyncSimLogValue $Bound[$key] }
    $context = @{ Cmdlet = $Cmdlet; Bound = $Bound; Errors = (New-Object System.Collections.Generic.List[object]) }

    # The call proper, on the state read under the lock, with the fault this call took (or $null).
    $run = {
        param($state, $fault)
        $entry = [ordered]@{
            seq          = 0
            time         = (Get-LyncSimTimestamp)
            cmdlet       = $name
            parameterSet = $Cmdlet.ParameterSetName
            parameters   = $parameters
            outcome      = 'ok'
            error        = $null
        }
        $failure = $null
        $output = $null
        $when = [string](Get-LyncSimValue $fault 'when' 'before')
        $faultFails = ($null -ne $fault) -and (([string](Get-LyncSimValue $fault 'message' '') -ne '') -or ([string](Get-LyncSimValue $fault 'errorId' '') -ne '') -or ([double](Get-LyncSimValue $fault 'hangSeconds' 0) -le 0))
        if ($faultFails -and $when -ne 'after') {
            $failure = New-LyncSimFaultError -Fault $fault -Cmdlet $name
        } elseif ($RequireCentralManagementStore -and -not [bool](Get-LyncSimValue (Get-LyncSimValue $state 'centralManagementStore') 'available' $true)) {
            # ref 2.4: configuration reads and writes go to the Central Management store;
            # -LocalStore reads the local replica and works without it.
            $failure = New-LyncSimErrorRecord -Message 'Cannot connect to the Central Management store. The Central Management store is not available; use -LocalStore to read the local replica, or fail the Central Management Server over (Invoke-CsManagementServerFailover).' -ErrorId 'CentralManagementStoreUnavailable' -Category 'ResourceUnavailable' -Target $name
        } else {
            try {
                $output = @(& $Body $state $context)
                if ($faultFails -and $when -eq 'after') { $failure = New-LyncSimFaultError -Fault $fault -Cmdlet $name }
            } catch {
                $failure = Get-LyncSimInnerErrorRecord $_
                $output = $null
                # Discard whatever the body changed before it failed (the fault bookkeeping,
                # written before the body ran, is in the file already).
                $fresh = Read-LyncSimStateFile -Path $path
                foreach ($key in @($state.Keys)) { if (-not $fresh.Contains($key)) { $state.Remove($key) } }
                foreach ($key in @($fresh.Keys)) { $state[$key] = $fresh[$key] }
            }
        }
        $reported = $failure
        if ($null -eq $reported -and $context.Errors.Count -gt 0) { $reported = $context.Errors[0] }
        if ($null -ne $reported) {
            $entry['outcome'] = 'error'
            $entry['error'] = [ordered]@{
                message  = $reported.Exception.Message
                errorId  = $reported.FullyQualifiedErrorId
                category = $reported.CategoryInfo.Category.ToString()
            }
        }
        Add-LyncSimCallLogEntry -State $state -Entry $entry
        return @{ Output = $output; Failure = $failure }
    }

    try {
        $result = Update-LyncSimState -Path $path -ScriptBlock {
            param($state)
            $fault = Find-LyncSimFault -State $state -Cmdlet $name
            if ($null -ne $fault) {
                $times = [int](Get-LyncSimValue $fault 'times' 1)
                if ($times -gt 0) { $fault['times'] = $times - 1 }
                $fault['triggered'] = [int](Get-LyncSimValue $fault 'triggered' 0) + 1
                # A hang happens outside the lock so other callers are not blocked by it.
                if ([double](Get-LyncSimValue $fault 'hangSeconds' 0) -gt 0) { return @{ Hang = $fault } }
            }
            return (& $run $state $fault)
        }
        if ($result.ContainsKey('Hang')) {
            $until = [DateTime]::UtcNow.AddSeconds([double]$result.Hang['hangSeconds'])
            while ([DateTime]::UtcNow -lt $until) { Start-Sleep -Milliseconds 50 }
            $hung = $result.Hang
            $result = Update-LyncSimState -Path $path -ScriptBlock { param($state) & $run $state $hung }
        }
    } catch {
        # State file missing, unreadable or locked.
        $Cmdlet.ThrowTerminatingError($_)
    }
    foreach ($record in $context.Errors) { $Cmdlet.WriteError($record) }
    if ($null -ne $result.Failure) { $Cmdlet.ThrowTerminatingError($result.Failure) }
    if ($null -ne $result.Output) { return $result.Output }
}
