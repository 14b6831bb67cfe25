function Register-PCFailoverDrill {
    <#
    .SYNOPSIS
    Registers a Windows scheduled task that runs a DR drill of a Persistent Chat pool daily
    or weekly, non-interactively, as a service account or a gMSA.

    .DESCRIPTION
    Builds the task from a saved request file (see New-PCFailoverRequest): its action runs the
    module's pcfailover binary, `pcfailover drill --request <file> --output json --events
    <run directory>\drill-events.jsonl`, so the task needs no profile, never prompts, and its
    Last Run Result is the drill's exit code (0 succeeded, 1 failed, 2 invalid request,
    3 blocked, 4 interrupted). Each drill appends to drill-history.jsonl in the request's run
    directory; `pcfailover report --run <run directory> --format html` charts the history.

    The task runs as a group managed service account (-GroupManagedServiceAccount
    'CONTOSO\svcPCDrill$': logon type Password with no password stored, the gMSA pattern) or as
    a service account (-Credential; Task Scheduler stores its password), with the highest run
    level, one instance at a time (IgnoreNew), and an execution time limit. Use integrated
    authentication in the request: a scheduled task has nobody to give it a SQL password.

    It also registers the PCFailover source of the Application event log (as
    Install-PCFailoverEventSource does), so the drill's outcome is written there: event 300
    succeeded, 302 blocked, 303 failed, 304 interrupted.

    It supports -WhatIf and -Confirm, and needs Windows with the ScheduledTasks module
    (Windows Server 2012 or later); elsewhere it fails with PCFailover.NotSupported.

    .PARAMETER RequestPath
    The request file the drill runs (.json or .psd1), as an absolute path the account can read.

    .PARAMETER Daily
    Runs the drill every -DaysInterval days at -At.

    .PARAMETER Weekly
    Runs the drill every -WeeksInterval weeks on -DaysOfWeek at -At (the default).

    .PARAMETER At
    The time of day (local time of the server); 03:00 when not given.

    .PARAMETER DaysInterval
    With -Daily: every this many days (default 1).

    .PARAMETER DaysOfWeek
    With -Weekly: the days (default Sunday).

    .PARAMETER WeeksInterval
    With -Weekly: every this many weeks (default 1; 4 approximates monthly).

    .PARAMETER GroupManagedServiceAccount
    The gMSA that runs the task, DOMAIN\name$ or name$@domain. It needs "Log on as a batch
    job", sysadmin (or dbcreator and msdb read) on the backup SQL instance, and read access to
    the share.

    .PARAMETER Credential
    A (non-managed) service account that runs the task; Task Scheduler stores its password.

    .PARAMETER TaskName
    The task's name; "PCFailover DR drill <pool>" by default.

    .PARAMETER TaskPath
    The task folder; \PCFailover\ by default.

    .PARAMETER ExecutionTimeLimit
    Stops a drill that runs longer (default 4 hours).

    .PARAMETER Force
    Replaces an existing task of the same name.

    .EXAMPLE
    Register-PCFailoverDrill -RequestPath C:\pcfailover\pchat.psd1 -Weekly -DaysOfWeek Sunday -At 03:00 -GroupManagedServiceAccount 'CONTOSO\svcPCDrill$'

    Runs a drill every Sunday at 03:00 as the gMSA.

    .EXAMPLE
    Register-PCFailoverDrill -RequestPath C:\pcfailover\pchat.psd1 -Daily -At 02:30 -Credential (Get-Credential CONTOSO\svc-pcdrill) -WhatIf

    Shows the task it would register (action, trigger, account), registering nothing.

    .EXAMPLE
    Register-PCFailoverDrill -RequestPath C:\pcfailover\pchat.psd1 -Weekly -WeeksInterval 4 -DaysOfWeek Saturday -GroupManagedServiceAccount 'CONTOSO\svcPCDrill$' -Force

    A roughly monthly drill, replacing the task registered before.

    .OUTPUTS
    PCFailover.DrillTask: the task's definition, with Registered and the registered task
    (CimInstance) in Task.

    .LINK
    Invoke-PCFailoverDrill

    .LINK
    about_PCFailover
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Weekly')]
    [OutputType('PCFailover.DrillTask')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName', 'Path')]
        [string]$RequestPath,

        [Parameter(Mandatory = $true, ParameterSetName = 'Daily')]
        [switch]$Daily,

        [Parameter(ParameterSetName = 'Weekly')]
        [switch]$Weekly,

        [DateTime]$At = [DateTime]::Today.AddHours(3),

        [Parameter(ParameterSetName = 'Daily')]
        [ValidateRange(1, 365)]
        [int]$DaysInterval = 1,

        [Parameter(ParameterSetName = 'Weekly')]
        [ValidateSet('Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday')]
        [string[]]$DaysOfWeek = @('Sunday'),

        [Parameter(ParameterSetName = 'Weekly')]
        [ValidateRange(1, 52)]
        [int]$WeeksInterval = 1,

        [Alias('Gmsa')]
        [string]$GroupManagedServiceAccount,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [string]$TaskName,

        [string]$TaskPath = '\PCFailover\',

        [TimeSpan]$ExecutionTimeLimit = (New-TimeSpan -Hours 4),

        [switch]$Force
    )

    process {
        $hasCredential = $PSBoundParameters.ContainsKey('Credential') -and $Credential -ne [System.Management.Automation.PSCredential]::Empty
        $problem = $null
        if ($GroupManagedServiceAccount -and $hasCredential) {
            $problem = 'give either -GroupManagedServiceAccount or -Credential, not both'
        } elseif (-not $GroupManagedServiceAccount -and -not $hasCredential) {
            $problem = 'give the account that runs the drill: -GroupManagedServiceAccount DOMAIN\name$ (recommended) or -Credential'
        } elseif ($GroupManagedServiceAccount -and -not (Test-PCGmsaName -Name $GroupManagedServiceAccount)) {
            $problem = "'$GroupManagedServiceAccount' is not a gMSA name: write DOMAIN\name`$ or name`$@domain"
        }
        if ($null -ne $problem) {
            $exception = New-Object System.ArgumentException $problem
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.InvalidArgument', [System.Management.Automation.ErrorCategory]::InvalidArgument, $RequestPath)))
        }
        $fullPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($RequestPath)
        $resolved = Resolve-PCRequest -ParameterSetName 'RequestPath' -BoundParameter @{ RequestPath = $fullPath }
        if ($null -ne $resolved.ErrorRecord) {
            $PSCmdlet.WriteError($resolved.ErrorRecord)
            return
        }
        $requestData = $resolved.Request
        $instance = $requestData['backupSqlInstance']
        $auth = [string](Get-PCPropertyValue $instance 'auth' '')
        if ($auth -eq 'sql') {
            if (-not (Get-PCPropertyValue $instance 'passwordEnv' '')) {
                $exception = New-Object System.ArgumentException "The request $fullPath uses a SQL login without passwordEnv: a scheduled drill has nobody to give it the password. Use integrated authentication (the task's account), or name an environment variable of that account in passwordEnv."
                $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.InvalidRequest', [System.Management.Automation.ErrorCategory]::InvalidArgument, $fullPath)))
            }
            Write-Warning ("The request uses a SQL login whose password comes from the environment variable {0}: it must be set for the task's account. Integrated authentication is safer." -f (Get-PCPropertyValue $instance 'passwordEnv' ''))
        }
        $userId = $GroupManagedServiceAccount
        if ($hasCredential) { $userId = $Credential.UserName }
        $schedule = 'Weekly'
        if ($PSCmdlet.ParameterSetName -eq 'Daily') { $schedule = 'Daily' }
        $definition = New-PCDrillTaskDefinition -RequestPath $fullPath -PoolFqdn ([string]$requestData['poolFqdn']) -BinaryPath (Get-PCCorePath) `
            -RunDirectory ([string]$requestData['runDirectory']) -Schedule $schedule -At $At -DaysInterval $DaysInterval -DaysOfWeek $DaysOfWeek `
            -WeeksInterval $WeeksInterval -UserId $userId -Gmsa ([bool]$GroupManagedServiceAccount) -TaskName $TaskName -TaskPath $TaskPath -ExecutionTimeLimit $ExecutionTimeLimit
        $when = 'every {0} week(s) on {1} at {2:HH:mm}' -f $WeeksInterval, ($DaysOfWeek -join ', '), $At
        if ($schedule -eq 'Daily') { $when = 'every {0} day(s) at {1:HH:mm}' -f $DaysInterval, $At }
        $description = "Register the scheduled task {0}{1}: {2} {3}, {4}, as {5}" -f $definition.TaskPath, $definition.TaskName, $definition.Action.Execute, $definition.Action.Argument, $when, $userId
        if (-not $PSCmdlet.ShouldProcess($description, "$($description)?", 'Register a DR drill task')) {
            return
        }
        if (-not (Test-PCScheduledTaskSupport)) {
            $exception = New-Object System.PlatformNotSupportedException 'Register-PCFailoverDrill needs Windows with the ScheduledTasks module (Windows Server 2012 or later); on this system, schedule `pcfailover drill --request <file>` with the local scheduler (cron, systemd timers) instead.'
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord ($exception, 'PCFailover.NotSupported', [System.Management.Automation.ErrorCategory]::NotImplemented, $definition)))
        }
        if (-not (Test-Path -LiteralPath $definition.Action.WorkingDirectory)) {
            $null = New-Item -ItemType Directory -Path $definition.Action.WorkingDirectory -Force
        }
        $actionArgs = ConvertTo-PCHashtable $definition.Action
        $action = New-ScheduledTaskAction @actionArgs
        $triggerArgs = ConvertTo-PCHashtable $definition.Trigger
        $trigger = New-ScheduledTaskTrigger @triggerArgs
        $settingsArgs = ConvertTo-PCHashtable $definition.Settings
        $settings = New-ScheduledTaskSettingsSet @settingsArgs
        $register = @{
            TaskName    = $definition.TaskName
            TaskPath    = $definition.TaskPath
            Description = $definition.Description
            Action      = $action
            Trigger     = $trigger
            Settings    = $settings
            Force       = [bool]$Force
            ErrorAction = 'Stop'
        }
        if ($null -ne $definition.Principal) {
            $principalArgs = ConvertTo-PCHashtable $definition.Principal
            $register['Principal'] = New-ScheduledTaskPrincipal @principalArgs
        } else {
            $register['User'] = $Credential.UserName
            $register['Password'] = $Credential.GetNetworkCredential().Password
            $register['RunLevel'] = 'Highest'
        }
        try {
            $task = Register-ScheduledTask @register
        } catch {
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord ($_.Exception, 'PCFailover.TaskRegistrationFailed', [System.Management.Automation.ErrorCategory]::InvalidOperation, $definition)))
        } finally {
            $register.Remove('Password')
        }
        $definition | Add-Member -MemberType NoteProperty -Name Registered -Value $true
        $definition | Add-Member -MemberType NoteProperty -Name Task -Value $task
        # The drill's outcome goes to the Application log under PCFailover: register the source
        # (already elevated for the task). A failure here is a warning: the task is registered.
        $eventSource = Register-PCEventSource -Cmdlet $PSCmdlet
        if ($null -ne $eventSource.ErrorRecord) {
            Write-Warning $eventSource.ErrorRecord.Exception.Message
        }
        $definition | Add-Member -MemberType NoteProperty -Name EventSourceRegistered -Value ([bool]$eventSource.Status.Registered)
        $definition
    }
}
