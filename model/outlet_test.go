package model

import (
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// A1, B1 and C1 are three outlets: a declared outlet is matched by the
// PDU's own id, never by its trailing digits.
func TestOutletsMatchExactly(t *testing.T) {
	outs := []observation.Outlet{{ID: "A1"}, {ID: "B1"}, {ID: "C1"}, {ID: "7", Index: 9}, {ID: "AA3", Index: 3}}
	for _, c := range []struct {
		decl inventory.Outlet
		want string // id found, "" for none
	}{
		{"B1", "B1"}, {"C1", "C1"}, {"1", ""}, {"7", "7"}, {"07", "7"}, {"3", "AA3"}, {"b1", ""}, {"A4", ""},
	} {
		got, ok := findOutlet(outs, c.decl)
		if (c.want == "") == ok || got.ID != c.want {
			t.Errorf("findOutlet(%q) = %q, %v; want %q", c.decl, got.ID, ok, c.want)
		}
	}
	for _, c := range []struct{ uri, want string }{
		{"https://pdu-1/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/B1", "B1"},
		{"/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/12/", "12"},
		{"/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A%201", "A 1"},
		{"/redfish/v1/Chassis/1", ""},
		{"", ""},
	} {
		if got := outletOfURI(c.uri); got != c.want {
			t.Errorf("outletOfURI(%q) = %q, want %q", c.uri, got, c.want)
		}
	}
}
