// Package reliability turns the fault model into figures: each
// component's steady-state unavailability from its annual failure rate and
// repair time (the inventory's reliability section over built-in
// defaults), and, per service, its unavailability, expected downtime a
// year, the method and its error bound, and each component's importance
// (Fussell–Vesely and Birnbaum), from the service's minimal cut sets.
//
// It never decides whether something is up: the cut sets come from
// package fault, which holds the semantics once. The package is pure: no
// I/O, no wording. The audit words the figures; the exports write them.
package reliability
