package openpsa

import "slices"

// op is what a formula node is.
type op uint8

const (
	opFalse op = iota // never down
	opTrue            // down whatever else holds
	opEvent           // a basic event: a component that can fail
	opHouse           // a house event: a component observed failed (true)
	opGate            // a reference to a named gate
	opOr
	opAnd
	opAtLeast
)

// expr is a formula in failure logic (true: down). Constants are folded
// away as formulas are built, so a written formula holds none (but a top
// event's whole formula may be one).
type expr struct {
	op   op
	k    int // atleast: how many inputs must be down
	name string
	args []*expr
	// site is true when a site's basic event occurs in the formula (its
	// gates then differ between the dr view and the other).
	site bool
}

var (
	falseExpr = &expr{op: opFalse}
	trueExpr  = &expr{op: opTrue}
)

func (e *expr) leaf() bool { return e.op <= opGate }

// or is down when any input is.
func or(args ...*expr) *expr { return atLeast(1, args) }

// and is down when every input is.
func and(args ...*expr) *expr { return atLeast(len(args), args) }

// atLeast is down when at least k of args are: the failure side of a
// (n−k+1)-of-n "up" gate. It folds constants (a true input counts, a
// false one is dropped), and is written as or (k = 1), and (k = n) or
// atleast; a single input stands for itself. Or and and drop repeated
// inputs (x ∨ x = x); in atleast each counts, so a repeated input is
// split out (see repeated).
func atLeast(k int, args []*expr) *expr {
	live := make([]*expr, 0, len(args))
	for _, a := range args {
		switch a.op {
		case opTrue:
			k--
		case opFalse:
		default:
			live = append(live, a)
		}
	}
	switch {
	case k <= 0:
		return trueExpr
	case k > len(live):
		return falseExpr
	case len(live) == 1:
		return live[0]
	}
	o := opAtLeast
	switch k {
	case 1:
		o = opOr
	case len(live):
		o = opAnd
	}
	if o != opAtLeast {
		live = dedupe(live)
		if len(live) == 1 {
			return live[0]
		}
	} else if x, m, rest := repeated(live); m > 1 {
		// MEF forbids an argument twice in one gate: x counting m times
		// is "x and at least k−m of the rest, or at least k of the rest".
		return or(and(x, atLeast(k-m, rest)), atLeast(k, rest))
	}
	e := &expr{op: o, k: k, args: live}
	for _, a := range live {
		e.site = e.site || a.site
	}
	return e
}

// dedupe drops repeated leaves (same kind and name), keeping the first.
// Gates have a handful of inputs, so a scan beats a map.
func dedupe(args []*expr) []*expr {
	out := args[:0:0]
	for _, a := range args {
		if a.leaf() && slices.ContainsFunc(out, func(b *expr) bool { return b.op == a.op && b.name == a.name }) {
			continue
		}
		out = append(out, a)
	}
	return slices.Clip(out)
}

// repeated finds the first leaf that args hold more than once: it, how
// many times, and args without it. m is 1 when no leaf repeats.
func repeated(args []*expr) (x *expr, m int, rest []*expr) {
	same := func(a, b *expr) bool { return a.leaf() && a.op == b.op && a.name == b.name }
	for i, a := range args {
		if slices.ContainsFunc(args[i+1:], func(b *expr) bool { return same(a, b) }) {
			rest = make([]*expr, 0, len(args))
			for _, b := range args {
				if same(a, b) {
					m++
				} else {
					rest = append(rest, b)
				}
			}
			return a, m, rest
		}
	}
	return nil, 1, nil
}
