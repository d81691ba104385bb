package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/faultline/faultline/internal/testpki"
)

// webLog is a bytes.Buffer safe for a server's and a test's goroutines.
type webLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *webLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *webLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveWeb runs `faultline serve` in-process on a free loopback port
// until the test ends, and waits until /healthz answers through client.
func serveWeb(t *testing.T, client *http.Client, scheme string, args ...string) (base string, out *webLog) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out = &webLog{}
	done := make(chan int, 1)
	args = append([]string{"serve", "-i", repoInventory, "--listen", addr, "--interval", "0", "--log-level", "debug"}, args...)
	go func() { done <- run(ctx, args, out, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Errorf("serve %v did not stop", args)
		}
	})
	base = scheme + "://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base, out
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer /healthz: %v\n%s", err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type webReq struct {
	method, path string
	bearer       string
	user, pass   string
	body         string
}

func webDo(t *testing.T, c *http.Client, base string, r webReq) (int, string, error) {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequest(method, base+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.bearer != "" {
		hr.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.user != "" {
		hr.SetBasicAuth(r.user, r.pass)
	}
	resp, err := c.Do(hr)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, string(b), nil
}

func webTLSClient(cfg *tls.Config) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// webFixture is what a TLS test needs: a server certificate for
// 127.0.0.1, a CA for client certificates with one client, a client of
// another CA, a basic auth user and a token, all real and made here.
type webFixture struct {
	dir                  string
	serverCA, clientCA   *testpki.CA
	server, ops, rogue   testpki.Pair
	token, tokenFile     string
	user, pass, hash     string
	secretEnv, secretVal string
}

func newWebFixture(t *testing.T) *webFixture {
	dir := t.TempDir()
	f := &webFixture{dir: dir, token: "tok-3f9a7c2e51d04b8e", user: "prometheus", pass: "pw-8d2f61c0a9", secretEnv: "BMC_PASSWORD", secretVal: "bmc-secret-value-77d1"}
	f.serverCA = testpki.NewCA(t, dir, "server")
	f.server = f.serverCA.Server(dir, "faultline")
	f.clientCA = testpki.NewCA(t, dir, "clients")
	f.ops = f.clientCA.Client(dir, "ops")
	f.rogue = testpki.NewCA(t, dir, "rogue").Client(dir, "rogue")
	f.tokenFile = filepath.Join(dir, "token")
	if err := os.WriteFile(f.tokenFile, []byte(f.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(f.pass), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	f.hash = string(h)
	t.Setenv(f.secretEnv, f.secretVal)
	t.Setenv("FAULTLINE_TOKEN", "")
	return f
}

func (f *webFixture) webConfig(t *testing.T, extra string) string {
	t.Helper()
	path := filepath.Join(f.dir, "web.yml")
	conf := "tls_server_config:\n  cert_file: faultline.pem\n  key_file: faultline-key.pem\n  min_version: TLS12\n" + extra
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeTLSBasicAuth: serve with a web configuration of TLS and a
// basic auth user, and a bearer token. TLS is served and verified against
// the server's CA; plain HTTP gets nothing; every path but /healthz
// needs credentials (the user or the token); POSTs need the token itself;
// no credential reaches the log; the inventory shows secret references,
// never their values.
func TestServeTLSBasicAuth(t *testing.T) {
	f := newWebFixture(t)
	web := f.webConfig(t, "basic_auth_users:\n  "+f.user+": "+f.hash+"\n")
	c := webTLSClient(&tls.Config{RootCAs: f.serverCA.Pool()})
	base, out := serveWeb(t, c, "https", "--web.config.file", web, "--token-file", f.tokenFile)
	if !strings.Contains(out.String(), "on https://") || !strings.Contains(out.String(), "access: TLS, 1 basic auth users, reads need credentials") {
		t.Errorf("start-up lines: %s", out)
	}
	for _, tc := range []struct {
		name string
		r    webReq
		want int
		has  string
	}{
		{"healthz open", webReq{path: "/healthz"}, 200, `"ok"`},
		{"readyz needs credentials", webReq{path: "/readyz"}, 401, "credentials needed"},
		{"inventory without credentials", webReq{path: "/api/v1/inventory"}, 401, "credentials needed"},
		{"metrics without credentials", webReq{path: "/metrics"}, 401, ""},
		{"report without credentials", webReq{path: "/report"}, 401, ""},
		{"observations without credentials", webReq{path: "/api/v1/observations"}, 401, ""},
		{"wrong password", webReq{path: "/api/v1/findings", user: f.user, pass: f.pass + "x"}, 401, ""},
		{"unknown user", webReq{path: "/api/v1/findings", user: "admin", pass: f.pass}, 401, ""},
		{"wrong token", webReq{path: "/api/v1/findings", bearer: f.token + "x"}, 401, ""},
		{"inventory with the user", webReq{path: "/api/v1/inventory", user: f.user, pass: f.pass}, 200, "${env:BMC_PASSWORD}"},
		{"device with the user", webReq{path: "/api/v1/devices/db-1", user: f.user, pass: f.pass}, 200, "${env:BMC_PASSWORD}"},
		{"metrics with the user", webReq{path: "/metrics", user: f.user, pass: f.pass}, 200, "faultline_web_config_last_reload_successful 1"},
		{"report with the token", webReq{path: "/report", bearer: f.token}, 200, "<html"},
		{"whatif with the user only", webReq{method: "POST", path: "/api/v1/whatif", user: f.user, pass: f.pass, body: `{"fail":["feed-a"]}`}, 401, "bearer token"},
		{"whatif with the token", webReq{method: "POST", path: "/api/v1/whatif", bearer: f.token, body: `{"fail":["feed-a"]}`}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, err := webDo(t, c, base, tc.r)
			if err != nil {
				t.Fatal(err)
			}
			if code != tc.want || !strings.Contains(body, tc.has) {
				t.Fatalf("%d, want %d with %q: %.300s", code, tc.want, tc.has, body)
			}
			if strings.Contains(body, f.secretVal) {
				t.Errorf("the answer holds the value of $%s", f.secretEnv)
			}
		})
	}
	t.Run("plain HTTP refused", func(t *testing.T) {
		code, body, err := webDo(t, &http.Client{Timeout: 10 * time.Second}, strings.Replace(base, "https://", "http://", 1), webReq{path: "/api/v1/inventory", bearer: f.token})
		if err != nil {
			t.Fatal(err)
		}
		if code != 400 || strings.Contains(body, "inventory") {
			t.Errorf("plain HTTP: %d %s", code, body)
		}
	})
	t.Run("server not trusted", func(t *testing.T) {
		if _, _, err := webDo(t, webTLSClient(&tls.Config{RootCAs: f.clientCA.Pool()}), base, webReq{path: "/healthz"}); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("a client that does not trust the server's CA: %v", err)
		}
	})
	for _, secret := range []string{f.token, f.pass, f.hash} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the log holds a credential %q", secret)
		}
	}
	if !strings.Contains(out.String(), "request refused") {
		t.Errorf("refusals are not logged at debug: %s", out)
	}
}

// TestServeClientCertificates: with client_auth_type
// RequireAndVerifyClientCert, a client without a certificate, or with
// one of another CA, gets no answer at all (the handshake fails); one of
// the configured CA gets answers, and with --auth-reads its certificate
// is the credential for reads.
func TestServeClientCertificates(t *testing.T) {
	f := newWebFixture(t)
	web := f.webConfig(t, "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients-ca.pem\n")
	ops := webTLSClient(&tls.Config{RootCAs: f.serverCA.Pool(), Certificates: []tls.Certificate{f.ops.TLS}})
	base, out := serveWeb(t, ops, "https", "--web.config.file", web, "--token-file", f.tokenFile, "--auth-reads")
	if !strings.Contains(out.String(), "access: TLS, client certificates required, reads need credentials") {
		t.Errorf("start-up lines: %s", out)
	}
	if code, body, err := webDo(t, ops, base, webReq{path: "/api/v1/inventory"}); err != nil || code != 200 || !strings.Contains(body, `"sha256"`) {
		t.Errorf("client of the configured CA: %d %v %.200s", code, err, body)
	}
	if code, _, err := webDo(t, ops, base, webReq{method: "POST", path: "/api/v1/whatif", body: `{"fail":["feed-a"]}`}); err != nil || code != 401 {
		t.Errorf("POST with a client certificate only: %d %v, want 401 (the token acts)", code, err)
	}
	for name, c := range map[string]*http.Client{
		"no certificate":       webTLSClient(&tls.Config{RootCAs: f.serverCA.Pool()}),
		"another CA's client":  webTLSClient(&tls.Config{RootCAs: f.serverCA.Pool(), Certificates: []tls.Certificate{f.rogue.TLS}}),
		"a server certificate": webTLSClient(&tls.Config{RootCAs: f.serverCA.Pool(), Certificates: []tls.Certificate{f.server.TLS}}),
	} {
		for _, r := range []webReq{{path: "/healthz"}, {path: "/api/v1/inventory", bearer: f.token}} {
			if code, _, err := webDo(t, c, base, r); err == nil {
				t.Errorf("%s: %s answered %d", name, r.path, code)
			}
		}
	}
}

// TestServeAuthReads: --auth-reads on plain HTTP with a bearer token:
// every GET but /healthz needs the token, and `faultline audit --live`
// reads with FAULTLINE_TOKEN.
func TestServeAuthReads(t *testing.T) {
	f := newWebFixture(t)
	c := &http.Client{Timeout: 10 * time.Second}
	base, out := serveWeb(t, c, "http", "--token-file", f.tokenFile, "--auth-reads")
	for _, path := range []string{"/readyz", "/metrics", "/report", "/api/v1/openapi.json", "/api/v1/inventory", "/api/v1/devices", "/api/v1/devices/db-1", "/api/v1/observations", "/api/v1/findings", "/api/v1/report", "/api/v1/collect/1"} {
		code, body, err := webDo(t, c, base, webReq{path: path})
		if err != nil || code != 401 || !strings.Contains(body, "credentials needed") {
			t.Errorf("GET %s without the token: %d %v %.100s", path, code, err, body)
		}
		if code, _, err := webDo(t, c, base, webReq{method: http.MethodHead, path: path}); err != nil || code != 401 {
			t.Errorf("HEAD %s without the token: %d %v", path, code, err)
		}
		code, _, err = webDo(t, c, base, webReq{path: path, bearer: f.token})
		if err != nil || code == 401 {
			t.Errorf("GET %s with the token: %d %v", path, code, err)
		}
	}
	t.Setenv("FAULTLINE_TOKEN", "")
	if code, _, stderr := cli(t, "audit", "--live", base, "-o", "json", repoInventory); code != exitBadInput || !strings.Contains(stderr, "401") {
		t.Errorf("audit --live without the token: exit %d, %s", code, stderr)
	}
	t.Setenv("FAULTLINE_TOKEN", f.token)
	if code, _, stderr := cli(t, "audit", "--live", base, "-o", "json", repoInventory); code == 2 {
		t.Errorf("audit --live with the token: exit %d, %s", code, stderr)
	}
	if strings.Contains(out.String(), f.token) {
		t.Error("the log holds the token")
	}
}

func TestServeWebConfigInvalid(t *testing.T) {
	f := newWebFixture(t)
	bad := filepath.Join(f.dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("tls_server_config:\n  cert_file: faultline.pem\n  key_fil: faultline-key.pem\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--web.config.file", bad}, bad + ":3: unknown key key_fil in tls_server_config"},
		{[]string{"--web.config.file", filepath.Join(f.dir, "none.yml")}, "none.yml"},
		{[]string{"--auth-reads"}, "--auth-reads: there are no credentials to check"},
	} {
		code, _, stderr := cli(t, append([]string{"serve", "-i", repoInventory, "--listen", "127.0.0.1:0"}, tc.args...)...)
		if code != exitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestServeWebConfigSIGHUP: SIGHUP puts a changed web configuration in
// force (a new user gets in, the removed one not); a broken one is
// rejected, the metric says so, and the configuration in force stays.
func TestServeWebConfigSIGHUP(t *testing.T) {
	f := newWebFixture(t)
	web := filepath.Join(f.dir, "web.yml")
	users := func(name, pw string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		return "basic_auth_users:\n  " + name + ": " + string(h) + "\n"
	}
	if err := os.WriteFile(web, []byte(users("old", "old-pw")), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	base, out := serveWeb(t, c, "http", "--web.config.file", web)
	if !strings.Contains(out.String(), "basic auth without TLS") {
		t.Errorf("no warning about basic auth over plain HTTP: %s", out)
	}
	status := func(user, pass string) int {
		code, _, err := webDo(t, c, base, webReq{path: "/api/v1/findings", user: user, pass: pass})
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	hup := func() {
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	if status("old", "old-pw") != 200 {
		t.Fatal("the first user is refused")
	}
	if err := os.WriteFile(web, []byte(users("new", "new-pw")), 0o600); err != nil {
		t.Fatal(err)
	}
	hup()
	webWaitUntil(t, func() bool { return status("new", "new-pw") == 200 })
	if status("old", "old-pw") != 401 {
		t.Error("a removed user still gets in")
	}
	if err := os.WriteFile(web, []byte("basic_auth_users:\n  new: new-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hup()
	webWaitUntil(t, func() bool {
		_, body, err := webDo(t, c, base, webReq{path: "/metrics", user: "new", pass: "new-pw"})
		return err == nil && strings.Contains(body, "faultline_web_config_last_reload_successful 0")
	})
	if status("new", "new-pw") != 200 {
		t.Error("a rejected file changed the users in force")
	}
	if !strings.Contains(out.String(), "web configuration rejected") || strings.Contains(out.String(), "new-pw") {
		t.Errorf("the rejection is not logged, or the log quotes the password: %s", out)
	}
}

func webWaitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
