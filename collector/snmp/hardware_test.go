package snmp

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// TestUnseenHardware reads fixtures written in the shape of public
// captures of hardware the recordings do not cover (testdata/hardware;
// each file says what it imitates), served by the simulator: every
// physical PSU and fan once, with the states of its vendor's tables.
func TestUnseenHardware(t *testing.T) {
	cases := []struct {
		file string
		want summary
		// psus, where given, is the PSUs in full (InputWatts aside).
		psus []observation.PSU
		// facts is what the model makes of the reading against
		// testdata/hardware/inventory.yaml: "kind part what" each.
		facts []string
		note  string
	}{
		{"modular_chassis_nested_psu", summary{
			PSUs:  "Power Supply Module 1=ok, Power Supply Module 2=ok, Power Supply Module 3=failed",
			Fans:  "1: ok×1 degraded×0 failed×0 absent×0 unknown×0",
			Ports: "3 ports, 3 up"},
			[]observation.PSU{
				{ID: "11", Name: "Power Supply Module 1", Slot: 0, Condition: observation.OK, Model: "C9400-PWR-3200AC", Serial: "DTM0000P001",
					State: "entPhySensorOperStatus=sensors ok; ciscoEnvMonSupplyState=normal; cefcFRUPowerOperStatus=on"},
				{ID: "21", Name: "Power Supply Module 2", Slot: 1, Condition: observation.OK, Model: "C9400-PWR-3200AC", Serial: "DTM0000P002",
					State: "entPhySensorOperStatus=sensors ok; ciscoEnvMonSupplyState=normal; cefcFRUPowerOperStatus=on"},
				{ID: "31", Name: "Power Supply Module 3", Slot: 2, Condition: observation.Failed, Model: "C9400-PWR-3200AC", Serial: "DTM0000P003",
					State: "entPhySensorOperStatus=sensors ok; ciscoEnvMonSupplyState=critical; ciscoEnvMonSupplyState=shutdown; cefcFRUPowerOperStatus=failed"},
			},
			// No psu-count drift, and the failed module is the third declared PSU.
			[]string{"failed modular_chassis_nested_psu/PSU3 "},
			"each bay's 'Power Supply Module N' holds a 'Power Supply N', both powerSupply(6), both in CISCO-ENVMON: one unit each (three, not six), its states from both rows, the module's name, model and serial"},
		{"fixed_chassis_fans_twice", summary{
			PSUs:  "PSU 1=ok, PSU 2=ok",
			Fans:  "3: ok×2 degraded×0 failed×1 absent×0 unknown×0",
			Ports: "3 ports, 3 up"},
			nil,
			// One failed fan, no psu-count drift.
			[]string{"failed fixed_chassis_fans_twice/fan/Fantray 2 "},
			"ENTITY-MIB's six stateless 'Fan Unit' fans and two 'PS Unit 1' PSUs are the chassis MIB's three fan trays and two PSUs seen without state: counted once, from the chassis MIB"},
	}
	inv, err := inventory.Load(filepath.Join("testdata", "hardware", "inventory.yaml"), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{})
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			tab, err := snmpsim.LoadSnmprec(filepath.Join("testdata", "hardware", tc.file+".snmprec"))
			if err != nil {
				t.Fatal(err)
			}
			a := startAgent(t, tab, snmpsim.Options{Community: "public"})
			d := pollOnce(t, p, v2cTarget(t, tc.file, "switch", a.Addr(), "public"), 5*time.Second)
			if d.Error != "" || len(d.PartErrors) > 0 {
				t.Fatalf("error %q, part errors %v", d.Error, d.PartErrors)
			}
			if diff := cmp.Diff(tc.want, summarize(&d)); diff != "" {
				t.Errorf("reading (-want +got):\n%s\nnote: %s", diff, tc.note)
			}
			if tc.psus != nil {
				if diff := cmp.Diff(tc.psus, d.PSUs, cmpopts.IgnoreFields(observation.PSU{}, "InputWatts")); diff != "" {
					t.Errorf("PSUs (-want +got):\n%s", diff)
				}
			}
			var facts []string
			for _, f := range model.Observe(inv, []observation.Device{d}).Facts {
				if f.Device == tc.file && f.Kind != model.FactCollection { // the other fixture is not polled here
					facts = append(facts, string(f.Kind)+" "+f.Part+" "+f.What)
				}
			}
			if diff := cmp.Diff(tc.facts, facts); diff != "" {
				t.Errorf("facts against the inventory (-want +got):\n%s", diff)
			}
		})
	}
}
