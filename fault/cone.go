package fault

import (
	"slices"

	"github.com/faultline/faultline/model"
)

// Cone collects the components an evaluation reads, whatever has
// failed: a service's, or one side (power, network) of a device's. It is
// the upstream counterpart of Reach.
type Cone struct {
	g                         *model.Graph
	net                       *Fabric
	seen                      map[int32]bool
	out                       []int32
	powerSeen, devSeen, svcOK map[int32]bool
	compSeen                  map[int32]bool
}

// NewCone starts an empty cone over g, whose fabric components are net.
func NewCone(g *model.Graph, net *Fabric) *Cone {
	return &Cone{g: g, net: net, seen: map[int32]bool{}, powerSeen: map[int32]bool{}, devSeen: map[int32]bool{}, svcOK: map[int32]bool{}, compSeen: map[int32]bool{}}
}

// Sorted is the cone's components, ascending.
func (c *Cone) Sorted() []int32 {
	slices.Sort(c.out)
	return c.out
}

func (c *Cone) add(x int32) {
	if !c.seen[x] {
		c.seen[x] = true
		c.out = append(c.out, x)
	}
}

func (c *Cone) power(p int32) {
	if c.powerSeen[p] {
		return
	}
	c.powerSeen[p] = true
	g := c.g
	P := &g.Power[p]
	c.add(P.Comp)
	if P.Rack >= 0 {
		c.add(g.Racks[P.Rack].Comp)
		c.add(g.Sites[g.Racks[P.Rack].Site].Comp)
	}
	if P.Site >= 0 {
		c.add(g.Sites[P.Site].Comp)
	}
	for _, x := range P.Inlets { // observed-failed inlets are what spent a node's inputs
		c.add(x)
	}
	for _, in := range P.Inputs {
		c.power(in)
	}
}

// Powered adds a device's PSUs and the power chain behind them.
func (c *Cone) Powered(d int32) {
	g := c.g
	for _, p := range g.Devices[d].PSUs {
		c.add(g.PSUs[p].Comp)
		c.power(g.PSUs[p].PDU)
	}
}

func (c *Cone) device(d int32) {
	if c.devSeen[d] {
		return
	}
	c.devSeen[d] = true
	g := c.g
	D := &g.Devices[d]
	c.add(D.Comp)
	c.add(g.Racks[D.Rack].Comp)
	c.add(g.Sites[g.Racks[D.Rack].Site].Comp)
	c.Powered(d)
	for _, v := range D.Volumes {
		for _, dr := range v.Drives {
			c.add(dr)
		}
	}
}

func (c *Cone) links(d int32) {
	g := c.g
	for _, adj := range g.Devices[d].Adj {
		P := &g.Devices[adj.Peer]
		if P.Root || P.Forwards {
			c.add(g.Links[adj.Link].Comp)
			if L := &g.Links[adj.Link]; L.Cable >= 0 {
				c.add(g.Cables[L.Cable].Comp)
			}
		}
		if P.Root {
			c.device(adj.Peer)
		}
	}
}

// Network adds what a device's path to the roots reads.
func (c *Cone) Network(d int32) {
	g := c.g
	if !g.NetworkModelled || g.Devices[d].Root {
		return
	}
	c.links(d)
	for _, adj := range g.Devices[d].Adj {
		k := c.net.CompOf[adj.Peer]
		if k < 0 || c.compSeen[k] {
			continue
		}
		c.compSeen[k] = true
		for _, m := range c.net.Comps[k] {
			c.device(m)
			c.links(m)
		}
	}
}

// Service adds what a service's evaluation reads: its members' devices
// and networks, and the services it contains or requires.
func (c *Cone) Service(s int32) {
	if c.svcOK[s] {
		return
	}
	c.svcOK[s] = true
	S := &c.g.Services[s]
	for _, m := range S.Members {
		if m.Device >= 0 {
			c.device(m.Device)
			c.Network(m.Device)
		} else {
			c.Service(m.Service)
		}
	}
	for _, r := range S.Requires {
		c.Service(r)
	}
}
