BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..\PCFailover.psd1') -Force

    function Write-TestFile {
        param([string]$Path, [string]$Text)
        [System.IO.File]::WriteAllText($Path, $Text, (New-Object System.Text.UTF8Encoding $false))
        $Path
    }
}

Describe 'New-PCFailoverRequest from parameters' {
    It 'builds a schemaVersion 1 request with the contract field names' {
        $request = New-PCFailoverRequest -PoolFqdn 'pchat.contoso.com' -BackupSqlInstance 'sqlbackup.contoso.com' -RunDirectory (Join-Path $TestDrive 'run')
        $request.PSObject.TypeNames[0] | Should -Be 'PCFailover.Request'
        $request.schemaVersion | Should -Be 1
        $request.poolFqdn | Should -Be 'pchat.contoso.com'
        $request.backupSqlInstance.server | Should -Be 'sqlbackup.contoso.com'
        $request.runDirectory | Should -Be (Join-Path $TestDrive 'run')
    }

    It 'parses server\instance,port the way admins write SQL instances' {
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'tcp:sqlbackup\PCHAT,14331' -PrimarySqlInstance 'sqlprimary,1533'
        $request.backupSqlInstance.server | Should -Be 'sqlbackup'
        $request.backupSqlInstance.instance | Should -Be 'PCHAT'
        $request.backupSqlInstance.port | Should -Be 14331
        $request.primarySqlInstance.server | Should -Be 'sqlprimary'
        $request.primarySqlInstance.port | Should -Be 1533
        $request.primarySqlInstance.PSObject.Properties['instance'] | Should -BeNullOrEmpty
        "$($request.backupSqlInstance)" | Should -Be 'sqlbackup\PCHAT,14331'
    }

    It 'maps the Lync parameters, accepting CSV-style lists and maps' {
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -ActiveServer 'pc3.contoso.com;pc4.contoso.com' -DataCenter 'pc1.contoso.com=DC1; pc3.contoso.com=DC2' -BackupDataCenter 'DC2' -LyncModule 'SkypeForBusiness'
        $request.lync.activeServers | Should -Be @('pc3.contoso.com', 'pc4.contoso.com')
        $request.lync.dataCenters['pc1.contoso.com'] | Should -Be 'DC1'
        $request.lync.dataCenters['pc3.contoso.com'] | Should -Be 'DC2'
        $request.lync.backupDataCenter | Should -Be 'DC2'
        $request.lync.module | Should -Be 'SkypeForBusiness'
    }

    It 'records only the user name of -Credential, never the password' {
        $secure = ConvertTo-SecureString 'Pa55-never-saved' -AsPlainText -Force
        $credential = New-Object System.Management.Automation.PSCredential ('pcfo', $secure)
        $path = Join-Path $TestDrive 'cred.json'
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -BackupMirrorSqlInstance 'm' -Credential $credential -OutFile $path
        $request.backupSqlInstance.auth | Should -Be 'sql'
        $request.backupSqlInstance.user | Should -Be 'pcfo'
        $request.backupMirrorSqlInstance.user | Should -Be 'pcfo'
        Get-Content -LiteralPath $path -Raw | Should -Not -Match 'Pa55-never-saved'
    }

    It 'sets options only from explicit switches and numbers' {
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -AcceptDataLoss -CopyParallelism 3 -KillRetries 7
        $request.options.acceptDataLoss | Should -BeTrue
        $request.options.copyParallelism | Should -Be 3
        $request.options.killRetries | Should -Be 7
    }

    It 'gives each pool its own default run directory' {
        $a = New-PCFailoverRequest -PoolFqdn 'a.contoso.com' -BackupSqlInstance 'b'
        $b = New-PCFailoverRequest -PoolFqdn 'b.contoso.com' -BackupSqlInstance 'b'
        $a.runDirectory | Should -Match 'pcfailover'
        $a.runDirectory | Should -Match 'a\.contoso\.com$'
        $a.runDirectory | Should -Not -Be $b.runDirectory
    }
}

Describe 'New-PCFailoverRequest with files' {
    It 'reads a .psd1 request with PascalCase keys and a SQL instance written as text' {
        $path = Write-TestFile (Join-Path $TestDrive 'pool.psd1') @'
@{
    SchemaVersion     = 1
    PoolFqdn          = 'pchat.contoso.com'
    BackupSqlInstance = 'sqlbackup\PCHAT'
    BackupMirrorSqlInstance = @{ Server = 'sqlmirror'; Auth = 'sql'; User = 'pcfo'; PasswordEnv = 'PCF_MIRROR_PW' }
    RunDirectory      = 'C:\ProgramData\pcfailover\runs\pchat.contoso.com'
    Lync = @{
        ActiveServers    = @('pc3.contoso.com')
        DataCenters      = @{ 'pc1.contoso.com' = 'DC1'; 'pc3.contoso.com' = 'DC2' }
        BackupDataCenter = 'DC2'
    }
    Options = @{ AcceptDataLoss = $false; CopyParallelism = 4 }
}
'@
        $request = New-PCFailoverRequest -RequestPath $path
        $request.poolFqdn | Should -Be 'pchat.contoso.com'
        $request.backupSqlInstance.instance | Should -Be 'PCHAT'
        $request.backupMirrorSqlInstance.passwordEnv | Should -Be 'PCF_MIRROR_PW'
        $request.lync.dataCenters['pc3.contoso.com'] | Should -Be 'DC2'
        $request.options.copyParallelism | Should -Be 4
        $request.options.acceptDataLoss | Should -BeFalse
    }

    It 'never runs code from a .psd1 request' {
        $marker = Join-Path $TestDrive 'ran.txt'
        $path = Write-TestFile (Join-Path $TestDrive 'evil.psd1') ("@{{ PoolFqdn = (Set-Content -Path '{0}' -Value x); BackupSqlInstance = 'b' }}" -f $marker)
        $err = $null
        $null = New-PCFailoverRequest -RequestPath $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PCFailover.InvalidRequest,*'
        $err[0].Exception.Message | Should -Match 'may not contain code'
        Test-Path -LiteralPath $marker | Should -BeFalse
    }

    It 'refuses a .psd1 that is not a single hashtable' {
        $path = Write-TestFile (Join-Path $TestDrive 'two.psd1') "@{ PoolFqdn = 'a' }`n@{ PoolFqdn = 'b' }"
        $err = $null
        $null = New-PCFailoverRequest -RequestPath $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'exactly one hashtable'
    }

    It 'reports a .psd1 syntax error with its line' {
        $path = Write-TestFile (Join-Path $TestDrive 'broken.psd1') "@{`n PoolFqdn = 'a'`n BackupSqlInstance = `n}"
        $err = $null
        $null = New-PCFailoverRequest -RequestPath $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PCFailover.InvalidRequest,*'
        $err[0].Exception.Message | Should -Match 'line \d'
    }

    It 'reads a JSON request, with a BOM as Windows PowerShell 5.1 writes it' {
        $path = Join-Path $TestDrive 'pool.json'
        $json = '{"schemaVersion":1,"poolFqdn":"pchat.contoso.com","backupSqlInstance":{"server":"sqlbackup","port":14331},"runDirectory":"/tmp/run","options":{"acceptDataLoss":true}}'
        [System.IO.File]::WriteAllText($path, $json, (New-Object System.Text.UTF8Encoding $true))
        $request = New-PCFailoverRequest -RequestPath $path
        $request.backupSqlInstance.port | Should -Be 14331
        $request.options.acceptDataLoss | Should -BeTrue
    }

    It 'lets parameters override the fields of a file' {
        $path = Write-TestFile (Join-Path $TestDrive 'base.json') '{"schemaVersion":1,"poolFqdn":"pchat.contoso.com","backupSqlInstance":{"server":"old","auth":"sql","user":"pcfo"},"runDirectory":"/tmp/run"}'
        $request = New-PCFailoverRequest -RequestPath $path -BackupSqlInstance 'new\PC,1444' -RunDirectory (Join-Path $TestDrive 'other')
        $request.backupSqlInstance.server | Should -Be 'new'
        $request.backupSqlInstance.instance | Should -Be 'PC'
        $request.backupSqlInstance.auth | Should -Be 'sql'
        $request.backupSqlInstance.user | Should -Be 'pcfo'
        $request.runDirectory | Should -Be (Join-Path $TestDrive 'other')
    }

    It 'saves .psd1 and .json that read back to the same request' {
        $original = New-PCFailoverRequest -PoolFqdn "o'brien.contoso.com" -BackupSqlInstance 'sqlbackup\PCHAT,14331' -ActiveServer 'pc3', 'pc4' -DataCenter @{ 'pc3' = 'DC2'; 'pc4' = 'DC2' } -BackupDataCenter 'DC2' -SkipLync -RunDirectory (Join-Path $TestDrive 'r')
        $psd1 = Join-Path $TestDrive 'saved.psd1'
        $json = Join-Path $TestDrive 'saved.json'
        $null = $original | New-PCFailoverRequest -OutFile $psd1
        $null = New-PCFailoverRequest -RequestPath $psd1 -OutFile $json
        $fromJson = New-PCFailoverRequest -RequestPath $json
        $fromJson.poolFqdn | Should -Be "o'brien.contoso.com"
        $fromJson.backupSqlInstance.port | Should -Be 14331
        $fromJson.lync.activeServers | Should -Be @('pc3', 'pc4')
        $fromJson.lync.skip | Should -BeTrue
        $bytes = [System.IO.File]::ReadAllBytes($json)
        $bytes[0] | Should -Be ([byte][char]'{') -Because 'Go rejects a BOM'
    }

    It 'does not overwrite a saved request without -Force' {
        $path = Join-Path $TestDrive 'exists.json'
        $null = New-PCFailoverRequest -PoolFqdn 'p' -BackupSqlInstance 'b' -OutFile $path
        $err = $null
        $null = New-PCFailoverRequest -PoolFqdn 'q' -BackupSqlInstance 'b' -OutFile $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PCFailover.RequestFileExists,*'
        (New-PCFailoverRequest -RequestPath $path).poolFqdn | Should -Be 'p'
        $null = New-PCFailoverRequest -PoolFqdn 'q' -BackupSqlInstance 'b' -OutFile $path -Force
        (New-PCFailoverRequest -RequestPath $path).poolFqdn | Should -Be 'q'
    }

    It 'changes nothing on disk with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.json'
        $null = New-PCFailoverRequest -PoolFqdn 'p' -BackupSqlInstance 'b' -OutFile $path -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse
    }
}

Describe 'Request validation' {
    It 'lists every problem of an invalid request with its fix, as PCFailover.InvalidRequest' {
        $path = Write-TestFile (Join-Path $TestDrive 'bad.json') '{"schemaVersion":1,"backupSqlInstance":{"server":"b","auth":"kerberos","port":"x"},"colour":"blue","options":{"killRetries":99}}'
        $err = $null
        $null = New-PCFailoverRequest -RequestPath $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $record = $err[0]
        $record.FullyQualifiedErrorId | Should -Be 'PCFailover.InvalidRequest,New-PCFailoverRequest'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $fields = @($record.Exception.Data['Problems'] | ForEach-Object { $_.Field })
        $fields | Should -Contain 'poolFqdn'
        $fields | Should -Contain 'colour'
        $fields | Should -Contain 'backupSqlInstance.auth'
        $fields | Should -Contain 'backupSqlInstance.port'
        $fields | Should -Contain 'options.killRetries'
        $record.ErrorDetails.RecommendedAction | Should -Match 'PoolFqdn'
    }

    It 'refuses a request that carries a password anywhere' {
        $path = Write-TestFile (Join-Path $TestDrive 'pw.psd1') "@{ PoolFqdn = 'p'; BackupSqlInstance = @{ Server = 'b'; Auth = 'sql'; User = 'sa'; Password = 'hunter2' } }"
        $err = $null
        $null = New-PCFailoverRequest -RequestPath $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Data['Problems'][0].Field | Should -Be 'backupSqlInstance.Password'
        $err[0].Exception.Message | Should -Match 'must not contain a password'
        $err[0].Exception.Message | Should -Not -Match 'hunter2'
    }

    It 'refuses a SQL instance whose port is not a port' {
        $err = $null
        $null = New-PCFailoverRequest -PoolFqdn 'p' -BackupSqlInstance 'sqlbackup,99999' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Data['Problems'][0].Field | Should -Be 'backupSqlInstance.port'
    }

    It 'refuses a request file that is neither .json nor .psd1, and one that does not exist' {
        $path = Write-TestFile (Join-Path $TestDrive 'pool.txt') 'x'
        $err = $null
        $null = New-PCFailoverRequest -RequestPath $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'neither .json nor .psd1'
        $err = $null
        $null = New-PCFailoverRequest -RequestPath (Join-Path $TestDrive 'nope.json') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'does not exist'
    }
}

Describe 'Pipeline input by property name' {
    It 'builds one request per CSV row, blank cells counting as not given' {
        $csv = Write-TestFile (Join-Path $TestDrive 'pools.csv') @'
PoolFqdn,BackupSqlInstance,BackupMirrorSqlInstance,ActiveServer,CopyParallelism
a.contoso.com,sqlb-a\PC,,pc3a;pc4a,
b.contoso.com,sqlb-b,sqlm-b,pc3b,3
'@
        $requests = @(Import-Csv -LiteralPath $csv | New-PCFailoverRequest)
        $requests | Should -HaveCount 2
        $requests[0].poolFqdn | Should -Be 'a.contoso.com'
        $requests[0].backupSqlInstance.instance | Should -Be 'PC'
        $requests[0].PSObject.Properties['backupMirrorSqlInstance'] | Should -BeNullOrEmpty
        $requests[0].lync.activeServers | Should -Be @('pc3a', 'pc4a')
        $requests[0].PSObject.Properties['options'] | Should -BeNullOrEmpty
        $requests[1].backupMirrorSqlInstance.server | Should -Be 'sqlm-b'
        $requests[1].options.copyParallelism | Should -Be 3
    }

    It 'never takes AcceptDataLoss from the pipeline' {
        $row = [pscustomobject]@{ PoolFqdn = 'a'; BackupSqlInstance = 'b'; AcceptDataLoss = 'True' }
        $request = $row | New-PCFailoverRequest
        $request.PSObject.Properties['options'] | Should -BeNullOrEmpty
        $parameter = (Get-Command Invoke-PCFailover).Parameters['AcceptDataLoss']
        @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipelineByPropertyName }) | Should -HaveCount 0
    }

    It 'binds request files from Get-ChildItem by FullName' {
        $dir = Join-Path $TestDrive 'requests'
        $null = New-Item -ItemType Directory -Path $dir
        $null = New-PCFailoverRequest -PoolFqdn 'one.contoso.com' -BackupSqlInstance 'b' -OutFile (Join-Path $dir 'one.json')
        $null = New-PCFailoverRequest -PoolFqdn 'two.contoso.com' -BackupSqlInstance 'b' -OutFile (Join-Path $dir 'two.psd1')
        $pools = @(Get-ChildItem -LiteralPath $dir | Sort-Object Name | New-PCFailoverRequest | ForEach-Object { $_.poolFqdn })
        $pools | Should -Be @('one.contoso.com', 'two.contoso.com')
    }

    It 'takes a request object by value' {
        $request = New-PCFailoverRequest -PoolFqdn 'obj.contoso.com' -BackupSqlInstance 'b'
        $copy = $request | New-PCFailoverRequest -Database 'mgc2'
        $copy.poolFqdn | Should -Be 'obj.contoso.com'
        $copy.database | Should -Be 'mgc2'
    }
}

Describe 'The standard-input envelope' {
    It 'carries the password for every instance, and the request carries none' {
        InModuleScope PCFailover {
            $secure = ConvertTo-SecureString 'Env3lope!' -AsPlainText -Force
            $credential = New-Object System.Management.Automation.PSCredential ('pcfo', $secure)
            $resolved = Resolve-PCRequest -ParameterSetName 'Parameters' -BoundParameter @{ PoolFqdn = 'p'; BackupSqlInstance = 'b'; PrimarySqlInstance = 'p1'; Credential = $credential }
            $bytes = New-PCRequestEnvelope -Request $resolved.Request -Credential $credential
            $envelope = [System.Text.Encoding]::UTF8.GetString($bytes) | ConvertFrom-Json
            $envelope.passwords.backupSqlInstance | Should -Be 'Env3lope!'
            $envelope.passwords.primarySqlInstance | Should -Be 'Env3lope!'
            @($envelope.passwords.PSObject.Properties).Count | Should -Be 2
            (ConvertTo-PCJson -InputObject $envelope.request) | Should -Not -Match 'Env3lope'
            $envelope.request.backupSqlInstance.user | Should -Be 'pcfo'
        }
    }

    It 'is pure ASCII JSON whatever the text' {
        InModuleScope PCFailover {
            $json = ConvertTo-PCJson -InputObject ([ordered]@{ name = "caf$([char]0xE9) `"q`" \ `t"; n = 3; ok = $true; list = @(1, 'a'); none = $null; empty = @() })
            $json | Should -Be '{"name":"caf\u00e9 \"q\" \\ \t","n":3,"ok":true,"list":[1,"a"],"none":null,"empty":[]}'
        }
    }
}

Describe '-PathMap (request field pathMap)' {
    It 'writes a hashtable as pathMap entries sorted by prefix, the same every time' {
        $map = @{ 'F:\Data' = '\\SQLPCBAK\F$\Data'; 'E:\LSCopy' = '\\SQLPCBAK\E$\LSCopy'; '\\SQLPCPRI\LogShip' = '\\sqlpcpri.contoso.com\LogShip' }
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -PathMap $map
        @($request.pathMap | ForEach-Object { $_.from }) | Should -Be @('E:\LSCopy', 'F:\Data', '\\SQLPCPRI\LogShip')
        @($request.pathMap | ForEach-Object { $_.to }) | Should -Be @('\\SQLPCBAK\E$\LSCopy', '\\SQLPCBAK\F$\Data', '\\sqlpcpri.contoso.com\LogShip')
        $request.pathMap[0].PSObject.TypeNames[0] | Should -Be 'PCFailover.PathMapEntry'
        $path = Join-Path $TestDrive 'map.json'
        $null = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -PathMap $map -RunDirectory (Join-Path $TestDrive 'run') -OutFile $path
        $json = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
        @($json.pathMap | ForEach-Object { '{0}={1}' -f $_.from, $_.to }) | Should -Be @('E:\LSCopy=\\SQLPCBAK\E$\LSCopy', 'F:\Data=\\SQLPCBAK\F$\Data', '\\SQLPCPRI\LogShip=\\sqlpcpri.contoso.com\LogShip')
        # pathMap sits where the binary's schema puts it: after runDirectory.
        @($json.PSObject.Properties | ForEach-Object { $_.Name }) | Should -Be @('schemaVersion', 'poolFqdn', 'backupSqlInstance', 'runDirectory', 'pathMap')
    }

    It 'keeps the order of an [ordered] map, and takes objects with From and To from the pipeline' {
        $ordered = [ordered]@{ 'Z:\Last' = '/z'; 'A:\First' = '/a' }
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -PathMap $ordered
        @($request.pathMap | ForEach-Object { $_.from }) | Should -Be @('Z:\Last', 'A:\First')
        $row = [pscustomobject]@{ PoolFqdn = 'p.contoso.com'; BackupSqlInstance = 'b'; PathMap = @([pscustomobject]@{ From = 'E:\LSCopy'; To = '/lab/E/LSCopy' }) }
        $fromPipe = $row | New-PCFailoverRequest
        $fromPipe.pathMap[0].from | Should -Be 'E:\LSCopy'
        $fromPipe.pathMap[0].to | Should -Be '/lab/E/LSCopy'
        $single = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -PathMap @{ From = 'E:\'; To = '/e' }
        @($single.pathMap).Count | Should -Be 1
        $single.pathMap[0].from | Should -Be 'E:\'
    }

    It 'reads a CSV column E:\x=\\host\x;... ' {
        $csv = Join-Path $TestDrive 'pools-map.csv'
        Set-Content -LiteralPath $csv -Value @('PoolFqdn,BackupSqlInstance,PathMap', 'p.contoso.com,b,"E:\LSCopy=\\SQLPCBAK\E$\LSCopy; \\SQLPCPRI\LogShip=\\SQLPCPRI.contoso.com\LogShip"')
        $request = Import-Csv -LiteralPath $csv | New-PCFailoverRequest
        @($request.pathMap | ForEach-Object { '{0}={1}' -f $_.from, $_.to }) | Should -Be @('E:\LSCopy=\\SQLPCBAK\E$\LSCopy', '\\SQLPCPRI\LogShip=\\SQLPCPRI.contoso.com\LogShip')
    }

    It 'reads pathMap back from .json and .psd1 files, and round-trips it through both' {
        $psd1 = Write-TestFile (Join-Path $TestDrive 'map-in.psd1') @'
@{
    PoolFqdn = 'p.contoso.com'
    BackupSqlInstance = 'b'
    PathMap = @(
        @{ From = 'E:\LSCopy'; To = '\\SQLPCBAK\E$\LSCopy' }
        @{ from = '\\SQLPCPRI\LogShip'; to = '\\SQLPCPRI.contoso.com\LogShip' }
    )
}
'@
        $fromPsd1 = New-PCFailoverRequest -RequestPath $psd1
        @($fromPsd1.pathMap | ForEach-Object { $_.from }) | Should -Be @('E:\LSCopy', '\\SQLPCPRI\LogShip')
        $asMap = Write-TestFile (Join-Path $TestDrive 'map-hash.psd1') "@{ PoolFqdn = 'p'; BackupSqlInstance = 'b'; pathMap = @{ 'E:\LSCopy' = '\\SQLPCBAK\E$\LSCopy' } }"
        (New-PCFailoverRequest -RequestPath $asMap).pathMap[0].to | Should -Be '\\SQLPCBAK\E$\LSCopy'
        $json = Join-Path $TestDrive 'map-out.json'
        $psd1Out = Join-Path $TestDrive 'map-out.psd1'
        $null = New-PCFailoverRequest -RequestPath $psd1 -OutFile $json
        $null = New-PCFailoverRequest -RequestPath $json -OutFile $psd1Out
        $again = New-PCFailoverRequest -RequestPath $psd1Out
        @($again.pathMap | ForEach-Object { '{0}={1}' -f $_.from, $_.to }) | Should -Be @('E:\LSCopy=\\SQLPCBAK\E$\LSCopy', '\\SQLPCPRI\LogShip=\\SQLPCPRI.contoso.com\LogShip')
        # A request object piped on keeps its map; -PathMap given with a file replaces it.
        (New-PCFailoverRequest -RequestPath $json | New-PCFailoverRequest).pathMap.Count | Should -Be 2
        @((New-PCFailoverRequest -RequestPath $json -PathMap @{ 'G:\' = '/g' }).pathMap).Count | Should -Be 1
    }

    It 'refuses a prefix given twice (case-insensitively) and an entry without its other half, naming the field' {
        $request = New-PCFailoverRequest -PoolFqdn 'p' -BackupSqlInstance 'b' -PathMap @([pscustomobject]@{ From = 'E:\LSCopy'; To = '/a' }, [pscustomobject]@{ From = 'e:\lscopy'; To = '/b' }, [pscustomobject]@{ From = 'F:\' }) -ErrorAction SilentlyContinue -ErrorVariable problems
        $request | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'PCFailover.InvalidRequest*'
        $fields = @($problems[0].Exception.Data['Problems'] | ForEach-Object { $_.Field })
        $fields | Should -Contain 'pathMap[1].from'
        $fields | Should -Contain 'pathMap[2].to'
        $problems[0].ErrorDetails.RecommendedAction | Should -Match 'pathMap\[2\]\.to: give a hashtable'
        $bad = New-PCFailoverRequest -PoolFqdn 'p' -BackupSqlInstance 'b' -PathMap 'E:\LSCopy' -ErrorAction SilentlyContinue -ErrorVariable textProblems
        $bad | Should -BeNullOrEmpty
        @($textProblems[0].Exception.Data['Problems'] | ForEach-Object { $_.Field }) | Should -Contain 'pathMap'
    }

    It 'leaves the checking of each path to the binary, whose errors surface as PCFailover.InvalidRequest' -Skip:([System.IO.Path]::DirectorySeparatorChar -eq '\') {
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance '127.0.0.1,1' -PathMap @{ 'relative\path' = '/tmp' } -RunDirectory (Join-Path $TestDrive 'run-bad-map')
        $request | Get-PCFailoverPlan -ErrorAction SilentlyContinue -ErrorVariable planErrors | Should -BeNullOrEmpty
        $planErrors.Count | Should -BeGreaterThan 0
        $planErrors[0].FullyQualifiedErrorId | Should -BeLike 'PCFailover.InvalidRequest*'
        ($planErrors | ForEach-Object { "$_" }) -join ' ' | Should -Match 'pathMap'
    }
}

Describe 'The drill and status sections on New-PCFailoverRequest' {
    It 'writes the drill section (SQL Server''s paths as written) and the status thresholds' {
        $request = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -FullBackup '\\SQLPCPRI\LogShip\mgc_full.bak' -ScratchDirectory 'E:\DrillScratch' -SkipCheckDb -DrillHistoryFile (Join-Path $TestDrive 'h.jsonl') -RpoWarningMinutes 10 -RpoCriticalMinutes 20 -RestoreWarningMinutes 30 -RestoreCriticalMinutes 40 -FilesWaitingWarning 5
        $request.drill.fullBackup | Should -Be '\\SQLPCPRI\LogShip\mgc_full.bak'
        $request.drill.scratchDirectory | Should -Be 'E:\DrillScratch'
        $request.drill.skipCheckDb | Should -BeTrue
        $request.drill.historyFile | Should -Be (Join-Path $TestDrive 'h.jsonl')
        @($request.status.PSObject.Properties | ForEach-Object { '{0}={1}' -f $_.Name, $_.Value }) | Should -Be @('rpoWarningMinutes=10', 'rpoCriticalMinutes=20', 'restoreWarningMinutes=30', 'restoreCriticalMinutes=40', 'filesWaitingWarning=5')
    }

    It 'keeps the other fields of a file''s sections when one is given, and reads thresholds from a CSV' {
        $path = Join-Path $TestDrive 'sections.json'
        $null = New-PCFailoverRequest -PoolFqdn 'p.contoso.com' -BackupSqlInstance 'b' -ScratchDirectory 'E:\S' -RpoWarningMinutes 10 -OutFile $path
        $changed = New-PCFailoverRequest -RequestPath $path -SkipCheckDb -RpoCriticalMinutes 90
        $changed.drill.scratchDirectory | Should -Be 'E:\S'
        $changed.drill.skipCheckDb | Should -BeTrue
        $changed.status.rpoWarningMinutes | Should -Be 10
        $changed.status.rpoCriticalMinutes | Should -Be 90
        $csv = Join-Path $TestDrive 'thresholds.csv'
        Set-Content -LiteralPath $csv -Value @('PoolFqdn,BackupSqlInstance,RpoCriticalMinutes,ScratchDirectory', 'p.contoso.com,b,25,', 'q.contoso.com,b,,F:\Scratch')
        $rows = @(Import-Csv -LiteralPath $csv | New-PCFailoverRequest)
        $rows[0].status.rpoCriticalMinutes | Should -Be 25
        $rows[0].PSObject.Properties['drill'] | Should -BeNullOrEmpty
        $rows[1].PSObject.Properties['status'] | Should -BeNullOrEmpty
        $rows[1].drill.scratchDirectory | Should -Be 'F:\Scratch'
    }

    It 'refuses a negative threshold, naming the field' {
        $null = New-PCFailoverRequest -PoolFqdn 'p' -BackupSqlInstance 'b' -RpoWarningMinutes -5 -ErrorAction SilentlyContinue -ErrorVariable problems
        @($problems[0].Exception.Data['Problems'] | ForEach-Object { $_.Field }) | Should -Contain 'status.rpoWarningMinutes'
    }
}
