package plan

import (
	"errors"
	"github.com/faultline/faultline/audit"
	"math/rand/v2"
	"testing"

	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/model"
)

// FuzzSelect feeds arbitrary selector lists (they come from the command
// line and the API) to Select and, when they resolve, to the planner: no
// panic, and an error is always a *SelectorError naming each bad one.
func FuzzSelect(f *testing.F) {
	for _, s := range []string{"tor-*", "kind=switch,rack=s0r*", "site=s?", "s0r0-d0/P0", "s0r0-d0:p1", "[", "kind=", "=x", "rack=[a-", "*", "*/*", "*:*~*"} {
		f.Add(s)
	}
	g, err := model.Build(oracle.RandomInventory(rand.New(rand.NewPCG(3, 13))), nil)
	if err != nil {
		f.Fatal(err)
	}
	base := audit.Analyze(g, audit.Options{SkipPairs: true})
	f.Fuzz(func(t *testing.T, list string) {
		sels := SplitSelectors(list)
		comps, err := Select(g, sels)
		if err != nil {
			var serr *SelectorError
			if !errors.As(err, &serr) || len(serr.Selectors) == 0 || len(serr.Selectors) != len(serr.Problems) {
				t.Fatalf("%q: %v", list, err)
			}
			return
		}
		if len(sels) > 0 && len(comps) == 0 {
			t.Fatalf("%q: resolved to nothing without an error", list)
		}
		if len(comps) > 16 {
			return // planning is exercised by the differential test
		}
		p, err := Maintenance(g, base, sels, Options{MaxBatch: len(list) % 4})
		if err != nil {
			t.Fatalf("%q: %v", list, err)
		}
		if n := len(p.Blocked) + func() int {
			k := 0
			for _, b := range p.Batches {
				k += len(b.Components)
			}
			return k
		}(); n != len(p.Maintain) {
			t.Fatalf("%q: %d placed of %d", list, n, len(p.Maintain))
		}
	})
}
