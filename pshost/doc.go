// Package pshost runs allow-listed PowerShell commands in one long-lived PowerShell
// process, so that a slow Import-Module (Lync, SkypeForBusiness) is paid once per run.
//
// It replaces github.com/bhendo/go-powershell, which hangs on crashes and parse errors,
// ignores warnings and can be injected through curly quotes (see
// shared/docs/reference/powershell.md §1-2). The design follows that reference's §1.8:
//
//   - Launch: on Windows the 64-bit Windows PowerShell by absolute path
//     (%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe, or Sysnative from a
//     32-bit Go process); elsewhere pwsh. Arguments: -NoLogo -NoProfile -NonInteractive
//     -ExecutionPolicy Bypass -OutputFormat Text -EncodedCommand <stage 1>. Stage 1 reads
//     the real bootstrap (bootstrap.ps1, embedded) as the first stdin line. Windows: no
//     console window, and the process tree lives in a Job object that is killed with it;
//     elsewhere its own process group.
//   - Framing: every line is ASCII. Requests are base64(UTF-8 JSON); replies are
//     "<nonce> <id> <base64(UTF-8 JSON)>", where the nonce is 128 random bits sent on stdin
//     (never in argv) and invisible to commands, which run in a separate runspace. Any
//     other stdout line is stray console output: kept in the diagnostic tail, never parsed.
//     Code pages, BOMs, CR/LF and console width cannot corrupt a message.
//   - No script text is built from request data: the command must be in the allow-list
//     (checked in Go and again in the bootstrap), runs by name through
//     [PowerShell]::Create().AddCommand(name), and each parameter is rebuilt as a typed
//     .NET value and bound with AddParameter. Values use a typed JSON encoding (Value:
//     String, Int, Float, Bool, Switch, Null, Time, SecureString, Array, Hashtable,
//     ListModifier); strings travel base64-encoded so no JSON parser can reinterpret them.
//   - Replies carry the output objects converted with ConvertTo-Json -Depth
//     Config.OutputDepth (default 3; per command Command.OutputDepth, and Command.Select
//     to keep only some properties), the error records (message, FullyQualifiedErrorId,
//     category, target, exception type, terminating or not), warnings, verbose, debug and
//     information messages, and the duration.
//   - The command runspace has no host UI: a confirmation prompt or Read-Host fails
//     instead of hanging or reading the protocol. Pass -Confirm:$false (Switch(false)) to
//     destructive commands.
//   - Timeouts: PowerShell stops a command at its timeout (BeginInvoke, WaitOne, Stop) and
//     replies with what it produced so far; the process is kept. If Stop does not finish
//     within Config.StopGrace the bootstrap exits, and if no reply arrives at all Go kills
//     the process tree. Cancelling the context kills the process tree at once.
//   - A dead, killed or misbehaving process fails the command in flight with a
//     *ProcessError carrying the tail of stderr; the next Invoke starts a fresh process
//     and imports the modules again. A command is never retried: its outcome is unknown.
//
// # Usage
//
//	h, err := pshost.New(pshost.Config{
//		Modules:         []string{"Lync"},
//		AllowedCommands: []string{"Get-CsPersistentChatState", "Set-CsPersistentChatState"},
//	})
//	if err != nil { ... }
//	defer h.Close()
//	_ = h.Start(ctx) // warm up: Import-Module runs in the background
//	// ... SQL Server work ...
//	res, err := h.Invoke(ctx, pshost.Command{
//		Name: "Set-CsPersistentChatState",
//		Parameters: []pshost.Parameter{
//			{Name: "Identity", Value: pshost.String("service:atl-cs-001.litwareinc.com")},
//			{Name: "PoolState", Value: pshost.String("FailedOver")},
//			{Name: "Confirm", Value: pshost.Switch(false)},
//		},
//		Timeout: 5 * time.Minute,
//	})
//	if err != nil { ... }             // not run, timed out, or outcome unknown
//	if err := res.Err("Set-CsPersistentChatState"); err != nil { ... } // ran, wrote errors
//
// # Compatibility
//
// The bootstrap uses only Windows PowerShell 3.0 syntax and APIs (checked by parsing it
// with PowerShell's AST in the tests) and is tested for real on PowerShell 7. On Windows
// PowerShell 3.0 and 4.0, ConvertFrom-Json refuses messages over about 2 MB, so a single
// request is limited to that there; the Information stream (Write-Host) exists from 5.0.
// A [datetime] output object is an ISO 8601 string at the top level; nested ones are
// serialised by ConvertTo-Json, which differs between 5.1 ("\/Date(ms)\/") and 7 (ISO
// 8601), so project dates to strings in PowerShell when they matter.
package pshost
