package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/fault"
)

// The planner (package plan) decides; the words of its answers are
// written here, with the findings', from what it decided: component
// indexes, ids and numbers.

// Fabric is the network fabric the analysis was evaluated over (for a
// consumer that evaluates the same graph incrementally).
func (a *Analysis) Fabric() *fault.Fabric { return a.net }

// Flow is the load flow the loads were computed by (for a consumer that
// re-evaluates loads with more components failed).
func (p PowerResult) Flow() *fault.Load { return p.load }

// Names returns the ids of components cs, in order.
func (a *Analysis) Names(cs []int32) []string { return a.names(cs) }

// NearestFirst orders cs in place nearest first under the observed state
// (smallest blast radius, then kind, then id), as findings list causes,
// and returns it.
func (a *Analysis) NearestFirst(cs []int32) []int32 { return a.sortedCurrent(cs) }

// DownImpact says why service s, up now, is down in e's evaluation: its
// reasons with their evidence (what it requires is left out: each
// requirement answers for itself).
func (a *Analysis) DownImpact(e *fault.Evaluator, s int32) Impact {
	why, evidence := a.downReasons(e, s)
	evidence = slices.DeleteFunc(evidence, func(e string) bool { return strings.HasPrefix(e, "requires ") })
	if len(evidence) > 0 {
		why += " (" + strings.Join(evidence, "; ") + ")"
	}
	return Impact{Kind: "service", ID: a.G.Services[s].ID, Why: "goes down: " + why}
}

// DegradedImpact is a service that keeps running while a batch is down
// but then goes down if any of spofs (ids, nearest first) fails.
func DegradedImpact(service string, spofs []string) Impact {
	return Impact{Kind: "service", ID: service, NewSPOFs: spofs,
		Why: "keeps running, but now goes down if " + few(spofs, "or") + " fails"}
}

// WouldDegradeImpact is a service that would keep running with a
// component down but would then go down if any of spofs failed.
func WouldDegradeImpact(service string, spofs []string) Impact {
	return Impact{Kind: "service", ID: service, NewSPOFs: spofs,
		Why: fmt.Sprintf("keeps running, but would go down if %s failed", few(spofs, "or"))}
}

// OverloadImpact is a power node that would carry w watts of its
// capacity, carrying now watts now.
func OverloadImpact(node string, w, capacity, now float64) Impact {
	return Impact{Kind: "power", ID: node,
		Why: fmt.Sprintf("would carry %s W, %s of its %s W capacity (it carries %s W now)", watts(w), pct(w/capacity), watts(capacity), watts(now))}
}

// The reasons a maintenance plan gives for its lower bound.
const (
	BoundNothingToPlace = "nothing to place"
	BoundSomething      = "something can be placed"
)

// BoundCliqueReason: no two of witness (ids) may share a batch.
func BoundCliqueReason(witness []string) string {
	return "no two of " + words(witness, "and") + " may share a batch"
}

// BoundCapReason: n components to place, at most maxBatch per batch.
func BoundCapReason(n, maxBatch int) string {
	return fmt.Sprintf("%d components to place, at most %d per batch", n, maxBatch)
}

// BoundBudgetReason: a service with avail members available that needs
// minUp of them may lose at most budget of picked (ids) in one batch.
func BoundBudgetReason(service string, minUp, avail, budget int, picked []string) string {
	return fmt.Sprintf("service %s needs %d of its %d available members, so at most %d of %s may be down in one batch",
		service, minUp, avail, budget, words(picked, "and"))
}
