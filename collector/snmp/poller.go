package snmp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/observation"
)

// Options tune the SNMP poller. The zero value is usable.
type Options struct {
	// Logger receives per-device debug lines; nil discards them.
	Logger *slog.Logger
	// Limits bound requests and tables (see Limits for defaults).
	Limits Limits
	// RequestTimeout caps one request attempt (default 5s); it is cut
	// further so that the attempt and its Retries end within the device's
	// deadline.
	RequestTimeout time.Duration
	// Retries is how many times an unanswered request is resent (default 2).
	Retries int
	// Concurrency bounds devices this poller reads at once, whoever calls
	// it (default 256).
	Concurrency int
}

// Poller reads switches, routers, firewalls, PDUs and UPSes over SNMP. It
// implements collector.Poller and is safe for concurrent use.
type Poller struct {
	opts Options
	log  *slog.Logger
	sem  chan struct{}
	// dial opens a client for a target; tests replace it to watch what is
	// asked of the device.
	dial func(cfg dialConfig) (Client, error)
}

// New returns a poller.
func New(opts Options) *Poller {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 5 * time.Second
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	} else if opts.Retries == 0 {
		opts.Retries = 2
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 256
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Poller{opts: opts, log: log, sem: make(chan struct{}, opts.Concurrency),
		dial: func(cfg dialConfig) (Client, error) { return dial(cfg) }}
}

// Protocol is observation.SourceSNMP.
func (p *Poller) Protocol() string { return observation.SourceSNMP }

// Handles reports whether the target has SNMP management.
func (p *Poller) Handles(t collector.Target) bool {
	return t.Management != nil && t.Management.SNMP != nil
}

// Poll reads one device under ctx's deadline. It always returns an
// observation: on failure Error says why (with the address, never a
// secret), and whatever was read before the failure is kept.
func (p *Poller) Poll(ctx context.Context, t collector.Target) observation.Device {
	start := time.Now()
	dev := observation.Device{ID: t.ID, Source: observation.SourceSNMP, AttemptedAt: start.UTC()}
	defer func() { dev.Duration = observation.Duration(time.Since(start)) }()
	if !p.Handles(t) {
		dev.Error = "no snmp management"
		return dev
	}
	dev.Endpoint = t.Management.SNMP.Address
	cfg, err := configFor(t, p.opts)
	if err != nil {
		dev.Error = err.Error()
		return dev
	}
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		dev.Error = fmt.Sprintf("snmp %s: not polled: %v", dev.Endpoint, context.Cause(ctx))
		return dev
	}
	c, err := p.dial(cfg)
	if err != nil {
		dev.Error = fmt.Sprintf("snmp %s: %v", dev.Endpoint, err)
		return dev
	}
	defer c.Close()
	p.read(ctx, c, &dev)
	dev.Requests = c.Requests()
	cfg.secrets().device(&dev)
	log := p.log.With("device", t.ID, "address", dev.Endpoint)
	log.Debug("snmp poll", "requests", dev.Requests, "error", dev.Error, "part_errors", len(dev.PartErrors))
	return dev
}

// read walks everything every module needs and decodes it into dev. It
// reports the device verified (no Error) only when the walk ended, at
// least one table could be read, something besides the system group was
// read, and decoding finished within ctx.
func (p *Poller) read(ctx context.Context, c Client, dev *observation.Device) {
	scalars, columns := plan()
	res, err := walk(ctx, c, scalars, columns, p.opts.Limits)
	if err != nil {
		// A request went unanswered or was refused, or the poll spent its
		// budget: what was read before it may be incomplete, so none of it
		// is reported as the device's state (the runner keeps the last good
		// observation instead).
		if (ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)) && res.vars > 0 {
			// The agent did answer: not a dead one, a slow or large one.
			fail(dev, fmt.Sprintf("snmp %s: the walk was not finished by the deadline (%d variables read in %d requests; the agent answers too slowly, or its tables are too large, for the poll's timeout): %v",
				dev.Endpoint, res.vars, c.Requests(), cmp.Or(context.Cause(ctx), context.DeadlineExceeded)))
			return
		}
		fail(dev, fmt.Sprintf("snmp %s: %v", dev.Endpoint, err))
		return
	}
	if err := res.noTable(columns); err != nil {
		fail(dev, fmt.Sprintf("snmp %s: %v", dev.Endpoint, err))
		return
	}
	if !res.anyData(systemMIB.scalars) {
		// net-snmp's default view for a community is just this.
		fail(dev, fmt.Sprintf("snmp %s: the agent answered only its system group (no table row, no PDU or UPS object), so nothing is verified: check the agent's view for this community or user", dev.Endpoint))
		return
	}
	b := &builder{dev: dev, portAt: map[int64]int{}, ent: map[int64]*entity{}}
	b.psus.ctx, b.fans.ctx = ctx, ctx
	for _, m := range modules {
		if ctx.Err() != nil {
			break
		}
		if derr := errors.Join(m.decode(b, res), res.scalarErr(m.scalars...)); derr != nil {
			dev.PartErrors = append(dev.PartErrors, observation.PartError{Part: m.name, Error: derr.Error()})
		}
	}
	b.psus.settle()
	b.fans.settle()
	if ctx.Err() != nil {
		fail(dev, fmt.Sprintf("snmp %s: decoding the answers: %v", dev.Endpoint, context.Cause(ctx)))
		return
	}
	dev.PSUs = b.psus.psus()
	dev.Fans = b.fans.fans()
	dev.CollectedAt = time.Now().UTC()
}

// fail turns dev into an error observation: the message, and none of
// what was read (it is not the device's whole state).
func fail(dev *observation.Device, msg string) {
	*dev = observation.Device{ID: dev.ID, Source: dev.Source, Endpoint: dev.Endpoint, AttemptedAt: dev.AttemptedAt, Error: msg}
}
