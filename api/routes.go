package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

type route struct {
	method, path string
	auth         bool
	handler      gin.HandlerFunc
}

// routes is every endpoint; the OpenAPI document must list exactly these.
func (s *Server) routes() []route {
	return []route{
		{http.MethodGet, "/healthz", false, s.healthz},
		{http.MethodGet, "/readyz", false, s.readyz},
		{http.MethodGet, "/metrics", false, s.metrics},
		{http.MethodGet, "/report", false, s.reportPage},
		{http.MethodGet, "/api/v1/openapi.json", false, s.openapi},
		{http.MethodGet, "/api/v1/inventory", false, s.inventory},
		{http.MethodGet, "/api/v1/devices", false, s.devices},
		{http.MethodGet, "/api/v1/devices/:id", false, s.device},
		{http.MethodGet, "/api/v1/observations", false, s.observations},
		{http.MethodGet, "/api/v1/findings", false, s.findings},
		{http.MethodGet, "/api/v1/report", false, s.report},
		{http.MethodGet, "/api/v1/whatif", false, s.whatif},
		{http.MethodPost, "/api/v1/whatif", true, s.whatif},
		{http.MethodGet, "/api/v1/plan", false, s.plan},
		{http.MethodPost, "/api/v1/plan", true, s.plan},
		{http.MethodGet, "/api/v1/schema/inventory.json", false, s.inventorySchema},
		{http.MethodPost, "/api/v1/collect", true, s.collect},
		{http.MethodGet, "/api/v1/collect/:id", false, s.job},
		{http.MethodPost, "/api/v1/inventory/reload", true, s.reload},
	}
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var (
	noCache  = []string{"no-cache"}
	jsonType = []string{"application/json"}
)

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

type readiness struct {
	Ready bool `json:"ready"`
	// Reasons say why not, when not ready.
	Reasons    []string            `json:"reasons,omitempty"`
	Inventory  engine.ReloadStatus `json:"inventory"`
	History    *historyStatus      `json:"history,omitempty"`
	AuditedAt  time.Time           `json:"audited_at"`
	Collection *engine.Job         `json:"last_collection,omitempty"`
	Devices    struct {
		Managed int `json:"managed"`
		Seen    int `json:"seen"`
	} `json:"devices"`
}

type historyStatus struct {
	WriteFailures uint64    `json:"write_failures"`
	LastSuccess   time.Time `json:"last_success,omitzero"`
	Failing       bool      `json:"failing"`
	FailingSince  time.Time `json:"failing_since,omitzero"`
	LastError     string    `json:"last_error,omitempty"`
	LastErrorAt   time.Time `json:"last_error_at,omitzero"`
}

// readyz: ready once a snapshot is published, unless history writes are
// failing (the service runs, but what it sees is being lost). A rejected
// inventory change is reported in the detail; the server keeps serving
// the last good one.
func (s *Server) readyz(c *gin.Context) {
	snap := s.eng.Snapshot()
	if snap == nil {
		jsonError(c, http.StatusServiceUnavailable, "not ready: no audit yet")
		return
	}
	r := readiness{Ready: true, Inventory: snap.Reload, AuditedAt: snap.AuditedAt, Collection: summaryJob(snap.Collection)}
	r.Devices.Managed, r.Devices.Seen = snap.Observed.Managed, snap.Observed.Seen
	status := http.StatusOK
	if snap.History {
		h := snap.HistoryHealth
		r.History = &historyStatus{WriteFailures: h.WriteFailures, LastSuccess: h.LastSuccess, Failing: h.Failing, FailingSince: h.FailingSince, LastError: h.LastError, LastErrorAt: h.LastErrorAt}
		if h.Failing {
			r.Ready, status = false, http.StatusServiceUnavailable
			r.Reasons = append(r.Reasons, fmt.Sprintf("history writes failing since %s: %s (check the --data directory's disk and that no other program holds faultline.db)", h.FailingSince.Format(time.RFC3339), h.LastError))
		}
	}
	c.JSON(status, r)
}

func summaryJob(j *engine.Job) *engine.Job {
	if j == nil {
		return nil
	}
	cp := *j
	cp.Results = nil
	return &cp
}

//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(c *gin.Context) { c.Data(http.StatusOK, "application/json", openapiDoc) }

// inventorySchema serves the inventory's JSON Schema, for editors' YAML
// language servers (`# yaml-language-server: $schema=URL`).
func (s *Server) inventorySchema(c *gin.Context) {
	c.Data(http.StatusOK, "application/schema+json", inventory.Schema())
}

type inventoryView struct {
	File      string               `json:"file"`
	Hash      string               `json:"sha256"`
	LoadedAt  time.Time            `json:"loaded_at"`
	Summary   inventory.Summary    `json:"summary"`
	Reload    engine.ReloadStatus  `json:"reload"`
	Inventory *inventory.Inventory `json:"inventory"`
}

func (s *Server) inventory(c *gin.Context) {
	snap := s.eng.Snapshot()
	c.JSON(http.StatusOK, inventoryView{File: snap.InventoryFile, Hash: snap.InventoryHash, LoadedAt: snap.LoadedAt,
		Summary: snap.Inventory.Summarize(), Reload: snap.Reload, Inventory: snap.Inventory})
}

type deviceSummary struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Rack     string `json:"rack,omitempty"`
	Site     string `json:"site,omitempty"`
	Managed  bool   `json:"managed"`
	Findings int    `json:"findings"`
	// Collection is "ok", "failed", "never" or "unmanaged".
	Collection  string    `json:"collection"`
	CollectedAt time.Time `json:"collected_at,omitzero"`
	Error       string    `json:"error,omitempty"`
	// NetBoxURL is the entry's NetBox page, when it was imported from one.
	NetBoxURL string `json:"netbox_url,omitempty"`
}

// devices lists devices and power nodes with management, declared and observed.
func (s *Server) devices(c *gin.Context) {
	snap := s.eng.Snapshot()
	inv := snap.Inventory
	byID := observationsByID(snap.Observations)
	count := findingsPerDevice(snap)
	var out []deviceSummary
	add := func(id, kind, rack string, managed bool) {
		d := deviceSummary{ID: id, Kind: kind, Rack: rack, Site: inv.SiteOf(id), Managed: managed, Findings: count[id], Collection: "unmanaged",
			NetBoxURL: inv.NetBoxURLOf(id)}
		if managed {
			d.Collection = "never"
		}
		for _, o := range byID[id] {
			d.Collection = "ok"
			if o.Error != "" {
				d.Collection, d.Error = "failed", o.Error
			}
			if o.CollectedAt.After(d.CollectedAt) {
				d.CollectedAt = o.CollectedAt
			}
		}
		out = append(out, d)
	}
	for _, p := range inv.Power {
		if p.Management != nil {
			add(p.ID, string(p.Kind), p.Rack, true)
		}
	}
	for _, d := range inv.Devices {
		add(d.ID, string(d.Kind), d.Rack, d.Management != nil)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	c.JSON(http.StatusOK, gin.H{"devices": out})
}

func observationsByID(obs []observation.Device) map[string][]observation.Device {
	m := map[string][]observation.Device{}
	for _, o := range obs {
		m[o.ID] = append(m[o.ID], o)
	}
	return m
}

// findingsPerDevice counts the findings that concern each device or power
// node (Finding.Devices): the same findings /devices/:id lists.
func findingsPerDevice(snap *engine.Snapshot) map[string]int {
	m := map[string]int{}
	for _, f := range snap.Report.Findings {
		for _, d := range f.Devices {
			m[d]++
		}
	}
	return m
}

type deviceView struct {
	ID string `json:"id"`
	// Declared is the inventory entry (a device or a power node), secrets
	// redacted.
	Declared any `json:"declared"`
	// NetBoxURL is the entry's NetBox page, when it was imported from one.
	NetBoxURL string               `json:"netbox_url,omitempty"`
	Observed  []observation.Device `json:"observed"`
	Findings  []audit.Finding      `json:"findings"`
}

func (s *Server) device(c *gin.Context) {
	snap := s.eng.Snapshot()
	id := c.Param("id")
	var declared any
	if d := snap.Inventory.Device(id); d != nil {
		declared = d
	} else if p := snap.Inventory.PowerNode(id); p != nil {
		declared = p
	} else {
		jsonError(c, http.StatusNotFound, fmt.Sprintf("no device or power node %q in the inventory", id))
		return
	}
	v := deviceView{ID: id, Declared: declared, NetBoxURL: snap.Inventory.NetBoxURLOf(id), Observed: observationsByID(snap.Observations)[id], Findings: []audit.Finding{}}
	if v.Observed == nil {
		v.Observed = []observation.Device{}
	}
	for _, f := range snap.Report.Findings {
		if slices.Contains(f.Devices, id) {
			v.Findings = append(v.Findings, f)
		}
	}
	c.JSON(http.StatusOK, v)
}

// findings serves the findings, filtered by severity, rule, subject and
// cause (each may repeat or be comma-separated), with an ETag.
func (s *Server) findings(c *gin.Context) {
	snap, r, err := s.current()
	if err != nil {
		jsonError(c, http.StatusInternalServerError, "rendering findings failed")
		return
	}
	h := c.Writer.Header()
	if c.Request.URL.RawQuery == "" {
		// The hot path: no filters, bytes rendered once per audit.
		h["Etag"] = r.etagHeader
		h["Cache-Control"] = noCache
		if match := c.Request.Header.Get("If-None-Match"); match != "" && (match == r.etag || match == "*") {
			c.Status(http.StatusNotModified)
			return
		}
		h["Content-Type"] = jsonType
		c.Status(http.StatusOK)
		_, _ = c.Writer.Write(r.findings)
		return
	}
	q := c.Request.URL.Query()
	sum := sha256.Sum256([]byte(q.Encode()))
	etag := strings.TrimSuffix(r.etag, `"`) + "-" + hex.EncodeToString(sum[:6]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "no-cache")
	if match := c.GetHeader("If-None-Match"); match != "" && (match == etag || match == "*") {
		c.Status(http.StatusNotModified)
		return
	}
	out, err := filterFindings(q, snap.Report.Findings)
	if err != nil {
		jsonError(c, http.StatusBadRequest, err.Error())
		return
	}
	order, err := oneOf(q["sort"], []string{"severity", "risk"}, "sort")
	if err != nil || len(order) > 1 {
		jsonError(c, http.StatusBadRequest, "sort: give one of severity (the default) or risk")
		return
	}
	rep := audit.NewReport(snap.Report.GeneratedAt, out)
	rep.Reliability = snap.Report.Reliability
	if len(order) == 1 && order[0] == "risk" {
		audit.SortByRisk(rep.Findings)
	}
	body, err := marshal(rep)
	if err != nil {
		jsonError(c, http.StatusInternalServerError, "rendering findings failed")
		return
	}
	c.Data(http.StatusOK, "application/json", body)
}

// filterFindings keeps the findings that match the query's severity,
// rule, subject and cause filters (each a list; a finding matches a list
// when it matches any of its values).
func filterFindings(q url.Values, fs []audit.Finding) ([]audit.Finding, error) {
	sev, err := oneOf(q["severity"], []string{"critical", "warning", "info"}, "severity")
	if err != nil {
		return nil, err
	}
	var ruleIDs []string
	for _, rule := range audit.Rules {
		ruleIDs = append(ruleIDs, rule.ID)
	}
	rules, err := oneOf(q["rule"], ruleIDs, "rule")
	if err != nil {
		return nil, err
	}
	subjects, causes := split(q["subject"]), split(q["cause"])
	var out []audit.Finding
	for _, f := range fs {
		if (len(sev) > 0 && !slices.Contains(sev, string(f.Severity))) ||
			(len(rules) > 0 && !slices.Contains(rules, f.Rule)) ||
			(len(subjects) > 0 && !slices.Contains(subjects, f.Subject)) ||
			(len(causes) > 0 && !slices.ContainsFunc(f.Causes, func(x string) bool { return slices.Contains(causes, x) })) {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

func split(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

func oneOf(vals, allowed []string, what string) ([]string, error) {
	out := split(vals)
	for _, v := range out {
		if !slices.Contains(allowed, v) {
			return nil, fmt.Errorf("unknown %s %q: use one of %s", what, v, strings.Join(allowed, ", "))
		}
	}
	return out, nil
}

func (s *Server) report(c *gin.Context) {
	_, r, err := s.current()
	if err != nil {
		jsonError(c, http.StatusInternalServerError, "rendering the report failed")
		return
	}
	c.Header("ETag", r.etag)
	if c.GetHeader("If-None-Match") == r.etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json", r.findings)
}

type whatifRequest struct {
	Fail []string `json:"fail"`
}

// whatif answers both GET /api/v1/whatif?fail=ID,… (read-only, no token:
// it changes nothing) and POST /api/v1/whatif with a JSON body: one
// handler, so that the two answer the same and share whatever bounds the
// expensive handlers get.
func (s *Server) whatif(c *gin.Context) {
	var req whatifRequest
	if c.Request.Method == http.MethodPost {
		if !s.readBody(c, &req) {
			return
		}
	} else {
		q, ok := readQuery(c, "fail")
		if !ok {
			return
		}
		req.Fail = split(q["fail"])
	}
	if len(req.Fail) == 0 {
		jsonError(c, http.StatusBadRequest, `name what fails: {"fail": ["feed-a"]}, or ?fail=feed-a`)
		return
	}
	if len(req.Fail) > 1000 {
		jsonError(c, http.StatusBadRequest, "at most 1000 components at once")
		return
	}
	snap := s.eng.Snapshot()
	if snap == nil || snap.Analysis == nil {
		jsonError(c, http.StatusServiceUnavailable, "not ready: no audit yet")
		return
	}
	s.work(c, "whatif", func(ctx context.Context) error {
		w, err := audit.RunWhatIfContext(ctx, snap.Analysis.G, snap.Analysis, req.Fail)
		if err != nil {
			var uerr *audit.UnknownComponentError
			if errors.As(err, &uerr) {
				jsonError(c, http.StatusUnprocessableEntity, err.Error())
				return nil
			}
			return err
		}
		c.JSON(http.StatusOK, w)
		return nil
	})
}

// collect starts a collection in the background (or joins the one
// running), once admitted by the work pool; the collection runs under the
// collectors' own per-device deadlines, not the request's.
func (s *Server) collect(c *gin.Context) {
	s.work(c, "collect", func(ctx context.Context) error {
		j := s.eng.StartCollection(context.WithoutCancel(ctx))
		loc := "/api/v1/collect/" + j.ID
		c.Header("Location", loc)
		c.JSON(http.StatusAccepted, gin.H{"job": j, "location": loc})
		return nil
	})
}

func (s *Server) job(c *gin.Context) {
	j, ok := s.eng.Job(c.Param("id"))
	if !ok {
		jsonError(c, http.StatusNotFound, "no collection job "+c.Param("id"))
		return
	}
	c.JSON(http.StatusOK, j)
}

// reload reads the inventory again, once admitted by the work pool. Once
// running it finishes even if the client goes away: it changes what every
// client is served.
func (s *Server) reload(c *gin.Context) {
	s.work(c, "reload", func(ctx context.Context) error {
		if err := s.eng.Reload(context.WithoutCancel(ctx)); err != nil {
			snap := s.eng.Snapshot()
			c.JSON(http.StatusUnprocessableEntity, gin.H{"error": snap.Reload.Error, "diagnostics": snap.Reload.Diagnostics})
			return nil
		}
		c.JSON(http.StatusOK, s.eng.Snapshot().Reload)
		return nil
	})
}

var fallbackPage = template.Must(template.New("report").Parse(`<!doctype html><html><head><meta charset="utf-8"><title>faultline report</title></head>
<body><h1>faultline: {{.Summary.Critical}} critical, {{.Summary.Warning}} warnings</h1><ul>{{range .Findings}}<li><b>{{.Severity}}</b> {{.Rule}} {{.Subject}}: {{.Message}}</li>{{end}}</ul></body></html>`))

func (s *Server) reportPage(c *gin.Context) {
	// A page for people: a query without fail (a tracking parameter, say)
	// is the plain page, not an error.
	if s.opts.ReportWhatIf != nil && c.Request.URL.Query().Has("fail") {
		s.reportWhatIf(c)
		return
	}
	snap, r, err := s.current()
	if err != nil {
		jsonError(c, http.StatusInternalServerError, "rendering the report failed")
		return
	}
	r.htmlOnce.Do(func() {
		if s.opts.ReportHTML != nil {
			r.html, r.htmlErr = s.opts.ReportHTML(snap)
			return
		}
		var buf bytes.Buffer
		r.htmlErr = fallbackPage.Execute(&buf, snap.Report)
		r.html = buf.Bytes()
	})
	if r.htmlErr != nil {
		s.log.Error("report page", "error", r.htmlErr)
		jsonError(c, http.StatusInternalServerError, "rendering the report page failed")
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", r.html)
}

// reportWhatIf is /report?fail=ID,…: the page with the what-if answer
// rendered in (per request: the question is the client's).
func (s *Server) reportWhatIf(c *gin.Context) {
	ids := split(c.Request.URL.Query()["fail"])
	if len(ids) > 1000 {
		jsonError(c, http.StatusBadRequest, "at most 1000 components at once")
		return
	}
	snap := s.eng.Snapshot()
	if snap == nil || snap.Analysis == nil {
		jsonError(c, http.StatusServiceUnavailable, "not ready: no audit yet")
		return
	}
	render := func(w *audit.WhatIf, werr error, status int) {
		page, err := s.opts.ReportWhatIf(snap, ids, w, werr)
		if err != nil {
			s.log.Error("report page", "error", err)
			jsonError(c, http.StatusInternalServerError, "rendering the report page failed")
			return
		}
		c.Header("Cache-Control", "no-cache")
		c.Data(status, "text/html; charset=utf-8", page)
	}
	if len(ids) == 0 {
		render(nil, nil, http.StatusOK)
		return
	}
	// A what-if per request: under the work pool, as GET and POST whatif.
	s.work(c, "report-whatif", func(ctx context.Context) error {
		w, werr := audit.RunWhatIfContext(ctx, snap.Analysis.G, snap.Analysis, ids)
		var uerr *audit.UnknownComponentError
		switch {
		case errors.As(werr, &uerr):
			render(w, werr, http.StatusUnprocessableEntity)
			return nil
		case werr != nil:
			return werr
		}
		render(w, nil, http.StatusOK)
		return nil
	})
}
