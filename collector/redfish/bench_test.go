package redfish_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
)

// TestGofishWalkReadsEverything checks the benchmarks' baseline reads the
// whole server (so comparing with it is fair).
func TestGofishWalkReadsEverything(t *testing.T) {
	l := newLab(t)
	sim, tg := l.device("srv-1", redfishsim.Options{})
	parts, err := gofishWalk(context.Background(), tg.Management.Redfish.Endpoint, "audit", labPassword, l.fleet.CA().Pool())
	if err != nil {
		t.Fatal(err)
	}
	// 1 system, 1 storage, 8 drives, 2 volumes, 1 controller, 4 NICs,
	// 1 chassis, 2 PSUs (+2 metrics), 4 fans (+metrics), environment
	// metrics, 1 adapter with 4 ports, 1 manager.
	if parts != 34 {
		t.Errorf("the gofish walk read %d parts, want 34", parts)
	}
	st := sim.Stats()
	if st.Requests != st.Handshakes || st.Logins != 1 || st.Sessions != 0 {
		t.Errorf("gofish's defaults: %+v: want one connection per request and a session closed", st)
	}
	t.Logf("gofish walk: %d requests, %d TLS handshakes", st.Requests, st.Handshakes)
}

// BenchmarkRoundTrips measures what one full read of a server (8 drives,
// 2 PSUs, 4 NICs: testdata/lab.yaml srv-1) costs the BMC: the gofish
// baseline, and the collector cold and warm, in each of the ways a BMC
// may let it read. ns/op is a warm poll over loopback with no latency.
func BenchmarkRoundTrips(b *testing.B) {
	l := newLab(b)
	measure := func(name string, sim *redfishsim.Sim, tg collector.Target, opts redfish.Options) (cold, warm redfishsim.Stats) {
		p := l.poller(opts)
		sim.ResetStats()
		if obs := pollOnce(b, p, tg, 10*time.Second); obs.Error != "" {
			b.Fatalf("%s: %s", name, obs.Error)
		}
		cold = sim.Stats()
		sim.ResetStats()
		pollOnce(b, p, tg, 10*time.Second)
		warm = sim.Stats()
		return cold, warm
	}
	sim, tg := l.device("srv-1", redfishsim.Options{})
	sim.ResetStats()
	if _, err := gofishWalk(context.Background(), tg.Management.Redfish.Endpoint, "audit", labPassword, l.fleet.CA().Pool()); err != nil {
		b.Fatal(err)
	}
	gofish := sim.Stats()
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-48s %5s %5s %5s %9s\n", "read of srv-1", "req", "TLS", "304", "vs gofish")
	fmt.Fprintf(&table, "%-48s %5d %5d %5d %9s\n", "gofish defaults (session, walk)", gofish.Requests, gofish.Handshakes, gofish.NotModified, "1")
	row := func(name string, st redfishsim.Stats) {
		fmt.Fprintf(&table, "%-48s %5d %5d %5d %9.3f\n", name, st.Requests, st.Handshakes, st.NotModified, float64(st.Requests)/float64(gofish.Requests))
	}
	variants := []struct {
		name string
		sim  redfishsim.Options
		auth string
		opts redfish.Options
	}{
		{name: "$expand+$select, basic auth (default)"},
		{name: "$expand+$select, session", auth: "session"},
		{name: "$expand only (no $select)", sim: redfishsim.Options{NoSelect: true}},
		{name: "$expand one level deep, $select", sim: redfishsim.Options{MaxLevels: 1}},
		{name: "the same, legacy Power/Thermal (like iLO 5)", sim: redfishsim.Options{MaxLevels: 1, Schema: redfishsim.Legacy}},
		{name: "no $expand (walk, ETags)", sim: redfishsim.Options{Expand: redfishsim.ExpandOff}},
		{name: "$expand+$select over HTTP/1.1", sim: redfishsim.Options{HTTP1Only: true}},
	}
	var steady redfishsim.Stats
	for i, v := range variants {
		v.sim.ID = fmt.Sprintf("srv-1-%d", i)
		s, err := redfishsim.FromDevice(l.inv, "srv-1", v.sim)
		if err != nil {
			b.Fatal(err)
		}
		t := l.serve(s, "srv-1", l.inv.Device("srv-1").Management.Redfish)
		t.Management.Redfish.Auth = v.auth
		cold, warm := measure(v.name, s, t, v.opts)
		row(v.name+": cold", cold)
		row(v.name+": warm", warm)
		if i == 0 {
			steady = warm
		}
	}
	b.Log(table.String())
	b.ReportMetric(float64(gofish.Requests), "gofish-req/server")
	b.ReportMetric(float64(steady.Requests), "steady-req/server")
	b.ReportMetric(float64(steady.Requests)/float64(gofish.Requests), "steady/gofish")
	b.ReportMetric(float64(steady.Handshakes), "steady-TLS/server")

	p := l.poller(redfish.Options{})
	pollOnce(b, p, tg, 10*time.Second)
	b.ResetTimer()
	for b.Loop() {
		if obs := pollOnce(b, p, tg, 10*time.Second); obs.Error != "" {
			b.Fatal(obs.Error)
		}
	}
}

// BenchmarkSweep polls a fleet of simulated BMCs over TLS with injected
// latency, as `faultline collect` would, and compares the time with the
// lower bound (round trips × latency × BMCs ÷ concurrency) and with the
// gofish baseline (measured on a sample of the fleet and scaled). It is
// opt-in: FAULTLINE_SWEEP_BMCS=10000 (and FAULTLINE_SWEEP_HTTP1=1 for BMCs
// without HTTP/2).
func BenchmarkSweep(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("FAULTLINE_SWEEP_BMCS"))
	if n <= 0 {
		b.Skip("set FAULTLINE_SWEEP_BMCS (e.g. 10000) to run the fleet sweep")
	}
	http1 := os.Getenv("FAULTLINE_SWEEP_HTTP1") != ""
	const (
		latency     = 50 * time.Millisecond
		concurrency = 64 // collector.Run's default
	)
	sample := 320 // BMCs swept with gofish's defaults (FAULTLINE_SWEEP_SAMPLE)
	if v, err := strconv.Atoi(os.Getenv("FAULTLINE_SWEEP_SAMPLE")); err == nil && v > 0 {
		sample = v
	}
	inv := loadLab(b)
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer fleet.Close()
	start := time.Now()
	targets := make([]collector.Target, n)
	sims := make([]*redfishsim.Sim, n)
	for i := range n {
		id := fmt.Sprintf("bmc-%05d", i)
		sim, err := redfishsim.FromDevice(inv, "srv-1", redfishsim.Options{
			ID: id, Latency: latency, HTTP1Only: http1, Username: "audit", Password: labPassword,
		})
		if err != nil {
			b.Fatal(err)
		}
		addr := fmt.Sprintf("127.%d.%d.%d:8443", 100+i/62500, i/250%250, i%250+1)
		u, err := fleet.Start(sim, addr)
		if err != nil {
			b.Fatal(err)
		}
		sims[i] = sim
		targets[i] = collector.Target{ID: id, Kind: "server", Management: &inventory.Management{Redfish: &inventory.Redfish{
			Endpoint: u, Username: "audit", Password: labPassword}}}
	}
	b.Logf("%d simulated BMCs listening after %v (HTTP/1.1 only: %v), %d goroutines", n, time.Since(start).Round(time.Millisecond), http1, runtime.NumGoroutine())

	cpu := map[string]time.Duration{} // CPU time of the whole process (simulators too) per sweep
	sweep := func(name string, pollers []collector.Poller, ts []collector.Target) (time.Duration, int64, int64) {
		for _, s := range sims[:len(ts)] {
			s.ResetStats()
		}
		cpu0 := cpuTime()
		defer func() { cpu[name] = cpuTime() - cpu0 }()
		start := time.Now()
		obs := collector.Run(context.Background(), ts, pollers, collector.Options{Concurrency: concurrency, Timeout: 60 * time.Second})
		took := time.Since(start)
		failed := 0
		for _, o := range obs {
			if o.Error != "" {
				failed++
				if failed <= 3 {
					b.Logf("%s: %s: %s", name, o.ID, o.Error)
				}
			}
		}
		var hs, reqs int64 // as the BMCs counted them
		for _, s := range sims[:len(ts)] {
			st := s.Stats()
			hs, reqs = hs+st.Handshakes, reqs+st.Requests
		}
		if failed > 0 {
			b.Errorf("%s: %d of %d BMCs failed", name, failed, len(ts))
		}
		return took, reqs, hs
	}
	bound := func(rtts int, devices int) time.Duration {
		return time.Duration(rtts) * latency * time.Duration(devices) / concurrency
	}
	p := redfish.New(redfish.Options{RootCAs: fleet.CA().Pool()})
	pollers := []collector.Poller{p}

	peak := newPeak()
	coldTook, coldReqs, coldTLS := sweep("cold", pollers, targets)
	b.ResetTimer()
	var warmTook time.Duration
	var warmReqs, warmTLS int64
	for b.Loop() {
		warmTook, warmReqs, warmTLS = sweep("warm", pollers, targets)
	}
	b.StopTimer()
	mem := peak.stop()
	// What the collector keeps between sweeps: the heap with and without
	// the poller (its URIs, ETags and remembered parts).
	var withP, withoutP runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&withP)
	runtime.KeepAlive(p)
	if path := os.Getenv("FAULTLINE_SWEEP_HEAPPROFILE"); path != "" {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			b.Fatal(err)
		}
		f.Close()
		runtime.KeepAlive(p)
	}

	// Round trips on a BMC's critical path: over HTTP/2 the requests of a
	// stage share one connection at once (root; the collections; system,
	// chassis and manager), over HTTP/1.1 they queue on it.
	coldRTT, warmRTT := 3, 1
	if http1 {
		coldRTT, warmRTT = int(coldReqs)/n, int(warmReqs)/n
	}
	p, pollers = nil, nil
	runtime.GC()
	runtime.ReadMemStats(&withoutP)
	kept := int64(withP.HeapAlloc) - int64(withoutP.HeapAlloc)

	m := min(sample, n)
	gTook, gReqs, gTLS := sweep("gofish", []collector.Poller{gofishPoller{roots: fleet.CA().Pool()}}, targets[:m])
	gScaled := time.Duration(float64(gTook) * float64(n) / float64(m))

	var t strings.Builder
	fmt.Fprintf(&t, "\nmachine: %d CPUs (GOMAXPROCS %d), %s, load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())
	fmt.Fprintf(&t, "%-26s %10s %10s %9s %8s %8s %12s\n", "sweep", "took", "bound", "÷bound", "req/BMC", "TLS/BMC", "CPU ms/BMC")
	perBMC := func(name string, k int) float64 { return float64(cpu[name].Milliseconds()) / float64(k) }
	fmt.Fprintf(&t, "%-26s %10v %10v %9.3f %8.1f %8.2f %12.2f\n", "collector, cold", coldTook.Round(time.Millisecond), bound(coldRTT, n), float64(coldTook)/float64(bound(coldRTT, n)), float64(coldReqs)/float64(n), float64(coldTLS)/float64(n), perBMC("cold", n))
	fmt.Fprintf(&t, "%-26s %10v %10v %9.3f %8.1f %8.2f %12.2f\n", "collector, warm", warmTook.Round(time.Millisecond), bound(warmRTT, n), float64(warmTook)/float64(bound(warmRTT, n)), float64(warmReqs)/float64(n), float64(warmTLS)/float64(n), perBMC("warm", n))
	fmt.Fprintf(&t, "%-26s %10v %10s %9s %8.1f %8.2f %12.2f\n", fmt.Sprintf("gofish, %d BMCs", m), gTook.Round(time.Millisecond), "", "", float64(gReqs)/float64(m), float64(gTLS)/float64(m), perBMC("gofish", m))
	fmt.Fprintf(&t, "(CPU is the whole process's, simulated BMCs included: %d cores give %.1f CPU-ms per BMC per bound-time of a cold sweep)\n", runtime.NumCPU(), float64(runtime.NumCPU())*float64(bound(coldRTT, n).Milliseconds())/float64(n))
	fmt.Fprintf(&t, "%-26s %10v\n", fmt.Sprintf("gofish, scaled to %d", n), gScaled.Round(time.Millisecond))
	fmt.Fprintf(&t, "gofish ÷ collector: %.1f× warm, %.1f× cold\n", float64(gScaled)/float64(warmTook), float64(gScaled)/float64(coldTook))
	fmt.Fprintf(&t, "peak RSS of the process (simulators and collector): %d MiB; the collector keeps %.1f MiB between sweeps (%.1f KiB per BMC)\n", mem>>20, float64(kept)/(1<<20), float64(kept)/1024/float64(n))
	b.Log(t.String())

	b.ReportMetric(float64(warmTook)/float64(bound(warmRTT, n)), "warm/bound")
	b.ReportMetric(float64(coldTook)/float64(bound(coldRTT, n)), "cold/bound")
	b.ReportMetric(float64(gScaled)/float64(warmTook), "gofish/warm")
	b.ReportMetric(float64(mem>>20), "peak-RSS-MiB")
	b.ReportMetric(float64(kept)/1024/float64(n), "kept-KiB/BMC")
}

// peak samples the process's peak resident memory (VmHWM on Linux, else
// the Go runtime's Sys) while a benchmark runs.
type peak struct {
	stopc chan struct{}
	wg    sync.WaitGroup
	max   uint64
}

func newPeak() *peak {
	p := &peak{stopc: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			p.max = max(p.max, ms.Sys)
			select {
			case <-t.C:
			case <-p.stopc:
				return
			}
		}
	}()
	return p
}

func (p *peak) stop() uint64 {
	close(p.stopc)
	p.wg.Wait()
	if hwm := vmHWM(); hwm > 0 {
		return hwm
	}
	return p.max
}

func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
