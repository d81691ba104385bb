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

func TestIsInletSensor(t *testing.T) {
	tests := []struct {
		name, context string
		want          bool
	}{
		{"Chassis Intake Temp", "Intake", true},
		{"System Board Inlet Temp", "SystemBoard", true}, // Dell
		{"01-Inlet Ambient", "", true},                   // HPE
		{"Inlet Temp", "", true},                         // Supermicro
		{"Ambient Temp", "", true},                       // Lenovo
		{"CPU1 Temp", "CPU", false},
		{"Exhaust Temp", "Exhaust", false},
	}
	for _, tc := range tests {
		if got := isInletSensor(tc.name, tc.context); got != tc.want {
			t.Errorf("isInletSensor(%q, %q) = %v", tc.name, tc.context, got)
		}
	}
}
