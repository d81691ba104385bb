package redfish

import (
	"unique"

	"github.com/faultline/faultline/observation"
)

// A collector of a fleet remembers a part per system and chassis, and a
// fleet is mostly the same few models: the same states, healths, model
// names and part names repeat across thousands of BMCs. Remembered parts
// share one copy of each short string (unique.Make), which roughly halves
// what the poller keeps per BMC.

func in(s string) string {
	if s == "" || len(s) > 64 {
		return s
	}
	return unique.Make(s).Value()
}

func (st *rfStatus) intern() {
	st.State, st.Health = in(st.State), in(st.Health)
	st.Conditions = nil // read when the part was made; not needed again
}

func (s *storagePart) intern() {
	for i := range s.controllers {
		c := &s.controllers[i]
		c.ID, c.Name, c.State, c.Health, c.Model, c.Firmware = in(c.ID), in(c.Name), in(c.State), in(c.Health), in(c.Model), in(c.Firmware)
	}
	for i := range s.volumes {
		v := &s.volumes[i]
		v.ID, v.Name, v.RAIDReported, v.State, v.Health = in(v.ID), in(v.Name), in(v.RAIDReported), in(v.State), in(v.Health)
	}
	for i := range s.drives {
		d := &s.drives[i]
		d.ID, d.Name, d.State, d.Health, d.MediaType, d.Model = in(d.ID), in(d.Name), in(d.State), in(d.Health), in(d.MediaType), in(d.Model)
	}
}

func (s *systemPart) intern() {
	d := &s.doc
	d.Manufacturer, d.Model, d.BiosVersion, d.PowerState = in(d.Manufacturer), in(d.Model), in(d.BiosVersion), in(d.PowerState)
	d.Status.intern()
	s.storage.intern()
	for i := range s.ifaces {
		e := &s.ifaces[i].doc
		e.Name, e.Description, e.LinkStatus, e.EthernetInterfaceType = in(e.Name), in(e.Description), in(e.LinkStatus), in(e.EthernetInterfaceType)
		e.Status.intern()
	}
}

func internPSUs(ps []observation.PSU) {
	for i := range ps {
		p := &ps[i]
		p.ID, p.Name, p.State, p.Health, p.Model = in(p.ID), in(p.Name), in(p.State), in(p.Health), in(p.Model)
	}
}

func (c *chassisPart) intern() {
	d := &c.doc
	d.Manufacturer, d.Model, d.ChassisType = in(d.Manufacturer), in(d.Model), in(d.ChassisType)
	d.Status.intern()
	internPSUs(c.power.psus)
	for i := range c.power.redundancy {
		r := &c.power.redundancy[i]
		r.Name, r.Mode = in(r.Name), in(r.Mode)
	}
	for i := range c.thermal.fans {
		f := &c.thermal.fans[i]
		f.ID, f.Name = in(f.ID), in(f.Name)
	}
	for i := range c.thermal.temps {
		c.thermal.temps[i].Name = in(c.thermal.temps[i].Name)
	}
	for k, p := range c.ports {
		p.Name, p.LinkStatus = in(p.Name), in(p.LinkStatus)
		p.Status.intern()
		if l := p.Ethernet.LLDPReceive; l != nil {
			l.SystemName, l.SystemDescription = in(l.SystemName), in(l.SystemDescription)
		}
		c.ports[k] = p
	}
}
