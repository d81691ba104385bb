package inventory

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) != len(invalidCases) {
		t.Errorf("%d files in testdata/invalid but %d cases: every file needs a case", len(files), len(invalidCases))
	}
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", "invalid", tc.name+".yaml")
			inv, err := Load(path, Options{Strict: strings.HasSuffix(tc.name, "-strict")})
			if err == nil {
				t.Fatalf("Load succeeded with %d warnings; want errors", len(inv.Warnings))
			}
			var ierr *Error
			if !errors.As(err, &ierr) {
				t.Fatalf("error is %T, want *Error: %v", err, err)
			}
			var got []string
			for _, d := range ierr.Diagnostics {
				if d.Severity == SevError {
					got = append(got, strings.Replace(d.String(), path, "F", 1))
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBundledInventory(t *testing.T) {
	inv, err := Load("../inventory.yaml", Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	s := inv.Summarize()
	if s.Sites < 2 || s.Racks < 4 || s.Devices < 10 || s.Services < 4 {
		t.Errorf("bundled inventory is too small to exercise the auditor: %s", s)
	}
	kinds := map[PowerKind]bool{}
	for _, p := range inv.Power {
		kinds[p.Kind] = true
	}
	for _, k := range []PowerKind{Utility, Generator, ATS, UPS, Feed, PDU} {
		if !kinds[k] {
			t.Errorf("bundled inventory has no %s", k)
		}
	}
	var redfish, snmp int
	for _, m := range inv.ManagedTargets() {
		if m.Management.Redfish != nil {
			redfish++
		}
		if m.Management.SNMP != nil {
			snmp++
			if !strings.HasPrefix(m.Management.SNMP.Address, "127.") {
				t.Errorf("%s: demo addresses must be loopback, got %s", m.ID, m.Management.SNMP.Address)
			}
		}
	}
	if redfish == 0 || snmp == 0 {
		t.Errorf("bundled inventory manages %d redfish and %d snmp devices; want both", redfish, snmp)
	}
}

func TestPositions(t *testing.T) {
	src := "version: 1\nsites:\n  - id: lon1\nracks:\n  - {id: r01, site: lon1}\npower:\n  - {id: f, kind: feed, site: lon1}\n  - {id: p, kind: pdu, rack: r01, inputs: [f], outlets: 4}\n" +
		"devices:\n  - id: s1\n    kind: server\n    rack: r01\n    psus:\n      - {id: PSU1, pdu: p, outlet: 2}\n"
	inv, err := Parse("x.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := inv.Device("s1")
	checks := []struct {
		name string
		got  Pos
		want Pos
	}{
		{"device", d.Pos, Pos{Line: 10, Col: 5}},
		{"device id", d.IDPos, Pos{Line: 10, Col: 9}},
		{"rack", d.RackPos, Pos{Line: 12, Col: 11}},
		{"psu", d.PSUs[0].Pos, Pos{Line: 14, Col: 9}},
		{"psu pdu", d.PSUs[0].PDUPos, Pos{Line: 14, Col: 25}},
		{"psu outlet", d.PSUs[0].OutletPos, Pos{Line: 14, Col: 36}},
		{"pdu input", inv.PowerNode("p").InputsPos[0], Pos{Line: 8, Col: 44}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s at %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	src := "version: 1\nsites: [{id: a}]\nracks: [{id: r, site: a}]\npower: [{id: p, kind: pdu, rack: r}]\n" +
		"devices: [{id: d, kind: server, rack: r, psus: [{id: P1, pdu: p}, {id: P2, pdu: p}]}]\nservices: [{id: s, members: [d]}]\n"
	inv, err := Parse("", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, d := inv.Service("s"), inv.Device("d")
	if s.NeededUp() != 1 || s.Tolerance() != 1 || s.FailoverMode() != Automatic || s.DR {
		t.Errorf("service defaults: min_up %d tolerate %d failover %s dr %v", s.NeededUp(), s.Tolerance(), s.FailoverMode(), s.DR)
	}
	if d.NeededPSUs() != 1 {
		t.Errorf("min_psus default %d, want 1", d.NeededPSUs())
	}
	if inv.Policy.LoadLimit() != 0.8 || inv.Policy.InletLimit() != 27 {
		t.Errorf("policy defaults %v %v", inv.Policy.LoadLimit(), inv.Policy.InletLimit())
	}
}

func TestPlaintextSecretIsAWarning(t *testing.T) {
	src := "version: 1\nsites: [{id: a}]\nracks: [{id: r, site: a}]\n" +
		"devices:\n  - id: d\n    kind: switch\n    rack: r\n    management:\n      snmp: {address: 127.0.0.1, community: s3cret-c0mmunity}\n"
	inv, err := Parse("x.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var plain []Diagnostic
	for _, w := range inv.Warnings {
		if strings.Contains(w.Message, "plaintext") {
			plain = append(plain, w)
		}
	}
	if len(plain) != 1 || !strings.Contains(plain[0].String(), "x.yaml:9:45: warning: plaintext community") {
		t.Fatalf("warnings: %v", inv.Warnings)
	}
	for _, w := range inv.Warnings {
		if strings.Contains(w.String(), "s3cret") {
			t.Errorf("warning leaks the secret: %s", w)
		}
	}
	_, err = Parse("x.yaml", []byte(src), Options{Strict: true})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("strict: %v", err)
	}
	b, _ := json.Marshal(inv.Device("d").Management)
	if strings.Contains(string(b), "s3cret") || !strings.Contains(string(b), "redacted") {
		t.Errorf("json leaks or loses the secret: %s", b)
	}
}

func TestDeviceWithoutPSUsIsAWarning(t *testing.T) {
	src := "version: 1\nsites: [{id: a}]\nracks: [{id: r, site: a}]\ndevices:\n  - {id: d, kind: server, rack: r}\n"
	inv, err := Parse("x.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `x.yaml:5:10: warning: device "d" declares no psus: its power is not modelled and it counts as powered; declare its psus to model its power`
	if len(inv.Warnings) != 1 || inv.Warnings[0].String() != want {
		t.Errorf("warnings %v, want %s", inv.Warnings, want)
	}
}

func TestSecretResolve(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAULTLINE_TEST_SECRET", "from-env")
	tests := []struct {
		s       Secret
		want    string
		wantErr string
	}{
		{"${env:FAULTLINE_TEST_SECRET}", "from-env", ""},
		{"${env:FAULTLINE_TEST_UNSET}", "", "${env:FAULTLINE_TEST_UNSET}: secret not set: environment variable FAULTLINE_TEST_UNSET is empty or unset; export it before polling"},
		{"${file:pw}", "from-file", ""},
		{"${file:missing}", "", "does not exist"},
		{"plain", "plain", ""},
	}
	for _, tc := range tests {
		got, err := tc.s.Resolve(dir)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.s, err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrSecretUnset) {
				t.Errorf("%s: error does not wrap ErrSecretUnset", tc.s)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.s, got, err, tc.want)
		}
	}
	if Secret("hunter2").String() != "<redacted>" || Secret("${env:X}").String() != "${env:X}" {
		t.Error("String must redact plaintext and show references")
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nsites: [{id: a}]\nracks: [{id: r, site: a}]\npower: [{id: p, kind: pdu, rack: r}]\npolicy: &big {max_pairs: 1}\ndevices:\n  - id: d0\n    kind: server\n    rack: r\n    psus: &p [")
	for i := 0; i < 2000; i++ {
		b.WriteString("{id: P" + itoa(i) + ", pdu: p},")
	}
	b.WriteString("]\n")
	for i := 1; i < 5000; i++ {
		b.WriteString("  - {id: d" + itoa(i) + ", kind: server, rack: r, psus: *p}\n")
	}
	_, err := Parse("bomb.yaml", []byte(b.String()), Options{})
	if err == nil || !strings.Contains(err.Error(), "too much data through aliases") {
		t.Fatalf("alias bomb: %.300v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestSuggest(t *testing.T) {
	cands := []string{"pdu-r01-a", "pdu-r01-b", "pdu-r02-a", "feed-a"}
	tests := map[string]string{
		"pdu-r1-b":  `did you mean "pdu-r01-b"?`,
		"pud-r01-a": `did you mean "pdu-r01-a"?`,
		"feed-b":    `did you mean "feed-a"?`,
		"ups-a":     "",
		"x":         "",
	}
	for in, want := range tests {
		if got := suggest(in, cands); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// yamlBlock finds fenced YAML examples in the docs.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// TestDocsExamples parses every YAML example in docs/: whole inventories
// (starting "version: 1") must load cleanly; fragments must decode strictly
// as part of an inventory.
func TestDocsExamples(t *testing.T) {
	docs, _ := filepath.Glob("../docs/*.md")
	n := 0
	for _, doc := range docs {
		if notInventories[filepath.Base(doc)] {
			continue
		}
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range yamlBlock.FindAllSubmatch(data, -1) {
			n++
			name := filepath.Base(doc) + "#" + itoa(i+1)
			src := m[1]
			if strings.HasPrefix(string(src), "version: 1") {
				if _, err := Parse(name, src, Options{}); err != nil {
					t.Errorf("%s: %v", name, err)
				}
				continue
			}
			if err := decodeOnly(name, src); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if n == 0 {
		t.Error("no YAML examples found in docs/")
	}
}

// decodeOnly runs the strict decoder without cross-reference validation.
// A fragment may be part of the inventory, or the body of a device or
// power node (its management, psus, ...): it must decode strictly as one.
func decodeOnly(file string, data []byte) error {
	root, err := parseYAML(data)
	if err != nil {
		return err
	}
	var first error
	for _, target := range []any{&Inventory{}, &Device{}, &PowerNode{}, &Service{}} {
		d := &decoder{reporter: reporter{file: file}, budget: 1 << 20}
		d.decode(root, reflect.ValueOf(target).Elem(), "the fragment")
		if len(d.diags) == 0 {
			return nil
		}
		if first == nil {
			first = &Error{Diagnostics: d.diags}
		}
	}
	return first
}

// notInventories are the docs whose YAML blocks are not inventories; each
// is parsed by a test of its own.
var notInventories = map[string]bool{
	// an import config and a hand-kept file that refers into the imported
	// one: cmd/faultline's TestNetBoxDocs parses them.
	"netbox.md": true,
	// CI configurations: cmd/faultline's TestCIExamples parses them and
	// runs their commands.
	"ci.md": true,
	// a web configuration and a Prometheus scrape configuration: api's
	// TestSecurityDocExamples parses them.
	"security.md": true,
}
