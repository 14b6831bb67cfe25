@{
    RootModule           = 'PCFailover.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6b0f5d0e-4a57-4b7e-9a43-2f6f3c1f8a21'
    Author               = 'pcfailover developers'
    CompanyName          = 'pcfailover'
    Copyright            = '(c) pcfailover developers. All rights reserved.'
    Description          = 'Fails a Lync Server 2013 / Skype for Business Server 2015 Persistent Chat pool over to its disaster-recovery data center and back, safely, and proves it with DR drills.'
    PowerShellVersion    = '3.0'
    FunctionsToExport    = @(
        'Invoke-PCFailover'
        'Invoke-PCFailback'
        'Get-PCFailoverPlan'
        'Test-PCFailoverReadiness'
        'New-PCFailoverRequest'
        'Get-PCFailoverVersion'
        'Invoke-PCFailoverDrill'
        'Register-PCFailoverDrill'
        'Get-PCFailoverStatus'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    FormatsToProcess     = @('PCFailover.Format.ps1xml')
    PrivateData          = @{
        PSData = @{
            Tags       = @('Lync', 'SkypeForBusiness', 'PersistentChat', 'DisasterRecovery', 'LogShipping')
            ProjectUri = 'https://example.invalid/pcfailover'
        }
    }
}
