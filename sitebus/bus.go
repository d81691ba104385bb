// Package sitebus carries faultline's observations and findings'
// first_seen through NATS JetStream key-value buckets, so that site
// collectors (serve --collect-only) feed auditors elsewhere:
//
//   - faultline_observations holds the latest observation of every
//     device and source (key SITE.DEVICE.SOURCE, a few revisions kept),
//     as JSON in the shape of one entry of `collect --out`;
//   - faultline_findings holds each finding's first_seen, written by
//     compare-and-set, so that every auditor answers the same.
//
// A Publisher buffers the latest observation per device while NATS is
// away and sends them when it is back; a Source watches the bucket and
// keeps what the inventory expects of it (accept.go); a FirstSeen store
// shares first_seen. Connection secrets (credentials
// files, passwords in URLs) never appear in logs or errors.
package sitebus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The buckets.
const (
	ObservationsBucket = "faultline_observations"
	FindingsBucket     = "faultline_findings"
)

// Options configure a connection.
type Options struct {
	// URL is one server or several, comma-separated: nats://host:4222,
	// or tls://host:4222 to require TLS. A user and password in it are
	// secrets: they are never logged.
	URL string
	// CredsFile is a NATS credentials file (JWT and NKey seed).
	CredsFile string
	// CAFile is the CA that signed the servers' certificates (default:
	// the system's).
	CAFile string
	// Domain is the JetStream domain of the buckets, when they are reached
	// through a leaf node (the core cluster's jetstream.domain); "" for
	// the servers' own JetStream.
	Domain string
	// Name is the client name servers show (e.g. "faultline collector site-a").
	Name string
	// InboxPrefix replaces "_INBOX" as the prefix of the subjects replies
	// come back on, so that a NATS user may subscribe only to its own
	// (e.g. "_INBOX_site-1"; see docs/operations.md).
	InboxPrefix string
	// CollectOnly: a site collector, which opens (or creates) the
	// observations bucket only and never touches faultline_findings, so
	// that its NATS user needs no right on it. Without the right to create
	// a bucket, it waits (up to Setup) for an auditor to create it.
	CollectOnly bool
	// Replicas of a bucket this process creates (0: the cluster size up
	// to 3, or 1 on a single server). Existing buckets are used as they are.
	Replicas int
	// History is the revisions kept per key of a bucket this process
	// creates (default 5).
	History int
	// MaxSkew is how far a time in an entry (an observation's, a
	// first_seen) may run ahead of when the NATS server stored the entry
	// (default DefaultMaxSkew, 2 minutes).
	MaxSkew time.Duration
	// Timeout bounds connecting and every key-value operation (default 5s).
	Timeout time.Duration
	// Setup bounds waiting for JetStream to accept the buckets (a cluster
	// electing its leader; default 30s).
	Setup  time.Duration
	Logger *slog.Logger
}

// Bus is a connection to NATS with the buckets ready.
type Bus struct {
	opts Options
	log  *slog.Logger
	nc   *nats.Conn
	js   jetstream.JetStream
	obs  jetstream.KeyValue
	find jetstream.KeyValue // nil for a collector
	// findCreated is when the findings bucket was created: no first_seen
	// is older.
	findCreated time.Time
	// FirstSeenRejected counts first_seen records refused as implausible.
	FirstSeenRejected atomic.Uint64

	mu        sync.Mutex
	reconnect chan struct{} // closed and replaced on every reconnect

	Reconnects  atomic.Uint64
	Disconnects atomic.Uint64
	closing     atomic.Bool // Close was called: the handlers stay quiet
}

// Redact returns a URL list with passwords and tokens removed, for logs.
func Redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		u, err := url.Parse(p)
		if err != nil || u.User == nil {
			if err != nil {
				parts[i] = "(unparsable URL)"
			} else {
				parts[i] = p
			}
			continue
		}
		u.User = url.User("REDACTED")
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}

// Connect connects to NATS and makes sure both buckets exist, creating
// them when absent. It fails (with the servers' URLs redacted) when no
// server answers within Timeout; once connected, a lost connection is
// retried for ever, every 2s plus jitter, without buffering publishes.
func Connect(ctx context.Context, opts Options) (*Bus, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	where := Redact(opts.URL)
	b := &Bus{opts: opts, log: opts.Logger, reconnect: make(chan struct{})}
	no, err := b.natsOptions(where)
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(opts.URL, no...)
	if err != nil {
		return nil, fmt.Errorf("sitebus: connecting to %s: %s; check the URL and that a server runs there", where, errText(err))
	}
	b.nc = nc
	if opts.Domain != "" {
		b.js, err = jetstream.NewWithDomain(nc, opts.Domain)
	} else {
		b.js, err = jetstream.New(nc)
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("sitebus: %w", err)
	}
	if err := b.openBuckets(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	b.log.Info("nats: connected", "server", Redact(nc.ConnectedUrlRedacted()), "cluster", nc.ConnectedClusterName())
	return b, nil
}

// withDefaults checks the options and fills the zero ones.
func (opts Options) withDefaults() (Options, error) {
	if opts.URL == "" {
		return opts, errors.New("sitebus: no NATS URL")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.History <= 0 {
		opts.History = 5
	}
	if opts.History > 64 {
		return opts, fmt.Errorf("sitebus: history %d: JetStream keeps at most 64 revisions per key", opts.History)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.MaxSkew <= 0 {
		opts.MaxSkew = DefaultMaxSkew
	}
	if opts.Setup <= 0 {
		opts.Setup = 30 * time.Second
	}
	return opts, nil
}

// natsOptions is how b connects: reconnecting for ever without a
// client-side buffer, counting and logging disconnects and reconnects
// (where is the redacted server list), and the credentials and CA files
// when given, which must exist.
func (b *Bus) natsOptions(where string) ([]nats.Option, error) {
	opts := b.opts
	no := []nats.Option{
		nats.Name(opts.Name),
		nats.Timeout(opts.Timeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(2 * time.Second),
		nats.ReconnectJitter(500*time.Millisecond, 2*time.Second),
		// No client-side backlog: the Publisher keeps the latest
		// observation per device itself, and a publish while
		// disconnected fails at once.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if b.closing.Load() {
				return
			}
			b.Disconnects.Add(1)
			b.log.Warn("nats: disconnected", "servers", where, "error", errText(err))
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.Reconnects.Add(1)
			b.log.Info("nats: reconnected", "server", Redact(nc.ConnectedUrlRedacted()))
			b.mu.Lock()
			close(b.reconnect)
			b.reconnect = make(chan struct{})
			b.mu.Unlock()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if b.closing.Load() {
				return
			}
			b.log.Warn("nats: asynchronous error", "error", errText(err))
		}),
	}
	if opts.InboxPrefix != "" {
		no = append(no, nats.CustomInboxPrefix(opts.InboxPrefix))
	}
	if opts.CredsFile != "" {
		if _, err := os.Stat(opts.CredsFile); err != nil {
			return nil, fmt.Errorf("sitebus: --nats-creds: %w", err)
		}
		no = append(no, nats.UserCredentials(opts.CredsFile))
	}
	if opts.CAFile != "" {
		if _, err := os.Stat(opts.CAFile); err != nil {
			return nil, fmt.Errorf("sitebus: --nats-ca: %w", err)
		}
		no = append(no, nats.RootCAs(opts.CAFile))
	}
	return no, nil
}

// openBuckets opens (creating when absent) the observations bucket and,
// unless the bus only collects, the findings bucket and its creation
// time, all within opts.Setup.
func (b *Bus) openBuckets(ctx context.Context) error {
	sctx, cancel := context.WithTimeout(ctx, b.opts.Setup)
	defer cancel()
	var err error
	if b.obs, err = b.bucket(sctx, ObservationsBucket, "faultline: the latest observation of each device (SITE.DEVICE.SOURCE)"); err == nil && !b.opts.CollectOnly {
		if b.find, err = b.bucket(sctx, FindingsBucket, "faultline: each finding's first_seen"); err == nil {
			b.findCreated, err = b.created(sctx, b.find)
		}
	}
	return err
}

// errText is an error's text with anything URL-like redacted: nats.go
// errors can quote the server they concern.
func errText(err error) string {
	if err == nil {
		return ""
	}
	words := strings.Fields(err.Error())
	for i, w := range words {
		if strings.Contains(w, "://") && strings.Contains(w, "@") {
			words[i] = Redact(strings.Trim(w, `"',;`))
		}
	}
	return strings.Join(words, " ")
}

// replicas is the replica count for a bucket this process creates.
func (b *Bus) replicas() int {
	if b.opts.Replicas > 0 {
		return b.opts.Replicas
	}
	if b.nc.ConnectedClusterName() == "" {
		return 1
	}
	return min(3, max(1, len(b.nc.Servers())))
}

// bucket opens a bucket, creating it when absent; while JetStream is not
// ready (a cluster without a leader yet) it retries until ctx ends.
func (b *Bus) bucket(ctx context.Context, name, desc string) (jetstream.KeyValue, error) {
	var last error
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		octx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
		kv, err := b.js.KeyValue(octx, name)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			maxValue := int32(min(b.nc.MaxPayload(), 1<<20))
			kv, err = b.js.CreateKeyValue(octx, jetstream.KeyValueConfig{
				Bucket: name, Description: desc, History: uint8(b.opts.History), Replicas: b.replicas(),
				Storage: jetstream.FileStorage, MaxValueSize: maxValue,
			})
			if errors.Is(err, jetstream.ErrBucketExists) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				kv, err = b.js.KeyValue(octx, name) // another process made it first
			}
			if err == nil {
				b.log.Info("nats: bucket created", "bucket", name, "replicas", b.replicas(), "history", b.opts.History)
			}
		}
		cancel()
		if err == nil {
			return kv, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("sitebus: bucket %s: %s (is JetStream enabled on the servers, and does the account allow it?)", name, errText(last))
		case <-time.After(wait):
		}
	}
}

// created is when a bucket's stream was created.
func (b *Bus) created(ctx context.Context, kv jetstream.KeyValue) (time.Time, error) {
	octx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
	defer cancel()
	st, err := kv.Status(octx)
	if err != nil {
		return time.Time{}, fmt.Errorf("sitebus: bucket %s: %s", kv.Bucket(), errText(err))
	}
	return st.(*jetstream.KeyValueBucketStatus).StreamInfo().Created, nil
}

// Connected reports whether the connection is up now.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }

// reconnected returns a channel closed at the next reconnect.
func (b *Bus) reconnected() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reconnect
}

// Close drains the connection (what was sent is flushed first), waiting
// at most Timeout.
func (b *Bus) Close() error {
	b.closing.Store(true)
	err := b.nc.Drain()
	deadline := time.Now().Add(b.opts.Timeout)
	for !b.nc.IsClosed() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b.nc.Close()
	if err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("sitebus: closing: %s", errText(err))
	}
	return nil
}

// BucketReplicas reports how many replicas a bucket has.
func (b *Bus) BucketReplicas(ctx context.Context, name string) (int, error) {
	kv := b.obs
	if name == FindingsBucket {
		if b.find == nil {
			return 0, errors.New("sitebus: a collector does not open the findings bucket")
		}
		kv = b.find
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
	defer cancel()
	st, err := kv.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("sitebus: bucket %s: %s", name, errText(err))
	}
	return st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas, nil
}

// Observations counts the keys of the observations bucket.
func (b *Bus) Observations(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
	defer cancel()
	keys, err := b.obs.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sitebus: %s", errText(err))
	}
	return len(keys), nil
}
