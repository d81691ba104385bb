package sitebus

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// The connection's metrics, the same in an auditor's /metrics and in a
// collector's (docs/metrics.md). They are read from counters at scrape
// time, not rendered with the audit: the connection changes between audits.
var (
	descConnected = newDesc("faultline_nats_connected", "Whether the connection to NATS is up (1) or not (0).", nil)
	descReconn    = newDesc("faultline_nats_reconnects_total", "Reconnections to NATS since start.", nil)
	descDisconn   = newDesc("faultline_nats_disconnects_total", "Connections to NATS lost since start.", nil)
	descReceived  = newDesc("faultline_nats_observations_received_total", "Observations an auditor accepted from the bucket (a restarted watch delivers every key again).", nil)
	descRejected  = newDesc("faultline_nats_observations_rejected_total", "Entries of the bucket an auditor refused, by reason (a restarted watch delivers every key again).", []string{"reason"})
	descFSRej     = newDesc("faultline_nats_first_seen_rejected_total", "first_seen records of the findings bucket an auditor refused as implausible (and rewrote).", nil)
	descPending   = newDesc("faultline_nats_pending_observations", "Observations a collector holds to send (the latest per device; never a backlog).", nil)
	descPublished = newDesc("faultline_nats_observations_published_total", "Observations the bucket acknowledged to a collector.", nil)
	descPutFailed = newDesc("faultline_nats_publish_failures_total", "A collector's puts that failed (the observation is kept to retry).", nil)
	descLastPub   = newDesc("faultline_nats_last_publish_timestamp_seconds", "When the bucket last acknowledged a collector's observation (Unix time).", nil)
)

var metricNames []string

func newDesc(name, help string, labels []string) *prometheus.Desc {
	metricNames = append(metricNames, name)
	return prometheus.NewDesc(name, help, labels, nil)
}

// MetricNames lists the metrics this package exports, for checks of the
// docs and of the shipped alerting rules and dashboard.
func MetricNames() []string { return slices.Clone(metricNames) }

// Metrics exposes a connection's metrics: an auditor's (with its Source)
// or a collector's (with its Publisher). p or s may be nil; their series
// are then left out.
func Metrics(b *Bus, p *Publisher, s *Source) prometheus.Collector {
	return &busMetrics{b: b, p: p, s: s}
}

type busMetrics struct {
	b *Bus
	p *Publisher
	s *Source
}

func (m *busMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- descConnected
	ch <- descReconn
	ch <- descDisconn
	if m.s != nil {
		ch <- descReceived
		ch <- descRejected
		ch <- descFSRej
	}
	if m.p != nil {
		ch <- descPending
		ch <- descPublished
		ch <- descPutFailed
		ch <- descLastPub
	}
}

func (m *busMetrics) Collect(ch chan<- prometheus.Metric) {
	up := 0.0
	if m.b.Connected() {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(descConnected, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(descReconn, prometheus.CounterValue, float64(m.b.Reconnects.Load()))
	ch <- prometheus.MustNewConstMetric(descDisconn, prometheus.CounterValue, float64(m.b.Disconnects.Load()))
	if s := m.s; s != nil {
		ch <- prometheus.MustNewConstMetric(descReceived, prometheus.CounterValue, float64(s.Received.Load()))
		for _, r := range Reasons {
			ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(s.Rejected(r)), r)
		}
		ch <- prometheus.MustNewConstMetric(descFSRej, prometheus.CounterValue, float64(m.b.FirstSeenRejected.Load()))
	}
	if p := m.p; p != nil {
		ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(p.Pending()))
		ch <- prometheus.MustNewConstMetric(descPublished, prometheus.CounterValue, float64(p.Published.Load()))
		ch <- prometheus.MustNewConstMetric(descPutFailed, prometheus.CounterValue, float64(p.Failed.Load()))
		if t := p.LastPublished(); !t.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLastPub, prometheus.GaugeValue, float64(t.UnixNano())/1e9)
		}
	}
}
