# Helpers of Invoke-PCFailoverDrill, Get-PCFailoverStatus and Register-PCFailoverDrill:
# running `pcfailover drill` / `pcfailover status`, typing their JSON output, and building the
# scheduled-task definition of a recurring drill (testable without Windows).

function Invoke-PCCoreJson {
    <#
    .SYNOPSIS
    Runs `pcfailover <arguments> --request - [--events -] --output json` with the stdin
    envelope as its only input (passwords never in argv), showing events as they arrive, and
    returns ExitCode, Raw (parsed JSON or $null), Stderr and the warnings already shown.
    #>
    param(
        [string[]]$ArgumentList,
        [System.Collections.IDictionary]$Request,
        [System.Management.Automation.PSCredential]$Credential,
        [string]$Activity,
        [switch]$Events
    )
    $bytes = New-PCRequestEnvelope -Request $Request -Credential $Credential
    $state = New-PCEventState -Activity $Activity
    $onEvent = { param($Line, $EventState) Write-PCCoreEvent -Line $Line -State $EventState }
    $arguments = @($ArgumentList) + @('--request', '-', '--output', 'json')
    if ($Events) { $arguments += @('--events', '-') }
    try {
        $result = Invoke-PCCoreProcess -ArgumentList $arguments -InputBytes $bytes -OnEvent $onEvent -EventState $state
    } finally {
        [System.Array]::Clear($bytes, 0, $bytes.Length)
        Complete-PCCoreProgress -State $state
    }
    $raw = $null
    $stdout = [string]$result.Stdout
    if ($stdout.Trim()) {
        try {
            $raw = ConvertFrom-Json -InputObject $stdout -ErrorAction Stop
        } catch {
            Write-Debug "the output is not JSON: $($_.Exception.Message)"
        }
    }
    New-Object PSObject -Property @{
        ExitCode      = $result.ExitCode
        Raw           = $raw
        Stderr        = $result.Stderr
        ShownWarnings = $state.ShownWarnings
    }
}

function Set-PCDefaultView {
    # Gives an object a default display property set without a format file entry.
    param([object]$InputObject, [string[]]$Property)
    $set = New-Object System.Management.Automation.PSPropertySet ('DefaultDisplayPropertySet', [string[]]$Property)
    $members = [System.Management.Automation.PSMemberInfo[]]@($set)
    $InputObject | Add-Member -MemberType MemberSet -Name PSStandardMembers -Value (New-Object System.Management.Automation.PSMemberSet ('PSStandardMembers', $members)) -Force
}

function ConvertTo-PCDrillReport {
    <#
    .SYNOPSIS
    Types `pcfailover drill` output: a PCFailover.Report (steps, files, errors) whose first
    type name is PCFailover.DrillReport, with the drill's figures as top-level properties.
    #>
    param([Parameter(Mandatory = $true)][object]$InputObject)
    $report = ConvertTo-PCReport -InputObject $InputObject -TypeName 'PCFailover.DrillReport'
    $drill = Get-PCPropertyValue $InputObject 'drill'
    $phases = New-Object System.Collections.Generic.List[object]
    foreach ($raw in @(Get-PCPropertyValue $drill 'phases' @())) {
        if ($null -eq $raw) { continue }
        $phases.Add([pscustomobject][ordered]@{
                Phase    = [string](Get-PCPropertyValue $raw 'id' '')
                Duration = ConvertTo-PCTimeSpan (Get-PCPropertyValue $raw 'durationMs' 0)
            })
    }
    $figures = [ordered]@{
        DrillDatabase          = [string](Get-PCPropertyValue $drill 'database' '')
        FullBackup             = [string](Get-PCPropertyValue $drill 'fullBackup' '')
        ScratchDirectory       = [string](Get-PCPropertyValue $drill 'scratchDirectory' '')
        LogsApplied            = [int](Get-PCPropertyValue $drill 'logsApplied' 0)
        LogsPendingOnSecondary = [int](Get-PCPropertyValue $drill 'logsPendingOnSecondary' 0)
        RecoveredToLsn         = [string](Get-PCPropertyValue $drill 'recoveredToLsn' '')
        RecoveryPoint          = ConvertTo-PCDateTime (Get-PCPropertyValue $drill 'recoveryPoint')
        Rto                    = New-TimeSpan -Seconds 0
        FailoverRestore        = New-TimeSpan -Seconds 0
        Rpo                    = New-TimeSpan -Seconds 0
        CheckDb                = [string](Get-PCPropertyValue $drill 'checkDb' '')
        Dropped                = [bool](Get-PCPropertyValue $drill 'dropped' $false)
        Phases                 = $phases.ToArray()
        HistoryFile            = [string](Get-PCPropertyValue $drill 'historyFile' '')
    }
    $figures.Rto = [TimeSpan]::FromSeconds([double](Get-PCPropertyValue $drill 'rtoSeconds' 0))
    $figures.FailoverRestore = [TimeSpan]::FromSeconds([double](Get-PCPropertyValue $drill 'failoverRestoreSeconds' 0))
    $figures.Rpo = [TimeSpan]::FromSeconds([double](Get-PCPropertyValue $drill 'rpoSeconds' 0))
    foreach ($key in $figures.Keys) {
        $report | Add-Member -MemberType NoteProperty -Name $key -Value $figures[$key] -Force
    }
    Set-PCDefaultView -InputObject $report -Property @('PoolFqdn', 'Outcome', 'DrillDatabase', 'LogsApplied', 'Rto', 'FailoverRestore', 'Rpo', 'RecoveryPoint', 'CheckDb', 'Dropped')
    $report
}

function ConvertTo-PCStatus {
    # Types `pcfailover status` output as a PCFailover.Status with PCFailover.StatusCheck items.
    param([Parameter(Mandatory = $true)][object]$InputObject)
    $checks = New-Object System.Collections.Generic.List[object]
    foreach ($raw in @(Get-PCPropertyValue $InputObject 'checks' @())) {
        if ($null -eq $raw) { continue }
        $check = [pscustomobject][ordered]@{
            Name     = [string](Get-PCPropertyValue $raw 'name' '')
            Health   = [string](Get-PCPropertyValue $raw 'health' '')
            Message  = [string](Get-PCPropertyValue $raw 'message' '')
            Value    = Get-PCPropertyValue $raw 'value'
            Warning  = Get-PCPropertyValue $raw 'warning'
            Critical = Get-PCPropertyValue $raw 'critical'
            Unit     = [string](Get-PCPropertyValue $raw 'unit' '')
        }
        $check.PSObject.TypeNames.Insert(0, 'PCFailover.StatusCheck')
        $checks.Add($check)
    }
    $files = Get-PCPropertyValue $InputObject 'files'
    $chain = Get-PCPropertyValue $InputObject 'chain'
    $rpo = Get-PCPropertyValue $InputObject 'rpo'
    $lync = Get-PCPropertyValue $InputObject 'lync'
    $toEvent = {
        param($Raw)
        if ($null -eq $Raw) { return $null }
        [pscustomobject][ordered]@{
            File = [string](Get-PCPropertyValue $Raw 'file' '')
            At   = ConvertTo-PCDateTime (Get-PCPropertyValue $Raw 'at')
            Age  = [TimeSpan]::FromSeconds([double](Get-PCPropertyValue $Raw 'ageSeconds' 0))
        }
    }
    $dataAtRisk = $null
    if ($null -ne $rpo -and $null -ne (Get-PCPropertyValue $rpo 'recoverableTo')) {
        $dataAtRisk = [TimeSpan]::FromSeconds([double](Get-PCPropertyValue $rpo 'dataAtRiskSeconds' 0))
    }
    $continuous = $null
    $gap = ''
    if ($null -ne $chain) {
        $continuous = [bool](Get-PCPropertyValue $chain 'continuous' $false)
        $gap = [string](Get-PCPropertyValue $chain 'gap' '')
    }
    $poolState = ''
    $mirrorState = ''
    $lyncReachable = $null
    if ($null -ne $lync) {
        $lyncReachable = [bool](Get-PCPropertyValue $lync 'reachable' $false)
        $poolState = [string](Get-PCPropertyValue $lync 'poolState' '')
        $mirrorState = [string](Get-PCPropertyValue $lync 'mirrorState' '')
    }
    $restore = & $toEvent (Get-PCPropertyValue $InputObject 'lastRestore')
    $latency = $null
    $rawRestore = Get-PCPropertyValue $InputObject 'lastRestore'
    if ($null -ne $rawRestore -and $null -ne (Get-PCPropertyValue $rawRestore 'latencySeconds')) {
        $latency = [TimeSpan]::FromSeconds([double](Get-PCPropertyValue $rawRestore 'latencySeconds' 0))
    }
    $status = [pscustomobject][ordered]@{
        PoolFqdn         = [string](Get-PCPropertyValue $InputObject 'poolFqdn' '')
        Database         = [string](Get-PCPropertyValue $InputObject 'database' '')
        Health           = [string](Get-PCPropertyValue $InputObject 'health' '')
        ExitCode         = [int](Get-PCPropertyValue $InputObject 'exitCode' 1)
        CheckedAt        = ConvertTo-PCDateTime (Get-PCPropertyValue $InputObject 'checkedAt')
        DataAtRisk       = $dataAtRisk
        ChainContinuous  = $continuous
        Gap              = $gap
        LastBackup       = & $toEvent (Get-PCPropertyValue $InputObject 'lastBackup')
        LastCopy         = & $toEvent (Get-PCPropertyValue $InputObject 'lastCopy')
        LastRestore      = $restore
        RestoreLatency   = $latency
        WaitingToCopy    = [int](Get-PCPropertyValue $files 'waitingToCopy' 0)
        WaitingToRestore = [int](Get-PCPropertyValue $files 'waitingToRestore' 0)
        LyncReachable    = $lyncReachable
        PoolState        = $poolState
        MirrorState      = $mirrorState
        Folders          = ConvertTo-PCFolder -InputObject (Get-PCPropertyValue $InputObject 'folders' @()) -PoolFqdn ([string](Get-PCPropertyValue $InputObject 'poolFqdn' ''))
        Checks           = $checks.ToArray()
        Errors           = ConvertTo-PCStringArray (Get-PCPropertyValue $InputObject 'errors' @())
    }
    $status.PSObject.TypeNames.Insert(0, 'PCFailover.Status')
    Set-PCDefaultView -InputObject $status -Property @('PoolFqdn', 'Health', 'ExitCode', 'DataAtRisk', 'ChainContinuous', 'WaitingToCopy', 'WaitingToRestore', 'LastRestore', 'PoolState')
    $status
}

function Test-PCScheduledTaskSupport {
    # True when this host can register scheduled tasks (Windows with the ScheduledTasks module).
    $onWindows = [System.IO.Path]::DirectorySeparatorChar -eq '\'
    if (-not $onWindows) { return $false }
    $null -ne (Get-Command -Name 'Register-ScheduledTask' -ErrorAction SilentlyContinue)
}

function New-PCDrillTaskDefinition {
    <#
    .SYNOPSIS
    The scheduled task of a recurring DR drill, as the arguments of New-ScheduledTaskAction,
    New-ScheduledTaskTrigger, New-ScheduledTaskPrincipal, New-ScheduledTaskSettingsSet and
    Register-ScheduledTask (reference/powershell.md section 5), built without Windows so it
    can be tested anywhere.
    .DESCRIPTION
    The action runs the pcfailover binary itself (`drill --request <file> --output json
    --events <file>`): non-interactive by construction, no profile, no prompt, and the task's
    Last Run Result is the binary's exit code (0 succeeded, 1 failed, 2 invalid request,
    3 blocked, 4 interrupted). The request file travels as one argument quoted for the C
    runtime (ConvertTo-PCCommandLine); no script text is built from data.
    A gMSA (DOMAIN\name$) runs with LogonType Password and no password (the gMSA pattern of
    ComputerManagementDsc); any other account needs its credential at registration.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$RequestPath,
        [Parameter(Mandatory = $true)][string]$PoolFqdn,
        [Parameter(Mandatory = $true)][string]$BinaryPath,
        [Parameter(Mandatory = $true)][string]$RunDirectory,
        [ValidateSet('Daily', 'Weekly')][string]$Schedule = 'Weekly',
        [Parameter(Mandatory = $true)][DateTime]$At,
        [int]$DaysInterval = 1,
        [string[]]$DaysOfWeek = @('Sunday'),
        [int]$WeeksInterval = 1,
        [string]$UserId,
        [bool]$Gmsa,
        [string]$TaskName,
        [string]$TaskPath = '\PCFailover\',
        [TimeSpan]$ExecutionTimeLimit = (New-TimeSpan -Hours 4)
    )
    if (-not $TaskName) { $TaskName = "PCFailover DR drill $PoolFqdn" }
    if (-not $TaskPath.StartsWith('\')) { $TaskPath = '\' + $TaskPath }
    if (-not $TaskPath.EndsWith('\')) { $TaskPath = $TaskPath + '\' }
    $eventsFile = [System.IO.Path]::Combine($RunDirectory, 'drill-events.jsonl')
    $argumentList = @('drill', '--request', $RequestPath, '--output', 'json', '--events', $eventsFile)
    $trigger = [ordered]@{ At = $At }
    if ($Schedule -eq 'Daily') {
        $trigger['Daily'] = $true
        $trigger['DaysInterval'] = $DaysInterval
    } else {
        $trigger['Weekly'] = $true
        $trigger['DaysOfWeek'] = [string[]]$DaysOfWeek
        $trigger['WeeksInterval'] = $WeeksInterval
    }
    $principal = $null
    if ($Gmsa) {
        $principal = [ordered]@{ UserId = $UserId; LogonType = 'Password'; RunLevel = 'Highest' }
    }
    $definition = [pscustomobject][ordered]@{
        TaskName    = $TaskName
        TaskPath    = $TaskPath
        Description = "Non-destructive DR drill of the Persistent Chat pool $PoolFqdn (pcfailover drill): restores the backups as a scratch copy, verifies it, measures RTO and RPO, drops it. Exit codes: 0 succeeded, 1 failed, 2 invalid request, 3 blocked, 4 interrupted. History: drill-history.jsonl in $RunDirectory."
        Action      = [ordered]@{ Execute = $BinaryPath; Argument = (ConvertTo-PCCommandLine -ArgumentList $argumentList); WorkingDirectory = $RunDirectory }
        Trigger     = $trigger
        Principal   = $principal
        UserId      = $UserId
        Settings    = [ordered]@{ ExecutionTimeLimit = $ExecutionTimeLimit; MultipleInstances = 'IgnoreNew'; StartWhenAvailable = $true; DontStopIfGoingOnBatteries = $true; AllowStartIfOnBatteries = $true }
        ArgumentList = $argumentList
    }
    $definition.PSObject.TypeNames.Insert(0, 'PCFailover.DrillTask')
    $definition
}

function Test-PCGmsaName {
    # DOMAIN\name$ or name$@domain: the forms a gMSA is written in.
    param([string]$Name)
    ($Name -match '^[^\\@\s]+\\[^\\@\s]+\$$') -or ($Name -match '^[^\\@\s]+\$@[^\\@\s]+$')
}

function ConvertTo-PCHashtable {
    # A plain hashtable copy of a dictionary, for splatting on every PowerShell version.
    param([System.Collections.IDictionary]$Dictionary)
    $table = @{}
    foreach ($key in $Dictionary.Keys) { $table[$key] = $Dictionary[$key] }
    $table
}
