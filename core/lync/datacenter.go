package lync

import (
	"fmt"
	"sort"
	"strings"
)

// maxActiveServers is Lync's limit: "only four can be active" (ref §1.3, capacity).
const maxActiveServers = 4

// placement is the outcome of checking the servers to make active against the operator's
// server-to-data-center map.
type placement struct {
	// Servers are the servers to make active, in request order, duplicates removed, named
	// as the pool names them when known.
	Servers []string
	// Refusals say why the step must not run (empty: it may).
	Refusals []string
	// Notes are accepted exceptions (a cross-data-center server the request allows).
	Notes []string
}

// dataCenterOf looks a server up in the map, ignoring case and a trailing dot.
func dataCenterOf(dcs map[string]string, server string) (string, bool) {
	if dc, ok := dcs[server]; ok {
		return dc, true
	}
	for k, dc := range dcs {
		if sameName(k, server) {
			return dc, true
		}
	}
	return "", false
}

// checkPlacement checks the requested active servers. requested empty means: the pool's
// computers in the target data center. Every server must be a computer of the pool
// (computers, when known), have a data center in dcs and be in target, the new primary's
// data center, unless allowCross ("All the active servers must be located within the same
// data center as the new primary database, or in a data center that has a low
// latency/high bandwidth connection to the database", ref §2.1 step 7).
func checkPlacement(requested, computers []string, dcs map[string]string, target string, allowCross bool) placement {
	var p placement
	refuse := func(format string, args ...any) { p.Refusals = append(p.Refusals, fmt.Sprintf(format, args...)) }
	canonical := func(s string) (string, bool) {
		for _, c := range computers {
			if sameName(c, s) {
				return c, true
			}
		}
		return s, len(computers) == 0
	}
	if len(requested) == 0 {
		if target == "" || len(dcs) == 0 {
			refuse("no active servers are requested and lync.backupDataCenter with lync.dataCenters cannot choose them: set lync.activeServers to the Persistent Chat servers of the backup data center")
			return p
		}
		for _, c := range computers {
			if dc, ok := dataCenterOf(dcs, c); ok && dc == target {
				requested = append(requested, c)
			}
		}
		if len(requested) == 0 {
			refuse("no computer of the pool (%s) is in the backup data center %s according to lync.dataCenters: set lync.activeServers", strings.Join(computers, ", "), target)
			return p
		}
		if len(requested) > maxActiveServers {
			requested = requested[:maxActiveServers]
		}
	}
	seen := map[string]bool{}
	for _, s := range requested {
		name, inPool := canonical(s)
		key := strings.ToLower(strings.TrimSuffix(name, "."))
		if seen[key] {
			continue
		}
		seen[key] = true
		p.Servers = append(p.Servers, name)
		if !inPool {
			refuse("%s is not a Persistent Chat server of the pool (its computers: %s)", s, strings.Join(computers, ", "))
			continue
		}
		dc, ok := dataCenterOf(dcs, s)
		switch {
		case !ok && allowCross:
			p.Notes = append(p.Notes, fmt.Sprintf("%s has no data center in lync.dataCenters; allowed by lync.allowCrossDataCenter", s))
		case !ok:
			refuse("%s has no data center in lync.dataCenters, so it cannot be checked to be in the new primary's data center %s", s, orNone(target))
		case target == "" && allowCross:
			p.Notes = append(p.Notes, fmt.Sprintf("%s is in %s; lync.backupDataCenter is not set; allowed by lync.allowCrossDataCenter", s, dc))
		case target == "":
			refuse("lync.backupDataCenter is not set, so %s (in %s) cannot be checked to be in the new primary's data center", s, dc)
		case dc != target && allowCross:
			p.Notes = append(p.Notes, fmt.Sprintf("%s is in %s, not in the new primary's data center %s; allowed by lync.allowCrossDataCenter", s, dc, target))
		case dc != target:
			refuse("%s is in %s, not in the new primary's data center %s", s, dc, target)
		}
	}
	if len(p.Servers) > maxActiveServers {
		refuse("%d servers are requested; at most %d Persistent Chat servers of a pool can be active", len(p.Servers), maxActiveServers)
	}
	return p
}

// sameSet compares two server lists as sets of DNS names.
func sameSet(a, b []string) bool {
	norm := func(xs []string) []string {
		out := make([]string, 0, len(xs))
		seen := map[string]bool{}
		for _, x := range xs {
			k := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(x), "."))
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	na, nb := norm(a), norm(b)
	if len(na) != len(nb) {
		return false
	}
	for i := range na {
		if na[i] != nb[i] {
			return false
		}
	}
	return true
}
