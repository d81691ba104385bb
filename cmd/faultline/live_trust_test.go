package main

import (
	"crypto/tls"
	"fmt"
	"io"
	stdlog "log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/faultline/faultline/lab/redfishsim"
)

const emptyObservations = `{"version": 1, "generated_at": "2026-12-01T00:00:00Z", "devices": []}`

// tokenLog records the Authorization headers a test server saw.
type tokenLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *tokenLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, r.URL.Path+" "+r.Header.Get("Authorization"))
}

func (l *tokenLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.seen...)
}

// TestLiveRedirectsStayOnOrigin is issue 18's eighth trick: --live
// follows a redirect only within the origin it was given (scheme, host,
// port); a redirect to another port of the same host, or to another
// name of it, is refused before any request reaches there, so neither
// the token nor trust in the answer moves.
func TestLiveRedirectsStayOnOrigin(t *testing.T) {
	const token = "live-secret-token"
	t.Setenv("FAULTLINE_TOKEN", token)
	var other tokenLog
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.add(r)
		fmt.Fprint(w, emptyObservations)
	}))
	defer elsewhere.Close()
	otherPort := elsewhere.Listener.Addr().String() // 127.0.0.1:PORT
	var origin tokenLog
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin.add(r)
		switch r.URL.Path {
		case "/api/v1/observations":
			fmt.Fprint(w, emptyObservations)
		case "/moved/api/v1/observations":
			http.Redirect(w, r, "/api/v1/observations", http.StatusFound)
		case "/port/api/v1/observations":
			http.Redirect(w, r, "http://"+otherPort+"/api/v1/observations", http.StatusTemporaryRedirect)
		case "/name/api/v1/observations":
			_, port, _ := strings.Cut(otherPort, ":")
			http.Redirect(w, r, "http://localhost:"+port+"/api/v1/observations", http.StatusMovedPermanently)
		case "/scheme/api/v1/observations":
			http.Redirect(w, r, "https://"+r.Host+"/api/v1/observations", http.StatusFound)
		case "/loop/api/v1/observations":
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()

	cases := []struct {
		name, path string
		code       int
		want       string
	}{
		{"same origin", "/moved", exitOK, ""},
		{"another port of the host", "/port", exitBadInput, "the server redirects to http://" + otherPort + ", not " + "http://" + ts.Listener.Addr().String() + ": refused"},
		{"another name of the host", "/name", exitBadInput, "redirects to http://localhost:"},
		{"another scheme", "/scheme", exitBadInput, "redirects to https://127.0.0.1:"},
		{"a loop", "/loop", exitBadInput, "more than 5 redirects"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, "whatif", repoInventory, "--fail", "feed-a", "--live", ts.URL+tc.path)
			if code == exitBadInput && tc.code != exitBadInput || code != exitBadInput && tc.code == exitBadInput {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, errOut)
			}
		})
	}
	if seen := other.all(); len(seen) > 0 {
		t.Errorf("the other origin was asked (and saw the token?): %q", seen)
	}
	for _, s := range origin.all() {
		if !strings.HasSuffix(s, " Bearer "+token) {
			t.Errorf("the origin got a request without the token: %q", s)
		}
	}
}

// TestLiveTLS: --live speaks TLS to a server whose certificate (made
// here by a test CA, for 127.0.0.1) is verified against --live-ca only.
func TestLiveTLS(t *testing.T) {
	const token = "live-tls-token"
	t.Setenv("FAULTLINE_TOKEN", token)
	dir := t.TempDir()
	ca, err := redfishsim.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := redfishsim.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	caFile, strangerFile, junk := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "stranger.pem"), filepath.Join(dir, "junk.pem")
	if err := ca.WritePEM(caFile); err != nil {
		t.Fatal(err)
	}
	if err := stranger.WritePEM(strangerFile); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log tokenLog
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		fmt.Fprint(w, emptyObservations)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{*leaf}, MinVersion: tls.VersionTLS12}
	ts.Config.ErrorLog = stdlog.New(io.Discard, "", 0) // the refused handshakes
	ts.StartTLS()
	defer ts.Close()
	_, port, _ := strings.Cut(ts.Listener.Addr().String(), ":")

	cases := []struct {
		name string
		args []string
		ok   bool
		want string
	}{
		{"verified by --live-ca", []string{"--live", ts.URL, "--live-ca", caFile}, true, "observations from https://127.0.0.1:"},
		{"system roots only", []string{"--live", ts.URL}, false, "not signed by a trusted CA: give its CA with --live-ca FILE"},
		{"another CA", []string{"--live", ts.URL, "--live-ca", strangerFile}, false, "not signed by a trusted CA"},
		{"a name the certificate lacks", []string{"--live", "https://localhost:" + port, "--live-ca", caFile}, false, "not valid for this host name"},
		{"no PEM in the file", []string{"--live", ts.URL, "--live-ca", junk}, false, "no PEM certificate in it"},
		{"no such file", []string{"--live", ts.URL, "--live-ca", filepath.Join(dir, "nope.pem")}, false, "--live-ca: open"},
		{"--live-ca alone", []string{"--live-ca", caFile}, false, "--live-ca without --live"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, append([]string{"whatif", repoInventory, "--fail", "feed-a", "-o", "table"}, tc.args...)...)
			if (code != exitBadInput) != tc.ok {
				t.Errorf("exit %d\n%s%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr lacks %q:\nstdout:\n%s\nstderr:\n%s", tc.want, out, errOut)
			}
		})
	}
	seen := log.all()
	if len(seen) != 1 || seen[0] != "/api/v1/observations Bearer "+token {
		t.Errorf("the server saw %q, want one request with the token (only the verified one gets through)", seen)
	}
}

// TestCleartextToken: a token over http is warned about unless it stays
// on this machine (nothing is connected to here).
func TestCleartextToken(t *testing.T) {
	cases := []struct {
		url, token string
		warn       bool
	}{
		{"http://faultline.internal:8080", "t", true},
		{"http://10.1.0.5:8080", "t", true},
		{"http://[2001:db8::1]:8080", "t", true},
		{"https://faultline.internal:8443", "t", false},
		{"http://127.0.0.1:8080", "t", false},
		{"http://127.3.0.1:8080", "t", false},
		{"http://[::1]:8080", "t", false},
		{"http://localhost:8080", "t", false},
		{"http://faultline.internal:8080", "", false},
	}
	for _, tc := range cases {
		if got := cleartextToken(tc.url, tc.token); got != tc.warn {
			t.Errorf("cleartextToken(%q, %q) = %v, want %v", tc.url, tc.token, got, tc.warn)
		}
	}
}
