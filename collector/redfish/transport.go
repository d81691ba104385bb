package redfish

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/inventory"
)

// tlsConfig is how one BMC's certificate is verified: against the entry's
// `ca` file alone when it has one, else Options.RootCAs, else the system
// roots; not at all only when the entry says `insecure: true`, which is
// returned as a warning for the observation.
func (p *Poller) tlsConfig(rf *inventory.Redfish, dir string) (*tls.Config, string, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ClientSessionCache: p.sessions}
	switch {
	case rf.Insecure:
		cfg.InsecureSkipVerify = true
		return cfg, "TLS certificate verification is off for this BMC (insecure: true)", nil
	case rf.CA != "":
		path := rf.CA
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("ca file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, "", fmt.Errorf("ca file %s: no PEM certificate in it", path)
		}
		cfg.RootCAs = pool
	case p.opts.RootCAs != nil:
		cfg.RootCAs = p.opts.RootCAs
	}
	return cfg, "", nil
}

// transport is one BMC's connection pool for one poll: keep-alive, at most
// ConnsPerDevice connections (one TLS handshake per poll by default),
// HTTP/2 where the BMC offers it, no proxy (a BMC network is not the
// Internet, and a proxy would see the credentials). The poll closes its
// idle connections when done, so a sweep of 10,000 BMCs never holds more
// connections than polls in flight.
func (p *Poller) transport(cfg *tls.Config, sent *atomic.Int64, b *budget) (*http.Transport, http.RoundTripper) {
	n := p.opts.ConnsPerDevice
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
		MaxConnsPerHost:     n,
		MaxIdleConns:        n,
		MaxIdleConnsPerHost: n,
		IdleConnTimeout:     30 * time.Second,
	}
	return tr, counting{next: tr, n: sent, budget: b}
}

// counting counts requests put on the wire, and refuses those over the
// poll's MaxRequests (every request goes through it: retries, redirects
// and the session's POST too). The session's DELETE is never refused: a
// poll stopped by its budget still logs out.
type counting struct {
	next   http.RoundTripper
	n      *atomic.Int64
	budget *budget
}

func (c counting) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodDelete {
		if err := c.budget.request(); err != nil {
			if r.Body != nil {
				_ = r.Body.Close()
			}
			return nil, err
		}
	}
	c.n.Add(1)
	return c.next.RoundTrip(r)
}
