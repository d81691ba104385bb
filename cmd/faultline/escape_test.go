package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestDeviceTextEscapedInOutputs is issue 18's seventh trick end to end:
// a device reports an LLDP neighbour whose name holds a Markdown heading
// and a workflow command on lines of their own, a link, an image, a
// mention, a backtick, raw HTML and terminal escapes; audit's Markdown
// (a pull request comment), table and whatif outputs carry it inert.
func TestDeviceTextEscapedInOutputs(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.yaml")
	obs := filepath.Join(dir, "observations.json")
	if err := os.WriteFile(inv, []byte(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid]}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [grid]}
devices:
  - id: db-1
    kind: server
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    management: {redfish: {endpoint: "https://127.0.0.1:1", username: audit, password: "${env:X}"}}
  - {id: sw-1, kind: switch, rack: r1, psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]}
links:
  - {a: "db-1:eno1", b: "sw-1:e1"}
network: {roots: [sw-1]}
services:
  - {id: app, members: [db-1]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	const neighbour = `evil\n## heading\n::error::x [x](http://evil) ![i](http://evil) @org/team ` + "`" + ` <script>alert(1)</script> \u001b]0;owned\u0007\u001b[31mred\u009b2J\u202e`
	if err := os.WriteFile(obs, []byte(`{"version": 1, "generated_at": "2026-01-01T00:00:00Z", "devices": [
 {"id": "db-1", "source": "redfish", "attempted_at": "2026-01-01T00:00:00Z", "collected_at": "2026-01-01T00:00:00Z", "duration": 1,
  "psus": [{"id": "PSU1", "condition": "ok"}, {"id": "PSU2", "condition": "ok"}],
  "ports": [{"name": "eno1", "oper": "up", "neighbors": [{"protocol": "lldp", "sys_name": "`+neighbour+`", "port_id": "e1`+"`"+`<b>"}]}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}

	_, md, errOut := cli(t, "audit", inv, "--observations", obs, "-o", "markdown")
	if !strings.Contains(md, "neighbour seen is evil") {
		t.Fatalf("no drift finding from the neighbour:\n%s%s", md, errOut)
	}
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if strings.HasPrefix(trimmed, "::") || strings.HasPrefix(trimmed, "## heading") {
			t.Errorf("markdown line %d is the device's: %q", i+1, line)
		}
		for _, raw := range []string{"<script>", "[x](", "![i](", "@org", "<b>"} {
			if strings.Contains(withoutCodeSpansCLI(line), raw) {
				t.Errorf("markdown line %d keeps %q outside code spans: %q", i+1, raw, line)
			}
		}
	}
	for name, args := range map[string][]string{
		"audit table":  {"audit", inv, "--observations", obs, "-o", "table"},
		"whatif table": {"whatif", inv, "--fail", "pdu-a", "--observations", obs},
	} {
		_, out, errOut := cli(t, args...)
		for _, r := range out + errOut {
			if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
				t.Errorf("%s: %U reaches the terminal:\n%q", name, r, out+errOut)
				break
			}
		}
		for i, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, " "), "::") {
				t.Errorf("%s: line %d is a workflow command: %q", name, i+1, line)
			}
		}
	}
}

// withoutCodeSpansCLI drops `…` and “…“ spans (the report's fences).
func withoutCodeSpansCLI(line string) string {
	var b strings.Builder
	for line != "" {
		i := strings.IndexByte(line, '`')
		if i < 0 {
			b.WriteString(line)
			break
		}
		b.WriteString(line[:i])
		j := i
		for j < len(line) && line[j] == '`' {
			j++
		}
		fence := line[i:j]
		end := strings.Index(line[j:], fence)
		if end < 0 {
			b.WriteString(line[i:])
			break
		}
		line = line[j+end+len(fence):]
	}
	return b.String()
}
