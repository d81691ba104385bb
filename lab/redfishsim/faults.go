package redfishsim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Fault is one injected failure. Part names what fails: a PSU id ("PSU2"),
// a drive ("os/1", as the inventory names drives, or the drive's Redfish Id
// "os-1"), a volume id, a port name ("eno1"), a fan id; for the protocol
// faults it is an optional path prefix ("/redfish/v1/Systems/1/Storage")
// limiting the fault to part of the tree. Value is a number some faults
// take (hot-inlet: °C).
type Fault struct {
	Fault string  `json:"fault"`
	Part  string  `json:"part,omitempty"`
	Value float64 `json:"value,omitempty"`
}

func (f Fault) String() string {
	if f.Part == "" {
		return f.Fault
	}
	return f.Fault + " " + f.Part
}

// The faults. Hardware faults change what the tree says (and its ETags);
// protocol faults change how the BMC answers.
const (
	// Hardware (generated trees only).
	PSUFail       = "psu-fail"       // PSU present, Health Critical
	PSURemove     = "psu-remove"     // bay empty: State Absent
	PSUInputLost  = "psu-input-lost" // PSU fine, no line input (its feed is down)
	DriveFail     = "drive-fail"     // drive Critical; its volume degrades or fails by RAID level
	DrivePredict  = "drive-predict"  // drive predicts its failure
	VolumeDegrade = "volume-degrade" // volume Warning (e.g. rebuilding)
	LinkDown      = "link-down"      // NIC link down, LLDP neighbour gone
	FanFail       = "fan-fail"       // fan Critical
	HotInlet      = "hot-inlet"      // inlet temperature Value °C (default 38)
	Reset         = "reset"          // host restarted now (uptime, LastResetTime); an event, not a state
	// Protocol (any tree).
	HTTP500     = "http-500"     // answer 500 with a Redfish error body
	HTTP401     = "http-401"     // refuse every credential
	HTTP503     = "http-503"     // busy: 503 with Retry-After
	Hang        = "hang"         // accept the request, never answer
	Truncate    = "truncate"     // send part of the body, then drop the connection
	InvalidJSON = "invalid-json" // a well-framed 200 whose body is not JSON
	HugeBody    = "huge-body"    // a 200 whose body never ends (until the client stops reading)
)

var hardwareFaults = []string{PSUFail, PSURemove, PSUInputLost, DriveFail, DrivePredict, VolumeDegrade, LinkDown, FanFail, HotInlet, Reset,
	OutletOff, InletLost, BreakerTrip, LoadSet}
var protocolFaults = []string{HTTP500, HTTP401, HTTP503, Hang, Truncate, InvalidJSON, HugeBody}

// Faults lists every fault name, hardware first.
func Faults() []string { return append(slices.Clone(hardwareFaults), protocolFaults...) }

// ErrUnknownFault is returned for a fault name this simulator does not know.
var ErrUnknownFault = errors.New("unknown fault")

// ErrNoSuchPart is returned when a fault names a part the device lacks.
var ErrNoSuchPart = errors.New("no such part")

// ErrNeedsGenerated is returned for hardware faults on a mockup tree.
var ErrNeedsGenerated = errors.New("hardware faults need a generated tree (FromDevice), not a mockup")

func isProtocolFault(name string) bool { return slices.Contains(protocolFaults, name) }

func checkFaultName(f Fault) error {
	if slices.Contains(hardwareFaults, f.Fault) || isProtocolFault(f.Fault) {
		return nil
	}
	return fmt.Errorf("%w %q (known: %s)", ErrUnknownFault, f.Fault, strings.Join(Faults(), ", "))
}

// protocolFault returns the protocol fault that applies to path, if any.
// A fault without a part applies everywhere; with one, to paths under it.
func protocolFault(faults []Fault, path string) (Fault, bool) {
	for _, f := range faults {
		if !isProtocolFault(f.Fault) {
			continue
		}
		if f.Part == "" || path == f.Part || strings.HasPrefix(path, strings.TrimSuffix(f.Part, "/")+"/") {
			return f, true
		}
	}
	return Fault{}, false
}

// faultBelow reports whether a protocol fault is limited to a path under
// path (an expansion of path would include it).
func faultBelow(faults []Fault, path string) bool {
	for _, f := range faults {
		if isProtocolFault(f.Fault) && f.Part != "" && strings.HasPrefix(f.Part, strings.TrimSuffix(path, "/")+"/") {
			return true
		}
	}
	return false
}
