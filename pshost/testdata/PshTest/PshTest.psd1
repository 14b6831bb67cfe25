@{
    RootModule = 'PshTest.psm1'
    ModuleVersion = '1.2.3'
    GUID = '6f1f3b52-8d0e-4c5e-9a57-2f4b1c7d9e10'
    Author = 'pcfailover'
    Description = 'Test module for pcfailover/pshost.'
    PowerShellVersion = '3.0'
    FunctionsToExport = @('Get-PshEcho', 'Get-PshText', 'Get-PshSecret', 'Write-PshStreams', 'Invoke-PshThrow',
        'Get-PshNested', 'Start-PshSleep', 'Start-PshBlock', 'Get-PshProcessId', 'Stop-PshHostProcess', 'Set-PshDangerous',
        'Read-PshInput', 'Write-PshConsole', 'Get-PshBig')
    CmdletsToExport = @()
    VariablesToExport = @()
    AliasesToExport = @()
}
