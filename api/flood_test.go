package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flood sends GET /api/v1/whatif?fail=… from conns clients until ctx ends
// or each has sent max requests, and returns how many were answered.
func flood(ctx context.Context, base string, fail string, conns, max int) *atomic.Int64 {
	var answered atomic.Int64
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	u := base + "/api/v1/whatif?fail=" + url.QueryEscape(fail)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := 0; i < max && ctx.Err() == nil; i++ {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					answered.Add(1)
				}
			}
		})
	}
	go func() { wg.Wait(); tr.CloseIdleConnections() }()
	return &answered
}

// TestWhatIfFloodKeepsReadsAnswering: while many clients ask the
// read-only what-if (no token needed, so anyone who can reach the API
// can), /api/v1/findings and /metrics keep answering. Measured figures
// are BenchmarkWhatIfFlood's, in docs/performance.md; this test asserts
// only that every probe is answered, within a generous deadline that
// stands for "not starved".
func TestWhatIfFloodKeepsReadsAnswering(t *testing.T) {
	s, _, _ := newTestServer(t, "")
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	answered := flood(ctx, ts.URL, "pdu-r03-a,tor-3b", 64, 200)
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range 20 {
		for _, path := range []string{"/api/v1/findings", "/metrics"} {
			resp, err := client.Get(ts.URL + path)
			if err != nil {
				t.Fatalf("probe %d: %s did not answer during the flood: %v", i, path, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || len(body) == 0 {
				t.Errorf("probe %d: %s answered %d with %d bytes during the flood", i, path, resp.StatusCode, len(body))
			}
		}
	}
	if answered.Load() == 0 {
		t.Error("the flood got no what-if answered: it flooded nothing")
	}
	cancel()
}

// BenchmarkWhatIfFlood measures /api/v1/findings and /metrics (8
// clients each, 3 s each) on a generated fleet, first with the server
// otherwise idle, then while 64 clients send GET /api/v1/whatif for a feed
// as fast as they are answered. It reports both, their ratios, and the
// what-ifs answered per second during the flood; docs/performance.md
// records a run. Run with
//
//	go test ./api -run '^$' -bench WhatIfFlood -benchtime 1x
func BenchmarkWhatIfFlood(b *testing.B) {
	for _, size := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("fleet-%dk", size/1000), func(b *testing.B) {
			base, eng := serveFor(b, fleetFile(b, size))
			fail := ""
			for _, p := range eng.Snapshot().Inventory.Power {
				if p.Kind == "feed" {
					fail = p.ID
					break
				}
			}
			if fail == "" {
				b.Fatal("the fleet has no feed")
			}
			paths := map[string]string{"findings": "/api/v1/findings", "metrics": "/metrics"}
			names := []string{"findings", "metrics"}
			for i := 0; i < b.N; i++ {
				idle := map[string]loadResult{}
				for _, n := range names {
					idle[n] = load(b, base+paths[n], http.Header{}, 8, 3*time.Second, nil)
				}
				ctx, cancel := context.WithCancel(context.Background())
				answered := flood(ctx, base, fail, 64, 1<<30)
				time.Sleep(200 * time.Millisecond) // let the flood build up
				start, before := time.Now(), answered.Load()
				busy := map[string]loadResult{}
				for _, n := range names {
					busy[n] = load(b, base+paths[n], http.Header{}, 8, 3*time.Second, nil)
				}
				b.ReportMetric(float64(answered.Load()-before)/time.Since(start).Seconds(), "whatif/s")
				cancel()
				for _, n := range names {
					b.ReportMetric(idle[n].rps, n+"-idle-req/s")
					b.ReportMetric(busy[n].rps, n+"-flood-req/s")
					b.ReportMetric(busy[n].rps/idle[n].rps, n+"-rps-ratio")
					b.ReportMetric(float64(idle[n].p99.Microseconds())/1000, n+"-idle-p99-ms")
					b.ReportMetric(float64(busy[n].p99.Microseconds())/1000, n+"-flood-p99-ms")
					if busy[n].errors > 0 || idle[n].errors > 0 {
						b.Errorf("%s: %d failed requests idle, %d under the flood", n, idle[n].errors, busy[n].errors)
					}
				}
			}
		})
	}
}
