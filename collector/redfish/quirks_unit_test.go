package redfish

import (
	"net/url"
	"testing"
)

func TestCanonicalRef(t *testing.T) {
	base, _ := url.Parse("https://10.1.1.11:443")
	tests := []struct {
		ref, want string
		foreign   bool
	}{
		{"/redfish/v1/Systems/1", "/redfish/v1/Systems/1", false},
		{"/redfish/v1/Systems/1/", "/redfish/v1/Systems/1", false},  // iLO
		{"/redfish/v1/Systems/1//", "/redfish/v1/Systems/1", false}, // iLO, XL675d
		{"/redfish/v1/", "/redfish/v1", false},                      // the root
		{"/redfish/v1/Chassis/1/Power#/PowerSupplies/0", "/redfish/v1/Chassis/1/Power", false},
		{"/redfish/v1/Systems?$expand=.", "/redfish/v1/Systems", false},
		{"https://10.1.1.11:443/redfish/v1/Managers/1", "/redfish/v1/Managers/1", false},
		{"https://pdu.example/redfish/v1/PowerEquipment", "https://pdu.example/redfish/v1/PowerEquipment", true},
	}
	for _, tc := range tests {
		got, foreign := canonicalRef(base, tc.ref)
		if got != tc.want || foreign != tc.foreign {
			t.Errorf("canonicalRef(%q) = %q, %v; want %q, %v", tc.ref, got, foreign, tc.want, tc.foreign)
		}
	}
}

func TestMemberRef(t *testing.T) {
	base, _ := url.Parse("https://bmc")
	dmtf := memberRef(base, "/redfish/v1/Chassis/1U/Power#/PowerSupplies/0")
	hpe := memberRef(base, "/redfish/v1/Chassis/1U/Power/#PowerSupplies/0")
	if dmtf != hpe || dmtf != "/redfish/v1/Chassis/1U/Power#PowerSupplies/0" {
		t.Errorf("DMTF %q and HPE %q forms of one member differ", dmtf, hpe)
	}
}

func TestChooseInlet(t *testing.T) {
	intake := func(name string, c float64) sensor { return sensor{name: name, context: "Intake", celsius: c} }
	tests := []struct {
		name string
		ss   []sensor
		want int
	}{
		{"typed", []sensor{{"CPU1 Temp", "CPU", 50}, {"Chassis Intake Temp", "Intake", 22}}, 1},
		{"Dell, named", []sensor{{"System Board Inlet Temp", "SystemBoard", 21}, {"System Board Exhaust Temp", "Exhaust", 35}}, 0},
		{"HPE, named", []sensor{{"01-Inlet Ambient", "", 20}}, 0},
		{"Supermicro, named", []sensor{{"Inlet Temp", "", 24}}, 0},
		{"Lenovo, named", []sensor{{"Ambient Temp", "", 23}}, 0},
		{"a CPU is never the inlet", []sensor{{"CPU1 Temp", "CPU", 50}}, -1},
		{"exhaust is not", []sensor{{"Exhaust Temp", "Exhaust", 30}}, -1},
		{"every sensor Intake, the inlet named", []sensor{
			intake("CPU1 Temp", 55), intake("CPU2 Temp", 54), intake("DIMMA1 Temp", 40),
			intake("CPU1_VR Temp", 48), intake("PCH Temp", 45), intake("System Temp", 30), intake("Inlet Temp", 24)}, 6},
		{"every sensor Intake, components only", []sensor{intake("CPU1 Temp", 55), intake("P1_DIMM_A Temp", 41), intake("VR_P0 Temp", 44)}, -1},
		// Every sensor claims Intake, none is named: the context tells
		// nothing, so there is no inlet.
		{"every sensor Intake, unnamed: none", []sensor{intake("Temp1", 61), intake("Temp2", 23), intake("Temp3", 26)}, -1},
		{"AMI: every sensor Intake, DIMM first", []sensor{intake("CPU0_TEMP", 47), intake("DIMMG0_TEMP", 33), intake("MB_TEMP1", 29)}, -1},
		{"DIMM with its slot is a component", []sensor{{"DIMMG0_TEMP", "Intake", 30}, {"MB_TEMP1", "SystemBoard", 29}}, -1},
		{"one sensor, Intake: credible", []sensor{intake("Temp1", 22)}, 0},
		{"context credible when another differs", []sensor{{"CPU0_TEMP", "CPU", 47}, intake("Temp2", 23)}, 1},
		{"unnamed, hot one skipped", []sensor{{"Board", "SystemBoard", 30}, intake("Temp1", 61), intake("Temp2", 23)}, 2},
		{"two inlets: the first", []sensor{intake("Front Inlet", 22), intake("Rear Inlet", 23)}, 0},
		{"named beats context", []sensor{intake("Temp1", 20), {"Ambient", "", 27}}, 1},
		{"Core is a component", []sensor{intake("Core 0", 70), {"Board", "SystemBoard", 30}, intake("Temp2", 25)}, 2},
		{"none", nil, -1},
	}
	for _, tc := range tests {
		if got := chooseInlet(tc.ss); got != tc.want {
			t.Errorf("%s: chooseInlet = %d, want %d", tc.name, got, tc.want)
		}
	}
}
