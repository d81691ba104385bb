package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExport: export openpsa writes the tree to stdout or --out, takes
// the inventory as other commands do, lays observations over it (a
// failed PSU becomes a house event), and rejects what it cannot do with
// exit 2 and a message.
func TestExport(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inv.yaml")
	obs := filepath.Join(dir, "obs.json")
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
services:
  - {id: db, members: [db-1]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(obs, []byte(`{"version": 1, "generated_at": "2026-01-01T00:00:00Z", "devices": [
 {"id": "db-1", "source": "redfish", "attempted_at": "2026-01-01T00:00:00Z", "collected_at": "2026-01-01T00:00:00Z", "duration": 1,
  "psus": [{"id": "PSU1", "condition": "ok"}, {"id": "PSU2", "condition": "failed"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "model.xml")
	cases := []struct {
		name string
		args []string
		code int
		want []string // substrings of stdout+stderr
	}{
		{"stdout", []string{"export", "openpsa", inv}, 0, []string{`<define-gate name="top-db">`, `<define-basic-event name="psu-db-1_sPSU2">`, `value="db-1/PSU2"`}},
		{"-i, flags after", []string{"export", "openpsa", "-i", inv, "--out", out}, 0, nil},
		{"observations", []string{"export", "openpsa", inv, "--observations", obs}, 0, []string{`<define-house-event name="psu-db-1_sPSU2">`, "observations from " + obs}},
		{"no format", []string{"export", inv}, 2, []string{"the format to export: openpsa"}},
		{"unknown format", []string{"export", "dot", inv}, 2, []string{"the format to export: openpsa"}},
		{"two inventories", []string{"export", "openpsa", inv, inv}, 2, []string{"one inventory file, got 2 arguments"}},
		{"missing inventory", []string{"export", "openpsa", filepath.Join(dir, "nope.yaml")}, 2, []string{"nope.yaml"}},
		{"missing observations", []string{"export", "openpsa", inv, "--observations", filepath.Join(dir, "nope.json")}, 2, []string{"no such file"}},
		{"unwritable --out", []string{"export", "openpsa", inv, "--out", filepath.Join(dir, "no", "such", "dir.xml")}, 2, []string{"--out"}},
		{"help", []string{"export", "-h"}, 0, []string{"usage: faultline export openpsa", "--out"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%.1000s%.1000s", code, c.code, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stdout+stderr, w) {
					t.Errorf("no %q in\n%.2000s%.1000s", w, stdout, stderr)
				}
			}
		})
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	_, stdout, _ := cli(t, "export", "openpsa", inv)
	if string(data) != stdout {
		t.Error("--out FILE and stdout differ")
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

// TestExportCompletion: faultline completion offers export and its flags.
func TestExportCompletion(t *testing.T) {
	for _, spec := range commandSpecs(t.Context()) {
		if spec.name != "export" {
			continue
		}
		var names []string
		for _, f := range spec.flags {
			names = append(names, f.name)
		}
		for _, want := range []string{"out", "i", "observations", "live"} {
			if !slices.Contains(names, want) {
				t.Errorf("completion: export has no --%s (flags: %v)", want, names)
			}
		}
		return
	}
	t.Error("completion does not list export")
}
