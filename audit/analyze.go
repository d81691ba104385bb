package audit

import (
	"context"
	"slices"
	"time"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/reliability"
)

// Analysis is the fault analysis of one graph: the design as declared and,
// when components are observed failed, the state as it is now.
type Analysis struct {
	G   *model.Graph
	net *fault.Fabric
	now time.Time

	// Design is evaluated with nothing failed; Current with the observed
	// failures (the same evaluator as Design when nothing is failed).
	Design, Current *fault.Evaluator

	DesignServices  []ServiceResult // by service index, nothing failed
	CurrentServices []ServiceResult // by service index, with the observed failures
	Devices         []DeviceResult  // by device index (design)
	Power           PowerResult     // now

	// designBlast counts, per component, the devices it makes unavailable on its
	// own (design): the "nearest first" order of causes. currentBlast is the
	// same under the observed state (designBlast when nothing is
	// failed).
	designBlast, currentBlast []int32

	// Figures are the reliability figures (Options.Reliability), else nil.
	Figures *reliability.Figures

	// attrib evaluates single observed failures, to name what spent a
	// service's redundancy.
	attrib       *fault.Evaluator
	attribFailed []bool
}

// ServiceResult is what can take a service down.
type ServiceResult struct {
	Up bool
	// Cuts are its single points of failure (sites only when dr: true).
	Cuts []int32
	// Pairs are its minimal double faults (tolerate: 2 only), nearest
	// first, at most the policy's limit; Dropped counts the rest.
	Pairs   [][2]int32
	Dropped int
}

// DeviceResult is what defeats a device's own redundancy: components
// outside it, its rack and its site that alone cut its power or network.
type DeviceResult struct {
	PowerCuts, NetCuts []int32
	// LostPower and LostNet are the components outside it that cut its
	// power or network now, because of observed failures, while by design
	// they do not (redundancy-lost), nearest first.
	LostPower, LostNet []int32
}

// Options tune the analysis.
type Options struct {
	// LoadLimit is the overload threshold as a fraction of capacity
	// (default: the inventory's policy, else 0.8).
	LoadLimit float64
	// MaxPairs caps double faults reported per service (default: policy, else 50).
	MaxPairs int
	// SkipPairs leaves out order-2 analysis (what-if and diff do not need it).
	SkipPairs bool
	// Reliability computes the reliability figures (Analysis.Figures, the
	// findings' share of downtime, ReliabilityReport): every service's
	// order-2 cut sets, whatever its tolerate.
	Reliability bool
	// Previous, when set, is an earlier analysis whose reliability figures
	// are reused if it analysed the same design (model.Graph.SameDesign):
	// the figures are the design's, so a serve loop whose inventory and
	// observed volumes did not change computes them once.
	Previous *Analysis
	// Now is the time of the audit, for the age of observed evidence (zero:
	// ages are not stated).
	Now time.Time
}

// Analyze runs every structural analysis over g.
func Analyze(g *model.Graph, opts Options) *Analysis {
	a, _ := AnalyzeContext(context.Background(), g, opts)
	return a
}

// AnalyzeContext is Analyze that stops when ctx is done (checked between
// its phases and every 1,024 devices), returning ctx's error.
func AnalyzeContext(ctx context.Context, g *model.Graph, opts Options) (*Analysis, error) {
	if opts.LoadLimit <= 0 {
		opts.LoadLimit = g.Inv.Policy.LoadLimit()
	}
	if opts.MaxPairs <= 0 {
		opts.MaxPairs = g.Inv.Policy.PairLimit()
	}
	a := &Analysis{G: g, net: fault.NewFabric(g), now: opts.Now}
	a.Design = fault.New(g, a.net, make([]bool, len(g.Comps)))
	a.Current = a.Design
	if slices.Contains(g.Failed, true) {
		a.Current = fault.New(g, a.net, g.Failed)
	}
	if err := a.devices(ctx); err != nil {
		return nil, err
	}
	a.currentBlast = a.designBlast
	a.DesignServices = a.services(a.Design)
	a.CurrentServices = a.DesignServices
	if a.Current != a.Design {
		a.currentBlast = make([]int32, len(g.Comps))
		for d := range g.Devices {
			for _, c := range a.Current.Cut(a.Current.Avail(int32(d))) {
				a.currentBlast[c]++
			}
		}
		a.CurrentServices = a.services(a.Current)
		a.devicesLost()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !opts.SkipPairs {
		a.pairs(opts.MaxPairs)
	}
	a.Power = a.power(a.Current, opts.LoadLimit)
	if opts.Reliability {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if p := opts.Previous; p != nil && p.Figures != nil && p.G.SameDesign(g) {
			a.Figures = p.Figures
		} else {
			a.reliability()
		}
	}
	return a, ctx.Err()
}

// devices evaluates every device's availability (design), counts each
// component's blast radius, and finds device-spof cuts.
func (a *Analysis) devices(ctx context.Context) error {
	g, e := a.G, a.Design
	a.designBlast = make([]int32, len(g.Comps))
	a.Devices = make([]DeviceResult, len(g.Devices))
	for d := range g.Devices {
		if d%1024 == 1023 && ctx.Err() != nil {
			return ctx.Err()
		}
		di := int32(d)
		av := e.Avail(di)
		for _, c := range e.Cut(av) {
			a.designBlast[c]++
		}
		D := &g.Devices[d]
		if !av.Up || (!D.PSUsRedundant && !D.LinksRedundant) {
			continue
		}
		own := a.ownTo(di)
		if D.PSUsRedundant {
			a.Devices[d].PowerCuts = a.sorted(filter(e.Cut(e.Powered(di)), own))
		}
		if D.LinksRedundant {
			a.Devices[d].NetCuts = a.sorted(filter(e.Cut(e.Net(di)), own))
		}
	}
	return nil
}

func filter(cut []int32, drop func(int32) bool) []int32 {
	var out []int32
	for _, c := range cut {
		if !drop(c) {
			out = append(out, c)
		}
	}
	return out
}

func (a *Analysis) services(e *fault.Evaluator) []ServiceResult {
	g := a.G
	out := make([]ServiceResult, len(g.Services))
	for s := range g.Services {
		v := e.Service(int32(s))
		out[s].Up = v.Up
		if !v.Up || g.Services[s].Tolerate < 1 {
			continue
		}
		dr := g.Services[s].DR
		cuts := filter(e.Cut(v), func(c int32) bool { return !dr && g.Kinds[c] == model.KindSite })
		if e == a.Design {
			out[s].Cuts = a.sorted(cuts)
		} else {
			out[s].Cuts = a.sortedCurrent(cuts)
		}
	}
	return out
}

// sorted orders components nearest first: smallest blast radius, then
// kind, then id.
func (a *Analysis) sorted(cs []int32) []int32 {
	slices.SortFunc(cs, a.nearer)
	return cs
}

var kindRank = [...]int{model.KindDevice: 0, model.KindPSU: 1, model.KindDrive: 2, model.KindLink: 3, model.KindPower: 4, model.KindRack: 5, model.KindSite: 6, model.KindInlet: 7, model.KindCable: 3}

// sortedCurrent orders components nearest first under the observed state.
func (a *Analysis) sortedCurrent(cs []int32) []int32 {
	slices.SortFunc(cs, func(x, y int32) int { return a.nearerBy(a.currentBlast, x, y) })
	return cs
}

func (a *Analysis) nearer(x, y int32) int { return a.nearerBy(a.designBlast, x, y) }

func (a *Analysis) nearerBy(blast []int32, x, y int32) int {
	if blast[x] != blast[y] {
		return int(blast[x] - blast[y])
	}
	kx, ky := a.G.Kinds[x], a.G.Kinds[y]
	if kx != ky {
		return kindRank[kx] - kindRank[ky]
	}
	if kx == model.KindPower {
		// Along a power chain the node nearer the load comes first.
		dx, dy := a.G.Power[a.G.Entities[x]].Depth, a.G.Power[a.G.Entities[y]].Depth
		if dx != dy {
			return int(dx - dy)
		}
	}
	if a.G.Comps[x].ID < a.G.Comps[y].ID {
		return -1
	}
	if a.G.Comps[x].ID > a.G.Comps[y].ID {
		return 1
	}
	return 0
}
