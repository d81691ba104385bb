package redfish_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
)

// trap is a host that a hostile BMC points the collector at. It answers
// like a BMC would (so a collector that follows would take its data) and
// records every request, with whether it carried credentials.
type trap struct {
	mu   sync.Mutex
	seen []string
	url  string
}

func newTrap(t *testing.T, addr string) *trap {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s for the trap host: %v", addr, err)
	}
	tr := &trap{url: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		tr.mu.Lock()
		tr.seen = append(tr.seen, fmt.Sprintf("%s %s (Authorization %q, X-Auth-Token %q, body %q)",
			r.Method, r.URL, r.Header.Get("Authorization"), r.Header.Get("X-Auth-Token"), body))
		tr.mu.Unlock()
		w.Header().Set("X-Auth-Token", "stolen")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"@odata.id": %q, "Id": "at", "Name": "attacker", "Members": [], "PowerState": "Off"}`, r.URL.Path)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return tr
}

func (tr *trap) requests() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.seen...)
}

// hostAddr is the trap's host:port, as a link without a scheme names it.
func (tr *trap) hostAddr() string { return strings.TrimPrefix(tr.url, "http://") }

// tamper serves sim, rewriting the JSON documents at the paths in edits,
// and answering redirects for the paths in redirects.
func tamper(sim http.Handler, edits map[string]func(doc map[string]any), redirects map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimRight(r.URL.Path, "/")
		if to, ok := redirects[path]; ok {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		edit, ok := edits[path]
		if !ok || r.Method != http.MethodGet {
			sim.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, r)
		var doc map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		edit(doc)
		b, _ := json.Marshal(doc)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	})
}

func addMembers(links ...string) func(map[string]any) {
	return func(doc map[string]any) {
		ms, _ := doc["Members"].([]any)
		for _, l := range links {
			ms = append(ms, map[string]any{"@odata.id": l})
		}
		doc["Members"] = ms
		doc["Members@odata.count"] = len(ms)
	}
}

// TestHostileLinksNeverLeaveTheOrigin serves a BMC whose links, next
// pages, session service and redirects point at another host (and at
// another port of its own host), and checks that not one request reaches
// either, with credentials or without, for basic and session auth, while
// the BMC's own data is still read.
func TestHostileLinksNeverLeaveTheOrigin(t *testing.T) {
	inv := loadLab(t)
	other := newTrap(t, "127.0.0.2:0")   // another host
	sibling := newTrap(t, "127.0.0.1:0") // the BMC's host, another port
	o, s := other.hostAddr(), sibling.hostAddr()
	const systems, chassis, root = "/redfish/v1/Systems", "/redfish/v1/Chassis", "/redfish/v1"
	cases := []struct {
		name      string
		auth      string
		edits     map[string]func(map[string]any)
		redirects map[string]string
	}{
		{name: "member with userinfo trick", edits: map[string]func(map[string]any){
			systems: addMembers("@" + o + "/redfish/v1/Systems/at")}},
		{name: "member network-path reference", edits: map[string]func(map[string]any){
			systems: addMembers("//" + o + "/redfish/v1/Systems/at")}},
		{name: "member absolute URL", edits: map[string]func(map[string]any){
			systems: addMembers(other.url+"/redfish/v1/Systems/at", "HTTP://"+o+"/redfish/v1/Systems/at")}},
		{name: "member on another port of the same host", edits: map[string]func(map[string]any){
			chassis: addMembers(sibling.url + "/redfish/v1/Chassis/at")}},
		{name: "next page elsewhere", edits: map[string]func(map[string]any){
			systems: func(doc map[string]any) { doc["Members@odata.nextLink"] = "@" + o + "/redfish/v1/Systems?page=2" }}},
		{name: "session service with userinfo trick", auth: "session", edits: map[string]func(map[string]any){
			root: func(doc map[string]any) {
				doc["Links"] = map[string]any{"Sessions": map[string]any{"@odata.id": "@" + o + "/redfish/v1/SessionService/Sessions"}}
			}}},
		{name: "session service on another host", auth: "session", edits: map[string]func(map[string]any){
			root: func(doc map[string]any) {
				doc["Links"] = map[string]any{"Sessions": map[string]any{"@odata.id": other.url + "/redfish/v1/SessionService/Sessions"}}
			}}},
		{name: "session service on another port", auth: "session", edits: map[string]func(map[string]any){
			root: func(doc map[string]any) {
				doc["Links"] = map[string]any{"Sessions": map[string]any{"@odata.id": "//" + s + "/redfish/v1/SessionService/Sessions"}}
			}}},
		{name: "redirect to another host", redirects: map[string]string{chassis: other.url + chassis}},
		{name: "redirect to another port", redirects: map[string]string{chassis: sibling.url + chassis}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, err := redfishsim.FromDevice(inv, "db-1", redfishsim.Options{})
			if err != nil {
				t.Fatal(err)
			}
			bmc := httptest.NewServer(tamper(sim.Handler(), tc.edits, tc.redirects))
			defer bmc.Close()
			rf := *inv.Device("db-1").Management.Redfish
			rf.Endpoint, rf.Auth = bmc.URL, tc.auth
			tg := collector.Target{ID: "db-1", Kind: "server", Management: &inventory.Management{Redfish: &rf}, Dir: inv.Dir()}
			obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 20*time.Second)
			for _, tr := range []*trap{other, sibling} {
				if got := tr.requests(); len(got) > 0 {
					t.Fatalf("%d requests reached %s, which is not the BMC:\n%s", len(got), tr.url, strings.Join(got, "\n"))
				}
			}
			noSecret(t, obs)
			if strings.Contains(tc.name, "redirect") {
				// The redirected collection is a part error; the rest is read.
				if obs.Error != "" {
					t.Fatalf("the whole poll failed: %s", obs.Error)
				}
				if !bytes.Contains(must(json.Marshal(obs.PartErrors)), []byte("origin")) {
					t.Errorf("no part error says the redirect left the origin: %+v", obs.PartErrors)
				}
				return
			}
			if obs.Error != "" {
				t.Fatalf("the BMC's own data was not read: %s", obs.Error)
			}
			if len(obs.PSUs) != 2 || len(obs.Volumes) != 2 {
				t.Errorf("read %d PSUs and %d volumes of the BMC itself; want 2 and 2", len(obs.PSUs), len(obs.Volumes))
			}
			if !strings.Contains(strings.Join(obs.Warnings, "\n"), "origin") {
				t.Errorf("no warning says a link left the origin: %q", obs.Warnings)
			}
		})
	}
}

// TestPortlessEndpointLinkStaysHome: with an endpoint without a port
// (http://127.0.9.5), a link "9/..." once became http://127.0.9.59/... by
// string concatenation. Resolved as a URL it is a path on 127.0.9.5.
func TestPortlessEndpointLinkStaysHome(t *testing.T) {
	inv := loadLab(t)
	tr := newTrap(t, "127.0.9.59:80")
	sim, err := redfishsim.FromDevice(inv, "db-1", redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.9.5:80")
	if err != nil {
		t.Skipf("cannot listen on 127.0.9.5:80 for the BMC (port 80 needs root or CAP_NET_BIND_SERVICE): %v", err)
	}
	bmc := &httptest.Server{Listener: ln, Config: &http.Server{Handler: tamper(sim.Handler(), map[string]func(map[string]any){
		"/redfish/v1/Systems": addMembers("9/redfish/v1/Systems/at"),
	}, nil)}}
	bmc.Start()
	defer bmc.Close()
	rf := *inv.Device("db-1").Management.Redfish
	rf.Endpoint = "http://127.0.9.5"
	tg := collector.Target{ID: "db-1", Kind: "server", Management: &inventory.Management{Redfish: &rf}, Dir: inv.Dir()}
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 20*time.Second)
	if got := tr.requests(); len(got) > 0 {
		t.Fatalf("%d requests reached 127.0.9.59:\n%s", len(got), strings.Join(got, "\n"))
	}
	if obs.Error != "" {
		t.Fatalf("the BMC's own data was not read: %s", obs.Error)
	}
	noSecret(t, obs)
}

// TestRedirectLoopIsBounded: a BMC that redirects a resource to itself
// forever costs a few requests, not thousands (net/http's own cap of 10
// does not apply once CheckRedirect is set), and is not retried.
func TestRedirectLoopIsBounded(t *testing.T) {
	inv := loadLab(t)
	sim, err := redfishsim.FromDevice(inv, "db-1", redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var loops int
	var mu sync.Mutex
	h := sim.Handler()
	bmc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.TrimRight(r.URL.Path, "/") == "/redfish/v1/Chassis" {
			mu.Lock()
			loops++
			n := loops
			mu.Unlock()
			http.Redirect(w, r, fmt.Sprintf("/redfish/v1/Chassis?loop=%d", n), http.StatusFound)
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer bmc.Close()
	rf := *inv.Device("db-1").Management.Redfish
	rf.Endpoint = bmc.URL
	tg := collector.Target{ID: "db-1", Kind: "server", Management: &inventory.Management{Redfish: &rf}, Dir: inv.Dir()}
	obs := pollOnce(t, redfish.New(redfish.Options{}), tg, 20*time.Second)
	mu.Lock()
	n := loops
	mu.Unlock()
	if n > 4 {
		t.Errorf("the redirect loop was followed %d times; want the first request and at most 3 redirects, without retries", n)
	}
	if !bytes.Contains(must(json.Marshal(obs)), []byte("redirects")) {
		t.Errorf("nothing in the observation says the redirects were stopped: %s", must(json.Marshal(obs)))
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
