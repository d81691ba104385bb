package redfish_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// powerLab is an A+B rack: pdu-a numbers its outlets (1..8), pdu-b names
// them by branch (A1…, branches A and B), both managed over Redfish and
// rated 5000 W (the rules' limit is 4000 W). srv-1 and srv-2 (managed)
// draw 1000 W over both PDUs; srv-3 (unmanaged) is declared at 2500 W on
// pdu-b alone.
//
// Declared, pdu-b carries 500+500+2500 = 3500 W and would carry 4500 W if
// pdu-a failed: a failover-overload on the declared draws.
const powerLab = `version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: grid, kind: utility, site: lon1}
  - {id: feed-a, kind: feed, site: lon1, inputs: [grid]}
  - {id: feed-b, kind: feed, site: lon1, inputs: [grid]}
  - id: pdu-a
    kind: pdu
    rack: r01
    inputs: [feed-a, feed-b]
    capacity_w: 5000
    outlets: 8
    management:
      redfish: {endpoint: "https://127.0.0.1:1", username: audit, password: pdu-pw}
  - id: pdu-b
    kind: pdu
    rack: r01
    inputs: [feed-b]
    capacity_w: 5000
    management:
      redfish: {endpoint: "https://127.0.0.1:1", username: audit, password: pdu-pw}
devices:
  - id: srv-1
    kind: server
    rack: r01
    draw_w: 1000
    psus:
      - {id: PSU1, pdu: pdu-a, outlet: 1}
      - {id: PSU2, pdu: pdu-b, outlet: A1}
    management:
      redfish: {endpoint: "https://127.0.0.1:1", username: audit, password: bmc-pw}
  - id: srv-2
    kind: server
    rack: r01
    draw_w: 1000
    psus:
      - {id: PSU1, pdu: pdu-a, outlet: 2}
      - {id: PSU2, pdu: pdu-b, outlet: B1}
    management:
      redfish: {endpoint: "https://127.0.0.1:1", username: audit, password: bmc-pw}
  - id: srv-3
    kind: server
    rack: r01
    draw_w: 2500
    psus:
      - {id: PSU1, pdu: pdu-b, outlet: B2}
`

type powerRig struct {
	t       *testing.T
	inv     *inventory.Inventory
	sims    map[string]*redfishsim.Sim
	targets []collector.Target
	p       *redfish.Poller
}

func newPowerRig(t *testing.T) *powerRig {
	t.Helper()
	inv, err := inventory.Parse("power.yaml", []byte(powerLab), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	r := &powerRig{t: t, inv: inv, sims: map[string]*redfishsim.Sim{}}
	for _, m := range inv.ManagedTargets() {
		sim, err := redfishsim.FromInventory(inv, m.ID, redfishsim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		u, err := fleet.Start(sim, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		rf := *m.Management.Redfish
		rf.Endpoint = u
		r.sims[m.ID] = sim
		r.targets = append(r.targets, collector.Target{ID: m.ID, Kind: m.Kind, Management: &inventory.Management{Redfish: &rf}})
	}
	r.p = redfish.New(redfish.Options{RootCAs: fleet.CA().Pool(), Now: clock})
	return r
}

func (r *powerRig) inject(id string, f redfishsim.Fault) {
	r.t.Helper()
	if err := r.sims[id].Inject(f); err != nil {
		r.t.Fatal(err)
	}
}

func (r *powerRig) clear(id string) {
	r.t.Helper()
	if err := r.sims[id].Clear("", ""); err != nil {
		r.t.Fatal(err)
	}
}

// audit polls every simulated device once and returns the findings by id.
// strip, when set, edits the observations before the audit.
func (r *powerRig) audit(strip func([]observation.Device)) map[string]audit.Finding {
	r.t.Helper()
	var obs []observation.Device
	for _, tg := range r.targets {
		d := pollOnce(r.t, r.p, tg, 10*time.Second)
		if d.Error != "" || len(d.PartErrors) > 0 {
			r.t.Fatalf("%s: %s %v", tg.ID, d.Error, d.PartErrors)
		}
		obs = append(obs, d)
	}
	if strip != nil {
		strip(obs)
	}
	o := model.Observe(r.inv, obs)
	g, err := model.Build(r.inv, &o.Overlay)
	if err != nil {
		r.t.Fatal(err)
	}
	_, fs := audit.Audit(g, audit.Options{SkipPairs: true})
	fs = append(fs, audit.LiveFindings(o.Facts, r.inv.Policy, audit.LiveOptions{})...)
	out := map[string]audit.Finding{}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out
}

func ids(fs map[string]audit.Finding) []string {
	var out []string
	for id := range fs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// TestPowerThroughRedfishPDUs runs faults on simulated Redfish PDUs
// through collection, the model and the audit: each makes its finding,
// and the finding clears when the fault clears.
func TestPowerThroughRedfishPDUs(t *testing.T) {
	r := newPowerRig(t)
	base := r.audit(nil)
	// The PDUs measure what the inventory declares (the simulator meters
	// each outlet at its devices' draw_w): the declared failover overload
	// of pdu-b stands, now on its measured load.
	const declaredOverload = "failover-overload/pdu-b/pdu-a"
	if f, ok := base[declaredOverload]; !ok || !strings.Contains(f.Message, "3500 W now (measured)") {
		t.Fatalf("no measured failover-overload of pdu-b at 3500 W: %q\nall: %v", f.Message, ids(base))
	}
	cases := []struct {
		name   string
		device string
		faults []redfishsim.Fault
		want   map[string]string // finding id -> words its message has
		gone   []string          // finding ids the fault makes disappear
	}{
		{
			name: "outlet switched off under a server PSU", device: "pdu-b",
			faults: []redfishsim.Fault{{Fault: redfishsim.OutletOff, Part: "A1"}},
			want: map[string]string{
				"component-failed/srv-1/PSU2":       "pdu-b outlet A1 is off",
				"redundancy-lost/srv-1/power/pdu-a": "",
			},
		},
		{
			name: "one inlet of a dual-inlet PDU lost", device: "pdu-a",
			faults: []redfishsim.Fault{{Fault: redfishsim.InletLost, Part: "AC1"}},
			want:   map[string]string{"component-failed/pdu-a/input/AC1": "input AC1 failed"},
		},
		{
			name: "the only inlet lost", device: "pdu-b",
			faults: []redfishsim.Fault{{Fault: redfishsim.InletLost}},
			want: map[string]string{
				"component-failed/pdu-b/input/AC1":  "input AC1 failed",
				"redundancy-lost/srv-1/power/pdu-a": "",
				"redundancy-lost/srv-2/power/pdu-a": "",
			},
		},
		{
			name: "a branch breaker tripped", device: "pdu-b",
			faults: []redfishsim.Fault{{Fault: redfishsim.BreakerTrip, Part: "B"}},
			want: map[string]string{
				"component-failed/pdu-b/branch/B": "breaker is tripped",
				"component-failed/srv-2/PSU2":     "on branch B, whose breaker is tripped",
				"component-failed/srv-3/PSU1":     "on branch B, whose breaker is tripped",
			},
		},
		{
			// pdu-a measures 3200 W (load the inventory does not know): with
			// pdu-b's 1000 W of srv-1 and srv-2 moving over, it would carry
			// 4200 W. On declared draws alone it would carry 2000 W.
			name: "measured load makes a failover overload", device: "pdu-a",
			faults: []redfishsim.Fault{{Fault: redfishsim.LoadSet, Value: 3200}},
			want: map[string]string{
				"failover-overload/pdu-a/pdu-b": "4200 W (84% of 5000 W) if pdu-b fails (also if feed-b fails); it carries 3200 W now (measured)",
				"drift/pdu-a/load":              "pdu-a measures 3.2 kW; the inventory accounts for 1.0 kW",
			},
		},
		{
			// srv-3 really draws 400 W, not its declared 2500 W: pdu-b
			// measures 1400 W, and 2400 W after a failover of pdu-a.
			name: "declared draws overstate: measured load clears the failover overload", device: "pdu-b",
			faults: []redfishsim.Fault{{Fault: redfishsim.LoadSet, Part: "B2", Value: 400}},
			want:   map[string]string{},
			gone:   []string{declaredOverload},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, f := range c.faults {
				r.inject(c.device, f)
			}
			got := r.audit(nil)
			for id, words := range c.want {
				f, ok := got[id]
				if !ok {
					t.Errorf("no finding %s; got %v", id, ids(got))
					continue
				}
				if !strings.Contains(f.Message, words) {
					t.Errorf("%s: %q does not say %q", id, f.Message, words)
				}
			}
			for _, id := range c.gone {
				if _, ok := got[id]; ok {
					t.Errorf("%s still reported: %s", id, got[id].Message)
				}
			}
			r.clear(c.device)
			after := r.audit(nil)
			if diff := slices.Compare(ids(base), ids(after)); diff != 0 {
				t.Errorf("cleared, the findings are %v; before the fault %v", ids(after), ids(base))
			}
		})
	}
}

// TestCableMovedDetectedFromMetering: srv-1's PSU1 is declared on pdu-a
// outlet 1 but plugged into outlet 5. Nothing says so directly — the
// server's Links.Outlet is removed, as most BMCs do not report it. Two
// readings contradict the inventory, and together they place the cable:
//   - outlet 1 is on and draws 0 W, while the PSU declared on it reports
//     500 W of input power (its own meter): the PSU is not on outlet 1;
//   - outlet 5 draws 500 W with no declared PSU on it: something the
//     inventory does not know is there, drawing what the PSU draws.
func TestCableMovedDetectedFromMetering(t *testing.T) {
	r := newPowerRig(t)
	r.inject("pdu-a", redfishsim.Fault{Fault: redfishsim.LoadSet, Part: "1", Value: 0})
	r.inject("pdu-a", redfishsim.Fault{Fault: redfishsim.LoadSet, Part: "5", Value: 500})
	noLinks := func(obs []observation.Device) {
		for i := range obs {
			for j := range obs[i].PSUs {
				obs[i].PSUs[j].Outlet = ""
			}
		}
	}
	got := r.audit(noLinks)
	f, ok := got["drift/srv-1/PSU1/outlet-draw"]
	if !ok {
		t.Fatalf("the moved cable is not found; findings %v", ids(got))
	}
	const want = "srv-1/PSU1 reports drawing 500 W, but pdu-a outlet 1, where the inventory plugs it, draws 0 W: the cable is elsewhere; outlet 5, which no declared PSU uses, draws 500 W: probably there"
	if f.Message != want {
		t.Errorf("message\n got %q\nwant %q", f.Message, want)
	}
	if !slices.Equal(f.Causes, []string{"srv-1/PSU1", "pdu-a"}) {
		t.Errorf("causes %v", f.Causes)
	}
	if u, ok := got["drift/pdu-a/outlet/5"]; !ok || !strings.Contains(u.Message, "probably a PSU declared on another outlet") {
		t.Errorf("outlet 5's undeclared draw: %q (findings %v)", u.Message, ids(got))
	}
	r.clear("pdu-a")
	for id := range r.audit(noLinks) {
		if strings.HasPrefix(id, "drift/") {
			t.Errorf("cleared, still %s", id)
		}
	}
}
