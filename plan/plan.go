package plan

import (
	"cmp"
	"context"
	"github.com/faultline/faultline/audit"
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// Plan is a maintenance plan: the selected components in batches that
// may each be down at once, and those that may not go down at all yet.
type Plan struct {
	GeneratedAt time.Time `json:"generated_at"`
	// Maintain lists the components the selectors resolved to.
	Maintain []string  `json:"maintain"`
	Batches  []Batch   `json:"batches"`
	Blocked  []Blocked `json:"blocked"`
	// LowerBound is a proven lower bound on the number of batches of any
	// safe plan; the plan is optimal when it has that many.
	LowerBound int `json:"lower_bound"`
	// Witness are selected components no two of which may share a batch
	// (the clique behind the bound).
	Witness []string `json:"lower_bound_witness,omitempty"`
	// LowerBoundReason says what proves the bound.
	LowerBoundReason string `json:"lower_bound_reason"`
	MaxBatch         int    `json:"max_batch,omitempty"`
	KeepRedundancy   bool   `json:"keep_redundancy,omitempty"`
}

// Batch is a set of components that may be down at the same time.
type Batch struct {
	Components []string `json:"components"`
	// Degraded lists services that keep running but gain single points of
	// failure while the batch is down.
	Degraded []audit.Impact `json:"degraded"`
	// PeakLoad is the highest load of each power node with a capacity
	// whose load the batch raises, over every order its members go down.
	PeakLoad []PeakLoad `json:"peak_load"`
}

// PeakLoad is a power node's highest load during a batch.
type PeakLoad struct {
	ID        string  `json:"id"`
	Watts     float64 `json:"watts"`
	CapacityW float64 `json:"capacity_w"`
}

// Blocked is a selected component that is unsafe to take down even alone.
type Blocked struct {
	Component string `json:"component"`
	// Down lists what it would take down (services) or overload (power).
	Down []audit.Impact `json:"down"`
	// Degraded lists services it would leave with a new single point of
	// failure (only with keep-redundancy).
	Degraded []audit.Impact `json:"degraded,omitempty"`
	// FixFirst are observed failures whose repair alone makes it safe.
	FixFirst []string `json:"fix_first"`
}

// Options tune a plan.
type Options struct {
	// KeepRedundancy also forbids a batch that leaves a service with a
	// single point of failure it does not have now.
	KeepRedundancy bool
	// MaxBatch caps the components per batch (0: no cap).
	MaxBatch int
	// At stamps the plan (default: now).
	At time.Time
}

// pairBudget caps the pair checks behind the lower bound's conflict graph
// (with one per component plus 1,000 below it, most shared pairs first).
// Fewer checks can only weaken the bound, never make it wrong: every edge
// is a verified conflict.
const pairBudget = 200_000

// planner holds one planning run.
type planner struct {
	g     *model.Graph
	a     *audit.Analysis
	index *fault.Index
	opts  Options
	effs  map[int32]*fault.Reach
	check *checker
	// fixed holds checkers on the state with one observed failure repaired.
	fixed map[int32]*checker
	// ctx stops the run: its loops check it every few steps (stopped).
	ctx   context.Context
	steps int
}

// stopped reports whether the run's context is done, checking it every
// 16th call (each step is a check of a component or a pair: ~0.1–4 ms).
func (p *planner) stopped() bool {
	p.steps++
	return p.steps%16 == 0 && p.ctx.Err() != nil
}

func (p *planner) effect(c int32) *fault.Reach {
	if ef, ok := p.effs[c]; ok {
		return ef
	}
	ef := p.index.Reach(c)
	p.effs[c] = ef
	return ef
}

func newPlanner(g *model.Graph, base *audit.Analysis, opts Options) *planner {
	p := &planner{g: g, a: base, index: fault.NewIndex(g, base.Fabric()), opts: opts, effs: map[int32]*fault.Reach{}, ctx: context.Background()}
	p.check = newChecker(base, p.index, p.effect, opts.KeepRedundancy)
	return p
}

// Maintenance plans taking the selected components down: batches that
// are each safe on the current state of g (its observed failures already
// failed), as few as it can find, and the components that are unsafe even
// alone with the observed failures whose repair would unblock them. base
// is the analysis of g (computed when nil).
func Maintenance(g *model.Graph, base *audit.Analysis, selectors []string, opts Options) (*Plan, error) {
	return MaintenanceContext(context.Background(), g, base, selectors, opts)
}

// MaintenanceContext is Maintenance that stops when ctx is done,
// returning ctx's error: every loop over the selection checks it.
func MaintenanceContext(ctx context.Context, g *model.Graph, base *audit.Analysis, selectors []string, opts Options) (*Plan, error) {
	sel, err := Select(g, selectors)
	if err != nil {
		return nil, err
	}
	if base == nil {
		base = audit.Analyze(g, audit.Options{SkipPairs: true})
	}
	if opts.At.IsZero() {
		opts.At = time.Now().UTC()
	}
	p := newPlanner(g, base, opts)
	p.ctx = ctx
	plan := &Plan{GeneratedAt: opts.At, Maintain: base.Names(slices.Clone(sel)), Batches: []Batch{}, Blocked: []Blocked{},
		MaxBatch: max(opts.MaxBatch, 0), KeepRedundancy: opts.KeepRedundancy}

	// Each component alone.
	var ok []int32 // local indexes of components safe alone
	var blocked []int32
	for i, c := range sel {
		if p.stopped() {
			return nil, ctx.Err()
		}
		if p.check.try(c) {
			ok = append(ok, int32(i))
		} else {
			blocked = append(blocked, c)
		}
		p.check.reset()
	}
	edges := newEdgeSet()
	for _, c := range blocked {
		if p.stopped() {
			return nil, ctx.Err()
		}
		plan.Blocked = append(plan.Blocked, p.blocked(c))
	}
	p.pairs(sel, ok, edges)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// Order: most conflicts first (they are hardest to place), then the
	// widest effect, then inventory order.
	order := slices.Clone(ok)
	slices.SortStableFunc(order, func(x, y int32) int {
		if d := cmp.Compare(edges.degree(y), edges.degree(x)); d != 0 {
			return d
		}
		return cmp.Compare(len(p.effect(sel[y]).Services), len(p.effect(sel[x]).Services))
	})
	batches := p.batches(sel, order)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, b := range batches {
		plan.Batches = append(plan.Batches, p.describe(b))
	}
	p.degradedAll(batches, plan.Batches)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	p.lowerBound(plan, sel, ok, edges)
	return plan, nil
}

// lowerBound sets the plan's lower bound on the number of batches, its
// witnesses and its reason: the largest clique of pairwise conflicts it
// finds, the batch cap, or a service's disruption budget, whichever is
// highest.
func (p *planner) lowerBound(plan *Plan, sel, ok []int32, edges *edgeSet) {
	opts := p.opts
	clique := edges.clique(ok)
	var cs []int32
	for _, i := range clique {
		cs = append(cs, sel[i])
	}
	slices.Sort(cs)
	switch {
	case len(ok) == 0:
		plan.LowerBoundReason = audit.BoundNothingToPlace
	case len(clique) > 1:
		plan.LowerBound = len(clique)
		plan.Witness = p.a.Names(cs)
		plan.LowerBoundReason = audit.BoundCliqueReason(plan.Witness)
	default:
		plan.LowerBound = 1
		plan.LowerBoundReason = audit.BoundSomething
	}
	if m := opts.MaxBatch; m > 0 && (len(ok)+m-1)/m > plan.LowerBound {
		plan.LowerBound = (len(ok) + m - 1) / m
		plan.Witness = nil
		plan.LowerBoundReason = audit.BoundCapReason(len(ok), m)
	}
	if lb, why := p.budgetBound(sel, ok); lb > plan.LowerBound {
		plan.LowerBound = lb
		plan.Witness = nil
		plan.LowerBoundReason = why
	}
}

// budgetBound is the disruption-budget bound: a service that is up with
// u members available and needs k may lose at most u−k of them in one
// batch, so n of its member devices selected need ⌈n/(u−k)⌉ batches.
// (Pairwise conflicts miss this: any two members of a 2-of-4 service may
// go together, but not three.)
func (p *planner) budgetBound(sel, ok []int32) (int, string) {
	g, a := p.g, p.a
	isOK := map[int32]bool{}
	for _, i := range ok {
		isOK[sel[i]] = true
	}
	best, why := 0, ""
	for s := range g.Services {
		if !a.CurrentServices[s].Up {
			continue
		}
		S := &g.Services[s]
		avail := 0
		var picked []string
		for _, m := range S.Members {
			switch {
			case m.Device >= 0 && a.Current.Avail(m.Device).Up:
				avail++
				if c := g.Devices[m.Device].Comp; isOK[c] {
					picked = append(picked, g.ID(c))
				}
			case m.Service >= 0 && a.CurrentServices[m.Service].Up:
				avail++
			}
		}
		budget := avail - S.MinUp
		if budget < 1 || len(picked) <= budget {
			continue
		}
		if n := (len(picked) + budget - 1) / budget; n > best {
			best = n
			why = audit.BoundBudgetReason(S.ID, S.MinUp, avail, budget, picked)
		}
	}
	return best, why
}

// batches fills one batch at a time: each candidate, in order, joins the
// batch being filled if the whole batch stays safe with it (the check is
// of the batch, not of pairs: three members of a 2-of-4 service conflict
// though no two do), else waits for a later batch.
func (p *planner) batches(sel []int32, order []int32) [][]int32 {
	var out [][]int32
	k := p.check
	for len(order) > 0 {
		var batch, rest []int32
		for _, i := range order {
			if p.stopped() {
				k.reset()
				return out
			}
			c := sel[i]
			if p.opts.MaxBatch > 0 && len(batch) >= p.opts.MaxBatch {
				rest = append(rest, i)
				continue
			}
			if !k.try(c) {
				rest = append(rest, i)
				continue
			}
			batch = append(batch, c)
		}
		k.reset()
		out = append(out, batch) // in the order accepted: describe replays it
		order = rest
	}
	return out
}

// describe lists a batch's components and the peak loads it causes
// (degradedAll adds what it degrades).
func (p *planner) describe(batch []int32) Batch {
	g, k := p.g, p.check
	b := Batch{Components: p.a.Names(slices.Sorted(slices.Values(batch))), Degraded: []audit.Impact{}, PeakLoad: []PeakLoad{}}
	// Peak loads: replay the batch's power components in the order they
	// were accepted (each within the exact check's reach then); each one's
	// check covers every subset it completes.
	peak := map[int32]float64{}
	var pow []int32
	for _, c := range batch {
		if !p.effect(c).Power {
			continue
		}
		_, peaks, _, _ := k.loadOK(c, pow)
		for _, nl := range peaks {
			peak[nl.node] = max(peak[nl.node], nl.watts)
		}
		pow = append(pow, c)
	}
	var nodes []int32
	for n, w := range peak {
		if w > k.loads.now[n]+fault.Eps {
			nodes = append(nodes, n)
		}
	}
	slices.Sort(nodes)
	for _, n := range nodes {
		b.PeakLoad = append(b.PeakLoad, PeakLoad{ID: g.Power[n].ID, Watts: roundW(peak[n]), CapacityW: g.Power[n].CapacityW})
	}
	return b
}

// degradedAll fills each batch's Degraded: the services that keep running
// but gain single points of failure while it is down. Batches are
// independent, so they are evaluated in parallel, one evaluator per
// worker; what the workers share they only read (the cuts now are built
// first).
func (p *planner) degradedAll(batches [][]int32, out []Batch) {
	g := p.g
	for s := range g.Services {
		if p.a.CurrentServices[s].Up && g.Services[s].Tolerate >= 1 {
			p.check.cutsNow(int32(s))
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(batches))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		d := newDescriber(p, p.check.work, p.check.e)
		if w > 0 {
			d.work = slices.Clone(p.check.base)
			d.e = fault.New(g, p.a.Fabric(), d.work)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if p.ctx.Err() != nil {
					continue // drain: the caller returns the context's error
				}
				out[i].Degraded = d.degraded(batches[i])
			}
		}()
	}
	for i := range batches {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// describer evaluates what batches degrade, with its own evaluator.
type describer struct {
	p          *planner
	work       []bool
	e          *fault.Evaluator
	mark       []uint32 // by device: own state the batch can change
	availMark  []uint32 // by device: availability the batch can change
	svcMark    []uint32 // by service: state the batch can change
	round      uint32
	svcs, walk []int32
}

func newDescriber(p *planner, work []bool, e *fault.Evaluator) *describer {
	g := p.g
	return &describer{p: p, work: work, e: e, mark: make([]uint32, len(g.Devices)),
		availMark: make([]uint32, len(g.Devices)), svcMark: make([]uint32, len(g.Services))}
}

func (d *describer) degraded(batch []int32) []audit.Impact {
	out := d.impacts(d.seed(batch))
	for _, c := range batch {
		d.work[c] = d.p.check.base[c]
	}
	return out
}

// seed starts a new evaluation with the batch failed, seeded with the
// values now of what it cannot reach, and evaluates the availability it
// can change; it returns the services it can change, ascending.
func (d *describer) seed(batch []int32) []int32 {
	p, g, e, base := d.p, d.p.g, d.e, d.p.a.Current
	d.round++
	round := d.round
	svcs := d.svcs[:0]
	for _, c := range batch {
		d.work[c] = true
		ef := p.effs[c] // every member's effect was computed when it was tried
		for _, s := range ef.Services {
			if d.svcMark[s] != round {
				d.svcMark[s] = round
				svcs = append(svcs, s)
			}
		}
		for _, dev := range ef.Devices {
			d.mark[dev] = round
		}
		for _, dev := range ef.Avail {
			d.availMark[dev] = round
		}
	}
	slices.Sort(svcs)
	d.svcs = svcs
	e.Next()
	// Every device the batch cannot reach keeps its value now, cut set
	// and all (a device's own state depends only on its cone): copying it
	// is cheaper than re-deriving the power chain's cut sets. A device the
	// batch takes down itself is down, whatever its power.
	for dev := range g.Devices {
		if d.mark[dev] == round {
			if d.work[g.Devices[dev].Comp] {
				e.SetDeviceDown(int32(dev))
			}
			continue
		}
		e.CopyDevice(int32(dev), base)
	}
	// The same for availability and for the services the batch cannot
	// reach that those it can reach depend on (members and requirements).
	d.walk = d.walk[:0]
	seedSvc := func(s int32) {
		if d.svcMark[s] == round {
			return
		}
		d.svcMark[s] = round
		e.CopyService(s, base)
	}
	for _, s := range svcs {
		S := &g.Services[s]
		for _, m := range S.Members {
			switch {
			case m.Service >= 0:
				seedSvc(m.Service)
			case d.availMark[m.Device] != round:
				e.CopyAvail(m.Device, base)
			}
		}
		for _, r := range S.Requires {
			seedSvc(r)
		}
	}
	// What the batch can change, in device order first: the services'
	// members are drawn from all over the fleet, and visiting them in
	// their services' order costs a cache miss a step.
	for dev := range g.Devices {
		if d.availMark[dev] == round {
			e.Avail(int32(dev))
		}
	}
	return svcs
}

// impacts lists the services of svcs that keep running after the seeded
// evaluation but gain single points of failure.
func (d *describer) impacts(svcs []int32) []audit.Impact {
	p, g, e := d.p, d.p.g, d.e
	out := []audit.Impact{}
	for _, s := range svcs {
		if !p.a.CurrentServices[s].Up || g.Services[s].Tolerate < 1 {
			continue
		}
		v := e.Service(s)
		if !v.Up {
			continue // cannot happen: the batch was checked
		}
		old := p.check.nowCuts[s]
		var fresh []int32
		dr := g.Services[s].DR
		for _, c := range e.Cut(v) {
			if !dr && g.Kinds[c] == model.KindSite {
				continue
			}
			if _, found := slices.BinarySearch(old, c); !found {
				fresh = append(fresh, c)
			}
		}
		if len(fresh) > 0 {
			names := p.a.Names(p.a.NearestFirst(fresh))
			out = append(out, audit.DegradedImpact(g.Services[s].ID, names))
		}
	}
	return out
}

func roundW(w float64) float64 { return math.Round(w) }

// cand is a pair of selected components (local indexes i < j) that share
// n services or loaded nodes: a candidate conflict.
type cand struct{ i, j, n int32 }

// mostSharedFirst orders candidates most shared first (a counting sort:
// counts are small), then in generation order, which is deterministic.
func mostSharedFirst(cands []cand) []cand {
	maxN := int32(0)
	for _, c := range cands {
		maxN = max(maxN, c.n)
	}
	at := make([]int, maxN+2)
	for _, c := range cands {
		at[maxN-c.n+1]++
	}
	for i := 1; i < len(at); i++ {
		at[i] += at[i-1]
	}
	sorted := make([]cand, len(cands))
	for _, c := range cands {
		sorted[at[maxN-c.n]] = c
		at[maxN-c.n]++
	}
	return sorted
}

// pairs finds pairwise conflicts (the lower bound's graph, and the
// order's degrees): only pairs whose effects meet — a service up now, or a
// node's load — can conflict. Pairs sharing the most are checked first,
// within a budget; every edge is a verified conflict, so a budget that
// ends the search early weakens the bound but never falsifies it.
func (p *planner) pairs(sel []int32, ok []int32, edges *edgeSet) {
	bySvc := make([][]int32, len(p.g.Services))
	byNode := make([][]int32, len(p.g.Power))
	for _, i := range ok {
		ef := p.effect(sel[i])
		for _, s := range ef.Services {
			if p.a.CurrentServices[s].Up {
				bySvc[s] = append(bySvc[s], i)
			}
		}
		if ef.Power {
			for _, n := range ef.Loads {
				byNode[n] = append(byNode[n], i)
			}
		}
	}
	var cands []cand
	cnt := make([]int32, len(sel))
	var touched []int32
	const wide = 256 // a service or node shared wider is not enumerated pairwise
	for _, i := range ok {
		ef := p.effect(sel[i])
		bump := func(list []int32) {
			if len(list) > wide {
				return
			}
			for _, j := range list {
				if j > i {
					if cnt[j] == 0 {
						touched = append(touched, j)
					}
					cnt[j]++
				}
			}
		}
		for _, s := range ef.Services {
			bump(bySvc[s])
		}
		if ef.Power {
			for _, n := range ef.Loads {
				bump(byNode[n])
			}
		}
		for _, j := range touched {
			cands = append(cands, cand{i, j, cnt[j]})
			cnt[j] = 0
		}
		touched = touched[:0]
	}
	cands = mostSharedFirst(cands)
	budget := min(len(cands), pairBudget, len(ok)+1000)
	k := p.check
	var common []int32
	for _, c := range cands[:budget] {
		if p.stopped() {
			return
		}
		x, y := sel[c.i], sel[c.j]
		k.apply(x) // safe alone: checked
		common = shared(common, p.effect(x).Services, p.effect(y).Services)
		if !k.tryOn(y, common) {
			edges.add(c.i, c.j)
		}
		k.reset()
	}
}

// blocked explains a component that is unsafe alone, and finds the
// observed failures whose repair alone makes it safe.
func (p *planner) blocked(c int32) Blocked {
	down, degraded := p.check.explain(c)
	b := Blocked{Component: p.g.ID(c), Down: down, Degraded: degraded, FixFirst: []string{}}
	if b.Down == nil {
		b.Down = []audit.Impact{}
	}
	ec := p.effect(c)
	var fixes []int32
	for f, failed := range p.g.Failed {
		if !failed {
			continue
		}
		ef := p.effect(int32(f))
		if !meets(ef.Services, ec.Services) && !(ef.Power && ec.Power && meets(ef.Loads, ec.Loads)) {
			continue
		}
		k := p.repaired(int32(f))
		if k.try(c) {
			fixes = append(fixes, int32(f))
		}
		k.reset()
	}
	b.FixFirst = p.a.Names(p.a.NearestFirst(fixes))
	return b
}

// repaired returns a checker on the state with observed failure f
// repaired (cached: several blocked components may ask).
func (p *planner) repaired(f int32) *checker {
	if p.fixed == nil {
		p.fixed = map[int32]*checker{}
	}
	if k, ok := p.fixed[f]; ok {
		return k
	}
	failed := slices.Clone(p.g.Failed)
	failed[f] = false
	failures := maps.Clone(p.g.Failures)
	delete(failures, f)
	a := audit.Analyze(p.g.WithFailed(failed, failures), audit.Options{SkipPairs: true, LoadLimit: p.a.Power.Limit})
	k := newChecker(a, p.index, p.effect, p.opts.KeepRedundancy)
	p.fixed[f] = k
	return k
}
