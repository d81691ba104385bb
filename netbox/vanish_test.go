package netbox

import (
	"context"
	"fmt"
	"regexp"
	"testing"
)

var netboxKey = regexp.MustCompile(`netbox: ([a-z]+\.[a-z]+/[0-9]+)`)

// TestNothingVanishes: every site, rack, power panel, power feed and
// device of the recorded answers, and every power port of a device that
// is not a PDU, is in the imported file under its NetBox identity or in
// the import's report with why. (A PDU's power ports become its inputs,
// which carry no identity of their own.)
func TestNothingVanishes(t *testing.T) {
	for _, name := range []string{"netbox", "netbox-estate"} {
		t.Run(name, func(t *testing.T) {
			_, c := recordedServer(t, name, 1000)
			d, err := Fetch(context.Background(), c, FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Map(d, &Config{})
			if err != nil {
				t.Fatal(err)
			}
			seen, inFile := map[string]bool{}, map[string]bool{}
			for _, m := range netboxKey.FindAllSubmatch(res.File, -1) {
				seen[string(m[1])], inFile[string(m[1])] = true, true
			}
			for _, is := range res.Report.Issues {
				seen[is.NetBox] = true
			}
			var want []string
			add := func(model string, id int) { want = append(want, fmt.Sprintf("%s/%d", model, id)) }
			for _, s := range d.Sites {
				add("dcim.site", s.ID)
			}
			for _, r := range d.Racks {
				add("dcim.rack", r.ID)
			}
			for _, p := range d.PowerPanels {
				add("dcim.powerpanel", p.ID)
			}
			for _, f := range d.PowerFeeds {
				add("dcim.powerfeed", f.ID)
			}
			pdu := map[int]bool{}
			for _, dev := range d.Devices {
				add("dcim.device", dev.ID)
				pdu[dev.ID] = dev.PowerOutlets > 0
			}
			for _, pp := range d.PowerPorts {
				if pp.Device != nil && !pdu[pp.Device.ID] && inFile[fmt.Sprintf("dcim.device/%d", pp.Device.ID)] {
					add("dcim.powerport", pp.ID) // a PSU of an imported device
				}
			}
			missing := 0
			for _, w := range want {
				if !seen[w] {
					missing++
					if missing <= 10 {
						t.Errorf("%s is neither in the file nor in the report", w)
					}
				}
			}
			t.Logf("%d NetBox objects accounted for", len(want))
		})
	}
}
