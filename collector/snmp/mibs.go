package snmp

import (
	"github.com/faultline/faultline/observation"
)

// module reads one MIB module (or one vendor's tables): the scalars and
// table columns it needs, and how it turns them into the observation.
type module struct {
	// name is the MIB module, used as the PartError's part.
	name    string
	scalars []OID
	columns []OID
	decode  func(b *builder, r *walkResult) error
}

// modules is every MIB the collector reads, in decoding order: interfaces
// before the neighbours that attach to them, ENTITY-MIB before the tables
// that attach states to its entries.
var modules = []*module{
	systemMIB,
	ifMIB,
	lldpMIB,
	cdpMIB,
	entityMIB,
	entityStateMIB,
	entitySensorMIB,
	ciscoEnvMonMIB,
	ciscoFRUMIB,
	juniperMIB,
	dellOS10MIB,
	dellNetMIB,
	arubaCXMIB,
	hpicfMIB,
	raritanMIB,
	sentry3MIB,
	sentry4MIB,
	apcPDUMIB,
	upsMIB,
	apcUPSMIB,
	mgeUPSMIB,
}

// builder assembles one device's observation from the modules' readings.
type builder struct {
	dev *observation.Device
	// portAt maps ifIndex to the port's position in dev.Ports.
	portAt map[int64]int
	// ent is ENTITY-MIB's entPhysicalTable by index.
	ent  map[int64]*entity
	psus partSet
	fans partSet
}

// entity is one entPhysicalEntry.
type entity struct {
	class  int64
	parent int64
	name   string
}

// maxSensorDepth is how many levels of containment above a sensor are
// searched for the part it measures.
const maxSensorDepth = 3

// ancestors calls fn for entity idx and the entities containing it, at
// most depth levels up (a containment loop ends there too).
func (b *builder) ancestors(idx int64, depth int, fn func(int64)) {
	for range depth + 1 {
		fn(idx)
		e := b.ent[idx]
		if e == nil || e.parent == 0 || e.parent == idx {
			return
		}
		idx = e.parent
	}
}

// port returns the port with the ifIndex, or nil.
func (b *builder) port(ifIndex int64) *observation.Port {
	if i, ok := b.portAt[ifIndex]; ok {
		return &b.dev.Ports[i]
	}
	return nil
}

// plan lists what to read: every module's scalars and columns.
func plan() (scalars, columns []OID) {
	for _, m := range modules {
		scalars = append(scalars, m.scalars...)
		columns = append(columns, m.columns...)
	}
	return scalars, columns
}

// cols builds column OIDs of a table entry.
func cols(entry string, nums ...uint32) []OID {
	e := MustOID(entry)
	out := make([]OID, len(nums))
	for i, n := range nums {
		out[i] = e.Append(n)
	}
	return out
}

// enumState maps an enumeration's values to names and conditions: the one
// place per MIB where a vendor's states are normalized.
type enumState map[int64]struct {
	name string
	cond observation.Condition
}

// read returns the reading for value v of source.
func (e enumState) read(p *problems, source string, v Var) reading {
	n, err := v.Integer()
	p.add(source, err)
	if err != nil {
		return reading{source: source, cond: observation.Unknown, state: "bad value: " + v.Kind.String()}
	}
	s, ok := e[n]
	if !ok {
		return reading{source: source, cond: observation.Unknown, state: "value " + itoa(n)}
	}
	return reading{source: source, cond: s.cond, state: s.name}
}
