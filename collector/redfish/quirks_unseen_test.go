package redfish_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// Hardware the shared captures do not cover, each on a small tree under
// testdata/quirks/ written in the shape of public captures of its kind
// (not copied from them).

// TestQuirkMultiNodePortNames: two systems behind one manager (a twin or
// sled chassis) each have eno1 and eno2; a link in the inventory must be
// able to name each. Shared names are qualified by the system, unique ones
// stay plain, and a port without an Id is named by its link.
func TestQuirkMultiNodePortNames(t *testing.T) {
	tg, _, _ := quirkTree(t, "multinode-twin")
	obs := pollQuirk(t, tg)
	var got []string
	for _, p := range obs.Ports {
		got = append(got, p.Name+"="+p.MAC)
	}
	want := []string{
		"1/eno1=0c:c4:7a:01:00:00", "1/eno2=0c:c4:7a:01:00:01",
		"2/eno1=0c:c4:7a:02:00:00", "2/eno2=0c:c4:7a:02:00:01", "eno3=0c:c4:7a:02:00:02",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ports %q, want %q", got, want)
	}
	if len(obs.PSUs) != 2 {
		t.Errorf("%d PSUs of the shared chassis, want 2", len(obs.PSUs))
	}
}

// TestQuirkPortsWithoutID: interfaces and adapter ports with a Name but
// no Id are named by the last segment of their link, not "" (and not the
// Name every one of them shares); the LLDP neighbour still joins them.
func TestQuirkPortsWithoutID(t *testing.T) {
	tg, _, _ := quirkTree(t, "ports-without-id")
	obs := pollQuirk(t, tg)
	var got []string
	for _, p := range obs.Ports {
		n := ""
		if len(p.Neighbors) == 1 {
			n = p.Neighbors[0].SysName + ":" + p.Neighbors[0].PortID
		}
		got = append(got, p.Name+"@"+n)
	}
	if want := []string{"NIC1@tor-1:Ethernet1", "NIC2@tor-2:Ethernet2"}; !slices.Equal(got, want) {
		t.Errorf("ports %q, want %q", got, want)
	}
}

// TestQuirkEverySensorIntake: firmware that marks every sensor (CPU, DIMM,
// VR, exhaust) PhysicalContext Intake, legacy Thermal and ThermalMetrics:
// the inlet is the sensor named so, never the first CPU.
func TestQuirkEverySensorIntake(t *testing.T) {
	for _, tc := range []struct {
		tree, inlet string
		celsius     float64
	}{
		{"all-intake", "Inlet Temp", 23},
		{"idrac-thermal-metrics", "System Board Inlet Temp", 22},
	} {
		t.Run(tc.tree, func(t *testing.T) {
			tg, _, _ := quirkTree(t, tc.tree)
			obs := pollQuirk(t, tg)
			if obs.InletCelsius == nil || *obs.InletCelsius != tc.celsius {
				t.Errorf("inlet %v, want %v °C", ptrVal(obs.InletCelsius), tc.celsius)
			}
			var inlets []string
			for _, s := range obs.Temperatures {
				if s.Inlet {
					inlets = append(inlets, s.Name)
				}
			}
			if !slices.Equal(inlets, []string{tc.inlet}) {
				t.Errorf("sensors marked inlet: %q, want only %q", inlets, tc.inlet)
			}
		})
	}
}

// TestQuirkDuplicateDriveLinks: a storage lists one missing drive 32
// times. It is requested once and is one part error; the drive that exists
// is read.
func TestQuirkDuplicateDriveLinks(t *testing.T) {
	tg, _, c := quirkTree(t, "duplicate-drive-links")
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 5*time.Second)
	if obs.Error != "" {
		t.Fatalf("error %q", obs.Error)
	}
	gone := 0
	c.mu.Lock()
	seen := slices.Clone(c.seen)
	c.mu.Unlock()
	for _, r := range seen {
		if strings.Contains(r, "Disk.Bay.9") {
			gone++
		}
	}
	if gone != 1 {
		t.Errorf("the missing drive was requested %d times, want once", gone)
	}
	if len(obs.PartErrors) != 1 || !strings.Contains(obs.PartErrors[0].Error, "404") {
		t.Errorf("part errors %+v, want one 404", obs.PartErrors)
	}
	if len(obs.Drives) != 1 {
		t.Errorf("drives %+v, want the one that exists", obs.Drives)
	}
	if !strings.Contains(strings.Join(obs.Warnings, "\n"), "listed more than once") {
		t.Errorf("no warning about the repeated links: %q", obs.Warnings)
	}
}

func ptrVal(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// TestQuirkMultiNodeLinksMatch: the system-qualified names are what an
// inventory's links name, and model matches them (without regard to
// case); a plain name that two nodes share names neither.
func TestQuirkMultiNodeLinksMatch(t *testing.T) {
	dir := t.TempDir()
	const inv = `version: 1
sites: [{id: lab, name: Lab}]
racks: [{id: r1, site: lab}]
power:
  - {id: grid, kind: utility, site: lab}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid], outlets: 8}
devices:
  - {id: tor-a, kind: switch, rack: r1}
  - id: twin
    kind: server
    rack: r1
    psus:
      - {id: "0", pdu: pdu-a, outlet: 1}
      - {id: "1", pdu: pdu-a, outlet: 2}
    management:
      redfish: {endpoint: "https://127.0.0.1", username: audit, password: "${env:FAULTLINE_TEST_TWIN_PASSWORD}"}
links:
  - {a: "twin:1/eno1", b: "tor-a:Ethernet1"}
  - {a: "twin:2/eno1", b: "tor-a:Ethernet2"}
  - {a: "twin:2/ENO2", b: "tor-a:Ethernet3"}
  - {a: "twin:eno3", b: "tor-a:Ethernet4"}
  - {a: "twin:eno1", b: "tor-a:Ethernet5"}
`
	path := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(path, []byte(inv), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tg, _, _ := quirkTree(t, "multinode-twin")
	obs := pollQuirk(t, tg)
	obs.ID = "twin"
	got := model.Observe(in, []observation.Device{obs})
	var unmatched []string
	for _, f := range got.Facts {
		if f.Kind == model.FactDrift && f.What == "port" {
			unmatched = append(unmatched, f.Declared)
		}
	}
	// "eno1" alone names neither node's eno1: it is reported, not guessed.
	if !slices.Equal(unmatched, []string{"twin:eno1"}) {
		t.Errorf("declared ends without a port: %q, want only the ambiguous twin:eno1", unmatched)
	}
}

// TestQuirkEverySensorIntakeNoneNamed: AMI MegaRAC firmware (Gigabyte and
// ASRock Rack boards) marks every sensor PhysicalContext Intake and names
// none as inlet or ambient (CPU0_TEMP, DIMMG0_TEMP, MB_TEMP1, …). No sensor
// is credibly the inlet, so there is no inlet reading — not the first DIMM
// (which would read as a 33 °C intake and a false thermal finding) — and
// every readable sensor is still reported.
func TestQuirkEverySensorIntakeNoneNamed(t *testing.T) {
	tg, _, _ := quirkTree(t, "intake-unnamed")
	obs := pollQuirk(t, tg)
	if obs.InletCelsius != nil {
		t.Errorf("inlet %v °C, want none", *obs.InletCelsius)
	}
	var names []string
	for _, s := range obs.Temperatures {
		if s.Inlet {
			t.Errorf("sensor %q marked inlet", s.Name)
		}
		names = append(names, s.Name)
	}
	want := []string{"CPU0_TEMP", "DIMMG0_TEMP", "DIMMG1_TEMP", "PCH_TEMP", "MB_TEMP1", "MB_TEMP2", "VR_P0_TEMP", "LAN_TEMP", "M2_AMB_TEMP"}
	if !slices.Equal(names, want) {
		t.Errorf("temperatures %q, want %q (the absent DIMM left out)", names, want)
	}
}
