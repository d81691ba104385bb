package netbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/netbox/nbsim"
)

// tinyNetBox is a NetBox with two sites, paged one object a page.
func tinyNetBox(t *testing.T) (*nbsim.Server, *httptest.Server) {
	objs := map[string][]json.RawMessage{
		"dcim/sites": {json.RawMessage(`{"id":1,"name":"A","slug":"a","url":"http://netbox.example.test/api/dcim/sites/1/"}`),
			json.RawMessage(`{"id":2,"name":"B","slug":"b"}`)},
	}
	return newFakeNetBox(t, objs, 1)
}

func listSites(t *testing.T, c *Client) ([]Site, error) {
	t.Helper()
	var sites []Site
	err := c.List(context.Background(), "dcim/sites", nil, into(&sites))
	return sites, err
}

func TestListFollowsNextOnce(t *testing.T) {
	f, srv := tinyNetBox(t)
	c, err := New(Options{URL: srv.URL, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	sites, err := listSites(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 2 || sites[1].Slug != "b" {
		t.Fatalf("sites %+v", sites)
	}
	if got := f.Requests(); got != 2 {
		t.Errorf("%d requests for 2 pages", got)
	}
	if st := c.Stats(); st.Requests != 2 || st.Objects != 2 || st.Bytes == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestBadAnswers(t *testing.T) {
	const secret = "0123456789abcdef"
	cases := []struct {
		name string
		hook func(w http.ResponseWriter, r *http.Request) bool
		opts func(*Options)
		want []string
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"detail":"Authentication credentials were not provided."}`))
			return true
		}, nil, []string{"401 Unauthorized", "/api/dcim/sites/", "--token-file"}},
		{"403", func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusForbidden)
			return true
		}, nil, []string{"403 Forbidden", "read permission"}},
		{"404", func(w http.ResponseWriter, r *http.Request) bool {
			http.NotFound(w, r)
			return true
		}, nil, []string{"404 Not Found", "base URL"}},
		{"an HTML login page", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!DOCTYPE html><html><title>Log in | NetBox</title></html>"))
			return true
		}, nil, []string{"an HTML page", "login"}},
		{"a redirect to the login page", func(w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, "/login/?next=/api/dcim/sites/", http.StatusFound)
			return true
		}, nil, []string{"302 Found", "/login/", "a login page?"}},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"count": 2, "results": [`))
			return true
		}, nil, []string{"malformed JSON"}},
		{"not a list", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"hello": "world"}`))
			return true
		}, nil, []string{"not a NetBox list"}},
		{"a looping next", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"count": 3, "next": "http://` + r.Host + `/api/dcim/sites/?limit=1000&offset=0", "results": [{"id": 1}]}`))
			return true
		}, nil, []string{"a loop"}},
		{"an off-origin next", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"count": 3, "next": "http://127.0.0.2:1/api/dcim/sites/?offset=1", "results": [{"id": 1}]}`))
			return true
		}, nil, []string{"leaves the NetBox's origin", "127.0.0.2:1", "never sent elsewhere"}},
		{"another port is another origin", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			host, _, _ := strings.Cut(r.Host, ":")
			w.Write([]byte(`{"count": 3, "next": "http://` + host + `:1/api/dcim/sites/?offset=1", "results": [{"id": 1}]}`))
			return true
		}, nil, []string{"leaves the NetBox's origin"}},
		{"the object budget", nil, func(o *Options) { o.MaxObjects = 1 }, []string{"object budget (1)", "--max-objects"}},
		{"the request budget", nil, func(o *Options) { o.MaxRequests = 1 }, []string{"request budget (1)", "--max-requests"}},
		{"the byte budget", nil, func(o *Options) { o.MaxBytes = 20 }, []string{"byte budget (20)", "--max-bytes"}},
		{"a deadline", func(w http.ResponseWriter, r *http.Request) bool {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return true
		}, func(o *Options) { o.RequestTimeout = 100 * time.Millisecond }, []string{"no answer", "reachable"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := tinyNetBox(t)
			f.Hook(tc.hook)
			o := Options{URL: srv.URL, Token: secret}
			if tc.opts != nil {
				tc.opts(&o)
			}
			c, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = listSites(t, c)
			if err == nil {
				t.Fatal("no error")
			}
			var nerr *Error
			if !errors.As(err, &nerr) {
				t.Errorf("not a netbox.Error: %T %v", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the token is in the error: %v", err)
			}
			if !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("the error does not name the URL: %v", err)
			}
		})
	}
}

func TestTokenHeaderAndGETOnly(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"netbox-version":"4.2.2"}`))
	}))
	defer srv.Close()
	for _, tok := range []string{"abc123", "nbt_abc.def"} {
		c, err := New(Options{URL: srv.URL + "/", Token: tok})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Status(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"GET Token abc123", "GET Bearer nbt_abc.def"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("requests %v, want %v", got, want)
	}
}

func TestNewRejects(t *testing.T) {
	for _, u := range []string{"", "netbox.example.com", "ftp://x", "https://user:pw@netbox.example.com", "https://x/?a=b"} {
		if _, err := New(Options{URL: u}); err == nil {
			t.Errorf("URL %q accepted", u)
		} else if strings.Contains(err.Error(), "pw@") {
			t.Errorf("credentials echoed: %v", err)
		}
	}
	if _, err := New(Options{URL: "https://x", Token: "a\nb"}); err == nil {
		t.Error("a token with a line break accepted")
	}
}

// TestNetBox3Role: a NetBox 3.x device names its role device_role; it is
// read as the role.
func TestNetBox3Role(t *testing.T) {
	name := "sw1"
	d := &Data{URL: "http://netbox.example.test", Version: "3.7.8",
		Sites:      []Site{{ID: 1, Name: "S", Slug: "s"}},
		Racks:      []Rack{{ID: 1, Name: "R1", Site: &Ref{ID: 1, Slug: "s"}}},
		Devices:    []Device{{ID: 7, Name: &name, DeviceRole: &Ref{Slug: "core-switch"}, Rack: &Ref{ID: 1}, Site: &Ref{ID: 1, Slug: "s"}}},
		PowerPorts: []PowerPort{{ID: 3, Name: "PSU1", Device: &Ref{ID: 7, Name: name}}},
	}
	res, err := Map(d, &Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.File), "kind: switch") {
		t.Errorf("device_role not read:\n%s", res.File)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, name := range []string{"R203", "Panel 1", "PP:B117", "a_b", "Ünïcode ✓", "-lead", "", "x_41"} {
		id := Escape(name)
		back, ok := Unescape(id)
		if !ok || back != name {
			t.Errorf("%q -> %q -> %q (%v)", name, id, back, ok)
		}
		if !isAlnum(id[0]) {
			t.Errorf("id %q does not start with a letter or digit", id)
		}
	}
	if Escape("a b") == Escape("a_b") {
		t.Error("two names merged")
	}
}

func TestFeedCapacity(t *testing.T) {
	cases := []struct {
		f    PowerFeed
		want float64
	}{
		{PowerFeed{Voltage: 220, Amperage: 20, Phase: Choice{"single-phase"}}, 4400},
		{PowerFeed{Voltage: 400, Amperage: 32, Phase: Choice{"three-phase"}}, 22170},
		{PowerFeed{Voltage: -48, Amperage: 10, Phase: Choice{"single-phase"}}, 480},
	}
	for _, tc := range cases {
		if got := FeedCapacityW(&tc.f); got != tc.want {
			t.Errorf("%+v: %g, want %g", tc.f, got, tc.want)
		}
	}
}
