package api

import (
	"context"
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
// clients each, 3 s) on a generated fleet of about 100,000 components,
// first with the server otherwise idle, then while 64 clients send GET
// /api/v1/whatif for a feed as fast as they are answered. It reports
// both and their ratios; docs/performance.md records a run. Run with
//
//	go test ./api -run '^$' -bench WhatIfFlood -benchtime 1x
func BenchmarkWhatIfFlood(b *testing.B) {
	base, eng := serveFor(b, fleetFile(b, 100_000))
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
	for i := 0; i < b.N; i++ {
		for _, path := range []string{"/api/v1/findings", "/metrics"} {
			idle := load(b, base+path, http.Header{}, 8, 3*time.Second, nil)
			ctx, cancel := context.WithCancel(context.Background())
			answered := flood(ctx, base, fail, 64, 1<<30)
			time.Sleep(200 * time.Millisecond) // let the flood build up
			start := time.Now()
			busy := load(b, base+path, http.Header{}, 8, 3*time.Second, nil)
			whatifs := float64(answered.Load()) / time.Since(start).Seconds()
			cancel()
			name := path[len(path)-7:]
			b.ReportMetric(idle.rps, name+"-idle-req/s")
			b.ReportMetric(busy.rps, name+"-flood-req/s")
			b.ReportMetric(busy.rps/idle.rps, name+"-rps-ratio")
			b.ReportMetric(float64(busy.p99.Microseconds())/1000, name+"-flood-p99-ms")
			b.ReportMetric(float64(idle.p99.Microseconds())/1000, name+"-idle-p99-ms")
			b.ReportMetric(whatifs, name+"-whatif/s")
			if busy.errors > 0 || idle.errors > 0 {
				b.Errorf("%s: %d failed requests idle, %d under the flood", path, idle.errors, busy.errors)
			}
			time.Sleep(500 * time.Millisecond) // let the flood drain
		}
	}
}
