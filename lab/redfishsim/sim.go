package redfishsim

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Schema is which generation of the Redfish power and thermal model a
// generated tree uses.
type Schema string

// The schemas.
const (
	// Modern: PowerSubsystem, ThermalSubsystem, EnvironmentMetrics,
	// NetworkAdapters with Ports (and LLDP), Storage Controllers, RAIDType.
	Modern Schema = "modern"
	// Legacy: Power and Thermal (deprecated in Redfish 2020.4 but what many
	// BMCs in racks today serve), StorageControllers inline, VolumeType,
	// no LLDP.
	Legacy Schema = "legacy"
)

// ExpandMode is how a simulated BMC treats $expand.
type ExpandMode string

// The expand modes, after behaviour seen in real BMCs.
const (
	ExpandOn     ExpandMode = "on"     // advertised and honoured
	ExpandOff    ExpandMode = "off"    // not advertised; the parameter is ignored
	ExpandReject ExpandMode = "reject" // advertised, but answered 400 (some firmware)
	ExpandIgnore ExpandMode = "ignore" // advertised, silently ignored
	ExpandSlow   ExpandMode = "slow"   // advertised, honoured at ExpandCost per inlined resource (BMCs that crawl)
)

// Options shape a simulated BMC. The zero value is a modern, fast BMC that
// honours $expand and $select and allows 8 sessions.
type Options struct {
	// ID names the simulated BMC in a Fleet (default: the inventory id, or
	// the mockup directory's name).
	ID string
	// Schema of a generated tree (default Modern). Ignored for mockups.
	Schema Schema
	// Username and Password the BMC accepts. FromDevice defaults them to
	// the inventory's (its password secret resolved); a mockup with no
	// Username accepts any credentials.
	Username, Password string
	// Latency is added to every answer; Jitter spreads it by up to ± Jitter.
	Latency, Jitter time.Duration
	// Expand mode (default ExpandOn for generated trees; for mockups,
	// whatever the mockup's service root advertises).
	Expand ExpandMode
	// ExpandCost is the delay per inlined resource in ExpandSlow (default 100ms).
	ExpandCost time.Duration
	// MaxLevels is the deepest $levels a generated tree expands and
	// advertises (default 6; HPE iLO 5 does 1).
	MaxLevels int
	// NoSelect stops advertising and honouring $select.
	NoSelect bool
	// MaxSessions is the session limit (default 8, as iDRAC); one more is 503.
	MaxSessions int
	// HTTP1Only refuses HTTP/2, like most BMC web servers.
	HTTP1Only bool
	// Hosts rewrites absolute links to other hosts in a mockup: key
	// "redfishpdu.contoso.com", value the base URL that serves it now
	// ("https://127.0.0.1:40123").
	Hosts map[string]string
	// Seed makes jitter reproducible.
	Seed uint64
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives per-request detail at Debug (default: discard).
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Schema == "" {
		o.Schema = Modern
	}
	if o.ExpandCost <= 0 {
		o.ExpandCost = 100 * time.Millisecond
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 8
	}
	if o.MaxLevels <= 0 {
		o.MaxLevels = 6
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// source is where a simulated BMC's resources come from: a tree generated
// from an inventory device, or a mockup on disk.
type source interface {
	// resource returns the resource at a canonical path, or nil. The map is
	// shared: callers must not modify it.
	resource(path string) map[string]any
	// version changes whenever any resource changes (it keys ETags).
	version() uint64
	// setFaults applies the active hardware faults (all of them, anew).
	setFaults(faults []Fault) error
	// reset records a host restart now.
	reset(now time.Time) error
	// features is what the service root advertises.
	features() features
}

type features struct {
	expand    bool
	maxLevels int
	sel       bool
}

// Stats count what a simulated BMC was asked and did.
type Stats struct {
	Requests    int64 // HTTP requests, every method
	NotModified int64 // answered 304 to If-None-Match
	Handshakes  int64 // TLS ClientHellos (full or resumed)
	Conns       int64 // connections open now
	Sessions    int   // sessions open now
	Logins      int64 // sessions created
	Logouts     int64 // sessions deleted by the client
}

// Sim is one simulated BMC: an http.Handler serving a Redfish tree with
// authentication, sessions, $expand/$select, ETags, latency and injected
// faults. Serve it with a Fleet (TLS with the lab CA, many BMCs per
// process) or with net/http/httptest (Handler).
type Sim struct {
	id   string
	opts Options
	src  source

	mu       sync.Mutex
	faults   []Fault
	sessions map[string]*session // by token
	seq      int
	rng      *rand.Rand
	closed   chan struct{}
	once     sync.Once

	requests, notModified, handshakes, conns, logins, logouts atomic.Int64
}

func newSim(id string, src source, opts Options) *Sim {
	if opts.ID != "" {
		id = opts.ID
	}
	return &Sim{
		id:       id,
		opts:     opts,
		src:      src,
		sessions: make(map[string]*session),
		rng:      rand.New(rand.NewPCG(opts.Seed, uint64(len(id))+1)),
		closed:   make(chan struct{}),
	}
}

// ID is the simulated device's id (the inventory id, or the mockup's name).
func (s *Sim) ID() string { return s.id }

// Handler serves the Redfish tree.
func (s *Sim) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Inject adds a fault. Hardware faults change the tree (and its ETags) at
// once; protocol faults apply to the next requests.
func (s *Sim) Inject(f Fault) error {
	if err := checkFaultName(f); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Fault == Reset {
		return s.src.reset(s.opts.Now())
	}
	next := append(append([]Fault(nil), s.faults...), f)
	if !isProtocolFault(f.Fault) {
		if err := s.src.setFaults(hardware(next)); err != nil {
			return err
		}
	}
	s.faults = next
	s.opts.Logger.Info("fault injected", "device", s.id, "fault", f.String())
	return nil
}

// Clear removes every fault whose name and part match (empty matches all).
func (s *Sim) Clear(fault, part string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keep []Fault
	for _, f := range s.faults {
		if (fault == "" || f.Fault == fault) && (part == "" || f.Part == part) {
			continue
		}
		keep = append(keep, f)
	}
	if err := s.src.setFaults(hardware(keep)); err != nil {
		return fmt.Errorf("redfishsim: %s: clear: %w", s.id, err)
	}
	s.faults = keep
	return nil
}

// ActiveFaults lists the faults in force, in the order injected.
func (s *Sim) ActiveFaults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Fault(nil), s.faults...)
}

// Stats returns the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	n := len(s.sessions)
	s.mu.Unlock()
	return Stats{
		Requests:    s.requests.Load(),
		NotModified: s.notModified.Load(),
		Handshakes:  s.handshakes.Load(),
		Conns:       s.conns.Load(),
		Sessions:    n,
		Logins:      s.logins.Load(),
		Logouts:     s.logouts.Load(),
	}
}

// ResetStats zeroes the request, handshake and session counters (open
// sessions and connections stay).
func (s *Sim) ResetStats() {
	s.requests.Store(0)
	s.notModified.Store(0)
	s.handshakes.Store(0)
	s.logins.Store(0)
	s.logouts.Store(0)
}

// Close releases requests held by the hang fault. The Fleet calls it.
func (s *Sim) Close() { s.once.Do(func() { close(s.closed) }) }

func hardware(faults []Fault) []Fault {
	var hw []Fault
	for _, f := range faults {
		if !isProtocolFault(f.Fault) {
			hw = append(hw, f)
		}
	}
	return hw
}

// delay is the latency of one answer, jittered.
func (s *Sim) delay() time.Duration {
	d := s.opts.Latency
	if s.opts.Jitter > 0 {
		s.mu.Lock()
		j := time.Duration(s.rng.Int64N(int64(2*s.opts.Jitter)+1)) - s.opts.Jitter
		s.mu.Unlock()
		d += j
	}
	return max(d, 0)
}
