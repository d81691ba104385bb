package snmp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/observation"
)

// demo loads the bundled inventory.
func demo(t testing.TB) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Load("../../inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func switchAgent(t testing.TB, inv *inventory.Inventory, id string, opts snmpsim.Options) *snmpsim.Agent {
	t.Helper()
	tab, err := snmpsim.FromInventory(inv, id, snmpsim.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts.LiveUptime = true
	return startAgent(t, tab, opts)
}

// TestInventorySwitch polls a switch generated from the demo inventory:
// its PSUs, ports and LLDP neighbours are the declared ones, and the
// semantic faults show up in the next poll.
func TestInventorySwitch(t *testing.T) {
	inv := demo(t)
	a := switchAgent(t, inv, "tor-2a", snmpsim.Options{Community: "lab"})
	tg := v2cTarget(t, "tor-2a", "switch", a.Addr(), "lab")
	p := New(Options{})
	d := pollOnce(t, p, tg, 5*time.Second)
	if d.Error != "" || len(d.PartErrors) > 0 {
		t.Fatalf("error %q %v", d.Error, d.PartErrors)
	}
	got := summarize(&d)
	want := summary{PSUs: "PSU1=ok, PSU2=ok", Fans: "2: ok×2 degraded×0 failed×0 absent×0 unknown×0",
		Ports: "50 ports, 5 up", Neighbors: "lldp 5, cdp 0"}
	if got != want {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	if n := neighbor(&d, "Ethernet1"); n == nil || n.SysName != "db-1" || n.PortID != "eno1" {
		t.Errorf("Ethernet1's neighbour = %+v, want db-1 eno1 (the declared link)", n)
	}
	if d.Requests > 4 {
		t.Errorf("%d requests for a 50-port switch, want at most 4", d.Requests)
	}

	for _, f := range []snmpsim.Fault{{Kind: snmpsim.PSUFail, Part: "PSU2"}, {Kind: snmpsim.PortDown, Part: "Ethernet1"},
		{Kind: snmpsim.NeighborChanged, Part: "Ethernet2", Value: "intruder"}, {Kind: snmpsim.Reboot}} {
		if err := a.Inject(f); err != nil {
			t.Fatal(err)
		}
	}
	d = pollOnce(t, p, tg, 5*time.Second)
	if d.PSUs[1].Condition != observation.Failed || d.PSUs[0].Condition != observation.OK {
		t.Errorf("after psu-fail PSU2: %+v", d.PSUs)
	}
	if port(&d, "Ethernet1").Oper != "down" {
		t.Errorf("after port-down Ethernet1: %+v", port(&d, "Ethernet1"))
	}
	if n := neighbor(&d, "Ethernet2"); n == nil || n.SysName != "intruder" {
		t.Errorf("after neighbor-changed: %+v", n)
	}
	if d.UptimeSeconds == nil || *d.UptimeSeconds > 2 {
		t.Errorf("after reboot, uptime %v", d.UptimeSeconds)
	}
	if err := a.Inject(snmpsim.Fault{Kind: snmpsim.PSUFail, Part: "PSU9"}); err == nil {
		t.Error("a fault on a PSU the switch lacks was accepted")
	}
}

func port(d *observation.Device, name string) *observation.Port {
	for i := range d.Ports {
		if d.Ports[i].Name == name {
			return &d.Ports[i]
		}
	}
	return &observation.Port{}
}

func neighbor(d *observation.Device, name string) *observation.Neighbor {
	if p := port(d, name); len(p.Neighbors) > 0 {
		return &p.Neighbors[0]
	}
	return nil
}

// TestFaultsThroughRun polls several agents at once through collector.Run,
// one of them faulty per case: the faulty one gets a clear error (or a
// part error), never a crash, and the healthy ones are read in full and
// in time.
func TestFaultsThroughRun(t *testing.T) {
	inv := demo(t)
	cases := []struct {
		fault     string
		community string // the poller's; the agent's is "agentsecret"
		wantErr   string // in Device.Error
		wantPart  string // in a PartError
	}{
		{fault: snmpsim.Timeout, wantErr: "no answer"},
		{fault: "", community: "wrongsecret", wantErr: "no answer"},
		{fault: snmpsim.Malformed, wantErr: "snmp 127.0.0.1"},
		{fault: snmpsim.EndlessTable, wantPart: "table does not end"},
		{fault: snmpsim.Loop, wantPart: "out of order"},
		{fault: snmpsim.WrongTypes, wantPart: "want INTEGER, device sent OCTET STRING"},
	}
	before := runtime.NumGoroutine()
	for _, tc := range cases {
		t.Run(tc.fault+tc.community, func(t *testing.T) {
			var targets []collector.Target
			var faulty *snmpsim.Agent
			for _, id := range []string{"core-1", "core-2", "tor-2a"} {
				a := switchAgent(t, inv, id, snmpsim.Options{Community: "agentsecret"})
				community := "agentsecret"
				if id == "core-2" {
					faulty = a
					if tc.fault != "" {
						if err := a.Inject(snmpsim.Fault{Kind: tc.fault}); err != nil {
							t.Fatal(err)
						}
					}
					if tc.community != "" {
						community = tc.community
					}
				}
				targets = append(targets, v2cTarget(t, id, "switch", a.Addr(), community))
			}
			p := New(Options{Limits: Limits{MaxRows: 500}, RequestTimeout: 300 * time.Millisecond, Retries: 1})
			obs := collector.Run(context.Background(), targets, []collector.Poller{p}, collector.Options{Timeout: 2 * time.Second})
			// The work the faulty agent caused is bounded (an endless
			// table stops at 500 rows a column), whatever the timing.
			if n := faulty.Requests(); n > 100 {
				t.Errorf("the faulty agent received %d requests", n)
			}
			for _, o := range obs {
				if o.ID != "core-2" {
					if o.Error != "" || len(o.PartErrors) > 0 || len(o.PSUs) != 2 {
						t.Errorf("healthy %s: error %q, part errors %v, %d PSUs", o.ID, o.Error, o.PartErrors, len(o.PSUs))
					}
					continue
				}
				parts := ""
				for _, pe := range o.PartErrors {
					parts += pe.Part + ": " + pe.Error + "\n"
				}
				if tc.wantErr != "" && !strings.Contains(o.Error, tc.wantErr) {
					t.Errorf("faulty device error %q, want it to say %q", o.Error, tc.wantErr)
				}
				if tc.wantPart != "" && (o.Error != "" || !strings.Contains(parts, tc.wantPart)) {
					t.Errorf("faulty device: error %q, part errors %q; want a part error saying %q", o.Error, parts, tc.wantPart)
				}
				if strings.Contains(o.Error+parts, "secret") {
					t.Errorf("an error shows the community: %q %q", o.Error, parts)
				}
			}
		})
	}
	// Every agent is closed by now; the poller's sockets too.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("%d goroutines before, %d after: a leak", before, n)
	}
}

// TestMissingSecret: an unset ${env:..} community is the device's error,
// named by reference, before any packet is sent.
func TestMissingSecret(t *testing.T) {
	tg := collector.Target{ID: "sw", Kind: "switch", Management: &inventory.Management{SNMP: &inventory.SNMP{
		Address: "127.0.0.1:9", Community: "${env:FAULTLINE_SURELY_UNSET_COMMUNITY}"}}}
	d := New(Options{}).Poll(context.Background(), tg)
	if !strings.Contains(d.Error, "${env:FAULTLINE_SURELY_UNSET_COMMUNITY}") || d.Requests != 0 {
		t.Errorf("error %q after %d requests", d.Error, d.Requests)
	}
}

// TestAdminHandler injects and clears faults over the JSON admin API.
func TestAdminHandler(t *testing.T) {
	inv := demo(t)
	a := switchAgent(t, inv, "core-1", snmpsim.Options{Community: "lab"})
	srv := httptest.NewServer(a.AdminHandler())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/faults", "application/json", strings.NewReader(`{"fault":"psu-fail","part":"PSU2"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || len(a.Faults()) != 1 {
		t.Fatalf("POST /faults: %s, faults %v", resp.Status, a.Faults())
	}
	resp, _ = http.Post(srv.URL+"/faults", "application/json", strings.NewReader(`{"fault":"melt"}`))
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown fault: %s", resp.Status)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/faults", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(a.Faults()) != 0 {
		t.Errorf("DELETE /faults left %v", a.Faults())
	}
}
