package sitebus_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/sitebus"
	"github.com/faultline/faultline/sitebus/jsserver"
)

// synthetic makes a healthy observation for every managed entry of inv,
// as the lab's simulators would answer: PSUs ok, linked ports up with
// their LLDP neighbour, an inlet at 24 °C. The benchmark measures the
// transport and the audit, not the pollers, so no simulator runs.
func synthetic(inv *inventory.Inventory, at time.Time) map[string]observation.Device {
	ports := map[string][]observation.Port{}
	for _, l := range inv.Links {
		a, ap, _ := inventory.SplitEnd(l.A)
		b, bp, _ := inventory.SplitEnd(l.B)
		ports[a] = append(ports[a], observation.Port{Name: ap, Oper: "up", Admin: "up", Neighbors: []observation.Neighbor{{Protocol: "lldp", SysName: b, PortID: bp}}})
		ports[b] = append(ports[b], observation.Port{Name: bp, Oper: "up", Admin: "up", Neighbors: []observation.Neighbor{{Protocol: "lldp", SysName: a, PortID: ap}}})
	}
	out := map[string]observation.Device{}
	inlet := 24.0
	for _, t := range collector.Targets(inv) {
		o := observation.Device{ID: t.ID, Source: observation.SourceSNMP, AttemptedAt: at, CollectedAt: at, Duration: observation.Duration(20 * time.Millisecond), Requests: 3}
		if t.Management.Redfish != nil {
			o.Source = observation.SourceRedfish
			o.InletCelsius = &inlet
		}
		if d := inv.Device(t.ID); d != nil {
			for i, p := range d.PSUs {
				o.PSUs = append(o.PSUs, observation.PSU{ID: p.ID, Name: p.ID, Slot: i, Condition: observation.OK, State: "Enabled", Health: "OK"})
			}
			o.Ports = ports[t.ID]
		}
		out[t.ID] = o
	}
	return out
}

// syntheticPoller answers from the synthetic observations: the single
// process's collection of the same fleet, at no protocol cost.
type syntheticPoller struct {
	mu  sync.Mutex
	obs map[string]observation.Device
}

func (p *syntheticPoller) Protocol() string { return "synthetic" }
func (p *syntheticPoller) Handles(collector.Target) bool {
	return true
}
func (p *syntheticPoller) Poll(_ context.Context, t collector.Target) observation.Device {
	p.mu.Lock()
	defer p.mu.Unlock()
	o := p.obs[t.ID]
	o.AttemptedAt, o.CollectedAt = time.Now().UTC(), time.Now().UTC()
	return o
}

func failPSU(o observation.Device, at time.Time) observation.Device {
	o.PSUs = slices.Clone(o.PSUs)
	o.PSUs[1].Condition, o.PSUs[1].Health = observation.Failed, "Critical"
	o.AttemptedAt, o.CollectedAt = at, at
	return o
}

// BenchmarkSiteCollectors: 10 site collectors put 20,000 devices'
// observations into a JetStream server; one auditor ingests them. It
// reports the auditor's ingest rate, the delay from one device's change
// (published by its collector) to the audit that shows it, at rest and
// while every collector republishes its whole share, and the same
// fleet's collect-and-audit in one process. Run with -benchtime 1x
// (make bench-sites); the figures go to docs/performance.md.
func BenchmarkSiteCollectors(b *testing.B) {
	const sites = 10
	dir := b.TempDir()
	path := filepath.Join(dir, "fleet.yaml")
	// 10 sites × 50 racks × (2 PDUs + 2 switches + 36 servers) = 20,000 managed devices.
	racks := 50
	if v, err := strconv.Atoi(os.Getenv("FAULTLINE_BENCH_RACKS")); err == nil && v > 0 {
		racks = v // a smaller fleet: FAULTLINE_BENCH_RACKS racks per site
	}
	if err := lab.WriteSites(path, lab.SitesSpec{Sites: sites, RacksPerSite: racks, ServersPerRack: 36}); err != nil {
		b.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	managed := len(collector.Targets(inv))
	ns, err := jsserver.Start(filepath.Join(dir, "js"), "")
	if err != nil {
		b.Fatal(err)
	}
	defer ns.Shutdown()
	url := ns.ClientURL()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	for i := 0; i < b.N; i++ {
		base := synthetic(inv, time.Now().UTC())
		// The collectors: one connection and publisher per site.
		pubs := make([]*sitebus.Publisher, sites)
		shares := make([][]observation.Device, sites)
		for s := range sites {
			bus, err := sitebus.Connect(ctx, sitebus.Options{URL: url, Name: fmt.Sprintf("bench collector %d", s)})
			if err != nil {
				b.Fatal(err)
			}
			defer bus.Close()
			pubs[s] = bus.Publisher()
			go pubs[s].Run(ctx)
			for _, t := range sitebus.SiteShare(lab.SiteID(s)).Targets(inv) {
				shares[s] = append(shares[s], base[t.ID])
			}
		}
		// The auditor.
		abus, err := sitebus.Connect(ctx, sitebus.Options{URL: url, Name: "bench auditor"})
		if err != nil {
			b.Fatal(err)
		}
		defer abus.Close()
		src := abus.Source(sitebus.Policy{})
		interval := 30 * time.Second
		aud, err := engine.New(ctx, engine.Config{InventoryFile: path, Interval: interval, WatchInterval: -1,
			Targets: func(*inventory.Inventory) []collector.Target { return nil },
			Source:  src, FirstSeen: abus.FirstSeen(ctx), AuditEvery: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		runCtx, stopRun := context.WithCancel(ctx)
		runDone := make(chan struct{})
		go func() { defer close(runDone); _ = aud.Run(runCtx) }()

		b.ResetTimer()
		start := time.Now()
		for s := range sites {
			pubs[s].Publish(inv, shares[s])
		}
		waitUntil(b, 5*time.Minute, "all published", func() bool {
			n := 0
			for _, p := range pubs {
				n += int(p.Published.Load())
			}
			return n >= managed
		})
		published := time.Since(start)
		waitUntil(b, 5*time.Minute, "all ingested", func() bool { return src.Received.Load() >= uint64(managed) })
		ingested := time.Since(start)
		waitUntil(b, 5*time.Minute, "all audited", func() bool { return aud.Snapshot().Observed.Seen == managed })
		audited := time.Since(start)
		b.StopTimer()
		auditTook := aud.Snapshot().AuditDuration

		// One device's change, at rest: publish → the audit showing it.
		delay := func(n int, storm bool) []time.Duration {
			var out []time.Duration
			for k := range n {
				s := k % sites
				var dual []observation.Device // devices with two PSUs
				for _, o := range shares[s] {
					if d := inv.Device(o.ID); d != nil && len(d.PSUs) >= 2 {
						dual = append(dual, o)
					}
				}
				dev := dual[(k*7+3)%len(dual)]
				if !storm {
					time.Sleep(time.Second + 100*time.Millisecond) // past the debounce of the last audit
				}
				if storm {
					for _, p := range pubs {
						p.Publish(inv, shares[slices.Index(pubs, p)])
					}
				}
				t0 := time.Now()
				pubs[s].Publish(inv, []observation.Device{failPSU(dev, t0.UTC())})
				id := "component-failed/" + dev.ID + "/PSU2"
				waitUntil(b, time.Minute, id, func() bool { return hasFinding(aud.Snapshot(), id) })
				out = append(out, time.Since(t0))
				healthy := dev
				healthy.AttemptedAt, healthy.CollectedAt = time.Now().UTC(), time.Now().UTC()
				pubs[s].Publish(inv, []observation.Device{healthy})
				waitUntil(b, time.Minute, id+" cleared", func() bool { return !hasFinding(aud.Snapshot(), id) })
			}
			slices.Sort(out)
			return out
		}
		rest := delay(5, false)
		storm := delay(3, true)
		stopRun()
		<-runDone
		aud.Close()

		// The same fleet in one process: collect (synthetic pollers, no
		// protocol cost) and audit.
		one, err := engine.New(ctx, engine.Config{InventoryFile: path, WatchInterval: -1,
			Pollers: []collector.Poller{&syntheticPoller{obs: base}}, Collect: collector.Options{Concurrency: 64}})
		if err != nil {
			b.Fatal(err)
		}
		j := one.Collect(ctx)
		if j.State != "done" || one.Snapshot().Observed.Seen != managed {
			b.Fatalf("single process: %s, %d seen", j.State, one.Snapshot().Observed.Seen)
		}
		oneAudit := one.Snapshot().AuditDuration
		oneTotal := j.Duration + oneAudit
		one.Close()

		b.ReportMetric(float64(managed)/ingested.Seconds(), "ingested_obs/s")
		b.ReportMetric(float64(managed)/published.Seconds(), "published_obs/s")
		b.ReportMetric(audited.Seconds(), "s_to_first_full_audit")
		b.ReportMetric(auditTook.Seconds(), "s_auditor_audit")
		b.ReportMetric(rest[len(rest)/2].Seconds()*1000, "ms_change_to_audit_p50")
		b.ReportMetric(rest[len(rest)-1].Seconds()*1000, "ms_change_to_audit_max")
		b.ReportMetric(storm[len(storm)-1].Seconds()*1000, "ms_change_to_audit_storm_max")
		b.ReportMetric(oneTotal.Seconds(), "s_one_process_collect_audit")
		b.ReportMetric(oneAudit.Seconds(), "s_one_process_audit")
		b.Logf("%d devices, %d collectors: published in %s, ingested in %s, first full audit at %s (audit %s); change→audit at rest %v, in a storm %v; one process: collect %s + audit %s",
			managed, sites, published.Round(time.Millisecond), ingested.Round(time.Millisecond), audited.Round(time.Millisecond), auditTook.Round(time.Millisecond),
			rest, storm, j.Duration.Round(time.Millisecond), oneAudit.Round(time.Millisecond))
	}
}

func hasFinding(s *engine.Snapshot, id string) bool {
	for _, f := range s.Report.Findings {
		if f.ID == id {
			return true
		}
	}
	return false
}

func waitUntil(b *testing.B, limit time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("gave up waiting after %s: %s", limit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
