package redfish

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
)

// TestRememberedParts checks the part cache: a warm poll reuses parts on
// 304s (parsing nothing, keeping no JSON), and a 304 whose part is gone is
// read again in full rather than failing.
func TestRememberedParts(t *testing.T) {
	inv, err := inventory.Load(filepath.Join("testdata", "lab.yaml"), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fleet, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	sim, err := redfishsim.FromDevice(inv, "srv-1", redfishsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := fleet.Start(sim, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rf := *inv.Device("srv-1").Management.Redfish
	rf.Endpoint = u
	tg := collector.Target{ID: "srv-1", Management: &inventory.Management{Redfish: &rf}, Dir: inv.Dir()}
	p := New(Options{RootCAs: fleet.CA().Pool()})
	poll := func() int {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		obs := p.Poll(ctx, tg)
		if obs.Error != "" || len(obs.Drives) != 8 || len(obs.PSUs) != 2 || len(obs.Ports) != 4 {
			t.Fatalf("error %q, %d drives, %d PSUs, %d ports", obs.Error, len(obs.Drives), len(obs.PSUs), len(obs.Ports))
		}
		return obs.Requests
	}
	poll()
	poll()
	dev := p.device("srv-1", u)
	if len(dev.parts) != 3 || dev.cache.size != 0 {
		t.Errorf("after a warm poll: %d parts remembered, %d bytes of JSON kept", len(dev.parts), dev.cache.size)
	}
	delete(dev.parts, "/redfish/v1/Systems/1")
	if n := poll(); n != 4 {
		t.Errorf("a lost part cost %d requests, want 4 (the 304 and one full read)", n)
	}
	if n := poll(); n != 3 {
		t.Errorf("then %d requests, want 3", n)
	}
}
