package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/api"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/sitebus"
)

// natsFlags are serve's flags for site collectors and auditors
// (docs/operations.md, site collectors); without --nats none of them applies.
type natsFlags struct {
	url, creds, ca string
	domain         string
	replicas       int
	inbox          string
	maxSkew        time.Duration
	collectOnly    bool
	site, devices  string
}

func (n *natsFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&n.url, "nats", "", "NATS server `URL`s, comma-separated (nats://, or tls:// to require TLS): audit what site collectors put in JetStream; with --collect-only, be one")
	fs.StringVar(&n.creds, "nats-creds", "", "NATS credentials `FILE` (a secret: never logged)")
	fs.StringVar(&n.ca, "nats-ca", "", "CA `FILE` (PEM) that signed the NATS servers' certificates")
	fs.StringVar(&n.domain, "nats-domain", "", "JetStream `DOMAIN` of the buckets, when reached through a leaf node (the core cluster's jetstream domain)")
	fs.StringVar(&n.inbox, "nats-inbox", "", "`PREFIX` of this process's NATS reply subjects instead of _INBOX (so that its NATS user may subscribe only to its own, e.g. _INBOX_site-1)")
	fs.DurationVar(&n.maxSkew, "nats-max-skew", sitebus.DefaultMaxSkew, "auditor: refuse observations (and first_seen records) dated more than `D` after the NATS server stored them")
	fs.IntVar(&n.replicas, "nats-replicas", 0, "replicas of the buckets when this process creates them (default: the cluster size up to 3, 1 on one server)")
	fs.BoolVar(&n.collectOnly, "collect-only", false, "with --nats: poll this process's share and put the observations into NATS; no audit, no API (serves /healthz, /readyz, /metrics)")
	fs.StringVar(&n.site, "site", "", "with --nats: poll the managed devices of site `ID`")
	fs.StringVar(&n.devices, "devices", "", "with --nats: poll the devices `SELECTORS` name: ids, globs, kind=K, rack=R, site=S, comma-separated")
}

// natsSetup is the wiring of a collector or an auditor.
type natsSetup struct {
	flags natsFlags
	bus   *sitebus.Bus
	share *sitebus.Share
	pub   *sitebus.Publisher
	src   *sitebus.Source
	stop  context.CancelFunc
	done  chan struct{}
}

// setup checks the flags and connects; nil without --nats.
func (n natsFlags) setup(ctx context.Context, log *slog.Logger) (*natsSetup, error) {
	if n.url == "" {
		if n.collectOnly || n.site != "" || n.devices != "" || n.creds != "" || n.ca != "" || n.domain != "" || n.inbox != "" {
			return nil, errors.New("--collect-only, --site, --devices, --nats-creds, --nats-ca, --nats-domain and --nats-inbox need --nats URL")
		}
		return nil, nil
	}
	if n.maxSkew <= 0 {
		return nil, fmt.Errorf("--nats-max-skew %s: give a positive duration (default %s)", n.maxSkew, sitebus.DefaultMaxSkew)
	}
	if n.site != "" && n.devices != "" {
		return nil, errors.New("--site and --devices: give one (--devices site=ID,... combines them)")
	}
	s := &natsSetup{flags: n, done: make(chan struct{})}
	var err error
	switch {
	case n.site != "":
		s.share = sitebus.SiteShare(n.site)
	case n.devices != "":
		if s.share, err = sitebus.ParseShare(n.devices); err != nil {
			return nil, err
		}
	}
	role := "auditor"
	if n.collectOnly {
		role = "collector"
		if s.share != nil {
			role += " " + s.share.String()
		}
	}
	s.bus, err = sitebus.Connect(ctx, sitebus.Options{URL: n.url, CredsFile: n.creds, CAFile: n.ca, Domain: n.domain, Replicas: n.replicas,
		InboxPrefix: n.inbox, CollectOnly: n.collectOnly, MaxSkew: n.maxSkew,
		Name: "faultline " + role, Logger: log.With("component", "nats")})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// configure sets the engine's hooks: a collector polls its share and
// publishes, and audits nothing; an auditor watches the bucket, shares first_seen, and polls
// only a share it was given.
func (s *natsSetup) configure(ctx context.Context, cfg *engine.Config) {
	ctx, s.stop = context.WithCancel(ctx)
	switch {
	case s.share != nil:
		cfg.Targets = s.share.Targets
	case !s.flags.collectOnly:
		cfg.Targets = func(*inventory.Inventory) []collector.Target { return nil }
	}
	if s.flags.collectOnly {
		s.pub = s.bus.Publisher()
		cfg.Sink = s.pub
		cfg.CollectOnly = true
		go func() { defer close(s.done); s.pub.Run(ctx) }()
		return
	}
	close(s.done)
	s.src = s.bus.Source(sitebus.Policy{})
	cfg.Source = s.src
	cfg.FirstSeen = s.bus.FirstSeen(ctx)
}

// metrics are an auditor's NATS metrics, for its /metrics (a collector's
// are in collectorOptions).
func (s *natsSetup) metrics() []prometheus.Collector {
	if s == nil || s.flags.collectOnly {
		return nil
	}
	return []prometheus.Collector{sitebus.Metrics(s.bus, nil, s.src)}
}

// check fails a share that selects nothing in the inventory.
func (s *natsSetup) check(inv *inventory.Inventory, file string) error {
	if s.share != nil && len(s.share.Targets(inv)) == 0 {
		return fmt.Errorf("%s selects no managed device or power node in %s: check the site id or selectors", s.share, file)
	}
	return nil
}

// collectorOptions are a site collector's status endpoints' parts: its
// share, its link to the auditors and the link's metrics.
func (s *natsSetup) collectorOptions() api.CollectorOptions {
	share := "all managed devices"
	if s.share != nil {
		share = s.share.String()
	}
	return api.CollectorOptions{Share: share, Link: sitebus.CollectorLink(s.bus, s.pub),
		Metrics: []prometheus.Collector{sitebus.Metrics(s.bus, s.pub, nil)}}
}

// Close stops the publisher and drains the connection.
func (s *natsSetup) Close() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
	_ = s.bus.Close()
}

// targets is what this process polls.
func (s *natsSetup) targets(eng *engine.Engine) []collector.Target {
	inv := eng.Snapshot().Inventory
	if s.share != nil {
		return s.share.Targets(inv)
	}
	if s.flags.collectOnly {
		return collector.Targets(inv)
	}
	return nil
}
