package lab

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/collector/snmp"
	"github.com/faultline/faultline/inventory"
)

// TestSites: a generated multi-site inventory is valid, its simulators
// start, and every managed device answers its real protocol.
func TestSites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sites.yaml")
	spec := SitesSpec{Sites: 2, RacksPerSite: 1, ServersPerRack: 1, SNMPPort: freePort(t, "udp"), RedfishPort: freePort(t, "tcp")}
	if err := WriteSites(path, spec); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(inv.Sites); got != 2 {
		t.Fatalf("%d sites", got)
	}
	l, err := Start(inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// per site: 2 PDUs, 2 switches, 1 server
	if got := len(l.Devices()); got != 10 {
		t.Fatalf("%d simulated devices, want 10", got)
	}
	pollers := []collector.Poller{snmp.New(snmp.Options{RequestTimeout: time.Second}), redfish.New(redfish.Options{RootCAs: l.RootCAs()})}
	obs := collector.Run(context.Background(), collector.Targets(inv), pollers, collector.Options{Timeout: 10 * time.Second})
	for _, o := range obs {
		if o.Error != "" {
			t.Errorf("%s (%s): %s", o.ID, o.Source, o.Error)
		}
	}
	if len(obs) != 10 {
		t.Errorf("%d observations, want 10", len(obs))
	}
	for i := range 2 {
		if inv.SiteOf(SiteID(i)+"-r1-srv-1") != SiteID(i) {
			t.Errorf("server of %s is in %q", SiteID(i), inv.SiteOf(SiteID(i)+"-r1-srv-1"))
		}
	}
}
