package model

import (
	"testing"
	"time"

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

// A PSU's Links.Outlet is checked against the declared outlet exactly (B1
// is not A1 though both end in 1) and against the declared PDU's host.
func TestOutletLink(t *testing.T) {
	inv, err := inventory.Parse("o.yaml", []byte(`version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: f, kind: feed, site: lon1}
  - id: pdu-a
    kind: pdu
    rack: r01
    inputs: [f]
    management: {redfish: {endpoint: "https://10.0.0.21", username: u, password: "${env:P}"}}
devices:
  - id: s1
    kind: server
    rack: r01
    psus: [{id: PSU1, pdu: pdu-a, outlet: A1}]
    management: {redfish: {endpoint: "https://10.0.0.31", username: u, password: "${env:P}"}}
`), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ link, want string }{
		{"https://10.0.0.21/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1", ""},
		{"https://10.0.0.21/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/B1", "pdu-a outlet A1 | outlet B1 (https://10.0.0.21/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/B1)"},
		{"https://10.0.0.22/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1", "pdu-a outlet A1 | outlet A1 of the PDU at 10.0.0.22 (https://10.0.0.22/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1)"},
		{"/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1", ""},
	} {
		obs := []observation.Device{{ID: "s1", Source: observation.SourceRedfish, AttemptedAt: now, CollectedAt: now,
			PSUs: []observation.PSU{{ID: "PSU1", Condition: observation.OK, Outlet: c.link}}}}
		var got []string
		for _, f := range Observe(inv, obs).Facts {
			if f.Kind == FactDrift && f.What == "outlet" {
				got = append(got, f.Declared+" | "+f.Observed)
			}
		}
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s: unexpected drift %q", c.link, got)
		case c.want != "" && (len(got) != 1 || got[0] != c.want):
			t.Errorf("%s: drift %q, want %q", c.link, got, c.want)
		}
	}
}
