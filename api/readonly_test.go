package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	htmlreport "github.com/faultline/faultline/report"
)

// TestReadOnlyWhatIfAndPlan: GET /api/v1/whatif and GET /api/v1/plan need
// no token and answer exactly what the POSTs answer for the same question;
// their queries are checked as strictly as the bodies.
func TestReadOnlyWhatIfAndPlan(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	same := []struct {
		name      string
		get, post call
	}{
		{"whatif", call{method: "GET", path: "/api/v1/whatif?fail=pdu-r03-a,tor-3b"},
			call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["pdu-r03-a","tor-3b"]}`, header: bearer}},
		{"whatif repeated", call{method: "GET", path: "/api/v1/whatif?fail=pdu-r03-a&fail=tor-3b"},
			call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["pdu-r03-a","tor-3b"]}`, header: bearer}},
		{"plan", call{method: "GET", path: "/api/v1/plan?maintain=pdu-r03-a,tor-3b"},
			call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["pdu-r03-a","tor-3b"]}`, header: bearer}},
		{"plan options", call{method: "GET", path: "/api/v1/plan?maintain=tor-*&keep_redundancy=true&max_batch=2"},
			call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["tor-*"],"keep_redundancy":true,"max_batch":2}`, header: bearer}},
	}
	for _, tc := range same {
		t.Run(tc.name, func(t *testing.T) {
			get, post := do(t, s, tc.get), do(t, s, tc.post)
			if get.Code != 200 || post.Code != 200 {
				t.Fatalf("GET %d, POST %d: %s %s", get.Code, post.Code, get.Body, post.Body)
			}
			var g, p map[string]any
			if err := json.Unmarshal(get.Body.Bytes(), &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(post.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			delete(g, "generated_at")
			delete(p, "generated_at")
			if diff := cmp.Diff(p, g); diff != "" {
				t.Errorf("GET and POST differ (-post +get):\n%s", diff)
			}
		})
	}
	bad := []struct {
		name   string
		path   string
		status int
		want   string
	}{
		{"whatif nothing", "/api/v1/whatif", 400, "name what fails"},
		{"whatif empty", "/api/v1/whatif?fail=,", 400, "name what fails"},
		{"whatif misspelt", "/api/v1/whatif?fial=feed-a", 400, `unknown query parameter \"fial\": use fail`},
		{"whatif unknown id", "/api/v1/whatif?fail=pdu-r3-a", 422, "pdu-r03-a"},
		{"whatif too many", "/api/v1/whatif?fail=" + strings.Repeat("x,", 1001), 400, "at most 1000"},
		{"whatif bad escape", "/api/v1/whatif?fail=%zz", 400, "bad query string"},
		{"plan nothing", "/api/v1/plan", 400, "name what to maintain"},
		{"plan bad bool", "/api/v1/plan?maintain=tor-2a&keep_redundancy=maybe", 400, "keep_redundancy must be true or false"},
		{"plan bad batch", "/api/v1/plan?maintain=tor-2a&max_batch=two", 400, "max_batch must be a whole number"},
		{"plan negative batch", "/api/v1/plan?maintain=tor-2a&max_batch=-1", 400, "max_batch"},
		{"plan unknown selector", "/api/v1/plan?maintain=feed-c", 422, "matches no component"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, call{method: "GET", path: tc.path})
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("status %d body %s, want %d with %q", rec.Code, rec.Body, tc.status, tc.want)
			}
		})
	}
	// The mutating POST still needs the token.
	if rec := do(t, s, call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["feed-a"]}`}); rec.Code != 401 {
		t.Errorf("POST whatif without a token: %d", rec.Code)
	}
}

// TestWhatIfMatchesAuditOverGET: the read-only what-if is the audit's.
func TestWhatIfMatchesAuditOverGET(t *testing.T) {
	s, eng, _ := newTestServer(t, "")
	rec := do(t, s, call{method: "GET", path: "/api/v1/whatif?fail=pdu-r03-a,tor-3b"})
	var got audit.WhatIf
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	want, err := eng.WhatIf([]string{"pdu-r03-a", "tor-3b"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Down, got.Down); diff != "" {
		t.Errorf("down differs (-audit +api):\n%s", diff)
	}
	if diff := cmp.Diff(want.Overloaded, got.Overloaded); diff != "" {
		t.Errorf("overloaded differs (-audit +api):\n%s", diff)
	}
}

func TestInventorySchemaRoute(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	rec := do(t, s, call{method: "GET", path: "/api/v1/schema/inventory.json"})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/schema+json" {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec.Body.String() != string(inventory.Schema()) {
		t.Error("the served schema is not inventory.Schema()")
	}
}

// FuzzReadOnlyQuery: any query string on the read-only what-if, plan and
// report page is answered with a JSON error (4xx) or an answer — never a
// panic or a 500 — and a 200 what-if or plan is JSON.
func FuzzReadOnlyQuery(f *testing.F) {
	for _, q := range []string{"fail=pdu-r03-a,tor-3b", "fail=pdu-r03-a&fail=tor-3b", "fail=%zz", "fial=x", "fail=,,,",
		"maintain=tor-*&keep_redundancy=true&max_batch=2", "maintain=kind=switch", "max_batch=-1&maintain=x", "fail=db-1/PSU1;x",
		"fail=" + strings.Repeat("a,", 50)} {
		f.Add(q)
	}
	s, _, _ := newTestServerF(f)
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"/api/v1/whatif", "/api/v1/plan", "/report"} {
			req := httptestRequest(path)
			req.URL.RawQuery = q
			rec := httptestRecorder()
			s.ServeHTTP(rec, req)
			switch {
			case rec.Code >= 500:
				t.Fatalf("GET %s?%s: %d %s", path, q, rec.Code, rec.Body)
			case rec.Code == 200 && path != "/report" && !json.Valid(rec.Body.Bytes()):
				t.Fatalf("GET %s?%s: 200 with no JSON", path, q)
			case rec.Code >= 400 && path != "/report" && !strings.Contains(rec.Body.String(), `"error"`):
				t.Fatalf("GET %s?%s: %d without a JSON error: %s", path, q, rec.Code, rec.Body)
			}
		}
	})
}

// newTestServerF is newTestServer (for fuzz targets too) serving the report
// page and its what-if as faultline serve does.
func newTestServerF(f testing.TB) (*Server, *engine.Engine, string) {
	f.Helper()
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: "../inventory.yaml", WatchInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { eng.Close() })
	page := func(s *engine.Snapshot, fail []string, w *audit.WhatIf, werr error) ([]byte, error) {
		var buf bytes.Buffer
		opts := htmlreport.HTMLOptions{WhatIfAction: "/report", Fail: fail, WhatIf: w}
		if werr != nil {
			opts.WhatIfError = werr.Error()
		}
		err := htmlreport.HTML(&buf, s.Analysis.G, s.Report, opts)
		return buf.Bytes(), err
	}
	plain := func(s *engine.Snapshot) ([]byte, error) { return page(s, nil, nil, nil) }
	return New(eng, Options{ReportHTML: plain, ReportWhatIf: page}), eng, "../inventory.yaml"
}

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// TestReportPageWhatIf: /report?fail= renders the answer into the page, so
// that a link works without the page's script.
func TestReportPageWhatIf(t *testing.T) {
	s, _, _ := newTestServerF(t)
	cases := []struct {
		name, query string
		status      int
		want, lack  []string
	}{
		{"answer", "fail=pdu-r03-a,tor-3b", 200, []string{`data-list="down"`, `data-kind="device" data-id="tor-3b"`, `data-kind="power" data-id="pdu-r03-b"`, `value="pdu-r03-a,tor-3b"`, `id="wi-marks"`}, nil},
		{"unknown id", "fail=pdu-r3-a", 422, []string{`class="wi-error"`, "pdu-r03-a"}, []string{`data-list="down"`}},
		{"escaped", "fail=%3Cscript%3Ealert(1)%3C/script%3E", 422, []string{"&lt;script&gt;"}, []string{"<script>alert(1)"}},
		{"no question", "utm_source=ticket", 200, []string{`id="wi-fail"`}, []string{`data-list="down"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, call{method: "GET", path: "/report?" + tc.query})
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			body := rec.Body.String()
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %s", w)
				}
			}
			for _, l := range tc.lack {
				if strings.Contains(body, l) {
					t.Errorf("the page has %s", l)
				}
			}
		})
	}
}
