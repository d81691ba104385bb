//go:build linux

package snmp

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/observation"
)

// The sweep benchmark's shape; the defaults are the (2,000
// switches of 48 ports at 20ms a response).
var (
	sweepSwitches = flag.Int("sweep.switches", 2000, "BenchmarkSweep: simulated switches")
	sweepLatency  = flag.Duration("sweep.latency", 20*time.Millisecond, "BenchmarkSweep: injected latency per response")
	sweepSample   = flag.Int("sweep.sample", 20, "BenchmarkSweep: switches walked with GETNEXT for the baseline")
)

// benchLinks is how many ports of each switch have an LLDP neighbour:
// Ethernet41-44 cabled to the next four switches' Ethernet45-48.
const benchLinks = 8

// benchInventory is n 48-port switches with two PSUs each, in a ring of
// cables that gives every switch eight LLDP neighbours.
func benchInventory(n int) *inventory.Inventory {
	inv := &inventory.Inventory{Version: 1}
	name := func(i int) string { return fmt.Sprintf("sw-%04d", i%n) }
	for i := range n {
		inv.Devices = append(inv.Devices, inventory.Device{ID: name(i), Kind: inventory.Switch, Model: "sim-48",
			PSUs: []inventory.PSU{{ID: "PSU1"}, {ID: "PSU2"}}})
		for k := 1; k <= benchLinks/2; k++ {
			inv.Links = append(inv.Links, inventory.Link{
				A: fmt.Sprintf("%s:Ethernet%d", name(i), 40+k), B: fmt.Sprintf("%s:Ethernet%d", name(i+k), 44+k)})
		}
	}
	return inv
}

// benchFleet is one simulated agent per switch, all in this process, each
// on its own socket, spread over 127.0.x.y addresses.
type benchFleet struct {
	agents  []*snmpsim.Agent
	targets []collector.Target
}

func startBenchFleet(b *testing.B, n int, latency time.Duration) *benchFleet {
	b.Helper()
	inv := benchInventory(n)
	f := &benchFleet{}
	b.Cleanup(func() {
		for _, a := range f.agents {
			a.Close()
		}
	})
	for i, d := range inv.Devices {
		tab, err := snmpsim.FromInventory(inv, d.ID, snmpsim.GenOptions{Ports: 48})
		if err != nil {
			b.Fatal(err)
		}
		a := snmpsim.New(tab, snmpsim.Options{Community: "bench", Latency: latency, LiveUptime: true})
		if err := a.Listen(fmt.Sprintf("127.0.%d.%d:0", 10+i/250, 1+i%250)); err != nil {
			b.Fatal(err)
		}
		f.agents = append(f.agents, a)
		f.targets = append(f.targets, collector.Target{ID: d.ID, Kind: string(d.Kind),
			Management: &inventory.Management{SNMP: &inventory.SNMP{Address: a.Addr(), Community: "bench"}}})
	}
	return f
}

// agentRequests is the requests every agent has received so far.
func (f *benchFleet) agentRequests() int64 {
	var n int64
	for _, a := range f.agents {
		n += a.Requests()
	}
	return n
}

// BenchmarkSweep polls a fleet of simulated 48-port switches (PSUs, fans,
// ports, LLDP) with the collector, as `faultline collect` does, at each
// of a few concurrencies, and reports against the targets:
//
//   - requests/switch, and getnext-ratio: our requests per switch over
//     those of a plain GETNEXT walk of the same tables (target ≤ 1/20);
//     the GETNEXT walk is measured on a sample of switches (every switch
//     has the same tables), without latency, since only its count is used;
//   - wall/lower-bound: the sweep's time over round trips per switch ×
//     latency × switches ÷ concurrency (target ≤ 1.25);
//   - cpu-ms/switch: the process's CPU time (collector and simulators
//     together, both in this process) per switch: what keeps a sweep
//     from its lower bound once concurrency outruns the cores;
//     others-cores: the cores other processes kept busy meanwhile (the
//     machine is shared: a ratio measured while they took one of two
//     cores says more about them than about the collector);
//   - sweep-heap-MB: the heap the sweep adds at its peak (garbage not yet
//     collected included), over the simulators' before it; alloc-KB/switch
//     what it allocates; retained-KB/switch the observations it keeps;
//     simulators-heap-MB the live heap before the sweep (the agents'
//     tables); rss-peak-MB the process's peak resident set, simulators
//     included.
//
// Linux only (agents bind 127.0.x.y, which other systems do not route).
// Run it with: go test -run '^$' -bench Sweep ./collector/snmp
// (-args -sweep.switches=200 for a quick look, -sweep.latency=50ms).
func BenchmarkSweep(b *testing.B) {
	n, latency := *sweepSwitches, *sweepLatency
	setup := time.Now()
	f := startBenchFleet(b, n, latency)
	b.Logf("%d agents on loopback in %v", n, time.Since(setup).Round(time.Millisecond))
	getnext := getnextRequests(b, f, min(*sweepSample, n))

	for _, conc := range []int{32, 64, 128, 256} {
		b.Run(fmt.Sprintf("switches=%d,latency=%v,concurrency=%d", n, latency, conc), func(b *testing.B) {
			p := New(Options{Concurrency: conc})
			var (
				requests int
				wall     time.Duration
				peak     uint64
				cpu      time.Duration
				allocs   uint64
				pollTime time.Duration
				retained uint64
				fleet    uint64
				others   time.Duration
			)
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				base := heapBytes()
				fleet = base
				stop := watchPeak(&peak)
				before := f.agentRequests()
				cpu0, alloc0, busy0 := cpuTime(), allocBytes(), systemBusy()
				start := time.Now()
				obs := collector.Run(context.Background(), f.targets, []collector.Poller{p},
					collector.Options{Concurrency: conc, Timeout: 60 * time.Second})
				wall = time.Since(start)
				cpu, allocs = cpuTime()-cpu0, allocBytes()-alloc0
				others = systemBusy() - busy0 - cpu
				stop()
				peak -= min(peak, base)
				requests = checkSweep(b, obs)
				runtime.GC()
				live := heapBytes()
				retained = live - min(live, base)
				runtime.KeepAlive(obs)
				pollTime = 0
				for _, o := range obs {
					pollTime += time.Duration(o.Duration)
				}
				if served := f.agentRequests() - before; served != int64(requests) {
					b.Fatalf("the client counted %d requests, the agents %d", requests, served)
				}
			}
			perSwitch := float64(requests) / float64(n)
			lower := time.Duration(perSwitch * float64(latency) * float64(n) / float64(conc))
			b.ReportMetric(perSwitch, "requests/switch")
			b.ReportMetric(getnext, "getnext-requests/switch")
			b.ReportMetric(perSwitch/getnext, "getnext-ratio")
			b.ReportMetric(lower.Seconds(), "lower-bound-s")
			b.ReportMetric(wall.Seconds()/lower.Seconds(), "wall/lower-bound")
			b.ReportMetric(cpu.Seconds()*1000/float64(n), "cpu-ms/switch")
			b.ReportMetric(pollTime.Seconds()*1000/float64(n), "poll-ms/switch")
			b.ReportMetric(max(others, 0).Seconds()/wall.Seconds(), "others-cores")
			b.ReportMetric(float64(peak)/(1<<20), "sweep-heap-MB")
			b.ReportMetric(float64(fleet)/(1<<20), "simulators-heap-MB")
			b.ReportMetric(float64(allocs)/(1<<10)/float64(n), "alloc-KB/switch")
			b.ReportMetric(float64(retained)/(1<<10)/float64(n), "retained-KB/switch")
			if rss := peakRSS(); rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "rss-peak-MB")
			}
		})
	}
}

// checkSweep fails the benchmark unless every switch was read in full,
// and returns the requests the sweep made.
func checkSweep(b *testing.B, obs []observation.Device) int {
	b.Helper()
	total := 0
	for _, o := range obs {
		neighbours := 0
		for _, p := range o.Ports {
			neighbours += len(p.Neighbors)
		}
		if o.Error != "" || len(o.PartErrors) > 0 || len(o.PSUs) != 2 || len(o.Ports) != 48 || neighbours != benchLinks {
			b.Fatalf("%s: error %q, part errors %v, %d PSUs, %d ports, %d neighbours", o.ID, o.Error, o.PartErrors, len(o.PSUs), len(o.Ports), neighbours)
		}
		total += o.Requests
	}
	return total
}

// getnextRequests walks the same scalars and columns as the collector on
// a sample of switches, the plain way: one Get for the scalars, then one
// GETNEXT per variable and one more to see each column end. It returns
// the requests per switch, counted by the agents; latency is lifted
// meanwhile (only the count is used).
func getnextRequests(b *testing.B, f *benchFleet, sample int) float64 {
	b.Helper()
	scalars, columns := plan()
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, sample)
	for i := range sample {
		a := f.agents[i*len(f.agents)/sample]
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := *sweepLatency
			a.SetLatency(0)
			defer a.SetLatency(lat)
			before := a.Requests()
			if err := getnextWalk(a.Addr(), scalars, columns); err != nil {
				errs <- err
				return
			}
			total.Add(a.Requests() - before)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return float64(total.Load()) / float64(sample)
}

func getnextWalk(addr string, scalars, columns []OID) error {
	host, port, _ := strings.Cut(addr, ":")
	p, _ := strconv.Atoi(port)
	g := &gosnmp.GoSNMP{Target: host, Port: uint16(p), Community: "bench", Version: gosnmp.Version2c,
		Timeout: 2 * time.Second, Retries: 1, MaxOids: 255}
	if err := g.Connect(); err != nil {
		return err
	}
	defer g.Conn.Close()
	if _, err := g.Get(oidStrings(scalars)); err != nil {
		return fmt.Errorf("getnext baseline: %s: %w", addr, err)
	}
	for _, root := range columns {
		next := root
		for {
			pkt, err := g.GetNext([]string{next.String()})
			if err != nil {
				return fmt.Errorf("getnext baseline: %s: %w", addr, err)
			}
			if len(pkt.Variables) != 1 {
				return fmt.Errorf("getnext baseline: %s: %d variables", addr, len(pkt.Variables))
			}
			v, err := fromPDU(pkt.Variables[0])
			if err != nil {
				return err
			}
			if v.Kind.Exception() || !v.OID.HasPrefix(root) || v.OID.Compare(next) <= 0 {
				break
			}
			next = v.OID
		}
	}
	return nil
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// allocBytes is the heap allocated so far.
func allocBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// systemBusy is the CPU time all processes have used, from /proc/stat
// (0 where there is none).
func systemBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks uint64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseUint(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// heapBytes is the heap's live and unswept objects now.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// watchPeak samples the heap every few milliseconds into peak until the
// returned func is called.
func watchPeak(peak *uint64) (stop func()) {
	*peak = heapBytes()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				*peak = max(*peak, heapBytes())
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		*peak = max(*peak, heapBytes())
	}
}

// peakRSS is the process's peak resident set (VmHWM) in bytes, or 0
// where /proc does not say.
func peakRSS() uint64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
