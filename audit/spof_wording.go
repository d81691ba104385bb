package audit

// How a single point of failure reaches a service, in words: the message,
// the evidence and the remedy of spof and redundancy-lost findings.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// spofFinding describes one group of single points of failure.
func (a *Analysis) spofFinding(e *fault.Evaluator, rule RuleID, s int32, gr group) Finding {
	g := a.G
	S := &g.Services[s]
	c0 := gr.causes[0]
	names := a.names(gr.causes)
	f := newFinding(rule, S.ID, names)
	var phrases []string
	var members []string
	byPhrase := map[string][]string{}
	var order []string
	for _, k := range gr.killed {
		name := a.childName(k)
		if k.require >= 0 {
			phrases = append(phrases, fmt.Sprintf("it requires %s, which goes down with it", name))
			continue
		}
		members = append(members, name)
		p := a.mechanism(e, c0, k.member, S)
		if _, ok := byPhrase[p]; !ok {
			order = append(order, p)
		}
		byPhrase[p] = append(byPhrase[p], name)
	}
	var memberPhrases []string
	for _, p := range order {
		ms := byPhrase[p]
		memberPhrases = append(memberPhrases, strings.NewReplacer("{m}", words(ms, "and"), "{s}", verb(len(ms), "s", ""), "{is}", verb(len(ms), "is", "are"), "{es}", verb(len(ms), "es", "")).Replace(p))
	}
	phrases = append(memberPhrases, phrases...)
	if len(members) > 0 && len(members) < len(S.Members) && S.MinUp > 1 {
		phrases = append(phrases, fmt.Sprintf("leaving fewer than the %d members it needs", S.MinUp))
	}
	f.Message = fmt.Sprintf("service %s goes down if %s fails: %s", S.ID, few(names, "or"), strings.Join(phrases, "; "))
	f.Evidence = a.pathEvidence(e, s, c0)
	f.Remediation = a.remedy(e, c0, gr, S)
	return f
}

// mechanism phrases how c takes a member down; {m} is the member list and
// {s}/{es}/{is} agree with it.
func (a *Analysis) mechanism(e *fault.Evaluator, c int32, m model.Member, S *model.Service) string {
	g := a.G
	comp := g.Comps[c]
	if m.Service >= 0 {
		return "{m} go{es} down with it"
	}
	d := m.Device
	if c == g.Devices[d].Comp {
		if len(S.Members) == 1 {
			return "{m} {is} its only member"
		}
		return fmt.Sprintf("{m} {is} one of the %d members it needs", S.MinUp)
	}
	if _, ok := slices.BinarySearch(e.Cut(e.Device(d)), c); ok {
		switch comp.Kind {
		case model.KindRack:
			return "{m} {is} in rack " + comp.ID
		case model.KindSite:
			return "{m} {is} at site " + comp.ID
		case model.KindPower:
			return "{m} draw{s} only from " + comp.ID
		case model.KindPSU:
			return "{m} run{s} on " + comp.ID + " alone"
		case model.KindDrive:
			return "{m} lose{s} a volume that has no redundancy left"
		}
		return "{m} go{es} down with " + comp.ID
	}
	switch comp.Kind {
	case model.KindLink, model.KindDevice:
		return "{m} reach{es} the network only through " + comp.ID
	case model.KindCable:
		return "{m} reach{es} the network only through links of cable " + comp.ID
	}
	if hit := a.hitNames(a.netDevicesHit(e, d, c)); len(hit) > 0 {
		how := "go down with " + comp.ID
		switch comp.Kind {
		case model.KindPower:
			how = verb(len(hit), "draws", "draw") + " only from " + comp.ID
		case model.KindRack:
			how = verb(len(hit), "is", "are") + " in rack " + comp.ID
		case model.KindSite:
			how = verb(len(hit), "is", "are") + " at site " + comp.ID
		}
		return "{m} lose{s} the network: " + words(hit, "and") + " " + how
	}
	return "every network path of {m} depends on " + comp.ID
}

// netDevicesHit lists the switches and roots on device d's way to the
// network that component c takes down, ordered by id.
func (a *Analysis) netDevicesHit(e *fault.Evaluator, d int32, c int32) []int32 {
	g := a.G
	var out []int32
	seen := map[int32]bool{}
	consider := func(x int32) {
		if seen[x] {
			return
		}
		seen[x] = true
		if X := &g.Devices[x]; X.Forwards || X.Root {
			if _, ok := slices.BinarySearch(e.Cut(e.Device(x)), c); ok {
				out = append(out, x)
			}
		}
	}
	for _, adj := range g.Devices[d].Adj {
		consider(adj.Peer)
		if k := a.net.CompOf[adj.Peer]; k >= 0 {
			for _, m := range a.net.Comps[k] {
				consider(m)
				for _, adj2 := range g.Devices[m].Adj {
					if g.Devices[adj2.Peer].Root {
						consider(adj2.Peer)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(x, y int32) int { return strings.Compare(g.Devices[x].ID, g.Devices[y].ID) })
	return out
}

// shownHits are the devices of hit a message names: all of up to four,
// else the first three (hitNames counts the rest).
func shownHits(hit []int32) []int32 {
	if len(hit) > 4 {
		return hit[:3]
	}
	return hit
}

// hitNames renders netDevicesHit for a sentence: up to four ids, else
// three and "N others".
func (a *Analysis) hitNames(hit []int32) []string {
	var out []string
	for _, x := range shownHits(hit) {
		out = append(out, a.G.Devices[x].ID)
	}
	if len(hit) > 4 {
		out = append(out, plural(len(hit)-3, "other"))
	}
	return out
}

// remedy proposes a fix for the nearest cause of a group.
func (a *Analysis) remedy(e *fault.Evaluator, c int32, gr group, S *model.Service) string {
	g := a.G
	comp := g.Comps[c]
	var member int32 = -1
	for _, k := range gr.killed {
		if k.member.Device >= 0 {
			member = k.member.Device
		}
	}
	if member < 0 {
		for _, k := range gr.killed {
			if k.require >= 0 {
				return fmt.Sprintf("fix %s's single point of failure first (it has its own finding)", g.Services[k.require].ID)
			}
		}
		return "add a member that does not depend on " + comp.ID
	}
	m := g.Devices[member].ID
	if c == g.Devices[member].Comp {
		return fmt.Sprintf("add another member to %s on a separate host, in another rack, and keep min_up below the member count", S.ID)
	}
	inDev := false
	if _, ok := slices.BinarySearch(e.Cut(e.Device(member)), c); ok {
		inDev = true
	}
	switch {
	case comp.Kind == model.KindSite:
		return fmt.Sprintf("run a member of %s at another site", S.ID)
	case comp.Kind == model.KindRack && inDev:
		return fmt.Sprintf("move a member of %s out of rack %s, or add one in another rack", S.ID, comp.ID)
	case comp.Kind == model.KindPower && inDev:
		if g.Devices[member].PSUsRedundant || len(g.Devices[member].PSUs) > 1 {
			return fmt.Sprintf("move one PSU of %s to a PDU that does not draw from %s", m, comp.ID)
		}
		return fmt.Sprintf("give %s a second PSU on a PDU that does not draw from %s, or add a member on other power", m, comp.ID)
	case comp.Kind == model.KindPSU:
		return fmt.Sprintf("give %s a second PSU on another PDU (min_psus: 1)", m)
	case comp.Kind == model.KindDrive:
		return fmt.Sprintf("rebuild %s's volume with redundancy (raid1, raid10 or raid6), or add a member", m)
	case comp.Kind == model.KindLink || (comp.Kind == model.KindDevice && g.Devices[comp.Entity].Forwards):
		return fmt.Sprintf("cable %s to a second switch as well as through %s", m, comp.ID)
	case comp.Kind == model.KindCable:
		return fmt.Sprintf("give %s a link that does not run in cable %s (the links of a breakout fail together)", m, comp.ID)
	}
	if hit := a.hitNames(a.netDevicesHit(e, member, c)); len(hit) > 0 {
		return fmt.Sprintf("spread %s over separate power and racks: %s must not all depend on %s", words(hit, "and"), words(hit, "and"), comp.ID)
	}
	return fmt.Sprintf("power and rack the switches %s uses so that %s does not take all of them down", m, comp.ID)
}

// pathEvidence shows how a cause reaches a service's members: PSU paths
// for power, cables for network, placement for racks and sites.
func (a *Analysis) pathEvidence(e *fault.Evaluator, s int32, c int32) []string {
	g := a.G
	var out []string
	comp := g.Comps[c]
	shown := map[int32]bool{}
	for _, k := range a.children(s) {
		v := a.childVal(e, k)
		if _, ok := slices.BinarySearch(e.Cut(v), c); !ok {
			continue
		}
		if k.require >= 0 || k.member.Device < 0 {
			out = append(out, fmt.Sprintf("%s depends on %s", a.childName(k), comp.ID))
			continue
		}
		d := k.member.Device
		D := &g.Devices[d]
		inDev := false
		if _, ok := slices.BinarySearch(e.Cut(e.Device(d)), c); ok {
			inDev = true
		}
		switch {
		case c == D.Comp:
			out = append(out, fmt.Sprintf("%s is the member", D.ID))
		case comp.Kind == model.KindRack && inDev:
			out = append(out, fmt.Sprintf("%s in rack %s", D.ID, comp.ID))
		case comp.Kind == model.KindSite && inDev:
			out = append(out, fmt.Sprintf("%s in rack %s at site %s", D.ID, g.Racks[D.Rack].ID, comp.ID))
		case (comp.Kind == model.KindPower || comp.Kind == model.KindPSU) && inDev:
			out = append(out, a.psuPaths(d, c)...)
		case comp.Kind == model.KindDrive:
			for _, v := range D.Volumes {
				if slices.Contains(v.Drives, c) {
					out = append(out, fmt.Sprintf("%s is %s over %d drives", v.ID, v.RAID, len(v.Drives)))
				}
			}
		default:
			for _, adj := range D.Adj {
				out = append(out, fmt.Sprintf("%s:%s -> %s", D.ID, adj.Port, g.Devices[adj.Peer].ID))
			}
			if len(D.Adj) == 0 {
				out = append(out, D.ID+" has no links")
			}
			if comp.Kind == model.KindPower {
				for _, x := range shownHits(a.netDevicesHit(e, d, c)) {
					if !shown[x] {
						shown[x] = true
						out = append(out, a.psuPaths(x, c)...)
					}
				}
			}
		}
	}
	return out
}
