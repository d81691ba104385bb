package redfish_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/observation"
)

// pduSummary is what a PDU conformance test states: every inlet, branch
// and outlet with what the files say of it.
type pduSummary struct {
	Identity string
	Watts    string
	Inputs   []string // name:condition:volts:amps:watts
	Branches []string // id:condition:breaker:amps/rated:watts:[outlets]
	Outlets  []string // id:index:on:condition:amps:watts:branch
}

func onOf(b *bool) string {
	switch {
	case b == nil:
		return "-"
	case *b:
		return "on"
	}
	return "off"
}

func summarizePDU(d observation.Device) pduSummary {
	var s pduSummary
	if d.Identity != nil {
		s.Identity = d.Identity.Manufacturer + " " + d.Identity.Model + " | " + d.Identity.Serial + " | " + d.Identity.Firmware
	}
	s.Watts = num(d.PowerWatts)
	for _, in := range d.Inputs {
		s.Inputs = append(s.Inputs, fmt.Sprintf("%s:%s:%s:%s:%s", in.Name, in.Condition, num(in.Voltage), num(in.Amps), num(in.Watts)))
	}
	for _, b := range d.Branches {
		s.Branches = append(s.Branches, fmt.Sprintf("%s:%s:%s:%s/%s:%s:%v", b.ID, b.Condition, b.Breaker, num(b.Amps), num(b.RatedAmps), num(b.Watts), b.Outlets))
	}
	for _, o := range d.Outlets {
		s.Outlets = append(s.Outlets, fmt.Sprintf("%s:%d:%s:%s:%s:%s:%s", o.ID, o.Index, onOf(o.On), o.Condition, num(o.Amps), num(o.Watts), o.Branch))
	}
	return s
}

// TestConformancePDU reads the DMTF PDU mockup as power nodes: the rack
// PDU as a pdu and the transfer switch as an ats, each with and without
// $expand, cold and warm. Every inlet, branch and outlet is stated as the
// mockup's files say it (PowerEquipment/RackPDUs/1/..., TransferSwitches/1/...).
func TestConformancePDU(t *testing.T) {
	needMockups(t)
	tree := filepath.Join(mockups, "dmtf-public-pdu")
	want := map[string]pduSummary{
		"pdu": {
			Identity: "Contoso ZAP4000 | 29347ZT536 | 4.3.0",
			Watts:    "6438", // Metrics.PowerWatts
			// Mains/AC1: three-phase; power summed line to neutral
			// (198.4+231.5+58.1), the most loaded line's current, L1-N volts.
			Inputs: []string{"AC1:ok:117.8:8.66:488"},
			Branches: []string{
				"A:ok:normal:5.19/16:937.4:[A1 A2 A3]",
				"B:ok:normal:5.95/16:977.8:[B1 B2 B3]",
				"C:ok:normal:4.13/16:816.5:[C1 C2 C3]",
			},
			Outlets: []string{
				"A1:0:on:ok:1.68:197.4:A", "A2:0:on:ok:1.9:384.5:A", "A3:0:on:ok:1.73:349.9:A",
				// A4 reports no readings; A5 reports nothing but its branch.
				"A4:0:on:ok:-:-:A", "A5:0:-:unknown:-:-:A",
				"B1:0:on:ok:3.08:228.3:B", "B2:0:on:ok:1.58:321.6:B", "B3:0:on:ok:2.09:426.5:B",
				"C1:0:on:ok:0.48:56.8:C", "C2:0:on:ok:1.93:394.1:C", "C3:0:on:ok:1.74:355.4:C",
			},
		},
		"ats": {
			Identity: "Contoso ZAP4000 | 29347ZT536 | 4.3.0",
			Watts:    "1500.1", // Metrics.PowerWatts
			// Two single-phase mains: AC1 carries the load, AC2 is live (209.2 V) and idle.
			Inputs: []string{"AC1:ok:202.2:8.08:1500.1", "AC2:ok:209.2:0:0"},
			Branches: []string{
				"A:ok:normal:5.19/16:1050.5:[A1 A2 A3]",
				"B:ok:normal:2.9/16:586.96:[B1 B2 B3]",
			},
			Outlets: []string{
				"A1:0:on:ok:2.15:435.2:A", "A2:0:on:ok:1.9:384.5:A", "A3:0:on:ok:1.14:230.7:A",
				"B1:0:on:ok:1.01:202.4:B", "B2:0:on:ok:1.01:202.4:B", "B3:0:on:ok:0.89:180.1:B",
			},
		},
	}
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	for kind, exp := range want {
		t.Run(kind, func(t *testing.T) {
			var got []observation.Device
			for i, noExpand := range []bool{false, true} {
				sim, err := redfishsim.FromMockup(tree, redfishsim.Options{ID: fmt.Sprint(kind, i)})
				if err != nil {
					t.Fatal(err)
				}
				u, err := fleet.Start(sim, "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				tg := collector.Target{ID: "pdu-1", Kind: kind, Management: &inventory.Management{Redfish: &inventory.Redfish{
					Endpoint: u, Username: "operator", Password: "mockup-pw"}}}
				p := redfish.New(redfish.Options{RootCAs: fleet.CA().Pool(), NoExpand: noExpand, Now: clock})
				cold := pollOnce(t, p, tg, 20*time.Second)
				warm := pollOnce(t, p, tg, 20*time.Second)
				for _, d := range []observation.Device{cold, warm} {
					if d.Error != "" || len(d.PartErrors) > 0 {
						t.Fatalf("expand=%v: error %q, part errors %v", !noExpand, d.Error, d.PartErrors)
					}
				}
				if diff := cmp.Diff(comparable(cold), comparable(warm)); diff != "" {
					t.Errorf("expand=%v: warm and cold polls differ:\n%s", !noExpand, diff)
				}
				if warm.Requests > cold.Requests {
					t.Errorf("expand=%v: a warm poll cost %d requests, the cold one %d", !noExpand, warm.Requests, cold.Requests)
				}
				t.Logf("%s expand=%v: %d requests cold, %d warm; warnings %q", kind, !noExpand, cold.Requests, warm.Requests, cold.Warnings)
				got = append(got, cold)
			}
			if diff := cmp.Diff(comparable(got[1]), comparable(got[0])); diff != "" {
				t.Errorf("with and without $expand the unit reads differently (-walk +expand):\n%s", diff)
			}
			if diff := cmp.Diff(exp, summarizePDU(got[0])); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPDURequestBudget: a PDU is read within Options.MaxRequests like a
// server; a unit that needs more (here: no $expand, 25 requests) fails
// the poll with the limit named, and the runner keeps the last good data.
func TestPDURequestBudget(t *testing.T) {
	needMockups(t)
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	sim, err := redfishsim.FromMockup(filepath.Join(mockups, "dmtf-public-pdu"), redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := fleet.Start(sim, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg := collector.Target{ID: "pdu-1", Kind: "pdu", Management: &inventory.Management{Redfish: &inventory.Redfish{
		Endpoint: u, Username: "operator", Password: "mockup-pw"}}}
	for _, c := range []struct {
		noExpand bool
		max      int
		fails    bool
	}{{false, 3, false}, {true, 25, false}, {true, 10, true}} {
		p := redfish.New(redfish.Options{RootCAs: fleet.CA().Pool(), NoExpand: c.noExpand, MaxRequests: c.max, Now: clock})
		d := pollOnce(t, p, tg, 10*time.Second)
		switch {
		case c.fails && !strings.Contains(d.Error, "Options.MaxRequests"):
			t.Errorf("expand=%v, %d requests allowed: error %q, want the limit named", !c.noExpand, c.max, d.Error)
		case c.fails && (len(d.Outlets) > 0 || d.HasData()):
			t.Errorf("expand=%v: an over-budget poll kept partial data: %d outlets", !c.noExpand, len(d.Outlets))
		case !c.fails && (d.Error != "" || len(d.Outlets) != 11):
			t.Errorf("expand=%v, %d requests allowed: error %q, %d outlets", !c.noExpand, c.max, d.Error, len(d.Outlets))
		}
		if d.Requests > c.max {
			t.Errorf("expand=%v: %d requests sent, limit %d", !c.noExpand, d.Requests, c.max)
		}
	}
}

// TestPDULinksStayOnOrigin: a PDU listing an outlet on another host (a
// copy of the DMTF mockup, edited) has it dropped, with a warning; the
// credentials go nowhere else, and the other outlets are read.
func TestPDULinksStayOnOrigin(t *testing.T) {
	needMockups(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(mockups, "dmtf-public-pdu"))); err != nil {
		t.Fatal(err)
	}
	coll := filepath.Join(dir, "PowerEquipment", "RackPDUs", "1", "Outlets", "index.json")
	b, err := os.ReadFile(coll)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), `"/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/C3"`, `"https://trap.invalid/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/C3"`, 1))
	if err := os.WriteFile(coll, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	for _, noExpand := range []bool{false, true} {
		sim, err := redfishsim.FromMockup(dir, redfishsim.Options{ID: fmt.Sprint("edited", noExpand)})
		if err != nil {
			t.Fatal(err)
		}
		u, err := fleet.Start(sim, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		tg := collector.Target{ID: "pdu-1", Kind: "pdu", Management: &inventory.Management{Redfish: &inventory.Redfish{
			Endpoint: u, Username: "operator", Password: "mockup-pw"}}}
		d := pollOnce(t, redfish.New(redfish.Options{RootCAs: fleet.CA().Pool(), NoExpand: noExpand, Now: clock}), tg, 10*time.Second)
		if d.Error != "" {
			t.Fatalf("expand=%v: %s", !noExpand, d.Error)
		}
		var ids []string
		for _, o := range d.Outlets {
			ids = append(ids, o.ID)
		}
		if len(ids) != 10 || slices.Contains(ids, "C3") {
			t.Errorf("expand=%v: outlets %v, want the ten on the PDU's origin", !noExpand, ids)
		}
		if !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, "off the BMC's origin") }) {
			t.Errorf("expand=%v: no warning of the foreign member: %q", !noExpand, d.Warnings)
		}
	}
}
