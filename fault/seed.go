package fault

// Seeding: a consumer that re-evaluates a state close to one already
// evaluated (the planner's batches, the same state with a few more
// components down) copies the values the change cannot reach from the
// evaluation it starts from, and lets the evaluator derive only the rest.
// Each Copy copies a value only when from has it in its current
// evaluation, cut set included; a value not copied is derived on demand.
// Seed after Next and before asking for any gate.

// CopyDevice gives device d the value it has in from.
func (e *Evaluator) CopyDevice(d int32, from *Evaluator) {
	if v, ok := from.dev.get(d, from.epoch); ok {
		e.dev.set(d, e.epoch, e.copyVal(v, from))
	}
}

// SetDeviceDown marks device d down in this evaluation (it is itself
// among the components the consumer failed).
func (e *Evaluator) SetDeviceDown(d int32) { e.dev.set(d, e.epoch, Val{}) }

// CopyAvail gives device d the availability it has in from.
func (e *Evaluator) CopyAvail(d int32, from *Evaluator) {
	if v, ok := from.avail.get(d, from.epoch); ok {
		e.avail.set(d, e.epoch, e.copyVal(v, from))
	}
}

// CopyService gives service s the value it has in from.
func (e *Evaluator) CopyService(s int32, from *Evaluator) {
	if v, ok := from.svc.get(s, from.epoch); ok {
		e.svc.set(s, e.epoch, e.copyVal(v, from))
	}
}

// CopyFabric gives every member of fabric component k its value as a next
// hop in from, and marks the component solved, when from solved it in its
// current evaluation; it reports whether it did.
func (e *Evaluator) CopyFabric(k int32, from *Evaluator) bool {
	if from.comp[k] != from.epoch {
		return false
	}
	for _, m := range e.net.Comps[k] {
		if v, ok := from.fwd.get(m, from.epoch); ok {
			e.fwd.set(m, e.epoch, e.copyVal(v, from))
		}
	}
	e.comp[k] = e.epoch
	return true
}

func (e *Evaluator) copyVal(v Val, from *Evaluator) Val {
	return Val{Up: v.Up, cut: e.ar.put(from.Cut(v))}
}

// SeedFabric makes every fabric component that from has solved in its
// current evaluation take its value from there (CopyFabric) when this
// evaluation first needs it, for the rest of this evaluation: for a
// change that no fabric component's value can depend on.
func (e *Evaluator) SeedFabric(from *Evaluator) { e.fabricFrom = from }

// SeedPower makes every power node that from has evaluated in its
// current evaluation take its value from there when this evaluation
// first needs it, for the rest of this evaluation: for a change that no
// power node's value can depend on (no site, rack, power node or inlet
// failed anew).
func (e *Evaluator) SeedPower(from *Evaluator) { e.powerFrom = from }
