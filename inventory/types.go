package inventory

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Version is the only inventory format version this package reads.
const Version = 1

// Pos is a position in the inventory file, 1-based. The zero Pos means
// "not written in the file" (a default).
type Pos struct {
	Line, Col int32
	// File indexes Inventory.Files: which file of an inventory in several
	// files the position is in (0, the first, for a one-file inventory).
	File int32
}

// Inventory is the declared state of a datacenter estate: what people
// believe is installed, and how it is meant to depend on itself.
//
// Fields named XPos hold where field X was written; Pos holds where the
// entry itself begins. They are filled by the loader and used in messages.
type Inventory struct {
	Version  int         `yaml:"version" json:"version,omitempty"`
	Sites    []Site      `yaml:"sites,omitempty" json:"sites,omitempty"`
	Racks    []Rack      `yaml:"racks,omitempty" json:"racks,omitempty"`
	Power    []PowerNode `yaml:"power,omitempty" json:"power,omitempty"`
	Devices  []Device    `yaml:"devices,omitempty" json:"devices,omitempty"`
	Links    []Link      `yaml:"links,omitempty" json:"links,omitempty"`
	Network  Network     `yaml:"network,omitempty" json:"network,omitempty"`
	Services []Service   `yaml:"services,omitempty" json:"services,omitempty"`
	Policy   Policy      `yaml:"policy,omitempty" json:"policy,omitempty"`
	// Reliability gives components failure rates and repair times for the
	// reliability figures (optional: built-in defaults otherwise).
	Reliability Reliability `yaml:"reliability,omitempty" json:"reliability,omitzero"`
	// NetBox is the URL of the NetBox a generated file was imported from;
	// its entries' netbox identities link to pages there.
	NetBox string `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	VersionPos, NetBoxPos Pos `yaml:"-" json:"-"`

	// File is the path the inventory was read from ("" when parsed from
	// memory); the first file of an inventory in several files.
	File string `yaml:"-" json:"-"`
	// Files are the files of an inventory in several files, in the order
	// read (Pos.File indexes them); nil for a one-file inventory.
	Files []string `yaml:"-" json:"-"`
	// netboxURLs is each file's netbox key, by file index.
	netboxURLs []string
	// Warnings are problems that do not stop the inventory from being used
	// (for example a plaintext secret); under strict loading they are errors.
	Warnings Diagnostics `yaml:"-" json:"-"`

	idx *index
}

// Site is a building or campus: the largest unit that fails as one.
type Site struct {
	ID     string `yaml:"id,omitempty" json:"id,omitempty"`
	Name   string `yaml:"name,omitempty" json:"name,omitempty"`
	NetBox string `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	Pos, IDPos, NetBoxPos Pos `yaml:"-" json:"-"`
}

// Rack is a rack in a site.
type Rack struct {
	ID   string `yaml:"id,omitempty" json:"id,omitempty"`
	Site string `yaml:"site,omitempty" json:"site,omitempty"`
	Room string `yaml:"room,omitempty" json:"room,omitempty"`
	// NetBox is the entry's identity in the NetBox it was imported from:
	// "<app>.<model>/<id>", e.g. "dcim.rack/12".
	NetBox string `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	Pos, IDPos, SitePos, NetBoxPos Pos `yaml:"-" json:"-"`
}

// PowerKind is the role of a node in the power chain.
type PowerKind string

// The power node kinds.
const (
	Utility   PowerKind = "utility"
	Generator PowerKind = "generator"
	ATS       PowerKind = "ats"
	UPS       PowerKind = "ups"
	Feed      PowerKind = "feed"
	PDU       PowerKind = "pdu"
	// Panel is a distribution panel or switchboard; it behaves like any
	// other power node.
	Panel PowerKind = "panel"
)

func (PowerKind) choices() []string {
	return []string{"utility", "generator", "ats", "ups", "panel", "feed", "pdu"}
}

// PowerNode is one node of the power chain: a source, a switch, a UPS, a
// feed or a PDU. A node with inputs is up while any one input is up.
type PowerNode struct {
	ID         string      `yaml:"id,omitempty" json:"id,omitempty"`
	Kind       PowerKind   `yaml:"kind,omitempty" json:"kind,omitempty"`
	Site       string      `yaml:"site,omitempty" json:"site,omitempty"`
	Rack       string      `yaml:"rack,omitempty" json:"rack,omitempty"`
	Inputs     []string    `yaml:"inputs,omitempty" json:"inputs,omitempty"`
	CapacityW  float64     `yaml:"capacity_w,omitempty" json:"capacity_w,omitempty"`
	Outlets    int         `yaml:"outlets,omitempty" json:"outlets,omitempty"`
	Model      string      `yaml:"model,omitempty" json:"model,omitempty"`
	Serial     string      `yaml:"serial,omitempty" json:"serial,omitempty"`
	Management *Management `yaml:"management,omitempty" json:"management,omitempty"`
	// Supply says the node's own supply is not what its inputs say:
	// "unknown" (e.g. a PDU whose input has no cable) or "off" (a feed
	// planned, offline or failed). Either way it is no source of power,
	// and what hangs on it is unknown.
	Supply Supply `yaml:"supply,omitempty" json:"supply,omitempty"`
	NetBox string `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	Pos, IDPos, KindPos, SitePos, RackPos, CapacityWPos, OutletsPos, NetBoxPos, SupplyPos Pos   `yaml:"-" json:"-"`
	InputsPos                                                                             []Pos `yaml:"-" json:"-"`
}

// Supply is a power node's declared supply state.
type Supply string

// The supply states ("" is: from its inputs, or a source without any).
const (
	SupplyUnknown Supply = "unknown"
	SupplyOff     Supply = "off"
)

func (Supply) choices() []string { return []string{"unknown", "off"} }

// NoSupply reports whether the node is declared to supply nothing known.
func (p *PowerNode) NoSupply() bool { return p.Supply != "" }

// DeviceKind is what a device is; switches, routers and firewalls forward
// traffic, the others do not.
type DeviceKind string

// The device kinds.
const (
	Server    DeviceKind = "server"
	Switch    DeviceKind = "switch"
	Router    DeviceKind = "router"
	Firewall  DeviceKind = "firewall"
	Storage   DeviceKind = "storage"
	Appliance DeviceKind = "appliance"
)

func (DeviceKind) choices() []string {
	return []string{"server", "switch", "router", "firewall", "storage", "appliance"}
}

// Forwards reports whether devices of this kind carry other devices' traffic.
func (k DeviceKind) Forwards() bool { return k == Switch || k == Router || k == Firewall }

// Device is a piece of hardware in a rack.
type Device struct {
	ID         string      `yaml:"id,omitempty" json:"id,omitempty"`
	Kind       DeviceKind  `yaml:"kind,omitempty" json:"kind,omitempty"`
	Rack       string      `yaml:"rack,omitempty" json:"rack,omitempty"`
	Position   int         `yaml:"position,omitempty" json:"position,omitempty"`
	Model      string      `yaml:"model,omitempty" json:"model,omitempty"`
	Serial     string      `yaml:"serial,omitempty" json:"serial,omitempty"`
	PSUs       []PSU       `yaml:"psus,omitempty" json:"psus,omitempty"`
	MinPSUs    int         `yaml:"min_psus,omitempty" json:"min_psus,omitempty"`
	DrawW      float64     `yaml:"draw_w,omitempty" json:"draw_w,omitempty"`
	Storage    []Volume    `yaml:"storage,omitempty" json:"storage,omitempty"`
	Management *Management `yaml:"management,omitempty" json:"management,omitempty"`
	NetBox     string      `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	Pos, IDPos, KindPos, RackPos, PositionPos, MinPSUsPos, DrawWPos, NetBoxPos Pos `yaml:"-" json:"-"`
}

// NeededPSUs is min_psus with its default applied (1 when the device has PSUs).
func (d *Device) NeededPSUs() int {
	if d.MinPSUs > 0 {
		return d.MinPSUs
	}
	if len(d.PSUs) == 0 {
		return 0
	}
	return 1
}

// PSU is one power supply of a device and the power node (a PDU's
// outlet, or a whip straight from a feed or panel) it is plugged into. A
// PSU without pdu has no known source: it is never counted as a live
// source of power (see Unsourced).
type PSU struct {
	ID     string `yaml:"id,omitempty" json:"id,omitempty"`
	PDU    string `yaml:"pdu,omitempty" json:"pdu,omitempty"`
	Outlet Outlet `yaml:"outlet,omitempty" json:"outlet,omitempty"`
	// Input is, on a PDU whose outlets are split between its inputs (a
	// bank-split PDU, not a transfer switch), the input the outlet draws
	// from: the PSU is up while the PDU and that input are, whatever the
	// PDU's other inputs do. Without it the PSU is up while the PDU is.
	Input  string `yaml:"input,omitempty" json:"input,omitempty"`
	Match  string `yaml:"match,omitempty" json:"match,omitempty"`
	NetBox string `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	Pos, IDPos, PDUPos, OutletPos, InputPos, NetBoxPos Pos `yaml:"-" json:"-"`
}

// Unsourced reports whether the PSU declares no source of power.
func (p *PSU) Unsourced() bool { return p.PDU == "" }

// Outlet names the PDU outlet a PSU is plugged into, as the inventory
// writes it: a whole number from 1 (outlet 7, for PDUs that number their
// outlets) or the PDU's own outlet id ("A4" on a PDU whose outlets are
// named by branch). "" is no outlet declared. It is matched exactly: A1, B1
// and C1 are three outlets.
type Outlet string

// Number returns the outlet as a whole number, when it is one.
func (o Outlet) Number() (int, bool) {
	if o == "" || len(o) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(o) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// IsNumber reports whether the outlet is written as a whole number.
func (o Outlet) IsNumber() bool { _, ok := o.Number(); return ok }

// MarshalJSON writes a numbered outlet as a number, as version 1 always
// has, and a named one as a string.
func (o Outlet) MarshalJSON() ([]byte, error) {
	if n, ok := o.Number(); ok {
		return strconv.AppendInt(nil, int64(n), 10), nil
	}
	return json.Marshal(string(o))
}

// UnmarshalJSON reads either form.
func (o *Outlet) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*o = Outlet(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("outlet must be a number or a string: %w", err)
	}
	*o = Outlet(s)
	return nil
}

// RAID is a volume's RAID level.
type RAID string

// The RAID levels.
const (
	RAID0  RAID = "raid0"
	RAID1  RAID = "raid1"
	RAID5  RAID = "raid5"
	RAID6  RAID = "raid6"
	RAID10 RAID = "raid10"
	Single RAID = "single"
)

func (RAID) choices() []string {
	return []string{"raid0", "raid1", "raid5", "raid6", "raid10", "single"}
}

// Needed returns how many of n drives must be up for a volume of this level
// to be up. For raid10 the answer is per mirror pair and Needed is not used.
func (r RAID) Needed(n int) int {
	switch r {
	case RAID1:
		return 1
	case RAID5:
		return n - 1
	case RAID6:
		return n - 2
	default: // raid0, single, raid10 handled by callers per pair
		return n
	}
}

// MinDrives is the fewest drives a volume of this level can have.
func (r RAID) MinDrives() int {
	switch r {
	case RAID1:
		return 2
	case RAID5:
		return 3
	case RAID6:
		return 4
	case RAID10:
		return 4
	default:
		return 1
	}
}

// Redundant reports whether a volume of this level survives a drive failure.
func (r RAID) Redundant() bool { return r != RAID0 && r != Single && r != "" }

// Volume is a declared logical volume; its drives are named device/volume/N.
type Volume struct {
	ID     string `yaml:"id,omitempty" json:"id,omitempty"`
	RAID   RAID   `yaml:"raid,omitempty" json:"raid,omitempty"`
	Drives int    `yaml:"drives,omitempty" json:"drives,omitempty"`

	Pos, IDPos, RAIDPos, DrivesPos Pos `yaml:"-" json:"-"`
}

// Management says how a device or power node is polled.
type Management struct {
	SNMP    *SNMP    `yaml:"snmp,omitempty" json:"snmp,omitempty"`
	Redfish *Redfish `yaml:"redfish,omitempty" json:"redfish,omitempty"`

	Pos Pos `yaml:"-" json:"-"`
}

// SNMP is how to reach a device's SNMP agent.
type SNMP struct {
	Address      string `yaml:"address,omitempty" json:"address,omitempty"`
	Version      string `yaml:"version" json:"version,omitempty"`
	Community    Secret `yaml:"community,omitempty" json:"community,omitempty"`
	Username     string `yaml:"username,omitempty" json:"username,omitempty"`
	AuthProtocol string `yaml:"auth_protocol,omitempty" json:"auth_protocol,omitempty"`
	AuthPassword Secret `yaml:"auth_password,omitempty" json:"auth_password,omitempty"`
	PrivProtocol string `yaml:"priv_protocol,omitempty" json:"priv_protocol,omitempty"`
	PrivPassword Secret `yaml:"priv_password,omitempty" json:"priv_password,omitempty"`
	Context      string `yaml:"context,omitempty" json:"context,omitempty"`

	Pos, AddressPos, VersionPos, CommunityPos, UsernamePos, AuthProtocolPos, AuthPasswordPos, PrivProtocolPos, PrivPasswordPos Pos `yaml:"-" json:"-"`
}

// SNMPVersion returns the protocol version with its default ("2c").
func (s *SNMP) SNMPVersion() string {
	if s.Version == "" {
		return "2c"
	}
	return s.Version
}

// Redfish is how to reach a server's BMC.
type Redfish struct {
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	Username string `yaml:"username,omitempty" json:"username,omitempty"`
	Password Secret `yaml:"password,omitempty" json:"password,omitempty"`
	// CA is a PEM file of CAs to verify the BMC's certificate with, relative
	// to the inventory file.
	CA string `yaml:"ca,omitempty" json:"ca,omitempty"`
	// Insecure skips certificate verification. It is reported, never silent.
	Insecure bool `yaml:"insecure,omitempty" json:"insecure,omitempty"`
	// Auth is "basic" (default: stateless, nothing to leak) or "session".
	Auth string `yaml:"auth,omitempty" json:"auth,omitempty"`

	Pos, EndpointPos, UsernamePos, PasswordPos, CAPos, InsecurePos, AuthPos Pos `yaml:"-" json:"-"`
}

// Link is a cable between two device ports, each written "device:port".
type Link struct {
	A string `yaml:"a,omitempty" json:"a,omitempty"`
	B string `yaml:"b,omitempty" json:"b,omitempty"`
	// Cable names the physical cable; links naming one cable are one
	// cable with several ends (a breakout), and may share a port.
	Cable  string `yaml:"cable,omitempty" json:"cable,omitempty"`
	NetBox string `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	Pos, APos, BPos, CablePos, NetBoxPos Pos `yaml:"-" json:"-"`
}

// Network names the roots: a device has network while it reaches one.
type Network struct {
	Roots []string `yaml:"roots,omitempty" json:"roots,omitempty"`

	Pos      Pos   `yaml:"-" json:"-"`
	RootsPos []Pos `yaml:"-" json:"-"`
}

// Failover is how a service moves to a surviving member.
type Failover string

// The failover modes.
const (
	Automatic Failover = "automatic"
	Manual    Failover = "manual"
)

func (Failover) choices() []string { return []string{"automatic", "manual"} }

// Service is something people use, run by member devices or services.
type Service struct {
	ID       string   `yaml:"id,omitempty" json:"id,omitempty"`
	Members  []string `yaml:"members,omitempty" json:"members,omitempty"`
	MinUp    int      `yaml:"min_up,omitempty" json:"min_up,omitempty"`
	Tolerate *int     `yaml:"tolerate,omitempty" json:"tolerate,omitempty"`
	Failover Failover `yaml:"failover,omitempty" json:"failover,omitempty"`
	DR       bool     `yaml:"dr,omitempty" json:"dr,omitempty"`
	Requires []string `yaml:"requires,omitempty" json:"requires,omitempty"`
	NetBox   string   `yaml:"netbox,omitempty" json:"netbox,omitempty"`

	Pos, IDPos, MinUpPos, ToleratePos, FailoverPos, DRPos, NetBoxPos Pos   `yaml:"-" json:"-"`
	MembersPos, RequiresPos                                          []Pos `yaml:"-" json:"-"`
}

// NeededUp is min_up with its default (1).
func (s *Service) NeededUp() int {
	if s.MinUp > 0 {
		return s.MinUp
	}
	return 1
}

// Tolerance is tolerate with its default (1).
func (s *Service) Tolerance() int {
	if s.Tolerate == nil {
		return 1
	}
	return *s.Tolerate
}

// FailoverMode is failover with its default (automatic).
func (s *Service) FailoverMode() Failover {
	if s.Failover == "" {
		return Automatic
	}
	return s.Failover
}

// Policy holds the audit's limits. It is an extension of format v1: every
// key is optional, with the defaults docs/inventory.md names.
type Policy struct {
	// MaxLoadPct is the share of a power node's capacity_w above which it is
	// overloaded (default 80).
	MaxLoadPct float64 `yaml:"max_load_pct,omitempty" json:"max_load_pct,omitempty"`
	// InletMaxC is the highest acceptable inlet temperature (default 27 °C).
	InletMaxC float64 `yaml:"inlet_max_c,omitempty" json:"inlet_max_c,omitempty"`
	// MaxPairs caps the double-fault pairs reported per service (default 50).
	MaxPairs int `yaml:"max_pairs,omitempty" json:"max_pairs,omitempty"`

	Pos, MaxLoadPctPos, InletMaxCPos, MaxPairsPos Pos `yaml:"-" json:"-"`
}

// LoadLimit is the overload threshold as a fraction of capacity.
func (p Policy) LoadLimit() float64 {
	if p.MaxLoadPct > 0 {
		return p.MaxLoadPct / 100
	}
	return 0.8
}

// InletLimit is the inlet temperature limit in °C.
func (p Policy) InletLimit() float64 {
	if p.InletMaxC > 0 {
		return p.InletMaxC
	}
	return 27
}

// PairLimit is the most double-fault pairs reported per service.
func (p Policy) PairLimit() int {
	if p.MaxPairs > 0 {
		return p.MaxPairs
	}
	return 50
}
