package snmp

import (
	"strconv"
	"strings"

	"github.com/faultline/faultline/observation"
)

// reading is one source's word on a part's state.
type reading struct {
	source string // the MIB object, e.g. "ciscoEnvMonSupplyState"
	cond   observation.Condition
	state  string // as the MIB names the value, e.g. "shutdown"
}

// part is a power supply or fan being assembled from several MIBs.
type part struct {
	id       string // entPhysicalIndex, or the vendor table's index
	entIndex int64  // 0 when the part is not an ENTITY-MIB entry
	name     string
	model    string
	serial   string
	readings []reading
	watts    *float64
	rpm      *float64
	vendor   bool // a vendor table has spoken for it
}

// condition is the worst condition any source reports; unknown when none
// does. Order: unknown < ok < absent < degraded < failed.
func (p *part) condition() observation.Condition {
	rank := map[observation.Condition]int{observation.Unknown: 0, observation.OK: 1, observation.Absent: 2, observation.Degraded: 3, observation.Failed: 4}
	c := observation.Unknown
	for _, r := range p.readings {
		if rank[r.cond] > rank[c] {
			c = r.cond
		}
	}
	return c
}

// stateText lists every source's value for people: "a=x; b=y".
func (p *part) stateText() string {
	s := make([]string, 0, len(p.readings))
	for _, r := range p.readings {
		s = append(s, r.source+"="+r.state)
	}
	return strings.Join(s, "; ")
}

// partSet is the power supplies (or fans) of one device, in physical
// order: ENTITY-MIB entries first (by index), then vendor-only entries.
type partSet struct {
	list  []*part
	byEnt map[int64]*part
}

func (s *partSet) addEntity(idx int64, name, model, serial string) {
	if s.byEnt == nil {
		s.byEnt = map[int64]*part{}
	}
	p := &part{id: strconv.FormatInt(idx, 10), entIndex: idx, name: name, model: model, serial: serial}
	s.byEnt[idx] = p
	s.list = append(s.list, p)
}

// entity returns the part that is ENTITY-MIB entry idx, or nil.
func (s *partSet) entity(idx int64) *part { return s.byEnt[idx] }

// vendorRow is one row of a vendor's own PSU or fan table.
type vendorRow struct {
	id      string // the table's index
	entHint int64  // an entPhysicalIndex the table shares, or 0
	name    string
	reading reading
	watts   *float64
	model   string
	serial  string
}

// attachVendor merges a vendor table into the set. A row joins an
// ENTITY-MIB part with the same index (where the vendor table shares
// entPhysicalIndex, as Cisco's do), else one with the same name (ignoring
// case, spaces and punctuation: "Power Supply #1" is "Power Supply 1");
// the rows left join the ENTITY-MIB parts no vendor table has claimed, in
// order, when there are exactly as many of each; any others become parts
// of their own.
func (s *partSet) attachVendor(rows []vendorRow) {
	var left []vendorRow
	for _, r := range rows {
		if p := s.entity(r.entHint); r.entHint != 0 && p != nil {
			s.merge(p, r)
			continue
		}
		if p := s.byName(r.name); p != nil {
			s.merge(p, r)
			continue
		}
		left = append(left, r)
	}
	var free []*part
	for _, p := range s.list {
		if p.entIndex != 0 && !p.vendor {
			free = append(free, p)
		}
	}
	if len(left) > 0 && len(left) == len(free) {
		for i, r := range left {
			s.merge(free[i], r)
		}
		return
	}
	for _, r := range left {
		p := &part{id: r.id, name: r.name}
		s.merge(p, r)
		s.list = append(s.list, p)
	}
}

func (s *partSet) merge(p *part, r vendorRow) {
	p.vendor = true
	p.readings = append(p.readings, r.reading)
	if p.name == "" {
		p.name = r.name
	}
	if r.watts != nil {
		p.watts = r.watts
	}
	if p.model == "" {
		p.model = r.model
	}
	if p.serial == "" {
		p.serial = r.serial
	}
}

func (s *partSet) byName(name string) *part {
	k := nameKey(name)
	if k == "" {
		return nil
	}
	for _, p := range s.list {
		if nameKey(p.name) == k {
			return p
		}
	}
	return nil
}

// nameKey folds a part name for matching: lower case, letters and digits.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// psus renders the set as observed power supplies.
func (s *partSet) psus() []observation.PSU {
	out := make([]observation.PSU, 0, len(s.list))
	for i, p := range s.list {
		out = append(out, observation.PSU{ID: p.id, Name: p.name, Slot: i, Condition: p.condition(),
			State: p.stateText(), Model: p.model, Serial: p.serial, InputWatts: p.watts})
	}
	return out
}

// fans renders the set as observed fans.
func (s *partSet) fans() []observation.Fan {
	out := make([]observation.Fan, 0, len(s.list))
	for _, p := range s.list {
		out = append(out, observation.Fan{ID: p.id, Name: p.name, Condition: p.condition(), RPM: p.rpm})
	}
	return out
}
