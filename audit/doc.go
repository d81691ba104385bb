// Package audit turns the fault model into findings: the rules (rules.go,
// one ordered registry with stable ids that also generates the rules
// catalogue), their decisions and their wording, what-if and diff; and
// the words of the maintenance planner's answers (plan_words.go), whose
// decisions are package plan's.
//
// Whether something is up, what can take it down and how load moves on a
// failure are the fault package's: the audit asks a fault.Evaluator for
// the design (nothing failed) and for the state now (the observed
// failures), and a fault.Load for the power flow, and words what they
// answer. Everything here is pure: no I/O, no clock (the time of an audit
// is an option).
package audit
