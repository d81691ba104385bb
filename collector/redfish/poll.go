package redfish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/observation"
)

// poll is one read of one BMC.
type poll struct {
	p    *Poller
	dev  *device
	c    *conn
	base *url.URL
	log  *slog.Logger
	now  time.Time

	mu        sync.Mutex
	answers   [][]byte          // expanded answers of this poll
	indexed   int               // how many of them are in inline
	inline    map[string][]byte // resources that came inline this poll, by path
	ambiguous map[string]bool   // paths claimed by two different resources
	visited   map[string]*visit // links followed this poll, with their answers
	budget    *budget
	warnings  []string
	listErrs  []observation.PartError // collections discovery could not list
}

// Poll reads one server: power supplies and their redundancy, storage,
// network ports with LLDP, fans and temperatures, and identity, in as few
// requests as the BMC allows; or, for a power node target (t.Kind pdu,
// ats, …), one unit of its PowerEquipment. It always returns an observation; when the
// BMC could not be read, Error says why (and what was read is dropped, so
// the runner keeps the last good data). Problems with one part (the
// storage answered 500) are PartErrors beside the rest. ctx's deadline
// reaches every request; a session, when used, is deleted even after it.
func (p *Poller) Poll(ctx context.Context, t collector.Target) observation.Device {
	start := p.opts.Now()
	obs := observation.Device{ID: t.ID, Source: observation.SourceRedfish, AttemptedAt: start.UTC()}
	log := p.log.With("device", t.ID)
	var scrub *scrubber
	fail := func(err error) observation.Device {
		obs.Error = err.Error()
		obs.Duration = observation.Duration(p.opts.Now().Sub(start))
		scrub.scrubObservation(&obs)
		log.Debug("redfish poll failed", "error", obs.Error)
		return obs
	}
	if !p.Handles(t) {
		return fail(errors.New("no redfish management in the inventory"))
	}
	rf := t.Management.Redfish
	base, err := originOf(rf.Endpoint)
	if err != nil {
		return fail(err)
	}
	obs.Endpoint = base.String()
	password, err := rf.Password.Resolve(t.Dir)
	if err != nil {
		return fail(fmt.Errorf("password: %w", err))
	}
	scrub = newScrubber(rf.Username, password)
	cfg, warn, err := p.tlsConfig(rf, t.Dir)
	if err != nil {
		return fail(err)
	}
	dev := p.device(t.ID, base.String())
	dev.mu.Lock()
	defer dev.mu.Unlock()
	obs.Warnings = append(obs.Warnings, dev.standing(log, base, warn)...)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	bud := &budget{maxRequests: int64(p.opts.MaxRequests), maxBytes: p.opts.MaxBytes, cancel: cancel}
	var sent atomic.Int64
	tr, rt := p.transport(cfg, &sent, bud)
	defer tr.CloseIdleConnections()
	pl := &poll{
		p: p, dev: dev, base: base, log: log, now: start, budget: bud,
		inline: make(map[string][]byte), ambiguous: make(map[string]bool), visited: make(map[string]*visit),
		c: &conn{
			origin: base,
			hc:     &http.Client{Transport: rt, CheckRedirect: checkRedirect},
			user:   rf.Username, pass: password,
			local: make(chan struct{}, p.opts.PerDevice), global: p.global,
			maxBody: p.opts.MaxBodyBytes, retries: p.opts.Retries, backoff: p.opts.RetryBackoff,
			cache: &dev.cache, sent: &sent, rtt: &dev.rtt, budget: bud, scrub: scrub,
		},
	}
	res, unit, err := pl.read(ctx, t, password)
	obs.Requests = int(sent.Load())
	obs.Warnings = append(obs.Warnings, pl.warnings...)
	if err != nil {
		if cerr := context.Cause(ctx); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (after %v: %v)", err, p.opts.Now().Sub(start).Round(time.Millisecond), cerr)
		}
		return fail(err)
	}
	pl.observe(&obs, res, unit)
	return obs
}

// observe completes obs from what was read (a server's res or a power
// node's unit), scrubbed of the credentials and the session token.
func (pl *poll) observe(obs *observation.Device, res *result, unit *pduResult) {
	if unit != nil {
		pl.assemblePDU(unit, obs)
	} else {
		pl.assemble(res, obs)
	}
	pl.c.scrub.scrubObservation(obs)
	obs.CollectedAt = pl.p.opts.Now().UTC()
	obs.Duration = observation.Duration(pl.p.opts.Now().Sub(pl.now))
	pl.log.Debug("redfish poll", "requests", obs.Requests, "took", time.Duration(obs.Duration), "part_errors", len(obs.PartErrors))
}

// originOf checks a BMC endpoint from the inventory and keeps only its
// origin (scheme and host): paths come from the service itself.
func originOf(endpoint string) (*url.URL, error) {
	base, err := url.Parse(endpoint)
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL", redactEndpoint(endpoint))
	}
	return &url.URL{Scheme: base.Scheme, Host: base.Host}, nil
}

// standing returns the warnings about a BMC's configuration (certificate
// checks off, plain http), which go in every observation; each is logged
// once per device per process, since a poll every few seconds would
// repeat them forever. The caller holds d.mu.
func (d *device) standing(log *slog.Logger, base *url.URL, tlsWarn string) []string {
	var standing []string
	if tlsWarn != "" {
		standing = append(standing, tlsWarn)
	}
	if base.Scheme == "http" {
		standing = append(standing, "credentials and data travel unencrypted (http:// endpoint)")
	}
	for _, w := range standing {
		if !d.logged[w] {
			if d.logged == nil {
				d.logged = map[string]bool{}
			}
			d.logged[w] = true
			log.Warn(w)
		}
	}
	return standing
}

// read reads a server (res) or a power node's unit (unit), and judges
// whether what was read is whole: over budget, the limit is the error
// whatever else failed on the way, and the device's discovery is
// forgotten; out of time with parts unread, the deadline is, so the
// runner keeps the last good observation instead.
func (pl *poll) read(ctx context.Context, t collector.Target, password string) (res *result, unit *pduResult, err error) {
	rf := t.Management.Redfish
	if isPowerTarget(t) {
		unit, err = pl.runPDU(ctx, t.Kind, rf.Auth == "session", rf.Username, password)
	} else {
		res, err = pl.run(ctx, rf.Auth == "session", rf.Username, password)
	}
	if le := pl.budget.exceeded(); le != nil {
		err = le
		pl.dev.discoveredAt, pl.dev.unitAt = time.Time{}, time.Time{}
	} else if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("read only part of the device before the deadline: %w", context.Cause(ctx))
	}
	return res, unit, err
}

// redactEndpoint drops any credentials from an endpoint for messages.
func redactEndpoint(e string) string {
	if u, err := url.Parse(e); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return e
}

// result is everything read in one poll, before it becomes an observation.
type result struct {
	systems  []systemPart
	chassis  []chassisPart
	manager  *managerPart
	partErrs []observation.PartError
	ports    map[string]portDoc // canonical URI → port, from every chassis
}

// open starts a poll: it reads the service root when discovery is due
// (fresh is false) or the session service is not known yet, and opens a
// session with auth: session. The returned func logs the session out (on
// its own deadline, so even after the poll's).
func (pl *poll) open(ctx context.Context, fresh, session bool, user, pass string) (func(), error) {
	if !fresh || (session && pl.dev.sessionsURI == "") {
		if err := pl.readRoot(ctx); err != nil {
			return nil, fmt.Errorf("service root: %w", err)
		}
	}
	if !session {
		return func() {}, nil
	}
	loc, err := pl.login(ctx, user, pass)
	if err != nil {
		return nil, err
	}
	return func() { pl.logout(ctx, loc) }, nil
}

func (pl *poll) run(ctx context.Context, session bool, user, pass string) (*result, error) {
	done, err := pl.open(ctx, pl.dev.discovered(pl.now, pl.p.opts.Rediscover), session, user, pass)
	if err != nil {
		return nil, err
	}
	defer done()
	for attempt := 0; ; attempt++ {
		if !pl.dev.discovered(pl.now, pl.p.opts.Rediscover) {
			if err := pl.discover(ctx); err != nil {
				return nil, err
			}
		}
		res, stale, err := pl.readAll(ctx)
		if stale && attempt == 0 && ctx.Err() == nil {
			pl.log.Info("a remembered URI is gone; rediscovering")
			pl.dev.discoveredAt = time.Time{}
			pl.mu.Lock()
			pl.inline, pl.answers, pl.indexed = make(map[string][]byte), nil, 0
			pl.visited = make(map[string]*visit)
			pl.mu.Unlock()
			continue
		}
		return res, err
	}
}

// readAll reads every system, chassis and the manager at once. stale says
// a remembered URI answered 404.
func (pl *poll) readAll(ctx context.Context) (*result, bool, error) {
	res := &result{
		systems: make([]systemPart, len(pl.dev.systems)),
		chassis: make([]chassisPart, len(pl.dev.chassis)),
	}
	ns, nc := len(res.systems), len(res.chassis)
	var mgr *managerPart
	pl.each(ctx, ns+nc+1, func(i int) {
		switch {
		case i < ns:
			res.systems[i] = pl.readSystem(ctx, pl.dev.systems[i])
		case i < ns+nc:
			res.chassis[i-ns] = pl.readChassis(ctx, pl.dev.chassis[i-ns])
		case pl.dev.manager != "":
			m := pl.readManager(ctx, pl.dev.manager)
			mgr = &m
		}
	})
	res.manager = mgr

	var tops []error
	stale := false
	note := func(label string, err error) {
		if err == nil {
			return
		}
		tops = append(tops, partErr(label, err))
		stale = stale || statusOf(err) == http.StatusNotFound
	}
	for _, s := range res.systems {
		note(s.label, s.err)
	}
	for _, c := range res.chassis {
		note(c.label, c.err)
	}
	if mgr != nil {
		note(mgr.label, mgr.err)
	}
	var cover coverage
	read := 0
	for _, s := range res.systems {
		if s.err == nil {
			read++
			cover.merge(s.cover)
		}
	}
	for _, c := range res.chassis {
		if c.err == nil {
			read++
			cover.merge(c.cover)
		}
	}
	if read == 0 && len(tops) > 0 {
		return nil, stale, tops[0] // no system and no chassis could be read: the device failed
	}
	if cover.advertised > 0 && cover.read == 0 {
		return nil, stale, pl.unverified(res)
	}
	res.partErrs = append(res.partErrs, pl.listErrs...)
	for _, err := range tops {
		res.partErrs = append(res.partErrs, partError(err))
	}
	res.ports = map[string]portDoc{}
	for _, c := range res.chassis {
		for uri, p := range c.ports {
			res.ports[uri] = p
		}
	}
	pl.readLinkedPorts(ctx, res)
	return res, stale, nil
}

// readLinkedPorts reads the network ports host interfaces link to that no
// chassis listed (best effort: a port is only for its LLDP neighbour).
func (pl *poll) readLinkedPorts(ctx context.Context, res *result) {
	seen := map[string]bool{}
	for _, p := range res.ports {
		for _, e := range p.Links.EthernetInterfaces {
			u, _ := canonicalRef(pl.base, e.ID)
			seen[u] = true
		}
	}
	var missing []string
	for _, s := range res.systems {
		for _, r := range s.ifaces {
			if seen[r.uri] {
				continue
			}
			for _, l := range r.doc.Links.Ports {
				if u, foreign := canonicalRef(pl.base, l.ID); !foreign && u != "" {
					if _, ok := res.ports[u]; !ok && !seen[u] {
						seen[u] = true
						missing = append(missing, u)
					}
				}
			}
		}
	}
	if len(missing) > pl.p.opts.MaxMembers {
		pl.budget.over(&LimitError{Option: "MaxMembers", Limit: int64(pl.p.opts.MaxMembers), What: "ports linked from host interfaces"})
		return
	}
	docs := make([]*portDoc, len(missing))
	pl.each(ctx, len(missing), func(i int) {
		var p portDoc
		if b, err := pl.getPath(ctx, missing[i], 0); err == nil && pl.decode(b, &p) == nil {
			docs[i] = &p
		}
	})
	for i, d := range docs {
		if d != nil {
			res.ports[missing[i]] = *d
		}
	}
}

// partError splits "label: cause" into a PartError.
func partError(err error) observation.PartError {
	var le *labelled
	if errors.As(err, &le) {
		return observation.PartError{Part: le.label, Error: le.err.Error()}
	}
	return observation.PartError{Part: "device", Error: err.Error()}
}

// labelled is an error about one part of a device.
type labelled struct {
	label string
	err   error
}

func (e *labelled) Error() string { return e.label + ": " + e.err.Error() }
func (e *labelled) Unwrap() error { return e.err }

func partErr(label string, err error) error { return &labelled{label: label, err: err} }

// parallel runs f(0..n-1) concurrently and waits. Requests inside are
// bounded by the connection's semaphores, not here.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}
