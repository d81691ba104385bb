package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWatchSeveralFiles: serve -i DIR watches every file of the
// directory: an edit to any, a file added, reload the union; an invalid
// edit keeps the old inventory serving.
func TestWatchSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("10-site.yaml", "version: 1\nsites: [{id: s1}]\nracks: [{id: r1, site: s1}]\n")
	write("20-devices.yaml", "version: 1\ndevices:\n  - {id: d1, kind: server, rack: r1, psus: []}\n")
	eng, err := New(context.Background(), Config{InventoryFile: dir, InventoryFiles: []string{dir}, WatchInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if n := len(eng.Snapshot().Inventory.Devices); n != 1 {
		t.Fatalf("%d devices loaded, want 1", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	wait := func(what string, cond func(*Snapshot) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond(eng.Snapshot()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	write("20-devices.yaml", "version: 1\ndevices:\n  - {id: d1, kind: server, rack: r2, psus: []}\n")
	wait("the invalid edit to be rejected", func(s *Snapshot) bool { return !s.Reload.OK })
	if s := eng.Snapshot(); s.Inventory.Device("d1").Rack != "r1" {
		t.Error("the rejected edit replaced the inventory")
	}
	write("15-rack.yaml", "version: 1\nracks: [{id: r2, site: s1}]\n")
	wait("a new file to complete the inventory", func(s *Snapshot) bool {
		return s.Reload.OK && s.Inventory.Device("d1") != nil && s.Inventory.Device("d1").Rack == "r2"
	})
	if got := len(eng.Snapshot().Inventory.Files); got != 3 {
		t.Errorf("%d files in the inventory, want 3", got)
	}
}
