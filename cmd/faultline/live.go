package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/escape"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// liveFlags are --observations and --live: the hardware as it is, laid
// over the inventory by audit and whatif.
type liveFlags struct {
	obsFile    string
	liveURL    string
	liveCA     string
	timeout    time.Duration
	staleAfter time.Duration
}

func (l *liveFlags) add(c *cmdFlags) {
	c.StringVar(&l.obsFile, "observations", "", "lay the observations in `FILE` (from faultline collect --out) over the inventory")
	c.StringVar(&l.liveURL, "live", "", "lay the observations of a running faultline serve at `URL` (its GET /api/v1/observations; bearer token from FAULTLINE_TOKEN) over the inventory")
	c.StringVar(&l.liveCA, "live-ca", "", "with an https --live URL: trust only the CA certificates in `FILE` (PEM) for the server (default: the system's roots)")
	c.DurationVar(&l.timeout, "live-timeout", 30*time.Second, "with --live: deadline for fetching the observations")
	c.DurationVar(&l.staleAfter, "stale-after", 0, "with --observations or --live: data older than this (relative to the observations' time) is unverified (0: only failed polls)")
}

func (l *liveFlags) any() bool { return l.obsFile != "" || l.liveURL != "" }

// state is an inventory's fault graph, on the design alone or with the
// observed state laid over it.
type state struct {
	inv      *inventory.Inventory
	analysis *audit.Analysis
	findings []audit.Finding
	// note says what observations were used ("" on the design alone).
	note string
}

// load builds the state: the design alone, or with the observations of
// --observations or --live. Errors are printed; ok is false on bad input.
func (l *liveFlags) load(ctx context.Context, file invSource, opts audit.Options, stderr io.Writer) (*state, bool) {
	if l.obsFile != "" && l.liveURL != "" {
		fmt.Fprintln(stderr, "faultline: --observations and --live both given: use one source of observations")
		return nil, false
	}
	if l.liveCA != "" && l.liveURL == "" {
		fmt.Fprintln(stderr, "faultline: --live-ca without --live: it names the CA of the --live server")
		return nil, false
	}
	inv, ok := loadInventory(file, inventory.Options{}, stderr)
	if !ok {
		return nil, false
	}
	if !l.any() {
		g, err := model.Build(inv, nil)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", file, err)
			return nil, false
		}
		a, findings := audit.Audit(g, opts)
		return &state{inv: inv, analysis: a, findings: findings}, true
	}
	var of *observation.File
	var err error
	source := l.obsFile
	if l.obsFile != "" {
		of, err = readObservations(l.obsFile)
	} else {
		source = l.liveURL
		token := os.Getenv("FAULTLINE_TOKEN")
		if cleartextToken(l.liveURL, token) {
			fmt.Fprintln(stderr, "faultline: warning: --live over http sends FAULTLINE_TOKEN in cleartext to a host that is not this machine: use https (and --live-ca)")
		}
		var client *http.Client
		if client, err = liveClient(l.liveCA); err == nil {
			of, err = fetchObservations(ctx, client, l.liveURL, l.timeout, token, maxLiveBody)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %s\n", escape.Terminal(err.Error()))
		return nil, false
	}
	a, findings, observed, err := audit.Live(inv, of.Devices, audit.LiveOptions{
		Now: of.GeneratedAt, StaleAfter: l.staleAfter, Audit: opts,
	})
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %s: %v\n", file, err)
		return nil, false
	}
	note := fmt.Sprintf("observations from %s of %s: %d of %d managed devices seen",
		source, of.GeneratedAt.Format(time.RFC3339), observed.Seen, observed.Managed)
	return &state{inv: inv, analysis: a, findings: findings, note: note}, true
}

func readObservations(path string) (*observation.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--observations %s: no such file (write one with faultline collect --out FILE)", path)
		}
		return nil, fmt.Errorf("--observations: %w", err)
	}
	defer f.Close()
	of, err := observation.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return of, nil
}

// maxLiveBody bounds the observations read from a server: far above a
// 100k-device fleet's, far below what would exhaust a CI runner.
const maxLiveBody = 1 << 30

// observationsURL is base's GET /api/v1/observations; base may be the
// server's root or already the endpoint.
func observationsURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--live %q: want the URL of a running faultline serve, like http://127.0.0.1:8080", base)
	}
	if !strings.HasSuffix(u.Path, "/api/v1/observations") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v1/observations"
	}
	return u.String(), nil
}

// fetchObservations GETs a serve's current observations (the collect
// --out format) with client (see liveClient) within the deadline, with
// the bearer token if there is one, reading at most maxBody bytes.
func fetchObservations(ctx context.Context, client *http.Client, base string, timeout time.Duration, token string, maxBody int64) (*observation.File, error) {
	endpoint, err := observationsURL(base)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("--live: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if token = strings.TrimSpace(token); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		var unknownCA x509.UnknownAuthorityError
		var hostname x509.HostnameError
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("--live %s: no answer within %s (--live-timeout)", endpoint, timeout)
		case errors.Is(err, errOtherOrigin):
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("--live %s: %w", endpoint, err)
		case errors.As(err, &unknownCA):
			return nil, fmt.Errorf("--live %s: the server's certificate is not signed by a trusted CA: give its CA with --live-ca FILE (%w)", endpoint, err)
		case errors.As(err, &hostname):
			return nil, fmt.Errorf("--live %s: the server's certificate is not valid for this host name or address: use the name it was issued for (%w)", endpoint, err)
		}
		return nil, fmt.Errorf("--live %s: is faultline serve running there? %w", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = " (set FAULTLINE_TOKEN to the server's token)"
		}
		return nil, fmt.Errorf("--live %s: %s%s: %s", endpoint, escape.Terminal(resp.Status), hint, escape.Terminal(strings.TrimSpace(string(msg))))
	}
	body := &limitedReader{r: resp.Body, n: maxBody}
	of, err := observation.Read(body)
	if body.over {
		return nil, fmt.Errorf("--live %s: the answer is over %d bytes", endpoint, maxBody)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("--live %s: the answer did not arrive within %s (--live-timeout)", endpoint, timeout)
		}
		return nil, fmt.Errorf("--live %s: %w", endpoint, err)
	}
	return of, nil
}

// limitedReader is io.LimitReader that remembers it hit the limit, so an
// oversized answer is reported as such, not as truncated JSON.
type limitedReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var b [1]byte
		if k, _ := l.r.Read(b[:]); k > 0 {
			l.over = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
