package fault

import (
	"github.com/faultline/faultline/model"
)

// State is the fault model's up/down state, kept current as failures are
// added one at a time and undone to a mark: the planner's fast path. A
// failure propagates only to the gates it turns down (counts of live
// inputs, PSUs and members are decremented; a fabric component's
// reachability is recomputed when one of its members or links goes), so
// trying a candidate costs what it changes, not the fleet. It follows the
// same gates as the Evaluator (the volume rule is shared, volumeUp), and
// the planner's differential test checks the two against an oracle.
type State struct {
	g   *model.Graph
	x   *Index
	net *Fabric

	failed                                      []bool
	rackUp, powUp, psuUp, powered, devUp, netUp []bool
	reach, avail, svcUp, upNow                  []bool
	powIn, livePSU, svcCount                    []int32
	memberOf, requiredBy                        [][]int32 // service -> services using it as member / requirement
	down                                        int32     // services up now that are down (Down)
	trail                                       []undo
	queue, lost                                 []int32
	stamp                                       []uint32 // by device: queued in solve round
	round                                       uint32
}

type undo struct {
	b    *bool
	bOld bool
	n    *int32
	nOld int32
}

func (s *State) setB(p *bool, v bool) {
	if *p != v {
		s.trail = append(s.trail, undo{b: p, bOld: *p})
		*p = v
	}
}

func (s *State) addN(p *int32, d int32) {
	s.trail = append(s.trail, undo{n: p, nOld: *p})
	*p += d
}

// Mark and UndoTo bracket a tentative change.
func (s *State) Mark() int { return len(s.trail) }

func (s *State) UndoTo(m int) {
	for i := len(s.trail) - 1; i >= m; i-- {
		u := s.trail[i]
		if u.b != nil {
			*u.b = u.bOld
		} else {
			*u.n = u.nOld
		}
	}
	s.trail = s.trail[:m]
}

// NewState evaluates the state with failed components failed.
func NewState(x *Index, failed []bool) *State {
	g, net := x.g, x.net
	nd, ns := len(g.Devices), len(g.Services)
	s := &State{g: g, x: x, net: net, failed: append([]bool(nil), failed...),
		rackUp: make([]bool, len(g.Racks)), powUp: make([]bool, len(g.Power)), psuUp: make([]bool, len(g.PSUs)),
		powered: make([]bool, nd), devUp: make([]bool, nd), netUp: make([]bool, nd), reach: make([]bool, nd),
		avail: make([]bool, nd), stamp: make([]uint32, nd), svcUp: make([]bool, ns), upNow: make([]bool, ns),
		powIn: make([]int32, len(g.Power)), livePSU: make([]int32, nd), svcCount: make([]int32, ns),
		memberOf: make([][]int32, ns), requiredBy: make([][]int32, ns)}
	f := s.failed
	siteUp := func(i int32) bool { return !f[g.Sites[i].Comp] }
	for r := range g.Racks {
		s.rackUp[r] = !f[g.Racks[r].Comp] && siteUp(g.Racks[r].Site)
	}
	for p := range g.Power {
		P := &g.Power[p]
		ok := !f[P.Comp]
		if P.Rack >= 0 {
			ok = ok && s.rackUp[P.Rack]
		}
		if P.Site >= 0 {
			ok = ok && siteUp(P.Site)
		}
		for j, in := range P.Inputs {
			if s.powUp[in] && P.InputLive(j, f) {
				s.powIn[p]++
			}
		}
		s.powUp[p] = ok && (len(P.Inputs) == 0 || s.powIn[p] > 0)
	}
	for q := range g.PSUs {
		Q := &g.PSUs[q]
		s.psuUp[q] = !f[Q.Comp] && s.powUp[Q.PDU] && s.bankUp(Q)
		if s.psuUp[q] {
			s.livePSU[Q.Device]++
		}
	}
	for d := range g.Devices {
		D := &g.Devices[d]
		s.powered[d] = len(D.PSUs) == 0 || int(s.livePSU[d]) >= D.MinPSUs
		s.devUp[d] = !f[D.Comp] && s.rackUp[D.Rack] && s.powered[d] && s.volumesUp(int32(d))
	}
	for k := range net.Comps {
		for _, m := range s.solve(int32(k)) {
			s.reach[m] = true
		}
	}
	for d := range g.Devices {
		s.netUp[d] = s.hasNet(int32(d))
		s.avail[d] = s.devUp[d] && s.netUp[d]
	}
	for i := range g.Services {
		S := &g.Services[i]
		for _, m := range S.Members {
			if m.Service >= 0 {
				s.memberOf[m.Service] = append(s.memberOf[m.Service], int32(i))
			}
		}
		for _, r := range S.Requires {
			s.requiredBy[r] = append(s.requiredBy[r], int32(i))
		}
	}
	for i := range g.Services {
		S := &g.Services[i]
		for _, m := range S.Members {
			if (m.Device >= 0 && s.avail[m.Device]) || (m.Service >= 0 && s.svcUp[m.Service]) {
				s.svcCount[i]++
			}
		}
		up := int(s.svcCount[i]) >= S.MinUp
		for _, r := range S.Requires {
			up = up && s.svcUp[r]
		}
		s.svcUp[i], s.upNow[i] = up, up
	}
	return s
}

// volumesUp is whether every volume of a device is up.
func (s *State) volumesUp(d int32) bool {
	for i := range s.g.Devices[d].Volumes {
		if !volumeUp(&s.g.Devices[d].Volumes[i], s.failed) {
			return false
		}
	}
	return true
}

// Down counts the services up in the state the State was created with
// that the failures added since take down.
func (s *State) Down() int32 { return s.down }

// solve lists the members of fabric component k that are up and reach a
// live root through live links and up members.
func (s *State) solve(k int32) []int32 {
	g := s.g
	q := s.queue[:0]
	for _, m := range s.net.Comps[k] {
		if !s.devUp[m] {
			continue
		}
		for _, a := range g.Devices[m].Adj {
			if g.Devices[a.Peer].Root && g.LinkLive(a.Link, s.failed) && s.devUp[a.Peer] {
				q = append(q, m)
				break
			}
		}
	}
	// Breadth first inside the component; stamp marks what is queued.
	s.round++
	for _, m := range q {
		s.stamp[m] = s.round
	}
	for h := 0; h < len(q); h++ {
		for _, a := range g.Devices[q[h]].Adj {
			p := a.Peer
			if s.net.CompOf[p] != k || s.stamp[p] == s.round || !g.LinkLive(a.Link, s.failed) || !s.devUp[p] {
				continue
			}
			s.stamp[p] = s.round
			q = append(q, p)
		}
	}
	s.queue = q
	return q
}

// hasNet is the network gate of a device under the current state.
func (s *State) hasNet(d int32) bool {
	g := s.g
	D := &g.Devices[d]
	if !g.NetworkModelled || D.Root {
		return true
	}
	for _, a := range D.Adj {
		if !g.LinkLive(a.Link, s.failed) {
			continue
		}
		P := &g.Devices[a.Peer]
		switch {
		case P.Root:
			if s.devUp[a.Peer] {
				return true
			}
		case P.Forwards:
			if s.reach[a.Peer] {
				return true
			}
		}
	}
	return false
}

// Fail adds a failed component and propagates what it turns down.
func (s *State) Fail(c int32) {
	g, x := s.g, s.x
	if s.failed[c] {
		return
	}
	s.setB(&s.failed[c], true)
	e := g.Entities[c]
	switch g.Kinds[c] {
	case model.KindSite:
		for _, r := range x.racksOf[e] {
			s.rackDown(r)
		}
		for _, p := range x.powOfSite[e] {
			s.powDown(p)
		}
	case model.KindRack:
		s.rackDown(e)
	case model.KindPower:
		s.powDown(e)
	case model.KindPSU:
		s.psuDown(e)
	case model.KindDrive:
		if d := g.DeviceOf(c); s.devUp[d] && !s.volumesUp(d) {
			s.devDown(d)
		}
	case model.KindDevice:
		s.devDown(e)
	case model.KindLink, model.KindCable:
		for _, li := range g.LinksOf(c) {
			L := &g.Links[li]
			for _, end := range []int32{L.A, L.B} {
				s.netRecheck(end)
				if k := s.net.CompOf[end]; k >= 0 {
					s.fabricRecheck(k)
				}
			}
		}
	}
}

// bankUp is whether the input a PSU's outlet is bound to (if any) feeds
// its PDU.
func (s *State) bankUp(Q *model.PSU) bool {
	if Q.Input < 0 {
		return true
	}
	P := &s.g.Power[Q.PDU]
	return s.powUp[P.Inputs[Q.Input]] && P.InputLive(int(Q.Input), s.failed)
}

func (s *State) rackDown(r int32) {
	if !s.rackUp[r] {
		return
	}
	s.setB(&s.rackUp[r], false)
	for _, p := range s.x.powOfRack[r] {
		s.powDown(p)
	}
	for _, d := range s.x.devsOf[r] {
		s.devDown(d)
	}
}

func (s *State) powDown(p int32) {
	if !s.powUp[p] {
		return
	}
	s.setB(&s.powUp[p], false)
	for _, child := range s.x.feeds[p] {
		if s.powUp[child] && s.g.Power[child].FedBy(p, s.failed) {
			s.addN(&s.powIn[child], -1)
			if s.powIn[child] == 0 {
				s.powDown(child)
			}
		}
	}
	for _, q := range s.x.psusOn[p] {
		s.psuDown(q)
	}
	for _, q := range s.x.boundTo[p] {
		s.psuDown(q)
	}
}

func (s *State) psuDown(q int32) {
	if !s.psuUp[q] {
		return
	}
	s.setB(&s.psuUp[q], false)
	d := s.g.PSUs[q].Device
	s.addN(&s.livePSU[d], -1)
	if s.powered[d] && int(s.livePSU[d]) < s.g.Devices[d].MinPSUs {
		s.setB(&s.powered[d], false)
		s.devDown(d)
	}
}

func (s *State) devDown(d int32) {
	if !s.devUp[d] {
		return
	}
	s.setB(&s.devUp[d], false)
	s.availDown(d)
	D := &s.g.Devices[d]
	switch {
	case D.Root:
		for _, a := range D.Adj {
			s.netRecheck(a.Peer)
			if k := s.net.CompOf[a.Peer]; k >= 0 {
				s.fabricRecheck(k)
			}
		}
	case s.net.CompOf[d] >= 0:
		s.fabricRecheck(s.net.CompOf[d])
	}
}

// fabricRecheck recomputes a fabric component's reachability; members that
// lose it may cut their neighbours off.
func (s *State) fabricRecheck(k int32) {
	s.solve(k)
	lost := s.lost[:0]
	for _, m := range s.net.Comps[k] {
		if s.reach[m] && s.stamp[m] != s.round {
			s.setB(&s.reach[m], false)
			lost = append(lost, m)
		}
	}
	s.lost = lost[:0]
	for _, m := range lost {
		for _, a := range s.g.Devices[m].Adj {
			s.netRecheck(a.Peer)
		}
	}
}

func (s *State) netRecheck(v int32) {
	if !s.netUp[v] || s.hasNet(v) {
		return
	}
	s.setB(&s.netUp[v], false)
	s.availDown(v)
}

func (s *State) availDown(d int32) {
	if !s.avail[d] {
		return
	}
	s.setB(&s.avail[d], false)
	for _, sv := range s.x.svcOfDev.at(d) {
		s.memberLost(sv)
	}
}

func (s *State) memberLost(sv int32) {
	s.addN(&s.svcCount[sv], -1)
	if s.svcUp[sv] && int(s.svcCount[sv]) < s.g.Services[sv].MinUp {
		s.svcDown(sv)
	}
}

func (s *State) svcDown(sv int32) {
	if !s.svcUp[sv] {
		return
	}
	s.setB(&s.svcUp[sv], false)
	if s.upNow[sv] {
		s.addN(&s.down, 1)
	}
	for _, p := range s.memberOf[sv] {
		s.memberLost(p)
	}
	for _, p := range s.requiredBy[sv] {
		s.svcDown(p)
	}
}
