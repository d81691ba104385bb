package redfishsim

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/faultline/faultline/inventory"
)

// Fleet runs many simulated BMCs in one process: one listener (one file
// descriptor) per BMC address, one shared HTTP server and lab CA, and a
// dispatch on the address a connection arrived at. Ten thousand BMCs cost
// ten thousand listeners and their accept goroutines, nothing per idle BMC
// beyond its small state.
//
// Every address must be on loopback (127.0.0.0/8 or ::1).
type Fleet struct {
	ca  *CA
	log *slog.Logger
	srv *http.Server
	tls *tls.Config

	mu        sync.RWMutex
	byAddr    map[string]*Sim
	byID      map[string]*Sim
	urls      map[string]string
	h1        map[string]*tls.Config
	listeners []net.Listener
	wg        sync.WaitGroup
	closed    bool
}

// NewFleet makes an empty fleet serving TLS with certificates from ca (a
// new CA when nil). log receives server errors at Debug (nil: discard).
func NewFleet(ca *CA, log *slog.Logger) (*Fleet, error) {
	if ca == nil {
		var err error
		if ca, err = NewCA(); err != nil {
			return nil, err
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Fleet{
		ca: ca, log: log,
		byAddr: make(map[string]*Sim), byID: make(map[string]*Sim),
		urls: make(map[string]string), h1: make(map[string]*tls.Config),
	}
	f.tls = &tls.Config{
		MinVersion:         tls.VersionTLS12,
		GetCertificate:     ca.certificateFor,
		GetConfigForClient: f.configForClient,
		// The key exchanges BMC TLS stacks offer (none does ML-KEM yet).
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256},
	}
	var protos http.Protocols
	protos.SetHTTP1(true)
	protos.SetHTTP2(true)
	f.srv = &http.Server{
		Handler:           http.HandlerFunc(f.serveHTTP),
		TLSConfig:         f.tls,
		Protocols:         &protos,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       90 * time.Second,
		ConnState:         f.connState,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	return f, nil
}

// CA is the fleet's certificate authority; trust CA().Pool() to verify its BMCs.
func (f *Fleet) CA() *CA { return f.ca }

func (f *Fleet) simAt(a net.Addr) *Sim {
	if a == nil {
		return nil
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.byAddr[a.String()]
}

func (f *Fleet) serveHTTP(w http.ResponseWriter, r *http.Request) {
	a, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	s := f.simAt(a)
	if s == nil {
		http.NotFound(w, r)
		return
	}
	s.serveHTTP(w, r)
}

// configForClient counts the handshake against its BMC, and offers only
// HTTP/1.1 to BMCs that simulate a server without HTTP/2.
func (f *Fleet) configForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	s := f.simAt(hello.Conn.LocalAddr())
	if s == nil {
		return nil, nil
	}
	s.handshakes.Add(1)
	if !s.opts.HTTP1Only {
		return nil, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.h1[s.id]
	if c == nil {
		c = f.tls.Clone()
		c.GetConfigForClient = nil
		c.NextProtos = []string{"http/1.1"}
		f.h1[s.id] = c
	}
	return c, nil
}

func (f *Fleet) connState(c net.Conn, st http.ConnState) {
	s := f.simAt(c.LocalAddr())
	if s == nil {
		return
	}
	switch st {
	case http.StateNew:
		s.conns.Add(1)
	case http.StateClosed, http.StateHijacked:
		s.conns.Add(-1)
	}
}

// Start serves sim on addr ("127.0.3.11:8443"; port 0 picks one) over TLS,
// and returns its base URL.
func (f *Fleet) Start(sim *Sim, addr string) (string, error) { return f.start(sim, addr, true) }

// StartPlain serves sim on addr over plain HTTP (endpoints written http://).
func (f *Fleet) StartPlain(sim *Sim, addr string) (string, error) { return f.start(sim, addr, false) }

func (f *Fleet) start(sim *Sim, addr string, useTLS bool) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("redfishsim: %s: address %q: %w", sim.id, addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("redfishsim: %s: refusing to listen on %q: simulated BMCs listen on loopback only (127.0.0.0/8)", sim.id, addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("redfishsim: %s: %w", sim.id, err)
	}
	scheme := "https"
	if !useTLS {
		scheme = "http"
	}
	u := scheme + "://" + l.Addr().String()
	f.mu.Lock()
	switch {
	case f.closed:
		f.mu.Unlock()
		l.Close()
		return "", errors.New("redfishsim: fleet is closed")
	case f.byID[sim.id] != nil:
		f.mu.Unlock()
		l.Close()
		return "", fmt.Errorf("redfishsim: %s is already running", sim.id)
	}
	f.byAddr[l.Addr().String()] = sim
	f.byID[sim.id] = sim
	f.urls[sim.id] = u
	f.listeners = append(f.listeners, l)
	f.wg.Add(1)
	f.mu.Unlock()
	go func() {
		defer f.wg.Done()
		var err error
		if useTLS {
			err = f.srv.ServeTLS(l, "", "")
		} else {
			err = f.srv.Serve(l)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			f.log.Warn("simulated BMC stopped", "device", sim.id, "error", err)
		}
	}()
	return u, nil
}

// Sim returns the simulated BMC with the id, or nil.
func (f *Fleet) Sim(id string) *Sim {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.byID[id]
}

// URL returns the base URL a BMC is served at ("" if none).
func (f *Fleet) URL(id string) string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.urls[id]
}

// IDs lists the simulated devices, sorted.
func (f *Fleet) IDs() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	ids := make([]string, 0, len(f.byID))
	for id := range f.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Inject adds a fault to device id's BMC.
func (f *Fleet) Inject(id string, fault Fault) error {
	s := f.Sim(id)
	if s == nil {
		return fmt.Errorf("redfishsim: no simulated BMC for %q", id)
	}
	return s.Inject(fault)
}

// Clear removes device id's faults matching fault and part (empty: all).
func (f *Fleet) Clear(id, fault, part string) error {
	s := f.Sim(id)
	if s == nil {
		return fmt.Errorf("redfishsim: no simulated BMC for %q", id)
	}
	return s.Clear(fault, part)
}

// Close stops every BMC: requests held by the hang fault are released,
// listeners and connections closed, and Close waits for the servers.
func (f *Fleet) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	sims := make([]*Sim, 0, len(f.byID))
	for _, s := range f.byID {
		sims = append(sims, s)
	}
	f.mu.Unlock()
	for _, s := range sims {
		s.Close()
	}
	err := f.srv.Close()
	f.wg.Wait()
	return err
}

// StartInventory starts a generated BMC for every device and power node
// (a PDU: FromPowerNode) of inv with redfish management, each on the host:port of its endpoint (which must be
// loopback), over TLS for https:// endpoints and plain HTTP for http://.
// opts apply to every BMC; each BMC accepts its device's own credentials
// unless opts sets them. On error nothing is left running.
func StartInventory(inv *inventory.Inventory, ca *CA, opts Options) (*Fleet, error) {
	f, err := NewFleet(ca, opts.Logger)
	if err != nil {
		return nil, err
	}
	for _, d := range inv.ManagedTargets() {
		if d.Management.Redfish == nil {
			continue
		}
		u, err := url.Parse(d.Management.Redfish.Endpoint)
		if err != nil || u.Host == "" {
			_ = f.Close()
			return nil, fmt.Errorf("redfishsim: %s: bad endpoint %q", d.ID, d.Management.Redfish.Endpoint)
		}
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), map[string]string{"https": "443", "http": "80"}[u.Scheme])
		}
		sim, err := FromInventory(inv, d.ID, opts)
		if err == nil {
			_, err = f.start(sim, addr, u.Scheme != "http")
		}
		if err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	return f, nil
}
