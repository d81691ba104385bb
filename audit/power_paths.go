package audit

// Power paths for evidence: from a PSU up the chain to a cause.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/model"
)

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
		if P.Input >= 0 && c != g.Power[P.PDU].Comp { // an outlet bound to one input: the path goes through it
			if path := a.powerPath(g.Power[P.PDU].Inputs[P.Input], c); path != nil {
				out = append(out, P.ID+" -> "+g.Power[P.PDU].ID+" -> "+strings.Join(path, " -> "))
			}
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
