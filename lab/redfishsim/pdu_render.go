package redfishsim

// Rendering a generated PDU's PowerEquipment tree from its state.

import (
	"math"
	"slices"
	"strings"
)

func reading(v float64) obj { return obj{"Reading": math.Round(v*100) / 100} }

// powered reports whether any inlet is live.
func (st *pduState) powered() bool {
	return slices.ContainsFunc(st.inlets, func(in inletState) bool { return !in.lost })
}

// resource renders the resource at path from the current state.
func (g *generatedPDU) resource(path string) map[string]any {
	st := g.cur.Load()
	rest, ok := strings.CutPrefix(path, rootPath)
	if !ok {
		return nil
	}
	rest = strings.Trim(rest, "/")
	switch {
	case rest == "":
		return g.root()
	case rest == "SessionService":
		return obj{
			"@odata.id": rootPath + "/SessionService", "@odata.type": "#SessionService.v1_1_8.SessionService",
			"Id": "SessionService", "Name": "Session Service", "ServiceEnabled": true, "SessionTimeout": int(sessionIdle.Seconds()),
			"Sessions": link(sessionsPath),
		}
	case rest == "PowerEquipment":
		return obj{"@odata.id": pduEquipment, "@odata.type": "#PowerEquipment.v1_2_3.PowerEquipment",
			"Id": "PowerEquipment", "Name": "Power Equipment", "Status": status("Enabled", "OK"),
			"RackPDUs": link(pduCollection)}
	case rest == "PowerEquipment/RackPDUs":
		return collection(pduCollection, "PowerDistributionCollection", "Rack PDUs", []string{pduUnitPath})
	}
	sub, ok := strings.CutPrefix(path, pduUnitPath)
	if !ok {
		return nil
	}
	seg := strings.Split(strings.Trim(sub, "/"), "/")
	if sub == "" {
		seg = nil
	}
	switch {
	case len(seg) == 0:
		return obj{"@odata.id": pduUnitPath, "@odata.type": "#PowerDistribution.v1_6_0.PowerDistribution",
			"Id": "1", "Name": g.id, "EquipmentType": "RackPDU", "Manufacturer": "faultline lab",
			"Model": st.model, "SerialNumber": st.serial, "FirmwareVersion": "2.4.1", "Status": status("Enabled", "OK"),
			"Mains": link(pduUnitPath + "/Mains"), "Branches": link(pduUnitPath + "/Branches"),
			"Outlets": link(pduUnitPath + "/Outlets"), "Metrics": link(pduUnitPath + "/Metrics")}
	case len(seg) == 1 && seg[0] == "Metrics":
		return obj{"@odata.id": pduUnitPath + "/Metrics", "@odata.type": "#PowerDistributionMetrics.v1_4_0.PowerDistributionMetrics",
			"Id": "Metrics", "Name": "Summary Metrics", "PowerWatts": reading(st.total())}
	case len(seg) == 1 && seg[0] == "Mains":
		return collection(pduUnitPath+"/Mains", "CircuitCollection", "Mains", st.paths("Mains", len(st.inlets), func(i int) string { return st.inlets[i].id }))
	case len(seg) == 1 && seg[0] == "Branches":
		return collection(pduUnitPath+"/Branches", "CircuitCollection", "Branches", st.paths("Branches", len(st.branches), func(i int) string { return st.branches[i].id }))
	case len(seg) == 1 && seg[0] == "Outlets":
		return collection(pduUnitPath+"/Outlets", "OutletCollection", "Outlets", st.paths("Outlets", len(st.outlets), func(i int) string { return st.outlets[i].id }))
	case len(seg) == 2 && seg[0] == "Mains":
		return st.mains(seg[1])
	case len(seg) == 2 && seg[0] == "Branches":
		return st.branch(seg[1])
	case len(seg) == 2 && seg[0] == "Outlets":
		return st.outlet(seg[1])
	}
	return nil
}

func (st *pduState) paths(coll string, n int, id func(int) string) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = pduUnitPath + "/" + coll + "/" + esc(id(i))
	}
	return out
}

func (g *generatedPDU) root() obj {
	exp := g.feat.expand
	eq := obj{"ExpandAll": exp, "Levels": exp, "Links": exp, "NoLinks": exp}
	if exp {
		eq["MaxLevels"] = g.feat.maxLevels
	}
	return obj{
		"@odata.id": rootPath, "@odata.type": "#ServiceRoot.v1_15_0.ServiceRoot",
		"Id": "RootService", "Name": "Root Service", "RedfishVersion": "1.17.0", "UUID": uuid(g.id),
		"Vendor": "faultline lab", "Product": "faultline PDU simulator",
		"ProtocolFeaturesSupported": obj{"ExpandQuery": eq, "SelectQuery": g.feat.sel, "FilterQuery": false, "OnlyMemberQuery": false},
		"PowerEquipment":            link(pduEquipment),
		"SessionService":            link(rootPath + "/SessionService"),
		"Links":                     obj{"Sessions": link(sessionsPath)},
	}
}

func (st *pduState) mains(id string) obj {
	i := slices.IndexFunc(st.inlets, func(in inletState) bool { return in.id == id })
	if i < 0 {
		return nil
	}
	in := st.inlets[i]
	volts, watts, health := pduVolts, 0.0, "OK"
	if in.lost {
		volts, health = 0, "Critical"
	} else if first := slices.IndexFunc(st.inlets, func(x inletState) bool { return !x.lost }); first == i {
		watts = st.total() // the load comes in through the first live inlet
	}
	return obj{"@odata.id": pduUnitPath + "/Mains/" + esc(id), "@odata.type": "#Circuit.v1_9_0.Circuit",
		"Id": id, "Name": "Mains " + id, "CircuitType": "Mains", "Status": status("Enabled", health),
		"RatedCurrentAmps": 32, "BreakerState": "Normal",
		"Voltage": reading(volts), "CurrentAmps": reading(amps(watts, volts)), "PowerWatts": reading(watts)}
}

func amps(watts, volts float64) float64 {
	if volts <= 0 {
		return 0
	}
	return watts / volts
}

func (st *pduState) branch(id string) obj {
	i := slices.IndexFunc(st.branches, func(b branchState) bool { return b.id == id })
	if i < 0 {
		return nil
	}
	b := st.branches[i]
	var outs []string
	watts := 0.0
	for _, o := range st.outlets {
		if o.branch == id {
			outs = append(outs, pduUnitPath+"/Outlets/"+esc(o.id))
			watts += st.outletWatts(o)
		}
	}
	breaker, health := "Normal", "OK"
	if b.tripped {
		breaker, health = "Tripped", "Critical"
	}
	volts := pduVolts
	if !st.powered() {
		volts = 0
	}
	return obj{"@odata.id": pduUnitPath + "/Branches/" + esc(id), "@odata.type": "#Circuit.v1_9_0.Circuit",
		"Id": id, "Name": "Branch Circuit " + id, "CircuitType": "Branch", "Status": status("Enabled", health),
		"RatedCurrentAmps": branchAmps, "BreakerState": breaker,
		"Voltage": reading(volts), "CurrentAmps": reading(amps(watts, volts)), "PowerWatts": reading(watts),
		"Links": obj{"Outlets": links(outs...)}}
}

func (st *pduState) outlet(id string) obj {
	i := slices.IndexFunc(st.outlets, func(o outletState) bool { return o.id == id })
	if i < 0 {
		return nil
	}
	o := st.outlets[i]
	state := "On"
	if !o.on {
		state = "Off"
	}
	volts := pduVolts
	if !st.live(o) {
		volts = 0
	}
	w := st.outletWatts(o)
	return obj{"@odata.id": pduUnitPath + "/Outlets/" + esc(id), "@odata.type": "#Outlet.v1_4_4.Outlet",
		"Id": id, "Name": "Outlet " + id, "Status": status("Enabled", "OK"), "PowerState": state, "PowerEnabled": o.on,
		"Voltage": reading(volts), "CurrentAmps": reading(amps(w, volts)), "PowerWatts": reading(w),
		"Links": obj{"BranchCircuit": link(pduUnitPath + "/Branches/" + esc(o.branch))}}
}
