package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// What the import reads of each NetBox object: only the fields it maps.

// Ref is a nested (brief) object.
type Ref struct {
	ID      int    `json:"id"`
	Name    string `json:"name"`
	Slug    string `json:"slug"`
	Display string `json:"display"`
}

// Choice is a NetBox choice field ({value, label}).
type Choice struct {
	Value string `json:"value"`
}

// Site is a dcim.site.
type Site struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// Location is a dcim.location.
type Location struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
	Site *Ref   `json:"site"`
}

// Rack is a dcim.rack.
type Rack struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Site     *Ref   `json:"site"`
	Location *Ref   `json:"location"`
}

// PowerPanel is a dcim.powerpanel.
type PowerPanel struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Site *Ref   `json:"site"`
}

// PowerFeed is a dcim.powerfeed.
type PowerFeed struct {
	ID             int     `json:"id"`
	Name           string  `json:"name"`
	PowerPanel     *Ref    `json:"power_panel"`
	Rack           *Ref    `json:"rack"`
	Status         Choice  `json:"status"`
	Phase          Choice  `json:"phase"`
	Voltage        float64 `json:"voltage"`
	Amperage       float64 `json:"amperage"`
	MaxUtilization float64 `json:"max_utilization"`
	Cable          *Ref    `json:"cable"`
	LinkPeers      []Peer  `json:"link_peers"`
	LinkPeersType  string  `json:"link_peers_type"`
	MarkConnected  bool    `json:"mark_connected"`
	Tags           []Ref   `json:"tags"`
}

// Device is a dcim.device. Role is NetBox 4's "role"; DeviceRole is 3.x's
// "device_role", read when role is absent.
type Device struct {
	ID         int     `json:"id"`
	Name       *string `json:"name"`
	DeviceType *struct {
		Model        string `json:"model"`
		Manufacturer *Ref   `json:"manufacturer"`
	} `json:"device_type"`
	Role           *Ref     `json:"role"`
	DeviceRole     *Ref     `json:"device_role"`
	Platform       *Ref     `json:"platform"`
	Serial         string   `json:"serial"`
	Site           *Ref     `json:"site"`
	Rack           *Ref     `json:"rack"`
	Position       *float64 `json:"position"`
	Status         Choice   `json:"status"`
	PrimaryIP      *IP      `json:"primary_ip"`
	OOBIP          *IP      `json:"oob_ip"`
	Cluster        *Ref     `json:"cluster"`
	VirtualChassis *Ref     `json:"virtual_chassis"`
	VCPosition     *int     `json:"vc_position"`
	Tags           []Ref    `json:"tags"`
	ParentDevice   *Ref     `json:"parent_device"`
	PowerOutlets   int      `json:"power_outlet_count"`
}

// IP is a nested IP address.
type IP struct {
	Address string `json:"address"`
}

// Peer is one far end of a cable (link_peers, connected_endpoints).
type Peer struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Device *Ref   `json:"device"`
	Cable  *Ref   `json:"cable"`
}

// PowerPort is a dcim.powerport: a device's PSU, or a PDU's input.
type PowerPort struct {
	ID            int    `json:"id"`
	Name          string `json:"name"`
	Device        *Ref   `json:"device"`
	AllocatedDraw *int   `json:"allocated_draw"`
	MaximumDraw   *int   `json:"maximum_draw"`
	Cable         *Ref   `json:"cable"`
	MarkConnected bool   `json:"mark_connected"`
	LinkPeers     []Peer `json:"link_peers"`
	LinkPeersType string `json:"link_peers_type"`
	Reachable     *bool  `json:"connected_endpoints_reachable"`
}

// PowerOutlet is a dcim.poweroutlet.
type PowerOutlet struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	Device    *Ref   `json:"device"`
	PowerPort *Ref   `json:"power_port"`
}

// Interface is a dcim.interface.
type Interface struct {
	ID                 int    `json:"id"`
	Name               string `json:"name"`
	Device             *Ref   `json:"device"`
	Enabled            bool   `json:"enabled"`
	MgmtOnly           bool   `json:"mgmt_only"`
	Cable              *Ref   `json:"cable"`
	LinkPeersType      string `json:"link_peers_type"`
	Endpoints          []Peer `json:"connected_endpoints"`
	EndpointsType      string `json:"connected_endpoints_type"`
	EndpointsReachable *bool  `json:"connected_endpoints_reachable"`
}

// Cable is a dcim.cable (its status decides whether it is live).
type Cable struct {
	ID     int    `json:"id"`
	Status Choice `json:"status"`
}

// Service is an ipam.service.
type Service struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Device *Ref   `json:"device"`
}

// Cluster is a virtualization.cluster.
type Cluster struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// Data is everything read from one NetBox.
type Data struct {
	URL          string
	Version      string
	Sites        []Site
	Locations    []Location
	Racks        []Rack
	PowerPanels  []PowerPanel
	PowerFeeds   []PowerFeed
	Devices      []Device
	PowerPorts   []PowerPort
	PowerOutlets []PowerOutlet
	Interfaces   []Interface
	Cables       []Cable
	Services     []Service
	Clusters     []Cluster
	Stats        Stats
}

// FetchOptions say what to read.
type FetchOptions struct {
	// Sites are site slugs to read; none reads every site.
	Sites []string
	// Services and Clusters read ipam/services and virtualization/clusters.
	Services, Clusters bool
}

// Fetch reads everything the mapping needs, in a fixed order.
func Fetch(ctx context.Context, c *Client, o FetchOptions) (*Data, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	d := &Data{URL: c.BaseURL(), Version: st.Version}
	if major := strings.SplitN(st.Version, ".", 2)[0]; major != "4" && major != "3" {
		return nil, &Error{URL: redact(c.endpoint("status")), What: fmt.Sprintf("NetBox %s is not supported", st.Version), Fix: "import from NetBox 4.x (3.x is read as far as its answers allow)"}
	}
	bySite := func(key string) url.Values {
		if len(o.Sites) == 0 {
			return nil
		}
		return url.Values{key: o.Sites}
	}
	steps := []struct {
		path  string
		query url.Values
		into  func(json.RawMessage) error
		skip  bool
	}{
		{"dcim/sites", bySite("slug"), into(&d.Sites), false},
		{"dcim/locations", bySite("site"), into(&d.Locations), false},
		{"dcim/racks", bySite("site"), into(&d.Racks), false},
		{"dcim/power-panels", bySite("site"), into(&d.PowerPanels), false},
		{"dcim/power-feeds", bySite("site"), into(&d.PowerFeeds), false},
		{"dcim/devices", bySite("site"), into(&d.Devices), false},
		{"dcim/power-ports", bySite("site"), into(&d.PowerPorts), false},
		{"dcim/power-outlets", bySite("site"), into(&d.PowerOutlets), false},
		{"dcim/interfaces", bySite("site"), into(&d.Interfaces), false},
		{"dcim/cables", bySite("site"), into(&d.Cables), false},
		{"ipam/services", nil, into(&d.Services), !o.Services},
		{"virtualization/clusters", nil, into(&d.Clusters), !o.Clusters},
	}
	for _, s := range steps {
		if s.skip {
			continue
		}
		if err := c.List(ctx, s.path, s.query, s.into); err != nil {
			return nil, err
		}
	}
	d.Stats = c.Stats()
	return d, nil
}

// into appends each object, decoded, to a slice.
func into[T any](dst *[]T) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("an object does not have NetBox's shape: %v", err)
		}
		*dst = append(*dst, v)
		return nil
	}
}
