package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/snmp"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// The audited rack: two SNMP PDUs (Raritan tables, numbered outlets) of
// 5000 W (limit 4000 W), two servers of 1000 W over both.
const snmpRack = `version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: feed-a, kind: feed, site: lon1}
  - {id: feed-b, kind: feed, site: lon1}
  - {id: pdu-a, kind: pdu, rack: r01, inputs: [feed-a], capacity_w: 5000, outlets: 12, management: {snmp: {address: "127.0.0.1:1161", community: lab}}}
  - {id: pdu-b, kind: pdu, rack: r01, inputs: [feed-b], capacity_w: 5000, outlets: 12, management: {snmp: {address: "127.0.0.1:1162", community: lab}}}
devices:
  - {id: s1, kind: server, rack: r01, draw_w: 1000, psus: [{id: PSU1, pdu: pdu-a, outlet: 1}, {id: PSU2, pdu: pdu-b, outlet: 1}]}
  - {id: s2, kind: server, rack: r01, draw_w: 1000, psus: [{id: PSU1, pdu: pdu-a, outlet: 2}, {id: PSU2, pdu: pdu-b, outlet: 2}]}
`

// ghost is what is really in the rack beyond the inventory: a 2600 W box
// on pdu-a outlet 9 that nobody declared.
const ghost = `  - {id: ghost, kind: appliance, rack: r01, draw_w: 2600, psus: [{id: PSU1, pdu: pdu-a, outlet: 9}]}
`

// TestMeasuredLoadThroughSNMP polls simulated SNMP PDUs whose tables are
// generated from the rack as it really is, and audits the rack as
// declared. With the undeclared box, pdu-a measures 3600 W (its inlet's
// active power) where the inventory accounts for 1000 W: the drift names
// both figures and the outlet, and pdu-b failing would put pdu-a at
// 4600 W — a failover overload that the declared draws (2000 W) would not
// make. Without the box the same audit is clean.
func TestMeasuredLoadThroughSNMP(t *testing.T) {
	declared, err := inventory.Parse("rack.yaml", []byte(snmpRack), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		world string
		want  map[string]string
	}{
		{"an undeclared box", snmpRack + ghost, map[string]string{
			"drift/pdu-a/load":              "pdu-a measures 3.6 kW; the inventory accounts for 1.0 kW",
			"drift/pdu-a/outlet/9":          "pdu-a outlet 9 draws 2600 W, but the inventory plugs nothing into it: an undeclared device",
			"failover-overload/pdu-a/pdu-b": "pdu-a would carry 4600 W (92% of 5000 W) if pdu-b fails (also if feed-b fails); it carries 3600 W now (measured)",
		}},
		{"the rack as declared", snmpRack, map[string]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			world, err := inventory.Parse("world.yaml", []byte(c.world), inventory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var obs []observation.Device
			p := snmp.New(snmp.Options{})
			for _, id := range []string{"pdu-a", "pdu-b"} {
				table, err := snmpsim.FromInventory(world, id, snmpsim.GenOptions{})
				if err != nil {
					t.Fatal(err)
				}
				a := snmpsim.New(table, snmpsim.Options{Community: "lab"})
				if err := a.Listen("127.0.0.1:0"); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = a.Close() })
				m := *declared.PowerNode(id).Management.SNMP
				m.Address = a.Addr()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				d := p.Poll(ctx, collector.Target{ID: id, Kind: "pdu", Management: &inventory.Management{SNMP: &m}})
				cancel()
				if d.Error != "" {
					t.Fatalf("%s: %s", id, d.Error)
				}
				obs = append(obs, d)
			}
			o := model.Observe(declared, obs)
			g, err := model.Build(declared, &o.Overlay)
			if err != nil {
				t.Fatal(err)
			}
			_, fs := audit.Audit(g, audit.Options{SkipPairs: true})
			got := map[string]string{}
			for _, f := range fs {
				got[f.ID] = f.Message
			}
			for id, words := range c.want {
				if !strings.Contains(got[id], words) {
					t.Errorf("%s: %q, want it to say %q", id, got[id], words)
				}
			}
			for id, msg := range got {
				if _, ok := c.want[id]; !ok {
					t.Errorf("unexpected %s: %s", id, msg)
				}
			}
		})
	}
}

// TestOutletAndInletThroughSNMP: an outlet switched off under a server PSU
// and a PDU's inlet lost, through a simulated Raritan PDU (PDU2-MIB), each
// the right finding, and gone when the fault clears.
func TestOutletAndInletThroughSNMP(t *testing.T) {
	inv, err := inventory.Parse("rack.yaml", []byte(snmpRack), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	agents := map[string]*snmpsim.Agent{}
	targets := map[string]collector.Target{}
	for _, id := range []string{"pdu-a", "pdu-b"} {
		table, err := snmpsim.FromInventory(inv, id, snmpsim.GenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		a := snmpsim.New(table, snmpsim.Options{Community: "lab"})
		if err := a.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		m := *inv.PowerNode(id).Management.SNMP
		m.Address = a.Addr()
		agents[id] = a
		targets[id] = collector.Target{ID: id, Kind: "pdu", Management: &inventory.Management{SNMP: &m}}
	}
	p := snmp.New(snmp.Options{})
	findings := func() map[string]string {
		var obs []observation.Device
		for _, id := range []string{"pdu-a", "pdu-b"} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			d := p.Poll(ctx, targets[id])
			cancel()
			if d.Error != "" {
				t.Fatalf("%s: %s", id, d.Error)
			}
			obs = append(obs, d)
		}
		o := model.Observe(inv, obs)
		g, err := model.Build(inv, &o.Overlay)
		if err != nil {
			t.Fatal(err)
		}
		_, fs := audit.Audit(g, audit.Options{SkipPairs: true})
		fs = append(fs, audit.LiveFindings(o.Facts, inv.Policy, audit.LiveOptions{})...)
		got := map[string]string{}
		for _, f := range fs {
			got[f.ID] = f.Message
		}
		return got
	}
	if got := findings(); len(got) != 0 {
		t.Fatalf("findings before any fault: %v", got)
	}
	for _, c := range []struct {
		pdu   string
		fault snmpsim.Fault
		want  map[string]string
	}{
		{"pdu-a", snmpsim.Fault{Kind: snmpsim.OutletOff, Part: "1"}, map[string]string{
			"component-failed/s1/PSU1":       "pdu-a outlet 1 is off",
			"redundancy-lost/s1/power/pdu-b": "",
		}},
		{"pdu-b", snmpsim.Fault{Kind: snmpsim.InletLost}, map[string]string{
			"component-failed/pdu-b":         "no voltage on any input",
			"redundancy-lost/s1/power/pdu-a": "",
			"redundancy-lost/s2/power/pdu-a": "",
		}},
	} {
		t.Run(c.fault.Kind, func(t *testing.T) {
			if err := agents[c.pdu].Inject(c.fault); err != nil {
				t.Fatal(err)
			}
			got := findings()
			for id, words := range c.want {
				if msg, ok := got[id]; !ok || !strings.Contains(msg, words) {
					t.Errorf("%s: %q (ok %v), want it to say %q; all %v", id, msg, ok, words, got)
				}
			}
			agents[c.pdu].Clear()
			if after := findings(); len(after) != 0 {
				t.Errorf("cleared, still %v", after)
			}
		})
	}
}
