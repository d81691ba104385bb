package redfish_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/collector/redfish"
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
