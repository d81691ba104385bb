package sitebus

import (
	"strings"
	"testing"
)

func TestEscapeKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sw-1", "sw-1"},
		{"rack/01_a", "rack/01_a"},
		{"db.1", "db=2E1"},
		{"a=b", "a=3Db"},
		{"", "="},
		{"café ü", "caf=C3=A9=20=C3=BC"},
		{"x*>", "x=2A=3E"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := EscapeKey(tc.in)
			if got != tc.want {
				t.Fatalf("EscapeKey(%q) = %q, want %q", tc.in, got, tc.want)
			}
			back, err := UnescapeKey(got)
			if err != nil || back != tc.in {
				t.Fatalf("UnescapeKey(%q) = %q, %v; want %q", got, back, err, tc.in)
			}
		})
	}
}

func TestUnescapeKeyRejects(t *testing.T) {
	for _, tok := range []string{"", "a=", "a=4", "a=zz", "a=2e", "a=41", "a.b", "a b", "=="} {
		if got, err := UnescapeKey(tok); err == nil {
			t.Errorf("UnescapeKey(%q) = %q, want an error", tok, got)
		}
	}
}

func TestObservationKey(t *testing.T) {
	cases := []struct {
		key  string
		want Key
	}{
		{ObservationKey("site-1", "pdu.a/1", "snmp"), Key{Site: "site-1", Device: "pdu.a/1", Source: "snmp"}},
		{ObservationKey("", "srv", "redfish"), Key{Device: "srv", Source: "redfish"}},
		{ObservationKey("dc.2", "x", "snmp"), Key{Site: "dc.2", Device: "x", Source: "snmp"}},
		{LegacyObservationKey("pdu.a/1", "snmp"), Key{Device: "pdu.a/1", Source: "snmp", Legacy: true}},
	}
	if cases[0].key != "site-1.pdu=2Ea/1.snmp" || cases[1].key != "=.srv.redfish" || cases[3].key != "pdu=2Ea/1.snmp" {
		t.Fatalf("keys %q %q %q", cases[0].key, cases[1].key, cases[3].key)
	}
	for _, tc := range cases {
		got, err := ParseObservationKey(tc.key)
		if err != nil || got != tc.want || got.String() != tc.key {
			t.Errorf("ParseObservationKey(%q) = %+v, %v; want %+v", tc.key, got, err, tc.want)
		}
	}
	for _, bad := range []string{"nodot", "a.b.c.d", ".snmp", "a.", "a=ZZ.snmp", "s.a=ZZ.snmp", "s=.a.snmp", "s..snmp"} {
		if _, err := ParseObservationKey(bad); err == nil {
			t.Errorf("ParseObservationKey(%q): no error", bad)
		}
	}
}

// FuzzParseObservationKey: any key read from the bucket either parses to
// a site, id and source that escape back to exactly that key, or is an
// error; and any id escapes to a valid key token.
func FuzzParseObservationKey(f *testing.F) {
	for _, s := range []string{"sw-1.snmp", "db=2E1.redfish", "=.=", "a=2e.b", "a..b", "x=C3=A9.snmp", "site-1.sw-1.snmp", "=.x.redfish", "a.b.c.d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if tok := EscapeKey(key); strings.Contains(tok, ".") || !keyValid(tok) {
			t.Fatalf("EscapeKey(%q) = %q: not a valid key token", key, tok)
		}
		k, err := ParseObservationKey(key)
		if err != nil {
			return
		}
		if back := k.String(); back != key {
			t.Fatalf("key %q parsed to %+v, which makes %q", key, k, back)
		}
	})
}

// keyValid is the key rule of nats.go's KV (validKeyRe and the dots).
func keyValid(k string) bool {
	if k == "" || k[0] == '.' || k[len(k)-1] == '.' || strings.Contains(k, "..") {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !keyByteOK(k[i]) && k[i] != '=' && k[i] != '.' {
			return false
		}
	}
	return true
}
