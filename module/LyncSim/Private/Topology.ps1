# Topology lookups over the state (README.md, "State file"). All FQDN and instance comparisons
# are case-insensitive, as DNS names and SQL Server instance names are.

$script:LyncSimDefaultOptions = [ordered]@{
    # Identity strings Set-/Get-CsPersistentChatState accept for a pool (reference sections 0.4,
    # 1.1, 1.2, 2.1, 2.2). {fqdn} stands for the pool FQDN; the runbook's failback form has a
    # space after "service:" and is accepted as Microsoft's own procedure uses it.
    stateIdentityForms        = @('service:PersistentChatServer:{fqdn}', 'PersistentChatServer:{fqdn}', 'service:{fqdn}', 'service: {fqdn}')
    # Identity strings Set-CsPersistentChatActiveServer accepts (reference section 1.3): "global"
    # (Lync 2013 help), "PChatServerCollection" (SfB 2015 help) name the single collection; the
    # service identity from Get-CsService -PersistentChatServer names one pool.
    activeServerIdentityForms = @('global', 'PChatServerCollection', 'PersistentChatServer:{fqdn}', 'service:PersistentChatServer:{fqdn}')
    # "only four can be active" (reference section 1.3, capacity).
    maxActiveServersPerPool   = 4
    # Oldest call-log entries are dropped beyond this many (keeps the file small: Windows
    # PowerShell's ConvertFrom-Json refuses very large documents).
    callLogLimit              = 2000
}

function Get-LyncSimOption {
    param([Parameter(Mandatory = $true)]$State, [Parameter(Mandatory = $true)][string]$Name)
    if ($State.Contains('options') -and $null -ne $State['options'] -and $State['options'].Contains($Name)) {
        return $State['options'][$Name]
    }
    return $script:LyncSimDefaultOptions[$Name]
}

function Get-LyncSimValue {
    # $Table[$Key] or $Default when the key is absent (StrictMode-safe).
    param($Table, [string]$Key, $Default = $null)
    if ($null -ne $Table -and $Table -is [System.Collections.IDictionary] -and $Table.Contains($Key)) { return $Table[$Key] }
    return $Default
}

function Test-LyncSimName {
    param([string]$A, [string]$B)
    return [string]::Equals(([string]$A).Trim(), ([string]$B).Trim(), [System.StringComparison]::OrdinalIgnoreCase)
}

function Format-LyncSimSqlInstance {
    param([string]$SqlServerFqdn, [string]$SqlInstanceName)
    if ([string]::IsNullOrEmpty($SqlInstanceName)) { return $SqlServerFqdn }
    return '{0}\{1}' -f $SqlServerFqdn, $SqlInstanceName
}

# Functions returning collections return them with the unary comma (one array object):
# assign their result directly, never wrap the call in @().

function Get-LyncSimChatPool {
    param([Parameter(Mandatory = $true)]$State)
    return , @(Get-LyncSimValue $State 'persistentChatPools' @())
}

function Find-LyncSimChatPoolByFqdn {
    param([Parameter(Mandatory = $true)]$State, [string]$Fqdn)
    foreach ($pool in (Get-LyncSimChatPool $State)) {
        if (Test-LyncSimName $pool['poolFqdn'] $Fqdn) { return $pool }
    }
    return $null
}

function Find-LyncSimPool {
    # Any pool: front end / registrar and Persistent Chat pools from "pools", plus one SQL store
    # pool per distinct SQL Server FQDN (Lync models a SQL store as a pool named by its FQDN).
    param([Parameter(Mandatory = $true)]$State)
    $result = New-Object System.Collections.Generic.List[object]
    foreach ($pool in @(Get-LyncSimValue $State 'pools' @())) { $result.Add($pool) }
    $seen = @{}
    foreach ($sql in @(Get-LyncSimValue $State 'sqlServers' @())) {
        $key = ([string]$sql['fqdn']).ToLowerInvariant()
        if ($seen.ContainsKey($key)) { continue }
        $seen[$key] = $true
        $result.Add([ordered]@{ fqdn = $sql['fqdn']; site = (Get-LyncSimValue $sql 'site' ''); computers = @($sql['fqdn']); role = 'SqlStore' })
    }
    return , $result.ToArray()
}

function Resolve-LyncSimIdentity {
    # Matches $Identity against identity forms ({fqdn} placeholder or a literal collection name).
    # Returns the matching Persistent Chat pools (all of them for a collection name), or an empty
    # array when the string matches no form or names no Persistent Chat pool.
    param([Parameter(Mandatory = $true)]$State, [string]$Identity, [object[]]$Forms)
    $pools = Get-LyncSimChatPool $State
    foreach ($form in $Forms) {
        $form = [string]$form
        $at = $form.IndexOf('{fqdn}')
        if ($at -lt 0) {
            if (Test-LyncSimName $form $Identity) { return , $pools }
            continue
        }
        $prefix = $form.Substring(0, $at)
        $suffix = $form.Substring($at + 6)
        $id = [string]$Identity
        if ($id.Length -le ($prefix.Length + $suffix.Length)) { continue }
        if (-not $id.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        if (-not $id.EndsWith($suffix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        $fqdn = $id.Substring($prefix.Length, $id.Length - $prefix.Length - $suffix.Length)
        if ($fqdn -match '[\s:]') { continue }
        foreach ($pool in $pools) {
            if (Test-LyncSimName $pool['poolFqdn'] $fqdn) { return , @($pool) }
        }
    }
    return , @()
}

function Get-LyncSimStoreInUse {
    # The store the pool reads and writes: its primary store in Normal, its backup store in
    # FailedOver ("FailedOver, in which the pool uses the backup databases defined in the
    # topology", reference section 1.1).
    param([Parameter(Mandatory = $true)]$ChatPool)
    $stores = $ChatPool['stores']
    if ($ChatPool['poolState'] -eq 'FailedOver') { return (Get-LyncSimValue $stores 'backup') }
    return (Get-LyncSimValue $stores 'primary')
}

function Find-LyncSimSqlServer {
    param([Parameter(Mandatory = $true)]$State, [string]$SqlServerFqdn, [string]$SqlInstanceName)
    foreach ($sql in @(Get-LyncSimValue $State 'sqlServers' @())) {
        if ((Test-LyncSimName $sql['fqdn'] $SqlServerFqdn) -and (Test-LyncSimName (Get-LyncSimValue $sql 'instance' '') $SqlInstanceName)) {
            return $sql
        }
    }
    return $null
}

function Get-LyncSimDatabaseName {
    # reference section 0 / mission: mgc holds chat content, mgccomp the compliance data.
    param([Parameter(Mandatory = $true)][string]$DatabaseType)
    switch ($DatabaseType) {
        'PersistentChat' { return 'mgc' }
        'PersistentChatCompliance' { return 'mgccomp' }
    }
    return $null
}

function Get-LyncSimChatDatabaseType {
    # The Persistent Chat database types a pool uses: PersistentChat always, PersistentChatCompliance
    # when compliance is enabled.
    param([Parameter(Mandatory = $true)]$ChatPool)
    if (Get-LyncSimValue $ChatPool 'complianceEnabled' $false) { return , @('PersistentChat', 'PersistentChatCompliance') }
    return , @('PersistentChat')
}

function Find-LyncSimMirror {
    param([Parameter(Mandatory = $true)]$State, [string]$DatabaseName, [string]$SqlServerFqdn, [string]$SqlInstanceName)
    foreach ($mirror in @(Get-LyncSimValue $State 'mirrors' @())) {
        $principal = $mirror['principal']
        if ((Test-LyncSimName $mirror['databaseName'] $DatabaseName) -and
            (Test-LyncSimName $principal['sqlServerFqdn'] $SqlServerFqdn) -and
            (Test-LyncSimName (Get-LyncSimValue $principal 'sqlInstanceName' '') $SqlInstanceName)) {
            return $mirror
        }
    }
    return $null
}

function Test-LyncSimDatabasePresent {
    param($SqlServer, [string]$DatabaseName)
    if ($null -eq $SqlServer) { return $false }
    foreach ($name in @(Get-LyncSimValue $SqlServer 'databases' @())) {
        if (Test-LyncSimName $name $DatabaseName) { return $true }
    }
    return $false
}

function Get-LyncSimTimestamp {
    return [DateTime]::UtcNow.ToString('o')
}
