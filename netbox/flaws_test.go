package netbox

import (
	"strings"
	"testing"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// TestEstateFlaws: the imported estate, with the hand-kept file, validates,
// and the audit names every wiring flaw of the recorded estate that the
// fault model can see, by the NetBox names.
func TestEstateFlaws(t *testing.T) {
	corpus(t, "netbox-estate") // skips without the recordings
	inv, err := inventory.LoadFiles([]string{"testdata/estate-handkept.yaml", "testdata/netbox-estate.golden.yaml"}, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, findings := audit.Audit(g, audit.Options{})
	has := func(rule, subject string, words ...string) bool {
		for _, f := range findings {
			if f.Rule != rule || f.Subject != subject {
				continue
			}
			text := f.Message + " " + strings.Join(f.Causes, " ") + " " + strings.Join(f.Evidence, " ")
			ok := true
			for _, w := range words {
				ok = ok && strings.Contains(text, w)
			}
			if ok {
				return true
			}
		}
		return false
	}
	flaws := []struct {
		name, rule, subject string
		words               []string
	}{
		{"1: ncsu-app05's PSUs both on ncsu-r203-pdu-a", "device-spof", "ncsu-app05", []string{"ncsu-r203-pdu-a"}},
		{"2: ncsu-r204-tor1 on ncsu-r204-pdu-a only", "device-spof", "ncsu-r204-tor1", []string{"ncsu-r204-pdu-a", "P1-12A"}},
		{"2: ncsu-r204-tor2 on ncsu-r204-pdu-a only", "device-spof", "ncsu-r204-tor2", []string{"ncsu-r204-pdu-a", "P1-12A"}},
		{"3: ncsu-app09's NICs both on ncsu-r205-tor1", "device-spof", "ncsu-app09", []string{"ncsu-r205-tor1"}},
		{"4: feed P2-6B failed under ncsu-r106-pdu-b", "power-unknown", "ncsu-web02", []string{"ncsu-r106-pdu-b", "P2-6B (supply off)"}},
		{"5: ncsu-app10's PSU2 marked connected, no cable", "power-unknown", "ncsu-app10", []string{"ncsu-app10/PSU2"}},
		{"6: ncsu-kvm03's PSU2 cable planned", "power-unknown", "ncsu-kvm03", []string{"ncsu-kvm03/PSU2"}},
		{"7: ncsu-stor01's PSU2 and PSU3 uncabled", "power-unknown", "ncsu-stor01", []string{"ncsu-stor01/PSU2", "ncsu-stor01/PSU3"}},
	}
	for _, fl := range flaws {
		if !has(fl.rule, fl.subject, fl.words...) {
			t.Errorf("flaw %s: no %s finding about %s naming %v", fl.name, fl.rule, fl.subject, fl.words)
		}
	}
	if t.Failed() {
		for _, f := range findings {
			t.Logf("%s: %s %v", f.ID, f.Message, f.Evidence)
		}
	}
}
