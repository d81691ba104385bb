package lab

import (
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
)

func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestAdminRoutesFaultsToTheRightSimulator(t *testing.T) {
	t.Setenv("LAB_C", "c")
	t.Setenv("LAB_P", "p")
	src := fmt.Sprintf(`version: 1
sites: [{id: s}]
racks: [{id: r, site: s}]
power: [{id: p, kind: pdu, rack: r}]
devices:
  - id: sw
    kind: switch
    rack: r
    psus: [{id: PSU1, pdu: p}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:LAB_C}"}}
  - id: srv
    kind: server
    rack: r
    psus: [{id: PSU1, pdu: p}, {id: PSU2, pdu: p}]
    management: {redfish: {endpoint: "https://127.0.0.1:%d", username: u, password: "${env:LAB_P}"}}
`, freePort(t, "udp"), freePort(t, "tcp"))
	path := filepath.Join(t.TempDir(), "inv.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := len(l.Devices()); got != 2 {
		t.Fatalf("%d simulated devices, want 2", got)
	}
	h := l.Handler()
	cases := []struct {
		method, path, body string
		code               int
		want               string
	}{
		{"GET", "/devices", "", 200, `"protocol":"redfish"`},
		{"POST", "/devices/sw/faults", `{"fault":"psu-fail","part":"PSU1"}`, 204, ""},
		{"POST", "/devices/srv/faults", `{"fault":"drive-predict","part":"nope/0"}`, 422, "no such part"},
		{"POST", "/devices/srv/faults", `{"fault":"psu-fail","part":"PSU2"}`, 204, ""},
		{"POST", "/devices/srv/faults", `{"fault":"hot-inlet","value":"warm"}`, 422, "not a number"},
		{"POST", "/devices/sw/faults", `{"fault":"drive-fail"}`, 422, "does not know fault"},
		{"POST", "/devices/ghost/faults", `{"fault":"psu-fail"}`, 422, "no simulated device"},
		{"POST", "/devices/sw/faults", `{"fault":`, 400, "bad fault"},
		{"DELETE", "/devices/srv/faults", "", 204, ""},
		{"DELETE", "/devices/ghost/faults", "", 404, "no simulated device"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader(c.body)))
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s %s %s: %d %s; want %d %q", c.method, c.path, c.body, rec.Code, rec.Body.String(), c.code, c.want)
		}
	}
	if l.RootCAs() == nil {
		t.Error("no CA pool for the Redfish collector")
	}
}

// A PDU managed over Redfish is simulated (FromPowerNode) and takes the
// PDU faults.
func TestLabSimulatesRedfishPDUs(t *testing.T) {
	t.Setenv("LAB_P", "p")
	src := fmt.Sprintf(`version: 1
sites: [{id: s}]
racks: [{id: r, site: s}]
power:
  - id: pdu-a
    kind: pdu
    rack: r
    management: {redfish: {endpoint: "https://127.0.0.1:%d", username: u, password: "${env:LAB_P}"}}
devices:
  - {id: srv, kind: server, rack: r, draw_w: 400, psus: [{id: PSU1, pdu: pdu-a, outlet: A3}]}
`, freePort(t, "tcp"))
	path := filepath.Join(t.TempDir(), "inv.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Start(inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if d := l.Devices(); len(d) != 1 || d[0].ID != "pdu-a" || d[0].Protocol != "redfish" {
		t.Fatalf("simulated devices %+v, want pdu-a over redfish", d)
	}
	for _, c := range []struct {
		f    Fault
		want string // "" for success
	}{
		{Fault{Kind: "outlet-off", Part: "A3"}, ""},
		{Fault{Kind: "breaker-trip", Part: "A"}, ""},
		{Fault{Kind: "load-set", Value: "3200"}, ""},
		{Fault{Kind: "outlet-off", Part: "A4"}, "no such part"},
		{Fault{Kind: "psu-fail", Part: "PSU1"}, "for a PDU"},
	} {
		err := l.Inject("pdu-a", c.f)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
	if err := l.Clear("pdu-a"); err != nil {
		t.Error(err)
	}
}
