package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// An A+B pair of SNMP PDUs (numbered outlets, an inlet reading its power,
// no total: the shape of PDU2-MIB and Sentry tables). Each server draws
// 1500 W over both; pdu-r01-a is rated 7400 W (limit 5920 W).
const measuredInv = `version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: feed-a, kind: feed, site: lon1}
  - {id: feed-b, kind: feed, site: lon1}
  - id: pdu-r01-a
    kind: pdu
    rack: r01
    inputs: [feed-a]
    capacity_w: 7400
    outlets: 24
    management: {snmp: {address: 127.0.0.1, community: "${env:C}"}}
  - id: pdu-r01-b
    kind: pdu
    rack: r01
    inputs: [feed-b]
    capacity_w: 7400
    outlets: 24
    management: {snmp: {address: 127.0.0.2, community: "${env:C}"}}
devices:
  - {id: s1, kind: server, rack: r01, draw_w: 1500, psus: [{id: PSU1, pdu: pdu-r01-a, outlet: 1}, {id: PSU2, pdu: pdu-r01-b, outlet: 1}]}
  - {id: s2, kind: server, rack: r01, draw_w: 1500, psus: [{id: PSU1, pdu: pdu-r01-a, outlet: 2}, {id: PSU2, pdu: pdu-r01-b, outlet: 2}]}
  - {id: s3, kind: server, rack: r01, draw_w: 1500, psus: [{id: PSU1, pdu: pdu-r01-a, outlet: 3}, {id: PSU2, pdu: pdu-r01-b, outlet: 3}]}
  - {id: s4, kind: server, rack: r01, draw_w: 1500, psus: [{id: PSU1, pdu: pdu-r01-a, outlet: 4}, {id: PSU2, pdu: pdu-r01-b, outlet: 4}]}
`

func snmpPDU(id string, inletW float64, outlets ...observation.Outlet) observation.Device {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	return observation.Device{ID: id, Source: observation.SourceSNMP, AttemptedAt: now, CollectedAt: now,
		Inputs: []observation.PowerInput{{Name: "I1", Watts: &inletW, Condition: observation.OK}}, Outlets: outlets}
}

func auditObserved(t *testing.T, src string, obs ...observation.Device) map[string]Finding {
	t.Helper()
	inv, err := inventory.Parse("m.yaml", []byte(src), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := model.Observe(inv, obs)
	g, err := model.Build(inv, &o.Overlay)
	if err != nil {
		t.Fatal(err)
	}
	_, fs := Audit(g, Options{SkipPairs: true})
	return byID(fs)
}

// Measured load wins for overload and as the failover base, and load well
// above what the inventory accounts for is drift; the thresholds (25% and
// 200 W) are met on both sides.
func TestMeasuredLoad(t *testing.T) {
	for _, c := range []struct {
		name       string
		a, b       float64 // inlet watts of pdu-r01-a and -b
		want, gone []string
		words      map[string]string
	}{
		{
			// As declared: 3000 W each, 6000 W after a failover — over the 5920 W limit.
			name: "as declared", a: 3000, b: 3000,
			want:  []string{"failover-overload/pdu-r01-a/pdu-r01-b", "failover-overload/pdu-r01-b/pdu-r01-a"},
			gone:  []string{"drift/pdu-r01-a/load"},
			words: map[string]string{"failover-overload/pdu-r01-a/pdu-r01-b": "if pdu-r01-b fails (also if feed-b fails); it carries 3000 W now (measured)"},
		},
		{
			// The example: 6438 W measured, 3000 W accounted for.
			name: "unaccounted load", a: 6438, b: 3000,
			want: []string{"overload/pdu-r01-a", "drift/pdu-r01-a/load"},
			words: map[string]string{
				"drift/pdu-r01-a/load": "pdu-r01-a measures 6.4 kW; the inventory accounts for 3.0 kW",
				"overload/pdu-r01-a":   "pdu-r01-a carries 6438 W (measured), 87% of its 7400 W capacity",
			},
		},
		{
			// 24% above what is accounted for: within the tolerance.
			name: "within tolerance", a: 3720, b: 1000,
			gone: []string{"drift/pdu-r01-a/load", "drift/pdu-r01-b/load"},
		},
		{
			// Both PDUs measure 1000 W (the servers draw less than declared):
			// 1000 + 3000 W moving is 4000 W, no failover overload.
			name: "declared draws overstate", a: 1000, b: 1000,
			gone: []string{"failover-overload/pdu-r01-a/pdu-r01-b", "failover-overload/pdu-r01-b/pdu-r01-a"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := auditObserved(t, measuredInv, snmpPDU("pdu-r01-a", c.a), snmpPDU("pdu-r01-b", c.b))
			for _, id := range c.want {
				if _, ok := got[id]; !ok {
					t.Errorf("no %s; got %v", id, sortedKeys(got))
				}
			}
			for _, id := range c.gone {
				if f, ok := got[id]; ok {
					t.Errorf("unexpected %s: %s", id, f.Message)
				}
			}
			for id, w := range c.words {
				if f := got[id]; !strings.Contains(f.Message, w) {
					t.Errorf("%s: %q does not say %q", id, f.Message, w)
				}
			}
		})
	}
	// With no measurement the messages say declared.
	got := auditObserved(t, measuredInv)
	if f := got["failover-overload/pdu-r01-a/pdu-r01-b"]; !strings.Contains(f.Message, "3000 W now (declared)") {
		t.Errorf("unmeasured: %q", f.Message)
	}
}

// A metered outlet drawing power with no declared PSU on it is an
// undeclared device; a declared outlet drawing power is not reported.
func TestUndeclaredOutletDraw(t *testing.T) {
	w := func(v float64) *float64 { return &v }
	on := func(b bool) *bool { return &b }
	got := auditObserved(t, measuredInv,
		snmpPDU("pdu-r01-a", 3300, observation.Outlet{ID: "1", Index: 1, On: on(true), Watts: w(750)},
			observation.Outlet{ID: "9", Index: 9, On: on(true), Watts: w(300)},
			observation.Outlet{ID: "10", Index: 10, On: on(true), Watts: w(3)},
			observation.Outlet{ID: "11", Index: 11, On: on(false), Watts: w(0)}),
	)
	f, ok := got["drift/pdu-r01-a/outlet/9"]
	if !ok || f.Message != "pdu-r01-a outlet 9 draws 300 W, but the inventory plugs nothing into it: an undeclared device" {
		t.Errorf("outlet 9: %q (findings %v)", f.Message, sortedKeys(got))
	}
	for id := range got {
		if strings.Contains(id, "outlet/1") || strings.Contains(id, "outlet/10") || strings.Contains(id, "outlet/11") {
			t.Errorf("unexpected %s", id)
		}
	}
}

// A branch breaker trips before the PDU's total is reached: pdu-r01-b is
// far below its 7400 W, but branch A carries 10 A of its 16 A, and pdu-r01-a
// failing moves 750 W onto each of its two servers' PSUs there: 2 x 750 W
// / 230 V = 6.5 A more, 16.5 A, over the 12.8 A limit.
func TestBranchFailoverOverload(t *testing.T) {
	src := strings.ReplaceAll(measuredInv, "capacity_w: 7400", "capacity_w: 20000")
	w := func(v float64) *float64 { return &v }
	b := snmpPDU("pdu-r01-b", 3000)
	b.Source = observation.SourceRedfish
	b.Outlets = []observation.Outlet{{ID: "1", Index: 1, Branch: "A", Volts: w(230)}, {ID: "2", Index: 2, Branch: "A"}, {ID: "3", Index: 3, Branch: "B"}, {ID: "4", Index: 4, Branch: "B"}}
	b.Branches = []observation.Branch{
		{ID: "A", Amps: w(10), RatedAmps: w(16), Volts: w(230), Breaker: observation.BreakerNormal},
		{ID: "B", Amps: w(3), RatedAmps: w(16), Volts: w(230), Breaker: observation.BreakerNormal},
	}
	got := auditObserved(t, src, b)
	f, ok := got["failover-overload/pdu-r01-b/branch/A/pdu-r01-a"]
	if !ok {
		t.Fatalf("no branch failover-overload; got %v", sortedKeys(got))
	}
	const want = "pdu-r01-b branch circuit A would carry 16.5 A (103% of its 16 A rating) if pdu-r01-a fails (also if feed-a fails); it carries 10.0 A now (measured): its breaker trips before pdu-r01-b's own capacity is reached"
	if f.Message != want {
		t.Errorf("message\n got %q\nwant %q", f.Message, want)
	}
	for id := range got {
		if strings.HasPrefix(id, "failover-overload/pdu-r01-b/pdu") || strings.Contains(id, "branch/B") {
			t.Errorf("unexpected %s: %s", id, got[id].Message)
		}
	}
}
