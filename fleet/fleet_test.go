package fleet

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestWrite checks small fleets against golden files (a seed must make
// the same fleet from one release to the next: benchmarks and demos
// compare against it), and that each loads as a valid inventory.
func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
	}{
		// Flaws and tolerate: 2 common enough that a small fleet has each
		// kind of mistake and both kinds of service.
		{name: "flawed", spec: Spec{Seed: 3, Sites: 2, RacksPerSite: 2, ServersPerRack: 6, Flaws: 0.3, Tolerate2: 0.3}},
		// Too few servers for a service.
		{name: "one-server", spec: Spec{Seed: 1, Sites: 1, RacksPerSite: 1, ServersPerRack: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.spec); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".golden.yaml")
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./fleet -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
			inv, err := inventory.Parse(path, b.Bytes(), inventory.Options{})
			if err != nil {
				t.Fatalf("the fleet does not load: %v", err)
			}
			s := tc.spec.Defaults()
			if n, want := len(inv.Sites), s.Sites; n != want {
				t.Errorf("%d sites, want %d", n, want)
			}
			if n, want := len(inv.Racks), s.Sites*(s.RacksPerSite+2); n != want {
				t.Errorf("%d racks, want %d (2 network racks a site)", n, want)
			}
			servers := s.Sites * s.RacksPerSite * s.ServersPerRack
			if n, want := len(inv.Devices), servers+s.Sites*(2+2*s.RacksPerSite); n != want {
				t.Errorf("%d devices, want %d (%d servers, 2 spines a site, 2 ToRs a rack)", n, want, servers)
			}
		})
	}
}
