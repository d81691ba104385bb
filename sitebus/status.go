package sitebus

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Collection is a collector's last collection, as its status shows it.
type Collection struct {
	Finished time.Time     `json:"finished,omitzero"`
	Duration time.Duration `json:"-"`
	Devices  int           `json:"devices"`
	Failed   int           `json:"failed"`
}

// CollectorStatus serves a site collector's own endpoints:
//
//	GET /healthz  the process runs (always 200), with the NATS state
//	GET /readyz   200 once connected and a collection has been sent, else 503
//	GET /metrics  Prometheus: the last collection, the connection, the publisher
//
// last reports the last finished collection (zero before the first).
func CollectorStatus(b *Bus, p *Publisher, share string, last func() Collection) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(Metrics(b, p, nil), &collectorMetrics{last: last})
	mux := http.NewServeMux()
	state := func() map[string]any {
		c := last()
		return map[string]any{"share": share, "nats_connected": b.Connected(), "pending": p.Pending(),
			"published": p.Published.Load(), "last_published": p.LastPublished(), "collection": c}
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		st := state()
		st["status"] = "ok"
		writeJSON(w, http.StatusOK, st)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		st := state()
		code := http.StatusOK
		switch {
		case !b.Connected():
			code, st["error"] = http.StatusServiceUnavailable, "not connected to NATS; observations are kept to send on reconnect"
		case last().Finished.IsZero() || p.LastPublished().IsZero():
			code, st["error"] = http.StatusServiceUnavailable, "no collection sent yet"
		}
		st["ready"] = code == http.StatusOK
		writeJSON(w, code, st)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

var (
	descCollTS  = prometheus.NewDesc("faultline_collection_timestamp_seconds", "When the last collection finished (Unix time).", nil, nil)
	descCollDur = prometheus.NewDesc("faultline_collection_duration_seconds", "How long the last collection took.", nil, nil)
	descCollDev = prometheus.NewDesc("faultline_collection_devices", "Devices polled in the last collection, by outcome.", []string{"outcome"}, nil)
)

// collectorMetrics are the last collection's metrics (the names and
// meanings of the auditor's).
type collectorMetrics struct {
	last func() Collection
}

func (c *collectorMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCollTS, descCollDur, descCollDev} {
		ch <- d
	}
}

func (c *collectorMetrics) Collect(ch chan<- prometheus.Metric) {
	if l := c.last(); !l.Finished.IsZero() {
		ch <- prometheus.MustNewConstMetric(descCollTS, prometheus.GaugeValue, float64(l.Finished.UnixNano())/1e9)
		ch <- prometheus.MustNewConstMetric(descCollDur, prometheus.GaugeValue, l.Duration.Seconds())
		ch <- prometheus.MustNewConstMetric(descCollDev, prometheus.GaugeValue, float64(l.Devices-l.Failed), "ok")
		ch <- prometheus.MustNewConstMetric(descCollDev, prometheus.GaugeValue, float64(l.Failed), "failed")
	}
}
