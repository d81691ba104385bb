package api

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
)

// netboxInventory is a file as faultline import netbox writes it: two
// leaves on one breakout cable, a server on both leaves with both PSUs on
// one PDU.
const netboxInventory = `version: 1
netbox: "https://netbox.example.test"
sites:
  - {id: s1, netbox: dcim.site/1}
racks:
  - {id: R1, site: s1, netbox: dcim.rack/1}
power:
  - {id: FA, kind: feed, site: s1, netbox: dcim.powerfeed/5}
  - {id: pdu-1, kind: pdu, rack: R1, inputs: [FA], netbox: dcim.device/10}
devices:
  - {id: spine, kind: switch, rack: R1, psus: [], netbox: dcim.device/30}
  - {id: leaf-1, kind: switch, rack: R1, psus: [], netbox: dcim.device/31}
  - {id: leaf-2, kind: switch, rack: R1, psus: [], netbox: dcim.device/32}
  - id: srv
    kind: server
    rack: R1
    psus:
      - {id: PSU1, pdu: pdu-1, netbox: dcim.powerport/110}
      - {id: PSU2, pdu: pdu-1, netbox: dcim.powerport/111}
    netbox: dcim.device/20
links:
  - {a: "leaf-1:e1", b: "srv:eth0", netbox: dcim.cable/230}
  - {a: "leaf-2:e1", b: "srv:eth1", netbox: dcim.cable/231}
  - {a: "spine:e1", b: "leaf-1:e49", cable: cable-220, netbox: dcim.cable/220}
  - {a: "spine:e1", b: "leaf-2:e49", cable: cable-220, netbox: dcim.cable/220}
network:
  roots: [spine]
`

// TestNetBoxLinks: findings and devices of an imported inventory carry
// the NetBox pages of what they name: entries, PSUs, and a breakout cable.
func TestNetBoxLinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "netbox.yaml")
	if err := os.WriteFile(path, []byte(netboxInventory), 0o600); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: path, WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	s := New(eng, Options{})

	var rep audit.Report
	if err := json.Unmarshal(do(t, s, call{method: "GET", path: "/api/v1/findings"}).Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string][]audit.NetBoxLink{}
	for _, f := range rep.Findings {
		got[f.ID] = f.NetBox
	}
	const nb = "https://netbox.example.test/dcim/"
	for _, c := range []struct {
		finding string
		want    []audit.NetBoxLink
	}{
		{"device-spof/srv/power/pdu-1", []audit.NetBoxLink{{ID: "srv", URL: nb + "devices/20/"}, {ID: "pdu-1", URL: nb + "devices/10/"}, {ID: "FA", URL: nb + "power-feeds/5/"}}},
		{"device-spof/srv/network/cable-220", []audit.NetBoxLink{{ID: "srv", URL: nb + "devices/20/"}, {ID: "cable-220", URL: nb + "cables/220/"}, {ID: "spine", URL: nb + "devices/30/"}}},
	} {
		links, ok := got[c.finding]
		if !ok {
			t.Errorf("no finding %s; findings: %v", c.finding, keys(got))
			continue
		}
		if diff := cmp.Diff(c.want, links); diff != "" {
			t.Errorf("%s netbox links (-want +got):\n%s", c.finding, diff)
		}
	}

	var devs struct {
		Devices []deviceSummary `json:"devices"`
	}
	if err := json.Unmarshal(do(t, s, call{method: "GET", path: "/api/v1/devices"}).Body.Bytes(), &devs); err != nil {
		t.Fatal(err)
	}
	for _, d := range devs.Devices {
		if d.ID == "srv" && d.NetBoxURL != nb+"devices/20/" {
			t.Errorf("devices: srv netbox_url %q", d.NetBoxURL)
		}
	}
	var dev deviceView
	if err := json.Unmarshal(do(t, s, call{method: "GET", path: "/api/v1/devices/leaf-1"}).Body.Bytes(), &dev); err != nil {
		t.Fatal(err)
	}
	if dev.NetBoxURL != nb+"devices/31/" {
		t.Errorf("devices/leaf-1: netbox_url %q", dev.NetBoxURL)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
