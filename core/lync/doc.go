// Package lync runs the Lync half of the Persistent Chat failover, runbook steps 5-7
// (../shared/docs/reference/lync-persistent-chat.md §2.1), through one persistent
// PowerShell process (pcfailover/pshost):
//
//  5. lync-pool-state: discover the pool's identity from Get-CsPersistentChatState (and
//     Get-CsService -PersistentChatServer), set PoolState FailedOver, read it back (and,
//     when asked, from the local replica of the Central Management store, -LocalStore).
//  6. lync-mirror: Install-CsMirrorDatabase for the backup store (the new primary) whose
//     mirror the topology defines as the backup mirror, non-interactively
//     (-Confirm:$false, ref §1.8), its -Report kept in the run directory, verified with
//     Get-CsDatabaseMirrorState.
//  7. lync-active-servers: Set-CsPersistentChatActiveServer with the requested servers,
//     each checked against the operator's server-to-data-center map (the topology cannot
//     say where a server is, ref §1.3); read back from Get-CsService -PersistentChatServer
//     (there is no Get-CsPersistentChatActiveServer, ref §0.3).
//
// Every step observes first and reports already-done when its effect is there, so a
// re-run changes nothing. A mutating cmdlet is never retried: when it fails (or its
// outcome is unknown) the step reads the state back and reports done when the effect is
// there, else failed with what to do (architecture.md invariant 7). Cmdlets run by name
// with bound parameter values (invariant 4); the report lists each call exactly.
//
// The Lync module (a name or a path; SkypeForBusiness, then Lync, when not given) is
// imported by New in the background, so the import overlaps the SQL steps.
package lync
