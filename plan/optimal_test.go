package plan

import (
	"github.com/faultline/faultline/audit"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/model"
)

// TestPlanOptimal compares plans with the optimum an exhaustive search
// finds on small random cases (at most 12 components to place): the
// fewest safe batches covering them, over every partition. The plan must
// equal it in at least 95% of cases and never exceed it by more than one;
// its lower bound must never exceed it. docs/plan.md records the figure.
func TestPlanOptimal(t *testing.T) {
	n := 600
	if testing.Short() || raceEnabled {
		n = 120
	}
	var cases, equal, hard, hardEqual, worst, tight int
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 99))
		inv := oracle.RandomInventory(r)
		o := oracle.New(inv)
		failed := map[string]string{}
		if seed%2 == 1 {
			for _, c := range oracle.Pick(r, o.Causes(), 1+r.IntN(2)) {
				failed[c] = "test"
			}
		}
		g, err := model.Build(inv, oracle.Overlay(failed))
		if err != nil {
			t.Fatal(err)
		}
		var pool []string
		for c, k := range o.Kind {
			if k == "device" || k == "power" || k == "psu" || k == "link" {
				pool = append(pool, o.Comps[c])
			}
		}
		opts := Options{KeepRedundancy: r.IntN(3) == 0}
		if r.IntN(4) == 0 {
			opts.MaxBatch = 2 + r.IntN(3)
		}
		sels := oracle.Pick(r, pool, 4+r.IntN(12))
		base := audit.Analyze(g, audit.Options{SkipPairs: true})
		plan, err := Maintenance(g, base, sels, opts)
		if err != nil {
			t.Fatal(err)
		}
		isBlocked := map[string]bool{}
		for _, b := range plan.Blocked {
			isBlocked[b.Component] = true
		}
		var place []int32
		for _, id := range plan.Maintain {
			if !isBlocked[id] && len(place) < 12 {
				place = append(place, g.Lookup(id))
			}
		}
		if len(place) < len(plan.Maintain)-len(plan.Blocked) {
			continue // over 12 to place: out of the exhaustive search's reach
		}
		best := optimum(newPlanner(g, base, opts), place, opts.MaxBatch)
		got := len(plan.Batches)
		cases++
		if got == best {
			equal++
		}
		if best >= 2 {
			hard++
			if got == best {
				hardEqual++
			}
		}
		if plan.LowerBound == best {
			tight++
		}
		worst = max(worst, got-best)
		if got < best {
			t.Fatalf("seed %d: plan has %d batches, under the optimum %d: the exhaustive search is wrong", seed, got, best)
		}
		if plan.LowerBound > best {
			t.Fatalf("seed %d: lower bound %d above the optimum %d", seed, plan.LowerBound, best)
		}
		if got-best > 1 {
			t.Fatalf("seed %d: plan has %d batches, the optimum %d (maintain %v)", seed, got, best, plan.Maintain)
		}
	}
	share := float64(equal) / float64(cases)
	t.Logf("%d cases: plan optimal in %d (%.1f%%); of the %d needing 2+ batches, optimal in %d (%.1f%%); worst excess %d; lower bound tight in %d (%.1f%%)",
		cases, equal, 100*share, hard, hardEqual, 100*float64(hardEqual)/float64(max(hard, 1)), worst, tight, 100*float64(tight)/float64(cases))
	if share < 0.95 {
		t.Fatalf("plan optimal in only %.1f%% of cases", 100*share)
	}
	if hard < cases/10 {
		t.Fatalf("weak test: only %d of %d cases need two batches or more", hard, cases)
	}
}

// optimum is the fewest safe batches (of at most maxBatch) covering
// comps, by exhaustive search: every subset judged by the planner's exact
// check (itself verified against the oracle by TestDifferentialPlan), then
// a minimum cover by dynamic programming over subsets.
func optimum(p *planner, comps []int32, maxBatch int) int {
	n := len(comps)
	if n == 0 {
		return 0
	}
	k := p.check
	safe := make([]bool, 1<<n)
	safe[0] = true
	for mask := 1; mask < 1<<n; mask++ {
		top := bits.Len(uint(mask)) - 1
		rest := mask &^ (1 << top)
		if !safe[rest] || (maxBatch > 0 && bits.OnesCount(uint(mask)) > maxBatch) {
			continue
		}
		for i := 0; i < n; i++ {
			if rest&(1<<i) != 0 {
				k.apply(comps[i])
			}
		}
		safe[mask] = k.try(comps[top])
		k.reset()
	}
	dp := make([]int, 1<<n)
	for mask := 1; mask < 1<<n; mask++ {
		dp[mask] = n + 1
		low := mask & -mask
		rest := mask &^ low
		// Every batch holding the lowest member: low plus a subset of rest.
		for sub := rest; ; sub = (sub - 1) & rest {
			if b := sub | low; safe[b] && dp[mask&^b]+1 < dp[mask] {
				dp[mask] = dp[mask&^b] + 1
			}
			if sub == 0 {
				break
			}
		}
	}
	return dp[1<<n-1]
}
