# .NET enums for the Lync parameter types whose values the tool passes and reads back.
# The real cmdlets bind -PoolState to an enum (PoolState: Normal, FailedOver; reference section 1.1)
# and -DatabaseType to DatabaseNameType (section 1.8), so invalid values fail at parameter binding,
# and Get-CsPersistentChatState's PoolState property is an enum: ConvertTo-Json writes it as a
# number, not a name. The numeric values of the real enums are not documented [U]; LyncSim uses
# declaration order. Enums are built with Reflection.Emit (milliseconds) rather than Add-Type
# (about a second of compilation on PowerShell 7), and PowerShell 3.0 has no enum keyword.

function Initialize-LyncSimType {
    if ('LyncSim.PoolState' -as [type]) { return }
    $name = New-Object System.Reflection.AssemblyName 'LyncSim.Types'
    $define = [System.Reflection.Emit.AssemblyBuilder].GetMethod('DefineDynamicAssembly',
        [type[]]@([System.Reflection.AssemblyName], [System.Reflection.Emit.AssemblyBuilderAccess]))
    if ($null -ne $define) {
        $assembly = [System.Reflection.Emit.AssemblyBuilder]::DefineDynamicAssembly($name, 'Run')
    } else {
        $assembly = [AppDomain]::CurrentDomain.DefineDynamicAssembly($name, 'Run')
    }
    $module = $assembly.DefineDynamicModule('LyncSim.Types')
    $enums = [ordered]@{
        # reference section 1.1: "Valid values are: Normal, FailedOver."
        'LyncSim.PoolState'        = @('Normal', 'FailedOver')
        # reference section 1.8 (SfB 2015 list) plus the Lync 2013 names of section 1.10 and the
        # Lync 2013 deployment doc (App, CMS, BIStaging).
        'LyncSim.DatabaseNameType' = @('ActiveMonitoring', 'Application', 'Archiving', 'CentralMgmt', 'Edge',
            'Lyss', 'Monitoring', 'PersistentChat', 'PersistentChatCompliance', 'Provision', 'Registrar',
            'SigninTelemetry', 'User', 'App', 'CMS', 'BIStaging')
    }
    foreach ($enumName in $enums.Keys) {
        $builder = $module.DefineEnum($enumName, 'Public', [int])
        $value = 0
        foreach ($literal in $enums[$enumName]) {
            [void]$builder.DefineLiteral($literal, [int]$value)
            $value++
        }
        [void]$builder.CreateType()
    }
}
