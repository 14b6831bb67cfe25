# ErrorRecords shaped like the ones compiled Lync cmdlets raise: a specific exception type, an
# ErrorId, an ErrorCategory and the offending object as TargetObject. Raised through the calling
# cmdlet's $PSCmdlet so FullyQualifiedErrorId reads "<ErrorId>,<cmdlet name>".

function New-LyncSimErrorRecord {
    param(
        [Parameter(Mandatory = $true)][string]$Message,
        [Parameter(Mandatory = $true)][string]$ErrorId,
        [System.Management.Automation.ErrorCategory]$Category = 'NotSpecified',
        $Target,
        [string]$RecommendedAction
    )
    switch ($Category.ToString()) {
        'ObjectNotFound' { $exception = New-Object System.Management.Automation.ItemNotFoundException $Message }
        'InvalidArgument' { $exception = New-Object System.ArgumentException $Message }
        'InvalidData' { $exception = New-Object System.ArgumentException $Message }
        'ConnectionError' { $exception = New-Object System.Data.DataException $Message }
        'ResourceUnavailable' { $exception = New-Object System.InvalidOperationException $Message }
        'OperationTimeout' { $exception = New-Object System.TimeoutException $Message }
        default { $exception = New-Object System.InvalidOperationException $Message }
    }
    $record = New-Object System.Management.Automation.ErrorRecord $exception, $ErrorId, $Category, $Target
    if ($RecommendedAction) {
        $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails $Message
        $record.ErrorDetails.RecommendedAction = $RecommendedAction
    }
    return $record
}

function Get-LyncSimInnerErrorRecord {
    # A prompt refused by a non-interactive host surfaces in script as a MethodInvocationException
    # around the host's own exception; a compiled cmdlet would surface the host's exception
    # itself. Unwrap it so callers see the same error a real cmdlet produces.
    param([Parameter(Mandatory = $true)][System.Management.Automation.ErrorRecord]$ErrorRecord)
    $exception = $ErrorRecord.Exception
    if ($exception -is [System.Management.Automation.MethodInvocationException] -and $null -ne $exception.InnerException) {
        $inner = $exception.InnerException
        if ($inner -is [System.Management.Automation.IContainsErrorRecord]) {
            return New-Object System.Management.Automation.ErrorRecord $inner.ErrorRecord, $inner
        }
        return New-Object System.Management.Automation.ErrorRecord $inner, $inner.GetType().Name, 'NotSpecified', $null
    }
    return $ErrorRecord
}
