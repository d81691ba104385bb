package redfish

// The BMC's origin: every URL the collector requests is resolved against
// the endpoint and must stay on it. A BMC is untrusted input: a link it
// serves ("@evil:8000/x", "//evil/x", "https://evil/x", or "9/x" under an
// endpoint without a port) must never carry the credentials elsewhere.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// errOffOrigin is wrapped by the error for a request the collector refuses
// to make because it would leave the BMC's origin.
var errOffOrigin = errors.New("leaves the BMC's origin (scheme, host and port of the endpoint); not followed")

// errRedirects is wrapped by the error for a request redirected too often.
var errRedirects = errors.New("too many redirects")

// resolve resolves a link the BMC served (or a path of ours) against the
// endpoint, as a URL reference (RFC 3986), and reports whether the result
// is on the endpoint's origin. A link that does not parse is not on it.
func resolve(base *url.URL, ref string) (*url.URL, bool) {
	r, err := url.Parse(ref)
	if err != nil {
		return nil, false
	}
	if base == nil {
		base = &url.URL{Path: "/"}
	}
	u := base.ResolveReference(r)
	return u, sameOrigin(base, u)
}

// sameOrigin reports whether u has a's scheme, host and port (an absent
// port is the scheme's default). Userinfo in u does not change its origin,
// but it is never sent: requests are built from the endpoint alone.
func sameOrigin(a, u *url.URL) bool {
	return strings.EqualFold(a.Scheme, u.Scheme) &&
		strings.EqualFold(a.Hostname(), u.Hostname()) &&
		portOf(a) == portOf(u)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// requestURL is the URL a request for target (a path, with an optional
// query) goes to: resolved against the endpoint, refused off its origin.
func requestURL(base *url.URL, target string) (string, error) {
	u, ok := resolve(base, target)
	if !ok {
		return "", fmt.Errorf("%q %w", clip(target, 120), errOffOrigin)
	}
	out := url.URL{Scheme: base.Scheme, Host: base.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	return out.String(), nil
}

// maxRedirects bounds the redirects followed for one request (net/http's
// own cap is 10; a BMC has no reason for more than one or two).
const maxRedirects = 3

// checkRedirect follows a redirect only on the origin of the first
// request, at most maxRedirects times.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("%w: stopped after %d", errRedirects, maxRedirects)
	}
	if !sameOrigin(via[0].URL, req.URL) {
		return fmt.Errorf("a redirect to %s://%s refused: it %w", req.URL.Scheme, clip(req.URL.Host, 80), errOffOrigin)
	}
	return nil
}

// clip shortens s to at most n bytes (on a rune boundary) for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// warn records a warning for the observation and logs it; safe from the
// poll's parallel walks.
func (pl *poll) warn(w string) {
	w = pl.c.scrub.clean(w, 1024)
	pl.mu.Lock()
	pl.warnings = append(pl.warnings, w)
	pl.mu.Unlock()
	pl.log.Warn(w)
}
