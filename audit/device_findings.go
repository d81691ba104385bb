package audit

// The devices' findings: device-spof, redundancy-lost for a device (see
// lost.go), raid-nonredundant.

import (
	"fmt"

	"github.com/faultline/faultline/model"
)

func (a *Analysis) deviceFindings(d int32) []Finding {
	g := a.G
	D := &g.Devices[d]
	var out []Finding
	if cuts := a.Devices[d].PowerCuts; len(cuts) > 0 {
		names := a.names(cuts)
		f := newFinding(DeviceSPOF, D.ID, names)
		f.ID = deviceID(DeviceSPOF, D.ID, sidePower, names[0])
		c0 := cuts[0]
		f.Message = fmt.Sprintf("%s has %d PSUs (needs %d) but losing %s alone cuts its power", D.ID, len(D.PSUs), D.MinPSUs, few(names, "or"))
		f.Evidence = a.psuPaths(d, c0)
		f.Remediation = fmt.Sprintf("plug one of %s's PSUs into a PDU that does not draw from %s", D.ID, g.ID(c0))
		out = append(out, f)
	}
	if cuts := a.Devices[d].NetCuts; len(cuts) > 0 {
		names := a.names(cuts)
		f := newFinding(DeviceSPOF, D.ID, names)
		f.ID = deviceID(DeviceSPOF, D.ID, sideNetwork, names[0])
		c0 := cuts[0]
		uplinks := 0
		for _, adj := range D.Adj {
			if P := &g.Devices[adj.Peer]; P.Forwards || P.Root {
				uplinks++
			}
		}
		f.Message = fmt.Sprintf("%s has %d links towards the network but losing %s alone cuts it off from the network roots", D.ID, uplinks, few(names, "or"))
		for _, adj := range D.Adj {
			if P := &g.Devices[adj.Peer]; !P.Forwards && !P.Root {
				continue
			}
			L := &g.Links[adj.Link]
			peerPort := L.BPort
			if L.B == d {
				peerPort = L.APort
			}
			f.Evidence = append(f.Evidence, fmt.Sprintf("%s:%s -> %s:%s", D.ID, adj.Port, g.Devices[adj.Peer].ID, peerPort))
		}
		comp := g.Comps[c0]
		if comp.Kind == model.KindDevice || comp.Kind == model.KindLink {
			f.Remediation = fmt.Sprintf("cable one of %s's links to a switch other than %s", D.ID, g.ID(c0))
		} else if comp.Kind == model.KindCable {
			f.Remediation = fmt.Sprintf("run one of %s's links in a cable other than %s: the links of a breakout fail together", D.ID, g.ID(c0))
		} else if hit := a.hitNames(a.netDevicesHit(a.Design, d, c0)); len(hit) > 0 {
			f.Remediation = fmt.Sprintf("%s all depend on %s: give them separate power and racks, or connect %s to a switch that does not", words(hit, "and"), g.ID(c0), D.ID)
		} else {
			f.Remediation = fmt.Sprintf("the switches %s uses all depend on %s: connect it to a switch that does not", D.ID, g.ID(c0))
		}
		out = append(out, f)
	}
	out = append(out, a.lostFindings(d)...)
	out = append(out, a.powerUnknownFindings(d)...)
	for _, v := range D.Volumes {
		if v.RAID.Redundant() {
			continue
		}
		f := newFinding(RAIDNonredundant, v.ID, a.names(v.Drives))
		f.ID = findingID(RAIDNonredundant, v.ID)
		f.Message = fmt.Sprintf("%s is %s over %s: losing any one drive loses the volume", v.ID, v.RAID, plural(len(v.Drives), "drive"))
		f.Remediation = "rebuild it as raid1 or raid10 (raid6 for large arrays), or keep only data you can lose on it"
		out = append(out, f)
	}
	return out
}
