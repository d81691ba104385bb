package audit

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// TestPowerUnknown: a PSU with no declared source is never a live source
// and never a cause; the device is neither redundant nor single-fed on its
// account, and power-unknown names it.
func TestPowerUnknown(t *testing.T) {
	src := `version: 1
sites: [{id: s}]
racks: [{id: r, site: s}]
power:
  - {id: grid, kind: utility, site: s}
  - {id: panel, kind: panel, site: s, inputs: [grid]}
  - {id: feed-a, kind: feed, site: s, inputs: [panel]}
  - {id: pdu-a, kind: pdu, rack: r, inputs: [feed-a]}
devices:
  - id: half
    kind: server
    rack: r
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2}]
  - id: dark
    kind: server
    rack: r
    min_psus: 2
    psus: [{id: PSU1}, {id: PSU2}]
  - id: whip
    kind: server
    rack: r
    psus: [{id: PSU1, pdu: feed-a}, {id: PSU2, pdu: pdu-a}]
services:
  - {id: app, members: [half]}
  - {id: dark-svc, members: [dark]}
`
	inv, err := inventory.Parse("x.yaml", []byte(src), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, findings := Audit(g, Options{})
	byID := map[string]Finding{}
	for _, f := range findings {
		byID[f.ID] = f
		for _, c := range f.Causes {
			if strings.HasSuffix(c, "/PSU2") && strings.HasPrefix(c, "half") && f.Rule != "power-unknown" {
				t.Errorf("an unsourced PSU is a cause of %s", f.ID)
			}
			if strings.HasPrefix(c, "dark/") && f.Rule != "power-unknown" {
				t.Errorf("an unsourced PSU is a cause of %s", f.ID)
			}
		}
		if f.Rule == "device-spof" && (f.Subject == "half" || f.Subject == "dark") {
			t.Errorf("a device with an unknown PSU called single-fed: %s", f.Message)
		}
		if f.Rule == "service-down" {
			t.Errorf("an unknown PSU took a service down: %s", f.Message)
		}
	}
	f, ok := byID["power-unknown/half"]
	if !ok || f.Severity != Warning || len(f.Causes) != 1 || f.Causes[0] != "half/PSU2" {
		t.Fatalf("power-unknown/half: %+v (findings %v)", f, keysOf(byID))
	}
	if !strings.Contains(f.Message, "half/PSU2") || !strings.Contains(f.Message, "unknown") {
		t.Errorf("message %q", f.Message)
	}
	if d, ok := byID["power-unknown/dark"]; !ok || len(d.Causes) != 2 {
		t.Errorf("power-unknown/dark: %+v", d)
	}
	// The service on the half-known device hangs on what is known: pdu-a.
	pduCut := false
	for _, f := range findings {
		if f.Rule == "spof" && f.Subject == "app" {
			for _, c := range f.Causes {
				pduCut = pduCut || c == "pdu-a"
			}
		}
	}
	if !pduCut {
		t.Errorf("no spof on pdu-a for app: %v", keysOf(byID))
	}
	// A whip straight from a feed is a PSU like any other.
	if _, ok := byID["power-unknown/whip"]; ok {
		t.Error("a PSU on a feed is not unknown")
	}
	if _, ok := byID["device-spof/whip/power/feed-a"]; !ok {
		t.Errorf("whip's PSUs both draw from feed-a: %v", keysOf(byID))
	}
}

func keysOf(m map[string]Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
