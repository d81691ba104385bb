// Package plan plans maintenance: which of the selected components may be
// down at the same time (batches), which may not go down at all yet and
// what to repair first, and a proven lower bound on the number of batches.
//
// It decides on the fault package's API alone — fault.State for the
// up/down state kept current as a batch grows, fault.Evaluator seeded from
// the current state for cut sets, fault.Flow for loads, fault.Index.Reach
// for what a change can reach — and re-derives no gate. The words of its
// answers (an Impact's why, the bound's reason) are audit's, built from
// the component indexes and numbers it decides on.
//
// Selectors (Select) name the components: ids, globs over ids, or kind=,
// rack=, site= with a glob (inventory.ParseSelector); CheckRequest is the
// one validation of a request, for the command line and the API.
package plan
