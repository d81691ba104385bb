package redfishsim

import (
	"fmt"
	"slices"
)

// chassis renders /Chassis and /Chassis/1: power (PowerSubsystem or legacy
// Power), thermal (ThermalSubsystem or legacy Thermal), EnvironmentMetrics
// and the network adapter whose ports carry LLDP (modern only).
func (g *generated) chassis(st *state, seg []string) obj {
	if len(seg) == 0 {
		return collection(rootPath+"/Chassis", "ChassisCollection", "Chassis Collection", []string{chPath})
	}
	if seg[0] != "1" {
		return nil
	}
	seg = seg[1:]
	modern := st.schema == Modern
	if len(seg) == 0 {
		c := obj{
			"@odata.id": chPath, "@odata.type": "#Chassis.v1_21_0.Chassis",
			"Id": "1", "Name": "Chassis", "ChassisType": "RackMount", "Manufacturer": "faultline lab",
			"Model": st.model, "SerialNumber": st.serial, "PowerState": "On", "Status": status("Enabled", "OK"),
			"Links": obj{"ComputerSystems": links(sysPath), "ManagedBy": links(mgrPath)},
		}
		if modern {
			c["PowerSubsystem"] = link(chPath + "/PowerSubsystem")
			c["ThermalSubsystem"] = link(chPath + "/ThermalSubsystem")
			c["EnvironmentMetrics"] = link(chPath + "/EnvironmentMetrics")
			c["NetworkAdapters"] = link(chPath + "/NetworkAdapters")
		} else {
			c["@odata.type"] = "#Chassis.v1_5_0.Chassis"
			c["Power"] = link(chPath + "/Power")
			c["Thermal"] = link(chPath + "/Thermal")
		}
		return c
	}
	switch {
	case modern && seg[0] == "PowerSubsystem":
		return g.powerSubsystem(st, seg[1:])
	case modern && seg[0] == "ThermalSubsystem":
		return g.thermalSubsystem(st, seg[1:])
	case modern && seg[0] == "EnvironmentMetrics" && len(seg) == 1:
		return obj{
			"@odata.id": chPath + "/EnvironmentMetrics", "@odata.type": "#EnvironmentMetrics.v1_3_0.EnvironmentMetrics",
			"Id": "EnvironmentMetrics", "Name": "Chassis Environment Metrics",
			"PowerWatts":         obj{"Reading": st.drawW},
			"TemperatureCelsius": obj{"Reading": st.inletC},
		}
	case modern && seg[0] == "NetworkAdapters":
		return g.networkAdapters(st, seg[1:])
	case !modern && seg[0] == "Power" && len(seg) == 1:
		return g.legacyPower(st)
	case !modern && seg[0] == "Thermal" && len(seg) == 1:
		return g.legacyThermal(st)
	}
	return nil
}

// livePSUs counts PSUs delivering power (present, not failed, with input),
// and each one's share of the draw.
func livePSUs(st *state) (live int, share float64) {
	for _, p := range st.psus {
		if psuLive(p) {
			live++
		}
	}
	if live > 0 {
		share = st.drawW / float64(live)
	}
	return live, share
}

func psuLive(p psuState) bool {
	return p.state == "Enabled" && p.health != "Critical" && p.line == "Normal"
}

// redundancy says what a BMC says of its redundancy group: OK with a spare,
// Warning with none left, Critical below the minimum.
func redundancy(live, need int) obj {
	switch {
	case live > need:
		return status("Enabled", "OK")
	case live == need:
		return status("Enabled", "Warning")
	default:
		return status("Enabled", "Critical")
	}
}

func (g *generated) powerSubsystem(st *state, seg []string) obj {
	base := chPath + "/PowerSubsystem"
	psuPath := func(p psuState) string { return base + "/PowerSupplies/" + esc(p.id) }
	live, share := livePSUs(st)
	switch {
	case len(seg) == 0:
		var group []string
		capW := 0.0
		for _, p := range st.psus {
			group = append(group, psuPath(p))
			if p.state != "Absent" {
				capW += p.capacityW
			}
		}
		ps := obj{
			"@odata.id": base, "@odata.type": "#PowerSubsystem.v1_1_0.PowerSubsystem",
			"Id": "PowerSubsystem", "Name": "Power Subsystem", "CapacityWatts": capW,
			"Status": status("Enabled", "OK"), "PowerSupplies": link(base + "/PowerSupplies"),
		}
		if len(st.psus) > 1 {
			ps["PowerSupplyRedundancy"] = []any{obj{
				"RedundancyType": "Failover", "MinNeededInGroup": st.minPSUs, "MaxSupportedInGroup": len(st.psus),
				"RedundancyGroup": links(group...), "Status": redundancy(live, st.minPSUs),
			}}
		}
		return ps
	case seg[0] != "PowerSupplies":
		return nil
	case len(seg) == 1:
		var m []string
		for _, p := range st.psus {
			m = append(m, psuPath(p))
		}
		return collection(base+"/PowerSupplies", "PowerSupplyCollection", "Power Supply Collection", m)
	}
	i := slices.IndexFunc(st.psus, func(p psuState) bool { return p.id == seg[1] })
	if i < 0 {
		return nil
	}
	p := st.psus[i]
	if len(seg) == 3 && seg[2] == "Metrics" && p.state != "Absent" {
		in, volts := 0.0, 230.0
		if psuLive(p) {
			in = share
		}
		if p.line != "Normal" {
			volts = 0
		}
		return obj{
			"@odata.id": psuPath(p) + "/Metrics", "@odata.type": "#PowerSupplyMetrics.v1_1_0.PowerSupplyMetrics",
			"Id": "Metrics", "Name": "Metrics for " + p.id,
			"InputVoltage": obj{"Reading": volts}, "InputPowerWatts": obj{"Reading": in},
			"OutputPowerWatts": obj{"Reading": in * 0.94},
		}
	}
	if len(seg) != 2 {
		return nil
	}
	out := obj{
		"@odata.id": psuPath(p), "@odata.type": "#PowerSupply.v1_5_0.PowerSupply",
		"Id": p.id, "Name": fmt.Sprintf("Power Supply Bay %d", p.slot+1), "Status": status(p.state, p.health),
		"Location": obj{"PartLocation": obj{"LocationType": "Bay", "LocationOrdinalValue": p.slot, "ServiceLabel": fmt.Sprintf("PSU %d", p.slot+1)}},
	}
	if p.state == "Absent" {
		return out
	}
	out["LineInputStatus"] = p.line
	out["PowerCapacityWatts"] = p.capacityW
	out["PowerSupplyType"] = "AC"
	out["Manufacturer"] = "faultline lab"
	out["Model"] = fmt.Sprintf("LAB-PSU-%.0f", p.capacityW)
	out["SerialNumber"] = fmt.Sprintf("%s-P%d", st.serial, p.slot+1)
	out["Metrics"] = link(psuPath(p) + "/Metrics")
	if p.outlet != "" {
		out["Links"] = obj{"Outlet": link(p.outlet)}
	}
	return out
}

func (g *generated) legacyPower(st *state) obj {
	base := chPath + "/Power"
	live, share := livePSUs(st)
	var psus, set []any
	capW := 0.0
	for i, p := range st.psus {
		id := fmt.Sprintf("%s#/PowerSupplies/%d", base, i)
		set = append(set, link(id))
		m := obj{"@odata.id": id, "MemberId": fmt.Sprint(i), "Name": p.id, "Status": status(p.state, p.health)}
		if p.state != "Absent" {
			capW += p.capacityW
			volts, in := 230.0, 0.0
			if p.line != "Normal" {
				volts = 0
			}
			if psuLive(p) {
				in = share
			}
			m["PowerSupplyType"] = "AC"
			m["LineInputVoltage"] = volts
			m["PowerCapacityWatts"] = p.capacityW
			m["PowerInputWatts"] = in
			m["LastPowerOutputWatts"] = in * 0.94
			m["Manufacturer"] = "faultline lab"
			m["Model"] = fmt.Sprintf("LAB-PSU-%.0f", p.capacityW)
			m["SerialNumber"] = fmt.Sprintf("%s-P%d", st.serial, p.slot+1)
		}
		psus = append(psus, m)
	}
	out := obj{
		"@odata.id": base, "@odata.type": "#Power.v1_5_0.Power", "Id": "Power", "Name": "Power",
		"PowerControl": []any{obj{
			"@odata.id": base + "#/PowerControl/0", "MemberId": "0", "Name": "System Power Control",
			"PowerConsumedWatts": st.drawW, "PowerCapacityWatts": capW,
		}},
		"PowerSupplies": psus,
	}
	if len(st.psus) > 1 {
		out["Redundancy"] = []any{obj{
			"@odata.id": base + "#/Redundancy/0", "MemberId": "0", "Name": "PSU Redundancy",
			"Mode": "Failover", "MinNumNeeded": st.minPSUs, "MaxNumSupported": len(st.psus),
			"RedundancySet": set, "Status": redundancy(live, st.minPSUs),
		}}
	}
	return out
}

func fanStatus(st *state) (live int) {
	for _, f := range st.fans {
		if f.health != "Critical" {
			live++
		}
	}
	return live
}

func (g *generated) thermalSubsystem(st *state, seg []string) obj {
	base := chPath + "/ThermalSubsystem"
	switch {
	case len(seg) == 0:
		var group []string
		for _, f := range st.fans {
			group = append(group, base+"/Fans/"+f.id)
		}
		return obj{
			"@odata.id": base, "@odata.type": "#ThermalSubsystem.v1_1_0.ThermalSubsystem",
			"Id": "ThermalSubsystem", "Name": "Thermal Subsystem", "Status": status("Enabled", "OK"),
			"FanRedundancy": []any{obj{
				"RedundancyType": "NPlusM", "MinNeededInGroup": len(st.fans) - 1, "MaxSupportedInGroup": len(st.fans),
				"RedundancyGroup": links(group...), "Status": redundancy(fanStatus(st), len(st.fans)-1),
			}},
			"Fans": link(base + "/Fans"), "ThermalMetrics": link(base + "/ThermalMetrics"),
		}
	case seg[0] == "Fans" && len(seg) == 1:
		var m []string
		for _, f := range st.fans {
			m = append(m, base+"/Fans/"+f.id)
		}
		return collection(base+"/Fans", "FanCollection", "Fan Collection", m)
	case seg[0] == "Fans" && len(seg) == 2:
		i := slices.IndexFunc(st.fans, func(f fanState) bool { return f.id == seg[1] })
		if i < 0 {
			return nil
		}
		f := st.fans[i]
		return obj{
			"@odata.id": base + "/Fans/" + f.id, "@odata.type": "#Fan.v1_3_0.Fan",
			"Id": f.id, "Name": "Fan " + fmt.Sprint(i+1), "Status": status("Enabled", f.health),
			"SpeedPercent": obj{"Reading": f.rpm / 120, "SpeedRPM": f.rpm},
			"Location":     obj{"PartLocation": obj{"LocationType": "Bay", "LocationOrdinalValue": i}},
		}
	case seg[0] == "ThermalMetrics" && len(seg) == 1:
		return obj{
			"@odata.id": base + "/ThermalMetrics", "@odata.type": "#ThermalMetrics.v1_0_1.ThermalMetrics",
			"Id": "ThermalMetrics", "Name": "Chassis Thermal Metrics",
			"TemperatureSummaryCelsius": obj{
				"Intake":   obj{"Reading": st.inletC},
				"Internal": obj{"Reading": 45.0},
				"Exhaust":  obj{"Reading": st.inletC + 13},
			},
			"TemperatureReadingsCelsius": []any{
				obj{"DeviceName": "Inlet", "PhysicalContext": "Intake", "Reading": st.inletC},
				obj{"DeviceName": "CPU1", "PhysicalContext": "CPU", "Reading": 45.0},
				obj{"DeviceName": "Exhaust", "PhysicalContext": "Exhaust", "Reading": st.inletC + 13},
			},
		}
	}
	return nil
}

func (g *generated) legacyThermal(st *state) obj {
	base := chPath + "/Thermal"
	var fans, set []any
	for i, f := range st.fans {
		id := fmt.Sprintf("%s#/Fans/%d", base, i)
		set = append(set, link(id))
		fans = append(fans, obj{
			"@odata.id": id, "MemberId": fmt.Sprint(i), "Name": f.id, "PhysicalContext": "SystemBoard",
			"Reading": f.rpm, "ReadingUnits": "RPM", "Status": status("Enabled", f.health),
		})
	}
	return obj{
		"@odata.id": base, "@odata.type": "#Thermal.v1_4_0.Thermal", "Id": "Thermal", "Name": "Thermal",
		"Fans": fans,
		"Temperatures": []any{
			obj{"@odata.id": base + "#/Temperatures/0", "MemberId": "0", "Name": "System Board Inlet Temp",
				"PhysicalContext": "Intake", "ReadingCelsius": st.inletC, "Status": status("Enabled", "OK")},
			obj{"@odata.id": base + "#/Temperatures/1", "MemberId": "1", "Name": "CPU1 Temp",
				"PhysicalContext": "CPU", "ReadingCelsius": 45.0, "Status": status("Enabled", "OK")},
		},
		"Redundancy": []any{obj{
			"@odata.id": base + "#/Redundancy/0", "MemberId": "0", "Name": "Fan Redundancy", "Mode": "N+m",
			"MinNumNeeded": len(st.fans) - 1, "MaxNumSupported": len(st.fans), "RedundancySet": set,
			"Status": redundancy(fanStatus(st), len(st.fans)-1),
		}},
	}
}

func (g *generated) networkAdapters(st *state, seg []string) obj {
	base := chPath + "/NetworkAdapters"
	switch {
	case len(seg) == 0:
		var m []string
		if len(st.nics) > 0 {
			m = []string{nicPath}
		}
		return collection(base, "NetworkAdapterCollection", "Network Adapter Collection", m)
	case seg[0] != "NIC1" || len(st.nics) == 0:
		return nil
	case len(seg) == 1:
		return obj{
			"@odata.id": nicPath, "@odata.type": "#NetworkAdapter.v1_9_0.NetworkAdapter",
			"Id": "NIC1", "Name": "Lab 25GbE Adapter", "Manufacturer": "faultline lab", "Model": "LAB-25G",
			"Status": status("Enabled", "OK"), "Ports": link(nicPath + "/Ports"),
		}
	case seg[1] != "Ports":
		return nil
	case len(seg) == 2:
		var m []string
		for _, n := range st.nics {
			m = append(m, nicPath+"/Ports/"+esc(n.name))
		}
		return collection(nicPath+"/Ports", "PortCollection", "Port Collection", m)
	case len(seg) == 3:
		i := slices.IndexFunc(st.nics, func(n nicState) bool { return n.name == seg[2] })
		if i < 0 {
			return nil
		}
		n := st.nics[i]
		eth := obj{"LLDPEnabled": true, "AssociatedMACAddresses": []any{n.mac}}
		ls := "LinkDown"
		if n.up {
			ls = "LinkUp"
			if n.neighbor != nil {
				eth["LLDPReceive"] = obj{
					"ChassisId": n.neighbor.chassisID, "ChassisIdSubtype": "MacAddr",
					"PortId": n.neighbor.portID, "PortIdSubtype": "IfName", "SystemName": n.neighbor.sysName,
				}
			}
		}
		return obj{
			"@odata.id": nicPath + "/Ports/" + esc(n.name), "@odata.type": "#Port.v1_7_0.Port",
			"Id": n.name, "Name": n.name, "PortId": n.name, "PortProtocol": "Ethernet", "PortType": "BidirectionalPort",
			"LinkStatus": ls, "LinkState": "Enabled", "CurrentSpeedGbps": float64(n.speedMbps) / 1000,
			"Status": status("Enabled", "OK"), "Ethernet": eth,
			"Links": obj{"EthernetInterfaces": links(sysPath + "/EthernetInterfaces/" + esc(n.name))},
		}
	}
	return nil
}
