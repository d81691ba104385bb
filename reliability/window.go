package reliability

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// WindowMethod names how a maintenance window's risk is computed.
const WindowMethod = "rare-event approximation over the minimal cut sets of order 1 and 2 left with the batch out; each component fails within the window with probability 1 − exp(−afr × window / 8760 h); error bound: second Bonferroni term and order-3 truncation"

// Rates returns every component's failure rate and repair time, indexed
// like g.Comps, looked up as Unavailability looks them up (the
// component's own entry, its kind's default, the built-in figure); an
// inlet's is zero.
func Rates(g *model.Graph) []inventory.Figure {
	rel := &g.Inv.Reliability
	own := make(map[string]*inventory.Rate, len(rel.Components))
	for i := range rel.Components {
		own[rel.Components[i].ID] = &rel.Components[i]
	}
	byKind := map[string]inventory.Figure{}
	for _, k := range inventory.RateKinds {
		byKind[k] = rel.KindFigure(k)
	}
	out := make([]inventory.Figure, len(g.Comps))
	for c := range g.Comps {
		kind := kindOf(g, int32(c))
		if kind == "" {
			continue
		}
		if r := own[g.Comps[c].ID]; r != nil {
			out[c] = rel.Figure(kind, r)
		} else {
			out[c] = byKind[kind]
		}
	}
	return out
}

// WindowProbability is the probability that a component with annual
// failure rate afr fails at least once within a window of the given hours
// (failures a Poisson process): 1 − exp(−afr × hours / 8760).
func WindowProbability(afr, hours float64) float64 {
	return -math.Expm1(-afr * hours / YearHours)
}

// Window computes the risk of maintenance windows: for a set of
// components taken out (a plan's batch) on top of the failures of a state
// (the observed ones), the probability that each service the batch can
// reach goes down during the window, from the minimal cut sets left (of
// components still in service; order 1 and 2) with each component's
// probability of failing within the window. It is not safe for
// concurrent use; each Batch works on as many cores as GOMAXPROCS allows.
type Window struct {
	g      *model.Graph
	net    *fault.Fabric
	failed []bool // the state's failures (the window's own copy)
	x      *fault.Index
	p      []float64 // each component's window probability
	// base caches each service's risk with nothing taken out.
	base map[int32]Service
}

// NewWindow prepares the risk of windows of the given hours on the state
// of g with the given components failed (by component number: the
// observed failures; read only, copied), whose fabric is net, with each
// component's failure rate from rates (Rates(g)).
func NewWindow(g *model.Graph, net *fault.Fabric, failed []bool, rates []inventory.Figure, hours float64) *Window {
	failed = slices.Clone(failed)
	p := make([]float64, len(g.Comps))
	for c := range p {
		if !failed[c] {
			p[c] = WindowProbability(rates[c].AFR, hours)
		}
	}
	return &Window{g: g, net: net, failed: failed, x: fault.NewIndex(g, net), p: p, base: map[int32]Service{}}
}

// Risk is one service's risk during a window.
type Risk struct {
	Service int32
	// With is the service's figures with the batch out: Down when the
	// batch (with the state's failures) takes it down outright, else
	// Unavailability is the probability that it goes down during the
	// window (within ±ErrorBound), and Importance says which components'
	// failures that risk comes from.
	With Service
	// Without is the same window's figures with the batch in service.
	Without Service
}

// Batch returns the risk of every service that taking out the components
// can change, highest risk first (ties by service number). It stops with
// ctx's error when ctx is done.
func (w *Window) Batch(ctx context.Context, out []int32) ([]Risk, error) {
	var svcs []int32
	for _, c := range out {
		svcs = append(svcs, w.x.Reach(c).Services...)
	}
	slices.Sort(svcs)
	svcs = slices.Compact(svcs)
	if len(svcs) == 0 {
		return nil, nil
	}
	failed, p := slices.Clone(w.failed), slices.Clone(w.p)
	for _, c := range out {
		failed[c], p[c] = true, 0
	}
	with, err := w.figures(ctx, failed, p, svcs)
	if err != nil {
		return nil, err
	}
	var missing []int32
	for _, s := range svcs {
		if _, ok := w.base[s]; !ok {
			missing = append(missing, s)
		}
	}
	base, err := w.figures(ctx, w.failed, w.p, missing)
	if err != nil {
		return nil, err
	}
	for i, s := range missing {
		w.base[s] = base[i]
	}
	risks := make([]Risk, len(svcs))
	for i, s := range svcs {
		risks[i] = Risk{Service: s, With: with[i], Without: w.base[s]}
	}
	slices.SortStableFunc(risks, func(a, b Risk) int {
		return cmp.Compare(b.With.Unavailability, a.With.Unavailability)
	})
	return risks, nil
}

// figures computes the services' figures with the given components
// failed and window probabilities p, on as many cores as GOMAXPROCS
// allows, each worker with its own evaluator (failed and p are only
// read).
func (w *Window) figures(ctx context.Context, failed []bool, p []float64, svcs []int32) ([]Service, error) {
	out := make([]Service, len(svcs))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(svcs)/64))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			pairs := fault.NewPairs(w.g, w.net, fault.New(w.g, w.net, failed))
			acc := newAccum(len(w.g.Comps))
			for i := k; i < len(svcs); i += workers {
				if ctx.Err() != nil {
					return
				}
				out[i] = serviceFigures(w.g, pairs, svcs[i], p, acc)
			}
		})
	}
	wg.Wait()
	return out, ctx.Err()
}
