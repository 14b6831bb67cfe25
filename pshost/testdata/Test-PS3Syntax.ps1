# Reports PowerShell syntax that Windows PowerShell 3.0 cannot run, one line per finding
# ("file:line: what"), by walking the AST that PowerShell 7's parser builds. Used by
# pshost's TestScriptsUseOnlyPS3Syntax.
param([Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)][string[]]$Path)
$ErrorActionPreference = 'Stop'
foreach ($p in $Path) {
    $tokens = $null
    $parseErrors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($p, [ref]$tokens, [ref]$parseErrors)
    foreach ($e in $parseErrors) { '{0}:{1}: parse error: {2}' -f $p, $e.Extent.StartLineNumber, $e.Message }
    $found = $ast.FindAll({ param($n) $true }, $true)
    foreach ($n in $found) {
        $why = $null
        $type = $n.GetType().Name
        if ($type -eq 'TypeDefinitionAst') { $why = 'class or enum (PS 5)' }
        elseif ($type -eq 'UsingStatementAst') { $why = 'using statement (PS 5)' }
        elseif ($type -eq 'TernaryExpressionAst') { $why = 'ternary operator (PS 7)' }
        elseif ($type -eq 'PipelineChainAst') { $why = '&& or || (PS 7)' }
        elseif ($type -eq 'InvokeMemberExpressionAst' -and $n.Static -and [string]$n.Member -eq 'new') { $why = '::new() (PS 5)' }
        elseif (($type -eq 'MemberExpressionAst' -or $type -eq 'InvokeMemberExpressionAst') -and $n.NullConditional) { $why = 'null-conditional ?. (PS 7)' }
        elseif ($type -eq 'IndexExpressionAst' -and $n.NullConditional) { $why = 'null-conditional ?[] (PS 7)' }
        elseif ($type -eq 'BinaryExpressionAst' -and [string]$n.Operator -eq 'QuestionQuestion') { $why = '?? (PS 7)' }
        elseif ($type -eq 'AssignmentStatementAst' -and [string]$n.Operator -eq 'QuestionQuestionEquals') { $why = '??= (PS 7)' }
        elseif ($type -eq 'CommandParameterAst' -and @('Parallel', 'AsHashtable') -contains $n.ParameterName) { $why = ('-' + $n.ParameterName + ' (PS 6+)') }
        elseif ($type -eq 'VariableExpressionAst' -and @('IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR') -contains $n.VariablePath.UserPath) { $why = ('$' + $n.VariablePath.UserPath + ' (PS 6+)') }
        if ($why -ne $null) { '{0}:{1}: {2}' -f $p, $n.Extent.StartLineNumber, $why }
    }
}
