package lync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"pcfailover/pshost"
)

// The objects the Lync cmdlets return, as pshost converts them (ConvertTo-Json). Only the
// properties the steps use are decoded. Property names beyond Identity and PoolState are
// not documented by Microsoft (ref §1.4, §1.5 [U]); these are the ones LyncSim returns
// (module/LyncSim/README.md, "Objects").

// poolState is a PoolState value: ConvertTo-Json writes the enum as a number (Normal = 0,
// FailedOver = 1, the documented order of ref §1.1, which LyncSim follows); a string
// form is accepted too.
type poolState string

const (
	stateNormal     poolState = "Normal"
	stateFailedOver poolState = "FailedOver"
)

func (p *poolState) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*p = ""
	case bytes.Equal(b, []byte("0")):
		*p = stateNormal
	case bytes.Equal(b, []byte("1")):
		*p = stateFailedOver
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch {
		case strings.EqualFold(s, string(stateNormal)):
			*p = stateNormal
		case strings.EqualFold(s, string(stateFailedOver)):
			*p = stateFailedOver
		default:
			return fmt.Errorf("unknown PoolState %q", s)
		}
	default:
		return fmt.Errorf("unknown PoolState %s", b)
	}
	return nil
}

// text is a string property that may come as a JSON string, number, boolean or null.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*t = ""
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case '{', '[':
		return fmt.Errorf("expected a string, got %.80s", b)
	default:
		*t = text(b)
	}
	return nil
}

// texts is a list property: null, one string, or an array of strings.
type texts []string

func (ts *texts) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var raw []text
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		out := make([]string, 0, len(raw))
		for _, r := range raw {
			if r != "" {
				out = append(out, string(r))
			}
		}
		*ts = out
		return nil
	}
	var one text
	if err := one.UnmarshalJSON(b); err != nil {
		return err
	}
	*ts = nil
	if one != "" {
		*ts = texts{string(one)}
	}
	return nil
}

// chatState is a PersistentChatState (Get-CsPersistentChatState, ref §1.2).
type chatState struct {
	Identity  text      `json:"Identity"`
	PoolState poolState `json:"PoolState"`
	PoolFqdn  text      `json:"PoolFqdn"`
}

// pool returns the pool FQDN the object is about: PoolFqdn when present, else the FQDN
// at the end of the identity.
func (c chatState) pool() string {
	if c.PoolFqdn != "" {
		return string(c.PoolFqdn)
	}
	return identityFQDN(string(c.Identity))
}

// chatService is Get-CsService -PersistentChatServer's object (ref §1.5).
type chatService struct {
	Identity                     text  `json:"Identity"`
	PoolFqdn                     text  `json:"PoolFqdn"`
	PersistentChatDatabase       text  `json:"PersistentChatDatabase"`
	PersistentChatBackupDatabase text  `json:"PersistentChatBackupDatabase"`
	ActiveServers                texts `json:"ActiveServers"`
	InactiveServers              texts `json:"InactiveServers"`
}

func (c chatService) pool() string {
	if c.PoolFqdn != "" {
		return string(c.PoolFqdn)
	}
	return identityFQDN(string(c.Identity))
}

// storeService is Get-CsService -PersistentChatDatabase's object: one SQL Server store.
type storeService struct {
	Identity              text  `json:"Identity"`
	PoolFqdn              text  `json:"PoolFqdn"`
	SQLInstanceName       text  `json:"SqlInstanceName"`
	MirrorSQLServerFqdn   text  `json:"MirrorSqlServerFqdn"`
	MirrorSQLInstanceName text  `json:"MirrorSqlInstanceName"`
	IsBackup              *bool `json:"IsBackup"`
}

func (s storeService) server() string {
	if s.PoolFqdn != "" {
		return string(s.PoolFqdn)
	}
	return identityFQDN(string(s.Identity))
}

// poolObject is Get-CsPool's object (ref §1.6).
type poolObject struct {
	Identity  text  `json:"Identity"`
	Fqdn      text  `json:"Fqdn"`
	Computers texts `json:"Computers"`
}

// mirrorState is Get-CsDatabaseMirrorState's object (ref §1.10).
type mirrorState struct {
	DatabaseName               text `json:"DatabaseName"`
	StateOnPrimary             text `json:"StateOnPrimary"`
	StateOnMirror              text `json:"StateOnMirror"`
	MirroringStatusOnPrimary   text `json:"MirroringStatusOnPrimary"`
	MirroringStatusOnSecondary text `json:"MirroringStatusOnSecondary"`
}

// installed reports whether the database is mirrored: the principal side says Principal.
// "DatabaseInaccessibleOrMirroringNotEnabled typically means that no mirror database has
// been assigned" (ref §1.10).
func (m mirrorState) installed() bool {
	return strings.EqualFold(string(m.StateOnPrimary), "Principal")
}

func (m mirrorState) String() string {
	return fmt.Sprintf("%s: StateOnPrimary %s, StateOnMirror %s, MirroringStatusOnPrimary %s, MirroringStatusOnSecondary %s",
		m.DatabaseName, orNone(string(m.StateOnPrimary)), orNone(string(m.StateOnMirror)),
		orNone(string(m.MirroringStatusOnPrimary)), orNone(string(m.MirroringStatusOnSecondary)))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// decodeAll decodes every output object of res as a T.
func decodeAll[T any](name string, res *pshost.Result) ([]T, error) {
	if res == nil {
		return nil, nil
	}
	out := make([]T, 0, len(res.Output))
	for i, raw := range res.Output {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("%s: output object %d: %w", name, i+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// identityFQDN returns the FQDN an identity names: the text after its last colon,
// trimmed. "service:PersistentChatServer:pc.contoso.com", "PersistentChatServer:pc.contoso.com",
// "service: pc.contoso.com" and "pc.contoso.com" all name pc.contoso.com (ref §0.4).
func identityFQDN(id string) string {
	id = strings.TrimSpace(id)
	if i := strings.LastIndexByte(id, ':'); i >= 0 {
		id = id[i+1:]
	}
	return strings.TrimSpace(id)
}

// sameName compares DNS names (and identities) ignoring case and a trailing dot.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(a), "."), strings.TrimSuffix(strings.TrimSpace(b), "."))
}
