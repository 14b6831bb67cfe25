function New-PCEventState {
    # The state the event reader keeps for one run: the overall activity, step counters for
    # the percent, which child progress bars are open, which warnings were already shown.
    param([string]$Activity, [int]$StepTotal = 0)
    @{
        Activity      = $Activity
        StepTotal     = $StepTotal
        StepIndex     = 0
        ProgressIds   = New-Object System.Collections.Generic.List[int]
        ShownWarnings = New-Object 'System.Collections.Generic.HashSet[string]'
    }
}

function Write-PCCoreEvent {
    <#
    .SYNOPSIS
    The event reader: turns one JSON-lines event of the binary into PowerShell's own streams.
    .DESCRIPTION
    step      -> Write-Progress on the run's bar (Id 1) and Write-Verbose.
    progress  -> Write-Progress as a child bar (Id 10 + id, ParentId 1); percent clamped to
                 -1..100, a missing activity replaced, since Write-Progress rejects both.
    statement -> Write-Verbose "[target] text" (the exact statement sent).
    log       -> warn: Write-Warning; debug: Write-Debug; info and verbose: Write-Verbose.
    Lines that are not JSON and unknown event types are ignored, as the contract requires.
    #>
    param([string]$Line, [hashtable]$State)

    if (-not $Line -or -not $Line.StartsWith('{')) { return }
    try {
        $event = ConvertFrom-Json -InputObject $Line -ErrorAction Stop
    } catch {
        Write-Debug "ignored a line that is not JSON: $Line"
        return
    }
    if ($null -eq $event -or -not ($event -is [System.Management.Automation.PSCustomObject])) { return }
    $type = [string](Get-PCPropertyValue $event 'type' '')
    switch ($type) {
        'step' {
            $stepId = [string](Get-PCPropertyValue $event 'step' '')
            $status = [string](Get-PCPropertyValue $event 'status' '')
            $name = [string](Get-PCPropertyValue $event 'name' '')
            if (-not $name) { $name = $stepId }
            if ($status -eq 'started' -or $status -eq 'running') {
                $State.StepIndex++
                $statusText = "Step $($State.StepIndex): $name"
                $percent = -1
                if ($State.StepTotal -gt 0) {
                    $statusText = "Step $($State.StepIndex) of $($State.StepTotal): $name"
                    $percent = [int][math]::Min(100, [math]::Floor(100 * ($State.StepIndex - 1) / $State.StepTotal))
                }
                Write-Progress -Id 1 -Activity $State.Activity -Status $statusText -PercentComplete $percent
                Write-Verbose "Step $stepId ($name) started"
            } else {
                $duration = Get-PCPropertyValue $event 'durationMs'
                if ($null -ne $duration) {
                    Write-Verbose ("Step {0}: {1} in {2} ms" -f $stepId, $status, $duration)
                } else {
                    Write-Verbose ("Step {0}: {1}" -f $stepId, $status)
                }
            }
        }
        'progress' {
            $id = 0
            [void][int]::TryParse([string](Get-PCPropertyValue $event 'id' 0), [ref]$id)
            if ($id -lt 0) { $id = 0 }
            $progressId = 10 + $id
            $activity = [string](Get-PCPropertyValue $event 'activity' '')
            if (-not $activity) { $activity = $State.Activity }
            $status = [string](Get-PCPropertyValue $event 'status' '')
            if (-not $status) { $status = 'working' }
            $percent = -1
            $rawPercent = Get-PCPropertyValue $event 'percent'
            if ($null -ne $rawPercent) {
                $parsed = 0
                if ([int]::TryParse([string]$rawPercent, [ref]$parsed)) { $percent = [math]::Max(-1, [math]::Min(100, $parsed)) }
            }
            if (-not $State.ProgressIds.Contains($progressId)) { $State.ProgressIds.Add($progressId) }
            if ([bool](Get-PCPropertyValue $event 'completed' $false)) {
                Write-Progress -Id $progressId -ParentId 1 -Activity $activity -Completed
            } else {
                Write-Progress -Id $progressId -ParentId 1 -Activity $activity -Status $status -PercentComplete $percent
            }
        }
        'statement' {
            $target = [string](Get-PCPropertyValue $event 'target' '')
            $text = [string](Get-PCPropertyValue $event 'text' '')
            Write-Verbose ("[{0}] {1}" -f $target, $text)
        }
        'log' {
            $level = [string](Get-PCPropertyValue $event 'level' 'info')
            $message = [string](Get-PCPropertyValue $event 'message' '')
            if ($level -eq 'warn' -or $level -eq 'warning') {
                [void]$State.ShownWarnings.Add($message)
                Write-Warning $message
            } elseif ($level -eq 'debug') {
                Write-Debug $message
            } else {
                Write-Verbose $message
            }
        }
        default {
            Write-Debug "ignored an event of type '$type'"
        }
    }
}

function Complete-PCCoreProgress {
    # Closes every progress bar the run opened.
    param([hashtable]$State)
    foreach ($id in $State.ProgressIds) {
        Write-Progress -Id $id -ParentId 1 -Activity $State.Activity -Completed
    }
    Write-Progress -Id 1 -Activity $State.Activity -Completed
}
