package api

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
)

// MaxFindingSeries bounds faultline_finding_open: one series per open
// critical finding, at most this many (the rest are counted in
// faultline_finding_open_dropped).
const MaxFindingSeries = 2000

var (
	descFindings = newDesc("faultline_findings", "Open findings by rule and severity.", []string{"rule", "severity"}, nil)
	descOpen     = newDesc("faultline_finding_open", "One series per open critical finding (value 1), labelled with its id, subject and nearest cause.", []string{"id", "rule", "subject", "cause"}, nil)
	descDropped  = newDesc("faultline_finding_open_dropped", "Critical findings left out of faultline_finding_open by its series limit.", nil, nil)
	descSvcUp    = newDesc("faultline_service_up", "Whether a service is up now (1) or down (0).", []string{"service"}, nil)
	descSvcSPOF  = newDesc("faultline_service_single_points_of_failure", "Components whose failure alone takes the service down now.", []string{"service"}, nil)
	descSvcDown  = newDesc("faultline_service_expected_downtime_seconds_per_year", "The service's expected downtime a year as designed, from the components' failure rates and repair times (docs/reliability.md).", []string{"service"}, nil)
	descSvcUnav  = newDesc("faultline_service_unavailability", "The service's steady-state unavailability as designed: the probability that it is down at a random moment (docs/reliability.md).", []string{"service"}, nil)
	descOK       = newDesc("faultline_device_collection_success", "Whether the device's last collection succeeded (1) or not (0).", []string{"device", "source"}, nil)
	descDur      = newDesc("faultline_device_collection_duration_seconds", "How long the device's last collection took.", []string{"device", "source"}, nil)
	descLast     = newDesc("faultline_device_last_success_timestamp_seconds", "When the device was last collected successfully (Unix time).", []string{"device", "source"}, nil)
	descReq      = newDesc("faultline_device_collection_requests", "Requests the device's last collection made.", []string{"device", "source"}, nil)
	descReloadOK = newDesc("faultline_inventory_reload_success", "Whether the last inventory (re)load succeeded (1) or was rejected (0).", nil, nil)
	descReloadTS = newDesc("faultline_inventory_reload_timestamp_seconds", "When the inventory was last (re)loaded or rejected (Unix time).", nil, nil)
	descAuditDur = newDesc("faultline_audit_duration_seconds", "How long the last audit took.", nil, nil)
	descAuditTS  = newDesc("faultline_audit_timestamp_seconds", "When the last audit ran (Unix time).", nil, nil)
	descCollDur  = newDesc("faultline_collection_duration_seconds", "How long the last collection took.", nil, nil)
	descCollTS   = newDesc("faultline_collection_timestamp_seconds", "When the last collection finished (Unix time).", nil, nil)
	descCollDev  = newDesc("faultline_collection_devices", "Devices polled in the last collection, by outcome.", []string{"outcome"}, nil)
	descInv      = newDesc("faultline_inventory_entries", "Entries in the inventory, by kind.", []string{"kind"}, nil)
	descHistFail = newDesc("faultline_history_write_failures_total", "Writes to the history database (--data) that failed since the start: history is being lost while this grows.", nil, nil)
	descHistOK   = newDesc("faultline_history_last_write_success_timestamp_seconds", "When a write to the history database last succeeded (Unix time; 0: none yet).", nil, nil)
)

// metricNames are the names of faultline's own metrics, in declaration
// order (newDesc adds them).
var metricNames []string

func newDesc(name, help string, labels []string, constLabels prometheus.Labels) *prometheus.Desc {
	metricNames = append(metricNames, name)
	return prometheus.NewDesc(name, help, labels, constLabels)
}

// MetricNames lists every metric faultline itself exports (the Go and
// process metrics of the client library come on top), for checks of the
// shipped alerting rules and dashboard.
func MetricNames() []string { return slices.Clone(metricNames) }

// snapshotCollector exposes one snapshot as metrics.
type snapshotCollector struct{ s *engine.Snapshot }

func (c snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFindings, descOpen, descDropped, descSvcUp, descSvcSPOF, descSvcDown, descSvcUnav, descOK, descDur, descLast, descReq,
		descReloadOK, descReloadTS, descAuditDur, descAuditTS, descCollDur, descCollTS, descCollDev, descInv, descHistFail, descHistOK} {
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
	serviceMetrics(ch, s.Analysis)
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
	collectionMetrics(ch, s.Collection)
	if s.History {
		h := s.HistoryHealth
		ch <- prometheus.MustNewConstMetric(descHistFail, prometheus.CounterValue, float64(h.WriteFailures))
		last := 0.0
		if !h.LastSuccess.IsZero() {
			last = unixSeconds(h.LastSuccess)
		}
		ch <- prometheus.MustNewConstMetric(descHistOK, prometheus.GaugeValue, last)
	}
	sum := s.Inventory.Summarize()
	for kind, n := range map[string]int{"site": sum.Sites, "rack": sum.Racks, "power": sum.Power, "device": sum.Devices, "psu": sum.PSUs, "link": sum.Links, "service": sum.Services} {
		ch <- prometheus.MustNewConstMetric(descInv, prometheus.GaugeValue, float64(n), kind)
	}
}

// collectionMetrics are the last collection's series (none before the
// first), an auditor's and a collector's alike.
func collectionMetrics(ch chan<- prometheus.Metric, j *engine.Job) {
	if j == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descCollDur, prometheus.GaugeValue, j.Duration.Seconds())
	ch <- prometheus.MustNewConstMetric(descCollTS, prometheus.GaugeValue, unixSeconds(j.Finished))
	ch <- prometheus.MustNewConstMetric(descCollDev, prometheus.GaugeValue, float64(j.Devices-j.Failed), "ok")
	ch <- prometheus.MustNewConstMetric(descCollDev, prometheus.GaugeValue, float64(j.Failed), "failed")
}

// serviceMetrics are each service's series: up now, its single points of
// failure now, and (when the audit computed the reliability figures) its
// expected downtime and unavailability as designed.
func serviceMetrics(ch chan<- prometheus.Metric, a *audit.Analysis) {
	for i, svc := range a.G.Services {
		up := 0.0
		if a.CurrentServices[i].Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descSvcUp, prometheus.GaugeValue, up, svc.ID)
		ch <- prometheus.MustNewConstMetric(descSvcSPOF, prometheus.GaugeValue, float64(len(a.CurrentServices[i].Cuts)), svc.ID)
		if a.Figures != nil {
			f := &a.Figures.Services[i]
			ch <- prometheus.MustNewConstMetric(descSvcDown, prometheus.GaugeValue, f.DowntimeMinutes()*60, svc.ID)
			ch <- prometheus.MustNewConstMetric(descSvcUnav, prometheus.GaugeValue, f.Unavailability, svc.ID)
		}
	}
}

// RenderMetrics renders a snapshot's metrics in the Prometheus text
// format. The server does it once per snapshot and serves the bytes.
func RenderMetrics(s *engine.Snapshot) ([]byte, error) {
	return renderSnapshot(s, formatText)
}

func renderSnapshot(s *engine.Snapshot, f format) ([]byte, error) {
	mfs, err := gatherSnapshot(s)
	if err != nil {
		return nil, err
	}
	return encode(mfs, f)
}

// gatherSnapshot collects a snapshot's metric families (the costly part
// of rendering: every series built and checked), to encode in as many
// formats as needed.
func gatherSnapshot(s *engine.Snapshot) ([]*dto.MetricFamily, error) {
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(snapshotCollector{s}); err != nil {
		return nil, err
	}
	return reg.Gather()
}

// format is an exposition format /metrics serves.
type format int

const (
	formatText        format = iota // text/plain; version=0.0.4
	formatOpenMetrics               // application/openmetrics-text; version=1.0.0
	numFormats
)

var (
	contentTypes = [numFormats]string{
		formatText:        string(expfmt.FmtText),
		formatOpenMetrics: string(expfmt.FmtOpenMetrics_1_0_0),
	}
	// contentTypeHeaders are contentTypes as header values, allocated once.
	contentTypeHeaders = [numFormats][]string{{contentTypes[formatText]}, {contentTypes[formatOpenMetrics]}}
)

// gather renders a gatherer's families, sorted by name, in one format.
// OpenMetrics output lacks its closing "# EOF" line: the snapshot's and
// the runtime's families are rendered apart and served one after the
// other, and only the last part is finalized.
func gather(g prometheus.Gatherer, f format) ([]byte, error) {
	mfs, err := g.Gather()
	if err != nil {
		return nil, err
	}
	return encode(mfs, f)
}

func encode(mfs []*dto.MetricFamily, f format) ([]byte, error) {
	sort.Slice(mfs, func(i, j int) bool { return mfs[i].GetName() < mfs[j].GetName() })
	var buf bytes.Buffer
	var err error
	for _, mf := range mfs {
		if f == formatOpenMetrics {
			_, err = expfmt.MetricFamilyToOpenMetrics(&buf, mf)
		} else {
			_, err = expfmt.MetricFamilyToText(&buf, mf)
		}
		if err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// negotiate picks the format and whether to gzip from a scrape's Accept
// and Accept-Encoding headers. Prometheus asks for OpenMetrics first and
// for gzip.
func negotiate(h http.Header) (format, bool) {
	f := formatText
	if expfmt.NegotiateAccept(h, expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1, expfmt.FmtText).FormatType() == expfmt.TypeOpenMetrics {
		f = formatOpenMetrics
	}
	return f, acceptsGzip(h.Values("Accept-Encoding"))
}

// acceptsGzip reports whether Accept-Encoding values allow gzip: listed
// (or "*") with a quality above zero, per RFC 9110 section 12.5.3.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			ok := true
			for _, p := range strings.Split(params, ";") {
				k, val, found := strings.Cut(strings.TrimSpace(p), "=")
				if found && strings.EqualFold(strings.TrimSpace(k), "q") {
					q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					ok = err == nil && q > 0
				}
			}
			if coding == "*" {
				star = star || ok
				continue
			}
			return ok
		}
	}
	return star
}

// exposition is a snapshot's metrics in one format, and their gzip form
// once a scraper has asked for it. The gzip form is a gzip header and the
// bytes deflated up to a sync flush (byte-aligned, not final): a scrape
// appends the runtime part as the final deflate blocks and a trailer whose
// CRC continues the snapshot part's, so each scrape costs a copy and the
// compression of a few kilobytes, never of the whole fleet.
type exposition struct {
	plain  []byte
	gzOnce sync.Once
	gz     []byte
	crc    uint32
	gzErr  error
}

func (x *exposition) gzipped() ([]byte, uint32, error) {
	x.gzOnce.Do(func() {
		var buf bytes.Buffer
		buf.Grow(len(x.plain)/8 + 64)
		buf.Write(gzipHeader)
		w, err := flate.NewWriter(&buf, gzipLevel)
		if err == nil {
			if _, err = w.Write(x.plain); err == nil {
				err = w.Flush()
			}
		}
		x.gz, x.crc, x.gzErr = buf.Bytes(), crc32.ChecksumIEEE(x.plain), err
	})
	return x.gz, x.crc, x.gzErr
}

// gzipLevel trades the once-per-audit compression time against bytes on
// the wire; docs/performance.md has the figures.
const gzipLevel = flate.BestSpeed

// gzipHeader is a minimal RFC 1952 member header: deflate, no name, no
// time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// gzipTail finishes a gzip stream begun by exposition.gzipped: the
// runtime part as final deflate blocks, then CRC-32 and size of the whole.
func gzipTail(deflated []byte, crc uint32, size int, rest []byte) []byte {
	out := make([]byte, 0, len(deflated)+8)
	out = append(out, deflated...)
	crc = crc32.Update(crc, crc32.IEEETable, rest)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(size+len(rest)))
}

// snapshotMetrics are a snapshot's expositions, rendered on demand once.
type snapshotMetrics struct {
	snap    *engine.Snapshot
	once    [numFormats]sync.Once
	formats [numFormats]*exposition
	errs    [numFormats]error
}

func (m *snapshotMetrics) get(f format) (*exposition, error) {
	return m.getFrom(nil, f)
}

// getFrom is get, encoding already gathered families if given.
func (m *snapshotMetrics) getFrom(mfs []*dto.MetricFamily, f format) (*exposition, error) {
	m.once[f].Do(func() {
		var b []byte
		var err error
		if mfs != nil {
			b, err = encode(mfs, f)
		} else {
			b, err = renderSnapshot(m.snap, f)
		}
		m.formats[f], m.errs[f] = &exposition{plain: b}, err
	})
	return m.formats[f], m.errs[f]
}

// runtimePart is the Go and process metrics (and Options.Metrics), gathered at most once a
// second so that /metrics stays a memory copy however often it is
// scraped, in every format, each also as final deflate blocks.
type runtimePart struct {
	at       time.Time
	plain    [numFormats][]byte
	deflated [numFormats][]byte
}

func (s *Server) runtimeMetrics() *runtimePart {
	s.runtimeM.Lock()
	defer s.runtimeM.Unlock()
	if s.runtimeOut != nil && time.Since(s.runtimeOut.at) < time.Second {
		return s.runtimeOut
	}
	p := &runtimePart{at: time.Now()}
	mfs, err := s.runtime.Gather()
	if err != nil {
		s.log.Warn("runtime metrics", "error", err)
	}
	for f := range numFormats {
		out, err := encode(mfs, f)
		if err != nil {
			s.log.Warn("runtime metrics", "format", contentTypes[f], "error", err)
		}
		if f == formatOpenMetrics {
			out = append(out, "# EOF\n"...)
		}
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, gzipLevel)
		_, _ = w.Write(out)
		_ = w.Close()
		p.plain[f], p.deflated[f] = out, buf.Bytes()
	}
	s.runtimeOut = p
	return p
}

// metrics serves /metrics: the snapshot's part rendered once per audit in
// the format asked for (pre-rendered for every audit once a scraper has
// asked for that format and encoding), then the runtime part.
func (s *Server) metrics(c *gin.Context) {
	f, gz := negotiate(c.Request.Header)
	s.wantMetrics(f, gz)
	_, r, err := s.current()
	var x *exposition
	if err == nil {
		x, err = r.metrics.get(f)
	}
	var deflated []byte
	var crc uint32
	if err == nil && gz {
		deflated, crc, err = x.gzipped()
	}
	if err != nil {
		s.log.Error("rendering metrics", "error", err)
		jsonError(c, http.StatusInternalServerError, "rendering metrics failed")
		return
	}
	live := s.runtimeMetrics()
	h := c.Writer.Header()
	h["Content-Type"] = contentTypeHeaders[f]
	h["Vary"] = varyMetrics
	if !gz {
		h["Content-Length"] = []string{strconv.Itoa(len(x.plain) + len(live.plain[f]))}
		c.Status(http.StatusOK)
		_, _ = c.Writer.Write(x.plain)
		_, _ = c.Writer.Write(live.plain[f])
		return
	}
	tail := gzipTail(live.deflated[f], crc, len(x.plain), live.plain[f])
	h["Content-Encoding"] = gzipEncoding
	h["Content-Length"] = []string{strconv.Itoa(len(deflated) + len(tail))}
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(deflated)
	_, _ = c.Writer.Write(tail)
}

var (
	varyMetrics  = []string{"Accept, Accept-Encoding"}
	gzipEncoding = []string{"gzip"}
)

// wantMetrics remembers that a scraper asked for a format and encoding,
// so that Prerender renders it for every later audit, off the request
// path.
func (s *Server) wantMetrics(f format, gz bool) {
	bit := uint32(1) << (2*uint32(f) + b2u(gz))
	if s.metricWants.Load()&bit == 0 {
		s.metricWants.Or(bit)
	}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// prerenderMetrics renders the plain text and whatever scrapers have
// asked for so far.
func (s *Server) prerenderMetrics(m *snapshotMetrics) error {
	wants := s.metricWants.Load() | 1 // plain text always
	// Gather once for every format wanted.
	mfs, err := gatherSnapshot(m.snap)
	if err != nil {
		return err
	}
	for f := range numFormats {
		plain, gz := wants&(1<<(2*uint32(f))) != 0, wants&(1<<(2*uint32(f)+1)) != 0
		if !plain && !gz {
			continue
		}
		x, err := m.getFrom(mfs, f)
		if err != nil {
			return err
		}
		if gz {
			if _, _, err := x.gzipped(); err != nil {
				return err
			}
		}
	}
	return nil
}
