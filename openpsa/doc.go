// Package openpsa writes the fault model as an Open-PSA Model Exchange
// Format (MEF) fault tree, for reliability engineers' own tools (SCRAM,
// and any other MEF reader): one top event per service (its failure),
// and/or/atleast gates in failure logic, and a basic event with its
// probability for every component that can fail, carrying the faultline
// id it stands for.
//
// The tree is the semantics of package fault written out, not a second
// reading of them: each gate is one of fault's (rack, power node, PSU,
// device power, volume, device, network, availability, service), in
// failure logic. A k-of-n "up" gate is down when at least n−k+1 of its
// inputs are down. Sites are basic events only under the services with
// dr: true (their gates are named dr-…); for the others a site never
// fails. Network reachability, the model's one cyclic part, is unrolled
// into hop layers: exact while the layers cover every simple path
// through a fabric, and named in the file as an approximation where a
// fabric is too large for that.
//
// The package is pure: it reads a model.Graph and writes to an io.Writer.
package openpsa
