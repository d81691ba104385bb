package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/sitebus"
	"github.com/faultline/faultline/sitebus/jsserver"
)

// TestCollectorStatus: a site collector's /healthz, /readyz and /metrics
// over a real JetStream server on loopback, through its states — nothing
// sent yet, a collection sent, the connection lost.
func TestCollectorStatus(t *testing.T) {
	ns, err := jsserver.Start(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	bus, err := sitebus.Connect(context.Background(), sitebus.Options{URL: ns.ClientURL(), Name: t.Name(), CollectOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	pub := bus.Publisher()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); pub.Run(ctx) }()
	defer func() { cancel(); <-done }()

	data, err := os.ReadFile("../inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: path, WatchInterval: -1, Sink: pub, CollectOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	h := CollectorStatus(eng, CollectorOptions{Share: "site=dc1", Link: sitebus.CollectorLink(bus, pub),
		Metrics: []prometheus.Collector{sitebus.Metrics(bus, pub, nil)}})

	type status struct {
		Status     string `json:"status"`
		Share      string `json:"share"`
		Connected  bool   `json:"nats_connected"`
		Published  uint64 `json:"published"`
		Ready      *bool  `json:"ready"`
		Error      string `json:"error"`
		Collection struct {
			Finished time.Time `json:"finished"`
			Devices  int       `json:"devices"`
		} `json:"collection"`
	}
	get := func(path string) (int, status, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		var st status
		if strings.HasSuffix(path, "z") {
			if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
				t.Fatalf("%s: %v: %s", path, err, rec.Body)
			}
		}
		return rec.Code, st, rec.Body.String()
	}

	if code, st, _ := get("/healthz"); code != 200 || st.Status != "ok" || st.Share != "site=dc1" || !st.Connected || !st.Collection.Finished.IsZero() {
		t.Errorf("/healthz before a collection: %d %+v", code, st)
	}
	if code, st, _ := get("/readyz"); code != 503 || st.Ready == nil || *st.Ready || st.Error != "no collection sent yet" {
		t.Errorf("/readyz before a collection: %d %+v", code, st)
	}

	eng.Collect(context.Background())
	now := time.Now().UTC()
	pub.Publish(eng.Snapshot().Inventory, []observation.Device{{ID: eng.Snapshot().Inventory.Devices[0].ID, Source: "snmp", AttemptedAt: now, CollectedAt: now}})
	deadline := time.Now().Add(10 * time.Second)
	for pub.LastPublished().IsZero() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if code, st, _ := get("/readyz"); code != 200 || st.Ready == nil || !*st.Ready || st.Published != 1 || st.Collection.Finished.IsZero() {
		t.Errorf("/readyz after a collection sent: %d %+v", code, st)
	}
	_, _, metrics := get("/metrics")
	for _, want := range []string{"faultline_nats_connected 1", "faultline_nats_observations_published_total 1", "faultline_nats_pending_observations 0",
		`faultline_collection_devices{outcome="ok"} 0`, "faultline_collection_timestamp_seconds", "faultline_nats_last_publish_timestamp_seconds"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}

	ns.Shutdown()
	for bus.Connected() && time.Now().Before(deadline.Add(10*time.Second)) {
		time.Sleep(10 * time.Millisecond)
	}
	if code, st, _ := get("/readyz"); code != 503 || st.Connected || !strings.HasPrefix(st.Error, "not connected to NATS") {
		t.Errorf("/readyz with NATS gone: %d %+v", code, st)
	}
	if code, _, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz with NATS gone: %d, want 200 (the process runs)", code)
	}
}
