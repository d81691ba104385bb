package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// scrape fetches /metrics with the given Accept and Accept-Encoding and
// returns the decoded body, checking the gzip stream is one well-formed
// member (the reader checks its CRC-32 and size).
func scrape(t *testing.T, s *Server, accept, encoding string) (body, ctype, cenc string) {
	t.Helper()
	h := map[string]string{}
	if accept != "" {
		h["Accept"] = accept
	}
	if encoding != "" {
		h["Accept-Encoding"] = encoding
	}
	rec := do(t, s, call{method: "GET", path: "/metrics", header: h})
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body.String())
	}
	if cl := rec.Header().Get("Content-Length"); cl == "" || cl != itoa(rec.Body.Len()) {
		t.Errorf("Content-Length %q for %d bytes", cl, rec.Body.Len())
	}
	raw := rec.Body.Bytes()
	cenc = rec.Header().Get("Content-Encoding")
	if cenc == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if rest, _ := io.ReadAll(zr); len(rest) != 0 {
			t.Errorf("%d bytes after the gzip member", len(rest))
		}
		raw = plain
	}
	return string(raw), rec.Header().Get("Content-Type"), cenc
}

func itoa(n int) string { return strconv.Itoa(n) }

// faultlineLines are the body's lines about faultline's own series (the
// runtime series change between scrapes).
func faultlineLines(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, "faultline_") {
			out = append(out, l)
		}
	}
	return out
}

// TestMetricsNegotiation: every format and encoding a scraper may ask for
// serves the same faultline series; gzip only when asked, OpenMetrics
// only when asked, closed by exactly one "# EOF".
func TestMetricsNegotiation(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	const prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	plain, _, _ := scrape(t, s, "", "")
	want := faultlineLines(plain)
	if len(want) < 50 {
		t.Fatalf("only %d faultline lines in the text format", len(want))
	}
	cases := []struct {
		name, accept, encoding string
		ctype, cenc            string
	}{
		{"text", "", "", "text/plain; version=0.0.4", ""},
		{"text gzip", "", "gzip", "text/plain; version=0.0.4", "gzip"},
		{"text gzip among others", "text/plain", "br;q=1.0, gzip;q=0.8, deflate", "text/plain; version=0.0.4", "gzip"},
		{"gzip refused", "", "gzip;q=0, identity", "text/plain; version=0.0.4", ""},
		{"star", "", "*", "text/plain; version=0.0.4", "gzip"},
		{"star but not gzip", "", "gzip;q=0, *", "text/plain; version=0.0.4", ""},
		{"openmetrics", "application/openmetrics-text; version=1.0.0", "", "application/openmetrics-text; version=1.0.0", ""},
		{"openmetrics 0.0.1", "application/openmetrics-text; version=0.0.1", "", "application/openmetrics-text; version=1.0.0", ""},
		{"prometheus", prometheusAccept, "gzip", "application/openmetrics-text; version=1.0.0", "gzip"},
		{"protobuf only", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "", "text/plain; version=0.0.4", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 { // the second scrape serves what the first rendered
				body, ctype, cenc := scrape(t, s, tc.accept, tc.encoding)
				if !strings.HasPrefix(ctype, tc.ctype) {
					t.Errorf("Content-Type %q, want %s", ctype, tc.ctype)
				}
				if cenc != tc.cenc {
					t.Errorf("Content-Encoding %q, want %q", cenc, tc.cenc)
				}
				om := strings.HasPrefix(tc.ctype, "application/openmetrics-text")
				if got := strings.Count(body, "# EOF\n"); om && (got != 1 || !strings.HasSuffix(body, "# EOF\n")) {
					t.Errorf("OpenMetrics body has %d # EOF lines (suffix %t)", got, strings.HasSuffix(body, "# EOF\n"))
				} else if !om && got != 0 {
					t.Error("text body has a # EOF line")
				}
				if !strings.Contains(body, "go_goroutines") {
					t.Error("runtime series missing")
				}
				got := faultlineLines(body)
				if om {
					if !strings.Contains(body, "# TYPE faultline_findings gauge") {
						t.Error("OpenMetrics body lacks TYPE lines")
					}
					if strings.Join(samples(got), "\n") != strings.Join(samples(want), "\n") {
						t.Errorf("OpenMetrics samples differ from the text format's")
					}
					continue
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("faultline series differ from the plain text scrape")
				}
			}
		})
	}
}

// samples are the sample lines with their values normalized
// (OpenMetrics writes 1 as "1.0").
func samples(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			out = append(out, l)
			continue
		}
		out = append(out, l[:i]+" "+strconv.FormatFloat(v, 'g', -1, 64))
	}
	return out
}

// TestMetricsPrerendered: once a scraper has asked for gzip, the next
// audit's snapshot has it compressed before any request.
func TestMetricsPrerendered(t *testing.T) {
	s, eng, _ := newTestServer(t, token)
	eng.Snapshot()
	scrape(t, s, "application/openmetrics-text; version=1.0.0", "gzip")
	snap := eng.Snapshot()
	next := *snap
	next.Seq++
	s.Prerender(&next)
	r := s.cache.Load()
	if r.seq != next.Seq {
		t.Fatalf("cache at seq %d, want %d", r.seq, next.Seq)
	}
	x := r.metrics.formats[formatOpenMetrics]
	if x == nil || x.gz == nil {
		t.Fatal("OpenMetrics gzip not rendered by Prerender")
	}
	if r.metrics.formats[formatText] == nil {
		t.Error("text not rendered by Prerender")
	}
	if r.metrics.formats[formatText].gz != nil {
		t.Error("text gzip rendered though no scraper asked for it")
	}
}

// TestPromtoolCheckMetrics: promtool (Debian's prometheus package) finds
// nothing to complain about in the text exposition.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := lookTool(t, "promtool")
	s, _, _ := newTestServer(t, token)
	body, _, _ := scrape(t, s, "", "gzip")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// lookTool finds a binary from .ci/apt-packages: absent, the test skips
// locally and fails in CI, which installs it.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: CI installs it from .ci/apt-packages", name)
		}
		t.Skipf("%s not installed (apt-get install the package in .ci/apt-packages)", name)
	}
	return path
}

// TestMetricsDocumented: docs/metrics.md names every metric, and every
// metric is exported: the series a scrape of a server with history and
// observations carries.
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
	if len(MetricNames()) < 19 {
		t.Errorf("MetricNames: %v", MetricNames())
	}
}

// FuzzAcceptsGzip: any Accept-Encoding header is read without panicking,
// and gzip is chosen only when the header names gzip or "*".
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "br, gzip;q=0.5", "*;q=1", "identity", "GZIP ; Q=0.001", "gzip;q=x", ",,;;=", "x-gzip"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := acceptsGzip([]string{v})
		lower := strings.ToLower(v)
		if got && !strings.Contains(lower, "gzip") && !strings.Contains(lower, "*") {
			t.Fatalf("acceptsGzip(%q) without gzip or *", v)
		}
		if strings.TrimSpace(v) == "" && got {
			t.Fatalf("acceptsGzip(%q)", v)
		}
	})
}

// TestMetricsExtraCollectors: Options.Metrics (the NATS connection's) are
// served in every format and encoding, read at scrape time: a change
// shows without a new audit.
func TestMetricsExtraCollectors(t *testing.T) {
	_, eng, _ := newTestServer(t, token)
	var v atomic.Int64
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "faultline_nats_connected", Help: "test"}, func() float64 { return float64(v.Load()) })
	s := New(eng, Options{Metrics: []prometheus.Collector{g}})
	s.Prerender(eng.Snapshot())
	for _, tc := range []struct{ accept, encoding string }{{"", ""}, {"", "gzip"}, {"application/openmetrics-text; version=1.0.0", ""}, {"application/openmetrics-text; version=1.0.0", "gzip"}} {
		body, _, _ := scrape(t, s, tc.accept, tc.encoding)
		if !strings.Contains(body, "\nfaultline_nats_connected 0") || !strings.Contains(body, "faultline_audit_timestamp_seconds") {
			t.Errorf("%q %q: the extra series or the snapshot's missing:\n%s", tc.accept, tc.encoding, strings.Join(faultlineLines(body), "\n"))
		}
	}
	seq := eng.Snapshot().Seq
	v.Store(1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		body, _, _ := scrape(t, s, "", "")
		if strings.Contains(body, "\nfaultline_nats_connected 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the extra series never changed without an audit")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if eng.Snapshot().Seq != seq {
		t.Error("an audit ran during the test")
	}
}
