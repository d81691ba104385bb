package inventory

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/faultline/faultline/fleet"
)

// BenchmarkLoadPhases splits loading a generated 100,000-device inventory
// into its phases: yaml.v3 parsing into a node tree, our strict walk of
// the tree into typed structs, and validation. docs/performance.md
// records which dominates.
func BenchmarkLoadPhases(b *testing.B) {
	spec := fleet.Spec{Seed: 1, Sites: 2, RacksPerSite: 2300, ServersPerRack: 20}.Defaults()
	var buf bytes.Buffer
	if err := fleet.Write(&buf, spec); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	inv, err := Parse("fleet.yaml", data, Options{})
	if err != nil {
		b.Fatal(err)
	}
	devices := len(inv.Devices)
	b.Run(fmt.Sprintf("parse/%ddevices", devices), func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := parseYAML(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	root, _ := parseYAML(data)
	b.Run(fmt.Sprintf("decode/%ddevices", devices), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d := &decoder{reporter: reporter{file: "f"}, budget: 4*len(data) + 10000}
			var inv Inventory
			d.decode(root, reflectValue(&inv), "the inventory")
		}
	})
	b.Run(fmt.Sprintf("validate/%ddevices", devices), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			inv.idx = nil
			validate(inv, &reporter{file: "f"})
		}
	})
	b.Run(fmt.Sprintf("all/%ddevices", devices), func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := Parse("fleet.yaml", data, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("tree-memory/%ddevices", devices), func(b *testing.B) {
		var ms runtime.MemStats
		for i := 0; i < b.N; i++ {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.HeapAlloc
			keep, _ := parseYAML(data)
			runtime.GC()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc-before)/(1<<20), "node-tree-MiB")
			runtime.KeepAlive(keep)
		}
	})
}
