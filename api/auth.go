package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"
)

// GuardOptions configure a Guard.
type GuardOptions struct {
	// WebConfigFile is the web configuration file (TLS, client
	// certificates, basic auth users); "" serves plain HTTP with no users.
	WebConfigFile string
	// Token is the bearer token (the one the POST endpoints need); it
	// also counts as credentials for reads.
	Token string
	// AuthReads requires credentials for every request but GET /healthz,
	// as basic_auth_users in the web configuration do.
	AuthReads bool
	Logger    *slog.Logger
}

// Guard is the server's front door: TLS from the web configuration, and
// the credentials every request but GET /healthz needs when reads are
// protected (AuthReads, or any basic_auth_users). Credentials are any
// one of: the bearer token, a basic auth user and password (bcrypt), or a
// client certificate verified against the web configuration's
// client_ca_file. The POST endpoints still need the bearer token itself
// (Server's own check): basic auth users and client certificates read,
// the token reads and acts.
//
// /healthz stays open so that load balancers and orchestrators, which
// mostly cannot send credentials, can probe liveness: it answers a
// constant and reveals nothing but that faultline listens, which the
// refusal of any other path reveals as well. Client certificates, when
// required, are checked during the TLS handshake, before any path: they
// then cover /healthz too.
type Guard struct {
	opts GuardOptions
	log  *slog.Logger
	cfg  atomic.Pointer[WebConfig]

	bcryptMu sync.Mutex // one bcrypt comparison at a time: each costs tens of ms of CPU
	cacheMu  sync.Mutex
	cache    map[[32]byte]bool // hmac(user, hash, password) → accepted
	cacheKey [32]byte

	refused      *prometheus.CounterVec
	reloadOK     prometheus.Gauge
	reloadTime   prometheus.Gauge
	reloadFailed atomic.Bool
}

// maxAuthCache bounds the remembered basic auth results; the cache
// empties when it is full.
const maxAuthCache = 1024

// NewGuard loads the web configuration and checks that the options make
// sense together: AuthReads with no way to authenticate is an error.
func NewGuard(opts GuardOptions) (*Guard, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	g := &Guard{opts: opts, log: opts.Logger, cache: map[[32]byte]bool{},
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_http_requests_refused_total",
			Help: "HTTP requests refused before any handler ran: reason credentials (none or wrong, when reads are protected) or rate_limit.",
		}, []string{"reason"}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "faultline_web_config_last_reload_successful",
			Help: "Whether the last load of --web.config.file (at start or SIGHUP) succeeded; 1 without one.",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "faultline_web_config_last_reload_success_timestamp_seconds",
			Help: "When --web.config.file was last loaded successfully (start or SIGHUP).",
		}),
	}
	g.refused.WithLabelValues("credentials")
	g.refused.WithLabelValues("rate_limit")
	if _, err := rand.Read(g.cacheKey[:]); err != nil {
		return nil, err
	}
	c := &WebConfig{}
	if opts.WebConfigFile != "" {
		var err error
		if c, err = LoadWebConfig(opts.WebConfigFile); err != nil {
			return nil, err
		}
	}
	if opts.AuthReads && opts.Token == "" && len(c.users) == 0 && !c.verifiesClients {
		return nil, errors.New("--auth-reads: there are no credentials to check: give a bearer token (--token-file or FAULTLINE_TOKEN), basic_auth_users in --web.config.file, or client certificates (client_auth_type RequireAndVerifyClientCert)")
	}
	if len(c.users) > 0 && c.tls == nil {
		g.log.Warn("basic auth without TLS: passwords cross the network in clear text; add tls_server_config to the web configuration", "file", opts.WebConfigFile)
	}
	g.cfg.Store(c)
	g.reloadOK.Set(1)
	g.reloadTime.Set(float64(time.Now().Unix()))
	return g, nil
}

// Reload reads the web configuration file again and puts it in force if
// it loads, for the next requests and TLS handshakes; otherwise the one
// in force stays and the error is returned. Turning TLS on or off needs
// a restart (the listener is one or the other).
func (g *Guard) Reload() error {
	if g.opts.WebConfigFile == "" {
		return nil
	}
	c, err := LoadWebConfig(g.opts.WebConfigFile)
	if err == nil && c.TLS() != g.cfg.Load().TLS() {
		err = fmt.Errorf("%s: turning TLS on or off takes a restart of faultline serve; the configuration in force stays", g.opts.WebConfigFile)
	}
	if err != nil {
		g.reloadOK.Set(0)
		return err
	}
	g.cfg.Store(c)
	g.cacheMu.Lock()
	clear(g.cache)
	g.cacheMu.Unlock()
	g.reloadOK.Set(1)
	g.reloadTime.Set(float64(time.Now().Unix()))
	return nil
}

// Collectors are the guard's metrics, for Options.Metrics.
func (g *Guard) Collectors() []prometheus.Collector {
	return []prometheus.Collector{g.refused, g.reloadOK, g.reloadTime}
}

// TLS reports whether the server speaks TLS.
func (g *Guard) TLS() bool { return g.cfg.Load().TLS() }

// ReadsProtected reports whether reads need credentials now.
func (g *Guard) ReadsProtected() bool { return g.opts.AuthReads || len(g.cfg.Load().users) > 0 }

// Describe says in a few words how the server is protected, for its
// start-up line.
func (g *Guard) Describe() string {
	c := g.cfg.Load()
	var parts []string
	switch {
	case c.tls == nil:
		parts = append(parts, "plain HTTP")
	case c.tls.ClientAuth == tls.RequireAndVerifyClientCert:
		parts = append(parts, "TLS, client certificates required")
	default:
		parts = append(parts, "TLS")
	}
	if n := len(c.users); n > 0 {
		parts = append(parts, fmt.Sprintf("%d basic auth users", n))
	}
	if g.ReadsProtected() {
		parts = append(parts, "reads need credentials")
	} else {
		parts = append(parts, "reads open")
	}
	return strings.Join(parts, ", ")
}

// Serve serves srv on ln: over TLS when the web configuration says so
// (the configuration in force at each handshake), else plain HTTP. The
// listener is wrapped with Listener, so net/http's own answers to
// malformed plain-text requests are JSON.
func (g *Guard) Serve(srv *http.Server, ln net.Listener) error {
	c := g.cfg.Load()
	if c.tls == nil {
		return srv.Serve(Listener(ln))
	}
	protos := []string{"h2", "http/1.1"}
	if !c.http2 {
		protos = []string{"http/1.1"}
		srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	}
	srv.TLSConfig = &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: protos,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return g.cfg.Load().cert, nil
		},
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			tc := g.cfg.Load().tls.Clone()
			tc.NextProtos = protos
			return tc, nil
		},
	}
	return srv.ServeTLS(Listener(ln), "", "")
}

// Wrap puts the guard in front of h.
func (g *Guard) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := g.cfg.Load()
		if c.limiter != nil && !c.limiter.Allow() {
			g.refused.WithLabelValues("rate_limit").Inc()
			w.Header().Set("Retry-After", "1")
			writeJSONError(w, http.StatusTooManyRequests, "too many requests: the web configuration's rate_limit is reached; retry later")
			return
		}
		for k, v := range c.headers {
			w.Header().Set(k, v)
		}
		if r.URL.Path == "/healthz" || !(g.opts.AuthReads || len(c.users) > 0) || g.authenticated(r, c) {
			h.ServeHTTP(w, r)
			return
		}
		g.refused.WithLabelValues("credentials").Inc()
		if ctx := r.Context(); g.log.Enabled(ctx, slog.LevelDebug) {
			g.log.DebugContext(ctx, "request refused: no valid credentials", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		}
		if len(c.users) > 0 {
			w.Header().Add("WWW-Authenticate", `Basic realm="faultline", charset="UTF-8"`)
		}
		if g.opts.Token != "" {
			w.Header().Add("WWW-Authenticate", `Bearer realm="faultline"`)
		}
		writeJSONError(w, http.StatusUnauthorized, "credentials needed: this server protects every path but /healthz; send its bearer token (Authorization: Bearer …), a basic auth user of its web configuration, or a client certificate it trusts")
	})
}

// authenticated reports whether r carries valid credentials.
func (g *Guard) authenticated(r *http.Request, c *WebConfig) bool {
	if c.verifiesClients && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return true
	}
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
		return g.opts.Token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(g.opts.Token)) == 1
	}
	user, pass, ok := r.BasicAuth()
	if !ok || len(c.users) == 0 {
		return false
	}
	return g.checkPassword(c, user, pass)
}

// dummyHash is compared for unknown users, so that the time taken does
// not tell which users exist (bcrypt of a random password, cost 10).
var dummyHash = []byte("$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z3y1nYQZb4B0hCqNmkGDAaFi")

func (g *Guard) checkPassword(c *WebConfig, user, pass string) bool {
	hash, known := c.users[user]
	if !known {
		hash = dummyHash
	}
	// The result is remembered under an HMAC (with a key of this
	// process) of the user, the hash and the password, so that a scraper
	// sending the same credentials every few seconds costs one bcrypt
	// comparison, and memory never holds a password or an unsalted
	// digest of one.
	m := hmac.New(sha256.New, g.cacheKey[:])
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write(hash)
	m.Write([]byte{0})
	m.Write([]byte(pass))
	var key [32]byte
	copy(key[:], m.Sum(nil))
	g.cacheMu.Lock()
	ok, cached := g.cache[key]
	g.cacheMu.Unlock()
	if cached {
		return ok && known
	}
	g.bcryptMu.Lock()
	ok = bcrypt.CompareHashAndPassword(hash, []byte(pass)) == nil && known
	g.bcryptMu.Unlock()
	g.cacheMu.Lock()
	if len(g.cache) >= maxAuthCache {
		clear(g.cache)
	}
	g.cache[key] = ok
	g.cacheMu.Unlock()
	return ok
}

// writeJSONError writes the API's JSON error body outside gin.
func writeJSONError(w http.ResponseWriter, code int, msg string) {
	body, _ := marshal(errorBody{Error: msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
