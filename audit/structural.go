package audit

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/faultline/faultline/model"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Findings turns an analysis into findings: every structural rule, and the
// live rules that follow from observed failures in the graph
// (redundancy-lost, service-down now). Rules that read observation data
// directly are in LiveFindings.
func (a *Analysis) Findings() []Finding {
	var out []Finding
	g := a.G
	for s := range g.Services {
		out = append(out, a.serviceFindings(int32(s))...)
	}
	for d := range g.Devices {
		out = append(out, a.deviceFindings(int32(d))...)
	}
	out = append(out, a.powerFindings()...)
	return out
}

// names returns component ids.
func (a *Analysis) names(cs []int32) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = a.G.ID(c)
	}
	return out
}

// child is one input of a service gate: a member or a required service.
type child struct {
	member  model.Member
	require int32 // service index, or -1
}

func (a *Analysis) children(s int32) []child {
	S := &a.G.Services[s]
	var cs []child
	for _, m := range S.Members {
		cs = append(cs, child{member: m, require: -1})
	}
	for _, r := range S.Requires {
		cs = append(cs, child{member: model.Member{Device: -1, Service: -1}, require: r})
	}
	return cs
}

func (a *Analysis) childName(c child) string {
	switch {
	case c.require >= 0:
		return a.G.Services[c.require].ID
	case c.member.Device >= 0:
		return a.G.Devices[c.member.Device].ID
	}
	return a.G.Services[c.member.Service].ID
}

func (a *Analysis) childVal(e *evaluator, c child) val {
	switch {
	case c.require >= 0:
		return e.svcVal(c.require)
	case c.member.Device >= 0:
		return e.availVal(c.member.Device)
	}
	return e.svcVal(c.member.Service)
}

// group is a set of causes with the same effect on a service: the same
// members and required services go down with each of them.
type group struct {
	causes []int32
	killed []child
}

// groupCuts groups a service's cuts, keeping nearest-first order. Causes
// share a finding when they take down the same members and required
// services in the same way (a PDU, the feed behind it and the UPS behind
// that): same effect, same mechanism, one fix. When a member device is
// itself among the causes, everything with its effect joins its group:
// adding a member is the fix for all of them.
func (a *Analysis) groupCuts(e *evaluator, s int32, cuts []int32) []group {
	kids := a.children(s)
	kidCuts := make([][]int32, len(kids))
	for i, k := range kids {
		kidCuts[i] = e.cutOf(a.childVal(e, k))
	}
	effect := func(c int32) (string, []child) {
		var key strings.Builder
		var killed []child
		for i, kc := range kidCuts {
			if _, ok := slices.BinarySearch(kc, c); ok {
				key.WriteString(itoa(i))
				key.WriteByte(',')
				killed = append(killed, kids[i])
			}
		}
		return key.String(), killed
	}
	selfEffect := map[string]bool{}
	for _, c := range cuts {
		if a.G.Comps[c].Kind == model.KindDevice && !a.G.Devices[a.G.Comps[c].Entity].Forwards {
			k, _ := effect(c)
			selfEffect[k] = true
		}
	}
	var groups []group
	index := map[string]int{}
	for _, c := range cuts {
		key, killed := effect(c)
		if !selfEffect[key] {
			key += "|" + a.mechanismClass(e, c, killed)
		}
		if gi, ok := index[key]; ok {
			groups[gi].causes = append(groups[gi].causes, c)
			continue
		}
		index[key] = len(groups)
		groups = append(groups, group{causes: []int32{c}, killed: killed})
	}
	return groups
}

// mechanismClass says how a cause reaches the members it kills: through
// their placement (rack, site), their power, their disks, or their network.
func (a *Analysis) mechanismClass(e *evaluator, c int32, killed []child) string {
	kind := a.G.Comps[c].Kind
	for _, k := range killed {
		if k.member.Device < 0 {
			continue
		}
		if _, ok := slices.BinarySearch(e.cutOf(e.devVal(k.member.Device)), c); !ok {
			return "network"
		}
	}
	switch kind {
	case model.KindPower, model.KindPSU:
		return "power"
	}
	return kind.String()
}

func (a *Analysis) serviceFindings(s int32) []Finding {
	g := a.G
	S := &g.Services[s]
	var out []Finding
	design, now := a.Services[s], a.NowSvc[s]
	switch {
	case !design.Up:
		f := newFinding(ServiceDown, S.ID, nil)
		reasons, evidence := a.downReasons(a.Design, s)
		f.Message = fmt.Sprintf("service %s is down with nothing failed: %s", S.ID, reasons)
		f.Evidence = evidence
		f.Remediation = "complete the inventory: give each member a path to the network roots (links, network.roots) and check min_up"
		out = append(out, f)
		return out
	case !now.Up:
		failed := a.failedIn(s)
		f := newFinding(ServiceDown, S.ID, a.names(failed))
		reasons, evidence := a.downReasons(a.Now, s)
		f.Message = fmt.Sprintf("service %s is down: %s", S.ID, reasons)
		f.Evidence = evidence
		f.Remediation = "restore the failed components listed as causes"
		out = append(out, f)
	}
	if S.Tolerate >= 1 {
		for _, gr := range a.groupCuts(a.Design, s, design.Cuts) {
			out = append(out, a.spofFinding(a.Design, SPOF, s, gr))
		}
	}
	if now.Up && S.Tolerate >= 1 && a.Now != a.Design {
		isOld := map[int32]bool{}
		for _, c := range design.Cuts {
			isOld[c] = true
		}
		var fresh []int32
		for _, c := range now.Cuts {
			if !isOld[c] {
				fresh = append(fresh, c)
			}
		}
		failed := a.failedIn(s)
		for _, gr := range a.groupCuts(a.Now, s, fresh) {
			f := a.spofFinding(a.Now, RedundancyLost, s, gr)
			spent := a.spentBy(gr.causes, failed, func(e *evaluator) val { return e.svcVal(s) })
			names := a.names(spent)
			f.Message = fmt.Sprintf("service %s lost its redundancy: %s %s failed, so %s is now a single point of failure (%s)",
				S.ID, few(names, "and"), verb(len(names), "has", "have"), g.ID(gr.causes[0]), strings.TrimPrefix(f.Message, "service "+S.ID+" goes down if "))
			a.observedEvidence(&f, spent)
			f.Remediation = fmt.Sprintf("replace or repair %s; until then do no maintenance on %s", few(names, "and"), g.ID(gr.causes[0]))
			out = append(out, f)
		}
	}
	if S.Tolerate >= 2 {
		for _, p := range design.Pairs {
			f := newFinding(DoubleFault, S.ID, []string{g.ID(p[0]), g.ID(p[1])})
			f.ID = "double-fault/" + S.ID + "/" + g.ID(p[0]) + "+" + g.ID(p[1])
			f.Message = fmt.Sprintf("service %s (tolerate: 2) goes down if %s and %s fail together", S.ID, g.ID(p[0]), g.ID(p[1]))
			f.Evidence = append(a.pathEvidence(a.Design, s, p[0]), a.pathEvidence(a.Design, s, p[1])...)
			f.Remediation = fmt.Sprintf("spread %s so that no two components cover every member: add a member that depends on neither %s nor %s", S.ID, g.ID(p[0]), g.ID(p[1]))
			out = append(out, f)
		}
		if design.Dropped > 0 {
			f := newFinding(DoubleFault, S.ID, nil)
			f.ID = "double-fault/" + S.ID + "/more"
			f.Severity = Info
			f.Message = fmt.Sprintf("service %s has %d more double faults than the %d listed (policy.max_pairs)", S.ID, design.Dropped, len(design.Pairs))
			f.Remediation = "fix the listed pairs first; raise policy.max_pairs to see the rest"
			out = append(out, f)
		}
	}
	if S.Manual && len(S.Members) > S.MinUp {
		f := newFinding(ManualFailover, S.ID, nil)
		f.Message = fmt.Sprintf("service %s has %d members for the %d it needs, but failover is manual: when one fails, a person must act", S.ID, len(S.Members), S.MinUp)
		f.Remediation = "automate failover, or write and drill the runbook and page a person on member failure"
		out = append(out, f)
	}
	for _, r := range S.Requires {
		R := &g.Services[r]
		var missing []string
		for _, st := range S.Site {
			if _, ok := slices.BinarySearch(R.Site, st); !ok {
				missing = append(missing, g.Sites[st].ID)
			}
		}
		if len(missing) == 0 || len(R.Site) == 0 {
			continue
		}
		var there []string
		for _, st := range R.Site {
			there = append(there, g.Sites[st].ID)
		}
		f := newFinding(CrossSite, S.ID, []string{R.ID})
		f.Message = fmt.Sprintf("service %s runs at %s but requires %s, which has no member there: every request crosses to %s", S.ID, words(missing, "and"), R.ID, words(there, "and"))
		f.Remediation = fmt.Sprintf("run a member of %s at %s, or move %s next to it", R.ID, words(missing, "and"), S.ID)
		out = append(out, f)
	}
	return out
}

// failedIn lists observed-failed components in a service's cone.
func (a *Analysis) failedIn(s int32) []int32 {
	var out []int32
	for _, c := range a.support(s) {
		if a.G.Failed[c] {
			out = append(out, c)
		}
	}
	return a.sortedNow(out)
}

// downReasons explains why a service is down under an evaluation.
func (a *Analysis) downReasons(e *evaluator, s int32) (string, []string) {
	g := a.G
	S := &g.Services[s]
	var reasons, evidence []string
	avail := 0
	for _, m := range S.Members {
		if m.Service >= 0 {
			if e.svcVal(m.Service).up {
				avail++
			} else {
				evidence = append(evidence, fmt.Sprintf("member service %s is down", g.Services[m.Service].ID))
			}
			continue
		}
		D := &g.Devices[m.Device]
		switch {
		case !e.devVal(m.Device).up:
			evidence = append(evidence, fmt.Sprintf("%s is down (%s)", D.ID, a.whyDown(e, m.Device)))
		case !e.netVal(m.Device).up:
			evidence = append(evidence, fmt.Sprintf("%s has no path to the network roots", D.ID))
		default:
			avail++
		}
	}
	if avail < S.MinUp {
		switch {
		case len(S.Members) == 1:
			reasons = append(reasons, "its only member is unavailable")
		case avail == 0:
			reasons = append(reasons, fmt.Sprintf("none of its %d members is available", len(S.Members)))
		default:
			reasons = append(reasons, fmt.Sprintf("%d of its %d members %s available and it needs %d", avail, len(S.Members), verb(avail, "is", "are"), S.MinUp))
		}
	}
	for _, r := range S.Requires {
		if !e.svcVal(r).up {
			reasons = append(reasons, fmt.Sprintf("it requires %s, which is down", g.Services[r].ID))
			evidence = append(evidence, "requires "+g.Services[r].ID+" (down)")
		}
	}
	return strings.Join(reasons, "; "), evidence
}

func (a *Analysis) whyDown(e *evaluator, d int32) string {
	g := a.G
	D := &g.Devices[d]
	switch {
	case e.failed[D.Comp]:
		return "failed"
	case !e.rackVal(D.Rack).up:
		return "rack " + g.Racks[D.Rack].ID + " is down"
	case !e.powered(d).up:
		return "not powered"
	}
	for i := range D.Volumes {
		if !e.volume(&D.Volumes[i]).up {
			return "volume " + D.Volumes[i].ID + " failed"
		}
	}
	return "down"
}

// spofFinding describes one group of single points of failure.
func (a *Analysis) spofFinding(e *evaluator, rule RuleID, s int32, gr group) Finding {
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
func (a *Analysis) mechanism(e *evaluator, c int32, m model.Member, S *model.Service) string {
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
	if _, ok := slices.BinarySearch(e.cutOf(e.devVal(d)), c); ok {
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
	}
	if hit := a.netDevicesHit(e, d, c); len(hit) > 0 {
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

// netDevicesHit names the switches and roots on device d's way to the
// network that component c takes down.
func (a *Analysis) netDevicesHit(e *evaluator, d int32, c int32) []string {
	g := a.G
	var out []string
	seen := map[int32]bool{}
	consider := func(x int32) {
		if seen[x] {
			return
		}
		seen[x] = true
		if X := &g.Devices[x]; X.Forwards || X.Root {
			if _, ok := slices.BinarySearch(e.cutOf(e.devVal(x)), c); ok {
				out = append(out, X.ID)
			}
		}
	}
	for _, adj := range g.Devices[d].Adj {
		consider(adj.Peer)
		if k := a.net.compOf[adj.Peer]; k >= 0 {
			for _, m := range a.net.comps[k] {
				consider(m)
				for _, adj2 := range g.Devices[m].Adj {
					if g.Devices[adj2.Peer].Root {
						consider(adj2.Peer)
					}
				}
			}
		}
	}
	slices.Sort(out)
	if len(out) > 4 {
		out = append(out[:3], plural(len(out)-3, "other"))
	}
	return out
}

// remedy proposes a fix for the nearest cause of a group.
func (a *Analysis) remedy(e *evaluator, c int32, gr group, S *model.Service) string {
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
	if _, ok := slices.BinarySearch(e.cutOf(e.devVal(member)), c); ok {
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
	}
	if hit := a.netDevicesHit(e, member, c); len(hit) > 0 {
		return fmt.Sprintf("spread %s over separate power and racks: %s must not all depend on %s", words(hit, "and"), words(hit, "and"), comp.ID)
	}
	return fmt.Sprintf("power and rack the switches %s uses so that %s does not take all of them down", m, comp.ID)
}

// pathEvidence shows how a cause reaches a service's members: PSU paths
// for power, cables for network, placement for racks and sites.
func (a *Analysis) pathEvidence(e *evaluator, s int32, c int32) []string {
	g := a.G
	var out []string
	comp := g.Comps[c]
	shown := map[int32]bool{}
	for _, k := range a.children(s) {
		v := a.childVal(e, k)
		if _, ok := slices.BinarySearch(e.cutOf(v), c); !ok {
			continue
		}
		if k.require >= 0 || k.member.Device < 0 {
			out = append(out, fmt.Sprintf("%s depends on %s", a.childName(k), comp.ID))
			continue
		}
		d := k.member.Device
		D := &g.Devices[d]
		inDev := false
		if _, ok := slices.BinarySearch(e.cutOf(e.devVal(d)), c); ok {
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
				for _, id := range a.netDevicesHit(e, d, c) {
					if x := g.Lookup(id); x >= 0 && g.Comps[x].Kind == model.KindDevice && !shown[x] {
						shown[x] = true
						out = append(out, a.psuPaths(g.Comps[x].Entity, c)...)
					}
				}
			}
		}
	}
	return out
}

// psuPaths lists each PSU of device d with its power path up to component c.
func (a *Analysis) psuPaths(d int32, c int32) []string {
	g := a.G
	var out []string
	for _, p := range g.Devices[d].PSUs {
		P := &g.PSUs[p]
		if P.Comp == c {
			out = append(out, fmt.Sprintf("%s -> %s", P.ID, g.Power[P.PDU].ID))
			continue
		}
		if path := a.powerPath(P.PDU, c); path != nil {
			out = append(out, P.ID+" -> "+strings.Join(path, " -> "))
		}
	}
	return out
}

// powerPath finds the shortest chain of inputs from power node p up to
// component c (a power node), or nil.
func (a *Analysis) powerPath(p int32, c int32) []string {
	g := a.G
	if g.Comps[c].Kind != model.KindPower {
		return nil
	}
	target := g.Comps[c].Entity
	prev := map[int32]int32{p: -1}
	queue := []int32{p}
	for h := 0; h < len(queue); h++ {
		x := queue[h]
		if x == target {
			var path []string
			for y := x; y >= 0; y = prev[y] {
				path = append(path, g.Power[y].ID)
			}
			slices.Reverse(path)
			return path
		}
		for _, in := range g.Power[x].Inputs {
			if _, seen := prev[in]; !seen {
				prev[in] = x
				queue = append(queue, in)
			}
		}
	}
	return nil
}

func (a *Analysis) deviceFindings(d int32) []Finding {
	g := a.G
	D := &g.Devices[d]
	var out []Finding
	if cuts := a.Devices[d].PowerCuts; len(cuts) > 0 {
		names := a.names(cuts)
		f := newFinding(DeviceSPOF, D.ID, names)
		f.ID = deviceID(DeviceSPOF, D.ID, sidePower, names[0])
		c0 := cuts[0]
		f.Message = fmt.Sprintf("%s has %d PSUs (needs %d) but losing %s alone cuts its power", D.ID, len(D.PSUs), D.MinPSUs, few(names, "or"))
		f.Evidence = a.psuPaths(d, c0)
		f.Remediation = fmt.Sprintf("plug one of %s's PSUs into a PDU that does not draw from %s", D.ID, g.ID(c0))
		out = append(out, f)
	}
	if cuts := a.Devices[d].NetCuts; len(cuts) > 0 {
		names := a.names(cuts)
		f := newFinding(DeviceSPOF, D.ID, names)
		f.ID = deviceID(DeviceSPOF, D.ID, sideNetwork, names[0])
		c0 := cuts[0]
		uplinks := 0
		for _, adj := range D.Adj {
			if P := &g.Devices[adj.Peer]; P.Forwards || P.Root {
				uplinks++
			}
		}
		f.Message = fmt.Sprintf("%s has %d links towards the network but losing %s alone cuts it off from the network roots", D.ID, uplinks, few(names, "or"))
		for _, adj := range D.Adj {
			if P := &g.Devices[adj.Peer]; !P.Forwards && !P.Root {
				continue
			}
			L := &g.Links[adj.Link]
			peerPort := L.BPort
			if L.B == d {
				peerPort = L.APort
			}
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s:%s -> %s:%s", D.ID, adj.Port, g.Devices[adj.Peer].ID, peerPort))
		}
		comp := g.Comps[c0]
		if comp.Kind == model.KindDevice || comp.Kind == model.KindLink {
			f.Remediation = fmt.Sprintf("cable one of %s's links to a switch other than %s", D.ID, g.ID(c0))
		} else if hit := a.netDevicesHit(a.Design, d, c0); len(hit) > 0 {
			f.Remediation = fmt.Sprintf("%s all depend on %s: give them separate power and racks, or connect %s to a switch that does not", words(hit, "and"), g.ID(c0), D.ID)
		} else {
			f.Remediation = fmt.Sprintf("the switches %s uses all depend on %s: connect it to a switch that does not", D.ID, g.ID(c0))
		}
		out = append(out, f)
	}
	out = append(out, a.lostFindings(d)...)
	for _, v := range D.Volumes {
		if v.RAID.Redundant() {
			continue
		}
		f := newFinding(RAIDNonredundant, v.ID, a.names(v.Drives))
		f.ID = "raid-nonredundant/" + v.ID
		f.Message = fmt.Sprintf("%s is %s over %s: losing any one drive loses the volume", v.ID, v.RAID, plural(len(v.Drives), "drive"))
		f.Remediation = "rebuild it as raid1 or raid10 (raid6 for large arrays), or keep only data you can lose on it"
		out = append(out, f)
	}
	return out
}

func (a *Analysis) powerFindings() []Finding {
	g := a.G
	var out []Finding
	pr := a.Power
	for _, p := range pr.Overloads {
		P := &g.Power[p]
		f := newFinding(Overload, P.ID, nil)
		f.Message = fmt.Sprintf("%s carries %s W, %s of its %s W capacity (limit %s)", P.ID, watts(pr.Load[p]), pct(pr.Load[p]/P.CapacityW), watts(P.CapacityW), pct(pr.Limit))
		f.Remediation = fmt.Sprintf("move load off %s or raise its capacity_w", P.ID)
		out = append(out, f)
	}
	nodes := make([]int32, 0, len(pr.Failover))
	for n := range pr.Failover {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	for _, n := range nodes {
		P := &g.Power[n]
		shifts := pr.Failover[n]
		var causes []string
		for _, sh := range shifts {
			causes = append(causes, g.Power[sh.Failed].ID)
		}
		f := newFinding(FailoverOverload, P.ID, causes)
		worst := shifts[0]
		f.Message = fmt.Sprintf("%s would carry %s W (%s of %s W) if %s fails; it carries %s W now", P.ID, watts(worst.Load), pct(worst.Load/P.CapacityW), watts(P.CapacityW), causes[0], watts(pr.Load[n]))
		if len(causes) > 1 {
			f.Message += fmt.Sprintf(" (also if %s fails)", few(causes[1:], "or"))
		}
		for _, sh := range shifts {
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s fails: %s carries %s W", g.Power[sh.Failed].ID, P.ID, watts(sh.Load)))
		}
		f.Remediation = fmt.Sprintf("reduce the load that shifts onto %s or raise its capacity_w: it must carry the load of %s under %s", P.ID, causes[0], pct(pr.Limit))
		out = append(out, f)
	}
	return out
}

func watts(w float64) string { return strconv.FormatFloat(math.Round(w), 'f', -1, 64) }

func pct(x float64) string { return strconv.FormatFloat(math.Round(x*100), 'f', -1, 64) + "%" }
