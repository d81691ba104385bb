package redfish

import (
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/observation"
)

// Options tune the collector. The zero value is the recommended setting.
type Options struct {
	// Logger receives one line per problem (Warn) and per poll (Debug).
	// Nil discards.
	Logger *slog.Logger
	// RootCAs are the roots BMC certificates are verified against when an
	// inventory entry has no `ca` file; nil means the system roots. The lab
	// sets its CA here. An entry's `ca` file, when given, is trusted alone.
	RootCAs *x509.CertPool
	// MaxInFlight bounds requests in flight across every BMC (default 256).
	MaxInFlight int
	// PerDevice bounds requests in flight to one BMC (default 4).
	PerDevice int
	// ConnsPerDevice bounds connections to one BMC within a poll (default
	// 1: one TLS handshake per BMC per poll; over HTTP/2 the PerDevice
	// requests share it, over HTTP/1.1 they queue on it).
	ConnsPerDevice int
	// MaxBodyBytes is the largest response read (default 16 MiB); a larger
	// one is an error for that resource.
	MaxBodyBytes int64
	// Retries of a failed GET (connection failure, 429, 502, 503, 504), with
	// exponential backoff from RetryBackoff, never past the deadline
	// (default 2; negative: none).
	Retries      int
	RetryBackoff time.Duration // default 250ms
	// NoExpand stops the collector from using $expand and $select even
	// where the BMC advertises them.
	NoExpand bool
	// ExpandTimeout bounds one $expand request; past it the BMC is judged
	// to crawl on $expand and is walked instead (default 10s, at most half
	// the time left).
	ExpandTimeout time.Duration
	// Reprobe is how long a BMC that mishandled $expand or $select is
	// walked before they are tried again (default 6h).
	Reprobe time.Duration
	// Rediscover is how long the URIs of systems, chassis and managers are
	// trusted before the service root is read again (default 1h; a 404 on
	// one of them rediscovers at once).
	Rediscover time.Duration
	// LogoutTimeout bounds the session logout, which runs on a fresh
	// context so it happens even after the poll's deadline (default 5s).
	LogoutTimeout time.Duration
	// CacheBytes bounds the ETag cache per BMC (default 4 MiB).
	CacheBytes int64
	// The budget of one poll of one BMC (a BMC is untrusted input). A BMC
	// that takes a poll over one of them fails that poll with an error
	// naming the limit; the other BMCs are untouched.
	//
	// MaxMembers bounds the members of one collection, and the links of
	// one array followed (a storage's Drives), default 4096; MaxPages the
	// pages of one collection (Members@odata.nextLink), default 64;
	// MaxRequests the requests put on the wire in one poll (retries,
	// redirects and the session included, the logout excepted), default
	// 2000; MaxBytes the bytes of answers read in one poll, default 32 MiB
	// (what one poll can hold in memory: answers are shared by the links
	// that lead to them until the poll ends).
	MaxMembers  int
	MaxPages    int
	MaxRequests int
	MaxBytes    int64
	// Now is the clock, for uptime (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 256
	}
	if o.PerDevice <= 0 {
		o.PerDevice = 4
	}
	if o.ConnsPerDevice <= 0 {
		o.ConnsPerDevice = 1
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 16 << 20
	}
	if o.Retries == 0 {
		o.Retries = 2
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 250 * time.Millisecond
	}
	if o.ExpandTimeout <= 0 {
		o.ExpandTimeout = 10 * time.Second
	}
	if o.Reprobe <= 0 {
		o.Reprobe = 6 * time.Hour
	}
	if o.Rediscover <= 0 {
		o.Rediscover = time.Hour
	}
	if o.LogoutTimeout <= 0 {
		o.LogoutTimeout = 5 * time.Second
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = 4 << 20
	}
	if o.MaxMembers <= 0 {
		o.MaxMembers = defaultMaxMembers
	}
	if o.MaxPages <= 0 {
		o.MaxPages = defaultMaxPages
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = defaultMaxRequests
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = defaultMaxBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Poller reads servers over Redfish. It implements collector.Poller and is
// safe for concurrent use; it remembers, per BMC, the URIs and ETags that
// make later polls cheap.
type Poller struct {
	opts     Options
	log      *slog.Logger
	global   chan struct{}
	sessions tls.ClientSessionCache

	mu      sync.Mutex
	devices map[string]*device
}

var _ collector.Poller = (*Poller)(nil)

// New returns a Poller.
func New(opts Options) *Poller {
	opts.defaults()
	return &Poller{
		opts:     opts,
		log:      opts.Logger,
		global:   make(chan struct{}, opts.MaxInFlight),
		sessions: tls.NewLRUClientSessionCache(16384),
		devices:  make(map[string]*device),
	}
}

// Protocol is observation.SourceRedfish.
func (p *Poller) Protocol() string { return observation.SourceRedfish }

// Handles reports whether the target has redfish management.
func (p *Poller) Handles(t collector.Target) bool {
	return t.Management != nil && t.Management.Redfish != nil
}

// Forget drops what the poller remembers about devices (their URIs, ETag
// cache and protocol verdicts), e.g. after they left the inventory.
func (p *Poller) Forget(ids ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		for k := range p.devices {
			if k == id || len(k) > len(id) && k[:len(id)+1] == id+"\x00" {
				delete(p.devices, k)
			}
		}
	}
}

// device returns the remembered state of a BMC, by id and endpoint (a new
// endpoint starts afresh).
func (p *Poller) device(id, endpoint string) *device {
	key := id + "\x00" + endpoint
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.devices[key]
	if d == nil {
		// What was remembered under the device's old endpoint goes: the
		// memory is bounded by the devices, not by their history.
		for k := range p.devices {
			if strings.HasPrefix(k, id+"\x00") {
				delete(p.devices, k)
			}
		}
		d = &device{cache: etagCache{limit: p.opts.CacheBytes}}
		p.devices[key] = d
	}
	return d
}
