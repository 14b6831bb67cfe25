package lync

import (
	"strings"

	"pcfailover/pshost"
)

// The Lync cmdlets the steps run: exactly the host's allow-list.
const (
	cmdGetState       = "Get-CsPersistentChatState"
	cmdSetState       = "Set-CsPersistentChatState"
	cmdGetService     = "Get-CsService"
	cmdGetPool        = "Get-CsPool"
	cmdInstallMirror  = "Install-CsMirrorDatabase"
	cmdGetMirrorState = "Get-CsDatabaseMirrorState"
	cmdSetActive      = "Set-CsPersistentChatActiveServer"
	// cmdUninstallMirror is run by the failback only.
	cmdUninstallMirror = "Uninstall-CsMirrorDatabase"
)

// Commands returns the cmdlets the steps (failover and failback) run. A host given in Config.Host must allow at
// least these.
func Commands() []string {
	return []string{cmdGetState, cmdSetState, cmdGetService, cmdGetPool, cmdInstallMirror, cmdGetMirrorState, cmdSetActive, cmdUninstallMirror}
}

// arg is one bound parameter: the value sent to PowerShell and how the report shows it.
type arg struct {
	name  string
	value pshost.Value
	// show is the value as PowerShell source for the report ("" for a present switch).
	show string
	// raw is the value for the report's parameters map.
	raw string
}

// command is one cmdlet call.
type command struct {
	name string
	args []arg
}

func strArg(name, v string) arg {
	return arg{name: name, value: pshost.String(v), show: psQuote(v), raw: v}
}

// enumArg is a string bound to an enum-typed parameter (-PoolState FailedOver).
func enumArg(name, v string) arg {
	return arg{name: name, value: pshost.String(v), show: v, raw: v}
}

func switchArg(name string, on bool) arg {
	if on {
		return arg{name: name, value: pshost.Switch(true), raw: "$true"}
	}
	return arg{name: name, value: pshost.Switch(false), show: "$false", raw: "$false"}
}

// replaceArg is a PSListModifier @{Replace=...} (ref §1.3).
func replaceArg(name string, vs []string) arg {
	vals := make([]pshost.Value, len(vs))
	quoted := make([]string, len(vs))
	for i, v := range vs {
		vals[i] = pshost.String(v)
		quoted[i] = psQuote(v)
	}
	show := "@{Replace=" + strings.Join(quoted, ",") + "}"
	return arg{name: name, value: pshost.ListModifier{Replace: vals}, show: show, raw: show}
}

// psQuote quotes s as a PowerShell single-quoted string, doubling every character
// PowerShell takes for a single quote (including U+2018-U+201B). The text is for the
// report only: commands are never sent as script.
func psQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201A', '\u201B':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// text renders the call as PowerShell would read it, for the report.
func (c command) text() string {
	var b strings.Builder
	b.WriteString(c.name)
	for _, a := range c.args {
		b.WriteString(" -")
		b.WriteString(a.name)
		switch {
		case a.show == "":
		case a.show == "$false":
			b.WriteString(":$false")
		default:
			b.WriteByte(' ')
			b.WriteString(a.show)
		}
	}
	return b.String()
}

// parameters is the report's name -> value map.
func (c command) parameters() map[string]string {
	if len(c.args) == 0 {
		return nil
	}
	m := make(map[string]string, len(c.args))
	for _, a := range c.args {
		m[a.name] = a.raw
	}
	return m
}

func (c command) pshost() pshost.Command {
	ps := make([]pshost.Parameter, len(c.args))
	for i, a := range c.args {
		ps[i] = pshost.Parameter{Name: a.name, Value: a.value}
	}
	return pshost.Command{Name: c.name, Parameters: ps}
}
