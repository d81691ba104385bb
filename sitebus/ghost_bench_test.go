package sitebus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/api"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/sitebus"
)

// ghostKey is the key a forger writes for a device not in the inventory.
func ghostKey(i int) string {
	return sitebus.ObservationKey("site-1", fmt.Sprintf("ghost-%d", i), observation.SourceRedfish)
}

// ghostObs is a server's observation as a Redfish collector writes it:
// two PSUs, eight drives, four ports, some temperatures (about 2 KiB).
func ghostObs(id string, at time.Time) observation.Device {
	o := observation.Device{ID: id, Source: observation.SourceRedfish, AttemptedAt: at, CollectedAt: at, Endpoint: "https://127.0.0.1:8443",
		Identity: &observation.Identity{Manufacturer: "Dell Inc.", Model: "PowerEdge R650", Serial: "SN-" + id}}
	for i := range 2 {
		o.PSUs = append(o.PSUs, observation.PSU{ID: fmt.Sprintf("PSU%d", i+1), Condition: observation.OK})
	}
	for i := range 8 {
		o.Drives = append(o.Drives, observation.Drive{ID: fmt.Sprintf("Disk.Bay.%d", i), Slot: i, Condition: observation.OK, Model: "MZ7KH960", Serial: fmt.Sprintf("S%s%d", id, i)})
	}
	for i := range 4 {
		o.Ports = append(o.Ports, observation.Port{Name: fmt.Sprintf("NIC.Integrated.1-%d", i+1), Oper: "up", Admin: "up"})
	}
	for i := range 6 {
		o.Temperatures = append(o.Temperatures, observation.Temperature{Name: fmt.Sprintf("Temp %d", i), Celsius: 30})
	}
	return o
}

// BenchmarkGhostKeys measures an auditor (engine, API, the NATS metrics)
// reading a bucket that holds 20,000 keys of devices not in its
// inventory, against the same auditor reading the bucket without them:
// its heap after a GC, the size of /metrics and of /api/v1/observations.
// The JetStream server runs as a separate process (Debian's nats-server),
// so that its memory is not counted. Run with -benchtime 1x (make
// bench-ghosts); the figures go to docs/performance.md.
func BenchmarkGhostKeys(b *testing.B) {
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		b.Skip("nats-server is not installed (Debian package nats-server)")
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "sites.yaml")
	if err := lab.WriteSites(path, lab.SitesSpec{Sites: 2, RacksPerSite: 2, ServersPerRack: 4}); err != nil {
		b.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		clean := measureAuditor(b, bin, filepath.Join(dir, fmt.Sprint("clean", i)), path, inv, 0)
		ghosts := measureAuditor(b, bin, filepath.Join(dir, fmt.Sprint("ghosts", i)), path, inv, 20000)
		b.ReportMetric(clean.heapMB, "heap-MB-without")
		b.ReportMetric(ghosts.heapMB, "heap-MB-with-20k-ghosts")
		b.ReportMetric(float64(clean.metrics), "metrics-bytes-without")
		b.ReportMetric(float64(ghosts.metrics), "metrics-bytes-with-20k-ghosts")
		b.ReportMetric(float64(ghosts.observations), "observations-api-bytes-with-20k-ghosts")
		b.Logf("heap after GC: %.1f MB without ghosts, %.1f MB with 20,000 (×%.2f); /metrics %d → %d bytes; /api/v1/observations %d → %d bytes",
			clean.heapMB, ghosts.heapMB, ghosts.heapMB/clean.heapMB, clean.metrics, ghosts.metrics, clean.observations, ghosts.observations)
	}
}

type auditorSize struct {
	heapMB                float64
	metrics, observations int
}

func measureAuditor(b *testing.B, bin, dir, path string, inv *inventory.Inventory, ghosts int) auditorSize {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", dir)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var bus *sitebus.Bus
	deadline := time.Now().Add(20 * time.Second)
	for {
		bus, err = sitebus.Connect(ctx, sitebus.Options{URL: url, Name: "ghost auditor", Timeout: time.Second})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer bus.Close()

	// The forger and the genuine collectors write first.
	nc, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	now := time.Now().UTC()
	put := func(key string, o observation.Device) {
		data, _ := json.Marshal(o)
		if _, err := js.PublishAsync("$KV."+sitebus.ObservationsBucket+"."+key, data); err != nil {
			b.Fatal(err)
		}
	}
	for i := range ghosts {
		put(ghostKey(i), ghostObs(fmt.Sprintf("ghost-%d", i), now))
	}
	want := 0
	for _, t := range collector.Targets(inv) {
		source := observation.SourceSNMP
		if t.Management.Redfish != nil {
			source = observation.SourceRedfish
		}
		put(sitebus.ObservationKey(inv.SiteOf(t.ID), t.ID, source), observation.Device{ID: t.ID, Source: source, AttemptedAt: now, CollectedAt: now})
		want++
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		b.Fatal("puts not acknowledged")
	}

	var srv *api.Server
	src := bus.Source(sitebus.Policy{})
	eng, err := engine.New(ctx, engine.Config{InventoryFile: path, WatchInterval: -1, Interval: time.Hour,
		Targets: func(*inventory.Inventory) []collector.Target { return nil }, Source: src, AuditEvery: 100 * time.Millisecond,
		OnSnapshot: func(s *engine.Snapshot) {
			if srv != nil {
				srv.Prerender(s)
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	srv = api.New(eng, api.Options{Metrics: []prometheus.Collector{sitebus.Metrics(bus, nil, src)}})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(runCtx) }()
	defer func() { stop(); <-done }()
	waitUntil(b, 2*time.Minute, "the bucket read and audited", func() bool {
		_, loaded := src.Observations()
		return loaded && len(eng.Snapshot().Observations) >= want && src.Received.Load()+src.RejectedTotal() >= uint64(ghosts+want)
	})
	time.Sleep(time.Second) // the audit after the last entry
	size := func(p string) int {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		n, _ := io.Copy(io.Discard, rec.Body)
		return int(n)
	}
	out := auditorSize{metrics: size("/metrics"), observations: size("/api/v1/observations")}
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out.heapMB = float64(ms.HeapAlloc) / (1 << 20)
	return out
}
