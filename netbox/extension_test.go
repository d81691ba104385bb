package netbox

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// bankBreakoutObjects is a NetBox answering for a bank-split PDU (two
// inputs on two feeds, each outlet on its own input: NetBox's
// power_outlet.power_port) and a breakout cable (one spine port, cable
// #220, to two leaves), with a server on both.
func bankBreakoutObjects() map[string][]json.RawMessage {
	raw := map[string][]string{
		"dcim/sites":        {`{"id":1,"name":"S1","slug":"s1"}`},
		"dcim/locations":    {},
		"dcim/racks":        {`{"id":1,"name":"R1","site":{"id":1,"slug":"s1"}}`},
		"dcim/power-panels": {`{"id":1,"name":"P1","site":{"id":1,"slug":"s1"}}`},
		"dcim/power-feeds": {
			`{"id":5,"name":"FA","power_panel":{"id":1},"status":{"value":"active"},"voltage":230,"amperage":16}`,
			`{"id":6,"name":"FB","power_panel":{"id":1},"status":{"value":"active"},"voltage":230,"amperage":16}`,
		},
		"dcim/devices": {
			`{"id":10,"name":"pdu-1","role":{"slug":"pdu"},"site":{"id":1},"rack":{"id":1},"status":{"value":"active"},"power_outlet_count":2}`,
			`{"id":20,"name":"srv","role":{"slug":"server"},"site":{"id":1},"rack":{"id":1},"position":10,"status":{"value":"active"}}`,
			`{"id":30,"name":"spine","role":{"slug":"switch"},"site":{"id":1},"rack":{"id":1},"status":{"value":"active"}}`,
			`{"id":31,"name":"leaf-1","role":{"slug":"switch"},"site":{"id":1},"rack":{"id":1},"status":{"value":"active"}}`,
			`{"id":32,"name":"leaf-2","role":{"slug":"switch"},"site":{"id":1},"rack":{"id":1},"status":{"value":"active"}}`,
		},
		"dcim/power-ports": {
			`{"id":100,"name":"Input A","device":{"id":10},"cable":{"id":200},"link_peers_type":"dcim.powerfeed","link_peers":[{"id":5,"name":"FA"}]}`,
			`{"id":101,"name":"Input B","device":{"id":10},"cable":{"id":201},"link_peers_type":"dcim.powerfeed","link_peers":[{"id":6,"name":"FB"}]}`,
			`{"id":110,"name":"PSU1","device":{"id":20},"allocated_draw":150,"cable":{"id":210},"link_peers_type":"dcim.poweroutlet","link_peers":[{"id":300,"name":"A1","device":{"id":10}}]}`,
			`{"id":111,"name":"PSU2","device":{"id":20},"allocated_draw":150,"cable":{"id":211},"link_peers_type":"dcim.poweroutlet","link_peers":[{"id":301,"name":"B1","device":{"id":10}}]}`,
		},
		"dcim/power-outlets": {
			`{"id":300,"name":"A1","device":{"id":10},"power_port":{"id":100}}`,
			`{"id":301,"name":"B1","device":{"id":10},"power_port":{"id":101}}`,
		},
		"dcim/interfaces": {
			iface(400, 30, "e1", 220, `[{"id":410,"name":"e49","device":{"id":31}},{"id":420,"name":"e49","device":{"id":32}}]`),
			iface(410, 31, "e49", 220, `[{"id":400,"name":"e1","device":{"id":30}}]`),
			iface(420, 32, "e49", 220, `[{"id":400,"name":"e1","device":{"id":30}}]`),
			iface(411, 31, "e1", 230, `[{"id":430,"name":"eth0","device":{"id":20}}]`),
			iface(421, 32, "e1", 231, `[{"id":431,"name":"eth1","device":{"id":20}}]`),
			iface(430, 20, "eth0", 230, `[{"id":411,"name":"e1","device":{"id":31}}]`),
			iface(431, 20, "eth1", 231, `[{"id":421,"name":"e1","device":{"id":32}}]`),
		},
	}
	for _, c := range []int{200, 201, 210, 211, 220, 230, 231} {
		raw["dcim/cables"] = append(raw["dcim/cables"], `{"id":`+itoa(c)+`,"status":{"value":"connected"}}`)
	}
	out := map[string][]json.RawMessage{}
	for k, objs := range raw {
		out[k] = []json.RawMessage{} // an empty list is an answer too
		for _, o := range objs {
			out[k] = append(out[k], json.RawMessage(o))
		}
	}
	return out
}

func iface(id, dev int, name string, cable int, endpoints string) string {
	return `{"id":` + itoa(id) + `,"name":"` + name + `","device":{"id":` + itoa(dev) + `},"enabled":true,"cable":{"id":` + itoa(cable) +
		`},"connected_endpoints_type":"dcim.interface","connected_endpoints":` + endpoints + `,"connected_endpoints_reachable":true}`
}

// TestImportBankSplitAndBreakout: outlets whose power port is one input of
// a PDU with several are bound to it (input), and a cable with several far
// ends is named on each link it carries; in the fault model the server
// then survives either feed and hangs on the breakout cable.
func TestImportBankSplitAndBreakout(t *testing.T) {
	_, srv := newFakeNetBox(t, bankBreakoutObjects(), 50)
	c, err := New(Options{URL: recordedBase, Token: testToken, Transport: dialTo(srv)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{}
	cfg.Network.RootNames = []string{"spine"}
	res, err := Import(context.Background(), c, cfg, nil, "bank-breakout.yaml", nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	golden(t, "testdata/bank-breakout.golden.yaml", res.File)
	inv, err := inventory.Parse("bank-breakout.yaml", res.File, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := fault.New(g, fault.NewFabric(g), make([]bool, len(g.Comps)))
	d := g.Entities[g.Lookup("srv")]
	cut := func(v fault.Val) []string {
		var out []string
		for _, x := range e.Cut(v) {
			out = append(out, g.ID(x))
		}
		return out
	}
	power, net := cut(e.Powered(d)), cut(e.Net(d))
	if slices.Contains(power, "FA") || slices.Contains(power, "FB") || !slices.Contains(power, "pdu-1") {
		t.Errorf("srv's power cut set %v: want pdu-1 and neither feed (its PSUs are on the two banks)", power)
	}
	if !slices.Contains(net, "cable-220") {
		t.Errorf("srv's network cut set %v: want the breakout cable-220", net)
	}
}
