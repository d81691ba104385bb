package redfishsim_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
)

const pduYAML = `version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: f1, kind: feed, site: lon1}
  - {id: f2, kind: feed, site: lon1}
  - id: pdu-1
    kind: pdu
    rack: r01
    inputs: [f1, f2]
    outlets: 10
    management: {redfish: {endpoint: "https://127.0.0.1:8443", username: audit, password: pw}}
devices:
  - {id: s1, kind: server, rack: r01, draw_w: 920, psus: [{id: PSU1, pdu: pdu-1, outlet: 2}, {id: PSU2, pdu: pdu-1, outlet: 9}]}
`

// A generated PDU: outlets 1..10 on branches A (1-8) and B (9-10), two
// mains; each fault changes what it serves, and clears.
func TestGeneratedPDU(t *testing.T) {
	inv, err := inventory.Parse("pdu.yaml", []byte(pduYAML), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := redfishsim.FromPowerNode(inv, "pdu-1", redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	get := func(path string) map[string]any {
		t.Helper()
		resp, doc := do(t, nil, srv.URL, call{path: path, user: "audit", pass: "pw"})
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return doc
	}
	reading := func(doc map[string]any, key string) float64 {
		return doc[key].(map[string]any)["Reading"].(float64)
	}
	const unit = "/redfish/v1/PowerEquipment/RackPDUs/1"
	if n := get(unit + "/Outlets")["Members@odata.count"].(float64); n != 10 {
		t.Errorf("%v outlets, want 10", n)
	}
	if got := get(unit + "/Branches/B")["Links"].(map[string]any)["Outlets"].([]any); len(got) != 2 {
		t.Errorf("branch B has %d outlets, want 9 and 10", len(got))
	}
	if w := reading(get(unit+"/Outlets/9"), "PowerWatts"); w != 460 {
		t.Errorf("outlet 9 draws %v W, want 460 (920 W over two PSUs)", w)
	}
	if w := reading(get(unit+"/Metrics"), "PowerWatts"); w != 920 {
		t.Errorf("total %v W, want 920", w)
	}
	steps := []struct {
		fault redfishsim.Fault
		check func()
	}{
		{redfishsim.Fault{Fault: redfishsim.OutletOff, Part: "2"}, func() {
			if o := get(unit + "/Outlets/2"); o["PowerState"] != "Off" || reading(o, "PowerWatts") != 0 {
				t.Errorf("outlet 2 after outlet-off: %v", o)
			}
		}},
		{redfishsim.Fault{Fault: redfishsim.BreakerTrip, Part: "B"}, func() {
			if b := get(unit + "/Branches/B"); b["BreakerState"] != "Tripped" {
				t.Errorf("branch B: %v", b["BreakerState"])
			}
			if o := get(unit + "/Outlets/9"); o["PowerState"] != "On" || reading(o, "Voltage") != 0 {
				t.Errorf("outlet 9 on a tripped branch: %v", o)
			}
		}},
		{redfishsim.Fault{Fault: redfishsim.InletLost, Part: "AC1"}, func() {
			a1, a2 := get(unit+"/Mains/AC1"), get(unit+"/Mains/AC2")
			if reading(a1, "Voltage") != 0 || reading(a2, "Voltage") != 230 || reading(a2, "PowerWatts") != 920 {
				t.Errorf("AC1 lost: AC1 %v, AC2 %v (the load moves to AC2)", a1, a2)
			}
		}},
		{redfishsim.Fault{Fault: redfishsim.LoadSet, Value: 5000}, func() {
			if w := reading(get(unit+"/Metrics"), "PowerWatts"); w != 5000 {
				t.Errorf("total after load-set: %v", w)
			}
		}},
	}
	for _, s := range steps {
		if err := sim.Inject(s.fault); err != nil {
			t.Fatalf("%s: %v", s.fault, err)
		}
		s.check()
		if err := sim.Clear("", ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []redfishsim.Fault{{Fault: redfishsim.OutletOff, Part: "11"}, {Fault: redfishsim.BreakerTrip, Part: "C"}, {Fault: redfishsim.InletLost, Part: "AC3"}} {
		if err := sim.Inject(f); !errors.Is(err, redfishsim.ErrNoSuchPart) {
			t.Errorf("%s: %v, want ErrNoSuchPart", f, err)
		}
	}
	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.PSUFail, Part: "PSU1"}); !errors.Is(err, redfishsim.ErrUnknownFault) {
		t.Errorf("a server fault on a PDU: %v, want ErrUnknownFault", err)
	}
	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.LoadSet, Part: "3", Value: -1}); err == nil {
		t.Error("a negative load was accepted")
	}
}
