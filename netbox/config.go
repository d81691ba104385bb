package netbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config says what NetBox does not hold. Every key is optional.
type Config struct {
	// Roles maps a NetBox device role (slug) to a device kind.
	Roles map[string]string `yaml:"roles"`
	// DefaultKind is the kind of a device whose role is not in Roles and
	// whose slug names no kind (default appliance).
	DefaultKind string `yaml:"default_kind"`
	// Network roots: devices of these roles, or with these names.
	Network struct {
		RootRoles []string `yaml:"root_roles"`
		RootNames []string `yaml:"root_names"`
	} `yaml:"network"`
	// Upstream maps a power panel (its NetBox name, or "site-slug/name")
	// to the inputs that feed it: ids in a hand-kept file (UPSes, ATSes).
	Upstream map[string][]string `yaml:"upstream"`
	// MinPSUs maps a device type (its model) to min_psus.
	MinPSUs map[string]int `yaml:"min_psus"`
	// Services says where services come from; none unless configured.
	Services struct {
		IPAM     bool     `yaml:"ipam"`
		Clusters bool     `yaml:"clusters"`
		Tags     []string `yaml:"tags"`
	} `yaml:"services"`
	// Management templates, the first that matches a device wins.
	Management []ManagementTemplate `yaml:"management"`
	// SkipRoles are roles never imported (reported).
	SkipRoles []string `yaml:"skip_roles"`
}

// ManagementTemplate gives devices of a role or platform management; in
// its strings {oob_ip}, {primary_ip} and {name} are the device's.
type ManagementTemplate struct {
	Role     string         `yaml:"role"`
	Platform string         `yaml:"platform"`
	Redfish  map[string]any `yaml:"redfish"`
	SNMP     map[string]any `yaml:"snmp"`
}

// LoadConfig reads a config file strictly: an unknown key is an error
// with its line.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("netbox config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig is LoadConfig for a config already read.
func ParseConfig(name string, data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	for role, kind := range c.Roles {
		if !validKind(kind) {
			return nil, fmt.Errorf("%s: roles: %s: unknown kind %q; use server, switch, router, firewall, storage or appliance", name, role, kind)
		}
	}
	if c.DefaultKind != "" && !validKind(c.DefaultKind) {
		return nil, fmt.Errorf("%s: default_kind: unknown kind %q; use server, switch, router, firewall, storage or appliance", name, c.DefaultKind)
	}
	for i, m := range c.Management {
		if (m.Role == "") == (m.Platform == "") {
			return nil, fmt.Errorf("%s: management entry %d: give role or platform (one of them)", name, i+1)
		}
		if (m.Redfish == nil) == (m.SNMP == nil) {
			return nil, fmt.Errorf("%s: management entry %d: give redfish or snmp (one of them)", name, i+1)
		}
	}
	for i, m := range c.Management {
		for _, tmpl := range []map[string]any{m.Redfish, m.SNMP} {
			for _, k := range []string{"password", "community", "auth_password", "priv_password"} {
				v, ok := tmpl[k]
				if !ok {
					continue
				}
				s, _ := v.(string)
				if !strings.HasPrefix(s, "${env:") && !strings.HasPrefix(s, "${file:") {
					return nil, fmt.Errorf("%s: management entry %d: %s is a plaintext secret; write it as ${env:NAME} or ${file:PATH}: no secret is written into the inventory", name, i+1, k)
				}
			}
		}
	}
	for t, n := range c.MinPSUs {
		if n < 1 {
			return nil, fmt.Errorf("%s: min_psus: %s: %d; 1 or more", name, t, n)
		}
	}
	return &c, nil
}

func validKind(k string) bool {
	switch k {
	case "server", "switch", "router", "firewall", "storage", "appliance":
		return true
	}
	return false
}
