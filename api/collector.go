package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/faultline/faultline/engine"
)

// Publishing is a site collector's link to its auditors, as its status
// shows it (sitebus.Link over NATS).
type Publishing interface {
	// Connected reports whether the link is up now.
	Connected() bool
	// Pending counts the observations held to send.
	Pending() int
	// Published counts the observations the other side acknowledged.
	Published() uint64
	// LastPublished is when it last acknowledged one (zero: never).
	LastPublished() time.Time
}

// CollectorOptions configure a site collector's status endpoints.
type CollectorOptions struct {
	// Share names what the collector polls ("site=s1", "all managed
	// devices").
	Share string
	Link  Publishing
	// Metrics are more collectors for /metrics (the link's), gathered at
	// every scrape.
	Metrics []prometheus.Collector
}

// collectionStatus is the last collection, as a collector's status shows it.
type collectionStatus struct {
	Finished time.Time `json:"finished,omitzero"`
	Devices  int       `json:"devices"`
	Failed   int       `json:"failed"`
}

// CollectorStatus serves a site collector's own endpoints, in place of the
// API (a collector audits nothing):
//
//	GET /healthz  the process runs (always 200), with the link's state
//	GET /readyz   200 once the link is up and a collection has been sent, else 503
//	GET /metrics  Prometheus: the last collection (the series and meanings
//	              of an auditor's), and the link's (opts.Metrics)
//
// The engine's snapshots give the last collection.
func CollectorStatus(eng *engine.Engine, opts CollectorOptions) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(append([]prometheus.Collector{lastCollection{eng}}, opts.Metrics...)...)
	link := opts.Link
	last := func() collectionStatus {
		if j := eng.Snapshot().Collection; j != nil {
			return collectionStatus{Finished: j.Finished, Devices: j.Devices, Failed: j.Failed}
		}
		return collectionStatus{}
	}
	state := func(c collectionStatus) map[string]any {
		return map[string]any{"share": opts.Share, "nats_connected": link.Connected(), "pending": link.Pending(),
			"published": link.Published(), "last_published": link.LastPublished(), "collection": c}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		st := state(last())
		st["status"] = "ok"
		writeStatus(w, http.StatusOK, st)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		c := last()
		st := state(c)
		code := http.StatusOK
		switch {
		case !link.Connected():
			code, st["error"] = http.StatusServiceUnavailable, "not connected to NATS; observations are kept to send on reconnect"
		case c.Finished.IsZero() || link.LastPublished().IsZero():
			code, st["error"] = http.StatusServiceUnavailable, "no collection sent yet"
		}
		st["ready"] = code == http.StatusOK
		writeStatus(w, code, st)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

func writeStatus(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// lastCollection exposes the engine's last collection at scrape time.
type lastCollection struct{ eng *engine.Engine }

func (c lastCollection) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCollDur, descCollTS, descCollDev} {
		ch <- d
	}
}

func (c lastCollection) Collect(ch chan<- prometheus.Metric) {
	if s := c.eng.Snapshot(); s != nil {
		collectionMetrics(ch, s.Collection)
	}
}
