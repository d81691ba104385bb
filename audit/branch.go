package audit

// Branch circuits: a PDU that reports its branches (Redfish Branches, with
// a current and a rating) is judged per branch too, because a branch's
// breaker trips at its own rating long before the PDU's total capacity is
// reached. A branch is over the limit when its current is above
// policy.max_load_pct of its rating: now (overload), or after a single
// power failure moves load onto the PSUs plugged into it
// (failover-overload). The moving load is the devices' draws, as for the
// nodes, converted to current at the branch's voltage (else its outlets'
// voltage); a branch reporting no voltage is judged now but not on
// failover.

import (
	"fmt"
	"slices"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// BranchLoad is a branch circuit over the limit, now (Failed -1) or if a
// power node fails.
type BranchLoad struct {
	Node   int32  // power index of the PDU
	Branch string // the branch's id
	Failed int32  // power index of the failure, or -1 for now
	Amps   float64
	Rated  float64
	Now    float64 // its current now
}

// branchRef is a metered branch circuit the analysis follows.
type branchRef struct {
	node         int32
	id           string
	amps, rated  float64
	volts        float64 // 0: unknown
	overloadedAt float64 // the limit in amps
}

// branches finds the branch circuits over the limit now and after each
// power failure (dead lists what goes down with each node).
func branches(l *fault.Load, g *model.Graph, dead [][]int32, limit float64) []BranchLoad {
	refs := branchRefs(l, g, limit)
	var out []BranchLoad
	for _, r := range refs {
		if r.amps > r.overloadedAt+eps {
			out = append(out, BranchLoad{Node: r.node, Branch: r.id, Failed: -1, Amps: r.amps, Rated: r.rated, Now: r.amps})
		}
	}
	branchOf := branchOfPSU(g, refs)
	if len(branchOf) == 0 {
		return out
	}
	return branchFailover(l, g, dead, refs, branchOf, out)
}

// branchRefs lists the metered branch circuits of live nodes, by node and id.
func branchRefs(l *fault.Load, g *model.Graph, limit float64) []branchRef {
	var refs []branchRef
	for p, m := range g.Meters {
		if !l.Live[p] {
			continue
		}
		volts := map[string]float64{}
		for _, o := range m.Outlets {
			if o.Volts != nil && *o.Volts > 0 && volts[o.Branch] == 0 {
				volts[o.Branch] = *o.Volts
			}
		}
		for _, b := range m.Branches {
			if b.Amps == nil || b.RatedAmps == nil || *b.RatedAmps <= 0 {
				continue
			}
			r := branchRef{node: p, id: b.ID, amps: *b.Amps, rated: *b.RatedAmps, volts: volts[b.ID], overloadedAt: limit * *b.RatedAmps}
			if b.Volts != nil && *b.Volts > 0 {
				r.volts = *b.Volts
			}
			refs = append(refs, r)
		}
	}
	slices.SortFunc(refs, func(x, y branchRef) int {
		if x.node != y.node {
			return int(x.node - y.node)
		}
		return compareStrings(x.id, y.id)
	})
	return refs
}

// branchOfPSU is the branch each declared PSU is plugged into (by its
// metered outlet).
func branchOfPSU(g *model.Graph, refs []branchRef) map[int32]int {
	branchOf := map[int32]int{}
	if len(refs) > 0 {
		psuIdx := make(map[string]int32, len(g.PSUs))
		for i := range g.PSUs {
			psuIdx[g.PSUs[i].ID] = int32(i)
		}
		for bi, r := range refs {
			for _, o := range g.Meters[r.node].Outlets {
				if o.Branch != r.id {
					continue
				}
				for _, ps := range o.PSUs {
					if i, ok := psuIdx[ps.ID]; ok && g.PSUs[i].PDU == r.node {
						branchOf[i] = bi
					}
				}
			}
		}
	}
	return branchOf
}

// branchFailover adds to out the branches pushed over the limit by each
// single power failure: the devices losing PSUs re-split their draw.
func branchFailover(l *fault.Load, g *model.Graph, dead [][]int32, refs []branchRef, branchOf map[int32]int, out []BranchLoad) []BranchLoad {
	delta := make([]float64, len(refs))
	seen := make([]bool, len(g.Devices))
	for c := range g.Power {
		if !l.Live[c] {
			continue
		}
		isDead := map[int32]bool{}
		for _, n := range dead[c] {
			isDead[n] = true
		}
		var touched, devs []int
		lostPSU := func(q int32) bool { return l.LostWith(q, func(n int32) bool { return isDead[n] }) }
		for _, n := range dead[c] {
			for _, p := range l.PSUsAt(n) {
				d := g.PSUs[p].Device
				if !l.PSULive[p] || seen[d] || l.Share[d] == 0 {
					continue
				}
				seen[d] = true
				devs = append(devs, int(d))
				D := &g.Devices[d]
				newShare := l.NewShare(d, lostPSU)
				for _, q := range D.PSUs {
					bi, ok := branchOf[q]
					if !ok || !l.PSULive[q] || lostPSU(q) || refs[bi].volts == 0 {
						continue
					}
					if delta[bi] == 0 {
						touched = append(touched, bi)
					}
					delta[bi] += (newShare - l.Share[d]) / refs[bi].volts
				}
			}
		}
		for _, d := range devs {
			seen[d] = false
		}
		slices.Sort(touched)
		for _, bi := range touched {
			r := refs[bi]
			if now := r.amps + delta[bi]; now > r.overloadedAt+eps && delta[bi] > eps {
				out = append(out, BranchLoad{Node: r.node, Branch: r.id, Failed: int32(c), Amps: now, Rated: r.rated, Now: r.amps})
			}
			delta[bi] = 0
		}
	}
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// branchFindings reports the branch circuits over the limit: overload
// now, failover-overload per branch with every failure that would do it.
func (a *Analysis) branchFindings() []Finding {
	g, pr := a.G, a.Power
	var out []Finding
	type key struct {
		node   int32
		branch string
	}
	fail := map[key][]BranchLoad{}
	var order []key
	for _, b := range pr.Branches {
		P := &g.Power[b.Node]
		if b.Failed < 0 {
			f := newFinding(Overload, P.ID, nil)
			f.ID = findingID(Overload, P.ID, "branch", b.Branch)
			f.Message = fmt.Sprintf("%s branch circuit %s carries %.1f A (measured), %s of its %s A rating (limit %s): its breaker trips before %s's own capacity is reached",
				P.ID, b.Branch, b.Amps, pct(b.Amps/b.Rated), watts(b.Rated), pct(pr.Limit), P.ID)
			f.Remediation = fmt.Sprintf("move load off branch %s of %s onto another branch", b.Branch, P.ID)
			meterAt(&f, g.Meters[b.Node])
			out = append(out, f)
			continue
		}
		k := key{b.Node, b.Branch}
		if fail[k] == nil {
			order = append(order, k)
		}
		fail[k] = append(fail[k], b)
	}
	for _, k := range order {
		loads := fail[k]
		slices.SortStableFunc(loads, func(x, y BranchLoad) int { return a.nearer(g.Power[x.Failed].Comp, g.Power[y.Failed].Comp) })
		P := &g.Power[k.node]
		var causes []string
		for _, b := range loads {
			causes = append(causes, g.Power[b.Failed].ID)
		}
		worst := loads[0]
		f := newFinding(FailoverOverload, P.ID, causes)
		f.ID = findingID(FailoverOverload, P.ID, "branch", k.branch, causes[0])
		f.Message = fmt.Sprintf("%s branch circuit %s would carry %.1f A (%s of its %s A rating) if %s fails", P.ID, k.branch, worst.Amps, pct(worst.Amps/worst.Rated), watts(worst.Rated), causes[0])
		if len(causes) > 1 {
			f.Message += fmt.Sprintf(" (also if %s fails)", few(causes[1:], "or"))
		}
		f.Message += fmt.Sprintf("; it carries %.1f A now (measured): its breaker trips before %s's own capacity is reached", worst.Now, P.ID)
		for _, b := range loads {
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s fails: %s branch %s carries %.1f A", g.Power[b.Failed].ID, P.ID, k.branch, b.Amps))
		}
		f.Remediation = fmt.Sprintf("spread the PSUs on branch %s of %s over its other branches, so that no branch takes more than %s of its rating after a failure", k.branch, P.ID, pct(pr.Limit))
		meterAt(&f, g.Meters[k.node])
		out = append(out, f)
	}
	return out
}
