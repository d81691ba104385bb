package netbox

import (
	"context"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/netbox/nbsim"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// dialTo is a transport that sends every request to the test server (on
// 127.0.0.1) whatever the URL's host, so that the recorded answers'
// links (http://netbox.example.test) are the NetBox's own origin.
func dialTo(srv *httptest.Server) http.RoundTripper {
	addr := srv.Listener.Addr().String()
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// recordedServer serves the recorded answers unchanged, as
// http://netbox.example.test.
func recordedServer(t testing.TB, name string, maxPage int) (*nbsim.Server, *Client) {
	t.Helper()
	f, srv := newFakeNetBox(t, corpus(t, name), maxPage)
	c, err := New(Options{URL: recordedBase, Token: testToken, Transport: dialTo(srv)})
	if err != nil {
		t.Fatal(err)
	}
	// NetBox builds links from the Host it was asked for: the recorded
	// base, here, since the URL names it.
	return f, c
}

func readSource(t *testing.T, path string) inventory.Source {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return inventory.Source{Name: path, Data: data}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./netbox -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the import (go test ./netbox -update to accept):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n- " + al[i] + "\n+ " + bl[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestImportGolden(t *testing.T) {
	cases := []struct {
		corpus, config, handKept, golden string
		maxPage                          int
	}{
		{"netbox", "", "", "testdata/netbox.golden.yaml", 1000},
		{"netbox-estate", "testdata/estate-config.yaml", "testdata/estate-handkept.yaml", "testdata/netbox-estate.golden.yaml", 50},
	}
	for _, tc := range cases {
		t.Run(tc.corpus, func(t *testing.T) {
			f, c := recordedServer(t, tc.corpus, tc.maxPage)
			cfg := &Config{}
			if tc.config != "" {
				var err error
				if cfg, err = LoadConfig(tc.config); err != nil {
					t.Fatal(err)
				}
			}
			var hand []inventory.Source
			if tc.handKept != "" {
				hand = append(hand, readSource(t, tc.handKept))
			}
			res, err := Import(context.Background(), c, cfg, nil, filepath.Base(tc.golden), hand)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			golden(t, tc.golden, res.File)
			// Requests are the pages: Σ ⌈count / page size⌉, plus the status.
			want := 1
			counts := map[string]int{}
			for _, p := range []string{"dcim/sites", "dcim/locations", "dcim/racks", "dcim/power-panels", "dcim/power-feeds", "dcim/devices", "dcim/power-ports", "dcim/power-outlets", "dcim/interfaces", "dcim/cables", "ipam/services", "virtualization/clusters"} {
				counts[p] = len(f.Objects(p))
			}
			for _, p := range []string{"dcim/sites", "dcim/locations", "dcim/racks", "dcim/power-panels", "dcim/power-feeds", "dcim/devices", "dcim/power-ports", "dcim/power-outlets", "dcim/interfaces", "dcim/cables"} {
				want += max(1, (counts[p]+tc.maxPage-1)/tc.maxPage)
			}
			if cfg.Services.IPAM {
				want += max(1, (counts["ipam/services"]+tc.maxPage-1)/tc.maxPage)
			}
			if cfg.Services.Clusters {
				want += max(1, (counts["virtualization/clusters"]+tc.maxPage-1)/tc.maxPage)
			}
			if got := f.Requests(); got != want {
				t.Errorf("%d requests, want %d (the pages, each once)", got, want)
			}
			// A re-import with no change writes the same bytes.
			again, err := Import(context.Background(), c, cfg, nil, filepath.Base(tc.golden), hand)
			if err != nil || string(again.File) != string(res.File) {
				t.Errorf("a re-import differs (%v)", err)
			}
			// Every issue names its NetBox object.
			for _, is := range res.Report.Issues {
				if !strings.Contains(is.NetBox, "/") || is.Why == "" {
					t.Errorf("issue without identity or reason: %+v", is)
				}
			}
		})
	}
}

// TestImportOneSite: --site asks NetBox for one site's objects; what
// refers outside it (a far end not imported) is in the report, and the
// file still validates with the hand-kept part.
func TestImportOneSite(t *testing.T) {
	_, c := recordedServer(t, "netbox-estate", 50)
	cfg, err := LoadConfig("testdata/estate-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	hand := []inventory.Source{readSource(t, "testdata/estate-handkept.yaml")}
	res, err := Import(context.Background(), c, cfg, []string{"ncsu-065"}, "netbox.yaml", hand)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.ParseFiles(append(hand, inventory.Source{Name: "netbox.yaml", Data: res.File}), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Sites) != 1 || inv.Sites[0].ID != "ncsu-065" {
		t.Errorf("sites %v", inv.Sites)
	}
	for _, d := range inv.Devices {
		if inv.SiteOf(d.ID) != "ncsu-065" {
			t.Errorf("%s is at %s", d.ID, inv.SiteOf(d.ID))
		}
	}
	if inv.Device("ncsu-app05") == nil {
		t.Error("ncsu-app05 not imported")
	}
	// The distribution switches at the other NC State sites are the far
	// ends of the core's patch-panel links: reported, not dropped.
	found := false
	for _, is := range res.Report.Issues {
		found = found || strings.Contains(is.Why, "is not imported")
	}
	if !found {
		t.Error("no far end reported as not imported")
	}
}
