package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: the loader never panics, every problem it reports has a
// position in the file, and the chunked and serial loads agree.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/invalid/*.yaml")
	seeds = append(seeds, "../inventory.yaml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The chunked load (in pieces small enough to cut any input) gives
		// what the serial load gives.
		sameLoad(t, "f.yaml", data, 8)
		inv, err := Parse("f.yaml", data, Options{})
		if err != nil {
			var ierr *Error
			if !errors.As(err, &ierr) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if len(ierr.Diagnostics) == 0 {
				t.Fatal("invalid without a diagnostic")
			}
			for _, d := range ierr.Diagnostics {
				if d.Pos.Line < 1 || d.Pos.Col < 1 {
					t.Fatalf("diagnostic without a position: %s", d)
				}
			}
			return
		}
		if inv.Version != Version {
			t.Fatalf("accepted version %d", inv.Version)
		}
		for _, w := range inv.Warnings {
			if w.Pos.Line < 1 {
				t.Fatalf("warning without a position: %s", w)
			}
		}
	})
}
