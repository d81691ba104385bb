package audit

// The services' findings: service-down, spof and redundancy-lost (grouped
// by effect), double-fault, manual-failover, cross-site.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

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

func (a *Analysis) childVal(e *fault.Evaluator, c child) fault.Val {
	switch {
	case c.require >= 0:
		return e.Service(c.require)
	case c.member.Device >= 0:
		return e.Avail(c.member.Device)
	}
	return e.Service(c.member.Service)
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
func (a *Analysis) groupCuts(e *fault.Evaluator, s int32, cuts []int32) []group {
	kids := a.children(s)
	kidCuts := make([][]int32, len(kids))
	for i, k := range kids {
		kidCuts[i] = e.Cut(a.childVal(e, k))
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
func (a *Analysis) mechanismClass(e *fault.Evaluator, c int32, killed []child) string {
	kind := a.G.Comps[c].Kind
	for _, k := range killed {
		if k.member.Device < 0 {
			continue
		}
		if _, ok := slices.BinarySearch(e.Cut(e.Device(k.member.Device)), c); !ok {
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
	design, now := a.DesignServices[s], a.CurrentServices[s]
	switch {
	case !design.Up:
		f := newFinding(ServiceDown, S.ID, nil)
		reasons, evidence := a.downReasons(a.Design, s)
		f.Message = fmt.Sprintf("service %s is down with nothing failed: %s", S.ID, reasons)
		f.Evidence = evidence
		f.Remediation = "complete the inventory: give each member a path to the network roots (links, network.roots) and check min_up"
		a.downtime(&f, nil) // the empty cut set: down all year
		out = append(out, f)
		return out
	case !now.Up:
		failed := a.failedIn(s)
		f := newFinding(ServiceDown, S.ID, a.names(failed))
		reasons, evidence := a.downReasons(a.Current, s)
		f.Message = fmt.Sprintf("service %s is down: %s", S.ID, reasons)
		f.Evidence = evidence
		a.observedAt(&f, failed)
		f.Remediation = "restore the failed components listed as causes"
		out = append(out, f)
	}
	if S.Tolerate >= 1 {
		for _, gr := range a.groupCuts(a.Design, s, design.Cuts) {
			f := a.spofFinding(a.Design, SPOF, s, gr)
			a.downtime(&f, singles(gr.causes)...)
			out = append(out, f)
		}
	}
	if now.Up && S.Tolerate >= 1 && a.Current != a.Design {
		out = append(out, a.serviceLostFindings(s, design, now)...)
	}
	if S.Tolerate >= 2 {
		out = append(out, a.doubleFaultFindings(s, design)...)
	}
	if S.Manual && len(S.Members) > S.MinUp {
		f := newFinding(ManualFailover, S.ID, nil)
		f.Message = fmt.Sprintf("service %s has %d members for the %d it needs, but failover is manual: when one fails, a person must act", S.ID, len(S.Members), S.MinUp)
		f.Remediation = "automate failover, or write and drill the runbook and page a person on member failure"
		out = append(out, f)
	}
	out = append(out, a.crossSiteFindings(s)...)
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
	return a.sortedCurrent(out)
}

// downReasons explains why a service is down under an evaluation.
func (a *Analysis) downReasons(e *fault.Evaluator, s int32) (string, []string) {
	g := a.G
	S := &g.Services[s]
	var reasons, evidence []string
	avail := 0
	for _, m := range S.Members {
		if m.Service >= 0 {
			if e.Service(m.Service).Up {
				avail++
			} else {
				evidence = append(evidence, fmt.Sprintf("member service %s is down", g.Services[m.Service].ID))
			}
			continue
		}
		D := &g.Devices[m.Device]
		switch {
		case !e.Device(m.Device).Up:
			evidence = append(evidence, fmt.Sprintf("%s is down (%s)", D.ID, a.whyDown(e, m.Device)))
		case !e.Net(m.Device).Up:
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
		if !e.Service(r).Up {
			reasons = append(reasons, fmt.Sprintf("it requires %s, which is down", g.Services[r].ID))
			evidence = append(evidence, "requires "+g.Services[r].ID+" (down)")
		}
	}
	return strings.Join(reasons, "; "), evidence
}

func (a *Analysis) whyDown(e *fault.Evaluator, d int32) string {
	g := a.G
	D := &g.Devices[d]
	switch {
	case e.Failed(D.Comp):
		return "failed"
	case !e.Rack(D.Rack).Up:
		return "rack " + g.Racks[D.Rack].ID + " is down"
	case !e.Powered(d).Up:
		return "not powered"
	}
	for i := range D.Volumes {
		if !e.Volume(&D.Volumes[i]).Up {
			return "volume " + D.Volumes[i].ID + " failed"
		}
	}
	return "down"
}

// serviceLostFindings are redundancy-lost: the single points of failure a
// service has now, because of observed failures, that it does not have by
// design.
func (a *Analysis) serviceLostFindings(s int32, design, now ServiceResult) []Finding {
	g := a.G
	S := &g.Services[s]
	var out []Finding
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
	var failed []int32
	if len(fresh) > 0 { // the cone walk is the costly part: only when needed
		failed = a.failedIn(s)
	}
	for _, gr := range a.groupCuts(a.Current, s, fresh) {
		f := a.spofFinding(a.Current, RedundancyLost, s, gr)
		spent := a.spentBy(gr.causes, failed, func(e *fault.Evaluator) fault.Val { return e.Service(s) })
		names := a.names(spent)
		f.Message = fmt.Sprintf("service %s lost its redundancy: %s %s failed, so %s is now a single point of failure (%s)",
			S.ID, few(names, "and"), verb(len(names), "has", "have"), g.ID(gr.causes[0]), strings.TrimPrefix(f.Message, "service "+S.ID+" goes down if "))
		a.observedEvidence(&f, spent)
		f.Remediation = fmt.Sprintf("replace or repair %s; until then do no maintenance on %s", few(names, "and"), g.ID(gr.causes[0]))
		out = append(out, f)
	}
	return out
}

// doubleFaultFindings are a tolerate: 2 service's double faults.
func (a *Analysis) doubleFaultFindings(s int32, design ServiceResult) []Finding {
	g := a.G
	S := &g.Services[s]
	var out []Finding
	for _, p := range design.Pairs {
		f := newFinding(DoubleFault, S.ID, []string{g.ID(p[0]), g.ID(p[1])})
		f.ID = findingID(DoubleFault, S.ID, g.ID(p[0])+"+"+g.ID(p[1]))
		f.Message = fmt.Sprintf("service %s (tolerate: 2) goes down if %s and %s fail together", S.ID, g.ID(p[0]), g.ID(p[1]))
		f.Evidence = append(a.pathEvidence(a.Design, s, p[0]), a.pathEvidence(a.Design, s, p[1])...)
		f.Remediation = fmt.Sprintf("spread %s so that no two components cover every member: add a member that depends on neither %s nor %s", S.ID, g.ID(p[0]), g.ID(p[1]))
		a.downtime(&f, p[:])
		out = append(out, f)
	}
	if design.Dropped > 0 {
		f := newFinding(DoubleFault, S.ID, nil)
		f.ID = findingID(DoubleFault, S.ID, "more")
		f.Severity = Info
		f.Message = fmt.Sprintf("service %s has %d more double faults than the %d listed (policy.max_pairs)", S.ID, design.Dropped, len(design.Pairs))
		f.Remediation = "fix the listed pairs first; raise policy.max_pairs to see the rest"
		if a.Figures != nil {
			all, listed := pairSets(a.Figures.Services[s].Order2), pairSets(design.Pairs)
			a.downtime(&f, all...)
			*f.DowntimeMinutesPerYear -= a.Figures.CutSetMinutes(listed...)
		}
		out = append(out, f)
	}
	return out
}

// crossSiteFindings: a service that requires one with no member at its
// sites.
func (a *Analysis) crossSiteFindings(s int32) []Finding {
	g := a.G
	S := &g.Services[s]
	var out []Finding
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
