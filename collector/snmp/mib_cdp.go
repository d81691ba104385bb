package snmp

import (
	"github.com/faultline/faultline/observation"
)

// CISCO-CDP-MIB cdpCacheTable, indexed by ifIndex.deviceIndex: Cisco IOS
// lists neighbours here rather than in LLDP-MIB. A port that has LLDP
// neighbours keeps them; CDP fills only the ports LLDP left empty.
var cdpCacheEntry = MustOID("1.3.6.1.4.1.9.9.23.1.2.1.1")

var cdpMIB = &module{
	name: "CISCO-CDP-MIB",
	// cdpCacheDeviceId, cdpCacheDevicePort.
	columns: cols("1.3.6.1.4.1.9.9.23.1.2.1.1", 6, 7),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(cdpCacheEntry, 6, 7)
		p.addTable(err)
		type found struct {
			port *observation.Port
			n    observation.Neighbor
		}
		var add []found
		lldp := map[*observation.Port]bool{}
		for i := range b.dev.Ports {
			if hasLLDP(&b.dev.Ports[i]) {
				lldp[&b.dev.Ports[i]] = true
			}
		}
		for _, rw := range rows {
			if len(rw.index) != 2 {
				continue
			}
			pt := b.port(int64(rw.index[0]))
			if pt == nil || lldp[pt] {
				continue
			}
			add = append(add, found{pt, observation.Neighbor{Protocol: "cdp", SysName: p.text(rw, 0), PortID: p.text(rw, 1)}})
		}
		for _, f := range add {
			f.port.Neighbors = append(f.port.Neighbors, f.n)
		}
		return p.err()
	},
}

func hasLLDP(p *observation.Port) bool {
	for _, n := range p.Neighbors {
		if n.Protocol == "lldp" {
			return true
		}
	}
	return false
}
