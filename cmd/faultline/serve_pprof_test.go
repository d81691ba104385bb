package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPprofListenLoopbackOnly: the profiles are served on loopback only;
// any other address, or a host name, is refused as bad input.
func TestPprofListenLoopbackOnly(t *testing.T) {
	cases := []struct {
		listen string
		want   string // "" accepted, else in the error
	}{
		{"", ""},
		{"127.0.0.1:6060", ""},
		{"127.0.0.2:0", ""},
		{"[::1]:6060", ""},
		{"0.0.0.0:6060", "loopback only"},
		{"[::]:6060", "loopback only"},
		{"10.1.2.3:6060", "loopback only"},
		{"localhost:6060", "loopback only"},
		{":6060", "loopback only"},
		{"6060", "HOST:PORT"},
	}
	for _, tc := range cases {
		t.Run(tc.listen, func(t *testing.T) {
			err := (&pprofFlags{listen: tc.listen}).check()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
	code, _, stderr := cli(t, "serve", "--pprof-listen", "0.0.0.0:6060", "--interval", "0", repoInventory)
	if code != exitBadInput || !strings.Contains(stderr, "--pprof-listen") {
		t.Errorf("serve --pprof-listen 0.0.0.0:6060: exit %d, %q; want %d naming the flag", code, stderr, exitBadInput)
	}
}

// TestPprofHandler: the runtime's profiles are served, GET only; the
// command line is not; a CPU profile longer than the bound is refused.
func TestPprofHandler(t *testing.T) {
	srv := httptest.NewServer(pprofHandler())
	defer srv.Close()
	cases := []struct {
		method, path string
		status       int
		body         string // a prefix of the body, or "" for any
	}{
		{"GET", "/debug/pprof/heap", 200, "\x1f\x8b"}, // a gzipped profile
		{"GET", "/debug/pprof/goroutine?debug=1", 200, "goroutine profile:"},
		{"GET", "/debug/pprof/", 200, ""},
		{"GET", "/debug/pprof/cmdline", 404, ""},
		{"GET", "/debug/pprof/profile?seconds=600", 400, "seconds=\"600\": give 1 to 60"},
		{"GET", "/debug/pprof/profile?seconds=1x", 400, ""},
		{"GET", "/debug/pprof/trace?seconds=0", 400, ""},
		{"POST", "/debug/pprof/heap", 405, ""},
		{"GET", "/metrics", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || !bytes.HasPrefix(body, []byte(tc.body)) {
				t.Errorf("%d %.60q; want %d starting %q", resp.StatusCode, body, tc.status, tc.body)
			}
		})
	}
}

// TestPprofStartStops: the listener serves until its context ends.
func TestPprofStartStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := (&pprofFlags{listen: "127.0.0.1:0"}).start(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + addr.String() + "/debug/pprof/heap"
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("heap profile: %s", resp.Status)
	}
	cancel()
	webWaitUntil(t, func() bool {
		_, err := c.Get(url)
		return err != nil
	})
	if addr, err := (&pprofFlags{}).start(context.Background(), slog.New(slog.DiscardHandler)); addr != nil || err != nil {
		t.Errorf("off: %v, %v; want nothing started", addr, err)
	}
}

// TestPprofDocExample: the profiling example in docs/operations.md
// listens where serve accepts, and every profile it fetches is served.
func TestPprofDocExample(t *testing.T) {
	blocks := fenced(t, "../../docs/operations.md", "sh")
	srv := httptest.NewServer(pprofHandler())
	defer srv.Close()
	served := 0
	for _, block := range blocks {
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			words := shellWords(line)
			for i, w := range words {
				if w == "--pprof-listen" && i+1 < len(words) {
					if err := (&pprofFlags{listen: words[i+1]}).check(); err != nil {
						t.Errorf("%q: %v", line, err)
					}
				}
				rest, ok := strings.CutPrefix(w, "http://127.0.0.1:6060")
				if !ok {
					continue
				}
				resp, err := srv.Client().Get(srv.URL + rest)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				served++
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%q: %s %s", line, rest, resp.Status)
				}
			}
		}
	}
	if served < 2 {
		t.Errorf("docs/operations.md: %d profile fetches found in its sh blocks, want the example's 2", served)
	}
}
