# The report side: running a request through the binary, turning its report JSON into typed
# objects (PCFailover.Report, PCFailover.Step, PCFailover.LogFile, PCFailover.Folder) and its exit code and
# errors[] into ErrorRecords with stable ErrorIds.

function ConvertTo-PCDateTime {
    # Report times are RFC 3339 UTC. PowerShell 7's ConvertFrom-Json already makes them
    # DateTime, Windows PowerShell leaves strings: both become local DateTime values.
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) { return $Value.ToLocalTime() }
    $text = [string]$Value
    if (-not $text) { return $null }
    $parsed = [datetime]::MinValue
    if ([datetime]::TryParse($text, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind, [ref]$parsed)) {
        if ($parsed.Year -le 1) { return $null }
        return $parsed.ToLocalTime()
    }
    return $null
}

function ConvertTo-PCTimeSpan {
    param([AllowNull()][object]$Milliseconds)
    if ($null -eq $Milliseconds) { return [timespan]::Zero }
    [timespan]::FromMilliseconds([double]$Milliseconds)
}

function ConvertTo-PCStringArray {
    param([AllowNull()][object]$Value)
    $items = New-Object System.Collections.Generic.List[string]
    if ($null -ne $Value) {
        foreach ($item in @($Value)) { if ($null -ne $item) { $items.Add([string]$item) } }
    }
    , $items.ToArray()
}

function ConvertTo-PCReportError {
    # One errors[] entry as an object. Invalid-request reports carry field/fix instead of
    # code/category/target; both shapes become the same object.
    param([AllowNull()][object]$InputObject)
    $field = [string](Get-PCPropertyValue $InputObject 'field' '')
    $code = [string](Get-PCPropertyValue $InputObject 'code' '')
    $category = [string](Get-PCPropertyValue $InputObject 'category' '')
    $target = [string](Get-PCPropertyValue $InputObject 'target' '')
    if ($field -and -not $code) { $code = 'PCFailover.InvalidRequest' }
    if ($field -and -not $category) { $category = 'InvalidArgument' }
    if ($field -and -not $target) { $target = $field }
    $object = [pscustomobject][ordered]@{
        Code      = $code
        Category  = $category
        Message   = [string](Get-PCPropertyValue $InputObject 'message' '')
        Target    = $target
        Field     = $field
        Fix       = [string](Get-PCPropertyValue $InputObject 'fix' '')
        SqlNumber = [int](Get-PCPropertyValue $InputObject 'sqlNumber' 0)
    }
    $object.PSObject.TypeNames.Insert(0, 'PCFailover.Error')
    $object
}

function ConvertTo-PCFolder {
    <#
    .SYNOPSIS
    Types the report's folders[] (the share and the copy folder in both views) as
    PCFailover.Folder objects: Role, Host (the SQL host whose drive it is), SqlPath (as SQL
    Server names it), LocalPath (as this machine reaches it, or the path tried), Reachable
    and Error.
    #>
    param([AllowNull()][object]$InputObject, [string]$PoolFqdn)
    $folders = New-Object System.Collections.Generic.List[object]
    foreach ($raw in @($InputObject)) {
        if ($null -eq $raw) { continue }
        $folder = [pscustomobject][ordered]@{
            PoolFqdn  = $PoolFqdn
            Role      = [string](Get-PCPropertyValue $raw 'role' '')
            Host      = [string](Get-PCPropertyValue $raw 'host' '')
            SqlPath   = [string](Get-PCPropertyValue $raw 'sqlPath' '')
            LocalPath = [string](Get-PCPropertyValue $raw 'localPath' '')
            Reachable = [bool](Get-PCPropertyValue $raw 'reachable' $false)
            Error     = [string](Get-PCPropertyValue $raw 'error' '')
        }
        $folder.PSObject.TypeNames.Insert(0, 'PCFailover.Folder')
        $folders.Add($folder)
    }
    , $folders.ToArray()
}

function ConvertTo-PCReport {
    <#
    .SYNOPSIS
    Turns the binary's report (parsed JSON) into a PCFailover.Report with PCFailover.Step and
    PCFailover.LogFile children. -TypeName puts a more specific type name first
    (PCFailover.Plan for Get-PCFailoverPlan).
    #>
    param([Parameter(Mandatory = $true)][object]$InputObject, [string]$TypeName)

    $pool = [string](Get-PCPropertyValue $InputObject 'poolFqdn' '')
    $runId = [string](Get-PCPropertyValue $InputObject 'runId' '')

    $steps = New-Object System.Collections.Generic.List[object]
    $order = 0
    foreach ($raw in @(Get-PCPropertyValue $InputObject 'steps' @())) {
        if ($null -eq $raw) { continue }
        $order++
        $statements = New-Object System.Collections.Generic.List[object]
        foreach ($rawStatement in @(Get-PCPropertyValue $raw 'statements' @())) {
            if ($null -eq $rawStatement) { continue }
            $parameters = [ordered]@{}
            $rawParameters = Get-PCPair -InputObject (Get-PCPropertyValue $rawStatement 'parameters')
            if ($null -ne $rawParameters) { foreach ($pair in $rawParameters) { $parameters[$pair.Key] = [string]$pair.Value } }
            $statement = [pscustomobject][ordered]@{
                Target     = [string](Get-PCPropertyValue $rawStatement 'target' '')
                Kind       = [string](Get-PCPropertyValue $rawStatement 'kind' '')
                Text       = [string](Get-PCPropertyValue $rawStatement 'text' '')
                Parameters = $parameters
            }
            $statement.PSObject.TypeNames.Insert(0, 'PCFailover.Statement')
            $statements.Add($statement)
        }
        $stepError = $null
        $rawError = Get-PCPropertyValue $raw 'error'
        if ($null -ne $rawError) { $stepError = ConvertTo-PCReportError -InputObject $rawError }
        $step = [pscustomobject][ordered]@{
            PoolFqdn    = $pool
            RunId       = $runId
            Order       = $order
            Id          = [string](Get-PCPropertyValue $raw 'id' '')
            RunbookStep = [int](Get-PCPropertyValue $raw 'runbookStep' 0)
            Name        = [string](Get-PCPropertyValue $raw 'name' '')
            Status      = [string](Get-PCPropertyValue $raw 'status' '')
            StartedAt   = ConvertTo-PCDateTime (Get-PCPropertyValue $raw 'startedAt')
            Duration    = ConvertTo-PCTimeSpan (Get-PCPropertyValue $raw 'durationMs' 0)
            Detail      = [string](Get-PCPropertyValue $raw 'detail' '')
            Statements  = $statements.ToArray()
            Error       = $stepError
        }
        $step.PSObject.TypeNames.Insert(0, 'PCFailover.Step')
        $steps.Add($step)
    }

    $files = New-Object System.Collections.Generic.List[object]
    foreach ($raw in @(Get-PCPropertyValue $InputObject 'files' @())) {
        if ($null -eq $raw) { continue }
        $file = [pscustomobject][ordered]@{
            PoolFqdn         = $pool
            Name             = [string](Get-PCPropertyValue $raw 'name' '')
            Action           = [string](Get-PCPropertyValue $raw 'action' '')
            FirstLsn         = [string](Get-PCPropertyValue $raw 'firstLsn' '')
            LastLsn          = [string](Get-PCPropertyValue $raw 'lastLsn' '')
            BackupStartDate  = ConvertTo-PCDateTime (Get-PCPropertyValue $raw 'backupStartDate')
            BackupFinishDate = ConvertTo-PCDateTime (Get-PCPropertyValue $raw 'backupFinishDate')
            SizeBytes        = [long](Get-PCPropertyValue $raw 'sizeBytes' 0)
            SqlPath          = [string](Get-PCPropertyValue $raw 'sqlPath' '')
            LocalPath        = [string](Get-PCPropertyValue $raw 'localPath' '')
            SourcePath       = [string](Get-PCPropertyValue $raw 'sourcePath' '')
            SourceLocalPath  = [string](Get-PCPropertyValue $raw 'sourceLocalPath' '')
            CopyPath         = [string](Get-PCPropertyValue $raw 'copyPath' '')
            CopyLocalPath    = [string](Get-PCPropertyValue $raw 'copyLocalPath' '')
            Detail           = [string](Get-PCPropertyValue $raw 'detail' '')
        }
        $file.PSObject.TypeNames.Insert(0, 'PCFailover.LogFile')
        $files.Add($file)
    }

    $folders = ConvertTo-PCFolder -InputObject (Get-PCPropertyValue $InputObject 'folders' @()) -PoolFqdn $pool

    $errors = New-Object System.Collections.Generic.List[object]
    foreach ($raw in @(Get-PCPropertyValue $InputObject 'errors' @())) {
        if ($null -ne $raw) { $errors.Add((ConvertTo-PCReportError -InputObject $raw)) }
    }

    $rpo = $null
    $rawRpo = Get-PCPropertyValue $InputObject 'rpo'
    if ($null -ne $rawRpo) {
        $rpo = [pscustomobject][ordered]@{
            LastAppliedBackupFinish = ConvertTo-PCDateTime (Get-PCPropertyValue $rawRpo 'lastAppliedBackupFinish')
            Age                     = [timespan]::FromSeconds([double](Get-PCPropertyValue $rawRpo 'ageSeconds' 0))
        }
    }
    $dataLoss = $null
    $rawLoss = Get-PCPropertyValue $InputObject 'dataLoss'
    if ($null -ne $rawLoss) {
        $dataLoss = [pscustomobject][ordered]@{
            Accepted    = [bool](Get-PCPropertyValue $rawLoss 'accepted' $false)
            FromLsn     = [string](Get-PCPropertyValue $rawLoss 'fromLsn' '')
            ToLsn       = [string](Get-PCPropertyValue $rawLoss 'toLsn' '')
            From        = ConvertTo-PCDateTime (Get-PCPropertyValue $rawLoss 'from')
            To          = ConvertTo-PCDateTime (Get-PCPropertyValue $rawLoss 'to')
            Description = [string](Get-PCPropertyValue $rawLoss 'description' '')
        }
    }
    $databaseState = ''
    $rawState = Get-PCPropertyValue $InputObject 'databaseState'
    if ($null -ne $rawState) { $databaseState = [string](Get-PCPropertyValue $rawState 'state' '') }

    $report = [pscustomobject][ordered]@{
        PoolFqdn      = $pool
        Database      = [string](Get-PCPropertyValue $InputObject 'database' '')
        Command       = [string](Get-PCPropertyValue $InputObject 'command' '')
        Outcome       = [string](Get-PCPropertyValue $InputObject 'outcome' '')
        ExitCode      = [int](Get-PCPropertyValue $InputObject 'exitCode' 0)
        RunId         = $runId
        StartedAt     = ConvertTo-PCDateTime (Get-PCPropertyValue $InputObject 'startedAt')
        FinishedAt    = ConvertTo-PCDateTime (Get-PCPropertyValue $InputObject 'finishedAt')
        Duration      = ConvertTo-PCTimeSpan (Get-PCPropertyValue $InputObject 'durationMs' 0)
        DatabaseState = $databaseState
        Steps         = $steps.ToArray()
        Files         = $files.ToArray()
        Folders       = $folders
        Chain         = Get-PCPropertyValue $InputObject 'chain'
        Rpo           = $rpo
        DataLoss      = $dataLoss
        Warnings      = ConvertTo-PCStringArray (Get-PCPropertyValue $InputObject 'warnings')
        NextSteps     = ConvertTo-PCStringArray (Get-PCPropertyValue $InputObject 'nextSteps')
        Errors        = $errors.ToArray()
        RunDirectory  = [string](Get-PCPropertyValue $InputObject 'runDirectory' '')
        SchemaVersion = [int](Get-PCPropertyValue $InputObject 'schemaVersion' 0)
    }
    $report.PSObject.TypeNames.Insert(0, 'PCFailover.Report')
    if ($TypeName) { $report.PSObject.TypeNames.Insert(0, $TypeName) }
    $report
}

function Get-PCExitCodeMeaning {
    # What an exit code means, and the ErrorId/category used when the report names no error.
    param([int]$ExitCode)
    switch ($ExitCode) {
        0 { return @{ Outcome = 'succeeded'; ErrorId = ''; Category = 'NotSpecified' } }
        1 { return @{ Outcome = 'failed'; ErrorId = 'PCFailover.Failed'; Category = 'InvalidResult' } }
        2 { return @{ Outcome = 'invalid'; ErrorId = 'PCFailover.InvalidRequest'; Category = 'InvalidArgument' } }
        3 { return @{ Outcome = 'blocked'; ErrorId = 'PCFailover.Blocked'; Category = 'InvalidOperation' } }
        4 { return @{ Outcome = 'interrupted'; ErrorId = 'PCFailover.Interrupted'; Category = 'OperationStopped' } }
    }
    @{ Outcome = 'unexpected'; ErrorId = 'PCFailover.Unexpected'; Category = 'NotSpecified' }
}

function ConvertTo-PCErrorCategory {
    param([string]$Name, [string]$Fallback)
    foreach ($candidate in @($Name, $Fallback, 'NotSpecified')) {
        if (-not $candidate) { continue }
        try {
            return [System.Management.Automation.ErrorCategory]([System.Enum]::Parse([System.Management.Automation.ErrorCategory], $candidate, $true))
        } catch {
            Write-Debug "not an ErrorCategory: $candidate"
        }
    }
    [System.Management.Automation.ErrorCategory]::NotSpecified
}

function New-PCCoreErrorRecord {
    <#
    .SYNOPSIS
    Maps a finished run (exit code, report) to ErrorRecords: none for exit 0, otherwise one per
    entry of the report's errors[] (or one built from the exit code when errors[] is empty).
    .DESCRIPTION
    ErrorId: the error's stable code (PCFailover.GapInLogChain, ...), so FullyQualifiedErrorId
    is e.g. 'PCFailover.GapInLogChain,Invoke-PCFailover'. Category: the error's category.
    TargetObject: the PCFailover.Report (also in Exception.Data['Report']); CategoryInfo's
    TargetName: what the error is about (a file, a field, the pool). RecommendedAction: the
    report's next steps or the field's fix. Each record carries IsTerminating in
    Exception.Data: true when the run cannot continue (interrupted, or no report at all).
    #>
    param(
        [int]$ExitCode,
        [AllowNull()][object]$Report,
        [string]$Stderr,
        [string]$PoolFqdn
    )

    if ($ExitCode -eq 0 -and $null -ne $Report) { return }
    $meaning = Get-PCExitCodeMeaning -ExitCode $ExitCode
    $entries = @()
    if ($null -ne $Report) { $entries = @($Report.Errors) }
    if ($null -eq $Report) {
        $detail = $Stderr
        if (-not $detail) { $detail = 'it wrote no report' }
        $entries = @([pscustomobject]@{
                Code = 'PCFailover.Unexpected'; Category = 'InvalidResult'; Target = $PoolFqdn; Field = ''; Fix = ''
                Message = ("pcfailover exited with code {0} without a readable report: {1}" -f $ExitCode, $detail)
            })
    } elseif ($entries.Count -eq 0) {
        $entries = @([pscustomobject]@{
                Code = $meaning.ErrorId; Category = $meaning.Category; Target = $PoolFqdn; Field = ''; Fix = ''
                Message = ("The {0} of pool {1} ended '{2}' (exit code {3})." -f $Report.Command, $Report.PoolFqdn, $Report.Outcome, $ExitCode)
            })
    }

    $terminating = ($null -eq $Report) -or ($ExitCode -eq 4)
    foreach ($entry in $entries) {
        $errorId = [string]$entry.Code
        if (-not $errorId) { $errorId = $meaning.ErrorId }
        $category = ConvertTo-PCErrorCategory -Name ([string]$entry.Category) -Fallback $meaning.Category
        $message = [string]$entry.Message
        if ($entry.Field) { $message = '{0}: {1}' -f $entry.Field, $message }
        if (-not $message) { $message = $errorId }
        switch ($ExitCode) {
            2 { $exception = New-Object System.ArgumentException $message }
            4 { $exception = New-Object System.OperationCanceledException $message }
            default { $exception = New-Object System.InvalidOperationException $message }
        }
        $exception.Data['Report'] = $Report
        $exception.Data['ExitCode'] = $ExitCode
        $exception.Data['Target'] = [string]$entry.Target
        $exception.Data['IsTerminating'] = $terminating
        $record = New-Object System.Management.Automation.ErrorRecord ($exception, $errorId, $category, $Report)
        $target = [string]$entry.Target
        if (-not $target) { $target = $PoolFqdn }
        if ($target) { $record.CategoryInfo.TargetName = $target }
        $record.CategoryInfo.TargetType = 'PCFailover.Report'
        $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails $message
        $actions = @()
        if ($entry.Fix) { $actions += [string]$entry.Fix }
        if ($null -ne $Report) { $actions += @($Report.NextSteps) }
        if ($ExitCode -eq 4 -and $actions.Count -eq 0) { $actions += 'Run the same request again: the run resumes from where it stopped.' }
        if ($actions.Count -gt 0) { $record.ErrorDetails.RecommendedAction = ($actions -join ' ') }
        $record
    }
}

function Invoke-PCCore {
    <#
    .SYNOPSIS
    Runs one canonical request through `pcfailover <command> --request - --events -
    --output json`, with the stdin envelope (and the passwords) as its only input, the events
    shown as they arrive, and returns ExitCode, Report (typed), Raw (parsed JSON), ErrorRecords
    and the warnings already shown.
    #>
    param(
        [ValidateSet('plan', 'failover', 'failback', 'failback-plan')]
        [string]$Command,
        [System.Collections.IDictionary]$Request,
        [System.Management.Automation.PSCredential]$Credential,
        [string]$Activity,
        [int]$StepTotal = 0,
        [string]$TypeName
    )

    $bytes = New-PCRequestEnvelope -Request $Request -Credential $Credential
    $state = New-PCEventState -Activity $Activity -StepTotal $StepTotal
    $onEvent = { param($Line, $EventState) Write-PCCoreEvent -Line $Line -State $EventState }
    try {
        # failback-plan is `pcfailover failback --plan`: the what-if, which changes nothing.
        $arguments = @($Command)
        if ($Command -eq 'failback-plan') { $arguments = @('failback', '--plan') }
        $arguments += @('--request', '-', '--events', '-', '--output', 'json')
        $result = Invoke-PCCoreProcess -ArgumentList $arguments -InputBytes $bytes -OnEvent $onEvent -EventState $state
    } finally {
        [System.Array]::Clear($bytes, 0, $bytes.Length)
        Complete-PCCoreProgress -State $state
    }

    $raw = $null
    $report = $null
    $stdout = [string]$result.Stdout
    if ($stdout.Trim()) {
        try {
            $raw = ConvertFrom-Json -InputObject $stdout -ErrorAction Stop
        } catch {
            Write-Debug "the report is not JSON: $($_.Exception.Message)"
        }
    }
    if ($raw -is [System.Management.Automation.PSCustomObject]) {
        $report = ConvertTo-PCReport -InputObject $raw -TypeName $TypeName
    }
    $pool = [string](Get-PCPropertyValue $Request 'poolFqdn' '')
    $records = @(New-PCCoreErrorRecord -ExitCode $result.ExitCode -Report $report -Stderr $result.Stderr -PoolFqdn $pool)
    New-Object PSObject -Property @{
        ExitCode      = $result.ExitCode
        Report        = $report
        Raw           = $raw
        ErrorRecords  = $records
        ShownWarnings = $state.ShownWarnings
        Stderr        = $result.Stderr
    }
}

function Write-PCReportWarning {
    # Shows the report's warnings that the events did not already show.
    param([AllowNull()][object]$Report, [object]$ShownWarnings)
    if ($null -eq $Report) { return }
    foreach ($warning in @($Report.Warnings)) {
        if ($null -ne $ShownWarnings -and $ShownWarnings.Contains($warning)) { continue }
        Write-Warning $warning
    }
}

function ConvertTo-PCReadiness {
    # The preflight verdict from a plan run: Ready, and every blocking reason (the report's
    # errors, then any blocked step whose reason is not already among them).
    param([AllowNull()][object]$Report, [int]$ExitCode, [string]$PoolFqdn)

    $reasons = New-Object System.Collections.Generic.List[string]
    $codes = New-Object System.Collections.Generic.List[string]
    if ($null -ne $Report) {
        foreach ($entry in @($Report.Errors)) {
            $text = $entry.Message
            if ($entry.Target) { $text = '{0} ({1})' -f $text, $entry.Target }
            $reasons.Add($text)
            if ($entry.Code -and -not $codes.Contains($entry.Code)) { $codes.Add($entry.Code) }
        }
        foreach ($step in @($Report.Steps)) {
            if ($step.Status -ne 'blocked' -and $step.Status -ne 'failed') { continue }
            $stepCode = 'PCFailover.Blocked'
            if ($step.Status -eq 'failed') { $stepCode = 'PCFailover.Failed' }
            if ($null -ne $step.Error -and $step.Error.Code) { $stepCode = $step.Error.Code }
            if (-not $codes.Contains($stepCode) -and @($Report.Errors).Count -eq 0) { $codes.Add($stepCode) }
            $text = 'step {0} ({1}) is {2}' -f $step.Id, $step.Name, $step.Status
            if ($step.Detail) { $text = '{0}: {1}' -f $text, $step.Detail }
            $known = $false
            foreach ($reason in $reasons) { if ($step.Detail -and $reason.Contains($step.Detail)) { $known = $true } }
            if (-not $known) { $reasons.Add($text) }
        }
    } else {
        $reasons.Add("pcfailover exited with code $ExitCode without a report")
    }
    if ($ExitCode -ne 0 -and $reasons.Count -eq 0) {
        $meaning = Get-PCExitCodeMeaning -ExitCode $ExitCode
        $reasons.Add(("the plan ended '{0}' (exit code {1})" -f $meaning.Outcome, $ExitCode))
        $codes.Add($meaning.ErrorId)
    }
    $ready = ($ExitCode -eq 0 -and $reasons.Count -eq 0)
    $pool = $PoolFqdn
    $recoveryPoint = $null
    $age = $null
    $dataLoss = $null
    $warnings = @()
    if ($null -ne $Report) {
        if ($Report.PoolFqdn) { $pool = $Report.PoolFqdn }
        if ($null -ne $Report.Rpo) {
            $recoveryPoint = $Report.Rpo.LastAppliedBackupFinish
            $age = $Report.Rpo.Age
        }
        $dataLoss = $Report.DataLoss
        $warnings = @($Report.Warnings)
    }
    $readiness = [pscustomobject][ordered]@{
        PoolFqdn         = $pool
        Ready            = $ready
        BlockingReason   = $reasons.ToArray()
        ErrorId          = $codes.ToArray()
        RecoveryPoint    = $recoveryPoint
        RecoveryPointAge = $age
        DataLoss         = $dataLoss
        Warnings         = $warnings
        Plan             = $Report
    }
    $readiness.PSObject.TypeNames.Insert(0, 'PCFailover.Readiness')
    $readiness
}

function New-PCBlockedStepErrorRecord {
    <#
    .SYNOPSIS
    ErrorRecords for the blocked steps of a plan that exited 0: a plan shows a safety check
    that would stop the failover as a step with status 'blocked' and, since the binary puts
    the error the run would stop with into errors[] (cli/CONTRACT.md), as that error too.
    ErrorId: that error's code; without errors[], the step's error code when it has one,
    else PCFailover.Blocked.
    #>
    param([AllowNull()][object]$Report)
    if ($null -eq $Report) { return }
    $blockedSteps = @(@($Report.Steps) | Where-Object { $_.Status -eq 'blocked' })
    if ($blockedSteps.Count -eq 0) { return }
    if (@($Report.Errors).Count -gt 0) {
        # The plan names the error the failover would stop with: map it as a blocked run.
        New-PCCoreErrorRecord -ExitCode 3 -Report $Report -PoolFqdn ([string]$Report.PoolFqdn)
        return
    }
    foreach ($step in @($Report.Steps)) {
        if ($step.Status -ne 'blocked') { continue }
        $errorId = 'PCFailover.Blocked'
        $category = 'InvalidOperation'
        $message = $step.Detail
        if ($null -ne $step.Error) {
            if ($step.Error.Code) { $errorId = $step.Error.Code }
            if ($step.Error.Category) { $category = $step.Error.Category }
            if ($step.Error.Message) { $message = $step.Error.Message }
        }
        if (-not $message) { $message = "step $($step.Id) is blocked" }
        $message = '{0}: {1}' -f $step.Name, $message
        $exception = New-Object System.InvalidOperationException $message
        $exception.Data['Report'] = $Report
        $exception.Data['ExitCode'] = 3
        $exception.Data['Target'] = $step.Id
        $exception.Data['IsTerminating'] = $false
        $record = New-Object System.Management.Automation.ErrorRecord ($exception, $errorId, (ConvertTo-PCErrorCategory -Name $category -Fallback 'InvalidOperation'), $Report)
        $record.CategoryInfo.TargetName = $step.Id
        $record.CategoryInfo.TargetType = 'PCFailover.Report'
        $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails $message
        $actions = @($Report.NextSteps)
        if ($actions.Count -gt 0) { $record.ErrorDetails.RecommendedAction = ($actions -join ' ') }
        $record
    }
}
