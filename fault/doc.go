// Package fault is the fault model's semantics, written once: which gates
// (site, rack, power node, PSU, device power, volume, device, network,
// availability, service) are up under a set of failed components, their
// order-1 cut sets (every component whose failure alone takes a gate
// down), and how power load flows and fails over.
//
// Consumers never re-derive whether something is up. The audit asks an
// Evaluator for the design (nothing failed) and for the observed state;
// the planner seeds an Evaluator from the observed state and re-evaluates
// only what a batch can reach. The package is pure: no I/O, no wording.
// Findings and their text are the audit's.
package fault
