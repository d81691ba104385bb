package redfish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stmcginnis/gofish/schemas"
)

// conn is one poll's connection to one BMC: every request of the poll goes
// through it. It adds the credentials, bounds requests in flight (per BMC
// and across all BMCs), limits response sizes, retries idempotent reads
// within the deadline, and revalidates cached representations with
// If-None-Match. It never writes to the BMC except to open and close a
// session.
type conn struct {
	origin  *url.URL // the endpoint: scheme://host[:port], no credentials
	hc      *http.Client
	user    string
	pass    string
	token   string // session token, once logged in
	local   chan struct{}
	global  chan struct{}
	maxBody int64
	retries int
	backoff time.Duration
	cache   *etagCache
	sent    *atomic.Int64 // requests put on the wire (retries and sessions included)
	rtt     *latency      // the BMC's plain-request latency, for judging $expand
	budget  *budget       // the poll's limits
	scrub   *scrubber     // the poll's secrets, kept out of messages
}

// bmcMessage is the message of a BMC's error body as errors show it:
// short, one line, without secrets or an echoed request.
func (c *conn) bmcMessage(body []byte) string {
	return c.scrub.clean(redfishMessage(body), maxMessage)
}

// HTTPError is a BMC's answer other than success.
type HTTPError struct {
	Method, Path string
	Code         int
	// Message is the Redfish error message (or the start of the body).
	Message string
}

func (e *HTTPError) Error() string {
	msg := ""
	if e.Message != "" {
		msg = ": " + e.Message
	}
	if e.Code == http.StatusUnauthorized {
		return fmt.Sprintf("%s %s: %d %s: the BMC refused the credentials%s", e.Method, e.Path, e.Code, http.StatusText(e.Code), msg)
	}
	return fmt.Sprintf("%s %s: %d %s%s", e.Method, e.Path, e.Code, http.StatusText(e.Code), msg)
}

// ErrTooLarge is wrapped by the error for a response over the size limit.
var ErrTooLarge = errors.New("response too large")

func statusOf(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	return 0
}

// acquire takes a slot of the global and the per-BMC bound, in that
// order, or gives up when ctx ends.
func (c *conn) acquire(ctx context.Context) error {
	select {
	case c.global <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	select {
	case c.local <- struct{}{}:
		return nil
	case <-ctx.Done():
		<-c.global
		return context.Cause(ctx)
	}
}

func (c *conn) release() {
	<-c.local
	<-c.global
}

func (c *conn) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	target, err := requestURL(c.origin, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("OData-Version", "4.0")
	req.Header.Set("User-Agent", "faultline-redfish/1")
	switch {
	case c.token != "":
		req.Header.Set("X-Auth-Token", c.token)
	case c.user != "":
		req.SetBasicAuth(c.user, c.pass)
	}
	return req, nil
}

// get reads the resource at path (with query, e.g. $expand) and returns
// its body. A representation cached with an ETag is revalidated, and a
// 304 answer returns the cached body.
func (c *conn) get(ctx context.Context, path, query string) ([]byte, error) {
	b, _, err := c.revalidate(ctx, path, query)
	return b, err
}

// revalidate is get, also saying whether the answer was a 304 for the
// cached copy (the same answer as last time).
func (c *conn) revalidate(ctx context.Context, path, query string) (body []byte, unchanged bool, err error) {
	target := path
	if query != "" {
		target += "?" + query
	}
	cached, haveCache := c.cache.lookup(target)
	backoff := c.backoff
	for attempt := 0; ; attempt++ {
		var resp *http.Response
		body, resp, err = c.getOnce(ctx, target, cached.etag)
		switch {
		case err == nil && resp.StatusCode == http.StatusNotModified && haveCache:
			return cached.body, true, nil
		case err == nil && resp.StatusCode == http.StatusNotModified:
			err = &HTTPError{Method: http.MethodGet, Path: shown(target), Code: resp.StatusCode, Message: "304 without a cached copy"}
		case err == nil && resp.StatusCode == http.StatusOK:
			c.cache.store(target, resp.Header.Get("ETag"), body)
			return body, false, nil
		case err == nil:
			err = &HTTPError{Method: http.MethodGet, Path: shown(target), Code: resp.StatusCode, Message: c.bmcMessage(body)}
		}
		wait, retry := c.retryable(ctx, err, resp, backoff)
		if !retry || attempt >= c.retries {
			return nil, false, err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, false, err
		}
		backoff *= 2
	}
}

func (c *conn) getOnce(ctx context.Context, target, etag string) ([]byte, *http.Response, error) {
	req, err := c.newRequest(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if err := c.acquire(ctx); err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", shown(target), err)
	}
	defer c.release()
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", shown(target), unwrapURLError(err))
	}
	body, err := c.readBody(resp, target)
	if err == nil && !strings.Contains(target, "$expand") {
		c.rtt.observe(time.Since(start))
	}
	return body, resp, err
}

// readBody reads at most maxBody bytes; a larger body is an error and the
// connection is dropped rather than drained.
func (c *conn) readBody(resp *http.Response, target string) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > c.maxBody {
		return nil, fmt.Errorf("GET %s: %w: %d bytes announced, the limit is %d", shown(target), ErrTooLarge, resp.ContentLength, c.maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the body: %w", shown(target), err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, fmt.Errorf("GET %s: %w: more than the limit of %d bytes", shown(target), ErrTooLarge, c.maxBody)
	}
	if err := c.budget.read(int64(len(body))); err != nil {
		return nil, err
	}
	return body, nil
}

// retryable says whether a failed GET is worth another try, and after how
// long: connection failures and 429/502/503/504, never after the deadline
// would pass, never for an oversized body, and never once ctx has ended.
func (c *conn) retryable(ctx context.Context, err error, resp *http.Response, backoff time.Duration) (time.Duration, bool) {
	var le *LimitError
	if ctx.Err() != nil || errors.Is(err, ErrTooLarge) || errors.Is(err, errOffOrigin) || errors.Is(err, errRedirects) || errors.As(err, &le) {
		return 0, false
	}
	wait := backoff/2 + rand.N(backoff/2+1) // jitter: BMCs in one rack should not retry in step
	switch code := statusOf(err); {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		if resp != nil {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				wait = max(wait, time.Duration(s)*time.Second)
			}
		}
	case code == http.StatusBadGateway || code == http.StatusGatewayTimeout:
	case code != 0:
		return 0, false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+c.rtt.estimate() {
		return 0, false
	}
	return wait, true
}

// shown is a request target as errors show it: the path, and which query
// options were used (not their long values).
func shown(target string) string {
	path, q, ok := strings.Cut(target, "?")
	path = (*scrubber)(nil).clean(path, maxShownPath)
	if !ok {
		return path
	}
	var used []string
	for _, o := range []string{"$select", "$expand"} {
		if strings.Contains(q, o) {
			used = append(used, o)
		}
	}
	if len(used) == 0 {
		return path + " (with a query)"
	}
	return path + " (with " + strings.Join(used, " and ") + ")"
}

// redfishMessage extracts the message of a Redfish error body (or the
// first line of any other body), shortened.
func redfishMessage(body []byte) string {
	var e struct {
		Error struct {
			Code, Message string
			Info          []struct{ MessageID, Message string } `json:"@Message.ExtendedInfo"`
		} `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		msg = e.Error.Message
		if len(e.Error.Info) > 0 && e.Error.Info[0].Message != "" {
			msg = e.Error.Info[0].Message
		}
	} else if line, _, _ := bytes.Cut(bytes.TrimSpace(body), []byte("\n")); len(line) > 0 {
		msg = string(line)
	}
	// Cleaned and clipped by the caller (scrubber.clean), which also drops
	// a secret this cut leaves half.
	return clip(msg, 64<<10)
}

// unwrapURLError drops *url.Error's repetition of method and URL (we say
// them ourselves), keeping its cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

var _ schemas.Client = gofishClient{}
