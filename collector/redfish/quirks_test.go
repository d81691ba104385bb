package redfish_test

import (
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/observation"
)

// Each vendor quirk in quirks.go has a test here, polling a small tree
// written for it under testdata/quirks/ (not a capture: the shared captures
// are tested in conformance_test.go).

// quirkTree serves testdata/quirks/name and returns a target for it, the
// simulated BMC and the requests it saw.
func quirkTree(t *testing.T, name string) (collector.Target, *redfishsim.Sim, *counter) {
	t.Helper()
	sim, err := redfishsim.FromMockup(filepath.Join("testdata", "quirks", name), redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{next: sim.Handler()}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return collector.Target{ID: name, Management: &inventory.Management{Redfish: &inventory.Redfish{
		Endpoint: srv.URL, Username: "admin", Password: "quirk-pw"}}}, sim, c
}

func pollQuirk(t *testing.T, tg collector.Target) observation.Device {
	t.Helper()
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 5*time.Second)
	if obs.Error != "" || len(obs.PartErrors) > 0 {
		t.Fatalf("error %q, part errors %v", obs.Error, obs.PartErrors)
	}
	return obs
}

// TestQuirkHPETrailingSlash: iLO writes @odata.id with trailing (and
// doubled) slashes that other links to the same resource lack. Every
// resource must be read once: resources that came inline in a collection's
// $expand are found under their slash-less links.
func TestQuirkHPETrailingSlash(t *testing.T) {
	tg, _, c := quirkTree(t, "hpe-ilo5")
	obs := pollQuirk(t, tg)
	if len(obs.Volumes) != 1 || !slices.Equal(obs.Volumes[0].Drives, []string{"0", "1"}) || len(obs.Drives) != 2 {
		t.Errorf("volumes %+v, drives %+v", obs.Volumes, obs.Drives)
	}
	seen := map[string]bool{}
	for _, r := range c.seen {
		path, _, _ := strings.Cut(strings.TrimPrefix(r, "GET "), "?")
		path = strings.TrimRight(path, "/")
		if seen[path] {
			t.Errorf("%s read twice in one poll (requests: %q)", path, c.seen)
		}
		seen[path] = true
	}
	if len(c.seen) != 13 {
		t.Errorf("%d requests, want 13 (root, 3 collections, system, chassis, manager, 2 expanded collections, power, thermal, the storage expanded, its volume): %q", len(c.seen), c.seen)
	}
}

// TestQuirkHPEAbsentBayWithWarning: iLO reports empty PSU bays as State
// Absent with Health Warning: they are absent, not failed.
func TestQuirkHPEAbsentBayWithWarning(t *testing.T) {
	tg, _, _ := quirkTree(t, "hpe-ilo5")
	obs := pollQuirk(t, tg)
	var got []string
	for _, p := range obs.PSUs {
		got = append(got, p.ID+":"+string(p.Condition)+":"+p.Health)
	}
	want := []string{"0:ok:OK", "1:ok:OK", "2:absent:Warning", "3:absent:Warning"}
	if !slices.Equal(got, want) {
		t.Errorf("PSUs %q, want %q", got, want)
	}
}

// TestQuirkHPEMemberFragment: iLO addresses legacy PSUs as
// ".../Power/#PowerSupplies/0" (no slash after '#'); the redundancy set
// names them that way and must resolve to the PSUs' ids.
func TestQuirkHPEMemberFragment(t *testing.T) {
	tg, _, _ := quirkTree(t, "hpe-ilo5")
	obs := pollQuirk(t, tg)
	if len(obs.PowerRedundancy) != 1 || !slices.Equal(obs.PowerRedundancy[0].Members, []string{"0", "1"}) {
		t.Errorf("redundancy %+v, want members 0 and 1", obs.PowerRedundancy)
	}
}

// TestQuirkHPEBayNumber: iLO gives a legacy PSU's bay in Oem.Hpe.BayNumber
// (from 1), not in Location; the fixture lists bays 2, 1, 3, 4.
func TestQuirkHPEBayNumber(t *testing.T) {
	tg, _, _ := quirkTree(t, "hpe-ilo5")
	obs := pollQuirk(t, tg)
	var slots []int
	for _, p := range obs.PSUs {
		slots = append(slots, p.Slot)
	}
	if !slices.Equal(slots, []int{1, 0, 2, 3}) {
		t.Errorf("slots %v, want [1 0 2 3]", slots)
	}
}

// TestQuirkNumericMemberID: iLO writes "MemberId": 0 (a number) where the
// schema says a string; the PSU's id is "0", not lost.
func TestQuirkNumericMemberID(t *testing.T) {
	tg, _, _ := quirkTree(t, "hpe-ilo5")
	obs := pollQuirk(t, tg)
	if obs.PSUs[0].ID != "0" || obs.PSUs[1].ID != "1" {
		t.Errorf("PSU ids %q and %q, want 0 and 1", obs.PSUs[0].ID, obs.PSUs[1].ID)
	}
}

// TestQuirkInletSensorName: iLO's inlet sensor is "01-Inlet Ambient" with
// no PhysicalContext; it is the inlet.
func TestQuirkInletSensorName(t *testing.T) {
	tg, _, _ := quirkTree(t, "hpe-ilo5")
	obs := pollQuirk(t, tg)
	if obs.InletCelsius == nil || *obs.InletCelsius != 21 {
		t.Errorf("inlet %v, want 21", obs.InletCelsius)
	}
	if len(obs.Temperatures) != 2 || !obs.Temperatures[0].Inlet || obs.Temperatures[1].Inlet {
		t.Errorf("temperatures %+v: want the inlet marked and the absent sensor left out", obs.Temperatures)
	}
}

// TestQuirkForeignOutletLink: a PSU's Links.Outlet is an absolute URL on
// the PDU's host (DMTF's mockups). It is reported as written and never
// followed; a link on the BMC itself is reported as a clean path.
func TestQuirkForeignOutletLink(t *testing.T) {
	tg, _, c := quirkTree(t, "foreign-outlet")
	obs := pollQuirk(t, tg)
	want := []string{
		"https://pdu-a.example.invalid/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A4",
		"/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/B4",
	}
	if got := []string{obs.PSUs[0].Outlet, obs.PSUs[1].Outlet}; !slices.Equal(got, want) {
		t.Errorf("outlets %q, want %q", got, want)
	}
	for _, r := range c.seen {
		if strings.Contains(r, "PowerEquipment") {
			t.Errorf("the collector followed an outlet link: %s", r)
		}
	}
}

// TestQuirkNoSessionsLink: a service root without Links.Sessions (before
// Redfish 1.6); sessions are opened at the well-known path, and closed.
func TestQuirkNoSessionsLink(t *testing.T) {
	tg, sim, _ := quirkTree(t, "no-sessions-link")
	tg.Management.Redfish.Auth = "session"
	obs := pollQuirk(t, tg)
	if obs.Identity == nil || obs.Identity.Model != "Old Server" {
		t.Errorf("identity %+v", obs.Identity)
	}
	if st := sim.Stats(); st.Logins != 1 || st.Logouts != 1 || st.Sessions != 0 {
		t.Errorf("sessions: %+v", st)
	}
}
