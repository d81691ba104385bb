package audit

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// TestUniqueIDs: no two findings of a report share an id, on random
// inventories audited on the design, with random failures laid over the
// fault graph, and with random observations through the whole live path
// (matching, facts, live rules). Monitoring deduplicates on the id.
func TestUniqueIDs(t *testing.T) {
	n := 600
	if testing.Short() || raceEnabled {
		n = 200
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 11))
		inv := oracle.RandomInventory(r)
		g, err := model.Build(inv, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if dup := duplicateIDs(Analyze(g, Options{}).Findings()); len(dup) > 0 {
			t.Fatalf("seed %d, design: findings share ids: %v", seed, dup)
		}
		obs := randomObservations(r, inv, now)
		_, findings, _, err := Live(inv, obs, LiveOptions{Now: now, StaleAfter: time.Duration(r.IntN(2)) * time.Hour,
			Restarts: map[string]int{inv.Devices[0].ID: 3}, Window: time.Hour})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if dup := duplicateIDs(findings); len(dup) > 0 {
			t.Fatalf("seed %d, live: findings share ids: %v", seed, dup)
		}
	}
}

// randomObservations manages every device and PDU of inv and makes what
// their collectors might report: failed, degraded, missing and undeclared
// PSUs, ports down or unreported, several wrong LLDP neighbours on one
// port, failed drives and volumes, fans, hot inlets, PDU outlets off, and
// devices whose last poll failed (last good data kept) or that were never
// read.
func randomObservations(r *rand.Rand, inv *inventory.Inventory, now time.Time) []observation.Device {
	conds := []observation.Condition{observation.OK, observation.OK, observation.OK, observation.Failed, observation.Degraded, observation.Absent}
	mgmt := &inventory.Management{Redfish: &inventory.Redfish{Endpoint: "https://127.0.0.1"}}
	ports := map[string][]string{}
	for _, l := range inv.Links {
		for _, end := range []string{l.A, l.B} {
			d, p, _ := inventory.SplitEnd(end)
			ports[d] = append(ports[d], p)
		}
	}
	var out []observation.Device
	for i := range inv.Power {
		p := &inv.Power[i]
		if p.Kind != inventory.PDU || r.IntN(2) == 0 {
			continue
		}
		p.Management = mgmt
		o := observation.Device{ID: p.ID, Source: observation.SourceSNMP, AttemptedAt: now, CollectedAt: now}
		for k := 1; k <= 4; k++ {
			on := r.IntN(4) != 0
			o.Outlets = append(o.Outlets, observation.Outlet{Index: k, On: &on})
		}
		if r.IntN(3) == 0 {
			o.UPS = &observation.UPS{OutputSource: []string{"none", "battery", "normal"}[r.IntN(3)], Condition: conds[r.IntN(len(conds))]}
		}
		out = append(out, o)
	}
	for i := range inv.Devices {
		d := &inv.Devices[i]
		d.Management = mgmt
		if r.IntN(8) == 0 {
			continue // never collected
		}
		o := observation.Device{ID: d.ID, Source: observation.SourceRedfish, AttemptedAt: now, CollectedAt: now}
		if r.IntN(5) == 0 {
			o.CollectedAt = now.Add(-time.Duration(1+r.IntN(180)) * time.Minute)
			o.Error = "timeout"
		}
		for k := 0; k < len(d.PSUs)+r.IntN(2)-r.IntN(2); k++ {
			o.PSUs = append(o.PSUs, observation.PSU{ID: fmt.Sprint(k), Name: fmt.Sprintf("P%d", k+r.IntN(2)), Slot: k, Condition: conds[r.IntN(len(conds))],
				PredictedFailure: r.IntN(6) == 0, Outlet: fmt.Sprintf("/Outlets/%d", 1+r.IntN(4))})
		}
		for k, p := range ports[d.ID] {
			if r.IntN(6) == 0 {
				continue
			}
			port := observation.Port{Name: p, Index: k, Oper: []string{"up", "up", "down"}[r.IntN(3)]}
			for m := 0; m < r.IntN(3); m++ {
				port.Neighbors = append(port.Neighbors, observation.Neighbor{Protocol: "lldp", SysName: fmt.Sprintf("elsewhere-%d", r.IntN(3)), PortID: "x"})
			}
			o.Ports = append(o.Ports, port)
		}
		for v, vol := range d.Storage {
			ov := observation.Volume{ID: vol.ID, RAID: string(vol.RAID), Condition: conds[r.IntN(4)]}
			for k := 0; k < vol.Drives; k++ {
				id := fmt.Sprintf("%d.%d", v, k)
				ov.Drives = append(ov.Drives, id)
				o.Drives = append(o.Drives, observation.Drive{ID: id, Slot: k, Condition: conds[r.IntN(4)]})
			}
			o.Volumes = append(o.Volumes, ov)
		}
		o.Drives = append(o.Drives, observation.Drive{ID: "loose", Condition: conds[r.IntN(4)]})
		for k := 0; k < r.IntN(3); k++ {
			o.Fans = append(o.Fans, observation.Fan{ID: fmt.Sprint(k), Name: "Fan", Condition: conds[r.IntN(len(conds))]})
		}
		if r.IntN(3) == 0 {
			c := float64(20 + r.IntN(15))
			o.InletCelsius = &c
		}
		out = append(out, o)
		if r.IntN(4) == 0 { // a second source for the same device
			o2 := o
			o2.Source = observation.SourceSNMP
			out = append(out, o2)
		}
	}
	return out
}
