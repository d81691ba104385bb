package main

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/faultline/faultline/api"
	"github.com/faultline/faultline/engine"
)

// serve runs one engine in one of two roles, or in both, as its flags
// decide: without --nats the process collects and audits (both); with
// --nats it is an auditor of what site collectors put into NATS
// (collecting only a share it is given); with --nats --collect-only it is
// a site collector, which audits nothing. Each role is a type that knows
// what it serves; api serves the endpoints of both.

// role is what differs between the two: what the process serves, and
// how it says so on start.
type role interface {
	handler() http.Handler
	announce(w io.Writer, file, scheme string, addr net.Addr)
}

// role is the app's role.
func (a *serveApp) role() role {
	if a.collector != nil {
		return a.collector
	}
	return a.auditor
}

// auditor is the auditing role: the engine audits every change, and the
// API, the report page, /healthz, /readyz and /metrics serve it.
type auditor struct {
	srv *api.Server
}

func newAuditor(eng *engine.Engine, c *serveConfig, remote *natsSetup) *auditor {
	srv := api.New(eng, api.Options{Token: c.token, Logger: c.log.With("component", "api"), ReportHTML: reportPage, ReportWhatIf: reportWhatIfPage,
		Metrics: append(remote.metrics(), c.guard.Collectors()...), Work: c.work})
	srv.Prerender(eng.Snapshot())
	return &auditor{srv: srv}
}

func (a *auditor) handler() http.Handler { return a.srv }

// prerender renders what a snapshot serves (called with every new one).
func (a *auditor) prerender(s *engine.Snapshot) { a.srv.Prerender(s) }

func (a *auditor) announce(w io.Writer, file, scheme string, addr net.Addr) {
	fmt.Fprintf(w, "faultline serving %s on %s://%s (report: %s://%s/report)\n", file, scheme, addr, scheme, addr)
}

// siteCollector is the collecting role alone (--nats --collect-only): the
// engine polls the share and publishes every collection into NATS; it
// serves only its status (api.CollectorStatus).
type siteCollector struct {
	status  http.Handler
	targets int
}

func newSiteCollector(eng *engine.Engine, remote *natsSetup) *siteCollector {
	return &siteCollector{status: api.CollectorStatus(eng, remote.collectorOptions()), targets: len(remote.targets(eng))}
}

func (s *siteCollector) handler() http.Handler { return s.status }

func (s *siteCollector) announce(w io.Writer, file, scheme string, addr net.Addr) {
	fmt.Fprintf(w, "faultline collector for %s: %d devices, to NATS; status on %s://%s/healthz and /metrics\n", file, s.targets, scheme, addr)
}
