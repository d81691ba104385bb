package redfish

// The seam to gofish: our connection as gofish's schemas.Client.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/stmcginnis/gofish/schemas"
)

// gofishClient adapts a conn to gofish's schemas.Client for the calls we
// let gofish make (session creation and deletion). Anything that would
// change the BMC is refused: this is a read-only collector.
type gofishClient struct {
	c   *conn
	ctx context.Context
}

var errReadOnly = errors.New("collector/redfish is read-only")

func (g gofishClient) GetSettings() schemas.ClientSettings { return schemas.ClientSettings{} }

func (g gofishClient) Get(uri string) (*http.Response, error) { return g.GetWithHeaders(uri, nil) }

func (g gofishClient) GetWithHeaders(uri string, _ map[string]string) (*http.Response, error) {
	body, err := g.c.get(g.ctx, uri, "")
	if err != nil {
		return nil, err
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}, nil
}

// Post sends a session login (the only POST gofish makes for us); the
// body is not retried.
func (g gofishClient) Post(uri string, payload any) (*http.Response, error) {
	return g.PostWithHeaders(uri, payload, nil)
}

func (g gofishClient) PostWithHeaders(uri string, payload any, _ map[string]string) (*http.Response, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", uri, err)
	}
	return g.c.send(g.ctx, http.MethodPost, uri, b, false)
}

func (g gofishClient) Delete(uri string) (*http.Response, error) {
	return g.DeleteWithHeaders(uri, nil)
}

func (g gofishClient) DeleteWithHeaders(uri string, _ map[string]string) (*http.Response, error) {
	return g.c.send(g.ctx, http.MethodDelete, uri, nil, true)
}

func (g gofishClient) PostMultipart(string, map[string]io.Reader) (*http.Response, error) {
	return nil, errReadOnly
}

func (g gofishClient) PostMultipartWithHeaders(string, map[string]io.Reader, map[string]string) (*http.Response, error) {
	return nil, errReadOnly
}

func (g gofishClient) Patch(string, any) (*http.Response, error) { return nil, errReadOnly }

func (g gofishClient) PatchWithHeaders(string, any, map[string]string) (*http.Response, error) {
	return nil, errReadOnly
}

func (g gofishClient) Put(string, any) (*http.Response, error) { return nil, errReadOnly }

func (g gofishClient) PutWithHeaders(string, any, map[string]string) (*http.Response, error) {
	return nil, errReadOnly
}

// send makes one POST (login, unauthenticated) or DELETE (logout) and
// returns the response with its (bounded) body already read.
func (c *conn) send(ctx context.Context, method, path string, body []byte, auth bool) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := c.newRequest(ctx, method, path, rd)
	if err != nil {
		return nil, err
	}
	if !auth {
		req.Header.Del("Authorization")
		req.Header.Del("X-Auth-Token")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.acquire(ctx); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer c.release()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the body: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &HTTPError{Method: method, Path: path, Code: resp.StatusCode, Message: c.bmcMessage(b)}
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}
