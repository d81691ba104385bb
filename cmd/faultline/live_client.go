package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/faultline/faultline/escape"
)

// maxLiveRedirects bounds the redirects --live follows.
const maxLiveRedirects = 5

// errOtherOrigin wraps the refusal of a redirect that leaves the origin.
var errOtherOrigin = errors.New("redirect to another origin")

// liveClient is the HTTP client of --live. It follows a redirect only
// within the origin of the first request (scheme, host and port, as
// browsers define it): the bearer token of FAULTLINE_TOKEN is for the
// server the operator named, and neither it nor the trust in that
// server's answers moves to another host, or another port or scheme of
// the same host. With caFile, an https server must present a certificate
// signed by a CA in that file (and only there); without it, the system's
// roots. TLS 1.2 at least; connections are not reused across runs.
func liveClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.Proxy = http.ProxyFromEnvironment
	tr.ResponseHeaderTimeout = 0 // the request's context holds the deadline
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--live-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--live-ca %s: no PEM certificate in it: give the CA certificate that signed the server's", caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr, CheckRedirect: sameOriginRedirects}, nil
}

// sameOriginRedirects is the CheckRedirect of liveClient.
func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxLiveRedirects {
		return fmt.Errorf("more than %d redirects: refused", maxLiveRedirects)
	}
	from, to := origin(via[0].URL), origin(req.URL)
	if from != to {
		return fmt.Errorf("%w: the server redirects to %s, not %s: refused, the token and the trust are for %s only (give --live the URL it redirects to, if that is right)", errOtherOrigin, escape.Prefix(to), from, from)
	}
	return nil
}

// cleartextToken reports whether a token would cross the network in
// cleartext: an http URL whose host is not a loopback address or
// "localhost".
func cleartextToken(base, token string) bool {
	u, err := url.Parse(base)
	if err != nil || strings.TrimSpace(token) == "" || u.Scheme != "http" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false
	}
	ip := net.ParseIP(h)
	return ip == nil || !ip.IsLoopback()
}

// origin is a URL's scheme://host:port, the port explicit (80 for http,
// 443 for https when the URL has none), the host in lower case.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
