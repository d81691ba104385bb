package snmp

import (
	"context"
	"slices"
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
// Lookups are maps, so that matching a vendor table is linear in its
// rows whatever the number of parts.
type partSet struct {
	list []*part
	// byEnt maps an entPhysicalIndex to its part; the entries nested in
	// another of the same class (see unitOf) map to the outer one.
	byEnt map[int64]*part
	// byName maps a nameKey to the first part (in list order) known by it.
	byName map[string]*part
	// ctx is the poll's: matching stops when it is done (the poll then
	// fails as a whole).
	ctx context.Context
}

func (s *partSet) addEntity(idx int64, name, model, serial string) *part {
	if s.byEnt == nil {
		s.byEnt = map[int64]*part{}
	}
	p := &part{id: strconv.FormatInt(idx, 10), entIndex: idx, name: name, model: model, serial: serial}
	s.byEnt[idx] = p
	s.list = append(s.list, p)
	s.nameIt(p, name)
	return p
}

// alias makes ENTITY-MIB entry idx, named name, another view of unit:
// vendor rows and sensors for idx (by index or by name) reach unit.
func (s *partSet) alias(idx int64, unit *part, name, model, serial string) {
	s.byEnt[idx] = unit
	s.nameIt(unit, name)
	if unit.model == "" {
		unit.model = model
	}
	if unit.serial == "" {
		unit.serial = serial
	}
}

// nameIt lets p be found by name, unless an earlier part has that name.
func (s *partSet) nameIt(p *part, name string) {
	k := nameKey(name)
	if k == "" {
		return
	}
	if s.byName == nil {
		s.byName = map[string]*part{}
	}
	if _, taken := s.byName[k]; !taken {
		s.byName[k] = p
	}
}

// entity returns the part that is (or contains) ENTITY-MIB entry idx, or nil.
func (s *partSet) entity(idx int64) *part { return s.byEnt[idx] }

// stopped reports whether the poll's deadline has passed.
func (s *partSet) stopped() bool { return s.ctx != nil && s.ctx.Err() != nil }

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
// order, when there are exactly as many of each (taking the row's name
// when the entities' names repeat); any others become parts of their
// own.
func (s *partSet) attachVendor(rows []vendorRow) {
	var left []vendorRow
	for i, r := range rows {
		if i%checkEvery == 0 && s.stopped() {
			return
		}
		if p := s.byEnt[r.entHint]; r.entHint != 0 && p != nil {
			s.merge(p, r)
			continue
		}
		if p := s.byName[nameKey(r.name)]; p != nil {
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
		// Entity names that repeat ("PS Unit 1" in each PSU module) name
		// no unit: the vendor's do.
		rename := !distinctNames(free)
		for i, r := range left {
			if rename && r.name != "" {
				free[i].name = r.name
			}
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
	p.add(r.reading)
	if p.name == "" {
		p.name = r.name
	}
	s.nameIt(p, r.name)
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

// distinctNames reports whether no two of parts share a nameKey.
func distinctNames(parts []*part) bool {
	seen := make(map[string]bool, len(parts))
	for _, p := range parts {
		k := nameKey(p.name)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// add takes in a reading, once: the same word from the same source (a
// vendor table listing both views of one nested unit) is not repeated.
func (p *part) add(r reading) {
	for _, have := range p.readings {
		if have == r {
			return
		}
	}
	p.readings = append(p.readings, r)
}

// settle keeps one source of truth per part once every MIB has spoken.
// Where a vendor table reports parts that no ENTITY-MIB entry could be
// tied to, the ENTITY-MIB entries that nothing gave a state (no vendor
// row claimed them, and every reading, if any, is unknown) are the same
// hardware seen without its state, not more of it: they are dropped,
// rather than counting each part twice.
func (s *partSet) settle() {
	vendorOnly := false
	for _, p := range s.list {
		if p.entIndex == 0 {
			vendorOnly = true
			break
		}
	}
	if !vendorOnly {
		return
	}
	s.list = slices.DeleteFunc(s.list, func(p *part) bool {
		return p.entIndex != 0 && !p.vendor && p.condition() == observation.Unknown
	})
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
