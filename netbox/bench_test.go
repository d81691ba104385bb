package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/netbox/nbsim"
)

// genEstate makes a NetBox-shaped estate: racks of 20 devices (2 PDUs on
// an A and a B feed, 2 ToRs, 16 servers with a PSU on each PDU and a NIC
// on each ToR), 200 interfaces a rack; rack 0's ToRs are the core.
func genEstate(racks int) map[string][]json.RawMessage {
	o := map[string][]json.RawMessage{}
	add := func(path string, v any) {
		b, _ := json.Marshal(v)
		o[path] = append(o[path], b)
	}
	type ref = map[string]any
	o["dcim/locations"] = []json.RawMessage{}
	site := ref{"id": 1, "name": "Site", "slug": "site"}
	add("dcim/sites", site)
	add("dcim/power-panels", ref{"id": 1, "name": "Panel A", "site": site})
	add("dcim/power-panels", ref{"id": 2, "name": "Panel B", "site": site})
	devID, portID, outletID, ifID, cableID := 0, 0, 0, 0, 0
	cable := func() ref {
		cableID++
		add("dcim/cables", ref{"id": cableID, "status": ref{"value": "connected"}})
		return ref{"id": cableID}
	}
	type nic struct {
		id   int
		dev  ref
		name string
	}
	var coreA, coreB []nic
	ifaces := func(dev ref, n int) []nic {
		var out []nic
		for n := range n {
			ifID++
			out = append(out, nic{ifID, dev, fmt.Sprintf("eth%d", n)})
		}
		return out
	}
	var pendingIfs []ref
	link := func(a, b nic) {
		c := cable()
		pendingIfs = append(pendingIfs,
			ref{"id": a.id, "name": a.name, "device": a.dev, "enabled": true, "cable": c, "link_peers_type": "dcim.interface",
				"connected_endpoints_type": "dcim.interface", "connected_endpoints": []ref{{"id": b.id, "name": b.name, "device": b.dev, "cable": c}}, "connected_endpoints_reachable": true},
			ref{"id": b.id, "name": b.name, "device": b.dev, "enabled": true, "cable": c, "link_peers_type": "dcim.interface",
				"connected_endpoints_type": "dcim.interface", "connected_endpoints": []ref{{"id": a.id, "name": a.name, "device": a.dev, "cable": c}}, "connected_endpoints_reachable": true})
	}
	var all []nic
	for r := 0; r < racks; r++ {
		rack := ref{"id": r + 1, "name": fmt.Sprintf("R%04d", r)}
		add("dcim/racks", ref{"id": r + 1, "name": rack["name"], "site": site})
		var pdus [2]ref
		for s, side := range []string{"a", "b"} {
			feedID := 2*r + s + 1
			feed := ref{"id": feedID, "name": fmt.Sprintf("F%04d%s", r, side)}
			devID++
			pdu := ref{"id": devID, "name": fmt.Sprintf("r%04d-pdu-%s", r, side)}
			pdus[s] = pdu
			c := cable()
			portID++
			add("dcim/power-feeds", ref{"id": feedID, "name": feed["name"], "power_panel": ref{"id": s + 1, "name": []string{"Panel A", "Panel B"}[s]},
				"status": ref{"value": "active"}, "phase": ref{"value": "single-phase"}, "voltage": 230, "amperage": 32, "cable": c})
			add("dcim/devices", ref{"id": devID, "name": pdu["name"], "role": ref{"slug": "pdu"}, "site": site, "rack": rack, "power_outlet_count": 18,
				"device_type": ref{"model": "PDU"}})
			add("dcim/power-ports", ref{"id": portID, "name": "Input", "device": pdu, "cable": c, "link_peers_type": "dcim.powerfeed", "link_peers": []ref{feed}})
			all = append(all, ifaces(pdu, 4)...)
		}
		var tors [2][]nic
		for t := 0; t < 18; t++ {
			devID++
			role := "server"
			name := fmt.Sprintf("r%04d-srv%02d", r, t)
			if t < 2 {
				role, name = "tor-switch", fmt.Sprintf("r%04d-tor%d", r, t+1)
			}
			dev := ref{"id": devID, "name": name}
			pos := float64(t + 1)
			add("dcim/devices", ref{"id": devID, "name": name, "role": ref{"slug": role}, "site": site, "rack": rack, "position": pos,
				"device_type": ref{"model": "Box"}, "serial": fmt.Sprintf("SN%06d", devID)})
			for s := 0; s < 2; s++ {
				outletID++
				portID++
				c := cable()
				outlet := ref{"id": outletID, "name": fmt.Sprintf("Outlet %d", t+1), "device": pdus[s]}
				add("dcim/power-outlets", ref{"id": outletID, "name": outlet["name"], "device": pdus[s]})
				draw := 150
				add("dcim/power-ports", ref{"id": portID, "name": fmt.Sprintf("PSU%d", s+1), "device": dev, "allocated_draw": draw, "cable": c,
					"link_peers_type": "dcim.poweroutlet", "link_peers": []ref{outlet}})
			}
			count := 6 // per rack: 2 PDUs × 4 + 2 ToRs × 48 + 16 servers × 6 = 200
			if t < 2 {
				count = 48
				if r == 0 {
					count += 2 * racks // the core: a port for every ToR
				}
			}
			nics := ifaces(dev, count)
			all = append(all, nics...)
			if t < 2 {
				tors[t] = nics
				if r == 0 {
					if t == 0 {
						coreA = nics
					} else {
						coreB = nics
					}
				} else {
					link(nics[46], coreA[48+2*r+t])
					link(nics[47], coreB[48+2*r+t])
				}
				continue
			}
			link(nics[0], tors[0][t-2])
			link(nics[1], tors[1][t-2])
		}
	}
	byID := map[int]ref{}
	for _, p := range pendingIfs {
		byID[p["id"].(int)] = p
	}
	for _, n := range all {
		if p, ok := byID[n.id]; ok {
			add("dcim/interfaces", p)
			continue
		}
		add("dcim/interfaces", ref{"id": n.id, "name": n.name, "device": n.dev, "enabled": true})
	}
	return o
}

// peakHeap samples the heap in use until stopped, and returns the peak.
// The simulator's objects are in the same heap: callers subtract the heap
// in use before the import.
func peakHeap() func() uint64 {
	var peak atomic.Uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkImport: requests, time and peak heap of an import, served by
// the simulator on loopback: the recorded estate (pages of 50) and a
// generated estate of 10,000 devices and 100,000 interfaces (pages of
// 1000). Requests must be the pages, Σ ⌈count / page size⌉, plus the
// status request.
func BenchmarkImport(b *testing.B) {
	type estate struct {
		name    string
		objs    map[string][]json.RawMessage
		page    int
		cfg     *Config
		hand    []inventory.Source
		devices int
	}
	var estates []estate
	if objs, err := nbsim.LoadRecorded("../../shared/testdata/netbox-estate"); err == nil && len(objs) > 0 {
		cfg, err := LoadConfig("testdata/estate-config.yaml")
		if err != nil {
			b.Fatal(err)
		}
		hand, err := inventory.ReadFiles([]string{"testdata/estate-handkept.yaml"})
		if err != nil {
			b.Fatal(err)
		}
		estates = append(estates, estate{"recorded-estate", objs, 50, cfg, hand, len(objs["dcim/devices"])})
	}
	gen := genEstate(500)
	estates = append(estates, estate{"generated-10k", gen, 1000, &Config{Network: struct {
		RootRoles []string `yaml:"root_roles"`
		RootNames []string `yaml:"root_names"`
	}{RootNames: []string{"r0000-tor1", "r0000-tor2"}}}, nil, len(gen["dcim/devices"])})
	for _, e := range estates {
		b.Run(e.name, func(b *testing.B) {
			sim := nbsim.New(e.objs, e.page, testToken)
			srv := httptest.NewServer(sim)
			defer srv.Close()
			want := 1
			for _, p := range []string{"dcim/sites", "dcim/locations", "dcim/racks", "dcim/power-panels", "dcim/power-feeds", "dcim/devices", "dcim/power-ports", "dcim/power-outlets", "dcim/interfaces", "dcim/cables"} {
				want += max(1, (len(e.objs[p])+e.page-1)/e.page)
			}
			if e.cfg.Services.IPAM {
				want += max(1, (len(e.objs["ipam/services"])+e.page-1)/e.page)
			}
			if e.cfg.Services.Clusters {
				want += max(1, (len(e.objs["virtualization/clusters"])+e.page-1)/e.page)
			}
			// The baseline, in the same run: reading every page only.
			b.Run("fetch-only", func(b *testing.B) {
				for b.Loop() {
					c, err := New(Options{URL: srv.URL, Token: testToken, PageSize: e.page})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := c.Status(context.Background()); err != nil {
						b.Fatal(err)
					}
					for _, p := range []string{"dcim/sites", "dcim/locations", "dcim/racks", "dcim/power-panels", "dcim/power-feeds", "dcim/devices", "dcim/power-ports", "dcim/power-outlets", "dcim/interfaces", "dcim/cables"} {
						if err := c.List(context.Background(), p, nil, func(json.RawMessage) error { return nil }); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
			b.Run("import", func(b *testing.B) { benchImport(b, e.objs, e.cfg, e.hand, sim, srv, e.page, want, e.devices) })
		})
	}
}

// benchImport imports the simulated NetBox once per iteration and
// reports requests, peak heap and the estate's size.
func benchImport(b *testing.B, objs map[string][]json.RawMessage, cfg *Config, hand []inventory.Source, sim *nbsim.Server, srv *httptest.Server, page, want, devices int) {
	var peak uint64
	for b.Loop() {
		sim.ResetRequests()
		c, err := New(Options{URL: srv.URL, Token: testToken, PageSize: page})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := peakHeap()
		res, err := Import(context.Background(), c, cfg, nil, "netbox.yaml", hand)
		p := stop()
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, p-min(p, base.HeapInuse))
		if got := sim.Requests(); got != want {
			b.Fatalf("%d requests, want %d: the pages, each once", got, want)
		}
		b.ReportMetric(float64(len(res.File)), "file-bytes")
	}
	b.ReportMetric(float64(want), "requests")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(devices), "devices")
	b.ReportMetric(float64(len(objs["dcim/interfaces"])), "interfaces")
}
