package redfish

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
)

// The links a hostile BMC serves to send the collector, with its
// credentials, to another host. Each must resolve off the origin, or to a
// path on the BMC itself — never to another host.
func TestResolveStaysOnOrigin(t *testing.T) {
	tests := []struct {
		endpoint, ref string
		wantURL       string // "" when refused
	}{
		// The tricks of the hostile-devices issue.
		{"http://127.0.0.1:8000", "@127.0.9.99:8000/redfish/v1/Systems/at", ""},
		{"http://127.0.9.5", "9/redfish/v1/Systems/x", "http://127.0.9.5/9/redfish/v1/Systems/x"},
		{"https://127.0.0.1:8443", "@127.0.9.99:8443/redfish/v1/SessionService/Sessions", ""},
		{"https://127.0.0.1", "//127.0.9.99/redfish/v1/Systems/1", ""},
		{"https://127.0.0.1", "https://127.0.9.99/redfish/v1/Systems/1", ""},
		{"https://127.0.0.1", "http://127.0.0.1/redfish/v1/Systems/1", ""},         // another scheme
		{"https://127.0.0.1", "https://127.0.0.1:8443/redfish/v1/Systems/1", ""},   // another port
		{"https://127.0.0.1", "https://user:pw@127.0.9.99/redfish/v1/Systems", ""}, // userinfo and another host
		{"https://127.0.0.1", "https:127.0.9.99/x", ""},                            // opaque: no host at all
		{"https://127.0.0.1", "\\\\127.0.9.99\\x", "https://127.0.0.1/%5C%5C127.0.9.99%5Cx"},
		{"https://127.0.0.1", " /redfish/v1/Systems/1", "https://127.0.0.1/%20/redfish/v1/Systems/1"}, // odd, but at home
		// Links the collector follows.
		{"https://127.0.0.1", "/redfish/v1/Systems/1", "https://127.0.0.1/redfish/v1/Systems/1"},
		{"https://127.0.0.1:443", "https://127.0.0.1/redfish/v1/Systems/1", "https://127.0.0.1:443/redfish/v1/Systems/1"},
		{"https://BMC.example", "https://bmc.EXAMPLE:443/redfish/v1/", "https://BMC.example/redfish/v1/"},
		{"https://127.0.0.1", "https://user@127.0.0.1/redfish/v1/x", "https://127.0.0.1/redfish/v1/x"}, // userinfo never sent
		{"https://127.0.0.1", "/redfish/v1/../../etc", "https://127.0.0.1/etc"},
		{"https://127.0.0.1", "/redfish/v1/Systems?$expand=.($levels=1)", "https://127.0.0.1/redfish/v1/Systems?$expand=.($levels=1)"},
	}
	for _, tc := range tests {
		base, err := url.Parse(tc.endpoint)
		if err != nil {
			t.Fatal(err)
		}
		got, err := requestURL(base, tc.ref)
		switch {
		case tc.wantURL == "" && err == nil:
			t.Errorf("%s + %q = %s; want it refused", tc.endpoint, tc.ref, got)
		case tc.wantURL == "" && !errors.Is(err, errOffOrigin):
			t.Errorf("%s + %q: error %v; want one wrapping errOffOrigin", tc.endpoint, tc.ref, err)
		case tc.wantURL != "" && err != nil:
			t.Errorf("%s + %q: %v; want %s", tc.endpoint, tc.ref, err, tc.wantURL)
		case tc.wantURL != "" && got != tc.wantURL:
			t.Errorf("%s + %q = %s; want %s", tc.endpoint, tc.ref, got, tc.wantURL)
		}
		// canonicalRef, which every walk goes through, agrees.
		if _, foreign := canonicalRef(base, tc.ref); foreign != (tc.wantURL == "") {
			t.Errorf("canonicalRef(%s, %q): foreign = %v; want %v", tc.endpoint, tc.ref, foreign, tc.wantURL == "")
		}
	}
}

func TestCheckRedirect(t *testing.T) {
	req := func(s string) *http.Request {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Request{URL: u}
	}
	first := []*http.Request{req("https://127.0.0.1/redfish/v1/Systems")}
	if err := checkRedirect(req("https://127.0.0.1:443/redfish/v1/Systems/"), first); err != nil {
		t.Errorf("a redirect on the origin: %v", err)
	}
	for _, to := range []string{"https://127.0.9.99/redfish/v1/Systems", "http://127.0.0.1/redfish/v1/Systems", "https://127.0.0.1:8443/x"} {
		if err := checkRedirect(req(to), first); !errors.Is(err, errOffOrigin) {
			t.Errorf("redirect to %s: %v; want it refused", to, err)
		}
	}
	var via []*http.Request
	for range maxRedirects + 1 {
		via = append(via, first[0])
	}
	if err := checkRedirect(req("https://127.0.0.1/x"), via); !errors.Is(err, errRedirects) {
		t.Errorf("redirect %d: %v; want errRedirects", len(via), err)
	}
}
