package inventory

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// YearHours is the length of the year the reliability figures use: 365
// days, so that an annual failure rate times a repair time in hours over
// YearHours is the fraction of the year a component is down.
const YearHours = 8760

// Reliability is the optional reliability section: annual failure rates
// and repair times, by component kind and per component. Every key is
// optional; what it leaves out takes the built-in defaults
// (BuiltinRates).
type Reliability struct {
	// Defaults override the built-in figures of whole kinds.
	Defaults RateDefaults `yaml:"defaults,omitempty" json:"defaults,omitzero"`
	// Components override single components, keyed as findings name them.
	Components RateOverrides `yaml:"components,omitempty" json:"components,omitempty"`

	Pos Pos `yaml:"-" json:"-"`
}

// RateDefaults are the figures of each component kind. The keys are the
// power node kinds, the device kinds, and site, rack, psu, drive, link and
// cable.
type RateDefaults struct {
	Site      *Rate `yaml:"site,omitempty" json:"site,omitempty"`
	Rack      *Rate `yaml:"rack,omitempty" json:"rack,omitempty"`
	Utility   *Rate `yaml:"utility,omitempty" json:"utility,omitempty"`
	Generator *Rate `yaml:"generator,omitempty" json:"generator,omitempty"`
	ATS       *Rate `yaml:"ats,omitempty" json:"ats,omitempty"`
	UPS       *Rate `yaml:"ups,omitempty" json:"ups,omitempty"`
	Panel     *Rate `yaml:"panel,omitempty" json:"panel,omitempty"`
	Feed      *Rate `yaml:"feed,omitempty" json:"feed,omitempty"`
	PDU       *Rate `yaml:"pdu,omitempty" json:"pdu,omitempty"`
	Server    *Rate `yaml:"server,omitempty" json:"server,omitempty"`
	Switch    *Rate `yaml:"switch,omitempty" json:"switch,omitempty"`
	Router    *Rate `yaml:"router,omitempty" json:"router,omitempty"`
	Firewall  *Rate `yaml:"firewall,omitempty" json:"firewall,omitempty"`
	Storage   *Rate `yaml:"storage,omitempty" json:"storage,omitempty"`
	Appliance *Rate `yaml:"appliance,omitempty" json:"appliance,omitempty"`
	PSU       *Rate `yaml:"psu,omitempty" json:"psu,omitempty"`
	Drive     *Rate `yaml:"drive,omitempty" json:"drive,omitempty"`
	Link      *Rate `yaml:"link,omitempty" json:"link,omitempty"`
	Cable     *Rate `yaml:"cable,omitempty" json:"cable,omitempty"`

	Pos Pos `yaml:"-" json:"-"`
}

// Rate is an annual failure rate and a repair time. Either may be left
// out: it is then the kind's (for a component) or the built-in one (for a
// kind).
type Rate struct {
	// AFR is the expected number of failures a year (0.02: one in fifty
	// components fails in a year).
	AFR *float64 `yaml:"afr,omitempty" json:"afr,omitempty"`
	// Repair is the mean time from the failure to the component working
	// again: detection, spare, replacement, rebuild.
	Repair *Duration `yaml:"repair,omitempty" json:"repair,omitempty"`
	// ID is the component a per-component rate is for (the key it is
	// written under); "" for a kind's.
	ID string `yaml:"-" json:"id,omitempty"`

	Pos, AFRPos, RepairPos, IDPos Pos `yaml:"-" json:"-"`
}

// RateOverrides are per-component rates, written as a mapping from
// component id to rate, in file order.
type RateOverrides []Rate

// Duration is a repair time as the inventory writes it: Go's form (8h,
// 30m, 2h30m) or whole and fractional days (3d, 1.5d, 1d12h).
type Duration time.Duration

// Hours is the duration in hours.
func (d Duration) Hours() float64 { return time.Duration(d).Hours() }

// String writes the duration as Go does (72h0m0s).
func (d Duration) String() string { return time.Duration(d).String() }

// ParseDuration reads a repair time: a Go duration, optionally led by a
// number of days ("3d", "1d12h", "1.5d").
func ParseDuration(s string) (Duration, bool) {
	days := 0.0
	rest := s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || n < 0 || math.IsInf(n, 0) || n > 100*365 || strings.ContainsAny(s[:i], "eE_xXpP+-") {
			return 0, false
		}
		days, rest = n, s[i+1:]
		if rest == "" {
			return Duration(days * 24 * float64(time.Hour)), true
		}
	}
	d, err := time.ParseDuration(rest)
	if err != nil || d < 0 || (rest != s && strings.HasPrefix(rest, "-")) {
		return 0, false
	}
	return Duration(time.Duration(days*24*float64(time.Hour)) + d), true
}

// RateKinds are the keys of reliability.defaults, in the order the
// documentation lists them.
var RateKinds = []string{"site", "rack", "utility", "generator", "ats", "ups", "panel", "feed", "pdu",
	"server", "switch", "router", "firewall", "storage", "appliance", "psu", "drive", "link", "cable"}

// Of returns the kind's rate in d (nil when not written).
func (d *RateDefaults) Of(kind string) *Rate {
	switch kind {
	case "site":
		return d.Site
	case "rack":
		return d.Rack
	case "utility":
		return d.Utility
	case "generator":
		return d.Generator
	case "ats":
		return d.ATS
	case "ups":
		return d.UPS
	case "panel":
		return d.Panel
	case "feed":
		return d.Feed
	case "pdu":
		return d.PDU
	}
	return d.ofDevicePart(kind)
}

func (d *RateDefaults) ofDevicePart(kind string) *Rate {
	switch kind {
	case "server":
		return d.Server
	case "switch":
		return d.Switch
	case "router":
		return d.Router
	case "firewall":
		return d.Firewall
	case "storage":
		return d.Storage
	case "appliance":
		return d.Appliance
	case "psu":
		return d.PSU
	case "drive":
		return d.Drive
	case "link":
		return d.Link
	case "cable":
		return d.Cable
	}
	return nil
}

// Figure is an effective annual failure rate and repair time.
type Figure struct {
	AFR    float64
	Repair time.Duration
}

// Unavailability is the steady-state share of the year the component is
// down: AFR × repair / YearHours.
func (f Figure) Unavailability() float64 { return f.AFR * f.Repair.Hours() / YearHours }

// BuiltinRates are the figures a kind has when the inventory does not
// give its own; docs/reliability.md gives each one's source.
var BuiltinRates = map[string]Figure{
	"site":      {AFR: 0.01, Repair: 72 * time.Hour},
	"rack":      {AFR: 0.001, Repair: 8 * time.Hour},
	"utility":   {AFR: 1.956, Repair: 4752 * time.Second},
	"generator": {AFR: 0.05, Repair: 24 * time.Hour},
	"ats":       {AFR: 0.01, Repair: 8 * time.Hour},
	"ups":       {AFR: 0.05, Repair: 8 * time.Hour},
	"panel":     {AFR: 0.005, Repair: 8 * time.Hour},
	"feed":      {AFR: 0.01, Repair: 8 * time.Hour},
	"pdu":       {AFR: 0.01, Repair: 4 * time.Hour},
	"server":    {AFR: 0.03, Repair: 24 * time.Hour},
	"switch":    {AFR: 0.03, Repair: 4 * time.Hour},
	"router":    {AFR: 0.03, Repair: 4 * time.Hour},
	"firewall":  {AFR: 0.05, Repair: 4 * time.Hour},
	"storage":   {AFR: 0.03, Repair: 24 * time.Hour},
	"appliance": {AFR: 0.05, Repair: 24 * time.Hour},
	"psu":       {AFR: 0.01, Repair: 24 * time.Hour},
	"drive":     {AFR: 0.02, Repair: 24 * time.Hour},
	"link":      {AFR: 0.02, Repair: 4 * time.Hour},
	"cable":     {AFR: 0.01, Repair: 4 * time.Hour},
}

// merge returns base with what r writes laid over it.
func (r *Rate) merge(base Figure) Figure {
	if r == nil {
		return base
	}
	if r.AFR != nil {
		base.AFR = *r.AFR
	}
	if r.Repair != nil {
		base.Repair = time.Duration(*r.Repair)
	}
	return base
}

// KindFigure is a kind's effective figure: the section's default for it
// laid over the built-in one.
func (r *Reliability) KindFigure(kind string) Figure {
	return r.Defaults.Of(kind).merge(BuiltinRates[kind])
}

// Figure is a component's effective figure: its own rate laid over its
// kind's (rate may be nil).
func (r *Reliability) Figure(kind string, rate *Rate) Figure {
	return rate.merge(r.KindFigure(kind))
}
