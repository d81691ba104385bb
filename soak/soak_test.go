package soak

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/lab/redfishsim"
)

// BenchmarkSoak runs faultline serve (the binary, as deployed) with
// --interval 10s --data against a lab of 2,000 simulated devices (4 sites
// of 20 racks: 2 PDUs and 2 switches over SNMP and 21 servers over
// Redfish each) for FAULTLINE_SOAK_DURATION, while
//   - faults are injected on random servers and switches and cleared
//     a minute later (about 20 active at any time),
//   - 4 clients read /api/v1/findings, /metrics, /api/v1/devices and
//     /readyz without pause, and a fifth posts a what-if and a plan every
//     20 s,
//
// and every FAULTLINE_SOAK_EVERY records the server's RSS, goroutines and
// open files (from its own /metrics), the database's size, and the
// latency of the reads in the interval, into the CSV FAULTLINE_SOAK_OUT
// and a markdown table in the log. Without FAULTLINE_SOAK_DURATION it is
// skipped: make soak sets it (SOAK_DURATION, default 30m).
func BenchmarkSoak(b *testing.B) {
	d, err := time.ParseDuration(os.Getenv("FAULTLINE_SOAK_DURATION"))
	if err != nil || d <= 0 {
		b.Skip("set FAULTLINE_SOAK_DURATION (make soak does) to run the soak")
	}
	every, err := time.ParseDuration(os.Getenv("FAULTLINE_SOAK_EVERY"))
	if err != nil || every <= 0 {
		every = max(15*time.Second, d/30)
	}
	for range b.N {
		soak(b, d, every)
	}
}

// sample is one interval's record.
type sample struct {
	elapsed                        time.Duration
	rssMB                          float64
	heapMB, goIdleMB, otherMB      float64
	liveMB                         float64 // HeapAlloc right after a forced collection of garbage
	goroutines, fds                int
	dbBytes, walBytes              int64
	reads, readErrors, posts, busy int
	p50, p99, maxLat               time.Duration
	findings, activeFlt            int
	load1                          float64
}

// run is one soak: the lab, the server under test, and what the load
// counted since the last sample.
type run struct {
	b                     *testing.B
	lab                   *lab.Lab
	devices               []lab.Device
	client                *http.Client
	base, pprofBase, data string
	profiles              string // where heap profiles go ("" none)
	exited                chan error

	mu                          sync.Mutex
	lats                        []time.Duration
	reads, readErrs, posts, bsy atomic.Int64
	active                      atomic.Int64
}

const soakToken = "soak-token-0123456789"

func soak(b *testing.B, d, every time.Duration) {
	dir := b.TempDir()
	l, inv := startLab(b, dir)
	defer l.Close()
	r := &run{b: b, lab: l, devices: l.Devices(), client: &http.Client{Timeout: 30 * time.Second},
		data: filepath.Join(dir, "data"), profiles: os.Getenv("FAULTLINE_SOAK_PROFILES")}
	b.Logf("lab: %d simulated devices", len(r.devices))
	stop := r.startServe(dir, inv)
	defer stop()
	waitReady(b, r.client, r.base)

	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() { r.read(ctx, i) })
	}
	wg.Go(func() { r.post(ctx) })
	wg.Go(func() { r.injectFaults(ctx) })
	samples := r.sampleUntil(ctx, every)
	wg.Wait()
	select {
	case err := <-r.exited:
		b.Fatalf("serve exited during the soak (%v)", err)
	default:
	}
	report(b, samples, d, len(r.devices))
}

// startLab writes the 2,000-device inventory into dir and starts its
// simulated devices.
func startLab(b *testing.B, dir string) (*lab.Lab, string) {
	inv := filepath.Join(dir, "lab.yaml")
	spec := lab.SitesSpec{Sites: 4, RacksPerSite: 20, ServersPerRack: 21, SNMPPort: 21161, RedfishPort: 28443}
	if err := lab.WriteSites(inv, spec); err != nil {
		b.Fatal(err)
	}
	parsed, err := inventory.Load(inv, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ca, err := redfishsim.LoadOrCreateCA(dir)
	if err != nil {
		b.Fatal(err)
	}
	l, err := lab.Start(parsed, lab.Options{CA: ca})
	if err != nil {
		b.Fatal(err)
	}
	return l, inv
}

// startServe starts faultline serve (FAULTLINE_BIN, or built here) on
// loopback, with its runtime profiles on a loopback port of their own; the
// function it returns stops it (SIGTERM, then SIGKILL after 30 s) and
// logs its last lines.
func (r *run) startServe(dir, inv string) (stop func()) {
	b := r.b
	bin := os.Getenv("FAULTLINE_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "faultline")
		if out, err := exec.Command("go", "build", "-o", bin, "../cmd/faultline").CombinedOutput(); err != nil {
			b.Fatalf("building faultline: %v\n%s", err, out)
		}
	}
	tokFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokFile, []byte(soakToken), 0o600); err != nil {
		b.Fatal(err)
	}
	addr, pprofAddr := freeAddr(b), freeAddr(b)
	r.base, r.pprofBase = "http://"+addr, "http://"+pprofAddr
	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "serve", "-i", inv, "--interval", "10s", "--data", r.data, "--listen", addr,
		"--ca", filepath.Join(dir, "lab-ca.pem"), "--token-file", tokFile, "--log-level", "warn", "--concurrency", "128",
		"--pprof-listen", pprofAddr)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	r.exited = make(chan error, 1)
	go func() {
		err := cmd.Wait()
		done <- err
		r.exited <- err
	}()
	return func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if tail := lastLines(logs.String(), 20); tail != "" {
			b.Logf("serve's last log lines:\n%s", tail)
		}
	}
}

// lockedBuffer is the server's output, written by exec's copying
// goroutines and read at the end.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// read is one reader: the findings, the metrics, the devices and the
// readiness, one after the other, 50 ms apart, until ctx ends.
func (r *run) read(ctx context.Context, i int) {
	paths := []string{"/api/v1/findings", "/metrics", "/api/v1/devices", "/readyz"}
	for n := i; ctx.Err() == nil; n++ {
		start := time.Now()
		resp, err := r.client.Get(r.base + paths[n%len(paths)])
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		took := time.Since(start)
		r.reads.Add(1)
		if err != nil && ctx.Err() == nil {
			r.readErrs.Add(1)
		}
		r.mu.Lock()
		r.lats = append(r.lats, took)
		r.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
}

// post sends a what-if or a plan every 10 s until ctx ends.
func (r *run) post(ctx context.Context) {
	bodies := []struct{ path, body string }{
		{"/api/v1/whatif", `{"fail": ["site-1-r1-pdu-a"]}`},
		{"/api/v1/plan", `{"maintain": ["site-2-r*-tor-a"]}`},
	}
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Second):
		}
		q := bodies[n%len(bodies)]
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.base+q.path, strings.NewReader(q.body))
		req.Header.Set("Authorization", "Bearer "+soakToken)
		resp, err := r.client.Do(req)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.posts.Add(1)
		if resp.StatusCode == http.StatusServiceUnavailable {
			r.bsy.Add(1)
		}
	}
}

// injectFaults injects a fault on a random device every 3 s and clears
// it a minute later, until ctx ends (then clears what is left).
func (r *run) injectFaults(ctx context.Context) {
	rng := rand.New(rand.NewPCG(1, 2))
	type pending struct {
		id string
		at time.Time
	}
	var open []pending
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(3 * time.Second):
		}
		now := time.Now()
		for len(open) > 0 && now.Sub(open[0].at) > time.Minute {
			_ = r.lab.Clear(open[0].id)
			open = open[1:]
			r.active.Add(-1)
		}
		dev := r.devices[rng.IntN(len(r.devices))]
		f := lab.Fault{Kind: "psu-fail", Part: "PSU2"}
		switch {
		case dev.Protocol == "snmp" && rng.IntN(2) == 0:
			f = lab.Fault{Kind: "port-down", Part: "Ethernet1"}
		case dev.Protocol == "redfish" && rng.IntN(3) == 0:
			f = lab.Fault{Kind: "link-down", Part: "eno2"}
		case dev.Protocol == "redfish" && rng.IntN(3) == 0:
			f = lab.Fault{Kind: "drive-fail", Part: "os/1"}
		}
		if err := r.lab.Inject(dev.ID, f); err == nil {
			open = append(open, pending{dev.ID, now})
			r.active.Add(1)
		}
	}
	for _, p := range open {
		_ = r.lab.Clear(p.id)
	}
}

// sampleUntil records a sample every interval until ctx ends.
func (r *run) sampleUntil(ctx context.Context, every time.Duration) []sample {
	var samples []sample
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return samples
		case <-tick.C:
			samples = append(samples, r.record(time.Since(start).Round(time.Second)))
		}
	}
}

// record takes one sample: the load's counts and latencies since the
// last, the server's figures from its /metrics, the database's size, and
// (with FAULTLINE_SOAK_PROFILES) its heap profile.
func (r *run) record(elapsed time.Duration) sample {
	r.mu.Lock()
	cur := r.lats
	r.lats = nil
	r.mu.Unlock()
	s := sample{elapsed: elapsed, reads: int(r.reads.Swap(0)), readErrors: int(r.readErrs.Swap(0)),
		posts: int(r.posts.Swap(0)), busy: int(r.bsy.Swap(0)), activeFlt: int(r.active.Load())}
	s.p50, s.p99, s.maxLat = quantiles(cur)
	m := scrape(r.client, r.base)
	s.rssMB = m["process_resident_memory_bytes"] / (1 << 20)
	s.heapMB = m["go_memstats_heap_inuse_bytes"] / (1 << 20)
	s.goIdleMB = (m["go_memstats_heap_idle_bytes"] - m["go_memstats_heap_released_bytes"]) / (1 << 20)
	// What the process holds beyond what Go's runtime has mapped and
	// not returned: SQLite's own allocations (modernc's libc allocator
	// maps memory of its own) and the binary's pages.
	s.otherMB = s.rssMB - (m["go_memstats_sys_bytes"]-m["go_memstats_heap_released_bytes"])/(1<<20)
	s.goroutines, s.fds = int(m["go_goroutines"]), int(m["process_open_fds"])
	s.findings = int(m["faultline_findings_total"])
	s.dbBytes, s.walBytes = size(filepath.Join(r.data, "faultline.db")), size(filepath.Join(r.data, "faultline.db-wal"))
	s.load1 = loadAvg()
	s.liveMB = liveHeap(r.client, r.pprofBase)
	if r.profiles != "" {
		saveHeap(r.client, r.pprofBase, filepath.Join(r.profiles, fmt.Sprintf("heap-%05d.pb.gz", int(s.elapsed.Seconds()))))
	}
	r.b.Logf("%s rss %.0f MB (Go heap in use %.0f, after GC %.0f, Go idle %.0f, outside Go %.0f), %d goroutines, %d fds, db %d KB (+wal %d KB), %d reads p50 %s p99 %s max %s, %d errors, %d posts (%d busy), %d faults active",
		s.elapsed, s.rssMB, s.heapMB, s.liveMB, s.goIdleMB, s.otherMB, s.goroutines, s.fds, s.dbBytes>>10, s.walBytes>>10, s.reads, s.p50, s.p99, s.maxLat, s.readErrors, s.posts, s.busy, s.activeFlt)
	return s
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(b *testing.B, c *http.Client, base string) {
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	b.Fatal("serve not ready within 3 minutes")
}

// scrape reads the server's /metrics: each unlabelled series' value, and
// for faultline_findings the sum over its labels (as
// faultline_findings_total).
func scrape(c *http.Client, base string) map[string]float64 {
	out := map[string]float64{}
	resp, err := c.Get(base + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		if strings.HasPrefix(name, "faultline_findings{") {
			out["faultline_findings_total"] += v
			continue
		}
		out[name] = v
	}
	return out
}

// liveHeap is the server's Go heap in MB right after a forced collection
// of garbage (HeapAlloc, from the heap profile's text form, read after the
// profile is written: it includes what a running collection allocated
// meanwhile; the profile itself, kept with FAULTLINE_SOAK_PROFILES, is the
// live heap), 0 when unknown.
func liveHeap(c *http.Client, base string) float64 {
	resp, err := c.Get(base + "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 256<<20))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "# HeapAlloc = "); ok {
			n, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return n / (1 << 20)
		}
	}
	return 0
}

// saveHeap writes the server's heap profile (after a GC) to path, for
// go tool pprof; a failure is logged in the file's place, not fatal.
func saveHeap(c *http.Client, base, path string) {
	resp, err := c.Get(base + "/debug/pprof/heap?gc=1")
	if err != nil {
		_ = os.WriteFile(path+".err", []byte(err.Error()), 0o644)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		_ = os.WriteFile(path+".err", fmt.Appendf(nil, "status %d: %v", resp.StatusCode, err), 0o644)
		return
	}
	_ = os.WriteFile(path, data, 0o644)
}

func size(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func quantiles(d []time.Duration) (p50, p99, maxD time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	q := func(f float64) time.Duration { return d[min(len(d)-1, int(f*float64(len(d))))] }
	return q(0.50).Round(10 * time.Microsecond), q(0.99).Round(10 * time.Microsecond), d[len(d)-1].Round(10 * time.Microsecond)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// report writes the CSV and logs the markdown table and the drift of each
// figure from the first sample after warm-up (the first third) to the
// last.
func report(b *testing.B, samples []sample, d time.Duration, devices int) {
	out := os.Getenv("FAULTLINE_SOAK_OUT")
	if out == "" {
		out = filepath.Join(b.TempDir(), "soak.csv")
	}
	f, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"elapsed_s", "rss_mb", "go_heap_inuse_mb", "go_heap_after_gc_mb", "go_idle_mb", "outside_go_mb", "goroutines", "open_fds", "db_bytes", "wal_bytes", "reads", "read_errors", "p50_ms", "p99_ms", "max_ms", "posts", "busy", "faults_active", "findings", "load1"})
	var md strings.Builder
	fmt.Fprintf(&md, "soak: %s, %d devices, serve --interval 10s --data\n\n", d, devices)
	md.WriteString("| elapsed | RSS MB | Go heap MB | heap after GC MB | Go idle MB | outside Go MB | goroutines | fds | DB KB | WAL KB | reads | errors | p50 ms | p99 ms | max ms | faults | findings | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	ms := func(x time.Duration) string {
		return strconv.FormatFloat(float64(x)/float64(time.Millisecond), 'f', 1, 64)
	}
	for _, s := range samples {
		_ = w.Write([]string{strconv.Itoa(int(s.elapsed.Seconds())), strconv.FormatFloat(s.rssMB, 'f', 1, 64),
			strconv.FormatFloat(s.heapMB, 'f', 1, 64), strconv.FormatFloat(s.liveMB, 'f', 1, 64), strconv.FormatFloat(s.goIdleMB, 'f', 1, 64), strconv.FormatFloat(s.otherMB, 'f', 1, 64), strconv.Itoa(s.goroutines), strconv.Itoa(s.fds),
			strconv.FormatInt(s.dbBytes, 10), strconv.FormatInt(s.walBytes, 10), strconv.Itoa(s.reads), strconv.Itoa(s.readErrors),
			ms(s.p50), ms(s.p99), ms(s.maxLat), strconv.Itoa(s.posts), strconv.Itoa(s.busy), strconv.Itoa(s.activeFlt), strconv.Itoa(s.findings),
			strconv.FormatFloat(s.load1, 'f', 1, 64)})
		fmt.Fprintf(&md, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %d | %d | %d | %d | %d | %s | %s | %s | %d | %d | %.1f |\n", s.elapsed, s.rssMB, s.heapMB, s.liveMB, s.goIdleMB, s.otherMB, s.goroutines, s.fds,
			s.dbBytes>>10, s.walBytes>>10, s.reads, s.readErrors, ms(s.p50), ms(s.p99), ms(s.maxLat), s.activeFlt, s.findings, s.load1)
	}
	w.Flush()
	if err := errors(w.Error(), f.Close()); err != nil {
		b.Fatal(err)
	}
	if len(samples) >= 6 {
		// Flat after warm-up: the peak of each figure over the last third
		// against its peak over the middle third (a collection of 2,000
		// devices swings goroutines and fds while it runs, so peaks, not
		// single samples, are compared).
		n := len(samples)
		mid, last := peak(samples[n/3:2*n/3]), peak(samples[2*n/3:])
		fmt.Fprintf(&md, "\npeaks, last third against middle third: RSS ×%.2f, Go heap ×%.2f, heap after GC ×%.2f, goroutines ×%.2f, fds ×%.2f, DB ×%.2f, p99 ×%.2f\n",
			last.rssMB/mid.rssMB, last.heapMB/mid.heapMB, last.liveMB/mid.liveMB, ratio(last.goroutines, mid.goroutines), ratio(last.fds, mid.fds), ratio(int(last.dbBytes), int(mid.dbBytes)), ratio(int(last.p99), int(mid.p99)))
	}
	b.Logf("CSV: %s\n%s", out, md.String())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func errors(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// peak is each figure's largest value over samples.
func peak(samples []sample) sample {
	var p sample
	for _, s := range samples {
		p.rssMB, p.heapMB, p.liveMB = max(p.rssMB, s.rssMB), max(p.heapMB, s.heapMB), max(p.liveMB, s.liveMB)
		p.goroutines, p.fds = max(p.goroutines, s.goroutines), max(p.fds, s.fds)
		p.dbBytes, p.p99 = max(p.dbBytes, s.dbBytes), max(p.p99, s.p99)
	}
	return p
}

// loadAvg is the machine's one-minute load average (0 where unknown): the
// soak shares the machine, and its latencies say more with it.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}
