package audit

// The power nodes' findings: overload and failover-overload.

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

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
