package snmp

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/snmpsim"
	"github.com/faultline/faultline/observation"
)

// sharedTestdata is ../shared/testdata from the repository root, found
// from this package's directory (collector/snmp).
func sharedTestdata(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "testdata", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("third-party recordings not found at %s (they live beside the repository, in shared/testdata; see shared/testdata/README.md): %v", dir, err)
	}
	return dir
}

// startAgent serves a table on a free loopback port for the test.
func startAgent(t testing.TB, table *snmpsim.Table, opts snmpsim.Options) *snmpsim.Agent {
	t.Helper()
	a := snmpsim.New(table, opts)
	if err := a.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// v2cTarget is a target for an agent, its community in a ${file:..}
// secret beside a temporary inventory.
func v2cTarget(t testing.TB, id, kind, addr, community string) collector.Target {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "community"), []byte(community+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return collector.Target{ID: id, Kind: kind, Dir: dir, Management: &inventory.Management{SNMP: &inventory.SNMP{
		Address: addr, Community: inventory.Secret("${file:community}")}}}
}

// pollOnce polls one target with a fresh poller and a deadline.
func pollOnce(t testing.TB, p *Poller, tg collector.Target, d time.Duration) observation.Device {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.Poll(ctx, tg)
}
