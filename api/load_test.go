package api

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/history"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// Load benchmarks: a real HTTP server on loopback and a Go load generator
// in the same process, on the same cores — the setting the issue names.
// Run with
//
//	go test ./api -run '^$' -bench Load -benchtime 1x
//
// Each reports requests/s, p50 and p99 latency, and the slowest request,
// while a background loop re-audits the inventory as fast as it can (to
// show that audits never block readers).

func serveFor(b *testing.B, invPath string) (string, *engine.Engine) {
	b.Helper()
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: invPath, WatchInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	srv := New(eng, Options{})
	srv.Prerender(eng.Snapshot())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	b.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String(), eng
}

type loadResult struct {
	rps            float64
	p50, p99, max  time.Duration
	audits, errors int64
}

func load(b *testing.B, url string, header http.Header, conns int, d time.Duration, eng *engine.Engine) loadResult {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var audits atomic.Int64
	var wg sync.WaitGroup
	if eng != nil {
		wg.Add(1)
		go func() { // audits running all the time
			defer wg.Done()
			for ctx.Err() == nil {
				if err := eng.Reload(ctx); err == nil {
					audits.Add(1)
				}
			}
		}()
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	lat := make([][]time.Duration, conns)
	var errs atomic.Int64
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header = header
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = append(lat[i], time.Since(t0))
				if resp.StatusCode != 200 && resp.StatusCode != 304 {
					errs.Add(1)
				}
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) == 0 {
		b.Fatal("no requests completed")
	}
	return loadResult{rps: float64(len(all)) / elapsed.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100], max: all[len(all)-1], audits: audits.Load(), errors: errs.Load()}
}

func report(b *testing.B, r loadResult) {
	b.ReportMetric(r.rps, "req/s")
	b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(r.max.Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(r.audits), "audits")
	if r.errors > 0 {
		b.Errorf("%d failed requests", r.errors)
	}
}

func fleetFile(b *testing.B, components int) string {
	path := filepath.Join(b.TempDir(), "fleet.yaml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := fleet.Write(f, fleet.ForComponents(components, 1)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

func BenchmarkLoadFindings(b *testing.B) {
	for _, tc := range []struct {
		name string
		inv  func(*testing.B) string
	}{
		{"bundled", func(*testing.B) string { return "../inventory.yaml" }},
		{"fleet-100k", func(b *testing.B) string { return fleetFile(b, 100_000) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			url, eng := serveFor(b, tc.inv(b))
			for _, q := range []struct {
				name string
				path string
				etag bool
			}{{"full", "/api/v1/findings", false}, {"if-none-match", "/api/v1/findings", true}, {"critical", "/api/v1/findings?severity=critical", false}} {
				b.Run(q.name, func(b *testing.B) {
					h := http.Header{}
					if q.etag {
						resp, err := http.Get(url + q.path)
						if err != nil {
							b.Fatal(err)
						}
						resp.Body.Close()
						h.Set("If-None-Match", "*")
					}
					for i := 0; i < b.N; i++ {
						report(b, load(b, url+q.path, h, 32, 3*time.Second, eng))
					}
				})
			}
		})
	}
}

// BenchmarkMetrics compares rendering the metrics of a generated fleet —
// every device observed, so four series each — through client_golang on
// every scrape, with serving the bytes rendered once per audit.
func BenchmarkMetrics(b *testing.B) {
	path := fleetFile(b, 250_000)
	data := b.TempDir()
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	// Seed the history with an observation of every managed device and
	// every device, as if collected, so the engine restores them.
	store, err := history.Open(context.Background(), data)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	var obs []observation.Device
	for _, d := range inv.Devices {
		obs = append(obs, observation.Device{ID: d.ID, Source: "redfish", AttemptedAt: now, CollectedAt: now, Duration: observation.Duration(40 * time.Millisecond), Requests: 3})
	}
	if err := store.SaveCollection(context.Background(), now, obs); err != nil {
		b.Fatal(err)
	}
	store.Close()
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: path, DataDir: data, WatchInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	snap := eng.Snapshot()
	reg := prometheus.NewRegistry()
	reg.MustRegister(snapshotCollector{snap})
	series := 0
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		series += len(mf.Metric)
	}
	b.Run("render-per-scrape", func(b *testing.B) {
		b.ReportMetric(float64(series), "series")
		for i := 0; i < b.N; i++ {
			if _, err := RenderMetrics(snap); err != nil {
				b.Fatal(err)
			}
		}
	})
	srv := New(eng, Options{})
	srv.Prerender(snap)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	b.Run("serve-prerendered", func(b *testing.B) {
		b.ReportMetric(float64(series), "series")
		for i := 0; i < b.N; i++ {
			report(b, load(b, "http://"+ln.Addr().String()+"/metrics", http.Header{}, 4, 3*time.Second, nil))
		}
	})
}

// BenchmarkFindingsHandler is the cost of one cached findings request in
// the handler chain alone (no network), with its allocations.
func BenchmarkFindingsHandler(b *testing.B) {
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: "../inventory.yaml", WatchInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	srv := New(eng, Options{})
	srv.Prerender(eng.Snapshot())
	req := httptestRequest("/api/v1/findings")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &discardWriter{h: http.Header{}}
		srv.ServeHTTP(w, req)
	}
}

type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }

func httptestRequest(path string) *http.Request {
	req, _ := http.NewRequest("GET", path, nil)
	return req
}
