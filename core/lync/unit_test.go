package lync

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pcfailover/core/request"
	"pcfailover/pshost"
)

var testDCs = map[string]string{
	"pc1.contoso.com": "DC1", "pc2.contoso.com": "DC1",
	"PC3.contoso.com": "DC2", "pc4.contoso.com": "DC2",
}

var testComputers = []string{"pc1.contoso.com", "pc2.contoso.com", "pc3.contoso.com", "pc4.contoso.com", "pc5.contoso.com"}

func TestCheckPlacement(t *testing.T) {
	tests := []struct {
		name      string
		requested []string
		computers []string
		dcs       map[string]string
		target    string
		allow     bool
		servers   []string
		refusals  []string // substrings, one per refusal
		notes     int
	}{
		{name: "servers in the backup data center pass", requested: []string{"pc3.contoso.com", "pc4.contoso.com"},
			computers: testComputers, dcs: testDCs, target: "DC2", servers: []string{"pc3.contoso.com", "pc4.contoso.com"}},
		{name: "names compare ignoring case and a trailing dot; duplicates collapse", requested: []string{"PC4.CONTOSO.COM.", "pc4.contoso.com", "pc3.contoso.com"},
			computers: testComputers, dcs: testDCs, target: "DC2", servers: []string{"pc4.contoso.com", "pc3.contoso.com"}},
		{name: "a server in the old primary's data center is refused", requested: []string{"pc1.contoso.com", "pc3.contoso.com"},
			computers: testComputers, dcs: testDCs, target: "DC2", servers: []string{"pc1.contoso.com", "pc3.contoso.com"},
			refusals: []string{"pc1.contoso.com is in DC1, not in the new primary's data center DC2"}},
		{name: "allowCrossDataCenter lets it through with a note", requested: []string{"pc1.contoso.com"},
			computers: testComputers, dcs: testDCs, target: "DC2", allow: true, servers: []string{"pc1.contoso.com"}, notes: 1},
		{name: "a server without a data center is refused", requested: []string{"pc5.contoso.com"},
			computers: testComputers, dcs: testDCs, target: "DC2", servers: []string{"pc5.contoso.com"},
			refusals: []string{"pc5.contoso.com has no data center"}},
		{name: "a server outside the pool is refused even when cross-DC is allowed", requested: []string{"fe01.contoso.com"},
			computers: testComputers, dcs: testDCs, target: "DC2", allow: true, servers: []string{"fe01.contoso.com"},
			refusals: []string{"not a Persistent Chat server of the pool"}},
		{name: "no backup data center named: refused", requested: []string{"pc3.contoso.com"},
			computers: testComputers, dcs: testDCs, servers: []string{"pc3.contoso.com"},
			refusals: []string{"lync.backupDataCenter is not set"}},
		{name: "none requested: the pool's computers in the backup data center", computers: testComputers, dcs: testDCs, target: "DC2",
			servers: []string{"pc3.contoso.com", "pc4.contoso.com"}},
		{name: "none requested and no map: refused", computers: testComputers, target: "DC2",
			refusals: []string{"no active servers are requested"}},
		{name: "none requested and nobody in the data center: refused", computers: testComputers, dcs: testDCs, target: "DC9",
			refusals: []string{"no computer of the pool"}},
		{name: "more than four: refused", requested: []string{"a.x", "b.x", "c.x", "d.x", "e.x"},
			dcs: map[string]string{"a.x": "D", "b.x": "D", "c.x": "D", "d.x": "D", "e.x": "D"}, target: "D",
			servers: []string{"a.x", "b.x", "c.x", "d.x", "e.x"}, refusals: []string{"at most 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := checkPlacement(tt.requested, tt.computers, tt.dcs, tt.target, tt.allow)
			if diff := cmp.Diff(tt.servers, p.Servers); diff != "" {
				t.Errorf("servers (-want +got):\n%s", diff)
			}
			if len(p.Refusals) != len(tt.refusals) {
				t.Fatalf("refusals %q, want %d like %q", p.Refusals, len(tt.refusals), tt.refusals)
			}
			for i, want := range tt.refusals {
				if !strings.Contains(p.Refusals[i], want) {
					t.Errorf("refusal %q does not say %q", p.Refusals[i], want)
				}
			}
			if len(p.Notes) != tt.notes {
				t.Errorf("notes %q, want %d", p.Notes, tt.notes)
			}
		})
	}
}

func TestIdentityFQDN(t *testing.T) {
	// The forms of ref §0.4: each names the pool.
	for _, id := range []string{
		"service:PersistentChatServer:pchat.contoso.com",
		"PersistentChatServer:pchat.contoso.com",
		"service:pchat.contoso.com",
		"service: pchat.contoso.com",
		"pchat.contoso.com",
	} {
		if got := identityFQDN(id); got != "pchat.contoso.com" {
			t.Errorf("identityFQDN(%q) = %q", id, got)
		}
	}
	if got := identityFQDN("global"); got != "global" {
		t.Errorf("identityFQDN(global) = %q", got)
	}
}

// The objects as LyncSim returns them through ConvertTo-Json (captured from pwsh).
const (
	lyncSimStates   = `{"Identity":"service:PersistentChatServer:pchat.contoso.com","PoolState":0,"PoolFqdn":"pchat.contoso.com"}`
	lyncSimService  = `{"Identity":"PersistentChatServer:pchat.contoso.com","PersistentChatDatabase":"PersistentChatStore:sql1.contoso.com","PersistentChatBackupDatabase":"PersistentChatStore:sql2.contoso.com","PersistentChatComplianceDatabase":null,"PersistentChatBackupComplianceDatabase":null,"Registrar":"Registrar:fe01.contoso.com","ActiveServers":["pc1.contoso.com","pc2.contoso.com"],"InactiveServers":["pc3.contoso.com","pc4.contoso.com"],"CommPort":8011,"DependentServiceList":[],"ServiceId":"1-PersistentChatServer-1","SiteId":"Site:Redmond","PoolFqdn":"pchat.contoso.com","Version":6,"Role":"PersistentChatServer"}`
	lyncSimStore    = `{"Identity":"PersistentChatStore:sql2.contoso.com","IsSqlBackendClusters":false,"SqlInstanceName":"rtc","MirrorSqlServerFqdn":"sql2m.contoso.com","MirrorSqlInstanceName":"rtc","IsBackup":true,"DependentServiceList":["PersistentChatServer:pchat.contoso.com"],"ServiceId":"1-PersistentChatStore-2","SiteId":"Site:Redmond","PoolFqdn":"sql2.contoso.com","Version":6,"Role":"PersistentChatStore"}`
	lyncSimPool     = `{"Identity":"pchat.contoso.com","Services":["PersistentChatServer:pchat.contoso.com"],"Computers":["pc1.contoso.com","pc2.contoso.com","pc3.contoso.com","pc4.contoso.com"],"Fqdn":"pchat.contoso.com","Site":"Site:Redmond"}`
	lyncSimMirror   = `{"DatabaseName":"mgc","StateOnPrimary":"Principal","StateOnMirror":"Mirror","MirroringStatusOnPrimary":"Synchronized","MirroringStatusOnSecondary":"Synchronized"}`
	lyncSimNoMirror = `{"DatabaseName":"mgc","StateOnPrimary":"DatabaseInaccessibleOrMirroringNotEnabled","StateOnMirror":"DatabaseInaccessibleOrMirroringNotEnabled","MirroringStatusOnPrimary":"","MirroringStatusOnSecondary":""}`
)

func result(objs ...string) *pshost.Result {
	r := &pshost.Result{}
	for _, o := range objs {
		r.Output = append(r.Output, json.RawMessage(o))
	}
	return r
}

func TestDecodeLyncSimObjects(t *testing.T) {
	states, err := decodeAll[chatState]("x", result(lyncSimStates, `{"Identity":"service:PersistentChatServer:other.contoso.com","PoolState":1}`, "null"))
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 2 || states[0].PoolState != stateNormal || states[0].pool() != "pchat.contoso.com" ||
		states[1].PoolState != stateFailedOver || states[1].pool() != "other.contoso.com" {
		t.Fatalf("states %+v", states)
	}
	svc, err := decodeAll[chatService]("x", result(lyncSimService))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"pc1.contoso.com", "pc2.contoso.com"}, []string(svc[0].ActiveServers)); diff != "" || svc[0].PersistentChatBackupDatabase != "PersistentChatStore:sql2.contoso.com" {
		t.Fatalf("service %+v %s", svc[0], diff)
	}
	st, err := decodeAll[storeService]("x", result(lyncSimStore))
	if err != nil || st[0].server() != "sql2.contoso.com" || st[0].SQLInstanceName != "rtc" || st[0].MirrorSQLServerFqdn != "sql2m.contoso.com" || !*st[0].IsBackup {
		t.Fatalf("store %+v %v", st, err)
	}
	pools, err := decodeAll[poolObject]("x", result(lyncSimPool))
	if err != nil || len(pools[0].Computers) != 4 {
		t.Fatalf("pool %+v %v", pools, err)
	}
	ms, err := decodeAll[mirrorState]("x", result(lyncSimMirror, lyncSimNoMirror))
	if err != nil || !ms[0].installed() || ms[1].installed() {
		t.Fatalf("mirror %+v %v", ms, err)
	}
}

func TestDecodeVariants(t *testing.T) {
	tests := []struct {
		json    string
		state   poolState
		servers []string
		wantErr bool
	}{
		{json: `{"PoolState":"FailedOver","ActiveServers":"pc3.contoso.com"}`, state: stateFailedOver, servers: []string{"pc3.contoso.com"}},
		{json: `{"PoolState":"normal","ActiveServers":null}`, state: stateNormal},
		{json: `{"PoolState":1,"ActiveServers":[]}`, state: stateFailedOver, servers: []string{}},
		{json: `{"PoolState":7}`, wantErr: true},
		{json: `{"PoolState":"Degraded"}`, wantErr: true},
		{json: `{"Identity":{"ScopeClass":"Service"}}`, wantErr: true},
	}
	type both struct {
		Identity      text      `json:"Identity"`
		PoolState     poolState `json:"PoolState"`
		ActiveServers texts     `json:"ActiveServers"`
	}
	for _, tt := range tests {
		var b both
		err := json.Unmarshal([]byte(tt.json), &b)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error %v, want error %v", tt.json, err, tt.wantErr)
			continue
		}
		if err == nil && (b.PoolState != tt.state || !cmp.Equal([]string(b.ActiveServers), tt.servers, cmp.Comparer(func(a, b []string) bool { return len(a) == len(b) && strings.Join(a, ",") == strings.Join(b, ",") }))) {
			t.Errorf("%s: got %+v", tt.json, b)
		}
	}
}

func TestCommandText(t *testing.T) {
	tests := []struct {
		cmd    command
		text   string
		params map[string]string
	}{
		{cmd: command{name: cmdSetState, args: []arg{strArg("Identity", "service:PersistentChatServer:pchat.contoso.com"), enumArg("PoolState", "FailedOver"), switchArg("Confirm", false)}},
			text:   `Set-CsPersistentChatState -Identity 'service:PersistentChatServer:pchat.contoso.com' -PoolState FailedOver -Confirm:$false`,
			params: map[string]string{"Identity": "service:PersistentChatServer:pchat.contoso.com", "PoolState": "FailedOver", "Confirm": "$false"}},
		{cmd: command{name: cmdGetService, args: []arg{switchArg("PersistentChatServer", true)}},
			text: `Get-CsService -PersistentChatServer`, params: map[string]string{"PersistentChatServer": "$true"}},
		{cmd: command{name: cmdSetActive, args: []arg{strArg("Identity", "PersistentChatServer:p.x"), replaceArg("ActiveServers", []string{"a.x", "b.x"})}},
			text:   `Set-CsPersistentChatActiveServer -Identity 'PersistentChatServer:p.x' -ActiveServers @{Replace='a.x','b.x'}`,
			params: map[string]string{"Identity": "PersistentChatServer:p.x", "ActiveServers": "@{Replace='a.x','b.x'}"}},
		// Quotes of every kind are doubled in the report text (it is never executed).
		{cmd: command{name: cmdInstallMirror, args: []arg{strArg("FileShare", "\\\\fs\\it's \u2018x\u2019")}},
			text: "Install-CsMirrorDatabase -FileShare '\\\\fs\\it''s \u2018\u2018x\u2019\u2019'", params: map[string]string{"FileShare": "\\\\fs\\it's \u2018x\u2019"}},
		{cmd: command{name: cmdGetState}, text: "Get-CsPersistentChatState"},
	}
	for _, tt := range tests {
		if got := tt.cmd.text(); got != tt.text {
			t.Errorf("text\n got %s\nwant %s", got, tt.text)
		}
		if diff := cmp.Diff(tt.params, tt.cmd.parameters()); diff != "" {
			t.Errorf("%s parameters (-want +got):\n%s", tt.text, diff)
		}
		pc := tt.cmd.pshost()
		if pc.Name != tt.cmd.name || len(pc.Parameters) != len(tt.cmd.args) {
			t.Errorf("pshost command %+v", pc)
		}
	}
}

func TestIsUNC(t *testing.T) {
	for s, want := range map[string]bool{
		`\\fs.contoso.com\pchat`: true, `\\fs\share\sub`: true, `\\fs\`: false, `\\fs`: false,
		`C:\share`: false, `/tmp/share`: false, `\\?\C:\x`: false, `\\.\pipe\x`: false, ``: false,
	} {
		if got := isUNC(s); got != want {
			t.Errorf("isUNC(%q) = %v", s, got)
		}
	}
}

func TestSameSet(t *testing.T) {
	if !sameSet([]string{"A.x", "b.x."}, []string{"b.x", "a.x", "a.X"}) {
		t.Error("equal sets differ")
	}
	if sameSet([]string{"a.x"}, []string{"a.x", "b.x"}) || sameSet(nil, []string{"a.x"}) {
		t.Error("different sets equal")
	}
}

func TestMirrorMismatchNote(t *testing.T) {
	b := backupStore{server: "sql2.contoso.com", instance: "rtc", mirrorServer: "sql2m.contoso.com", mirrorInstance: "rtc"}
	for server, wantNote := range map[string]bool{
		"":                  false,
		"127.0.0.1":         false, // an address (the lab) cannot be compared
		"sql2m.contoso.com": false,
		"SQL2M.contoso.com": false,
		"sql2m":             false, // a host name without a domain
		"sql9m.contoso.com": true,
	} {
		r := &Runner{req: &request.Request{BackupMirrorSQLInstance: &request.SQLInstance{Server: server}}}
		if got := r.mirrorMismatch(b); (got != "") != wantNote {
			t.Errorf("%q: note %q", server, got)
		}
	}
}

// Closing a Runner while PowerShell is still starting neither hangs nor leaks (TestMain
// checks for leaked goroutines).
func TestCloseDuringWarmUp(t *testing.T) {
	pwsh := findPwsh()
	if pwsh == "" {
		t.Skip("pwsh not found")
	}
	r, err := New(Config{Request: &request.Request{PoolFQDN: "pchat.contoso.com"}, Executable: pwsh})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), "lync-pool-state"); err == nil {
		t.Fatal("Run after Close succeeded")
	}
}
