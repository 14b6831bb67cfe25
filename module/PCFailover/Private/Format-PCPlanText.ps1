function Format-PCPlanText {
    <#
    .SYNOPSIS
    Renders a plan (or any report) as the text -WhatIf prints and the confirmation prompt
    shows: the steps with their status and the exact statements, the log backups by action,
    the recovery point, data loss, blocking errors and warnings.
    #>
    param(
        [Parameter(Mandatory = $true)][object]$Report,
        [int]$StatementsPerStep = 5
    )

    $nl = [Environment]::NewLine
    $lines = New-Object System.Collections.Generic.List[string]
    $lines.Add(("Pool {0}, database {1}, run directory {2}" -f $Report.PoolFqdn, $Report.Database, $Report.RunDirectory))
    foreach ($step in @($Report.Steps)) {
        $runbook = ''
        if ($step.RunbookStep -gt 0) { $runbook = " (runbook step $($step.RunbookStep))" }
        $lines.Add(("  {0}. [{1}] {2}{3}" -f $step.Order, $step.Status, $step.Name, $runbook))
        if ($step.Detail) { $lines.Add(("       {0}" -f $step.Detail)) }
        $statements = @($step.Statements)
        $shown = 0
        foreach ($statement in $statements) {
            if ($shown -ge $StatementsPerStep) { break }
            $text = ($statement.Text -replace '\s+', ' ').Trim()
            if ($text.Length -gt 240) { $text = $text.Substring(0, 237) + '...' }
            $parameters = @()
            foreach ($key in $statement.Parameters.Keys) { $parameters += ('{0}={1}' -f $key, $statement.Parameters[$key]) }
            if ($parameters.Count -gt 0) { $text = '{0}  [{1}]' -f $text, ($parameters -join ', ') }
            $lines.Add(("       {0}> {1}" -f $statement.Target, $text))
            $shown++
        }
        if ($statements.Count -gt $shown) {
            $lines.Add(("       ... and {0} more statements (Get-PCFailoverPlan shows them all)" -f ($statements.Count - $shown)))
        }
    }
    $files = @($Report.Files)
    if ($files.Count -gt 0) {
        $counts = @{}
        foreach ($file in $files) {
            if ($counts.ContainsKey($file.Action)) { $counts[$file.Action]++ } else { $counts[$file.Action] = 1 }
        }
        $parts = @()
        foreach ($action in ($counts.Keys | Sort-Object)) { $parts += ('{0} {1}' -f $counts[$action], $action) }
        $lines.Add(('  Log backups: {0}' -f ($parts -join ', ')))
    }
    if ($null -ne $Report.Rpo -and $null -ne $Report.Rpo.LastAppliedBackupFinish) {
        $lines.Add(('  Recovery point: {0} (age {1})' -f $Report.Rpo.LastAppliedBackupFinish, (Format-PCDuration $Report.Rpo.Age)))
    }
    if ($null -ne $Report.DataLoss) {
        $accepted = 'NOT accepted'
        if ($Report.DataLoss.Accepted) { $accepted = 'accepted' }
        $lines.Add(('  Data loss ({0}): {1}' -f $accepted, $Report.DataLoss.Description))
    }
    foreach ($entry in @($Report.Errors)) {
        $lines.Add(('  BLOCKED {0}: {1}' -f $entry.Code, $entry.Message))
    }
    foreach ($warning in @($Report.Warnings)) {
        $lines.Add(('  Warning: {0}' -f $warning))
    }
    [string]::Join($nl, $lines.ToArray())
}

function Format-PCDuration {
    # 1h 02m, 3m 05s, 12.3s: short, for views and messages.
    param([AllowNull()][object]$TimeSpan)
    if ($null -eq $TimeSpan) { return '' }
    $span = [timespan]$TimeSpan
    if ($span.TotalHours -ge 1) { return ('{0}h {1:00}m' -f [math]::Floor($span.TotalHours), $span.Minutes) }
    if ($span.TotalMinutes -ge 1) { return ('{0}m {1:00}s' -f $span.Minutes, $span.Seconds) }
    ('{0:0.0}s' -f $span.TotalSeconds)
}
