package audit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/model"
)

// TestDifferential checks the engine against the naive oracle on random
// inventories: every service's single points of failure and double
// faults, every device-spof, every overload and failover overload — on the
// design and with random components already failed.
func TestDifferential(t *testing.T) {
	n := 3000
	if testing.Short() || raceEnabled {
		n = 300
	}
	var lostPower, lostNet, inletCut, bankCut, cableCut int
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		inv := oracle.RandomInventory(r)
		o := oracle.New(inv)
		failed := map[string]string{}
		if seed%2 == 1 {
			for _, c := range oracle.Pick(r, o.Causes(), r.IntN(4)) {
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
		a := Analyze(g, Options{MaxPairs: math.MaxInt32})
		if msg := compare(o, g, a, failed); msg != "" {
			t.Fatalf("seed %d: %s", seed, msg)
		}
		if dup := duplicateIDs(a.Findings()); len(dup) > 0 {
			t.Fatalf("seed %d: findings share ids: %v", seed, dup)
		}
		inletCut += cutInlets(o, failed)
		b, c := extensionCuts(g, a)
		bankCut, cableCut = bankCut+b, cableCut+c
		for _, d := range a.Devices {
			if len(d.LostPower) > 0 {
				lostPower++
			}
			if len(d.LostNet) > 0 {
				lostNet++
			}
		}
	}
	// The comparison means something only if both sides were exercised.
	if lostPower == 0 || lostNet == 0 || inletCut == 0 {
		t.Errorf("no case with device redundancy lost (power %d, network %d) or with a lost inlet cutting a live input off a live node (%d)", lostPower, lostNet, inletCut)
	}
	if bankCut == 0 || cableCut == 0 {
		t.Errorf("no case of an input of a multi-input PDU cutting a device through a bound outlet (%d) or of a cable carrying several links in a cut set (%d)", bankCut, cableCut)
	}
	t.Logf("%d devices lost power redundancy, %d network redundancy; %d lost inlets cut a live input off a live node; %d bound-outlet and %d cable cuts", lostPower, lostNet, inletCut, bankCut, cableCut)
}

// extensionCuts counts, on the design, the device power cuts that are an
// input of a PDU with several inputs which a PSU's outlet is bound to
// (without the binding the PDU's other input would cover it), and the
// cuts (services' and devices' network) that are a cable carrying several
// links.
func extensionCuts(g *model.Graph, a *Analysis) (bank, cable int) {
	for d := range g.Devices {
		for _, c := range a.Devices[d].PowerCuts {
			for _, q := range g.Devices[d].PSUs {
				Q := &g.PSUs[q]
				if P := &g.Power[Q.PDU]; Q.Input >= 0 && len(P.Inputs) > 1 && g.Power[P.Inputs[Q.Input]].Comp == c {
					bank++
				}
			}
		}
		for _, c := range a.Devices[d].NetCuts {
			if g.Kinds[c] == model.KindCable {
				cable++
			}
		}
	}
	for _, s := range a.DesignServices {
		for _, c := range s.Cuts {
			if g.Kinds[c] == model.KindCable {
				cable++
			}
		}
	}
	return bank, cable
}

// cutInlets counts the observed lost inlets whose input is up and whose
// node is still up through another input: the cases where the inlet alone
// changes what feeds the node.
func cutInlets(o *oracle.Oracle, failed map[string]string) int {
	var obs []string
	for c := range failed {
		obs = append(obs, c)
	}
	f := o.FailedSet(obs...)
	st := o.Eval(f)
	n := 0
	for i := range o.Inv.Power {
		for j, in := range o.PowerInputs[i] {
			if !o.InletUp(f, i, j) && st.Power[in] && st.Power[i] {
				n++
			}
		}
	}
	return n
}

func ids(g *model.Graph, cs []int32) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = g.ID(c)
	}
	sort.Strings(out)
	return out
}

func compare(o *oracle.Oracle, g *model.Graph, a *Analysis, observed map[string]string) string {
	inv := o.Inv
	none := make([]bool, len(o.Comps))
	design := o.Eval(none)
	var obs []string
	for c := range observed {
		obs = append(obs, c)
	}
	nowFailed := o.FailedSet(obs...)
	now := o.Eval(nowFailed)

	// single(c) and nowSingle(c) are the design and the observed state
	// with c failed as well, each evaluated once.
	singles, nowSingles := make([]*oracle.State, len(o.Comps)), make([]*oracle.State, len(o.Comps))
	single := func(c int) *oracle.State {
		if singles[c] == nil {
			singles[c] = o.Eval(oracle.With(none, c))
		}
		return singles[c]
	}
	nowSingle := func(c int) *oracle.State {
		if nowSingles[c] == nil {
			nowSingles[c] = o.Eval(oracle.With(nowFailed, c))
		}
		return nowSingles[c]
	}
	cutsOf := func(base []bool, plus func(c int) *oracle.State, si int, dr bool) []string {
		var cuts []string
		for c, id := range o.Causes() {
			if base[c] || (!dr && o.Kind[c] == "site") {
				continue
			}
			if !plus(c).Svc[si] {
				cuts = append(cuts, id)
			}
		}
		sort.Strings(cuts)
		return cuts
	}
	for si, s := range inv.Services {
		for _, w := range []struct {
			name string
			base []bool
			plus func(c int) *oracle.State
			st   *oracle.State
			res  ServiceResult
		}{{"design", none, single, design, a.DesignServices[si]}, {"now", nowFailed, nowSingle, now, a.CurrentServices[si]}} {
			if w.st.Svc[si] != w.res.Up {
				return fmt.Sprintf("%s: service %s up: oracle %v engine %v", w.name, s.ID, w.st.Svc[si], w.res.Up)
			}
			if !w.res.Up || s.Tolerance() < 1 {
				continue
			}
			want := cutsOf(w.base, w.plus, si, s.DR)
			if diff := cmp.Diff(want, ids(g, w.res.Cuts), oracle.CmpEmpty); diff != "" {
				return fmt.Sprintf("%s: service %s cuts (-oracle +engine):\n%s", w.name, s.ID, diff)
			}
		}
		res := a.DesignServices[si]
		if s.Tolerance() == 2 && res.Up {
			skip := make([]bool, len(o.Comps))
			for _, c := range res.Cuts {
				skip[o.Index[g.ID(c)]] = true
			}
			for c := range o.Causes() {
				if !s.DR && o.Kind[c] == "site" {
					skip[c] = true
				}
			}
			var want []string
			for x := range o.Causes() {
				if skip[x] {
					continue
				}
				for y := x + 1; y < len(o.Causes()); y++ {
					if !skip[y] && !o.Eval(oracle.With(none, x, y)).Svc[si] {
						want = append(want, pairKey(o.Comps[x], o.Comps[y]))
					}
				}
			}
			var got []string
			for _, p := range res.Pairs {
				got = append(got, pairKey(g.ID(p[0]), g.ID(p[1])))
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got, oracle.CmpEmpty); diff != "" {
				return fmt.Sprintf("service %s pairs (-oracle +engine):\n%s", s.ID, diff)
			}
		}
	}
	for di := range inv.Devices {
		d := &inv.Devices[di]
		D := &g.Devices[di]
		if !design.Avail(di) || (!D.PSUsRedundant && !D.LinksRedundant) {
			continue
		}
		var wantP, wantN []string
		for c, id := range o.Causes() {
			if o.IsOwn(d, id) {
				continue
			}
			st := single(c)
			if D.PSUsRedundant && !st.Powered[di] {
				wantP = append(wantP, id)
			}
			if D.LinksRedundant && !st.Net[di] {
				wantN = append(wantN, id)
			}
		}
		sort.Strings(wantP)
		sort.Strings(wantN)
		if diff := cmp.Diff(wantP, ids(g, a.Devices[di].PowerCuts), oracle.CmpEmpty); diff != "" {
			return fmt.Sprintf("device %s power cuts (-oracle +engine):\n%s", d.ID, diff)
		}
		if diff := cmp.Diff(wantN, ids(g, a.Devices[di].NetCuts), oracle.CmpEmpty); diff != "" {
			return fmt.Sprintf("device %s network cuts (-oracle +engine):\n%s", d.ID, diff)
		}
	}
	// Device redundancy-lost: components outside a device with redundant
	// PSUs or links that cut its power or network now, with the observed
	// failures, while by design they do not.
	wantP := make([][]string, len(inv.Devices))
	wantN := make([][]string, len(inv.Devices))
	if len(obs) > 0 {
		for c, id := range o.Causes() {
			if nowFailed[c] {
				continue
			}
			for di := range inv.Devices {
				d := &inv.Devices[di]
				D := &g.Devices[di]
				if !now.Up[di] || o.IsOwn(d, id) {
					continue
				}
				power := D.PSUsRedundant && design.Powered[di] && now.Powered[di]
				net := D.LinksRedundant && design.Net[di] && now.Net[di]
				if !power && !net {
					continue
				}
				st, des := nowSingle(c), single(c)
				if power && !st.Powered[di] && des.Powered[di] {
					wantP[di] = append(wantP[di], id)
				}
				if net && !st.Net[di] && des.Net[di] {
					wantN[di] = append(wantN[di], id)
				}
			}
		}
	}
	for di := range inv.Devices {
		sort.Strings(wantP[di])
		sort.Strings(wantN[di])
		if diff := cmp.Diff(wantP[di], ids(g, a.Devices[di].LostPower), oracle.CmpEmpty); diff != "" {
			return fmt.Sprintf("device %s power redundancy lost (-oracle +engine):\n%s", inv.Devices[di].ID, diff)
		}
		if diff := cmp.Diff(wantN[di], ids(g, a.Devices[di].LostNet), oracle.CmpEmpty); diff != "" {
			return fmt.Sprintf("device %s network redundancy lost (-oracle +engine):\n%s", inv.Devices[di].ID, diff)
		}
	}
	// Loads under the current state, and failover of each live power node.
	limit := a.Power.Limit
	load := o.Loads(now)
	var wantOver, gotOver []string
	for pi, p := range inv.Power {
		if p.CapacityW > 0 && load[pi] > limit*p.CapacityW+eps {
			wantOver = append(wantOver, p.ID)
		}
		if math.Abs(load[pi]-a.Power.Load[pi]) > 1e-6 {
			return fmt.Sprintf("load of %s: oracle %v engine %v", p.ID, load[pi], a.Power.Load[pi])
		}
	}
	for _, p := range a.Power.Overloads {
		gotOver = append(gotOver, g.Power[p].ID)
	}
	if diff := cmp.Diff(wantOver, gotOver, oracle.CmpEmpty); diff != "" {
		return fmt.Sprintf("overloads (-oracle +engine):\n%s", diff)
	}
	var wantFO, gotFO []string
	for ci, c := range inv.Power {
		if !now.Power[ci] {
			continue
		}
		after := o.Loads(o.Eval(oracle.With(nowFailed, o.Index[c.ID])))
		for ni, n := range inv.Power {
			if n.CapacityW > 0 && after[ni] > limit*n.CapacityW+eps && after[ni] > load[ni]+eps {
				wantFO = append(wantFO, fmt.Sprintf("%s<-%s %.3f", n.ID, c.ID, after[ni]))
			}
		}
	}
	for n, shifts := range a.Power.Failover {
		for _, sh := range shifts {
			gotFO = append(gotFO, fmt.Sprintf("%s<-%s %.3f", g.Power[n].ID, g.Power[sh.Failed].ID, sh.Load))
		}
	}
	sort.Strings(wantFO)
	sort.Strings(gotFO)
	if diff := cmp.Diff(wantFO, gotFO, oracle.CmpEmpty); diff != "" {
		return fmt.Sprintf("failover overloads (-oracle +engine):\n%s", diff)
	}
	return ""
}

func pairKey(x, y string) string {
	if y < x {
		x, y = y, x
	}
	return x + " + " + y
}

// duplicateIDs lists ids that more than one finding carries.
func duplicateIDs(fs []Finding) []string {
	seen := map[string]int{}
	var dup []string
	for _, f := range fs {
		if seen[f.ID]++; seen[f.ID] == 2 {
			dup = append(dup, f.ID)
		}
	}
	return dup
}
