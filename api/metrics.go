package api

import (
	"bytes"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
)

// MaxFindingSeries bounds faultline_finding_open: one series per open
// critical finding, at most this many (the rest are counted in
// faultline_finding_open_dropped).
const MaxFindingSeries = 2000

var (
	descFindings = prometheus.NewDesc("faultline_findings", "Open findings by rule and severity.", []string{"rule", "severity"}, nil)
	descOpen     = prometheus.NewDesc("faultline_finding_open", "One series per open critical finding (value 1), labelled with its id, subject and nearest cause.", []string{"id", "rule", "subject", "cause"}, nil)
	descDropped  = prometheus.NewDesc("faultline_finding_open_dropped", "Critical findings left out of faultline_finding_open by its series limit.", nil, nil)
	descSvcUp    = prometheus.NewDesc("faultline_service_up", "Whether a service is up now (1) or down (0).", []string{"service"}, nil)
	descSvcSPOF  = prometheus.NewDesc("faultline_service_single_points_of_failure", "Components whose failure alone takes the service down now.", []string{"service"}, nil)
	descOK       = prometheus.NewDesc("faultline_device_collection_success", "Whether the device's last collection succeeded (1) or not (0).", []string{"device", "source"}, nil)
	descDur      = prometheus.NewDesc("faultline_device_collection_duration_seconds", "How long the device's last collection took.", []string{"device", "source"}, nil)
	descLast     = prometheus.NewDesc("faultline_device_last_success_timestamp_seconds", "When the device was last collected successfully (Unix time).", []string{"device", "source"}, nil)
	descReq      = prometheus.NewDesc("faultline_device_collection_requests", "Requests the device's last collection made.", []string{"device", "source"}, nil)
	descReloadOK = prometheus.NewDesc("faultline_inventory_reload_success", "Whether the last inventory (re)load succeeded (1) or was rejected (0).", nil, nil)
	descReloadTS = prometheus.NewDesc("faultline_inventory_reload_timestamp_seconds", "When the inventory was last (re)loaded or rejected (Unix time).", nil, nil)
	descAuditDur = prometheus.NewDesc("faultline_audit_duration_seconds", "How long the last audit took.", nil, nil)
	descAuditTS  = prometheus.NewDesc("faultline_audit_timestamp_seconds", "When the last audit ran (Unix time).", nil, nil)
	descCollDur  = prometheus.NewDesc("faultline_collection_duration_seconds", "How long the last collection took.", nil, nil)
	descCollTS   = prometheus.NewDesc("faultline_collection_timestamp_seconds", "When the last collection finished (Unix time).", nil, nil)
	descCollDev  = prometheus.NewDesc("faultline_collection_devices", "Devices polled in the last collection, by outcome.", []string{"outcome"}, nil)
	descInv      = prometheus.NewDesc("faultline_inventory_entries", "Entries in the inventory, by kind.", []string{"kind"}, nil)
)

// snapshotCollector exposes one snapshot as metrics.
type snapshotCollector struct{ s *engine.Snapshot }

func (c snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFindings, descOpen, descDropped, descSvcUp, descSvcSPOF, descOK, descDur, descLast, descReq,
		descReloadOK, descReloadTS, descAuditDur, descAuditTS, descCollDur, descCollTS, descCollDev, descInv} {
		ch <- d
	}
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func (c snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	counts := map[[2]string]int{}
	for _, r := range audit.Rules {
		counts[[2]string{r.ID, string(r.Severity)}] = 0
	}
	open, dropped := 0, 0
	for _, f := range s.Report.Findings {
		counts[[2]string{f.Rule, string(f.Severity)}]++
		if f.Severity != audit.Critical {
			continue
		}
		if open >= MaxFindingSeries {
			dropped++
			continue
		}
		open++
		cause := ""
		if len(f.Causes) > 0 {
			cause = f.Causes[0]
		}
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, 1, f.ID, f.Rule, f.Subject, cause)
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(descFindings, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.GaugeValue, float64(dropped))
	a := s.Analysis
	for i, svc := range a.G.Services {
		up := 0.0
		if a.NowSvc[i].Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descSvcUp, prometheus.GaugeValue, up, svc.ID)
		ch <- prometheus.MustNewConstMetric(descSvcSPOF, prometheus.GaugeValue, float64(len(a.NowSvc[i].Cuts)), svc.ID)
	}
	for _, o := range s.Observations {
		ok := 0.0
		if o.Error == "" {
			ok = 1
		}
		ch <- prometheus.MustNewConstMetric(descOK, prometheus.GaugeValue, ok, o.ID, o.Source)
		ch <- prometheus.MustNewConstMetric(descDur, prometheus.GaugeValue, time.Duration(o.Duration).Seconds(), o.ID, o.Source)
		ch <- prometheus.MustNewConstMetric(descReq, prometheus.GaugeValue, float64(o.Requests), o.ID, o.Source)
		if !o.CollectedAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLast, prometheus.GaugeValue, unixSeconds(o.CollectedAt), o.ID, o.Source)
		}
	}
	ok := 0.0
	if s.Reload.OK {
		ok = 1
	}
	ch <- prometheus.MustNewConstMetric(descReloadOK, prometheus.GaugeValue, ok)
	ch <- prometheus.MustNewConstMetric(descReloadTS, prometheus.GaugeValue, unixSeconds(s.Reload.At))
	ch <- prometheus.MustNewConstMetric(descAuditDur, prometheus.GaugeValue, s.AuditDuration.Seconds())
	ch <- prometheus.MustNewConstMetric(descAuditTS, prometheus.GaugeValue, unixSeconds(s.AuditedAt))
	if j := s.Collection; j != nil {
		ch <- prometheus.MustNewConstMetric(descCollDur, prometheus.GaugeValue, j.Duration.Seconds())
		ch <- prometheus.MustNewConstMetric(descCollTS, prometheus.GaugeValue, unixSeconds(j.Finished))
		ch <- prometheus.MustNewConstMetric(descCollDev, prometheus.GaugeValue, float64(j.Devices-j.Failed), "ok")
		ch <- prometheus.MustNewConstMetric(descCollDev, prometheus.GaugeValue, float64(j.Failed), "failed")
	}
	sum := s.Inventory.Summarize()
	for kind, n := range map[string]int{"site": sum.Sites, "rack": sum.Racks, "power": sum.Power, "device": sum.Devices, "psu": sum.PSUs, "link": sum.Links, "service": sum.Services} {
		ch <- prometheus.MustNewConstMetric(descInv, prometheus.GaugeValue, float64(n), kind)
	}
}

// RenderMetrics renders a snapshot's metrics in the Prometheus text
// format. The server does it once per snapshot and serves the bytes.
func RenderMetrics(s *engine.Snapshot) ([]byte, error) {
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(snapshotCollector{s}); err != nil {
		return nil, err
	}
	return gatherText(reg)
}

func gatherText(g prometheus.Gatherer) ([]byte, error) {
	mfs, err := g.Gather()
	if err != nil {
		return nil, err
	}
	sort.Slice(mfs, func(i, j int) bool { return mfs[i].GetName() < mfs[j].GetName() })
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// contentType is the Prometheus text exposition format.
var contentType = string(expfmt.NewFormat(expfmt.TypeTextPlain))
