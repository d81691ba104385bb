package redfish

import (
	"bytes"
	"encoding/json"
	"math"
	"net/url"
	"regexp"
	"strings"

	"github.com/faultline/faultline/observation"
)

// Vendor quirks: every place the collector bends to how a real service
// writes Redfish rather than how DSP0266 says it should, each with a named
// test (quirks_test.go) and a fixture under testdata/quirks/.

// canonicalRef turns a link into the path the collector requests and keys
// its caches by, and reports whether it is off the BMC's origin (another
// scheme, host or port, or no URL at all): such a link is never followed.
// The link is resolved against the endpoint as a URL reference, never
// glued onto it as text (see origin.go).
//
// Quirk (HPE iLO 5): @odata.id values end in "/" ("/redfish/v1/Systems/1/")
// and some are doubled ("/redfish/v1/Systems/1//"), while other links to
// the same resource have no slash; both must name one resource, or a
// resource read inline from an $expand is not found and is fetched again.
// Canonical form: no query, no fragment, no doubled or trailing slash; an
// absolute URL on the BMC's own origin is reduced to its path.
func canonicalRef(base *url.URL, ref string) (path string, foreign bool) {
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		ref = ref[:i]
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", false
	}
	u, ok := resolve(base, ref)
	if !ok {
		return ref, true
	}
	p := u.EscapedPath()
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	if p == "" {
		p = "/"
	}
	return p, false
}

// outletRef is what a PSU's Links.Outlet is reported as.
//
// Quirk (DMTF public-rackmount1, and any server that knows its PDU): the
// outlet is an absolute URL on the PDU's own host
// (https://redfishpdu.contoso.com/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A4).
// It is kept as written and never followed: following it would send this
// BMC's credentials to another host. A link on the BMC's own host is
// reduced to its path.
func outletRef(base *url.URL, ref string) string {
	if ref == "" {
		return ""
	}
	if p, foreign := canonicalRef(base, ref); !foreign {
		return p
	}
	return ref
}

// memberFragment returns the JSON pointer of a legacy Power or Thermal
// array member ("PowerSupplies/0"), by which redundancy sets name their
// members.
//
// Quirk (HPE iLO 5): members are "/redfish/v1/Chassis/1/Power/#PowerSupplies/0"
// — no slash after '#', a slash before it — where DMTF writes
// "/redfish/v1/Chassis/1U/Power#/PowerSupplies/0".
func memberFragment(ref string) string {
	_, frag, ok := strings.Cut(ref, "#")
	if !ok {
		return ""
	}
	return strings.Trim(frag, "/")
}

// memberRef is the canonical form of a link that may address an array
// member: the canonical path, and the member's pointer after '#'. Legacy
// PSUs and the redundancy sets naming them meet on it whichever way each
// writes the fragment.
func memberRef(base *url.URL, ref string) string {
	p, _ := canonicalRef(base, ref)
	if f := memberFragment(ref); f != "" {
		return p + "#" + f
	}
	return p
}

// str is a string that also takes a number or a boolean.
//
// Quirk (HPE iLO 5, and others): MemberId, Id and PortId are strings in
// the schema but some services write numbers ("MemberId": 0); they are
// read as the number's text, not dropped.
type str string

func (s *str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = str(v)
	case b[0] == '{' || b[0] == '[':
		*s = ""
	default:
		*s = str(b)
	}
	return nil
}

// hpeBayNumber reads the bay of a legacy power supply, from 0.
//
// Quirk (HPE iLO 5): the bay is in Oem.Hpe.BayNumber (from 1); Location is
// not given.
func hpeBayNumber(oem json.RawMessage) (int, bool) {
	if len(oem) == 0 {
		return 0, false
	}
	var o struct {
		Hpe struct{ BayNumber *float64 }
	}
	if decodeJSON(oem, &o) != nil || o.Hpe.BayNumber == nil || *o.Hpe.BayNumber < 1 || *o.Hpe.BayNumber > 1024 {
		return 0, false
	}
	return int(*o.Hpe.BayNumber) - 1, true
}

// defaultSessionsURI is where sessions are created when the service root
// does not say.
//
// Quirk (services before Redfish 1.6 and some OpenBMC builds): the root has
// no Links.Sessions; the collection is at this well-known path.
const defaultSessionsURI = "/redfish/v1/SessionService/Sessions"

// sensor is a temperature sensor as the inlet choice sees it.
type sensor struct {
	name, context string
	celsius       float64
}

// componentWords name sensors on a component, never the air coming in.
var componentWords = regexp.MustCompile(`(?i)(^|[^a-z])(cpu|proc|processor|socket|dimm|mem|memory|vr|vrm|vrmin|vdd|pch|core|gpu|soc|dram|hbm|exhaust|outlet|exit|bmc|psu|riser|nic|hdd|ssd|nvme)([^a-z]|$)`)

// componentPrefix names component sensors whose name runs the component
// into its slot (DIMMG0_TEMP, DIMMA1, CPU0TEMP), which componentWords'
// word boundaries miss.
var componentPrefix = regexp.MustCompile(`(?i)(^|[^a-z])(dimm|cpu|vrm?_?p?[0-9])`)

func isIntake(context string) bool { return strings.EqualFold(strings.TrimSpace(context), "Intake") }

// inletNamed reports whether a sensor's name says it measures the intake
// air.
func inletNamed(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "inlet") || strings.Contains(n, "ambient") || strings.Contains(n, "intake")
}

// chooseInlet picks the sensor that measures the air coming in, or -1.
//
// Quirk (all vendors): PhysicalContext "Intake" is the standard, but many
// services leave it out and only name the sensor: Dell "System Board Inlet
// Temp", HPE "01-Inlet Ambient", Supermicro "Inlet Temp", Lenovo "Ambient
// Temp".
//
// Quirk (some Supermicro, Gigabyte and Lenovo firmware): every sensor,
// CPU, DIMM and VR included, says PhysicalContext "Intake"; taken at its
// word, the first CPU sensor is the inlet and the server looks too hot.
// So names and readings can veto the context: a sensor whose name names a
// component (CPU, DIMM, VR, PCH, Core, PSU, BMC, …) or the air going out
// (Exhaust, Outlet, Exit) is never the inlet; among the
// rest, one whose name says Inlet, Ambient or Intake is preferred to one
// that only has the context; and among those of the same preference, a
// reading more than 10 °C above the coolest is not the inlet (inlet air
// is the coolest air in the box). The first remaining one, in the BMC's
// order, is the inlet.
//
// Quirk (AMI MegaRAC builds on Gigabyte and ASRock Rack boards): every
// sensor says "Intake" and none is named Inlet or Ambient (CPU0_TEMP,
// DIMMG0_TEMP, MB_TEMP1, …). A context that every sensor claims tells
// nothing, so it counts only when at least one sensor of the chassis says
// otherwise; with no credible inlet there is no inlet reading (a DIMM is
// never reported as the air coming in, and no false thermal finding
// follows).
func chooseInlet(ss []sensor) int {
	const spread = 10.0
	best := [2][]int{} // by preference: named, then context only
	contextCredible := false
	for _, s := range ss {
		if !isIntake(s.context) {
			contextCredible = true
			break
		}
	}
	if len(ss) == 1 {
		contextCredible = true
	}
	for i, s := range ss {
		if componentWords.MatchString(s.name) || componentPrefix.MatchString(s.name) || math.IsNaN(s.celsius) || math.IsInf(s.celsius, 0) {
			continue
		}
		switch {
		case inletNamed(s.name):
			best[0] = append(best[0], i)
		case contextCredible && isIntake(s.context):
			best[1] = append(best[1], i)
		}
	}
	for _, cands := range best {
		if len(cands) == 0 {
			continue
		}
		coolest := ss[cands[0]].celsius
		for _, i := range cands {
			coolest = min(coolest, ss[i].celsius)
		}
		for _, i := range cands {
			if ss[i].celsius <= coolest+spread {
				return i
			}
		}
	}
	return -1
}

// bayCondition is the condition of a PSU, drive or fan bay.
//
// Quirk (HPE iLO 5, Apollo XL675d): empty PSU bays are reported with
// "State": "Absent" and "Health": "Warning". An empty bay is not a failed
// PSU: Condition gives State Absent precedence over Health, and the
// predicted-failure flag never raises an absent bay.
func bayCondition(st rfStatus, predicted bool) observation.Condition {
	c := st.condition()
	if c == observation.Absent {
		return c
	}
	return withPrediction(c, predicted)
}
