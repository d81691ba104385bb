package redfishsim_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
)

const labYAML = `version: 1
sites: [{id: s}]
racks: [{id: r, site: s}]
power:
  - {id: g, kind: utility, site: s}
  - {id: pdu-a, kind: pdu, rack: r, inputs: [g], management: {snmp: {address: "127.0.1.21:1161", community: "${env:SNMP_COMMUNITY}"}}}
devices:
  - {id: sw, kind: switch, rack: r}
  - id: srv
    kind: server
    rack: r
    psus: [{id: PSU1, pdu: pdu-a, outlet: 7}, {id: PSU2, pdu: pdu-a, outlet: 8}]
    storage: [{id: os, raid: raid1, drives: 2}]
    management:
      redfish: {endpoint: "https://127.77.0.1:18443", username: admin, password: "${file:pw}"}
  - id: srv2
    kind: server
    rack: r
    management:
      redfish: {endpoint: "https://127.77.0.2:18443", username: admin, password: "${file:pw}"}
links:
  - {a: "srv:eth0", b: "sw:Ethernet7"}
`

func loadInv(t *testing.T) *inventory.Inventory {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "inv.yaml")
	if err := os.WriteFile(path, []byte(labYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// plain serves one generated BMC over plain HTTP (httptest).
func plain(t *testing.T, opts redfishsim.Options) (*redfishsim.Sim, *httptest.Server) {
	t.Helper()
	sim, err := redfishsim.FromDevice(loadInv(t), "srv", opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

type call struct {
	method, path, body string
	user, pass, token  string
	header             map[string]string
}

func do(t *testing.T, c *http.Client, base string, cl call) (*http.Response, map[string]any) {
	t.Helper()
	if cl.method == "" {
		cl.method = http.MethodGet
	}
	req, err := http.NewRequest(cl.method, base+cl.path, strings.NewReader(cl.body))
	if err != nil {
		t.Fatal(err)
	}
	if cl.user != "" {
		req.SetBasicAuth(cl.user, cl.pass)
	}
	if cl.token != "" {
		req.Header.Set("X-Auth-Token", cl.token)
	}
	for k, v := range cl.header {
		req.Header.Set(k, v)
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	return resp, doc
}

func TestAuthAndSessions(t *testing.T) {
	sim, srv := plain(t, redfishsim.Options{MaxSessions: 2})
	tests := []struct {
		name string
		call call
		code int
	}{
		{"root is public", call{path: "/redfish/v1/"}, 200},
		{"a resource needs credentials", call{path: "/redfish/v1/Systems"}, 401},
		{"wrong password", call{path: "/redfish/v1/Systems", user: "admin", pass: "nope"}, 401},
		{"basic auth", call{path: "/redfish/v1/Systems", user: "admin", pass: "s3cret"}, 200},
		{"bad token", call{path: "/redfish/v1/Systems", token: "x"}, 401},
		{"read-only", call{method: http.MethodPatch, path: "/redfish/v1/Systems/1", user: "admin", pass: "s3cret"}, 405},
		{"missing", call{path: "/redfish/v1/Nope", user: "admin", pass: "s3cret"}, 404},
	}
	for _, tc := range tests {
		if resp, _ := do(t, nil, srv.URL, tc.call); resp.StatusCode != tc.code {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.code)
		}
	}
	login := call{method: http.MethodPost, path: "/redfish/v1/SessionService/Sessions", body: `{"UserName":"admin","Password":"s3cret"}`}
	var locs []string
	for i := range 2 {
		resp, _ := do(t, nil, srv.URL, login)
		if resp.StatusCode != 201 || resp.Header.Get("X-Auth-Token") == "" || resp.Header.Get("Location") == "" {
			t.Fatalf("login %d: %s %v", i, resp.Status, resp.Header)
		}
		if r, _ := do(t, nil, srv.URL, call{path: "/redfish/v1/Systems/1", token: resp.Header.Get("X-Auth-Token")}); r.StatusCode != 200 {
			t.Errorf("the session token is refused: %s", r.Status)
		}
		locs = append(locs, resp.Header.Get("Location"))
	}
	if resp, doc := do(t, nil, srv.URL, login); resp.StatusCode != 503 || !strings.Contains(doc["error"].(map[string]any)["code"].(string), "SessionLimitExceeded") {
		t.Errorf("third session: %s %v, want 503 SessionLimitExceeded", resp.Status, doc)
	}
	if _, doc := do(t, nil, srv.URL, call{path: "/redfish/v1/SessionService/Sessions", user: "admin", pass: "s3cret"}); doc["Members@odata.count"] != float64(2) {
		t.Errorf("sessions collection %v", doc)
	}
	for _, l := range locs {
		if resp, _ := do(t, nil, srv.URL, call{method: http.MethodDelete, path: l, user: "admin", pass: "s3cret"}); resp.StatusCode != 204 {
			t.Errorf("DELETE %s: %s", l, resp.Status)
		}
	}
	if st := sim.Stats(); st.Sessions != 0 || st.Logins != 2 || st.Logouts != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestExpandAndSelect(t *testing.T) {
	_, srv := plain(t, redfishsim.Options{})
	get := func(path string) map[string]any {
		t.Helper()
		resp, doc := do(t, nil, srv.URL, call{path: path, user: "admin", pass: "s3cret"})
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return doc
	}
	// $levels=3: Storage → storage 1 → Volumes → volume os.
	doc := get("/redfish/v1/Systems/1/Storage?$expand=.($levels=3)")
	st := doc["Members"].([]any)[0].(map[string]any)
	vol := st["Volumes"].(map[string]any)["Members"].([]any)[0].(map[string]any)
	if vol["RAIDType"] != "RAID1" || st["Drives"].([]any)[0].(map[string]any)["Id"] != "os-0" {
		t.Errorf("expanded storage: %v", st)
	}
	// Links are not expanded by ".", only by "~" and "*".
	if _, inline := vol["Links"].(map[string]any)["Drives"].([]any)[0].(map[string]any)["Id"]; inline {
		t.Error(`"." expanded inside Links`)
	}
	doc = get("/redfish/v1/Systems/1?$expand=~")
	if doc["Links"].(map[string]any)["Chassis"].([]any)[0].(map[string]any)["Id"] != "1" {
		t.Errorf(`"~" did not expand Links: %v`, doc["Links"])
	}
	// A cycle (system → chassis → system) stops.
	doc = get("/redfish/v1/Systems/1?$expand=*($levels=6)")
	chassis := doc["Links"].(map[string]any)["Chassis"].([]any)[0].(map[string]any)
	back := chassis["Links"].(map[string]any)["ComputerSystems"].([]any)[0].(map[string]any)
	if len(back) != 1 {
		t.Errorf("the cycle back to the system was expanded: %v", back)
	}
	// $select keeps what was asked, and the annotations.
	doc = get("/redfish/v1/Systems/1?$select=Model,PowerState")
	if len(doc) != 4 || doc["Model"] == nil || doc["@odata.id"] == nil || doc["Storage"] != nil {
		t.Errorf("$select: %v", doc)
	}
	// With $select, only the selected links are expanded.
	doc = get("/redfish/v1/Systems/1?$select=Storage&$expand=.($levels=1)")
	if _, ok := doc["Storage"].(map[string]any)["Members"]; !ok || doc["Processors"] != nil {
		t.Errorf("$select with $expand: %v", doc)
	}
	if resp, _ := do(t, nil, srv.URL, call{path: "/redfish/v1/Systems?$expand=x", user: "admin", pass: "s3cret"}); resp.StatusCode != 400 {
		t.Errorf("a bad $expand: %s", resp.Status)
	}
}

func TestExpandModes(t *testing.T) {
	for _, tc := range []struct {
		mode     redfishsim.ExpandMode
		code     int
		inline   bool
		announce bool
	}{
		{redfishsim.ExpandOn, 200, true, true},
		{redfishsim.ExpandOff, 200, false, false},
		{redfishsim.ExpandReject, 400, false, true},
		{redfishsim.ExpandIgnore, 200, false, true},
	} {
		_, srv := plain(t, redfishsim.Options{Expand: tc.mode})
		resp, doc := do(t, nil, srv.URL, call{path: "/redfish/v1/Systems?$expand=.", user: "admin", pass: "s3cret"})
		if resp.StatusCode != tc.code {
			t.Errorf("%s: %s", tc.mode, resp.Status)
			continue
		}
		if tc.code == 200 {
			_, inline := doc["Members"].([]any)[0].(map[string]any)["Model"]
			if inline != tc.inline {
				t.Errorf("%s: inline %v", tc.mode, inline)
			}
		}
		_, root := do(t, nil, srv.URL, call{path: "/redfish/v1"})
		eq := root["ProtocolFeaturesSupported"].(map[string]any)["ExpandQuery"].(map[string]any)
		if eq["NoLinks"] != tc.announce {
			t.Errorf("%s: root advertises NoLinks %v", tc.mode, eq["NoLinks"])
		}
	}
}

func TestETags(t *testing.T) {
	sim, srv := plain(t, redfishsim.Options{})
	auth := call{path: "/redfish/v1/Chassis/1/PowerSubsystem/PowerSupplies/PSU2", user: "admin", pass: "s3cret"}
	resp, _ := do(t, nil, srv.URL, auth)
	etag := resp.Header.Get("ETag")
	auth.header = map[string]string{"If-None-Match": etag}
	if resp, _ := do(t, nil, srv.URL, auth); resp.StatusCode != http.StatusNotModified {
		t.Errorf("unchanged: %s, want 304", resp.Status)
	}
	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.PSUFail, Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	resp, doc := do(t, nil, srv.URL, auth)
	if resp.StatusCode != 200 || doc["Status"].(map[string]any)["Health"] != "Critical" || resp.Header.Get("ETag") == etag {
		t.Errorf("after a fault: %s %v, ETag %q", resp.Status, doc["Status"], resp.Header.Get("ETag"))
	}
}

func TestGeneratedTree(t *testing.T) {
	_, srv := plain(t, redfishsim.Options{})
	_, psu := do(t, nil, srv.URL, call{path: "/redfish/v1/Chassis/1/PowerSubsystem/PowerSupplies/PSU1", user: "admin", pass: "s3cret"})
	if got := psu["Links"].(map[string]any)["Outlet"].(map[string]any)["@odata.id"]; got != "https://127.0.1.21/redfish/v1/PowerEquipment/RackPDUs/pdu-a/Outlets/7" {
		t.Errorf("outlet %v", got)
	}
	_, port := do(t, nil, srv.URL, call{path: "/redfish/v1/Chassis/1/NetworkAdapters/NIC1/Ports/eth0", user: "admin", pass: "s3cret"})
	lldp := port["Ethernet"].(map[string]any)["LLDPReceive"].(map[string]any)
	if lldp["SystemName"] != "sw" || lldp["PortId"] != "Ethernet7" {
		t.Errorf("LLDP %v", lldp)
	}
	_, legacy := func() (*http.Response, map[string]any) {
		sim, err := redfishsim.FromDevice(loadInv(t), "srv", redfishsim.Options{Schema: redfishsim.Legacy})
		if err != nil {
			t.Fatal(err)
		}
		s := httptest.NewServer(sim.Handler())
		defer s.Close()
		return do(t, nil, s.URL, call{path: "/redfish/v1/Chassis/1/Power", user: "admin", pass: "s3cret"})
	}()
	if n := len(legacy["PowerSupplies"].([]any)); n != 2 {
		t.Errorf("legacy Power has %d PSUs", n)
	}
	if _, err := redfishsim.FromDevice(loadInv(t), "nope", redfishsim.Options{}); err == nil {
		t.Error("no error for an unknown device")
	}
}

func TestAdminHandler(t *testing.T) {
	sim, _ := plain(t, redfishsim.Options{})
	admin := httptest.NewServer(sim.AdminHandler())
	defer admin.Close()
	post := func(body string) int {
		resp, err := http.Post(admin.URL+"/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for body, want := range map[string]int{
		`{"fault":"psu-fail","part":"PSU2"}`:  201,
		`{"fault":"hot-inlet","value":40}`:    201,
		`{"fault":"melt"}`:                    400,
		`{"fault":"psu-fail","part":"PSU9"}`:  422,
		`{"fault":"psu-fail","colour":"red"}`: 400,
		`not json`:                            400,
	} {
		if got := post(body); got != want {
			t.Errorf("POST %s: %d, want %d", body, got, want)
		}
	}
	if got := sim.ActiveFaults(); len(got) != 2 {
		t.Errorf("faults %v", got)
	}
	req, _ := http.NewRequest(http.MethodDelete, admin.URL+"/faults?fault=hot-inlet", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("DELETE: %v %v", resp, err)
	}
	if got := sim.ActiveFaults(); len(got) != 1 || got[0].Fault != redfishsim.PSUFail {
		t.Errorf("after clearing hot-inlet: %v", got)
	}
	resp, err := http.Get(admin.URL + "/stats")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /stats: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestFleet(t *testing.T) {
	inv := loadInv(t)
	fleet, err := redfishsim.StartInventory(inv, nil, redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	if ids := fleet.IDs(); len(ids) != 2 || ids[0] != "srv" || ids[1] != "srv2" {
		t.Fatalf("ids %v", ids)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fleet.CA().Pool()}, ForceAttemptHTTP2: true}}
	for _, id := range fleet.IDs() {
		resp, doc := do(t, c, fleet.URL(id), call{path: "/redfish/v1/Systems/1", user: "admin", pass: "s3cret"})
		if resp.StatusCode != 200 || doc["Name"] != id || resp.Proto != "HTTP/2.0" {
			t.Errorf("%s: %s %s %v", id, resp.Status, resp.Proto, doc["Name"])
		}
	}
	if st := fleet.Sim("srv").Stats(); st.Handshakes != 1 || st.Requests != 1 {
		t.Errorf("stats %+v", st)
	}
	// Faults by device over the fleet's admin API.
	admin := httptest.NewServer(fleet.AdminHandler())
	defer admin.Close()
	resp, err := http.Post(admin.URL+"/devices/srv/faults", "application/json", bytes.NewBufferString(`{"fault":"link-down","part":"eth0"}`))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("inject: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp, _ := http.Post(admin.URL+"/devices/nope/faults", "application/json", strings.NewReader(`{}`)); resp.StatusCode != 404 {
		t.Errorf("unknown device: %s", resp.Status)
	}
	if err := fleet.Inject("srv2", redfishsim.Fault{Fault: redfishsim.HTTP500}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, c, fleet.URL("srv2"), call{path: "/redfish/v1/Systems/1", user: "admin", pass: "s3cret"}); resp.StatusCode != 500 {
		t.Errorf("srv2 with http-500: %s", resp.Status)
	}
	_, port := do(t, c, fleet.URL("srv"), call{path: "/redfish/v1/Chassis/1/NetworkAdapters/NIC1/Ports/eth0", user: "admin", pass: "s3cret"})
	if port["LinkStatus"] != "LinkDown" {
		t.Errorf("eth0 after link-down: %v", port["LinkStatus"])
	}
	// Loopback only.
	sim, _ := redfishsim.FromDevice(inv, "srv", redfishsim.Options{ID: "elsewhere"})
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:8443", "localhost:0", "[::]:0"} {
		if _, err := fleet.Start(sim, addr); err == nil || !strings.Contains(err.Error(), "loopback") && !strings.Contains(err.Error(), "address") {
			t.Errorf("Start(%s): %v, want a refusal", addr, err)
		}
	}
}

func TestHTTP1Only(t *testing.T) {
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	sim, _ := redfishsim.FromDevice(loadInv(t), "srv", redfishsim.Options{HTTP1Only: true})
	u, _ := fleet.Start(sim, "127.0.0.1:0")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fleet.CA().Pool()}, ForceAttemptHTTP2: true}}
	if resp, _ := do(t, c, u, call{path: "/redfish/v1/"}); resp.Proto != "HTTP/1.1" {
		t.Errorf("protocol %s, want HTTP/1.1", resp.Proto)
	}
}

// TestHangAndClose: a hung request is released when the fleet closes, and
// latency is applied.
func TestHangAndClose(t *testing.T) {
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sim, _ := redfishsim.FromDevice(loadInv(t), "srv", redfishsim.Options{Latency: 50 * time.Millisecond})
	u, _ := fleet.Start(sim, "127.0.0.1:0")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fleet.CA().Pool()}}}
	start := time.Now()
	do(t, c, u, call{path: "/redfish/v1/"})
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("50ms latency answered in %v", took)
	}
	_ = sim.Inject(redfishsim.Fault{Fault: redfishsim.Hang})
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(u + "/redfish/v1/")
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start = time.Now()
	if err := fleet.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Error("a hung request succeeded")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("closing with a hung request took %v", took)
	}
}

func TestMockupLookup(t *testing.T) {
	dir := t.TempDir()
	write := func(path, body string) {
		p := filepath.Join(dir, filepath.FromSlash(path), "index.json")
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".", `{"@odata.id": "/redfish/v1/", "ProtocolFeaturesSupported": {"SelectQuery": true}}`)
	write("Systems/1/bios", `{"@odata.id": "/redfish/v1/systems/1/bios/", "Id": "bios", "Link": {"@odata.id": "https://pdu.example/redfish/v1/x"}}`)
	sim, err := redfishsim.FromMockup(dir, redfishsim.Options{Hosts: map[string]string{"pdu.example": "https://127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	for _, p := range []string{"/redfish/v1/Systems/1/bios", "/redfish/v1/systems/1/bios/", "/redfish/v1//Systems/1/bios"} {
		resp, doc := do(t, nil, srv.URL, call{path: p, user: "any", pass: "any"})
		if resp.StatusCode != 200 || doc["Link"].(map[string]any)["@odata.id"] != "https://127.0.0.1:1/redfish/v1/x" {
			t.Errorf("%s: %s %v", p, resp.Status, doc)
		}
	}
	if err := sim.Inject(redfishsim.Fault{Fault: redfishsim.PSUFail, Part: "1"}); err == nil {
		t.Error("a hardware fault on a mockup was accepted")
	}
	if _, err := redfishsim.FromMockup(t.TempDir(), redfishsim.Options{}); err == nil {
		t.Error("an empty directory is not a mockup")
	}
}

func TestCASaveAndLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	ca, err := redfishsim.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := redfishsim.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca.PEM(), again.PEM()) {
		t.Fatal("a reloaded CA is another CA")
	}
	if fi, err := os.Stat(filepath.Join(dir, "lab-ca-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi, err)
	}
	// A leaf signed by the reloaded CA verifies against the first one's pool.
	fleet, err := redfishsim.NewFleet(again, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	sim, _ := redfishsim.FromDevice(loadInv(t), "srv", redfishsim.Options{})
	u, _ := fleet.Start(sim, "127.0.0.1:0")
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	if resp, _ := do(t, c, u, call{path: "/redfish/v1/"}); resp.StatusCode != 200 {
		t.Errorf("GET via the saved CA: %s", resp.Status)
	}
	if err := os.WriteFile(filepath.Join(dir, "lab-ca.pem"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := redfishsim.LoadOrCreateCA(dir); err == nil {
		t.Error("a damaged CA file was accepted")
	}
}
