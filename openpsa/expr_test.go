package openpsa

import (
	"fmt"
	"testing"
)

// eval is formula e's truth value (true: down) with the leaves named in
// down true; a gate reference is a leaf here.
func eval(e *expr, down map[string]bool) bool {
	switch e.op {
	case opFalse:
		return false
	case opTrue:
		return true
	case opEvent, opHouse, opGate:
		return down[e.name]
	}
	k := e.k // an or or an and may have dropped repeated inputs after k was set
	switch e.op {
	case opOr:
		k = 1
	case opAnd:
		k = len(e.args)
	}
	n := 0
	for _, a := range e.args {
		if eval(a, down) {
			n++
		}
	}
	return n >= k
}

// noRepeats reports an argument named twice in one gate of e (which MEF
// forbids), or "".
func noRepeats(e *expr) string {
	seen := map[string]bool{}
	for _, a := range e.args {
		if a.leaf() {
			if seen[a.name] {
				return a.name
			}
			seen[a.name] = true
		}
		if r := noRepeats(a); r != "" {
			return r
		}
	}
	return ""
}

// TestAtLeastRepeated: a k-of-n gate whose inputs repeat (a service with
// a device as a member and again through a member service) counts each
// repeat, as the fault model does, and is written with no argument twice
// in one gate.
func TestAtLeastRepeated(t *testing.T) {
	ref := func(name string) *expr { return &expr{op: opGate, name: name} }
	for _, c := range []struct {
		k     int
		names []string
	}{
		{2, []string{"a", "b", "a", "c"}},
		{3, []string{"a", "b", "a", "c"}},
		{2, []string{"a", "a"}},
		{3, []string{"a", "a", "b", "b", "c"}},
		{4, []string{"a", "a", "a", "b", "c"}},
		{1, []string{"a", "a", "b"}},
		{5, []string{"a", "a", "b", "b", "c"}},
	} {
		args := make([]*expr, len(c.names))
		leaves := map[string]bool{}
		for i, n := range c.names {
			args[i] = ref(n)
			leaves[n] = true
		}
		var names []string
		for n := range leaves {
			names = append(names, n)
		}
		e := atLeast(c.k, args)
		if r := noRepeats(e); r != "" {
			t.Errorf("atleast %d of %v: %s twice in one gate", c.k, c.names, r)
		}
		for mask := 0; mask < 1<<len(names); mask++ {
			down := map[string]bool{}
			count := 0
			for i, n := range names {
				down[n] = mask&(1<<i) != 0
			}
			for _, n := range c.names {
				if down[n] {
					count++
				}
			}
			if got, want := eval(e, down), count >= c.k; got != want {
				t.Errorf("atleast %d of %v with %v down: %v, want %v", c.k, c.names, fmt.Sprint(down), got, want)
			}
		}
	}
}
