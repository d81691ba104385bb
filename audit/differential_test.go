package audit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

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
		inv := randomInventory(r)
		o := newOracle(inv)
		failed := map[string]string{}
		if seed%2 == 1 {
			for _, c := range pick(r, o.causes(), r.IntN(4)) {
				failed[c] = "test"
			}
			if in := o.inlets(); len(in) > 0 && r.IntN(2) == 0 {
				failed[in[r.IntN(len(in))]] = "test" // an inlet lost on a multi-input node
			}
		}
		g, err := model.Build(inv, failedOverlay(failed))
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
func cutInlets(o *oracle, failed map[string]string) int {
	var obs []string
	for c := range failed {
		obs = append(obs, c)
	}
	f := o.failedSet(obs...)
	st := o.eval(f)
	n := 0
	for i := range o.inv.Power {
		for j, in := range o.powerInputs[i] {
			if !o.inletUp(f, i, j) && st.power[in] && st.power[i] {
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

func compare(o *oracle, g *model.Graph, a *Analysis, observed map[string]string) string {
	inv := o.inv
	none := make([]bool, len(o.comps))
	design := o.eval(none)
	var obs []string
	for c := range observed {
		obs = append(obs, c)
	}
	nowFailed := o.failedSet(obs...)
	now := o.eval(nowFailed)

	// single(c) and nowSingle(c) are the design and the observed state
	// with c failed as well, each evaluated once.
	singles, nowSingles := make([]*state, len(o.comps)), make([]*state, len(o.comps))
	single := func(c int) *state {
		if singles[c] == nil {
			singles[c] = o.eval(with(none, c))
		}
		return singles[c]
	}
	nowSingle := func(c int) *state {
		if nowSingles[c] == nil {
			nowSingles[c] = o.eval(with(nowFailed, c))
		}
		return nowSingles[c]
	}
	cutsOf := func(base []bool, plus func(c int) *state, si int, dr bool) []string {
		var cuts []string
		for c, id := range o.causes() {
			if base[c] || (!dr && o.kind[c] == "site") {
				continue
			}
			if !plus(c).svc[si] {
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
			plus func(c int) *state
			st   *state
			res  ServiceResult
		}{{"design", none, single, design, a.DesignServices[si]}, {"now", nowFailed, nowSingle, now, a.CurrentServices[si]}} {
			if w.st.svc[si] != w.res.Up {
				return fmt.Sprintf("%s: service %s up: oracle %v engine %v", w.name, s.ID, w.st.svc[si], w.res.Up)
			}
			if !w.res.Up || s.Tolerance() < 1 {
				continue
			}
			want := cutsOf(w.base, w.plus, si, s.DR)
			if diff := cmp.Diff(want, ids(g, w.res.Cuts), cmpEmpty); diff != "" {
				return fmt.Sprintf("%s: service %s cuts (-oracle +engine):\n%s", w.name, s.ID, diff)
			}
		}
		res := a.DesignServices[si]
		if s.Tolerance() == 2 && res.Up {
			skip := make([]bool, len(o.comps))
			for _, c := range res.Cuts {
				skip[o.index[g.ID(c)]] = true
			}
			for c := range o.causes() {
				if !s.DR && o.kind[c] == "site" {
					skip[c] = true
				}
			}
			var want []string
			for x := range o.causes() {
				if skip[x] {
					continue
				}
				for y := x + 1; y < len(o.causes()); y++ {
					if !skip[y] && !o.eval(with(none, x, y)).svc[si] {
						want = append(want, pairKey(o.comps[x], o.comps[y]))
					}
				}
			}
			var got []string
			for _, p := range res.Pairs {
				got = append(got, pairKey(g.ID(p[0]), g.ID(p[1])))
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
				return fmt.Sprintf("service %s pairs (-oracle +engine):\n%s", s.ID, diff)
			}
		}
	}
	for di := range inv.Devices {
		d := &inv.Devices[di]
		D := &g.Devices[di]
		if !design.avail(di) || (!D.PSUsRedundant && !D.LinksRedundant) {
			continue
		}
		var wantP, wantN []string
		for c, id := range o.causes() {
			if o.isOwn(d, id) {
				continue
			}
			st := single(c)
			if D.PSUsRedundant && !st.powered[di] {
				wantP = append(wantP, id)
			}
			if D.LinksRedundant && !st.net[di] {
				wantN = append(wantN, id)
			}
		}
		sort.Strings(wantP)
		sort.Strings(wantN)
		if diff := cmp.Diff(wantP, ids(g, a.Devices[di].PowerCuts), cmpEmpty); diff != "" {
			return fmt.Sprintf("device %s power cuts (-oracle +engine):\n%s", d.ID, diff)
		}
		if diff := cmp.Diff(wantN, ids(g, a.Devices[di].NetCuts), cmpEmpty); diff != "" {
			return fmt.Sprintf("device %s network cuts (-oracle +engine):\n%s", d.ID, diff)
		}
	}
	// Device redundancy-lost: components outside a device with redundant
	// PSUs or links that cut its power or network now, with the observed
	// failures, while by design they do not.
	wantP := make([][]string, len(inv.Devices))
	wantN := make([][]string, len(inv.Devices))
	if len(obs) > 0 {
		for c, id := range o.causes() {
			if nowFailed[c] {
				continue
			}
			for di := range inv.Devices {
				d := &inv.Devices[di]
				D := &g.Devices[di]
				if !now.up[di] || o.isOwn(d, id) {
					continue
				}
				power := D.PSUsRedundant && design.powered[di] && now.powered[di]
				net := D.LinksRedundant && design.net[di] && now.net[di]
				if !power && !net {
					continue
				}
				st, des := nowSingle(c), single(c)
				if power && !st.powered[di] && des.powered[di] {
					wantP[di] = append(wantP[di], id)
				}
				if net && !st.net[di] && des.net[di] {
					wantN[di] = append(wantN[di], id)
				}
			}
		}
	}
	for di := range inv.Devices {
		sort.Strings(wantP[di])
		sort.Strings(wantN[di])
		if diff := cmp.Diff(wantP[di], ids(g, a.Devices[di].LostPower), cmpEmpty); diff != "" {
			return fmt.Sprintf("device %s power redundancy lost (-oracle +engine):\n%s", inv.Devices[di].ID, diff)
		}
		if diff := cmp.Diff(wantN[di], ids(g, a.Devices[di].LostNet), cmpEmpty); diff != "" {
			return fmt.Sprintf("device %s network redundancy lost (-oracle +engine):\n%s", inv.Devices[di].ID, diff)
		}
	}
	// Loads under the current state, and failover of each live power node.
	limit := a.Power.Limit
	load := o.loads(now)
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
	if diff := cmp.Diff(wantOver, gotOver, cmpEmpty); diff != "" {
		return fmt.Sprintf("overloads (-oracle +engine):\n%s", diff)
	}
	var wantFO, gotFO []string
	for ci, c := range inv.Power {
		if !now.power[ci] {
			continue
		}
		after := o.loads(o.eval(with(nowFailed, o.index[c.ID])))
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
	if diff := cmp.Diff(wantFO, gotFO, cmpEmpty); diff != "" {
		return fmt.Sprintf("failover overloads (-oracle +engine):\n%s", diff)
	}
	return ""
}

var cmpEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
})

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
