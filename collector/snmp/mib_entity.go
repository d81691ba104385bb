package snmp

// ENTITY-MIB (RFC 6933) entPhysicalTable: the physical parts. Entries of
// class powerSupply(6) and fan(7) become the device's PSUs and fans, in
// index order; other MIBs attach their states to them.
var entPhysicalEntry = MustOID("1.3.6.1.2.1.47.1.1.1.1")

const (
	entClassPowerSupply = 6
	entClassFan         = 7
)

var entityMIB = &module{
	name: "ENTITY-MIB",
	// entPhysicalDescr, entPhysicalContainedIn, entPhysicalClass,
	// entPhysicalName, entPhysicalSerialNum, entPhysicalModelName.
	columns: cols("1.3.6.1.2.1.47.1.1.1.1", 2, 4, 5, 7, 11, 13),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(entPhysicalEntry, 2, 4, 5, 7, 11, 13)
		p.addTable(err)
		type found struct {
			idx                 int64
			name, model, serial string
		}
		var psus []found
		for i, rw := range rows {
			if i%checkEvery == 0 && b.psus.stopped() {
				break
			}
			if len(rw.index) != 1 {
				continue
			}
			idx := last(rw.index)
			e := &entity{name: p.text(rw, 3)}
			if e.name == "" {
				// Some agents (Arista EOS) leave entPhysicalName blank.
				e.name = p.text(rw, 0)
			}
			e.parent, _ = p.integer(rw, 1)
			e.class, _ = p.integer(rw, 2)
			b.ent[idx] = e
			switch e.class {
			case entClassPowerSupply:
				psus = append(psus, found{idx, e.name, p.text(rw, 5), p.text(rw, 4)})
			case entClassFan:
				b.fans.addEntity(idx, e.name, "", "")
			}
		}
		// A power supply inside another ("Power Supply Module 1" holding
		// "Power Supply 1") is one unit: the outermost is the part, the
		// inner ones reach it by index and by name.
		var inner []found
		for _, f := range psus {
			if b.unitOf(f.idx, entClassPowerSupply) == f.idx {
				b.psus.addEntity(f.idx, f.name, f.model, f.serial)
			} else {
				inner = append(inner, f)
			}
		}
		for _, f := range inner {
			if unit := b.psus.entity(b.unitOf(f.idx, entClassPowerSupply)); unit != nil {
				b.psus.alias(f.idx, unit, f.name, f.model, f.serial)
			} else {
				// A containment loop has no outermost: each is its own.
				b.psus.addEntity(f.idx, f.name, f.model, f.serial)
			}
		}
		return p.err()
	},
}

// maxContainment bounds the walk up entPhysicalContainedIn: deeper trees
// (or loops) are cut there.
const maxContainment = 16

// unitOf returns the outermost entity of class that contains idx (idx
// itself when none does), following entPhysicalContainedIn through
// entities of any class.
func (b *builder) unitOf(idx, class int64) int64 {
	unit := idx
	b.ancestors(idx, maxContainment, func(anc int64) {
		if e := b.ent[anc]; e != nil && e.class == class {
			unit = anc
		}
	})
	return unit
}
