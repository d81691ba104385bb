package netbox

import (
	"strings"
	"testing"
)

func TestConfigErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown key", "rolez: {}\n", "field rolez not found"},
		{"bad kind", "roles: {server: computer}\n", `unknown kind "computer"`},
		{"bad default kind", "default_kind: toaster\n", `unknown kind "toaster"`},
		{"template without match", "management:\n  - redfish: {endpoint: x}\n", "give role or platform"},
		{"template with both protocols", "management:\n  - role: r\n    redfish: {endpoint: x}\n    snmp: {address: y}\n", "give redfish or snmp"},
		{"min_psus 0", "min_psus: {R650: 0}\n", "1 or more"},
		{"plaintext secret", "management:\n  - role: server\n    redfish: {endpoint: \"https://{oob_ip}\", username: a, password: hunter2}\n", "write it as ${env:NAME}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("c.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the secret is in the error: %v", err)
			}
		})
	}
	if _, err := ParseConfig("c.yaml", []byte("")); err != nil {
		t.Errorf("an empty config: %v", err)
	}
}

func FuzzConfig(f *testing.F) {
	f.Add("roles: {a: server}\nupstream: {p: [x]}\n")
	f.Add("management:\n  - role: r\n    snmp: {address: \"{primary_ip}\", community: \"${env:C}\"}\n")
	f.Fuzz(func(t *testing.T, src string) {
		ParseConfig("fuzz.yaml", []byte(src))
	})
}
