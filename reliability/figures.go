package reliability

import (
	"cmp"
	"runtime"
	"sync"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// Method names how the figures are computed: the rare-event
// approximation (the sum of the minimal cut sets' probabilities) over
// every service's minimal cut sets of order 1 and 2, with an error bound
// that covers both the approximation and the cut sets of order 3 and more
// it leaves out.
const Method = "rare-event approximation over minimal cut sets of order 1 and 2; error bound: second Bonferroni term and order-3 truncation"

// MinutesPerYear is the year the downtime figures use, in minutes.
const MinutesPerYear = YearHours * 60

// Figures are the reliability figures of every service of a graph.
type Figures struct {
	// Q is every component's unavailability, by component number.
	Q []float64
	// Services are by service index.
	Services []Service
}

// Service is one service's figures.
type Service struct {
	// Down is true when the service is down with nothing failed (its
	// unavailability is then 1 and it has no cut sets).
	Down bool
	// Unavailability is the probability that the service is down at a
	// random moment of the long run (steady state).
	Unavailability float64
	// ErrorBound is the largest absolute error of Unavailability the
	// method allows: the true value is within ±ErrorBound of it.
	ErrorBound float64
	// Order1 and Order2 are the minimal cut sets the figures rest on, as
	// fault finds them: single components ascending, pairs ascending.
	Order1 []int32
	Order2 [][2]int32
	// Importance lists every component of a cut set, by Fussell–Vesely
	// importance, highest first (ties by component number).
	Importance []Importance
}

// DowntimeMinutes is the expected downtime a year, in minutes.
func (s *Service) DowntimeMinutes() float64 { return s.Unavailability * MinutesPerYear }

// Importance is one component's importance for one service.
type Importance struct {
	Component int32
	// FussellVesely is the share of the service's unavailability that
	// comes from cut sets containing the component (0..1): what fixing it
	// for good would save, as a share.
	FussellVesely float64
	// Birnbaum is ∂U/∂q: how much the service's unavailability grows per
	// unit of the component's; 1 for a single point of failure.
	Birnbaum float64
}

// Compute returns the figures of every service of g from the minimal cut
// sets fault finds on the design (nothing failed), with each component's
// unavailability q (by component number; Unavailability(g) gives the
// inventory's). net is g's fabric and design an evaluator of g with
// nothing failed. Compute works on as many cores as GOMAXPROCS allows:
// design serves the first worker (which may memoize more in it), the
// others evaluate with their own.
func Compute(g *model.Graph, net *fault.Fabric, design *fault.Evaluator, q []float64) *Figures {
	f := &Figures{Q: q, Services: make([]Service, len(g.Services))}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(g.Services)/64))
	var wg sync.WaitGroup
	for w := range workers {
		e := design
		if w > 0 {
			e = fault.New(g, net, make([]bool, len(g.Comps)))
		}
		wg.Go(func() {
			p := fault.NewPairs(g, net, e)
			acc := newAccum(len(g.Comps))
			for s := w; s < len(g.Services); s += workers {
				f.Services[s] = serviceFigures(g, p, int32(s), q, acc)
			}
		})
	}
	wg.Wait()
	return f
}

// serviceFigures computes one service's figures.
func serviceFigures(g *model.Graph, p *fault.Pairs, s int32, q []float64, acc *accum) Service {
	if !p.Up(s) {
		return Service{Down: true, Unavailability: 1}
	}
	out := Service{Order1: p.Cuts(s), Order2: p.Service(s)}
	u := 0.0
	for _, c := range out.Order1 {
		u += q[c]
		acc.add(c, q[c], 1)
	}
	for _, pr := range out.Order2 {
		a, b := pr[0], pr[1]
		pq := q[a] * q[b]
		u += pq
		acc.add(a, pq, q[b])
		acc.add(b, pq, q[a])
		acc.pair(a, pq)
		acc.pair(b, pq)
	}
	out.Unavailability = min(u, 1)
	b2 := acc.bonferroni(out.Order1, out.Order2, q)
	t3 := truncation(g, s, p.Cone(s), out.Order1, q)
	out.ErrorBound = min(max(b2, t3), 1)
	out.Importance = acc.drain(u)
	return out
}

// truncation bounds what the cut sets of order 3 and more add: each
// needs at least three failed components of the service's cone that
// count for it and are not single points of failure (a minimal cut set
// holds none), so together they happen with probability at most
// e3(q) ≤ (Σq)³/6 over those components.
func truncation(g *model.Graph, s int32, cone, order1 []int32, q []float64) float64 {
	sum := 0.0
	for _, c := range cone {
		if fault.Counts(g, s, c) {
			sum += q[c]
		}
	}
	for _, c := range order1 {
		sum -= q[c]
	}
	sum = max(sum, 0)
	return sum * sum * sum / 6
}

// CutSetMinutes is the expected downtime a year, in minutes, that the
// given cut sets account for: the sum of their probabilities (each the
// product of its components' unavailabilities) over the year. A finding
// that stands for several cut sets (a single point of failure with
// several causes, each alone a cut) accounts for their sum.
func (f *Figures) CutSetMinutes(sets ...[]int32) float64 {
	total := 0.0
	for _, set := range sets {
		p := 1.0
		for _, c := range set {
			p *= f.Q[c]
		}
		total += p
	}
	return total * MinutesPerYear
}

// byFV orders importances highest Fussell–Vesely first.
func byFV(a, b Importance) int {
	if c := cmp.Compare(b.FussellVesely, a.FussellVesely); c != 0 {
		return c
	}
	return cmp.Compare(a.Component, b.Component)
}
