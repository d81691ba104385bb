package redfish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/faultline/faultline/observation"
	"github.com/stmcginnis/gofish"
)

// Resources are decoded into the small structs below rather than into
// gofish's schema types, for reasons found on real data:
//
//   - gofish v0.26.0's types fail as a whole on values real services send:
//     Power without PowerControl ("unexpected end of JSON input", DMTF
//     public-bladed), a Drive with NVMe.ActivePersonalities identifiers
//     (DMTF public-tower), a Volume of 2.3e19 bytes (DMTF public-tower,
//     overflows int); one odd property loses the whole resource;
//   - they keep the links we need (Links.Outlet, Links.Drives, Links.Ports,
//     RedundancyGroup) in unexported fields, reachable only by a GET each;
//   - PowerSubsystem.PowerSupplies decodes members into the legacy
//     Power.PowerSupply type, which has no LineInputStatus or Links.Outlet;
//   - they cannot take a resource that arrived inline in an $expand.
//
// Our structs hold only what the collector reads, with pointers where
// "missing" must differ from zero, and decode leniently (decodeJSON): a
// property of an unexpected type is skipped, the rest is kept. gofish
// still provides the wire seam (our client implements schemas.Client),
// session creation and deletion, the service root's protocol features, the
// Redfish enumerations the normalizers compare against, and the baseline
// the benchmarks measure against.

// decodeJSON unmarshals b into v, tolerating values of unexpected types
// (encoding/json skips such a field and carries on; we accept the result).
// Only malformed JSON is an error.
func decodeJSON(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

// ref is a hyperlink ({"@odata.id": "..."}). When the BMC expanded it,
// inline holds the resource as it came, at that place: it is used as is,
// whatever @odata.id it claims (a walk would have read that place too).
type ref struct {
	ID     string
	inline []byte
}

func (r *ref) UnmarshalJSON(b []byte) error {
	id, own := scanLink(b)
	r.ID = id
	if id != "" && own {
		r.inline = bytes.Clone(b)
	}
	return nil
}

type rfStatus struct {
	State      string
	Health     string
	Conditions []struct {
		MessageID string `json:"MessageId"`
		Message   string
	}
}

func (s rfStatus) condition() observation.Condition { return Condition(s.State, s.Health) }

type resource struct {
	ODataID string `json:"@odata.id"`
	ID      str    `json:"Id"`
	Name    string
	Status  rfStatus
}

type location struct {
	PartLocation struct {
		LocationOrdinalValue *float64
		ServiceLabel         string
	}
}

type reading struct {
	Reading  *float64
	SpeedRPM *float64
}

type collectionDoc struct {
	Members  []ref
	NextLink string `json:"Members@odata.nextLink"`
}

type serviceRootDoc struct {
	Systems, Chassis, Managers ref
	PowerEquipment             ref
	Links                      struct{ Sessions ref }
	SessionService             ref
	ProtocolFeaturesSupported  gofish.ProtocolFeaturesSupported
	RedfishVersion             string
	Vendor                     string
}

type systemDoc struct {
	resource
	Manufacturer, Model, SerialNumber, BiosVersion string
	PowerState, LastResetTime                      string
	Storage, SimpleStorage, EthernetInterfaces     ref
	Links                                          struct{ Chassis, ManagedBy []ref }
}

type chassisDoc struct {
	resource
	Manufacturer, Model, SerialNumber, ChassisType string
	PowerSubsystem, ThermalSubsystem               ref
	Power, Thermal, EnvironmentMetrics             ref
	NetworkAdapters                                ref
}

type managerDoc struct {
	resource
	Model, FirmwareVersion, ManagerType string
}

type redundantGroupDoc struct {
	GroupName, RedundancyType string
	MinNeededInGroup          *float64
	RedundancyGroup           []ref
	Status                    rfStatus
}

type powerSubsystemDoc struct {
	resource
	PowerSupplies         ref
	PowerSupplyRedundancy []redundantGroupDoc
}

type powerSupplyDoc struct {
	resource
	LineInputStatus     string
	PowerCapacityWatts  *float64
	Manufacturer, Model string
	SerialNumber        string
	Location            location
	Metrics             ref
	Links               struct{ Outlet ref }
	Oem                 json.RawMessage
}

type powerSupplyMetricsDoc struct {
	InputVoltage, InputPowerWatts, OutputPowerWatts reading
}

type legacyRedundancyDoc struct {
	MemberID      str `json:"MemberId"`
	Name, Mode    string
	MinNumNeeded  *float64
	RedundancySet []ref
	Status        rfStatus
}

type legacyPSUDoc struct {
	ODataID              string `json:"@odata.id"`
	MemberID             str    `json:"MemberId"`
	Name                 string
	Status               rfStatus
	LineInputVoltage     *float64
	PowerCapacityWatts   *float64
	PowerInputWatts      *float64
	PowerOutputWatts     *float64
	LastPowerOutputWatts *float64
	Model, SerialNumber  string
	Location             location
	Oem                  json.RawMessage
}

type legacyPowerDoc struct {
	PowerControl []struct {
		PowerConsumedWatts *float64
	}
	PowerSupplies []legacyPSUDoc
	Redundancy    []legacyRedundancyDoc
}

type environmentMetricsDoc struct {
	PowerWatts reading
}

type storageDoc struct {
	resource
	Drives             []ref
	Volumes            ref
	Controllers        ref
	StorageControllers []storageControllerDoc
}

type storageControllerDoc struct {
	resource
	MemberID                             str `json:"MemberId"`
	Model, SerialNumber, FirmwareVersion string
}

type volumeDoc struct {
	resource
	RAIDType, VolumeType string
	CapacityBytes        *float64
	Links                struct{ Drives []ref }
}

type driveDoc struct {
	resource
	MediaType, Model, SerialNumber string
	CapacityBytes                  *float64
	FailurePredicted               *bool
	PhysicalLocation               location
}

type simpleStorageDoc struct {
	resource
	Devices []struct {
		Name, Model   string
		CapacityBytes *float64
		Status        rfStatus
	}
}

type ethernetInterfaceDoc struct {
	resource
	Description           string
	EthernetInterfaceType string
	MACAddress            string
	PermanentMACAddress   string
	SpeedMbps             *float64
	LinkStatus            string
	InterfaceEnabled      *bool
	Links                 struct {
		Ports         []ref
		HostInterface ref
	}
}

type networkAdapterDoc struct {
	resource
	Ports, NetworkPorts ref
}

type portDoc struct {
	resource
	PortID           str `json:"PortId"`
	LinkStatus       string
	CurrentSpeedGbps *float64
	Ethernet         struct {
		LLDPReceive *struct {
			ChassisID         string `json:"ChassisId"`
			PortID            string `json:"PortId"`
			SystemName        string
			SystemDescription string
		}
	}
	Links struct{ EthernetInterfaces []ref }
}

type thermalSubsystemDoc struct {
	resource
	Fans, ThermalMetrics ref
	FanRedundancy        []redundantGroupDoc
}

type fanDoc struct {
	resource
	SpeedPercent reading
	Location     location
}

type thermalMetricsDoc struct {
	TemperatureSummaryCelsius struct {
		Intake, Ambient reading
	}
	TemperatureReadingsCelsius []struct {
		DeviceName, PhysicalContext string
		Reading                     *float64
	}
}

type legacyThermalDoc struct {
	Fans []struct {
		ODataID       string `json:"@odata.id"`
		MemberID      str    `json:"MemberId"`
		Name, FanName string
		Reading       *float64
		ReadingUnits  string
		Status        rfStatus
	}
	Temperatures []struct {
		Name, PhysicalContext string
		ReadingCelsius        *float64
		Status                rfStatus
	}
	Redundancy []legacyRedundancyDoc
}

// bytesOf converts a reported byte count to int64, nil when it does not
// fit (DMTF's public-tower reports a 2.3e19-byte volume).
func bytesOf(f *float64) *int64 {
	if f == nil || *f < 0 || *f >= math.MaxInt64 || math.IsNaN(*f) {
		return nil
	}
	v := int64(*f)
	return &v
}

func intOf(f *float64) *int {
	if f == nil || math.IsNaN(*f) || *f < 0 || *f > math.MaxInt32 {
		return nil
	}
	v := int(*f)
	return &v
}

func itoa(i int) string { return strconv.Itoa(i) }
