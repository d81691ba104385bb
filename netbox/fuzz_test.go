package netbox

import (
	"encoding/json"
	"testing"

	"github.com/faultline/faultline/inventory"
)

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"R203", "Panel 1", "PP:B117", "x_-a", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id := Escape(name)
		back, ok := Unescape(id)
		if !ok || back != name {
			t.Fatalf("%q -> %q -> %q", name, id, back)
		}
		if !isAlnum(id[0]) {
			t.Fatalf("id %q", id)
		}
	})
}

// FuzzMapDevice: any device and power port NetBox could answer maps
// without a panic, into a file that the inventory loader reads (valid or
// with positioned errors, never a crash).
func FuzzMapDevice(f *testing.F) {
	f.Add(`{"id":7,"name":"sw 1","role":{"slug":"core-switch"},"rack":{"id":1},"site":{"id":1},"position":3.5}`,
		`{"id":3,"name":"PSU1","device":{"id":7},"cable":{"id":9},"link_peers_type":"dcim.powerfeed","link_peers":[{"id":5}]}`)
	f.Add(`{"id":8,"name":null,"virtual_chassis":{"name":"vc"},"vc_position":2,"rack":{"id":1},"power_outlet_count":4}`,
		`{"id":4,"name":"Input","device":{"id":8},"allocated_draw":-5}`)
	f.Fuzz(func(t *testing.T, device, port string) {
		var d Device
		var p PowerPort
		if json.Unmarshal([]byte(device), &d) != nil || json.Unmarshal([]byte(port), &p) != nil {
			return
		}
		data := &Data{URL: "http://netbox.example.test", Version: "4.2.2",
			Sites:       []Site{{ID: 1, Name: "S", Slug: "s"}},
			Racks:       []Rack{{ID: 1, Name: "R1", Site: &Ref{ID: 1, Slug: "s"}}},
			PowerFeeds:  []PowerFeed{{ID: 5, Name: "F", PowerPanel: &Ref{ID: 1}, Status: Choice{"active"}}},
			PowerPanels: []PowerPanel{{ID: 1, Name: "P", Site: &Ref{ID: 1, Slug: "s"}}},
			Devices:     []Device{d}, PowerPorts: []PowerPort{p}, Cables: []Cable{{ID: 9, Status: Choice{"connected"}}},
		}
		res, err := Map(data, &Config{})
		if err != nil {
			return
		}
		inventory.Parse("fuzz.yaml", res.File, inventory.Options{})
	})
}
