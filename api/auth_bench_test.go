package api

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkGuardOverhead: the cost the Guard adds to a cached
// GET /api/v1/findings, served in-process (no network, so the overhead is
// as large a share as it can be), as ratios to the bare server measured
// in the same run: reads open, the bearer token, and basic auth with the
// bcrypt result remembered (a scraper sending the same credentials). Run
// with
//
//	go test ./api -run '^$' -bench GuardOverhead
func BenchmarkGuardOverhead(b *testing.B) {
	s, _, _ := newTestServer(b, token)
	s.Prerender(s.eng.Snapshot())
	web := filepath.Join(b.TempDir(), "web.yml")
	writeFile(b, web, "basic_auth_users:\n  prometheus: $2a$10$1BPKIeyZBMLTJyOdEEGKMe1rFTqJhCC6JRkrkPo2gU.YOBXmEU1Oi\n")
	guard := func(o GuardOptions) http.Handler {
		g, err := NewGuard(o)
		if err != nil {
			b.Fatal(err)
		}
		return g.Wrap(s)
	}
	variants := []struct {
		name string
		h    http.Handler
		set  func(*http.Request)
	}{
		{"bare", s, func(*http.Request) {}},
		{"open", guard(GuardOptions{Token: token}), func(*http.Request) {}},
		{"token", guard(GuardOptions{Token: token, AuthReads: true}), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }},
		{"basic", guard(GuardOptions{WebConfigFile: web}), func(r *http.Request) { r.SetBasicAuth("prometheus", "change-me") }},
	}
	// The variants take turns request by request, so that the machine's
	// other load falls on all of them alike.
	took := make([]time.Duration, len(variants))
	for round := range 2 { // the first round warms caches (and remembers the bcrypt result)
		clear(took)
		for range b.N {
			for i, v := range variants {
				r := httptest.NewRequest(http.MethodGet, "/api/v1/findings", nil)
				v.set(r)
				w := httptest.NewRecorder()
				start := time.Now()
				v.h.ServeHTTP(w, r)
				took[i] += time.Since(start)
				if w.Code != http.StatusOK {
					b.Fatalf("round %d, %s: %d %s", round, v.name, w.Code, w.Body)
				}
			}
		}
	}
	b.ReportMetric(float64(took[0].Nanoseconds())/float64(b.N), "bare-ns/req")
	for i, v := range variants[1:] {
		b.ReportMetric(float64(took[i+1])/float64(took[0]), v.name+"/bare")
	}
}
