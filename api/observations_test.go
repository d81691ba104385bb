package api

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/observation"
)

// TestObservationsFormat: the endpoint answers in the collect --out
// format, which observation.Read (what the CLI's --live uses) accepts.
// The path through real collectors is tested in cmd/faultline
// (TestWhatIfLive).
func TestObservationsFormat(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	rec := do(t, s, call{method: "GET", path: "/api/v1/observations"})
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	f, err := observation.Read(rec.Body)
	if err != nil {
		t.Fatalf("not in the collect --out format: %v", err)
	}
	if f.GeneratedAt.IsZero() || f.Devices == nil || len(f.Devices) != 0 {
		t.Errorf("generated_at %v, %d devices; want a time and none collected yet", f.GeneratedAt, len(f.Devices))
	}
}
