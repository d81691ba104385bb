package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
)

// TestSchemaCommand: faultline schema writes the loader's schema, to
// stdout or --out, and gen's inventories name it on their first line.
func TestSchemaCommand(t *testing.T) {
	code, out, errOut := cli(t, "schema")
	if code != 0 || out != string(inventory.Schema()) {
		t.Errorf("schema: exit %d, %d bytes, want the schema's %d: %s", code, len(out), len(inventory.Schema()), errOut)
	}
	path := filepath.Join(t.TempDir(), inventory.SchemaFile)
	if code, _, errOut := cli(t, "schema", "--out", path); code != 0 {
		t.Fatalf("schema --out: exit %d: %s", code, errOut)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != string(inventory.Schema()) {
		t.Errorf("schema --out wrote %d bytes (%v)", len(got), err)
	}
	if code, _, errOut := cli(t, "schema", "extra"); code != exitBadInput || !strings.Contains(errOut, `unexpected argument "extra"`) {
		t.Errorf("schema extra: exit %d: %s", code, errOut)
	}
	_, gen, _ := cli(t, "gen", "--racks", "1", "--servers-per-rack", "2", "--sites", "1")
	if first, _, _ := strings.Cut(gen, "\n"); first != inventory.SchemaComment {
		t.Errorf("gen's first line is %q, want %q", first, inventory.SchemaComment)
	}
}
