package sitebus

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/observation"
)

// TestMetricsDocumented: docs/metrics.md names every NATS metric.
func TestMetricsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range MetricNames() {
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/metrics.md does not document %s", name)
		}
	}
	if len(MetricNames()) < 8 {
		t.Errorf("MetricNames: %v", MetricNames())
	}
}

// TestMetrics: an auditor's and a collector's series, with the values
// their counters hold, over a real server.
func TestMetrics(t *testing.T) {
	s := startServer(t)
	col := connect(t, s.ClientURL())
	pub := runPublisher(t, col)
	aud := connect(t, s.ClientURL())
	if _, err := aud.obs.Put(context.Background(), "junk.snmp", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	inv := loadInventory(t, busInventory)
	src := watch(t, aud, inv)
	pub.Publish(inv, []observation.Device{obsOf("sw-1", "snmp", time.Now().UTC(), 20), obsOf("sw-2", "snmp", time.Now().UTC(), 21)})
	waitFor(t, "two observations received and one rejected", func() bool {
		_, ok1 := heldObs(src, "sw-1", "snmp")
		_, ok2 := heldObs(src, "sw-2", "snmp")
		return ok1 && ok2 && src.RejectedTotal() == 1 && pub.Pending() == 0
	})

	cases := []struct {
		name string
		c    prometheus.Collector
		want map[string]float64
	}{
		{"auditor", Metrics(aud, nil, src), map[string]float64{
			"faultline_nats_connected": 1, "faultline_nats_reconnects_total": 0, "faultline_nats_disconnects_total": 0,
			"faultline_nats_observations_received_total": 2, "faultline_nats_observations_rejected_total": 1,
			"faultline_nats_first_seen_rejected_total": 0,
		}},
		{"collector", Metrics(col, pub, nil), map[string]float64{
			"faultline_nats_connected": 1, "faultline_nats_reconnects_total": 0, "faultline_nats_disconnects_total": 0,
			"faultline_nats_observations_published_total": 2, "faultline_nats_pending_observations": 0, "faultline_nats_publish_failures_total": 0,
			"faultline_nats_last_publish_timestamp_seconds": float64(pub.LastPublished().UnixNano()) / 1e9,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			if err := reg.Register(tc.c); err != nil {
				t.Fatal(err)
			}
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, mf := range mfs { // the sum of a family's series
				for _, m := range mf.GetMetric() {
					switch {
					case m.GetCounter() != nil:
						got[mf.GetName()] += m.GetCounter().GetValue()
					case m.GetGauge() != nil:
						got[mf.GetName()] += m.GetGauge().GetValue()
					}
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("series %v, want %v", got, tc.want)
			}
			for name, v := range tc.want {
				if g, ok := got[name]; !ok || g != v {
					t.Errorf("%s = %v (present %v), want %v", name, g, ok, v)
				}
			}
		})
	}
}
