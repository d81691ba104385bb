package lab

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// SitesSpec sizes a multi-site lab: the estate a set of site collectors
// (serve --collect-only --site ID) shares out, one collector per site.
// Each site has RacksPerSite racks; each rack an A and a B PDU and two
// top-of-rack switches, all SNMP, and ServersPerRack dual-corded,
// dual-homed servers with Redfish BMCs. Every managed device has its own
// loopback address, 127.S.R.D (site S from 1, rack R from 1, device D),
// on SNMPPort or RedfishPort.
type SitesSpec struct {
	Sites, RacksPerSite, ServersPerRack int
	SNMPPort, RedfishPort               int
}

// Defaults fills zero fields: 2 sites of 2 racks with 2 servers, ports 1161 and 8443.
func (s SitesSpec) Defaults() SitesSpec {
	if s.Sites <= 0 {
		s.Sites = 2
	}
	if s.RacksPerSite <= 0 {
		s.RacksPerSite = 2
	}
	if s.ServersPerRack <= 0 {
		s.ServersPerRack = 2
	}
	if s.SNMPPort <= 0 {
		s.SNMPPort = 1161
	}
	if s.RedfishPort <= 0 {
		s.RedfishPort = 8443
	}
	return s
}

// SiteID is the id of site i (from 0) in a multi-site lab.
func SiteID(i int) string { return fmt.Sprintf("site-%d", i+1) }

// Secret files a multi-site inventory refers to, beside it.
const (
	CommunityFile = "lab-snmp-community"
	PasswordFile  = "lab-bmc-password"
)

// WriteSites writes a multi-site inventory to path, and the SNMP
// community and BMC password it refers to (${file:...}, random, mode
// 0600) beside it, unless they exist.
func WriteSites(path string, spec SitesSpec) error {
	spec = spec.Defaults()
	if spec.Sites > 200 || spec.RacksPerSite > 250 || spec.ServersPerRack > 240 {
		return errors.New("lab: at most 200 sites of 250 racks of 240 servers (one loopback address each)")
	}
	dir := filepath.Dir(path)
	for _, name := range []string{CommunityFile, PasswordFile} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("lab: %w", err)
		}
		if err := os.WriteFile(p, []byte(hex.EncodeToString(b)+"\n"), 0o600); err != nil {
			return fmt.Errorf("lab: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	if err := writeSites(f, spec); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeSites(w io.Writer, s SitesSpec) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	snmp := func(site, rack, dev int) string {
		return fmt.Sprintf(`{snmp: {address: "127.%d.%d.%d:%d", community: "${file:%s}"}}`, site+1, rack+1, dev, s.SNMPPort, CommunityFile)
	}
	p("# A multi-site lab (faultline lab --sites %d): one site collector per site.", s.Sites)
	p("version: 1")
	p("sites:")
	for si := range s.Sites {
		p("  - {id: %s}", SiteID(si))
	}
	p("racks:")
	for si := range s.Sites {
		for ri := range s.RacksPerSite {
			p("  - {id: %s-r%d, site: %s}", SiteID(si), ri+1, SiteID(si))
		}
	}
	p("power:")
	for si := range s.Sites {
		site := SiteID(si)
		p("  - {id: %s-grid-a, kind: utility, site: %s}", site, site)
		p("  - {id: %s-grid-b, kind: utility, site: %s}", site, site)
		for ri := range s.RacksPerSite {
			for j, side := range []string{"a", "b"} {
				p("  - {id: %s-r%d-pdu-%s, kind: pdu, rack: %s-r%d, inputs: [%s-grid-%s], capacity_w: 7400, outlets: 24, management: %s}",
					site, ri+1, side, site, ri+1, site, side, snmp(si, ri, 1+j))
			}
		}
	}
	p("devices:")
	var links, roots []string
	for si := range s.Sites {
		site := SiteID(si)
		for ri := range s.RacksPerSite {
			rack := fmt.Sprintf("%s-r%d", site, ri+1)
			for j, side := range []string{"a", "b"} {
				tor := fmt.Sprintf("%s-tor-%s", rack, side)
				p("  - {id: %s, kind: switch, rack: %s, psus: [{id: PSU1, pdu: %s-pdu-a}, {id: PSU2, pdu: %s-pdu-b}], management: %s}",
					tor, rack, rack, rack, snmp(si, ri, 11+j))
				roots = append(roots, tor)
			}
			links = append(links, fmt.Sprintf(`  - {a: "%s-tor-a:Ethernet48", b: "%s-tor-b:Ethernet48"}`, rack, rack))
			for k := range s.ServersPerRack {
				srv := fmt.Sprintf("%s-srv-%d", rack, k+1)
				p("  - id: %s", srv)
				p("    kind: server")
				p("    rack: %s", rack)
				p("    psus: [{id: PSU1, pdu: %s-pdu-a}, {id: PSU2, pdu: %s-pdu-b}]", rack, rack)
				p(`    management: {redfish: {endpoint: "https://127.%d.%d.%d:%d", username: admin, password: "${file:%s}"}}`, si+1, ri+1, 21+k, s.RedfishPort, PasswordFile)
				for n, side := range []string{"a", "b"} {
					links = append(links, fmt.Sprintf(`  - {a: "%s:eno%d", b: "%s-tor-%s:Ethernet%d"}`, srv, n+1, rack, side, k+1))
				}
			}
		}
	}
	p("links:")
	for _, l := range links {
		p("%s", l)
	}
	p("network:")
	p("  roots: [%s]", strings.Join(roots, ", "))
	p("services:")
	for si := range s.Sites {
		site := SiteID(si)
		var members []string
		for ri := range s.RacksPerSite {
			for k := range s.ServersPerRack {
				members = append(members, fmt.Sprintf("%s-r%d-srv-%d", site, ri+1, k+1))
			}
		}
		p("  - {id: %s-app, members: [%s]}", site, strings.Join(members, ", "))
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	return nil
}
