package api

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/exporter-toolkit/web"
	"go.yaml.in/yaml/v2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"
)

// WebConfig is a web configuration file (faultline serve
// --web.config.file), in the format of the Prometheus exporters'
// exporter-toolkit, so that the TLS and basic auth an operator already
// runs for exporters (and Prometheus' own scrape configuration for them)
// apply unchanged:
//
//	tls_server_config:
//	  cert_file: server.crt
//	  key_file: server.key
//	  client_auth_type: RequireAndVerifyClientCert   # optional
//	  client_ca_file: clients-ca.crt
//	  min_version: TLS12
//	basic_auth_users:
//	  prometheus: $2y$10$…   # bcrypt
//
// The toolkit's own parser and TLS builder read it (web.Validate,
// web.ConfigToTLSConfig); faultline checks the credentials itself (see
// Guard) because its POST endpoints take a bearer token in the same
// Authorization header. Relative paths are relative to the file.
type WebConfig struct {
	path    string
	tls     *tls.Config // nil: plain HTTP
	cert    *tls.Certificate
	http2   bool
	users   map[string][]byte // user → bcrypt hash
	headers map[string]string
	limiter *rate.Limiter
	// verifiesClients: connections carry client certificates verified
	// against client_ca_file (VerifyClientCertIfGiven or
	// RequireAndVerifyClientCert), which count as credentials.
	verifiesClients bool
}

// TLS reports whether the file turns TLS on.
func (c *WebConfig) TLS() bool { return c != nil && c.tls != nil }

// Users is the number of basic auth users.
func (c *WebConfig) Users() int {
	if c == nil {
		return 0
	}
	return len(c.users)
}

// LoadWebConfig reads and checks a web configuration file: the YAML
// (strictly: an unknown key is an error), every basic auth hash, the
// headers, and the TLS certificate, key and client CA files. Errors name
// the file, and the line where the YAML parser knows it; they never quote
// a key or a password.
func LoadWebConfig(path string) (*WebConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("web configuration: %w", err)
	}
	c := web.Config{ // the toolkit's defaults
		TLSConfig:  web.TLSConfig{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13, PreferServerCipherSuites: true},
		HTTPConfig: web.HTTPConfig{HTTP2: true},
	}
	if err := yaml.UnmarshalStrict(raw, &c); err != nil {
		return nil, yamlError(path, err)
	}
	out := &WebConfig{path: path, http2: c.HTTPConfig.HTTP2, headers: c.HTTPConfig.Header, users: map[string][]byte{}}
	var errs []error
	users := make([]string, 0, len(c.Users))
	for u := range c.Users {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		h := []byte(c.Users[u])
		if _, err := bcrypt.Cost(h); err != nil {
			errs = append(errs, fmt.Errorf("%s: basic_auth_users: the password of %q is not a bcrypt hash (make one with: htpasswd -nBC 10 %q)", path, u, u))
			continue
		}
		out.users[u] = h
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if c.RateLimiterConfig.Interval < 0 || c.RateLimiterConfig.Burst < 0 || (c.RateLimiterConfig.Interval > 0 && c.RateLimiterConfig.Burst == 0) {
		return nil, fmt.Errorf("%s: rate_limit: want a positive interval and burst (e.g. interval: 100ms, burst: 50), or neither", path)
	}
	if c.RateLimiterConfig.Interval > 0 {
		out.limiter = rate.NewLimiter(rate.Every(c.RateLimiterConfig.Interval), c.RateLimiterConfig.Burst)
	}
	// The toolkit's own check: headers, hashes and TLS files as an
	// exporter would read them.
	if err := web.Validate(path); err != nil {
		return nil, toolkitError(path, err)
	}
	if !c.TLSConfig.IsEnabled() {
		return out, nil
	}
	c.TLSConfig.SetDirectory(filepath.Dir(path))
	tc, err := web.ConfigToTLSConfig(&c.TLSConfig)
	if err != nil {
		return nil, toolkitError(path, err)
	}
	// Read the certificate once per load (the toolkit re-reads the files
	// at every handshake): a new certificate takes effect at SIGHUP.
	cert, err := tc.GetCertificate(nil)
	if err != nil {
		return nil, toolkitError(path, err)
	}
	tc.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return cert, nil }
	out.tls, out.cert = tc, cert
	out.verifiesClients = tc.ClientCAs != nil && (tc.ClientAuth == tls.VerifyClientCertIfGiven || tc.ClientAuth == tls.RequireAndVerifyClientCert)
	return out, nil
}

// yamlLine is one of yaml.v2's "line N: message" errors.
var yamlLine = regexp.MustCompile(`^\s*line (\d+): (.*)$`)

// yamlError turns yaml.v2's errors into FILE:LINE: messages, in the
// file's words rather than the toolkit's Go type names.
func yamlError(path string, err error) error {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimPrefix(l, "yaml: ")
		if l == "unmarshal errors:" || strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(l, "unknown TLS version") {
			l += " (min_version and max_version take TLS10, TLS11, TLS12 or TLS13)"
		}
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			lines = append(lines, path+":"+m[1]+": "+yamlWords.Replace(m[2]))
			continue
		}
		lines = append(lines, path+": "+yamlWords.Replace(l))
	}
	if len(lines) == 0 {
		return fmt.Errorf("%s: %w", path, err)
	}
	return errors.New(strings.Join(lines, "\n"))
}

var yamlWords = strings.NewReplacer(
	"field ", "unknown key ",
	" not found in type web.TLSConfig", " in tls_server_config",
	" not found in type web.HTTPConfig", " in http_server_config",
	" not found in type web.RateLimiterConfig", " in rate_limit",
	" not found in type web.Config", " (the file has tls_server_config, http_server_config, basic_auth_users and rate_limit)",
	"into web.Config", "into the web configuration (a mapping)",
	"into config.Secret", "into a string",
	"into web.", "into ",
	"into map[string]config.Secret", "into a mapping of user names to bcrypt hashes",
	"into map[string]string", "into a mapping",
	"into time.Duration", "into a duration (e.g. 100ms)",
)

// toolkitError gives the toolkit's terse errors their file and what to do.
func toolkitError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "yaml:"):
		return yamlError(path, err)
	case strings.Contains(msg, "invalid ClientAuth"):
		msg = "tls_server_config: client_auth_type " + strings.TrimPrefix(msg, "invalid ClientAuth: ") + " is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert"
	case strings.Contains(msg, "without a Client Auth Policy"):
		msg = "tls_server_config: client_ca_file is set but client_auth_type is not: use RequireAndVerifyClientCert (or VerifyClientCertIfGiven)"
	case strings.HasPrefix(msg, "missing one of"):
		msg = "tls_server_config: " + msg + " (TLS needs both cert_file and key_file)"
	case strings.Contains(msg, "X509KeyPair"):
		msg = "tls_server_config: the certificate and key do not load as a pair: " + msg
	}
	return fmt.Errorf("%s: %s", path, msg)
}
