package snmp

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/observation"
)

// summary is what a recording's table test states about a device.
type summary struct {
	PSUs      string // "name=condition, …"
	Fans      string // "N: ok×a failed×b …"
	Ports     string // "N ports, U up"
	Neighbors string // "lldp N, cdp M"
	Outlets   string // "N outlets, on N, W watts known"
	Inputs    string // "N inputs: name=condition, …"
	UPS       string // "source/battery/condition"
}

func summarize(d *observation.Device) summary {
	var s summary
	var psus []string
	for _, p := range d.PSUs {
		psus = append(psus, p.Name+"="+string(p.Condition))
	}
	s.PSUs = strings.Join(psus, ", ")
	fans := map[observation.Condition]int{}
	for _, f := range d.Fans {
		fans[f.Condition]++
	}
	if len(d.Fans) > 0 {
		s.Fans = fmt.Sprintf("%d: ok×%d degraded×%d failed×%d absent×%d unknown×%d", len(d.Fans),
			fans[observation.OK], fans[observation.Degraded], fans[observation.Failed], fans[observation.Absent], fans[observation.Unknown])
	}
	up, lldp, cdp := 0, 0, 0
	for _, p := range d.Ports {
		if p.Oper == "up" {
			up++
		}
		for _, n := range p.Neighbors {
			if n.Protocol == "lldp" {
				lldp++
			} else {
				cdp++
			}
		}
	}
	if len(d.Ports) > 0 {
		s.Ports = fmt.Sprintf("%d ports, %d up", len(d.Ports), up)
	}
	if lldp+cdp > 0 {
		s.Neighbors = fmt.Sprintf("lldp %d, cdp %d", lldp, cdp)
	}
	if len(d.Outlets) > 0 {
		on, watts := 0, 0
		for _, o := range d.Outlets {
			if o.On != nil && *o.On {
				on++
			}
			if o.Watts != nil {
				watts++
			}
		}
		s.Outlets = fmt.Sprintf("%d outlets, %d on, %d with watts", len(d.Outlets), on, watts)
	}
	var ins []string
	for _, in := range d.Inputs {
		ins = append(ins, in.Name+"="+string(in.Condition))
	}
	s.Inputs = strings.Join(ins, ", ")
	if d.UPS != nil {
		s.UPS = d.UPS.OutputSource + "/" + d.UPS.BatteryStatus + "/" + string(d.UPS.Condition)
	}
	return s
}
