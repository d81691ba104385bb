package snmp

import (
	"net"

	"github.com/faultline/faultline/observation"
)

// LLDP-MIB (IEEE 802.1AB-2005): the remote systems table, indexed by
// timeMark.localPortNum.remIndex, mapped to local ports through
// lldpLocPortTable.
var (
	lldpLocPortEntry = MustOID("1.0.8802.1.1.2.1.3.7.1")
	lldpRemEntry     = MustOID("1.0.8802.1.1.2.1.4.1.1")
)

var lldpMIB = &module{
	name: "LLDP-MIB",
	// lldpLocPortIdSubtype, lldpLocPortId, lldpLocPortDesc;
	// lldpRemChassisIdSubtype, lldpRemChassisId, lldpRemPortIdSubtype,
	// lldpRemPortId, lldpRemPortDesc, lldpRemSysName.
	columns: append(cols("1.0.8802.1.1.2.1.3.7.1", 2, 3, 4), cols("1.0.8802.1.1.2.1.4.1.1", 4, 5, 6, 7, 8, 9)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		loc, err := r.table(lldpLocPortEntry, 2, 3, 4)
		p.addTable(err)
		rem, err := r.table(lldpRemEntry, 4, 5, 6, 7, 8, 9)
		p.addTable(err)
		local := make(map[int64]*observation.Port, len(loc))
		byName := b.portsByName()
		for _, lr := range loc {
			num := last(lr.index)
			for _, s := range []string{idText(&p, lr, 0, 1), p.text(lr, 2)} {
				if pt := byName[s]; pt != nil && s != "" {
					local[num] = pt
					break
				}
			}
		}
		for _, rr := range rem {
			if len(rr.index) != 3 {
				continue
			}
			num := int64(rr.index[1])
			pt := local[num]
			if pt == nil {
				// Most agents number LLDP ports by ifIndex.
				pt = b.port(num)
			}
			if pt == nil {
				continue
			}
			pt.Neighbors = append(pt.Neighbors, observation.Neighbor{
				Protocol:  "lldp",
				ChassisID: chassisID(&p, rr, 0, 1),
				PortID:    idText(&p, rr, 2, 3),
				PortDescr: p.text(rr, 4),
				SysName:   p.text(rr, 5),
			})
		}
		return p.err()
	},
}

// portsByName indexes ports by name and by ifDescr-style description.
func (b *builder) portsByName() map[string]*observation.Port {
	m := make(map[string]*observation.Port, len(b.dev.Ports))
	for i := range b.dev.Ports {
		pt := &b.dev.Ports[i]
		m[pt.Name] = pt
	}
	return m
}

// chassisID renders an LLDP chassis id by its subtype: a MAC address
// (4) as aa:bb:.., a network address (5) as an IP, text as text, anything
// else as hex.
func chassisID(p *problems, r *row, subtypeCol, idCol int) string {
	v, ok := r.cell(idCol)
	if !ok {
		return ""
	}
	if v.Kind != KindOctetString {
		p.add("chassis", v.typeError("OCTET STRING"))
		return ""
	}
	sub, _ := p.integer(r, subtypeCol)
	switch {
	case sub == 4 && len(v.Bytes) == 6:
		return hexColons(v.Bytes)
	case sub == 5 && len(v.Bytes) == 5 && v.Bytes[0] == 1:
		return net.IP(v.Bytes[1:]).String()
	case sub == 5 && len(v.Bytes) == 17 && v.Bytes[0] == 2:
		return net.IP(v.Bytes[1:]).String()
	case isText(v.Bytes):
		return printable(v.Bytes)
	}
	return hexColons(v.Bytes)
}

// idText renders an LLDP port id by its subtype: a MAC address (3) as
// aa:bb:.., names (interfaceAlias 1, interfaceName 5, local 7) as text.
func idText(p *problems, r *row, subtypeCol, idCol int) string {
	v, ok := r.cell(idCol)
	if !ok {
		return ""
	}
	if v.Kind != KindOctetString {
		p.add("portid", v.typeError("OCTET STRING"))
		return ""
	}
	sub, _ := p.integer(r, subtypeCol)
	if sub == 3 && len(v.Bytes) == 6 || !isText(v.Bytes) {
		return hexColons(v.Bytes)
	}
	return printable(v.Bytes)
}
