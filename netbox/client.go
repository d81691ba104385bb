// Package netbox reads a NetBox (4.x) over its REST API and maps what it
// holds onto a faultline inventory.
//
// The reader is a careful client of an outside system: GET only; the
// token is sent as a header and never appears in an error, a log or the
// output; pages are followed through `next` only on the NetBox's own
// origin and never twice; requests, objects and bytes are budgeted; every
// request has a deadline. Every bad answer is an error that names the URL
// and says what to do.
package netbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Options configure a Client.
type Options struct {
	// URL is the NetBox's base URL (https://netbox.example.com).
	URL string
	// Token authenticates: "Token …", or "Bearer …" for a v2 token (nbt_…).
	Token string
	// CAFile is a PEM file of CAs to verify the NetBox's certificate with.
	CAFile string
	// PageSize is the limit asked per page (default 1000; NetBox may cap
	// it, and then `next` says where the rest is).
	PageSize int
	// Budgets: at most this many requests, objects and bytes in all
	// (defaults 10,000 requests, 2,000,000 objects, 2 GiB).
	MaxRequests int
	MaxObjects  int
	MaxBytes    int64
	// RequestTimeout bounds each request (default 60s).
	RequestTimeout time.Duration
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// Client reads one NetBox.
type Client struct {
	base   *url.URL
	token  string
	http   *http.Client
	opts   Options
	stats  Stats
	bodyTo int64
}

// Stats counts what a client read.
type Stats struct {
	Requests int   `json:"requests"`
	Objects  int   `json:"objects"`
	Bytes    int64 `json:"bytes"`
}

// New checks the options and makes a client.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(opts.URL, "/"))
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, fmt.Errorf("netbox: --url %q: write the NetBox's base URL, e.g. https://netbox.example.com", opts.URL)
	case u.User != nil:
		return nil, errors.New("netbox: --url carries credentials: give the token with --token-file or NETBOX_TOKEN instead")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("netbox: --url %q has a query or fragment: give the base URL only", opts.URL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/api")
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	if opts.MaxRequests <= 0 {
		opts.MaxRequests = 10000
	}
	if opts.MaxObjects <= 0 {
		opts.MaxObjects = 2_000_000
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 2 << 30
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 60 * time.Second
	}
	if strings.ContainsAny(opts.Token, "\r\n") {
		return nil, errors.New("netbox: the token has a line break: check the token file")
	}
	tr := opts.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		if opts.CAFile != "" {
			pem, err := os.ReadFile(opts.CAFile)
			if err != nil {
				return nil, fmt.Errorf("netbox: --ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("netbox: --ca %s holds no PEM certificate", opts.CAFile)
			}
			t.TLSClientConfig.RootCAs = pool
		}
		tr = t
	}
	c := &Client{base: u, token: opts.Token, opts: opts, http: &http.Client{
		Transport: tr,
		Timeout:   opts.RequestTimeout,
		// Redirects are not followed: a redirect to a login page or to
		// another host is an answer to report, not to chase.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	return c, nil
}

// Stats returns what the client has read so far.
func (c *Client) Stats() Stats { return c.stats }

// BaseURL is the NetBox's base URL, as entries' links use it.
func (c *Client) BaseURL() string { return c.base.String() }

// Error is a bad answer from NetBox: which URL, what was wrong, what to do.
type Error struct {
	URL, What, Fix string
}

func (e *Error) Error() string {
	return fmt.Sprintf("netbox: GET %s: %s; %s", e.URL, e.What, e.Fix)
}

// authHeader is the Authorization header for the token.
func (c *Client) authHeader() string {
	if strings.HasPrefix(c.token, "nbt_") {
		return "Bearer " + c.token
	}
	return "Token " + c.token
}

// get fetches one URL and returns its JSON body.
func (c *Client) get(ctx context.Context, u *url.URL) ([]byte, error) {
	shown := redact(u)
	if c.stats.Requests >= c.opts.MaxRequests {
		return nil, &Error{URL: shown, What: fmt.Sprintf("the request budget (%d) is spent", c.opts.MaxRequests), Fix: "raise --max-requests, or import fewer sites with --site"}
	}
	c.stats.Requests++
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{URL: shown, What: err.Error(), Fix: "check --url"}
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", c.authHeader())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		what := "no answer"
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is ours to print, redacted
		}
		if ctx.Err() != nil {
			what = "no answer before the deadline"
		}
		return nil, &Error{URL: shown, What: fmt.Sprintf("%s: %v", what, err), Fix: "check that the NetBox is reachable from here, and --ca if it uses a private CA"}
	}
	defer resp.Body.Close()
	left := c.opts.MaxBytes - c.stats.Bytes
	body, err := io.ReadAll(io.LimitReader(resp.Body, left+1))
	c.stats.Bytes += int64(len(body))
	if err != nil {
		return nil, &Error{URL: shown, What: fmt.Sprintf("reading the answer: %v", err), Fix: "try again; check the network path"}
	}
	if int64(len(body)) > left {
		return nil, &Error{URL: shown, What: fmt.Sprintf("the byte budget (%d) is spent", c.opts.MaxBytes), Fix: "raise --max-bytes, or import fewer sites with --site"}
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, &Error{URL: shown, What: "401 Unauthorized: NetBox did not accept the token", Fix: "give a valid API token with --token-file FILE or NETBOX_TOKEN"}
	case resp.StatusCode == http.StatusForbidden:
		return nil, &Error{URL: shown, What: "403 Forbidden: the token may not read this", Fix: "give the token read permission on DCIM (and IPAM services, virtualization clusters if configured)"}
	case resp.StatusCode == http.StatusNotFound:
		return nil, &Error{URL: shown, What: "404 Not Found", Fix: "check that --url is the NetBox's base URL (without /api) and that it runs NetBox 4.x"}
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, &Error{URL: shown, What: fmt.Sprintf("%s to %q (a login page?)", resp.Status, resp.Header.Get("Location")), Fix: "give the API's own base URL, and a token (--token-file or NETBOX_TOKEN)"}
	case resp.StatusCode != http.StatusOK:
		return nil, &Error{URL: shown, What: resp.Status + ": " + snippet(body), Fix: "check the NetBox's health; try again later"}
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	if ct == "text/html" || bytes.HasPrefix(trimmed, []byte("<")) {
		return nil, &Error{URL: shown, What: "an HTML page, not the API's JSON (a login page or a proxy?)", Fix: "check --url (the NetBox's base URL) and the token; a proxy in front of NetBox must pass the API through"}
	}
	if !json.Valid(trimmed) {
		return nil, &Error{URL: shown, What: "malformed JSON: " + snippet(body), Fix: "check --url points at a NetBox; a proxy may be rewriting the answer"}
	}
	return trimmed, nil
}

// snippet is the start of a body, printable, for an error message.
func snippet(b []byte) string {
	const n = 80
	s := string(b)
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strconv.Quote(s)
}

// redact is a URL as messages print it (no user info; no token is ever in
// a URL we build).
func redact(u *url.URL) string {
	v := *u
	v.User = nil
	return v.String()
}

// Status is what /api/status/ says.
type Status struct {
	Version string `json:"netbox-version"`
}

// Status reads /api/status/: it tells a NetBox from anything else, and
// its version.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	u := c.endpoint("status")
	body, err := c.get(ctx, u)
	if err != nil {
		return nil, err
	}
	var st Status
	if err := json.Unmarshal(body, &st); err != nil || st.Version == "" {
		return nil, &Error{URL: redact(u), What: "the answer has no netbox-version: not a NetBox", Fix: "check --url: the NetBox's base URL, without /api"}
	}
	return &st, nil
}

// endpoint is base/api/<path>/.
func (c *Client) endpoint(path string) *url.URL {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + "/api/" + strings.Trim(path, "/") + "/"
	return &u
}

// page is NetBox's list envelope.
type page struct {
	Count   *int              `json:"count"`
	Next    *string           `json:"next"`
	Results []json.RawMessage `json:"results"`
}

// List reads every object of an endpoint ("dcim/devices") matching the
// query, following `next` on the same origin, never twice the same URL.
// Each object is passed to each as its raw JSON.
func (c *Client) List(ctx context.Context, path string, query url.Values, each func(json.RawMessage) error) error {
	u := c.endpoint(path)
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(c.opts.PageSize))
	q.Set("offset", "0")
	u.RawQuery = q.Encode()
	seen := map[string]bool{}
	total := -1
	read := 0
	for {
		key := u.String()
		if seen[key] {
			return &Error{URL: redact(u), What: "`next` leads back to a page already read (a loop)", Fix: "check the NetBox's BASE_PATH and any proxy rewriting links; report it to the NetBox administrators"}
		}
		seen[key] = true
		body, err := c.get(ctx, u)
		if err != nil {
			return err
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil || p.Results == nil || p.Count == nil {
			return &Error{URL: redact(u), What: "not a NetBox list (no count and results)", Fix: "check --url: the NetBox's base URL, and that it runs NetBox 4.x"}
		}
		if total < 0 {
			total = *p.Count
		}
		c.stats.Objects += len(p.Results)
		if c.stats.Objects > c.opts.MaxObjects {
			return &Error{URL: redact(u), What: fmt.Sprintf("the object budget (%d) is spent", c.opts.MaxObjects), Fix: "raise --max-objects, or import fewer sites with --site"}
		}
		for _, r := range p.Results {
			if err := each(r); err != nil {
				return fmt.Errorf("netbox: %s: %w", redact(u), err)
			}
		}
		read += len(p.Results)
		if p.Next == nil || *p.Next == "" {
			break
		}
		next, err := c.base.Parse(*p.Next)
		if err != nil {
			return &Error{URL: redact(u), What: fmt.Sprintf("`next` %q is not a URL", *p.Next), Fix: "report it to the NetBox administrators"}
		}
		if !sameOrigin(next, c.base) {
			return &Error{URL: redact(u), What: fmt.Sprintf("`next` leaves the NetBox's origin for %s", redact(next)), Fix: "set the NetBox's BASE_PATH/ALLOWED_HOSTS so its links name the URL given in --url (or give that URL); the token is never sent elsewhere"}
		}
		if len(p.Results) == 0 {
			return &Error{URL: redact(u), What: "an empty page with a `next` link", Fix: "report it to the NetBox administrators"}
		}
		u = next
	}
	if read != total {
		return &Error{URL: redact(c.endpoint(path)), What: fmt.Sprintf("read %d objects where count said %d (changed while reading?)", read, total), Fix: "import again"}
	}
	return nil
}

// sameOrigin compares scheme, host and port (default ports made explicit).
func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}
