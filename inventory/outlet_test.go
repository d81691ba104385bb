package inventory

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A PDU whose outlets are named by branch (A1…C3) is declared with its own
// ids; numbered outlets stay numbers, in YAML and in JSON.
func TestOutletsNamedAsThePDUNamesThem(t *testing.T) {
	src := `version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: f, kind: feed, site: lon1}
  - {id: pdu-a, kind: pdu, rack: r01, inputs: [f], outlets: 24}
  - id: pdu-b
    kind: pdu
    rack: r01
    inputs: [f]
    management:
      redfish: {endpoint: "https://10.0.0.9", username: audit, password: "${env:PDU_PASSWORD}"}
devices:
  - id: s1
    kind: server
    rack: r01
    psus:
      - {id: PSU1, pdu: pdu-a, outlet: 7}
      - {id: PSU2, pdu: pdu-b, outlet: A4}
  - id: s2
    kind: server
    rack: r01
    psus:
      - {id: PSU1, pdu: pdu-b, outlet: B4}
      - {id: PSU2, pdu: pdu-b, outlet: C4}
`
	inv, err := Parse("t.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []Outlet
	for _, d := range inv.Devices {
		for _, p := range d.PSUs {
			got = append(got, p.Outlet)
		}
	}
	if diff := cmp.Diff([]Outlet{"7", "A4", "B4", "C4"}, got); diff != "" {
		t.Errorf("outlets (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(inv.Devices[0].PSUs)
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `[{"id":"PSU1","pdu":"pdu-a","outlet":7},{"id":"PSU2","pdu":"pdu-b","outlet":"A4"}]`
	if string(b) != wantJSON {
		t.Errorf("json = %s, want %s", b, wantJSON)
	}
	var back []PSU
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back[0].Outlet != "7" || back[1].Outlet != "A4" {
		t.Errorf("json round trip: %q, %q", back[0].Outlet, back[1].Outlet)
	}
	if m := inv.PowerNode("pdu-b").Management; m == nil || m.Redfish == nil {
		t.Error("a pdu managed over redfish lost its management")
	}
}

func TestOutletNumber(t *testing.T) {
	for _, c := range []struct {
		in   Outlet
		n    int
		isNo bool
	}{
		{"7", 7, true}, {"07", 7, true}, {"24", 24, true}, {"A4", 0, false}, {"", 0, false},
		{"-1", 0, false}, {"1234567890", 0, false},
	} {
		n, ok := c.in.Number()
		if n != c.n || ok != c.isNo {
			t.Errorf("Outlet(%q).Number() = %d, %v; want %d, %v", c.in, n, ok, c.n, c.isNo)
		}
	}
}
