package audit

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/reliability"
)

// maxExactCone bounds the cones enumerated state by state (2^n states).
const maxExactCone = 11

// exact is a service's figures by enumerating every state of its cone
// with the naive oracle: the unavailability, each cone component's
// Birnbaum importance (U with it failed minus U with it up) and risk
// reduction (U − U with it never failing), and the minimal cut sets of
// order 1 and 2.
type exact struct {
	u            float64
	birn, rrw    map[int32]float64
	order1       map[int32]bool
	order2       map[[2]int32]bool
	states, down int
}

func enumerate(o *oracle.Oracle, g *model.Graph, s int32, cone []int32, q []float64) exact {
	svc := slices.IndexFunc(o.Inv.Services, func(x inventory.Service) bool { return x.ID == g.Services[s].ID })
	ex := exact{birn: map[int32]float64{}, rrw: map[int32]float64{}, order1: map[int32]bool{}, order2: map[[2]int32]bool{}}
	failedWith := map[int32]float64{} // P(down and c failed)
	upWith := map[int32]float64{}     // P(down and c up)
	downSets := map[uint32]bool{}
	for mask := uint32(0); mask < 1<<len(cone); mask++ {
		failed := make([]bool, len(o.Comps))
		p := 1.0
		for i, c := range cone {
			if mask&(1<<i) != 0 {
				failed[o.Index[g.ID(c)]] = true
				p *= q[c]
			} else {
				p *= 1 - q[c]
			}
		}
		if o.Eval(failed).Svc[svc] {
			continue
		}
		ex.down++
		downSets[mask] = true
		ex.u += p
		for i, c := range cone {
			if mask&(1<<i) != 0 {
				failedWith[c] += p
			} else {
				upWith[c] += p
			}
		}
	}
	ex.states = 1 << len(cone)
	for i, c := range cone {
		// P(down | c failed) − P(down | c up); and U − P(down | c up).
		var pf, pu float64
		if q[c] > 0 {
			pf = failedWith[c] / q[c]
		}
		if q[c] < 1 {
			pu = upWith[c] / (1 - q[c])
		}
		ex.birn[c] = pf - pu
		ex.rrw[c] = ex.u - pu
		if downSets[1<<i] {
			ex.order1[c] = true
		}
	}
	for i := range cone {
		for j := i + 1; j < len(cone); j++ {
			if downSets[1<<i|1<<j] && !downSets[1<<i] && !downSets[1<<j] {
				ex.order2[[2]int32{cone[i], cone[j]}] = true
			}
		}
	}
	return ex
}

// TestReliabilityAgainstExact: on small random cones, the figures'
// unavailability is within their stated error bound of the exact one,
// their cut sets of order 1 and 2 are exactly the enumeration's, and the
// most important component by Fussell–Vesely and by Birnbaum is (within
// rounding) the most important by the exact measures.
func TestReliabilityAgainstExact(t *testing.T) {
	n := 400
	if testing.Short() || raceEnabled {
		n = 120
	}
	checked, withPairs := 0, 0
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 21))
		inv := oracle.RandomInventory(r)
		o := oracle.New(inv)
		g, err := model.Build(inv, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		q := make([]float64, len(g.Comps))
		scale := []float64{1e-4, 1e-3, 1e-2, 0.1}[seed%4]
		for c := range q {
			if g.Kinds[c] != model.KindInlet {
				q[c] = scale * r.Float64()
			}
		}
		net := fault.NewFabric(g)
		design := fault.New(g, net, make([]bool, len(g.Comps)))
		fig := reliability.Compute(g, net, design, q)
		p := fault.NewPairs(g, net, design)
		for s := range g.Services {
			var cone []int32
			for _, c := range p.Cone(int32(s)) {
				if fault.Counts(g, int32(s), c) {
					cone = append(cone, c)
				}
			}
			if len(cone) > maxExactCone {
				continue
			}
			checked++
			if len(fig.Services[s].Order2) > 0 {
				withPairs++
			}
			qmax := 0.0
			for _, c := range cone {
				qmax = max(qmax, q[c])
			}
			checkExact(t, seed, g, int32(s), &fig.Services[s], enumerate(o, g, int32(s), cone, q), qmax)
		}
	}
	if checked < n/4 || withPairs < n/20 {
		t.Fatalf("only %d services had cones of at most %d components, %d with pairs", checked, maxExactCone, withPairs)
	}
	t.Logf("%d services enumerated, %d with pairs", checked, withPairs)
}

func checkExact(t *testing.T, seed int, g *model.Graph, s int32, f *reliability.Service, ex exact, qmax float64) {
	t.Helper()
	name := g.Services[s].ID
	if f.Down {
		if ex.down != ex.states {
			t.Fatalf("seed %d service %s: down on the design by the figures, up in %d of %d states", seed, name, ex.states-ex.down, ex.states)
		}
		return
	}
	if d := math.Abs(f.Unavailability - ex.u); d > f.ErrorBound*(1+1e-9)+1e-300 {
		t.Fatalf("seed %d service %s: unavailability %g, exact %g: off by %g, beyond the bound %g", seed, name, f.Unavailability, ex.u, d, f.ErrorBound)
	}
	if len(f.Order1) != len(ex.order1) || len(f.Order2) != len(ex.order2) {
		t.Fatalf("seed %d service %s: %d single and %d pair cut sets, enumeration %d and %d", seed, name, len(f.Order1), len(f.Order2), len(ex.order1), len(ex.order2))
	}
	for _, c := range f.Order1 {
		if !ex.order1[c] {
			t.Fatalf("seed %d service %s: %s is no single point of failure", seed, name, g.ID(c))
		}
	}
	for _, pr := range f.Order2 {
		if !ex.order2[pr] {
			t.Fatalf("seed %d service %s: {%s, %s} is no minimal pair", seed, name, g.ID(pr[0]), g.ID(pr[1]))
		}
	}
	if len(f.Importance) == 0 || ex.u == 0 {
		return
	}
	top := f.Importance[0]
	bestRRW, bestBirn, topBirn := 0.0, 0.0, f.Importance[0]
	for _, im := range f.Importance {
		bestRRW = max(bestRRW, ex.rrw[im.Component])
		bestBirn = max(bestBirn, ex.birn[im.Component])
		if im.Birnbaum > topBirn.Birnbaum {
			topBirn = im
		}
	}
	// The rare-event measures and the exact ones differ by terms of the
	// order of the q's; within that, the leader must be a leader.
	tol := 1 - 2*qmax
	if ex.rrw[top.Component] < tol*bestRRW {
		t.Errorf("seed %d service %s: top by Fussell–Vesely %s (exact %g), exact best %g", seed, name, g.ID(top.Component), ex.rrw[top.Component], bestRRW)
	}
	if ex.birn[topBirn.Component] < tol*bestBirn {
		t.Errorf("seed %d service %s: top by Birnbaum %s (exact %g), exact best %g", seed, name, g.ID(topBirn.Component), ex.birn[topBirn.Component], bestBirn)
	}
}
