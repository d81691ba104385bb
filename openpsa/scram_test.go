package openpsa_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/openpsa"
	"github.com/faultline/faultline/reliability"
)

// subject is one random inventory of the differential test: its graph,
// the probabilities the export and the figures share, the figures, and
// the prefix its export's names carry in the batch.
type subject struct {
	seed   int
	g      *model.Graph
	q      []float64
	fig    *reliability.Figures
	prefix string
	byName map[string]int32 // event name (with prefix) -> component
}

func newSubject(t *testing.T, seed int) *subject {
	r := rand.New(rand.NewPCG(uint64(seed), 2121))
	g, err := model.Build(oracle.RandomInventory(r), nil)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	// Probabilities over four scales: the rare-event approximation is
	// tight at the small ones and visibly approximate at 0.1.
	scale := []float64{1e-4, 1e-3, 1e-2, 0.1}[seed%4]
	q := make([]float64, len(g.Comps))
	for c := range q {
		if g.Kinds[c] != model.KindInlet {
			q[c] = scale * (0.05 + r.Float64())
		}
	}
	net := fault.NewFabric(g)
	design := fault.New(g, net, make([]bool, len(g.Comps)))
	s := &subject{seed: seed, g: g, q: q, fig: reliability.Compute(g, net, design, q),
		prefix: fmt.Sprintf("i%d-", seed), byName: map[string]int32{}}
	for c := range g.Comps {
		s.byName[s.prefix+openpsa.EventName(g, int32(c))] = int32(c)
	}
	return s
}

// TestScramDifferential: over hundreds of random inventories, for every
// service, SCRAM's minimal cut sets of order 1 and 2 of the exported tree
// are faultline's (package fault), SCRAM's exact (BDD) probability is
// within the error bound faultline states of its unavailability, and
// SCRAM's importance factors agree with faultline's, ranking included,
// within what that bound allows.
func TestScramDifferential(t *testing.T) {
	bin := scram(t)
	n, batch := 240, 40
	if raceEnabled || testing.Short() {
		n = 80
	}
	var services, pairs atomic.Int64
	t.Run("batches", func(t *testing.T) {
		for start := 0; start < n; start += batch {
			end := min(start+batch, n)
			t.Run(fmt.Sprintf("seeds-%d-%d", start, end-1), func(t *testing.T) {
				t.Parallel()
				s, p := checkBatch(t, bin, start, end)
				services.Add(int64(s))
				pairs.Add(int64(p))
			})
		}
	})
	t.Logf("%d inventories, %d services, %d order-2 cut sets checked against SCRAM", n, services.Load(), pairs.Load())
	if services.Load() < int64(n) || pairs.Load() == 0 {
		t.Errorf("too little checked: %d services, %d order-2 cut sets", services.Load(), pairs.Load())
	}
}

// checkBatch exports the inventories of seeds [from, to) into one SCRAM
// run for the cut sets (MOCUS) and one for probability and importance
// (BDD), and compares every service.
func checkBatch(t *testing.T, bin string, from, to int) (services, pairs int) {
	dir := t.TempDir()
	var subjects []*subject
	var files []string
	for seed := from; seed < to; seed++ {
		s := newSubject(t, seed)
		subjects = append(subjects, s)
		files = append(files, export(t, dir, s.prefix, s.g, s.q))
	}
	mocus := runScram(t, bin, []string{"--mocus", "--limit-order", "2"}, files...).tops(t)
	bdd := runScram(t, bin, []string{"--bdd", "--limit-order", "2", "--probability", "true", "--importance", "true"}, files...).tops(t)
	for _, s := range subjects {
		for i := range s.g.Services {
			name := s.prefix + openpsa.TopName(s.g.Services[i].ID)
			if mocus[name] == nil || bdd[name] == nil {
				t.Errorf("seed %d: service %s: no top event %s in SCRAM's report", s.seed, s.g.Services[i].ID, name)
				continue
			}
			s.checkCutSets(t, int32(i), mocus[name])
			s.checkFigures(t, int32(i), bdd[name])
			services++
			pairs += len(s.fig.Services[i].Order2)
		}
	}
	return services, pairs
}

// checkCutSets compares SCRAM's minimal cut sets of order ≤ 2 with
// fault's.
func (s *subject) checkCutSets(t *testing.T, i int32, tp *top) {
	f := &s.fig.Services[i]
	var want []string
	if f.Down {
		want = append(want, "{}") // down with nothing failed: the empty cut set
	}
	for _, c := range f.Order1 {
		want = append(want, "{"+s.g.ID(c)+"}")
	}
	for _, p := range f.Order2 {
		want = append(want, "{"+strings.Join(sortedIDs(s.g, p[:]), " ")+"}")
	}
	var got []string
	for _, set := range tp.products {
		var ids []int32
		for _, name := range set {
			c, ok := s.byName[name]
			if !ok {
				t.Fatalf("seed %d: SCRAM names event %s, which is no component", s.seed, name)
			}
			ids = append(ids, c)
		}
		got = append(got, "{"+strings.Join(sortedIDs(s.g, ids), " ")+"}")
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("seed %d: service %s: minimal cut sets of order ≤ 2\nfaultline: %v\nSCRAM:     %v", s.seed, s.g.Services[i].ID, want, got)
	}
}

func sortedIDs(g *model.Graph, cs []int32) []string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, g.ID(c))
	}
	slices.Sort(ids)
	return ids
}

// checkFigures compares the unavailability with SCRAM's exact (BDD)
// probability, and the importance factors. With U the exact probability,
// faultline's Fussell–Vesely N/U' of a component (N the rare-event sum
// of its cut sets) is within 3·bound/U' of the exact 1 − U(q=0)/U, and
// its Birnbaum N/q within 2·bound/q of the exact ∂U/∂q, since U is
// linear in each q and the bound holds at q = 0 too.
func (s *subject) checkFigures(t *testing.T, i int32, tp *top) {
	f := &s.fig.Services[i]
	id := s.g.Services[i].ID
	slack := 1e-15 + 5e-6*tp.prob // SCRAM prints six significant digits
	if d := math.Abs(f.Unavailability - tp.prob); d > f.ErrorBound+slack {
		t.Errorf("seed %d: service %s: unavailability %g, SCRAM's exact %g: off by %g, beyond the stated bound %g", s.seed, id, f.Unavailability, tp.prob, d, f.ErrorBound)
	}
	if f.Down || f.Unavailability == 0 {
		return
	}
	fvTol := 3*f.ErrorBound/f.Unavailability + 2e-5 // SCRAM's six digits
	fv := map[int32]float64{}
	for _, imp := range f.Importance {
		name := s.prefix + openpsa.EventName(s.g, imp.Component)
		fv[imp.Component] = imp.FussellVesely
		if got, ok := tp.fv[name]; !ok || math.Abs(got-imp.FussellVesely) > fvTol {
			t.Errorf("seed %d: service %s: %s: Fussell–Vesely %g, SCRAM %g (tolerance %g)", s.seed, id, s.g.ID(imp.Component), imp.FussellVesely, got, fvTol)
		}
		q := s.q[imp.Component]
		if got := tp.mif[name]; math.Abs(got-imp.Birnbaum) > 2*f.ErrorBound/q+2e-5*got+1e-12 {
			t.Errorf("seed %d: service %s: %s: Birnbaum %g, SCRAM %g", s.seed, id, s.g.ID(imp.Component), imp.Birnbaum, got)
		}
	}
	s.checkRanking(t, i, tp, fv, fvTol)
}

// checkRanking: wherever faultline ranks one component above another by
// more than the tolerance, SCRAM ranks them the same way; a component
// faultline leaves out (in cut sets of order 3 or more only) SCRAM ranks
// within the tolerance of nothing.
func (s *subject) checkRanking(t *testing.T, i int32, tp *top, fv map[int32]float64, tol float64) {
	id := s.g.Services[i].ID
	imps := s.fig.Services[i].Importance
	for a := range imps {
		for b := a + 1; b < len(imps); b++ {
			x, y := imps[a].Component, imps[b].Component
			if fv[x] > fv[y]+2*tol && !(tp.fv[s.prefix+openpsa.EventName(s.g, x)] > tp.fv[s.prefix+openpsa.EventName(s.g, y)]) {
				t.Errorf("seed %d: service %s: faultline ranks %s above %s, SCRAM does not", s.seed, id, s.g.ID(x), s.g.ID(y))
			}
		}
	}
	for name, v := range tp.fv {
		if c, ok := s.byName[name]; ok && v > tol {
			if _, listed := fv[c]; !listed {
				t.Errorf("seed %d: service %s: SCRAM gives %s Fussell–Vesely %g; faultline does not rank it", s.seed, id, s.g.ID(c), v)
			}
		}
	}
}
