package snmp

import (
	"github.com/faultline/faultline/observation"
)

// IF-MIB: every interface, named as inventory links name it (ifName, else
// ifDescr), with its oper/admin status and speed.
var (
	ifEntry  = MustOID("1.3.6.1.2.1.2.2.1")
	ifXEntry = MustOID("1.3.6.1.2.1.31.1.1.1")
)

// ifStatus names ifOperStatus/ifAdminStatus values (RFC 2863).
var ifStatus = map[int64]string{1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant", 6: "notPresent", 7: "lowerLayerDown"}

var ifMIB = &module{
	name: "IF-MIB",
	// ifDescr, ifAdminStatus, ifOperStatus; ifName, ifHighSpeed, ifAlias.
	columns: append(cols("1.3.6.1.2.1.2.2.1", 2, 7, 8), cols("1.3.6.1.2.1.31.1.1.1", 1, 15, 18)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(ifEntry, 2, 7, 8)
		p.addTable(err)
		xrows, err := r.table(ifXEntry, 1, 15, 18)
		p.addTable(err)
		x := make(map[int64]*row, len(xrows))
		for _, xr := range xrows {
			x[last(xr.index)] = xr
		}
		for _, rw := range rows {
			if len(rw.index) != 1 {
				continue
			}
			idx := last(rw.index)
			port := observation.Port{Index: int(idx), Name: p.text(rw, 0)}
			if n, ok := p.integer(rw, 1); ok {
				port.Admin = statusName(n)
			}
			if n, ok := p.integer(rw, 2); ok {
				port.Oper = statusName(n)
			}
			if xr := x[idx]; xr != nil {
				if name := p.text(xr, 0); name != "" {
					port.Name = name
				}
				if n, ok := p.number(xr, 1); ok && n > 0 {
					port.SpeedMbps = ptr(int64(n))
				}
				port.Description = p.text(xr, 2)
			}
			if port.Name == "" {
				port.Name = "ifIndex " + itoa(idx)
			}
			b.portAt[idx] = len(b.dev.Ports)
			b.dev.Ports = append(b.dev.Ports, port)
		}
		return p.err()
	},
}

func statusName(n int64) string {
	if s, ok := ifStatus[n]; ok {
		return s
	}
	return "value " + itoa(n)
}
