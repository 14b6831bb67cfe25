@{
    RootModule           = 'LyncSim.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'c3d4a5e2-7f19-4c0b-8e5d-1a2b3c4d5e6f'
    Author               = 'pcfailover developers'
    CompanyName          = 'pcfailover'
    Copyright            = '(c) pcfailover developers. All rights reserved.'
    Description          = 'Test and lab stand-in for the Lync Server 2013 / Skype for Business Server 2015 cmdlets that pcfailover uses. State lives in the JSON file named by $env:LYNCSIM_STATE. Not part of the PCFailover product module.'
    PowerShellVersion    = '3.0'
    FunctionsToExport    = @(
        'Get-CsPersistentChatState',
        'Set-CsPersistentChatState',
        'Set-CsPersistentChatActiveServer',
        'Get-CsService',
        'Get-CsPool',
        'Install-CsMirrorDatabase',
        'Uninstall-CsMirrorDatabase',
        'Get-CsDatabaseMirrorState',
        'Test-CsDatabase',
        'New-LyncSimState',
        'Get-LyncSimState',
        'Get-LyncSimCallLog',
        'Add-LyncSimFault',
        'Set-LyncSimSqlServer',
        'Set-LyncSimCentralManagementStore'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('Lync', 'SkypeForBusiness', 'PersistentChat', 'Simulator', 'Testing')
        }
    }
}
