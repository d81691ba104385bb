package model

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// Outlets are matched exactly, as the PDU names them: a declared "A4" is
// the outlet whose id is A4 (never B4, never the fourth); a declared
// number is the outlet with that id, else the one at that index (SNMP
// tables index outlets from 1).

// outletLink checks a PSU's Redfish Links.Outlet against the declared
// outlet: another outlet id is drift, and so is an outlet on another host
// than the declared PDU's Redfish endpoint (when it has one): the cable is
// on another PDU.
func (o *observer) outletLink(device string, p inventory.PSU, id, uri string) {
	if p.Outlet == "" || uri == "" {
		return
	}
	got := outletOfURI(uri)
	if got == "" {
		return
	}
	declared := fmt.Sprintf("%s outlet %s", p.PDU, p.Outlet)
	if host := uriHost(uri); host != "" {
		if pdu := o.inv.PowerNode(p.PDU); pdu != nil && pdu.Management != nil && pdu.Management.Redfish != nil {
			if want := uriHost(pdu.Management.Redfish.Endpoint); want != "" && !strings.EqualFold(host, want) {
				o.fact(Fact{Kind: FactDrift, Device: device, Part: id, What: "outlet",
					Declared: declared, Observed: "outlet " + got + " of the PDU at " + host + " (" + uri + ")"})
				return
			}
		}
	}
	if !sameOutlet(p.Outlet, got) {
		o.fact(Fact{Kind: FactDrift, Device: device, Part: id, What: "outlet",
			Declared: declared, Observed: "outlet " + got + " (" + uri + ")"})
	}
}

// uriHost is the host[:port] of an absolute URI, "" for a path.
func uriHost(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}

// outletOfURI is the outlet id at the end of a Redfish outlet URI
// (".../Outlets/A7" is "A7"), or "" when it names no outlet.
func outletOfURI(uri string) string {
	if u, err := url.Parse(uri); err == nil {
		uri = u.EscapedPath()
	}
	uri = strings.TrimSuffix(uri, "/")
	i := strings.LastIndexByte(uri, '/')
	if i < 0 || !strings.HasSuffix(uri[:i], "/Outlets") {
		return ""
	}
	id, err := url.PathUnescape(uri[i+1:])
	if err != nil {
		return ""
	}
	return id
}

// sameOutlet reports whether the PDU's outlet id is the declared outlet:
// equal, or the same whole number ("07" is 7).
func sameOutlet(decl inventory.Outlet, id string) bool {
	if string(decl) == id {
		return true
	}
	n, ok := decl.Number()
	m, ok2 := inventory.Outlet(id).Number()
	return ok && ok2 && n == m
}

// findOutlet finds the declared outlet among a PDU's observed outlets.
func findOutlet(outs []observation.Outlet, decl inventory.Outlet) (observation.Outlet, bool) {
	for _, o := range outs {
		if sameOutlet(decl, o.ID) {
			return o, true
		}
	}
	if n, ok := decl.Number(); ok {
		for _, o := range outs {
			if o.Index == n {
				return o, true
			}
		}
	}
	return observation.Outlet{}, false
}
