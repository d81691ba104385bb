package redfish_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
)

// TestTLS checks certificate verification: refused by default against an
// unknown CA, accepted with the CA in Options.RootCAs or an entry's `ca`
// file, and skipped only with `insecure: true`, which the observation says.
func TestTLS(t *testing.T) {
	l := newLab(t)
	_, tg := l.device("srv-1", redfishsim.Options{})

	if obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 5*time.Second); !strings.Contains(obs.Error, "certificate") {
		t.Errorf("unknown CA: error %q, want a certificate error", obs.Error)
	}
	if obs := pollOnce(t, l.poller(redfish.Options{}), tg, 5*time.Second); obs.Error != "" || len(obs.Warnings) != 0 {
		t.Errorf("RootCAs: error %q, warnings %v", obs.Error, obs.Warnings)
	}

	dir := t.TempDir()
	if err := l.fleet.CA().WritePEM(filepath.Join(dir, "lab-ca.pem")); err != nil {
		t.Fatal(err)
	}
	withCA := tg
	rf := *tg.Management.Redfish
	rf.CA = filepath.Join(dir, "lab-ca.pem")
	withCA.Management = &inventory.Management{Redfish: &rf}
	if obs := pollOnce(t, redfish.New(redfish.Options{}), withCA, 5*time.Second); obs.Error != "" {
		t.Errorf("ca file: %s", obs.Error)
	}
	rf2 := rf
	rf2.CA = "missing.pem" // relative: resolved against the inventory's directory
	withCA.Management = &inventory.Management{Redfish: &rf2}
	if obs := pollOnce(t, redfish.New(redfish.Options{}), withCA, 5*time.Second); !strings.Contains(obs.Error, "ca file") {
		t.Errorf("missing ca file: error %q", obs.Error)
	}

	insecure := tg
	rf3 := *tg.Management.Redfish
	rf3.Insecure = true
	insecure.Management = &inventory.Management{Redfish: &rf3}
	obs := pollOnce(t, redfish.New(redfish.Options{}), insecure, 5*time.Second)
	if obs.Error != "" || len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], "verification is off") {
		t.Errorf("insecure: error %q, warnings %v: want a warning", obs.Error, obs.Warnings)
	}
}

// TestPlainHTTP accepts http:// endpoints (labs) and says the credentials
// travel in clear.
func TestPlainHTTP(t *testing.T) {
	l := newLab(t)
	sim, err := redfishsim.FromDevice(l.inv, "db-1", redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	rf := *l.inv.Device("db-1").Management.Redfish
	rf.Endpoint = srv.URL
	tg := collector.Target{ID: "db-1", Management: &inventory.Management{Redfish: &rf}, Dir: l.inv.Dir()}
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 5*time.Second)
	if obs.Error != "" || len(obs.Volumes) != 2 {
		t.Fatalf("error %q, %d volumes", obs.Error, len(obs.Volumes))
	}
	if len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], "unencrypted") {
		t.Errorf("warnings %v: want one about http://", obs.Warnings)
	}
}

// TestSecrets checks that a missing ${env:..} password is a clear error at
// poll time, and that no error or observation ever holds the password.
func TestSecrets(t *testing.T) {
	l := newLab(t)
	sim, tg := l.device("srv-1", redfishsim.Options{})
	p := l.poller(redfish.Options{})

	rf := *tg.Management.Redfish
	rf.Password = "${env:FAULTLINE_TEST_UNSET_PASSWORD}"
	unset := tg
	unset.Management = &inventory.Management{Redfish: &rf}
	obs := pollOnce(t, p, unset, 5*time.Second)
	if !strings.HasPrefix(obs.Error, "password: ${env:FAULTLINE_TEST_UNSET_PASSWORD}") || !strings.Contains(obs.Error, "not set") {
		t.Errorf("unset password: error %q", obs.Error)
	}
	if sim.Stats().Requests != 0 {
		t.Errorf("%d requests made without a password", sim.Stats().Requests)
	}

	rf.Password = "wrong-password"
	obs = pollOnce(t, p, unset, 5*time.Second)
	if !strings.Contains(obs.Error, "refused the credentials") || strings.Contains(obs.Error, "wrong-password") {
		t.Errorf("wrong password: error %q", obs.Error)
	}
	rf.Auth = "session"
	obs = pollOnce(t, p, unset, 5*time.Second)
	if !strings.Contains(obs.Error, "login") || strings.Contains(obs.Error, "wrong-password") {
		t.Errorf("wrong password, session: error %q", obs.Error)
	}
	noSecret(t, pollOnce(t, p, tg, 5*time.Second))
}

// TestSessionLimit fills the BMC's sessions (as leaky tools do) and checks
// the collector says so, and that its own sessions never add to the count.
func TestSessionLimit(t *testing.T) {
	l := newLab(t)
	sim, tg := l.device("srv-1", redfishsim.Options{MaxSessions: 2})
	tg.Management.Redfish.Auth = "session"
	p := l.poller(redfish.Options{})
	for range 3 {
		if obs := pollOnce(t, p, tg, 5*time.Second); obs.Error != "" {
			t.Fatal(obs.Error)
		}
	}
	if st := sim.Stats(); st.Sessions != 0 || st.Logins != 3 || st.Logouts != 3 {
		t.Fatalf("after 3 polls: %+v: want 3 logins, 3 logouts, none open", st)
	}
	// Someone else holds both sessions.
	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, l.fleet.URL("srv-1")+"/redfish/v1/SessionService/Sessions",
			strings.NewReader(`{"UserName":"audit","Password":"`+labPassword+`"}`))
		resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: tlsFor(l)}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	obs := pollOnce(t, p, tg, 5*time.Second)
	if !strings.Contains(obs.Error, "no free session") || !strings.Contains(obs.Error, "503") {
		t.Errorf("full session table: error %q", obs.Error)
	}
}

// TestDeadlineReachesTheSocket: a BMC that never answers costs the
// device's deadline, not more.
func TestDeadlineReachesTheSocket(t *testing.T) {
	l := newLab(t)
	sim, tg := l.device("srv-1", redfishsim.Options{})
	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.Hang}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	obs := pollOnce(t, l.poller(redfish.Options{}), tg, 300*time.Millisecond)
	if took := time.Since(start); took > 800*time.Millisecond {
		t.Errorf("a 300ms deadline took %v", took)
	}
	if !strings.Contains(obs.Error, "deadline exceeded") {
		t.Errorf("error %q", obs.Error)
	}
}

// counter wraps a simulated BMC to see requests as they arrive.
type counter struct {
	next              http.Handler
	inFlight, maxSeen atomic.Int64
	mu                sync.Mutex
	failFirst         int // answer this many GETs with 503 first
	seen              []string
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.maxSeen.Load()
		if n <= m || c.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	c.mu.Lock()
	c.seen = append(c.seen, r.Method+" "+r.URL.RequestURI())
	fail := r.Method == http.MethodGet && c.failFirst > 0
	if fail {
		c.failFirst--
	}
	c.mu.Unlock()
	if fail {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	c.next.ServeHTTP(w, r)
}

// TestPerDeviceConcurrency walks a BMC without $expand (many requests)
// and checks no more than PerDevice are ever in flight.
func TestPerDeviceConcurrency(t *testing.T) {
	l := newLab(t)
	for _, limit := range []int{1, 4} {
		sim, err := redfishsim.FromDevice(l.inv, "srv-1", redfishsim.Options{Latency: 5 * time.Millisecond, Expand: redfishsim.ExpandOff})
		if err != nil {
			t.Fatal(err)
		}
		c := &counter{next: sim.Handler()}
		srv := httptest.NewServer(c)
		rf := *l.inv.Device("srv-1").Management.Redfish
		rf.Endpoint = srv.URL
		tg := collector.Target{ID: "srv-1", Management: &inventory.Management{Redfish: &rf}, Dir: l.inv.Dir()}
		obs := pollOnce(t, redfish.New(redfish.Options{PerDevice: limit, ConnsPerDevice: limit}), tg, 10*time.Second)
		srv.Close()
		if obs.Error != "" {
			t.Fatal(obs.Error)
		}
		if got := c.maxSeen.Load(); got > int64(limit) || limit > 1 && got < 2 {
			t.Errorf("PerDevice %d: %d requests were in flight at once", limit, got)
		}
		if obs.Requests < 30 {
			t.Errorf("a walk took only %d requests", obs.Requests)
		}
	}
}

// TestRetry: a GET answered 503 is retried within the deadline; a 500 is
// not.
func TestRetry(t *testing.T) {
	l := newLab(t)
	sim, err := redfishsim.FromDevice(l.inv, "srv-1", redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{next: sim.Handler(), failFirst: 2}
	srv := httptest.NewServer(c)
	defer srv.Close()
	rf := *l.inv.Device("srv-1").Management.Redfish
	rf.Endpoint = srv.URL
	tg := collector.Target{ID: "srv-1", Management: &inventory.Management{Redfish: &rf}, Dir: l.inv.Dir()}
	p := redfish.New(redfish.Options{RetryBackoff: 10 * time.Millisecond})
	obs := pollOnce(t, p, tg, 5*time.Second)
	if obs.Error != "" {
		t.Fatalf("two 503s then success: %s", obs.Error)
	}
	if want := []string{"GET /redfish/v1/", "GET /redfish/v1/", "GET /redfish/v1/"}; !slices.Equal(c.seen[:3], want) {
		t.Errorf("first requests %q, want the root asked three times", c.seen[:3])
	}
	if obs.Requests != len(c.seen) {
		t.Errorf("the collector counted %d requests, the BMC saw %d", obs.Requests, len(c.seen))
	}

	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.HTTP500}); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.seen = nil
	c.mu.Unlock()
	obs = pollOnce(t, p, tg, 5*time.Second)
	if obs.Error == "" {
		t.Fatal("no error from a BMC answering 500")
	}
	seen := map[string]int{}
	for _, r := range c.seen {
		if seen[r]++; seen[r] > 1 {
			t.Errorf("%s was retried after a 500", r)
		}
	}
}

// TestRediscovery: when a remembered URI disappears (a BMC's firmware
// update renumbers its tree), the same poll rediscovers instead of failing.
func TestRediscovery(t *testing.T) {
	write := func(dir, path, body string) {
		p := filepath.Join(dir, filepath.FromSlash(path), "index.json")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tree := func(system string) *redfishsim.Sim {
		dir := t.TempDir()
		write(dir, ".", `{"@odata.id": "/redfish/v1", "Systems": {"@odata.id": "/redfish/v1/Systems"}}`)
		write(dir, "Systems", `{"@odata.id": "/redfish/v1/Systems", "Members": [{"@odata.id": "/redfish/v1/Systems/`+system+`"}]}`)
		write(dir, "Systems/"+system, `{"@odata.id": "/redfish/v1/Systems/`+system+`", "Id": "`+system+`", "Model": "M-`+system+`", "PowerState": "On"}`)
		sim, err := redfishsim.FromMockup(dir, redfishsim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return sim
	}
	var current atomic.Pointer[redfishsim.Sim]
	current.Store(tree("A"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	tg := collector.Target{ID: "m", Management: &inventory.Management{Redfish: &inventory.Redfish{
		Endpoint: srv.URL, Username: "u", Password: "p"}}}
	p := redfish.New(redfish.Options{})
	if obs := pollOnce(t, p, tg, 5*time.Second); obs.Error != "" || obs.Identity.Model != "M-A" {
		t.Fatalf("first: error %q, identity %+v", obs.Error, obs.Identity)
	}
	if obs := pollOnce(t, p, tg, 5*time.Second); obs.Requests != 1 {
		t.Fatalf("warm poll: %d requests, want 1", obs.Requests)
	}
	current.Store(tree("B"))
	obs := pollOnce(t, p, tg, 5*time.Second)
	if obs.Error != "" || obs.Identity.Model != "M-B" || len(obs.PartErrors) != 0 {
		t.Errorf("after renumbering: error %q, part errors %v, identity %+v", obs.Error, obs.PartErrors, obs.Identity)
	}
	if obs.Requests != 3 {
		t.Errorf("after renumbering: %d requests, want 3 (the 404, the collection, the new system)", obs.Requests)
	}
}

func tlsFor(l *lab) *tls.Config { return &tls.Config{RootCAs: l.fleet.CA().Pool()} }
