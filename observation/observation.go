// Package observation is the normalized shape of what a collector saw on one
// device at one time: the contract between the collectors (Redfish, SNMP),
// the history store and the audit. It holds no protocol detail and no I/O.
//
// Unknown is not zero: every reading a device may not report is a pointer
// or an empty string, so "not reported" never reads as "0" or as "fine".
package observation

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// SchemaVersion is the version of the observations file format.
const SchemaVersion = 1

// Condition is the normalized state of a part.
type Condition string

// The conditions. A part that is "degraded" still works but has lost its
// own redundancy or predicts its failure; "absent" is an empty bay, never a
// failure.
const (
	OK       Condition = "ok"
	Degraded Condition = "degraded"
	Failed   Condition = "failed"
	Absent   Condition = "absent"
	Unknown  Condition = "unknown"
)

// Sources of observations.
const (
	SourceRedfish = "redfish"
	SourceSNMP    = "snmp"
)

// File is a set of observations, as written by `faultline collect --out`
// and read by `faultline audit --observations`.
type File struct {
	Version     int       `json:"version"`
	GeneratedAt time.Time `json:"generated_at"`
	Devices     []Device  `json:"devices"`
}

// Device is one device's observation from one source.
type Device struct {
	// ID is the inventory id of the device or power node.
	ID string `json:"id"`
	// Source is "redfish" or "snmp".
	Source string `json:"source"`
	// Endpoint is where it was polled (address or URL; never credentials).
	Endpoint string `json:"endpoint,omitempty"`
	// AttemptedAt is when the last poll started; CollectedAt when the data
	// below were read. When the last poll failed, Error says why and the
	// data are the last good ones (CollectedAt older than AttemptedAt), or
	// empty if the device was never read.
	AttemptedAt time.Time `json:"attempted_at"`
	CollectedAt time.Time `json:"collected_at,omitzero"`
	// Duration of the last poll, and the requests it made.
	Duration Duration `json:"duration"`
	Requests int      `json:"requests,omitempty"`
	Error    string   `json:"error,omitempty"`
	// PartErrors are problems reading one part (the storage collection
	// answered 500) while the rest was read.
	PartErrors []PartError `json:"part_errors,omitempty"`
	// Warnings are things about the poll itself a person should know and
	// that are not errors: TLS verification switched off, credentials sent
	// over plain http, a protocol feature abandoned because the device
	// mishandled it.
	Warnings []string `json:"warnings,omitempty"`

	Identity *Identity `json:"identity,omitempty"`
	// UptimeSeconds is time since the device (or its agent) last started.
	UptimeSeconds *float64 `json:"uptime_seconds,omitempty"`
	// PowerState of a server: "On", "Off", … as reported.
	PowerState string `json:"power_state,omitempty"`

	PSUs            []PSU        `json:"psus,omitempty"`
	PowerRedundancy []Redundancy `json:"power_redundancy,omitempty"`
	// PowerWatts is what the device draws now, where it reports it.
	PowerWatts *float64 `json:"power_watts,omitempty"`

	// Controllers are the storage (RAID/HBA) controllers.
	Controllers []Controller `json:"controllers,omitempty"`
	Volumes     []Volume     `json:"volumes,omitempty"`
	Drives      []Drive      `json:"drives,omitempty"`
	Ports       []Port       `json:"ports,omitempty"`

	Fans          []Fan         `json:"fans,omitempty"`
	FanRedundancy []Redundancy  `json:"fan_redundancy,omitempty"`
	Temperatures  []Temperature `json:"temperatures,omitempty"`
	// InletCelsius is the inlet (or ambient) temperature, where reported.
	InletCelsius *float64 `json:"inlet_celsius,omitempty"`

	// PDU and UPS readings. A PDU's or UPS's PowerWatts is the load it
	// measures (its total output).
	Outlets []Outlet     `json:"outlets,omitempty"`
	Inputs  []PowerInput `json:"inputs,omitempty"`
	UPS     *UPS         `json:"ups,omitempty"`
	// Branches are a PDU's branch circuits (Redfish Branches).
	Branches []Branch `json:"branches,omitempty"`

	// Kept lists the sections of a good poll that came back empty with a
	// part error and hold an earlier poll's data instead (see KeepLastGood),
	// with when those data were read.
	Kept []KeptSection `json:"kept,omitempty"`
}

// The sections KeepLastGood may keep from an earlier poll.
const (
	SectionPSUs    = "psus"    // psus, power_redundancy
	SectionStorage = "storage" // controllers, volumes, drives
	SectionPorts   = "ports"   // ports
)

// KeptSection is a section carried over from an earlier poll.
type KeptSection struct {
	Section     string    `json:"section"`
	CollectedAt time.Time `json:"collected_at"`
}

// ReadAt is when a section's data were read: CollectedAt, or the earlier
// time of a kept section.
func (d *Device) ReadAt(section string) time.Time {
	for _, k := range d.Kept {
		if k.Section == section {
			return k.CollectedAt
		}
	}
	return d.CollectedAt
}

// OK reports whether the last poll succeeded.
func (d *Device) OK() bool { return d.Error == "" }

// HasData reports whether the observation holds data (now or last good).
func (d *Device) HasData() bool { return !d.CollectedAt.IsZero() }

// PartError is a failure to read one part of a device.
type PartError struct {
	Part  string `json:"part"`
	Error string `json:"error"`
}

// Identity is what a device says it is.
type Identity struct {
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	Serial       string `json:"serial,omitempty"`
	Firmware     string `json:"firmware,omitempty"`
	BIOS         string `json:"bios,omitempty"`
	BMCFirmware  string `json:"bmc_firmware,omitempty"`
	SysName      string `json:"sys_name,omitempty"`
	SysDescr     string `json:"sys_descr,omitempty"`
	SysObjectID  string `json:"sys_object_id,omitempty"`
}

// PSU is one power supply bay.
type PSU struct {
	// ID is the device's own id for it (Redfish Id/MemberId, SNMP entity
	// index); Name its name as reported; Slot its physical order, from 0.
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	Slot      int       `json:"slot"`
	Condition Condition `json:"condition"`
	// State and Health as the device put them (e.g. "Enabled"/"OK",
	// "shutdown"), for people.
	State            string   `json:"state,omitempty"`
	Health           string   `json:"health,omitempty"`
	PredictedFailure bool     `json:"predicted_failure,omitempty"`
	InputOK          *bool    `json:"input_ok,omitempty"`
	InputVoltage     *float64 `json:"input_voltage,omitempty"`
	CapacityWatts    *float64 `json:"capacity_watts,omitempty"`
	InputWatts       *float64 `json:"input_watts,omitempty"`
	OutputWatts      *float64 `json:"output_watts,omitempty"`
	// Outlet is the PDU outlet the PSU reports it is plugged into
	// (Redfish Links.Outlet), as a URI.
	Outlet string `json:"outlet,omitempty"`
	Model  string `json:"model,omitempty"`
	Serial string `json:"serial,omitempty"`
}

// Redundancy is a redundancy group as the device reports it.
type Redundancy struct {
	Name      string    `json:"name,omitempty"`
	Mode      string    `json:"mode,omitempty"`
	MinNeeded *int      `json:"min_needed,omitempty"`
	Condition Condition `json:"condition"`
	Members   []string  `json:"members,omitempty"`
}

// Controller is a storage controller (RAID adapter, HBA, NVMe bridge).
type Controller struct {
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	Condition Condition `json:"condition"`
	State     string    `json:"state,omitempty"`
	Health    string    `json:"health,omitempty"`
	Model     string    `json:"model,omitempty"`
	Serial    string    `json:"serial,omitempty"`
	Firmware  string    `json:"firmware,omitempty"`
}

// Volume is a logical volume.
type Volume struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// RAID is normalized: raid0, raid1, raid5, raid6, raid10, single, or ""
	// when the device does not say; RAIDReported is as reported.
	RAID         string    `json:"raid,omitempty"`
	RAIDReported string    `json:"raid_reported,omitempty"`
	Condition    Condition `json:"condition"`
	State        string    `json:"state,omitempty"`
	Health       string    `json:"health,omitempty"`
	// Drives are the IDs of its member drives (Drive.ID), in order.
	Drives        []string `json:"drives,omitempty"`
	CapacityBytes *int64   `json:"capacity_bytes,omitempty"`
}

// Drive is a physical disk.
type Drive struct {
	ID               string    `json:"id"`
	Name             string    `json:"name,omitempty"`
	Slot             int       `json:"slot"`
	Condition        Condition `json:"condition"`
	State            string    `json:"state,omitempty"`
	Health           string    `json:"health,omitempty"`
	PredictedFailure bool      `json:"predicted_failure,omitempty"`
	MediaType        string    `json:"media_type,omitempty"`
	CapacityBytes    *int64    `json:"capacity_bytes,omitempty"`
	Model            string    `json:"model,omitempty"`
	Serial           string    `json:"serial,omitempty"`
}

// Port is a network port (interface).
type Port struct {
	// Name is what links in the inventory match: ifName, else ifDescr
	// (SNMP), or the interface/port Id (Redfish).
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Index       int    `json:"index,omitempty"`
	// Oper and Admin are "up", "down" or another IF-MIB state name.
	Oper      string     `json:"oper,omitempty"`
	Admin     string     `json:"admin,omitempty"`
	SpeedMbps *int64     `json:"speed_mbps,omitempty"`
	MAC       string     `json:"mac,omitempty"`
	Neighbors []Neighbor `json:"neighbors,omitempty"`
}

// Neighbor is what LLDP or CDP says is on the other end of a port.
type Neighbor struct {
	Protocol  string `json:"protocol"` // "lldp" or "cdp"
	ChassisID string `json:"chassis_id,omitempty"`
	PortID    string `json:"port_id,omitempty"`
	PortDescr string `json:"port_descr,omitempty"`
	SysName   string `json:"sys_name,omitempty"`
}

// Fan is a fan.
type Fan struct {
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	Condition Condition `json:"condition"`
	RPM       *float64  `json:"rpm,omitempty"`
}

// Temperature is one temperature sensor.
type Temperature struct {
	Name    string  `json:"name"`
	Celsius float64 `json:"celsius"`
	// Inlet marks the inlet/ambient sensor.
	Inlet bool `json:"inlet,omitempty"`
}

// Outlet is a PDU outlet.
type Outlet struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Index int    `json:"index"`
	// On is the switched state, where the PDU switches outlets.
	On        *bool     `json:"on,omitempty"`
	Watts     *float64  `json:"watts,omitempty"`
	Amps      *float64  `json:"amps,omitempty"`
	Condition Condition `json:"condition,omitempty"`
	// Volts is the outlet's voltage, and Branch the id of the branch
	// circuit it is on, where the PDU reports them.
	Volts  *float64 `json:"volts,omitempty"`
	Branch string   `json:"branch,omitempty"`
}

// PowerInput is a PDU input or phase.
type PowerInput struct {
	Name      string    `json:"name"`
	Voltage   *float64  `json:"voltage,omitempty"`
	Amps      *float64  `json:"amps,omitempty"`
	Watts     *float64  `json:"watts,omitempty"`
	Condition Condition `json:"condition,omitempty"`
}

// UPS is a UPS's state.
type UPS struct {
	// OutputSource: "normal", "battery", "bypass", "off", "other", … (RFC 1628 upsOutputSource).
	OutputSource     string    `json:"output_source,omitempty"`
	BatteryStatus    string    `json:"battery_status,omitempty"` // normal, low, depleted, unknown
	MinutesRemaining *float64  `json:"minutes_remaining,omitempty"`
	LoadPercent      *float64  `json:"load_percent,omitempty"`
	Condition        Condition `json:"condition"`
}

// Duration is a time.Duration that encodes as seconds in JSON.
type Duration time.Duration

// MarshalJSON writes seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Seconds())
}

// UnmarshalJSON reads seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s float64
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(s * float64(time.Second))
	return nil
}

// Read decodes an observations file, checking its version, within the
// default budgets (DefaultLimits; ReadLimited takes others).
func Read(r io.Reader) (*File, error) { return ReadLimited(r, Limits{}) }

// Write encodes an observations file.
func Write(w io.Writer, f *File) error {
	f.Version = SchemaVersion
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}
