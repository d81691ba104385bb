package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const upstreamFile = `version: 1
sites:
  - {id: lon1}
power:
  - {id: grid, kind: utility, site: lon1}
  - {id: panel-1, kind: panel, site: lon1, inputs: [grid]}
`

const generatedFile = `version: 1
netbox: https://netbox.example.test
racks:
  - {id: r01, site: lon1, netbox: dcim.rack/1}
power:
  - {id: feed-a, kind: feed, site: lon1, inputs: [panel-1], netbox: dcim.powerfeed/7}
devices:
  - id: sw1
    kind: switch
    rack: r01
    netbox: dcim.device/27
    psus:
      - {id: PSU1, pdu: feed-a, netbox: dcim.powerport/3}
      - {id: PSU2, netbox: dcim.powerport/4}
`

func TestLoadFilesUnion(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"10-upstream.yaml": upstreamFile, "20-netbox.yaml": generatedFile,
		"notes.txt": "not yaml", ".hidden.yaml": "garbage: ["})
	inv, err := LoadFiles([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "10-upstream.yaml"), filepath.Join(dir, "20-netbox.yaml")}
	if strings.Join(inv.Files, ",") != strings.Join(want, ",") {
		t.Fatalf("files %v, want %v", inv.Files, want)
	}
	if got := inv.Summarize(); got.Power != 3 || got.Racks != 1 || got.Devices != 1 || got.PSUs != 2 {
		t.Errorf("summary %v", got)
	}
	sw := inv.Device("sw1")
	if f := inv.FileOf(sw.IDPos); f != want[1] {
		t.Errorf("sw1 in %s, want %s", f, want[1])
	}
	if f := inv.FileOf(inv.PowerNode("grid").IDPos); f != want[0] {
		t.Errorf("grid in %s, want %s", f, want[0])
	}
	if got := inv.NetBoxLink(sw.NetBox, sw.Pos); got != "https://netbox.example.test/dcim/devices/27/" {
		t.Errorf("link %q", got)
	}
	if got := inv.NetBoxLink("dcim.site/1", inv.Site("lon1").Pos); got != "" {
		t.Errorf("an entry of a file without netbox URL links to %q", got)
	}
	if !sw.PSUs[1].Unsourced() || sw.PSUs[0].Unsourced() {
		t.Errorf("unsourced: %v %v", sw.PSUs[0].Unsourced(), sw.PSUs[1].Unsourced())
	}
	// -i FILE -i FILE is the same union.
	inv2, err := LoadFiles(want, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv2.Summarize() != inv.Summarize() {
		t.Errorf("files and directory differ: %v vs %v", inv2.Summarize(), inv.Summarize())
	}
}

func TestLoadFilesErrorsInTheirOwnFile(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"dangling reference across files", map[string]string{
			"a.yaml": upstreamFile,
			"b.yaml": "version: 1\nracks:\n  - {id: r01, site: lon2}\n",
		}, []string{`b.yaml:3:21: unknown site "lon2"; did you mean "lon1"?`}},
		{"duplicate id across files", map[string]string{
			"a.yaml": upstreamFile,
			"b.yaml": "version: 1\nsites:\n  - {id: lon1}\n",
		}, []string{`b.yaml:3:10: duplicate id "lon1"; ids are unique across sites, racks, power, devices and services; the first is at a.yaml line 3`}},
		{"errors in both files, in file order", map[string]string{
			"a.yaml": "version: 1\nsites:\n  - {id: lon1, colour: red}\n",
			"b.yaml": "version: 2\nracks:\n  - {id: r1, site: nowhere}\n",
		}, []string{
			`a.yaml:3:16: unknown key "colour" in a site`,
			`b.yaml:1:10: unsupported inventory version 2`,
			`b.yaml:3:20: unknown site "nowhere"`,
		}},
		{"syntax error in one file", map[string]string{
			"a.yaml": upstreamFile,
			"b.yaml": "version: 1\nsites: [\n",
		}, []string{`b.yaml:`}},
		{"two policies", map[string]string{
			"a.yaml": "version: 1\npolicy: {max_load_pct: 80}\n",
			"b.yaml": "version: 1\npolicy: {max_pairs: 3}\n",
		}, []string{`b.yaml:2:9: a second policy section; keep one policy section; the first is in`}},
		{"two reliability sections", map[string]string{
			"a.yaml": "version: 1\nreliability: {defaults: {psu: {afr: 0.02}}}\n",
			"b.yaml": "version: 1\nreliability:\n  defaults: {drive: {afr: 0.02}}\n",
		}, []string{`b.yaml:3:3: a second reliability section; keep one reliability section; the first is in`}},
		{"port used twice across files", map[string]string{
			"a.yaml": upstreamFile + "racks:\n  - {id: r1, site: lon1}\ndevices:\n  - {id: s1, kind: server, rack: r1, psus: []}\n  - {id: s2, kind: switch, rack: r1, psus: []}\nlinks:\n  - {a: \"s1:e1\", b: \"s2:e1\"}\n",
			"b.yaml": "version: 1\nlinks:\n  - {a: \"s1:e1\", b: \"s2:e2\"}\n",
		}, []string{`b.yaml:3:9: link end "s1:e1" used twice; a port takes one cable; the other is at `}},
		{"netbox identity twice", map[string]string{
			"a.yaml": upstreamFile,
			"b.yaml": "version: 1\nracks:\n  - {id: r1, site: lon1, netbox: dcim.rack/1}\n  - {id: r2, site: lon1, netbox: dcim.rack/1}\n",
		}, []string{`b.yaml:4:34: netbox identity "dcim.rack/1" used twice`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			_, err := LoadFiles([]string{dir}, Options{})
			var ierr *Error
			if !errors.As(err, &ierr) {
				t.Fatalf("want positioned errors, got %v", err)
			}
			var got []string
			for _, d := range ierr.Diagnostics {
				got = append(got, strings.ReplaceAll(d.String(), dir+string(filepath.Separator), ""))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("diagnostic %d:\n got %s\nwant %s…", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestBreakoutCableSharesAPort(t *testing.T) {
	src := "version: 1\nsites: [{id: s}]\nracks: [{id: r, site: s}]\ndevices:\n" +
		"  - {id: sw, kind: switch, rack: r, psus: []}\n  - {id: a, kind: server, rack: r, psus: []}\n  - {id: b, kind: server, rack: r, psus: []}\n" +
		"links:\n  - {a: \"sw:et1\", b: \"a:eth0\", cable: c7}\n  - {a: \"sw:et1\", b: \"b:eth0\", cable: c7}\n"
	if _, err := Parse("x.yaml", []byte(src), Options{}); err != nil {
		t.Fatalf("a breakout cable's shared port is one end: %v", err)
	}
	bad := strings.Replace(src, "cable: c7}\n  - {a: \"sw:et1\", b: \"b:eth0\", cable: c7}", "cable: c7}\n  - {a: \"sw:et1\", b: \"b:eth0\", cable: c8}", 1)
	if _, err := Parse("x.yaml", []byte(bad), Options{}); err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Fatalf("two cables on one port must be an error, got %v", err)
	}
}

func TestExpandErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Expand([]string{dir}); err == nil || !strings.Contains(err.Error(), "no *.yaml") {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := Expand([]string{filepath.Join(dir, "missing.yaml")}); err == nil {
		t.Error("missing file: no error")
	}
	writeFiles(t, dir, map[string]string{"a.yaml": upstreamFile})
	files, err := Expand([]string{dir, filepath.Join(dir, "a.yaml")})
	if err != nil || len(files) != 1 {
		t.Errorf("a file named twice is read once: %v %v", files, err)
	}
}

func TestHashChangesWithAnyFile(t *testing.T) {
	a := []Source{{"a.yaml", []byte("x")}, {"b.yaml", []byte("y")}}
	b := []Source{{"a.yaml", []byte("x")}, {"b.yaml", []byte("z")}}
	c := []Source{{"a.yaml", []byte("xy")}, {"b.yaml", []byte("")}}
	if Hash(a) == Hash(b) || Hash(a) == Hash(c) {
		t.Error("hash does not tell the sources apart")
	}
}

func TestNetBoxURLOf(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"10-upstream.yaml": upstreamFile, "20-netbox.yaml": generatedFile})
	inv, err := LoadFiles([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"sw1":      "https://netbox.example.test/dcim/devices/27/",
		"sw1/PSU2": "https://netbox.example.test/dcim/power-ports/4/",
		"feed-a":   "https://netbox.example.test/dcim/power-feeds/7/",
		"r01":      "https://netbox.example.test/dcim/racks/1/",
		"grid":     "", // hand-kept: no identity
		"nothing":  "",
	} {
		if got := inv.NetBoxURLOf(id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
}
