package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
)

const token = "s3cret-token"

// newTestServer serves the bundled inventory (copied to a temp dir so the
// reload tests can change it) with no collectors.
func newTestServer(t testing.TB, tok string) (*Server, *engine.Engine, string) {
	t.Helper()
	data, err := os.ReadFile("../inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: path, WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return New(eng, Options{Token: tok, MaxBody: 1024}), eng, path
}

type call struct {
	method, path, body string
	header             map[string]string
}

func do(t *testing.T, h http.Handler, c call) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.path, body)
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var bearer = map[string]string{"Authorization": "Bearer " + token}

func TestRoutes(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	cases := []struct {
		name   string
		call   call
		status int
		want   string // substring of the body
		ctype  string
	}{
		{"healthz", call{method: "GET", path: "/healthz"}, 200, `"ok"`, "application/json"},
		{"readyz", call{method: "GET", path: "/readyz"}, 200, `"ready":true`, "application/json"},
		{"metrics", call{method: "GET", path: "/metrics"}, 200, `faultline_findings{rule="spof",severity="critical"} 8`, "text/plain"},
		{"metrics runtime", call{method: "GET", path: "/metrics"}, 200, "go_goroutines", "text/plain"},
		{"report page", call{method: "GET", path: "/report"}, 200, "<html", "text/html"},
		{"openapi", call{method: "GET", path: "/api/v1/openapi.json"}, 200, `"openapi": "3.0.3"`, "application/json"},
		{"inventory", call{method: "GET", path: "/api/v1/inventory"}, 200, `"devices":16`, "application/json"},
		{"inventory redacts", call{method: "GET", path: "/api/v1/inventory"}, 200, `"password":"${env:BMC_PASSWORD}"`, "application/json"},
		{"devices", call{method: "GET", path: "/api/v1/devices"}, 200, `"id":"db-1"`, "application/json"},
		{"device", call{method: "GET", path: "/api/v1/devices/app-2"}, 200, `"device-spof/app-2/network/tor-3a"`, "application/json"},
		{"power node", call{method: "GET", path: "/api/v1/devices/pdu-r03-a"}, 200, `"kind":"pdu"`, "application/json"},
		{"device unknown", call{method: "GET", path: "/api/v1/devices/nope"}, 404, `no device or power node \"nope\"`, "application/json"},
		{"findings", call{method: "GET", path: "/api/v1/findings"}, 200, `"summary":{"critical":10`, "application/json"},
		{"findings by severity", call{method: "GET", path: "/api/v1/findings?severity=warning"}, 200, `"critical":0,"warning":43`, "application/json"},
		{"findings by rule", call{method: "GET", path: "/api/v1/findings?rule=failover-overload"}, 200, `"critical":2,"warning":0`, "application/json"},
		{"findings by subject", call{method: "GET", path: "/api/v1/findings?subject=mail"}, 200, `"spof/mail/mail-1"`, "application/json"},
		{"findings by cause", call{method: "GET", path: "/api/v1/findings?cause=tor-3a"}, 200, `"device-spof/app-2/network/tor-3a"`, "application/json"},
		{"findings bad severity", call{method: "GET", path: "/api/v1/findings?severity=loud"}, 400, `unknown severity \"loud\"`, "application/json"},
		{"findings bad rule", call{method: "GET", path: "/api/v1/findings?rule=nope"}, 400, `unknown rule`, "application/json"},
		{"report", call{method: "GET", path: "/api/v1/report"}, 200, `"generated_at"`, "application/json"},
		{"whatif", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["feed-a"]}`, header: bearer}, 200, `"kind":"service","id":"nfs"`, "application/json"},
		{"whatif no token", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["feed-a"]}`}, 401, "bearer token", "application/json"},
		{"whatif wrong token", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["feed-a"]}`, header: map[string]string{"Authorization": "Bearer nope"}}, 401, "bearer token", "application/json"},
		{"whatif basic auth", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["feed-a"]}`, header: map[string]string{"Authorization": "Basic " + token}}, 401, "bearer token", "application/json"},
		{"whatif bad json", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":`, header: bearer}, 400, "bad JSON", "application/json"},
		{"whatif unknown field", call{method: "POST", path: "/api/v1/whatif", body: `{"fails":["x"]}`, header: bearer}, 400, `unknown key \"fails\": use \"fail\"`, "application/json"},
		{"whatif empty", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":[]}`, header: bearer}, 400, "name what fails", "application/json"},
		{"whatif no body", call{method: "POST", path: "/api/v1/whatif", header: bearer}, 400, "empty request body", "application/json"},
		{"whatif unknown", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["pdu-r3-a"]}`, header: bearer}, 422, `did you mean \"pdu-r03-a\"?`, "application/json"},
		{"whatif oversized", call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["` + strings.Repeat("x", 2000) + `"]}`, header: bearer}, 413, "over 1024 bytes", "application/json"},
		{"collect", call{method: "POST", path: "/api/v1/collect", header: bearer}, 202, `"location":"/api/v1/collect/`, "application/json"},
		{"collect no token", call{method: "POST", path: "/api/v1/collect"}, 401, "bearer token", "application/json"},
		{"job unknown", call{method: "GET", path: "/api/v1/collect/999"}, 404, "no collection job", "application/json"},
		{"reload", call{method: "POST", path: "/api/v1/inventory/reload", header: bearer}, 200, `"ok":true`, "application/json"},
		{"reload no token", call{method: "POST", path: "/api/v1/inventory/reload"}, 401, "bearer token", "application/json"},
		{"not found", call{method: "GET", path: "/api/v2/things"}, 404, "no such endpoint", "application/json"},
		{"wrong method", call{method: "DELETE", path: "/api/v1/findings"}, 405, "not allowed", "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, tc.call)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body.String())
			}
			if !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("body lacks %q: %.600s", tc.want, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("content type %q, want %s", ct, tc.ctype)
			}
			if strings.Contains(rec.Body.String(), "goroutine ") {
				t.Error("a stack trace leaked")
			}
		})
	}
}

func TestTokenDisabledWithoutConfiguration(t *testing.T) {
	s, _, _ := newTestServer(t, "")
	for _, p := range []string{"/api/v1/whatif", "/api/v1/collect", "/api/v1/inventory/reload"} {
		rec := do(t, s, call{method: "POST", path: p, body: `{"fail":["feed-a"]}`, header: map[string]string{"Authorization": "Bearer "}})
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "disabled") {
			t.Errorf("%s without a configured token: %d %s", p, rec.Code, rec.Body.String())
		}
	}
}

func TestFindingsETag(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	for _, path := range []string{"/api/v1/findings", "/api/v1/findings?severity=critical"} {
		first := do(t, s, call{method: "GET", path: path})
		etag := first.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		again := do(t, s, call{method: "GET", path: path, header: map[string]string{"If-None-Match": etag}})
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("%s with If-None-Match: %d, %d bytes", path, again.Code, again.Body.Len())
		}
	}
	a := do(t, s, call{method: "GET", path: "/api/v1/findings"}).Header().Get("ETag")
	b := do(t, s, call{method: "GET", path: "/api/v1/findings?severity=critical"}).Header().Get("ETag")
	if a == b {
		t.Error("a filtered query has the unfiltered ETag")
	}
}

// TestReloadInvalidKeepsServing: an invalid file is rejected with its
// errors, the old inventory keeps serving, and the rejection shows in
// /readyz, /metrics and the findings; fixing the file clears it.
func TestReloadInvalidKeepsServing(t *testing.T) {
	s, eng, path := newTestServer(t, token)
	good, _ := os.ReadFile(path)
	bad := strings.Replace(string(good), "pdu: pdu-r02-a, outlet: 10}", "pdu: pdu-r2-a, outlet: 10}", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := do(t, s, call{method: "POST", path: "/api/v1/inventory/reload", header: bearer})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `did you mean \"pdu-r02-a\"?`) {
		t.Fatalf("reload of an invalid file: %d %s", rec.Code, rec.Body.String())
	}
	if got := eng.Snapshot().Inventory.Device("db-1").PSUs[0].PDU; got != "pdu-r02-a" {
		t.Errorf("the old inventory was not kept: db-1 PSU1 on %s", got)
	}
	for _, c := range []struct{ path, want string }{
		{"/readyz", `"ok":false`},
		{"/metrics", "faultline_inventory_reload_success 0"},
		{"/api/v1/findings?rule=inventory-invalid", `"rule":"inventory-invalid"`},
		{"/api/v1/devices/db-1", `"pdu":"pdu-r02-a"`},
	} {
		if body := do(t, s, call{method: "GET", path: c.path}).Body.String(); !strings.Contains(body, c.want) {
			t.Errorf("%s lacks %q: %.400s", c.path, c.want, body)
		}
	}
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if rec := do(t, s, call{method: "POST", path: "/api/v1/inventory/reload", header: bearer}); rec.Code != 200 {
		t.Fatalf("reload of the fixed file: %d %s", rec.Code, rec.Body.String())
	}
	if body := do(t, s, call{method: "GET", path: "/metrics"}).Body.String(); !strings.Contains(body, "faultline_inventory_reload_success 1") {
		t.Error("reload success not back to 1")
	}
}

// TestOpenAPIMatchesRoutes: the document lists exactly the routes served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var documented, served []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	for _, r := range s.routes() {
		p := r.path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		served = append(served, r.method+" "+p)
		// Protected routes must say so in the document.
		if r.auth && !strings.Contains(string(doc.Paths[p][strings.ToLower(r.method)]), `"bearer"`) {
			t.Errorf("%s %s needs a token but the document has no security", r.method, p)
		}
	}
	sort.Strings(documented)
	sort.Strings(served)
	if !slices.Equal(documented, served) {
		t.Errorf("OpenAPI paths and routes differ:\ndocumented %v\nserved     %v", documented, served)
	}
}

func TestWhatIfMatchesCLI(t *testing.T) {
	s, eng, _ := newTestServer(t, token)
	rec := do(t, s, call{method: "POST", path: "/api/v1/whatif", body: `{"fail":["pdu-r03-a"]}`, header: bearer})
	var got audit.WhatIf
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want, err := eng.WhatIf([]string{"pdu-r03-a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Overloaded) != 1 || got.Overloaded[0].ID != "pdu-r03-b" || len(got.Degraded) != len(want.Degraded) {
		t.Errorf("what-if over the API: %+v", got)
	}
}

// TestHeadOnEveryGET walks every GET route over a real HTTP server: HEAD
// answers with GET's status and content type, and no body.
func TestHeadOnEveryGET(t *testing.T) {
	s, eng, _ := newTestServer(t, token)
	job := eng.Collect(context.Background())
	srv := httptest.NewServer(s)
	defer srv.Close()
	params := map[string]string{":id": "db-1"}
	n := 0
	for _, rt := range s.routes() {
		if rt.method != http.MethodGet {
			continue
		}
		n++
		path := rt.path
		if strings.HasPrefix(path, "/api/v1/collect/") {
			path = strings.Replace(path, ":id", job.ID, 1)
		}
		for k, v := range params {
			path = strings.Replace(path, k, v, 1)
		}
		get, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, get.Body)
		get.Body.Close()
		head, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(head.Body)
		head.Body.Close()
		if head.StatusCode != get.StatusCode || head.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %d, GET: %d", path, head.StatusCode, get.StatusCode)
		}
		if hc, gc := head.Header.Get("Content-Type"), get.Header.Get("Content-Type"); hc != gc {
			t.Errorf("HEAD %s: content type %q, GET %q", path, hc, gc)
		}
		if len(body) != 0 {
			t.Errorf("HEAD %s: %d bytes of body", path, len(body))
		}
	}
	if n < 10 {
		t.Errorf("only %d GET routes walked", n)
	}
}
