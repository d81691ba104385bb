package redfishsim

import (
	"fmt"
	"slices"
)

// systems renders /Systems and everything under /Systems/1: identity,
// storage (controller, drives, volumes), Ethernet interfaces, and two
// things a collector should not read (processors and a log) so that a
// careless $expand costs what it costs on a real BMC.
func (g *generated) systems(st *state, seg []string) obj {
	if len(seg) == 0 {
		return collection(rootPath+"/Systems", "ComputerSystemCollection", "Computer System Collection", []string{sysPath})
	}
	if seg[0] != "1" {
		return nil
	}
	seg = seg[1:]
	if len(seg) == 0 {
		return g.system(st)
	}
	switch seg[0] {
	case "Storage":
		return g.storage(st, seg[1:])
	case "EthernetInterfaces":
		return g.ethernet(st, seg[1:])
	case "Processors":
		return processors(seg[1:])
	case "LogServices":
		return logs(seg[1:])
	}
	return nil
}

func (g *generated) system(st *state) obj {
	sys := obj{
		"@odata.id": sysPath, "@odata.type": "#ComputerSystem.v1_20_0.ComputerSystem",
		"Id": "1", "Name": g.id, "SystemType": "Physical", "Manufacturer": "faultline lab",
		"Model": st.model, "SerialNumber": st.serial, "BiosVersion": "2.19.1", "PowerState": "On",
		"Status":             status("Enabled", "OK"),
		"Storage":            link(sysPath + "/Storage"),
		"EthernetInterfaces": link(sysPath + "/EthernetInterfaces"),
		"Processors":         link(sysPath + "/Processors"),
		"LogServices":        link(sysPath + "/LogServices"),
		"Links":              obj{"Chassis": links(chPath), "ManagedBy": links(mgrPath)},
	}
	if st.schema == Modern {
		// LastResetTime arrived in ComputerSystem v1.12 (2020): older BMCs
		// do not say when the host last started.
		sys["LastResetTime"] = rfc3339(st.lastReset)
	} else {
		sys["@odata.type"] = "#ComputerSystem.v1_4_0.ComputerSystem"
	}
	return sys
}

func (g *generated) storage(st *state, seg []string) obj {
	if len(seg) == 0 {
		var members []string
		if len(st.drives) > 0 {
			members = []string{storPath}
		}
		return collection(sysPath+"/Storage", "StorageCollection", "Storage Collection", members)
	}
	if seg[0] != "1" {
		return nil
	}
	seg = seg[1:]
	if len(seg) == 0 {
		var drives []string
		for _, d := range st.drives {
			drives = append(drives, storPath+"/Drives/"+esc(d.id))
		}
		s := obj{
			"@odata.id": storPath, "@odata.type": "#Storage.v1_15_0.Storage",
			"Id": "1", "Name": "Integrated RAID Controller", "Status": status("Enabled", "OK"),
			"Drives": links(drives...), "Drives@odata.count": len(drives),
			"Volumes": link(storPath + "/Volumes"),
		}
		if st.schema == Modern {
			s["Controllers"] = link(storPath + "/Controllers")
		} else {
			s["@odata.type"] = "#Storage.v1_7_1.Storage"
			c := controller()
			c["@odata.id"] = storPath + "#/StorageControllers/0"
			c["MemberId"] = "0"
			s["StorageControllers"] = []any{c}
		}
		return s
	}
	switch {
	case seg[0] == "Controllers" && st.schema == Modern && len(seg) == 1:
		return collection(storPath+"/Controllers", "StorageControllerCollection", "Storage Controllers", []string{storPath + "/Controllers/0"})
	case seg[0] == "Controllers" && st.schema == Modern && len(seg) == 2 && seg[1] == "0":
		c := controller()
		c["@odata.id"] = storPath + "/Controllers/0"
		c["@odata.type"] = "#StorageController.v1_6_0.StorageController"
		c["Id"] = "0"
		return c
	case seg[0] == "Drives" && len(seg) == 2:
		i := slices.IndexFunc(st.drives, func(d driveState) bool { return d.id == seg[1] })
		if i >= 0 {
			return g.drive(st, i)
		}
	case seg[0] == "Volumes" && len(seg) == 1:
		var vols []string
		for _, v := range st.volumes {
			vols = append(vols, storPath+"/Volumes/"+esc(v.id))
		}
		return collection(storPath+"/Volumes", "VolumeCollection", "Volume Collection", vols)
	case seg[0] == "Volumes" && len(seg) == 2:
		i := slices.IndexFunc(st.volumes, func(v volumeState) bool { return v.id == seg[1] })
		if i >= 0 {
			return g.volume(st, i)
		}
	}
	return nil
}

func controller() obj {
	return obj{
		"Name": "Lab RAID Adapter", "Manufacturer": "faultline lab", "Model": "LRA-9460",
		"FirmwareVersion": "51.16.0", "SerialNumber": "LRA0001", "Status": status("Enabled", "OK"),
	}
}

func (g *generated) drive(st *state, i int) obj {
	d := st.drives[i]
	return obj{
		"@odata.id": storPath + "/Drives/" + esc(d.id), "@odata.type": "#Drive.v1_17_0.Drive",
		"Id": d.id, "Name": fmt.Sprintf("Drive %d", d.slot), "MediaType": "SSD", "Protocol": "SATA",
		"CapacityBytes": driveSize, "Manufacturer": "faultline lab", "Model": "LAB-SSD-960",
		"SerialNumber": fmt.Sprintf("%s-D%02d", st.serial, d.slot), "FailurePredicted": d.predicted,
		"Status": status(d.state, d.health),
		"PhysicalLocation": obj{"PartLocation": obj{
			"LocationType": "Bay", "LocationOrdinalValue": d.slot, "ServiceLabel": fmt.Sprintf("Bay %d", d.slot),
		}},
		"Links": obj{"Volumes": links(storPath + "/Volumes/" + esc(d.volume))},
	}
}

// raidTypes are the Redfish names for the inventory's RAID levels: the
// modern RAIDType, and the legacy VolumeType.
var raidTypes = map[string][2]string{
	"raid0":  {"RAID0", "NonRedundant"},
	"raid1":  {"RAID1", "Mirrored"},
	"raid5":  {"RAID5", "StripedWithParity"},
	"raid6":  {"RAID6", "StripedWithParity"},
	"raid10": {"RAID10", "SpannedMirrors"},
	"single": {"None", "RawDevice"},
}

func (g *generated) volume(st *state, i int) obj {
	v := st.volumes[i]
	failed := make([]bool, len(v.drives))
	var members []string
	for j, di := range v.drives {
		failed[j] = st.drives[di].health == "Critical"
		members = append(members, storPath+"/Drives/"+esc(st.drives[di].id))
	}
	state, health := volumeStatus(v.raid, failed)
	if v.degraded && health == "OK" {
		health = "Warning"
	}
	n := int64(len(v.drives))
	capacity := map[string]int64{"raid0": n, "raid1": 1, "raid5": n - 1, "raid6": n - 2, "raid10": n / 2, "single": 1}[v.raid] * driveSize
	out := obj{
		"@odata.id": storPath + "/Volumes/" + esc(v.id), "@odata.type": "#Volume.v1_9_0.Volume",
		"Id": v.id, "Name": v.id, "CapacityBytes": capacity, "Status": status(state, health),
		"Links": obj{"Drives": links(members...)},
	}
	if st.schema == Modern {
		out["RAIDType"] = raidTypes[v.raid][0]
	} else {
		out["@odata.type"] = "#Volume.v1_0_3.Volume"
		out["VolumeType"] = raidTypes[v.raid][1]
	}
	return out
}

// volumeStatus is what a RAID controller says of a volume whose drives
// have failed as given (drives of raid10 are mirrored in pairs, in order).
func volumeStatus(raid string, failed []bool) (state, health string) {
	n, bad := len(failed), 0
	for _, f := range failed {
		if f {
			bad++
		}
	}
	lost := false
	switch raid {
	case "raid1":
		lost = bad == n
	case "raid5":
		lost = bad > 1
	case "raid6":
		lost = bad > 2
	case "raid10":
		for i := 0; i+1 < n; i += 2 {
			lost = lost || failed[i] && failed[i+1]
		}
	default: // raid0, single
		lost = bad > 0
	}
	switch {
	case lost:
		return "UnavailableOffline", "Critical"
	case bad > 0:
		return "Enabled", "Warning"
	default:
		return "Enabled", "OK"
	}
}

func (g *generated) ethernet(st *state, seg []string) obj {
	base := sysPath + "/EthernetInterfaces"
	if len(seg) == 0 {
		var m []string
		for _, n := range st.nics {
			m = append(m, base+"/"+esc(n.name))
		}
		return collection(base, "EthernetInterfaceCollection", "Ethernet Interface Collection", m)
	}
	if len(seg) != 1 {
		return nil
	}
	i := slices.IndexFunc(st.nics, func(n nicState) bool { return n.name == seg[0] })
	if i < 0 {
		return nil
	}
	n := st.nics[i]
	linkStatus := "LinkUp"
	if !n.up {
		linkStatus = "LinkDown"
	}
	e := obj{
		"@odata.id": base + "/" + esc(n.name), "@odata.type": "#EthernetInterface.v1_9_0.EthernetInterface",
		"Id": n.name, "Name": n.name, "Description": "Host network interface " + n.name,
		"MACAddress": n.mac, "PermanentMACAddress": n.mac, "SpeedMbps": n.speedMbps, "FullDuplex": true,
		"InterfaceEnabled": true, "LinkStatus": linkStatus, "Status": status("Enabled", "OK"),
	}
	if st.schema == Modern {
		e["Links"] = obj{"Ports": links(nicPath + "/Ports/" + esc(n.name))}
	} else {
		e["@odata.type"] = "#EthernetInterface.v1_4_1.EthernetInterface"
	}
	return e
}

func processors(seg []string) obj {
	base := sysPath + "/Processors"
	if len(seg) == 0 {
		return collection(base, "ProcessorCollection", "Processors Collection", []string{base + "/CPU1", base + "/CPU2"})
	}
	if len(seg) == 1 && (seg[0] == "CPU1" || seg[0] == "CPU2") {
		return obj{
			"@odata.id": base + "/" + seg[0], "@odata.type": "#Processor.v1_10_0.Processor",
			"Id": seg[0], "Name": seg[0], "ProcessorType": "CPU", "Model": "Lab CPU 32-Core",
			"TotalCores": 32, "TotalThreads": 64, "Status": status("Enabled", "OK"),
		}
	}
	return nil
}

// logs renders a system event log of 40 entries.
func logs(seg []string) obj {
	base := sysPath + "/LogServices"
	const entries = 40
	switch {
	case len(seg) == 0:
		return collection(base, "LogServiceCollection", "Log Service Collection", []string{base + "/SEL"})
	case len(seg) == 1 && seg[0] == "SEL":
		return obj{
			"@odata.id": base + "/SEL", "@odata.type": "#LogService.v1_3_0.LogService",
			"Id": "SEL", "Name": "System Event Log", "Entries": link(base + "/SEL/Entries"),
		}
	case len(seg) == 2 && seg[0] == "SEL" && seg[1] == "Entries":
		var m []string
		for i := range entries {
			m = append(m, fmt.Sprintf("%s/SEL/Entries/%d", base, i+1))
		}
		return collection(base+"/SEL/Entries", "LogEntryCollection", "Log Entries", m)
	case len(seg) == 3 && seg[0] == "SEL" && seg[1] == "Entries":
		var n int
		if _, err := fmt.Sscanf(seg[2], "%d", &n); err != nil || n < 1 || n > entries || fmt.Sprint(n) != seg[2] {
			return nil
		}
		return obj{
			"@odata.id": fmt.Sprintf("%s/SEL/Entries/%d", base, n), "@odata.type": "#LogEntry.v1_9_0.LogEntry",
			"Id": seg[2], "Name": "Log Entry " + seg[2], "EntryType": "SEL", "Severity": "OK",
			"Message": "The system booted.", "Created": "2026-01-01T00:00:00Z",
		}
	}
	return nil
}
