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
		for _, rw := range rows {
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
				b.psus.addEntity(idx, e.name, p.text(rw, 5), p.text(rw, 4))
			case entClassFan:
				b.fans.addEntity(idx, e.name, "", "")
			}
		}
		return p.err()
	},
}
