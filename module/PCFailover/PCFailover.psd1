@{
    RootModule           = 'PCFailover.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6b0f5d0e-4a57-4b7e-9a43-2f6f3c1f8a21'
    Author               = 'pcfailover contributors'
    CompanyName          = 'pcfailover contributors'
    Copyright            = '(c) 2026 pcfailover contributors. MIT License (see LICENSE).'
    Description          = 'Fails a Lync Server 2013 / Skype for Business Server 2015 Persistent Chat pool over to its disaster-recovery data center and back, safely, and proves it with DR drills.'
    # Windows PowerShell 3.0-5.1 (Desktop) and PowerShell 7 (Core). There is deliberately no
    # CompatiblePSEditions key: Windows PowerShell 3.0 and 4.0 cannot load a manifest that has
    # one (about_Module_Manifests; /work/shared/docs/reference/powershell.md 3.1). The editions
    # are declared to the PowerShell Gallery by the PSEdition_Desktop and PSEdition_Core tags.
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
        'Install-PCFailoverEventSource'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    FormatsToProcess     = @('PCFailover.Format.ps1xml')
    PrivateData          = @{
        PSData = @{
            Tags         = @('Lync', 'SkypeForBusiness', 'PersistentChat', 'DisasterRecovery', 'Failover', 'LogShipping', 'SQLServer', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux')
            # MIT (LICENSE in this folder). The project has no public repository URL yet, so
            # LicenseUri is the MIT text at the Open Source Initiative and there is no ProjectUri.
            LicenseUri   = 'https://opensource.org/license/mit'
            ReleaseNotes = 'See CHANGELOG.md in the module folder. Unreleased: LICENSE (MIT); one version source (this ModuleVersion, stamped into the binary); release archive with Windows and Linux binaries; Windows Event Log (source PCFailover, Install-PCFailoverEventSource); the request parameters declared once, on New-PCFailoverRequest. 0.1.0: failover, failback, drills, status and reports for Lync Server 2013 / Skype for Business Server 2015 Persistent Chat.'
        }
    }
}
