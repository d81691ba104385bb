package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/sitebus/jsserver"
)

// sitesFlags are `faultline lab`'s multi-site mode: a generated estate
// of N sites, a JetStream server, and the commands of one collector per
// site and an auditor.
type sitesFlags struct {
	sites, racks, servers int
	natsListen            string
}

func (s *sitesFlags) add(fs *flag.FlagSet) {
	fs.IntVar(&s.sites, "sites", 0, "multi-site mode: generate an estate of `N` sites (DIR/lab-sites.yaml, DIR from --ca-dir) instead of reading -i, to feed one collector per site")
	fs.IntVar(&s.racks, "racks", 2, "with --sites: racks per site")
	fs.IntVar(&s.servers, "servers", 2, "with --sites: servers per rack")
	fs.StringVar(&s.natsListen, "nats-listen", "127.0.0.1:4222", "with --sites: run a NATS server with JetStream on this loopback `ADDR` (\"\": none, bring your own)")
}

// writeInventory writes the estate and returns its path.
func (s *sitesFlags) writeInventory(dir string) (string, error) {
	path := filepath.Join(dir, "lab-sites.yaml")
	return path, lab.WriteSites(path, lab.SitesSpec{Sites: s.sites, RacksPerSite: s.racks, ServersPerRack: s.servers})
}

// start runs the JetStream server (unless told not to) and prints how to
// run the collectors and an auditor against it.
func (s *sitesFlags) start(w io.Writer, inv, dir string) (func(), error) {
	url := "nats://" + s.natsListen
	stop := func() {}
	if s.natsListen != "" {
		ns, err := jsserver.Start(filepath.Join(dir, "lab-jetstream"), s.natsListen)
		if err != nil {
			return nil, fmt.Errorf("lab: NATS server: %w", err)
		}
		url = ns.ClientURL()
		stop = ns.Shutdown
		fmt.Fprintf(w, "NATS with JetStream on %s (streams in %s)\n", url, filepath.Join(dir, "lab-jetstream"))
	} else {
		url = "nats://127.0.0.1:4222"
	}
	ca := filepath.Join(dir, "lab-ca.pem")
	fmt.Fprintf(w, "one collector per site:\n")
	for i := range s.sites {
		fmt.Fprintf(w, "  faultline serve -i %s --ca %s --nats %s --collect-only --site %s --listen 127.0.0.1:%d --interval 30s\n", inv, ca, url, lab.SiteID(i), 8091+i)
	}
	fmt.Fprintf(w, "and an auditor (several may run):\n  faultline serve -i %s --nats %s --listen 127.0.0.1:8080 --interval 30s\n", inv, url)
	return stop, nil
}
