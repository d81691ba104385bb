// Package api serves faultline over HTTP with gin: health and readiness,
// Prometheus metrics, the JSON API under /api/v1 (documented by
// /api/v1/openapi.json), and the human report page at /report. Handlers
// read the engine's current snapshot — an atomic load — so no request
// ever waits for an audit or a collection. Responses that do not depend on
// the request (the findings, the report, the metrics) are rendered once
// per snapshot and served as bytes.
package api

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
)

// Options configure the server.
type Options struct {
	// Token is the bearer token for the mutating endpoints; empty
	// disables them (they answer 403, never run unauthenticated).
	Token  string
	Logger *slog.Logger
	// MaxBody bounds request bodies (default 64 KiB).
	MaxBody int64
	// ReportHTML renders the /report page for a snapshot; nil serves a
	// plain page pointing to the JSON report.
	ReportHTML func(s *engine.Snapshot) ([]byte, error)
	// ReportWhatIf renders /report?fail=ID,… : the page with the what-if
	// answer (w, or the error err when the question has none) rendered
	// in, so that a pasted link shows it without the page's script. Nil
	// serves the plain page for any query.
	ReportWhatIf func(s *engine.Snapshot, fail []string, w *audit.WhatIf, err error) ([]byte, error)
	// Metrics are more collectors for /metrics that change between
	// audits (the NATS connection's): gathered with the Go and process
	// metrics, at most once a second, not with the snapshot.
	Metrics []prometheus.Collector
	// Work bounds the expensive endpoints (see WorkLimits).
	Work WorkLimits
}

// Server is the HTTP API over an engine.
type Server struct {
	eng     *engine.Engine
	opts    Options
	log     *slog.Logger
	handler http.Handler
	cache   atomic.Pointer[rendered]
	renderM sync.Mutex
	runtime *prometheus.Registry
	pool    *pool

	// The Go and process metrics (and Options.Metrics) are gathered at most once a second, so
	// that /metrics stays a memory copy however often it is scraped.
	runtimeM   sync.Mutex
	runtimeOut *runtimePart
	// metricWants has a bit per format and encoding a scraper has asked
	// for (see wantMetrics).
	metricWants atomic.Uint32
}

// rendered holds the per-snapshot bytes.
type rendered struct {
	seq      uint64
	metrics  *snapshotMetrics
	findings []byte // the report JSON, which is the unfiltered findings
	etag     string
	// etagHeader is etag as a header value, allocated once.
	etagHeader []string
	html       []byte
	htmlErr    error
	htmlOnce   sync.Once
}

// New builds the server.
func New(eng *engine.Engine, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 64 << 10
	}
	s := &Server{eng: eng, opts: opts, log: opts.Logger, runtime: prometheus.NewRegistry()}
	s.runtime.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.pool = newPool(opts.Work, s.runtime)
	for _, c := range opts.Metrics {
		if err := s.runtime.Register(c); err != nil {
			s.log.Error("metrics: collector not registered", "error", err)
		}
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(s.recovery, s.logging, s.limitBody)
	r.NoRoute(func(c *gin.Context) { jsonError(c, http.StatusNotFound, "no such endpoint: "+c.Request.URL.Path) })
	r.NoMethod(func(c *gin.Context) {
		jsonError(c, http.StatusMethodNotAllowed, c.Request.Method+" is not allowed on "+c.Request.URL.Path)
	})
	for _, rt := range s.routes() {
		handlers := []gin.HandlerFunc{}
		if rt.auth {
			handlers = append(handlers, s.requireToken)
		}
		handlers = append(handlers, rt.handler)
		r.Handle(rt.method, rt.path, handlers...)
		if rt.method == http.MethodGet {
			// Every GET route answers HEAD (net/http drops the body).
			r.Handle(http.MethodHead, rt.path, handlers...)
		}
	}
	s.handler = r
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Prerender renders a snapshot's cached bytes; pass it to the engine as
// OnSnapshot so the work happens once per audit, off the request path.
func (s *Server) Prerender(snap *engine.Snapshot) {
	if _, err := s.renderFor(snap); err != nil {
		s.log.Error("rendering snapshot", "error", err)
	}
}

// current returns the rendered bytes of the current snapshot, rendering
// them if the engine published a newer one since.
func (s *Server) current() (*engine.Snapshot, *rendered, error) {
	snap := s.eng.Snapshot()
	if r := s.cache.Load(); r != nil && r.seq == snap.Seq {
		return snap, r, nil
	}
	r, err := s.renderFor(snap)
	return snap, r, err
}

func (s *Server) renderFor(snap *engine.Snapshot) (*rendered, error) {
	s.renderM.Lock()
	defer s.renderM.Unlock()
	if r := s.cache.Load(); r != nil && r.seq >= snap.Seq {
		return r, nil
	}
	m := &snapshotMetrics{snap: snap}
	if err := s.prerenderMetrics(m); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	f, err := marshal(snap.Report)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	etag := fmt.Sprintf(`"%d-%s"`, snap.Seq, snap.InventoryHash[:12])
	r := &rendered{seq: snap.Seq, metrics: m, findings: f, etag: etag, etagHeader: []string{etag}}
	s.cache.Store(r)
	return r, nil
}

// recovery turns a handler panic into a JSON 500 without a stack trace in
// the response (the log has it).
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("handler panic", "path", c.Request.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				jsonError(c, http.StatusInternalServerError, "internal error")
			}
			c.Abort()
		}
	}()
	c.Next()
}

func (s *Server) logging(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	// Check first: building the attributes costs allocations on the
	// hottest path even when the record is then dropped.
	if ctx := c.Request.Context(); s.log.Enabled(ctx, level) {
		s.log.Log(ctx, level, "request", "method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "took", time.Since(start))
	}
}

// requireToken checks the bearer token in constant time. Without a
// configured token the mutating endpoints are disabled.
func (s *Server) requireToken(c *gin.Context) {
	if s.opts.Token == "" {
		jsonError(c, http.StatusForbidden, "this endpoint is disabled: start faultline serve with --token-file or FAULTLINE_TOKEN to enable it")
		c.Abort()
		return
	}
	got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="faultline"`)
		jsonError(c, http.StatusUnauthorized, "missing or wrong bearer token")
		c.Abort()
		return
	}
	c.Next()
}

type errorBody struct {
	Error string `json:"error"`
}

func jsonError(c *gin.Context, code int, msg string) {
	c.JSON(code, errorBody{Error: msg})
}

// readBody decodes a JSON body strictly (see decodeStrict), within the
// size limit, answering 400 or 413 itself when it cannot.
func (s *Server) readBody(c *gin.Context, v any) bool {
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		jsonError(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", s.opts.MaxBody))
		return false
	case err != nil:
		jsonError(c, http.StatusBadRequest, "reading the request body: "+err.Error())
		return false
	case len(bytes.TrimSpace(data)) == 0:
		jsonError(c, http.StatusBadRequest, "empty request body: send JSON")
		return false
	}
	if err := decodeStrict(data, v); err != nil {
		jsonError(c, http.StatusBadRequest, "bad JSON: "+err.Error())
		return false
	}
	return true
}
