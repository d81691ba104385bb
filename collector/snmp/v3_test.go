package snmp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/snmpsim"
)

// v3Target is a target for an SNMPv3 user, passwords in ${file:..} secrets.
func v3Target(t testing.TB, addr, auth, authPass, priv, privPass string) collector.Target {
	t.Helper()
	dir := t.TempDir()
	for name, v := range map[string]string{"auth": authPass, "priv": privPass} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := &inventory.SNMP{Address: addr, Version: "3", Username: "audit", AuthProtocol: auth, PrivProtocol: priv}
	if auth != "" {
		s.AuthPassword = "${file:auth}"
	}
	if priv != "" {
		s.PrivPassword = "${file:priv}"
	}
	return collector.Target{ID: "sw", Kind: "switch", Dir: dir, Management: &inventory.Management{SNMP: s}}
}

// TestV3 reads a simulated switch over SNMPv3 at every security level and
// with every auth and priv protocol, and checks that a wrong password is a
// clear error that does not contain it.
func TestV3(t *testing.T) {
	inv := demo(t)
	tab, err := snmpsim.FromInventory(inv, "core-1", snmpsim.GenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type combo struct{ auth, priv string }
	combos := []combo{{"", ""}, {"MD5", ""}, {"SHA224", ""}, {"SHA384", ""}, {"SHA512", "DES"},
		{"SHA", "AES"}, {"SHA256", "AES192"}, {"SHA256", "AES256"}, {"SHA", "AES192C"}, {"SHA512", "AES256C"}}
	for _, c := range combos {
		t.Run(c.auth+"-"+c.priv, func(t *testing.T) {
			a := startAgent(t, tab, snmpsim.Options{Users: []snmpsim.User{{Name: "audit", Auth: c.auth, AuthPass: "authpassword1", Priv: c.priv, PrivPass: "privpassword1"}}})
			d := pollOnce(t, New(Options{}), v3Target(t, a.Addr(), c.auth, "authpassword1", c.priv, "privpassword1"), 5*time.Second)
			if d.Error != "" || len(d.PSUs) != 2 || len(d.Ports) != 48 {
				t.Fatalf("error %q, %d PSUs, %d ports", d.Error, len(d.PSUs), len(d.Ports))
			}
			if c.auth == "" {
				return
			}
			d = pollOnce(t, New(Options{}), v3Target(t, a.Addr(), c.auth, "not-the-password", c.priv, "privpassword1"), 2*time.Second)
			if !strings.Contains(d.Error, "authentication failed") || strings.Contains(d.Error, "not-the-password") {
				t.Errorf("wrong auth password: error %q", d.Error)
			}
		})
	}
}
