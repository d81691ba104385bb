package fault

import (
	"slices"

	"github.com/faultline/faultline/model"
)

// Val is a gate's value under one evaluation: whether it is up, and (when
// up) its order-1 cut set: every component whose failure alone takes it down.
type Val struct {
	Up  bool
	cut span
}

// memo holds one kind of gate's values for the current evaluation; a value
// is valid while its stamp equals the Evaluator's epoch. Stamp and value
// share a cache line.
type memo []memoEntry

type memoEntry struct {
	stamp uint32
	v     Val
}

func newMemo(n int) memo { return make(memo, n) }

func (m memo) get(i int32, epoch uint32) (Val, bool) {
	if e := &m[i]; e.stamp == epoch {
		return e.v, true
	}
	return Val{}, false
}

func (m memo) set(i int32, epoch uint32, v Val) { m[i] = memoEntry{epoch, v} }

// Evaluator computes gate values and order-1 cut sets bottom-up, on demand
// and memoized, over flat arrays. One evaluation is one failure state
// (failed); bumping the epoch starts another without clearing anything.
//
// For a k-of-n gate whose live inputs number u ≥ k, a single component
// takes it down exactly when it takes down at least u−k+1 of those inputs,
// so the gate's cut set is the components counted at least u−k+1 times
// over its live inputs' cut sets (AND: u−k+1 = 1, a union; OR: all u, an
// intersection). That counting is exact for AND, OR and k-of-n alike.
type Evaluator struct {
	g      *model.Graph
	net    *Fabric
	failed []bool
	epoch  uint32

	ar    arena
	cnt   *counter
	stack []Val
	tmp   []int32
	tmp2  []int32
	term  []int32

	rack, power, psu, pwr, dev, netv, fwd, avail, svc memo
	comp                                              []uint32 // network component stamps
	reach                                             []bool   // by device, valid for solved components
	sSet                                              []bool   // fixpoint value present (false = ⊤)
	sVal                                              []span   // fixpoint S(v) by device

	// fabricFrom, when set, gives every fabric component the value it has
	// in another evaluation instead of solving it (SeedFabric).
	fabricFrom *Evaluator
	// powerFrom, when set, gives every power node the value it has in
	// another evaluation instead of deriving it (SeedPower).
	powerFrom *Evaluator
}

func New(g *model.Graph, net *Fabric, failed []bool) *Evaluator {
	return &Evaluator{
		g: g, net: net, failed: failed, epoch: 1,
		ar:    arena{buf: make([]int32, 0, 4*len(g.Comps)+1024)},
		cnt:   newCounter(len(g.Comps)),
		rack:  newMemo(len(g.Racks)),
		power: newMemo(len(g.Power)),
		psu:   newMemo(len(g.PSUs)),
		pwr:   newMemo(len(g.Devices)),
		dev:   newMemo(len(g.Devices)),
		netv:  newMemo(len(g.Devices)),
		fwd:   newMemo(len(g.Devices)),
		avail: newMemo(len(g.Devices)),
		svc:   newMemo(len(g.Services)),
		comp:  make([]uint32, len(net.Comps)),
		reach: make([]bool, len(g.Devices)),
		sSet:  make([]bool, len(g.Devices)),
		sVal:  make([]span, len(g.Devices)),
	}
}

// next starts a new evaluation (after the caller changed failed).
func (e *Evaluator) Next() {
	e.epoch++
	e.ar.reset()
	e.fabricFrom = nil
	e.powerFrom = nil
}

func (e *Evaluator) Cut(v Val) []int32 { return e.ar.get(v.cut) }

// and combines gates that must all be up: the union of their cut sets
// plus the gate's own components (self).
func (e *Evaluator) and(self []int32, parts ...Val) Val {
	for _, p := range parts {
		if !p.Up {
			return Val{}
		}
	}
	e.tmp = append(e.tmp[:0], self...)
	for _, p := range parts {
		e.tmp = append(e.tmp, e.Cut(p)...)
	}
	slices.Sort(e.tmp)
	e.tmp = slices.Compact(e.tmp)
	return Val{Up: true, cut: e.ar.put(e.tmp)}
}

// threshold is a k-of-n gate over vals.
func (e *Evaluator) threshold(vals []Val, k int) Val {
	if k <= 0 {
		return Val{Up: true}
	}
	up := 0
	for _, v := range vals {
		if v.Up {
			up++
		}
	}
	if up < k {
		return Val{}
	}
	need := int32(up - k + 1)
	if need == 1 {
		e.tmp = e.tmp[:0]
		for _, v := range vals {
			if v.Up {
				e.tmp = append(e.tmp, e.Cut(v)...)
			}
		}
		slices.Sort(e.tmp)
		e.tmp = slices.Compact(e.tmp)
		return Val{Up: true, cut: e.ar.put(e.tmp)}
	}
	for _, v := range vals {
		if v.Up {
			e.cnt.add(e.Cut(v))
		}
	}
	e.tmp = e.cnt.atLeast(e.tmp[:0], need)
	return Val{Up: true, cut: e.ar.put(e.tmp)}
}

func (e *Evaluator) self(c int32) Val {
	if e.failed[c] {
		return Val{}
	}
	return Val{Up: true, cut: e.ar.put([]int32{c})}
}

func (e *Evaluator) site(s int32) Val { return e.self(e.g.Sites[s].Comp) }

func (e *Evaluator) Rack(r int32) Val {
	if v, ok := e.rack.get(r, e.epoch); ok {
		return v
	}
	R := &e.g.Racks[r]
	v := e.and([]int32{R.Comp}, e.selfOK(R.Comp), e.site(R.Site))
	e.rack.set(r, e.epoch, v)
	return v
}

// selfOK is a component's own state with an empty cut (the caller adds
// the component itself to the cut).
func (e *Evaluator) selfOK(c int32) Val { return Val{Up: !e.failed[c]} }

func (e *Evaluator) Power(p int32) Val {
	if v, ok := e.power.get(p, e.epoch); ok {
		return v
	}
	if f := e.powerFrom; f != nil {
		if v, ok := f.power.get(p, f.epoch); ok {
			v = e.copyVal(v, f)
			e.power.set(p, e.epoch, v)
			return v
		}
	}
	P := &e.g.Power[p]
	loc := Val{Up: true}
	switch {
	case P.Rack >= 0:
		loc = e.Rack(P.Rack)
	case P.Site >= 0:
		loc = e.site(P.Site)
	}
	in := Val{Up: true}
	if len(P.Inputs) > 0 {
		base := len(e.stack)
		for j, i := range P.Inputs {
			var v Val
			if P.InputLive(j, e.failed) { // a lost inlet cuts that input off; it is never a cause itself
				v = e.Power(i)
			}
			e.stack = append(e.stack, v)
		}
		in = e.threshold(e.stack[base:], 1)
		e.stack = e.stack[:base]
	}
	v := e.and([]int32{P.Comp}, e.selfOK(P.Comp), loc, in)
	e.power.set(p, e.epoch, v)
	return v
}

func (e *Evaluator) PSU(i int32) Val {
	if v, ok := e.psu.get(i, e.epoch); ok {
		return v
	}
	P := &e.g.PSUs[i]
	v := e.and([]int32{P.Comp}, e.selfOK(P.Comp), e.Power(P.PDU))
	e.psu.set(i, e.epoch, v)
	return v
}

// powered is the device's k-of-n over its PSUs.
func (e *Evaluator) Powered(d int32) Val {
	if v, ok := e.pwr.get(d, e.epoch); ok {
		return v
	}
	D := &e.g.Devices[d]
	if len(D.PSUs) == 0 {
		return Val{Up: true}
	}
	base := len(e.stack)
	for _, p := range D.PSUs {
		v := e.PSU(p)
		e.stack = append(e.stack, v)
	}
	v := e.threshold(e.stack[base:], D.MinPSUs)
	e.stack = e.stack[:base]
	e.pwr.set(d, e.epoch, v)
	return v
}

// volumeUp is whether volume v is up with the failures failed, per its
// RAID level: raid10 while every mirror pair keeps a live drive (and an
// unpaired drive, only from observed data, is live); any other level
// while at least Needed drives are live.
func volumeUp(v *model.Volume, failed []bool) bool {
	if v.RAID == "raid10" {
		for i := 0; i+1 < len(v.Drives); i += 2 {
			if failed[v.Drives[i]] && failed[v.Drives[i+1]] {
				return false
			}
		}
		return len(v.Drives)%2 == 0 || !failed[v.Drives[len(v.Drives)-1]]
	}
	return liveDrives(v, failed) >= v.Needed()
}

func liveDrives(v *model.Volume, failed []bool) int {
	up := 0
	for _, d := range v.Drives {
		if !failed[d] {
			up++
		}
	}
	return up
}

// Volume is a volume's value; drives are leaves, so its cut set is simply
// the live drives that have no live partner left to cover them.
func (e *Evaluator) Volume(v *model.Volume) Val {
	if !volumeUp(v, e.failed) {
		return Val{}
	}
	f := e.failed
	e.tmp2 = e.tmp2[:0]
	switch {
	case v.RAID == "raid10":
		for i := 0; i+1 < len(v.Drives); i += 2 {
			switch a, b := v.Drives[i], v.Drives[i+1]; {
			case f[a]:
				e.tmp2 = append(e.tmp2, b)
			case f[b]:
				e.tmp2 = append(e.tmp2, a)
			}
		}
		if len(v.Drives)%2 == 1 { // an unpaired drive is needed
			e.tmp2 = append(e.tmp2, v.Drives[len(v.Drives)-1])
		}
	case liveDrives(v, f) == v.Needed():
		for _, d := range v.Drives {
			if !f[d] {
				e.tmp2 = append(e.tmp2, d)
			}
		}
	}
	slices.Sort(e.tmp2)
	return Val{Up: true, cut: e.ar.put(e.tmp2)}
}

// Device: a device is up while it, its rack, its power and every volume are up.
func (e *Evaluator) Device(d int32) Val {
	if v, ok := e.dev.get(d, e.epoch); ok {
		return v
	}
	D := &e.g.Devices[d]
	base := len(e.stack)
	e.stack = append(e.stack, e.selfOK(D.Comp))
	r := e.Rack(D.Rack)
	e.stack = append(e.stack, r)
	p := e.Powered(d)
	e.stack = append(e.stack, p)
	for i := range D.Volumes {
		vv := e.Volume(&D.Volumes[i])
		e.stack = append(e.stack, vv)
	}
	v := e.and([]int32{D.Comp}, e.stack[base:]...)
	e.stack = e.stack[:base]
	e.dev.set(d, e.epoch, v)
	return v
}

// Avail: a device is available while it is up and has network.
func (e *Evaluator) Avail(d int32) Val {
	if v, ok := e.avail.get(d, e.epoch); ok {
		return v
	}
	up := e.Device(d)
	var v Val
	if up.Up {
		v = e.and(nil, up, e.Net(d))
	}
	e.avail.set(d, e.epoch, v)
	return v
}

// Service: a service is up while min_up members are available and every
// required service is up.
func (e *Evaluator) Service(s int32) Val {
	if v, ok := e.svc.get(s, e.epoch); ok {
		return v
	}
	S := &e.g.Services[s]
	base := len(e.stack)
	for _, m := range S.Members {
		var v Val
		if m.Device >= 0 {
			v = e.Avail(m.Device)
		} else {
			v = e.Service(m.Service)
		}
		e.stack = append(e.stack, v)
	}
	members := e.threshold(e.stack[base:], S.MinUp)
	e.stack = e.stack[:base]
	var v Val
	if members.Up {
		e.stack = append(e.stack, members)
		for _, r := range S.Requires {
			rv := e.Service(r)
			e.stack = append(e.stack, rv)
		}
		v = e.and(nil, e.stack[base:]...)
		e.stack = e.stack[:base]
	}
	e.svc.set(s, e.epoch, v)
	return v
}

// Failed reports whether component c is failed in the evaluated state.
func (e *Evaluator) Failed(c int32) bool { return e.failed[c] }

// Failures is the failure vector the evaluator reads (shared with the
// caller, who may change it between evaluations and then calls Next).
func (e *Evaluator) Failures() []bool { return e.failed }
