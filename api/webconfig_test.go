package api

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/faultline/faultline/internal/testpki"
)

func writeFile(t testing.TB, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func bcryptHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// TestLoadWebConfigErrors: every bad web configuration is refused with
// the file, the line where known, and what to do — never with a key's or
// a password's text.
func TestLoadWebConfigErrors(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "srv")
	srv := ca.Server(dir, "server")
	other := testpki.NewCA(t, dir, "other").Server(dir, "other")
	keyPEM, err := os.ReadFile(srv.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	tlsOK := "tls_server_config:\n  cert_file: " + srv.CertFile + "\n  key_file: " + srv.KeyFile + "\n"
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", tlsOK + "  cert_fil: x\n", []string{":4: unknown key cert_fil in tls_server_config"}},
		{"unknown section", "tls_config:\n  cert_file: x\n", []string{":1: unknown key tls_config (the file has"}},
		{"not a mapping", "- a\n", []string{":1: cannot unmarshal", "into the web configuration"}},
		{"plaintext password", "basic_auth_users:\n  alice: hunter2\n", []string{`the password of "alice" is not a bcrypt hash`, "htpasswd -nBC 10"}},
		{"no key", "tls_server_config:\n  cert_file: " + srv.CertFile + "\n", []string{"missing one of key or key_file"}},
		{"missing cert file", "tls_server_config:\n  cert_file: nope.pem\n  key_file: " + srv.KeyFile + "\n", []string{"nope.pem"}},
		{"key of another certificate", "tls_server_config:\n  cert_file: " + other.CertFile + "\n  key_file: " + srv.KeyFile + "\n", []string{"do not load as a pair"}},
		{"client CA without auth type", tlsOK + "  client_ca_file: " + ca.CertFile + "\n", []string{"client_auth_type is not", "RequireAndVerifyClientCert"}},
		{"bad auth type", tlsOK + "  client_auth_type: Always\n", []string{"client_auth_type Always is not one of"}},
		{"bad TLS version", tlsOK + "  min_version: TLS99\n", []string{"TLS99"}},
		{"inline key with a typo", "tls_server_config:\n  cert: x\n  key: |\n" + indent(string(keyPEM), "    ") + "  keyy: 1\n", []string{"unknown key keyy"}},
		{"inline key that is no key", "tls_server_config:\n  cert_file: " + srv.CertFile + "\n  key: |\n" + indent(strings.Replace(string(keyPEM), "M", "x", 3), "    "), []string{"do not load as a pair"}},
		{"bad header", "http_server_config:\n  headers:\n    X-Frame-Options: always\n", []string{"X-Frame-Options"}},
		{"rate limit without burst", "rate_limit:\n  interval: 1s\n", []string{"rate_limit: want a positive interval and burst"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, "web.yml"), tc.yaml)
			_, err := LoadWebConfig(path)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+":") {
				t.Errorf("error does not start with the file: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			for _, secret := range []string{"hunter2", string(keyPEM[40:60]), "web.TLSConfig", "config.Secret"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error quotes %q: %s", secret, msg)
				}
			}
		})
	}
}

func indent(s, pfx string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pfx + l
		}
	}
	return strings.Join(lines, "")
}

// TestGuardCredentials: with reads protected, every path but /healthz
// needs the token, a basic auth user (bcrypt) or nothing at all; wrong
// passwords, unknown users and other tokens are 401 with a JSON body.
func TestGuardCredentials(t *testing.T) {
	dir := t.TempDir()
	web := writeFile(t, filepath.Join(dir, "web.yml"), "basic_auth_users:\n  prometheus: "+bcryptHash(t, "scrape-pw")+"\n")
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	for _, tc := range []struct {
		name       string
		opts       GuardOptions
		path, auth string
		user, pass string
		want       int
	}{
		{"open reads", GuardOptions{Token: token}, "/api/v1/inventory", "", "", "", 418},
		{"auth-reads, none", GuardOptions{Token: token, AuthReads: true}, "/api/v1/inventory", "", "", "", 401},
		{"auth-reads, token", GuardOptions{Token: token, AuthReads: true}, "/metrics", "Bearer " + token, "", "", 418},
		{"auth-reads, other token", GuardOptions{Token: token, AuthReads: true}, "/report", "Bearer x" + token, "", "", 401},
		{"auth-reads, healthz", GuardOptions{Token: token, AuthReads: true}, "/healthz", "", "", "", 418},
		{"auth-reads, readyz", GuardOptions{Token: token, AuthReads: true}, "/readyz", "", "", "", 401},
		{"users, none", GuardOptions{WebConfigFile: web}, "/metrics", "", "", "", 401},
		{"users, right", GuardOptions{WebConfigFile: web}, "/metrics", "", "prometheus", "scrape-pw", 418},
		{"users, wrong password", GuardOptions{WebConfigFile: web}, "/metrics", "", "prometheus", "scrape-pX", 401},
		{"users, unknown user", GuardOptions{WebConfigFile: web}, "/metrics", "", "alice", "scrape-pw", 401},
		{"users, token", GuardOptions{WebConfigFile: web, Token: token}, "/api/v1/devices/db-1", "Bearer " + token, "", "", 418},
		{"users, token not configured", GuardOptions{WebConfigFile: web}, "/api/v1/devices/db-1", "Bearer ", "", "", 401},
		{"users, healthz", GuardOptions{WebConfigFile: web}, "/healthz", "", "", "", 418},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewGuard(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			h := g.Wrap(ok)
			for range 2 { // the second time from the cache
				req := httptest.NewRequest(http.MethodGet, tc.path, nil)
				if tc.auth != "" {
					req.Header.Set("Authorization", tc.auth)
				}
				if tc.user != "" {
					req.SetBasicAuth(tc.user, tc.pass)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != tc.want {
					t.Fatalf("%s: %d, want %d: %s", tc.path, rec.Code, tc.want, rec.Body)
				}
				if rec.Code == 401 && (!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || rec.Header().Get("WWW-Authenticate") == "" || !strings.Contains(rec.Body.String(), `"error":"credentials needed`)) {
					t.Errorf("401 without JSON or WWW-Authenticate: %v %s", rec.Header(), rec.Body)
				}
			}
		})
	}
}

func TestGuardOptionErrors(t *testing.T) {
	if _, err := NewGuard(GuardOptions{AuthReads: true}); err == nil || !strings.Contains(err.Error(), "no credentials to check") {
		t.Errorf("--auth-reads with nothing to check: %v", err)
	}
	if _, err := NewGuard(GuardOptions{WebConfigFile: filepath.Join(t.TempDir(), "none.yml")}); err == nil || !strings.Contains(err.Error(), "none.yml") {
		t.Errorf("a missing file: %v", err)
	}
}

// TestGuardReload: a reload puts a valid file in force (a new user works,
// the removed one not), keeps the old one when the new does not load, and
// refuses to turn TLS on under a running plain listener.
func TestGuardReload(t *testing.T) {
	dir := t.TempDir()
	srv := testpki.NewCA(t, dir, "srv").Server(dir, "server")
	path := filepath.Join(dir, "web.yml")
	writeFile(t, path, "basic_auth_users:\n  old: "+bcryptHash(t, "old-pw")+"\n")
	g, err := NewGuard(GuardOptions{WebConfigFile: path})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	status := func(user, pass string) int {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.SetBasicAuth(user, pass)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if status("old", "old-pw") != 200 {
		t.Fatal("the first user is refused")
	}
	writeFile(t, path, "basic_auth_users:\n  new: "+bcryptHash(t, "new-pw")+"\n")
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	if status("old", "old-pw") != 401 || status("new", "new-pw") != 200 {
		t.Error("the reloaded users are not in force")
	}
	for _, bad := range []string{
		"basic_auth_users:\n  new: plaintext\n",
		"tls_server_config:\n  cert_file: " + srv.CertFile + "\n  key_file: " + srv.KeyFile + "\n",
	} {
		writeFile(t, path, bad)
		if err := g.Reload(); err == nil {
			t.Errorf("reload of %q accepted", bad)
		}
		if status("new", "new-pw") != 200 {
			t.Error("a rejected reload changed what is in force")
		}
	}
}

// FuzzLoadWebConfig: no file makes the loader panic, and an accepted
// file has a consistent state.
func FuzzLoadWebConfig(f *testing.F) {
	f.Add([]byte("basic_auth_users:\n  a: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n"))
	f.Add([]byte("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n"))
	f.Add([]byte("rate_limit: {interval: 1s, burst: 2}\nhttp_server_config: {http2: false, headers: {X-Frame-Options: deny}}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "web.yml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadWebConfig(path)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path) {
				t.Errorf("error without the file: %v", err)
			}
			return
		}
		if c.TLS() && c.cert == nil {
			t.Error("TLS without a certificate")
		}
	})
}

// TestSecurityDocExamples: the web configuration in docs/security.md
// loads (with real files under the names it uses), and the Prometheus
// scrape configuration there uses its scheme and one of its users.
func TestSecurityDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	var webYAML, scrapeYAML string
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		switch {
		case strings.Contains(m[1], "tls_server_config:"):
			webYAML = m[1]
		case strings.Contains(m[1], "scrape_configs:"):
			scrapeYAML = m[1]
		}
	}
	if webYAML == "" || scrapeYAML == "" {
		t.Fatal("docs/security.md has no web configuration or no scrape configuration example")
	}
	dir := t.TempDir()
	srv := testpki.NewCA(t, dir, "srv").Server(dir, "server")
	clients := testpki.NewCA(t, dir, "clients")
	for from, to := range map[string]string{srv.CertFile: "tls.crt", srv.KeyFile: "tls.key", clients.CertFile: "clients-ca.crt"} {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, to), string(data))
	}
	c, err := LoadWebConfig(writeFile(t, filepath.Join(dir, "web.yml"), webYAML))
	if err != nil {
		t.Fatalf("the example web configuration: %v", err)
	}
	if !c.TLS() || !c.verifiesClients || c.Users() != 1 {
		t.Errorf("the example: TLS %t, client certificates %t, %d users", c.TLS(), c.verifiesClients, c.Users())
	}
	var scrape struct {
		ScrapeConfigs []struct {
			Scheme    string `yaml:"scheme"`
			BasicAuth struct {
				Username string `yaml:"username"`
			} `yaml:"basic_auth"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(scrapeYAML), &scrape); err != nil {
		t.Fatal(err)
	}
	if len(scrape.ScrapeConfigs) != 1 || scrape.ScrapeConfigs[0].Scheme != "https" || c.users[scrape.ScrapeConfigs[0].BasicAuth.Username] == nil {
		t.Errorf("the scrape example does not scrape over https as a user of the web example: %+v", scrape)
	}
}

// TestGuardServeTLSReload: Guard.Serve speaks TLS with the configured
// certificate; after the files are replaced with a renewed certificate
// and Reload, new handshakes get the new one without a restart.
func TestGuardServeTLSReload(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA(t, dir, "srv")
	first := ca.Server(dir, "first")
	second := ca.Server(dir, "second")
	copyTo := func(p testpki.Pair) {
		for from, to := range map[string]string{p.CertFile: "tls.crt", p.KeyFile: "tls.key"} {
			data, err := os.ReadFile(from)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, to), string(data))
		}
	}
	copyTo(first)
	web := writeFile(t, filepath.Join(dir, "web.yml"), "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n")
	g, err := NewGuard(GuardOptions{WebConfigFile: web})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	})), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = g.Serve(srv, ln) }()
	defer srv.Close()
	served := func() (serial string, proto string) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get("https://" + ln.Addr().String() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.TLS.PeerCertificates[0].SerialNumber.String(), string(b)
	}
	serialOf := func(p testpki.Pair) string {
		c, err := x509.ParseCertificate(p.TLS.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return c.SerialNumber.String()
	}
	if got, proto := served(); got != serialOf(first) || proto != "HTTP/2.0" {
		t.Fatalf("served certificate %s over %s, want %s over HTTP/2.0", got, proto, serialOf(first))
	}
	copyTo(second)
	if got, _ := served(); got != serialOf(first) {
		t.Error("the certificate changed before the reload")
	}
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	if got, _ := served(); got != serialOf(second) {
		t.Errorf("after the reload: certificate %s, want %s", got, serialOf(second))
	}
}
