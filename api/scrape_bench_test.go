package api

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/history"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// BenchmarkScrapeGzip is the cost of one /metrics scrape of a fleet of
// about 100,000 devices, every one observed, with and without gzip and
// in both formats, over loopback, in bytes on the wire and CPU of the
// whole process per scrape (server and a client that reads the bytes
// without decompressing them, as a proxy or Prometheus's network read
// does), plus the once-per-audit cost of rendering and compressing.
// Recorded in docs/performance.md; run with
//
//	go test ./api -run '^$' -bench ScrapeGzip -benchtime 20x
func BenchmarkScrapeGzip(b *testing.B) {
	path := filepath.Join(b.TempDir(), "fleet.yaml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := fleet.Write(f, fleet.Spec{Seed: 1, Sites: 2, RacksPerSite: 2273, ServersPerRack: 20}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	data := b.TempDir()
	store, err := history.Open(context.Background(), data)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	obs := make([]observation.Device, 0, len(inv.Devices))
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
	b.Logf("%d devices, %d observations", len(inv.Devices), len(snap.Observations))

	// Once per audit: gather, encode in each format wanted, compress.
	b.Run("audit-gather", func(b *testing.B) {
		for b.Loop() {
			if _, err := gatherSnapshot(snap); err != nil {
				b.Fatal(err)
			}
		}
	})
	mfs, err := gatherSnapshot(snap)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []format{formatText, formatOpenMetrics} {
		b.Run(fmt.Sprintf("audit-encode-%s", formatNames[f]), func(b *testing.B) {
			for b.Loop() {
				if _, err := encode(mfs, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	plain, err := encode(mfs, formatText)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("audit-gzip-text", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			x := &exposition{plain: plain}
			if _, _, err := x.gzipped(); err != nil {
				b.Fatal(err)
			}
		}
	})

	srv := New(eng, Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	b.Cleanup(func() { hs.Close() })
	url := "http://" + ln.Addr().String() + "/metrics"
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, tc := range []struct{ name, accept, encoding string }{
		{"scrape-text", "", ""},
		{"scrape-text-gzip", "", "gzip"},
		{"scrape-openmetrics", "application/openmetrics-text; version=1.0.0", ""},
		{"scrape-openmetrics-gzip", "application/openmetrics-text; version=1.0.0", "gzip"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			scrape := func() int64 {
				req, _ := http.NewRequest("GET", url, nil)
				if tc.accept != "" {
					req.Header.Set("Accept", tc.accept)
				}
				if tc.encoding != "" {
					req.Header.Set("Accept-Encoding", tc.encoding)
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("scrape: %d %v", resp.StatusCode, err)
				}
				return n
			}
			scrape() // the first asks for the format: rendered once, then served
			var bytes int64
			cpu0 := cpuTime(b)
			for b.Loop() {
				bytes = scrape()
			}
			cpu := cpuTime(b) - cpu0
			b.ReportMetric(float64(bytes), "bytes/scrape")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/scrape")
		})
	}
}

// formatNames name the formats in benchmark names.
var formatNames = [numFormats]string{formatText: "text", formatOpenMetrics: "openmetrics"}

// cpuTime is the process's user and system CPU so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
