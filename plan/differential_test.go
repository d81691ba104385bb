package plan

import (
	"fmt"
	"github.com/faultline/faultline/fault"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/model"
)

// TestDifferentialPlan checks plans against the naive oracle on random
// inventories, with and without observed failures: every selected
// component is in exactly one batch or blocked; every batch is safe
// (every service up now stays up, no power node is pushed over the limit
// by any subset of the batch — every prefix of every order — and with
// keep-redundancy no service gains a single point of failure); every
// blocked component is unsafe alone, and each repair it names makes it
// safe; the lower bound's witnesses conflict pairwise and the plan has at
// least that many batches. (Make's full differential run picks it up by
// name, without the race detector.)
func TestDifferentialPlan(t *testing.T) {
	n := 3000
	if testing.Short() || raceEnabled {
		n = 300
	}
	var batches, blocked, fixes int
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 13))
		inv := oracle.RandomInventory(r)
		o := oracle.New(inv)
		failed := map[string]string{}
		if seed%2 == 1 {
			for _, c := range oracle.Pick(r, o.Causes(), 1+r.IntN(3)) {
				failed[c] = "test"
			}
			if in := o.Inlets(); len(in) > 0 && r.IntN(2) == 0 {
				failed[in[r.IntN(len(in))]] = "test" // an inlet lost on a multi-input node
			}
		}
		g, err := model.Build(inv, oracle.Overlay(failed))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		pool := o.Causes()
		if seed%4 >= 2 {
			// Power components, where load in every order matters.
			pool = nil
			for c, k := range o.Kind {
				if k == "power" || k == "psu" || k == "rack" {
					pool = append(pool, o.Comps[c])
				}
			}
		}
		sels := oracle.Pick(r, pool, 1+r.IntN(10))
		opts := Options{KeepRedundancy: r.IntN(3) == 0}
		if r.IntN(3) == 0 {
			opts.MaxBatch = 1 + r.IntN(3)
		}
		p, err := Maintenance(g, nil, sels, opts)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if msg := verifyPlan(o, failed, sels, opts, p); msg != "" {
			t.Fatalf("seed %d (keep %v, max %d, failed %v, maintain %v): %s", seed, opts.KeepRedundancy, opts.MaxBatch, keys(failed), sels, msg)
		}
		batches += len(p.Batches)
		blocked += len(p.Blocked)
		for _, b := range p.Blocked {
			fixes += len(b.FixFirst)
		}
	}
	// The random cases must exercise every part of the check.
	if batches == 0 || blocked == 0 || fixes == 0 {
		t.Fatalf("weak test: %d batches, %d blocked, %d repairs named", batches, blocked, fixes)
	}
	t.Logf("%d inventories: %d batches, %d blocked, %d repairs named", n, batches, blocked, fixes)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// oracleJudge is the naive safety judgement of a set of components going
// down on top of a baseline failure set.
type oracleJudge struct {
	o     *oracle.Oracle
	base  []bool
	now   *oracle.State
	load  []float64
	cuts  [][]string // per service: cuts now (sites only when dr)
	keep  bool
	limit float64
}

func newJudge(o *oracle.Oracle, base []bool, keep bool) *oracleJudge {
	j := &oracleJudge{o: o, base: base, now: o.Eval(base), keep: keep, limit: o.Inv.Policy.LoadLimit()}
	j.load = o.Loads(j.now)
	if keep {
		j.cuts = j.cutsUnder(base, j.now)
	}
	return j
}

// cutsUnder lists each service's single points of failure under a state.
func (j *oracleJudge) cutsUnder(failed []bool, st *oracle.State) [][]string {
	o := j.o
	out := make([][]string, len(o.Inv.Services))
	for c, id := range o.Causes() {
		if failed[c] {
			continue
		}
		after := o.Eval(oracle.With(failed, c))
		for si, s := range o.Inv.Services {
			if st.Svc[si] && !after.Svc[si] && (s.DR || o.Kind[c] != "site") {
				out[si] = append(out[si], id)
			}
		}
	}
	return out
}

// unsafe says why the batch is unsafe, or "".
func (j *oracleJudge) unsafe(batch []string) string {
	o := j.o
	idx := make([]int, len(batch))
	for i, id := range batch {
		idx[i] = o.Index[id]
	}
	all := oracle.With(j.base, idx...)
	st := o.Eval(all)
	for si, s := range o.Inv.Services {
		if j.now.Svc[si] && !st.Svc[si] {
			return "service " + s.ID + " goes down"
		}
	}
	if j.keep {
		after := j.cutsUnder(all, st)
		for si, s := range o.Inv.Services {
			if !j.now.Svc[si] || s.Tolerance() < 1 {
				continue
			}
			for _, c := range after[si] {
				if !slices.Contains(j.cuts[si], c) {
					return "service " + s.ID + " gains single point of failure " + c
				}
			}
		}
	}
	// Loads depend only on power components: every subset of those is a
	// prefix of some order the batch can go down in.
	var pow []int
	for _, c := range idx {
		switch o.Kind[c] {
		case "site", "rack", "power", "psu":
			pow = append(pow, c)
		}
	}
	for mask := 1; mask < 1<<len(pow); mask++ {
		var sub []int
		for i, c := range pow {
			if mask&(1<<i) != 0 {
				sub = append(sub, c)
			}
		}
		load := o.Loads(o.Eval(oracle.With(j.base, sub...)))
		for pi, p := range o.Inv.Power {
			if p.CapacityW > 0 && load[pi] > j.limit*p.CapacityW+fault.Eps && load[pi] > j.load[pi]+fault.Eps {
				var names []string
				for _, c := range sub {
					names = append(names, o.Comps[c])
				}
				return fmt.Sprintf("%s overloaded (%.1f W) with %v down", p.ID, load[pi], names)
			}
		}
	}
	return ""
}

// degraded lists, per service up now with a tolerance, the single points of
// failure it has with the batch down and not now ("svc: a b c").
func (j *oracleJudge) degraded(batch []string) []string {
	o := j.o
	var idx []int
	for _, id := range batch {
		idx = append(idx, o.Index[id])
	}
	all := oracle.With(j.base, idx...)
	now := j.cuts
	if now == nil {
		now = j.cutsUnder(j.base, j.now)
	}
	after := j.cutsUnder(all, o.Eval(all))
	var out []string
	for si, s := range o.Inv.Services {
		if !j.now.Svc[si] || s.Tolerance() < 1 {
			continue
		}
		var fresh []string
		for _, c := range after[si] {
			if !slices.Contains(now[si], c) {
				fresh = append(fresh, c)
			}
		}
		if len(fresh) > 0 {
			slices.Sort(fresh)
			out = append(out, s.ID+": "+strings.Join(fresh, " "))
		}
	}
	slices.Sort(out)
	return out
}

// checkPeaks compares a batch's peak loads with the oracle's: the highest
// load of every node with a capacity over every subset of the batch's
// power components, where it is above the load now.
func (j *oracleJudge) checkPeaks(b Batch) string {
	o := j.o
	var pow []int
	for _, id := range b.Components {
		if c := o.Index[id]; o.Kind[c] == "site" || o.Kind[c] == "rack" || o.Kind[c] == "power" || o.Kind[c] == "psu" {
			pow = append(pow, c)
		}
	}
	peak := slices.Clone(j.load)
	for mask := 1; mask < 1<<len(pow); mask++ {
		var sub []int
		for i, c := range pow {
			if mask&(1<<i) != 0 {
				sub = append(sub, c)
			}
		}
		load := o.Loads(o.Eval(oracle.With(j.base, sub...)))
		for pi := range peak {
			peak[pi] = max(peak[pi], load[pi])
		}
	}
	want := map[string]float64{}
	for pi, p := range o.Inv.Power {
		if p.CapacityW > 0 && peak[pi] > j.load[pi]+fault.Eps {
			want[p.ID] = peak[pi]
		}
	}
	if len(want) != len(b.PeakLoad) {
		return fmt.Sprintf("peak loads %+v, oracle %v", b.PeakLoad, want)
	}
	for _, l := range b.PeakLoad {
		if w, ok := want[l.ID]; !ok || math.Abs(w-l.Watts) > 0.5+1e-9 || l.CapacityW != o.Inv.PowerNode(l.ID).CapacityW {
			return fmt.Sprintf("peak load %+v, oracle %v", l, want)
		}
	}
	return ""
}

func degradedOf(b Batch) []string {
	var out []string
	for _, x := range b.Degraded {
		f := slices.Sorted(slices.Values(x.NewSPOFs))
		out = append(out, x.ID+": "+strings.Join(f, " "))
	}
	slices.Sort(out)
	return out
}

func verifyPlan(o *oracle.Oracle, failed map[string]string, sels []string, opts Options, p *Plan) string {
	base := o.FailedSet(keys(failed)...)
	j := newJudge(o, base, opts.KeepRedundancy)
	seen := map[string]int{}
	for _, id := range p.Maintain {
		seen[id] = 0
	}
	for _, id := range sels {
		if _, ok := seen[id]; !ok {
			return "selected " + id + " missing from maintain"
		}
	}
	for bi, b := range p.Batches {
		if len(b.Components) == 0 {
			return fmt.Sprintf("batch %d is empty", bi+1)
		}
		if opts.MaxBatch > 0 && len(b.Components) > opts.MaxBatch {
			return fmt.Sprintf("batch %d has %d components, over --max-batch %d", bi+1, len(b.Components), opts.MaxBatch)
		}
		for _, c := range b.Components {
			seen[c]++
		}
		if why := j.unsafe(b.Components); why != "" {
			return fmt.Sprintf("batch %d %v is unsafe: %s", bi+1, b.Components, why)
		}
		if msg := j.checkPeaks(b); msg != "" {
			return fmt.Sprintf("batch %d %v: %s", bi+1, b.Components, msg)
		}
		if diff := cmp.Diff(j.degraded(b.Components), degradedOf(b), oracle.CmpEmpty); diff != "" {
			return fmt.Sprintf("batch %d %v degrades (-oracle +plan):\n%s", bi+1, b.Components, diff)
		}
	}
	for _, b := range p.Blocked {
		seen[b.Component]++
		if j.unsafe([]string{b.Component}) == "" {
			return "blocked " + b.Component + " is safe alone"
		}
		if len(b.Down)+len(b.Degraded) == 0 {
			return "blocked " + b.Component + " explains nothing"
		}
		for _, f := range b.FixFirst {
			if !base[o.Index[f]] {
				return "repair " + f + " for " + b.Component + " is not an observed failure"
			}
			fixed := slices.Clone(base)
			fixed[o.Index[f]] = false
			if why := newJudge(o, fixed, opts.KeepRedundancy).unsafe([]string{b.Component}); why != "" {
				return "repairing " + f + " does not unblock " + b.Component + ": " + why
			}
		}
	}
	for id, n := range seen {
		if n != 1 {
			return fmt.Sprintf("%s is placed %d times", id, n)
		}
	}
	if len(p.Batches) < p.LowerBound {
		return fmt.Sprintf("%d batches under the lower bound %d", len(p.Batches), p.LowerBound)
	}
	for a := 0; a < len(p.Witness); a++ {
		for b := a + 1; b < len(p.Witness); b++ {
			if j.unsafe([]string{p.Witness[a], p.Witness[b]}) == "" {
				return fmt.Sprintf("witnesses %s and %s may share a batch", p.Witness[a], p.Witness[b])
			}
		}
	}
	if len(p.Witness) > p.LowerBound {
		return "witness larger than the bound"
	}
	return ""
}
