package openpsa_test

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"

	"github.com/faultline/faultline/openpsa"
)

// identifier is the MEF schema's Identifier (an NCName without '.', no
// leading, trailing or doubled '-'), for the names faultline writes,
// which are ASCII.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$`)

// unescape inverts Escape, or reports that s is not an escaped id.
func unescape(s string) (string, bool) {
	back := map[byte]byte{'_': '_', 'd': '.', 's': '/', 'c': ':', 't': '~', 'h': '-'}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			out = append(out, s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		if c, ok := back[s[i+1]]; ok {
			out = append(out, c)
			i++
			continue
		}
		if s[i+1] != 'x' || i+4 > len(s) {
			return "", false
		}
		b, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
		if err != nil {
			return "", false
		}
		out = append(out, byte(b))
		i += 3
	}
	return string(out), true
}

func TestEscape(t *testing.T) {
	cases := []struct{ id, want string }{
		{"db-1", "db-1"},
		{"db-1/PSU1", "db-1_sPSU1"},
		{"db-1/data/0", "db-1_sdata_s0"},
		{"db-1:eno1~tor-1:Ethernet1/1", "db-1_ceno1_ttor-1_cEthernet1_s1"},
		{"r1.rack", "r1_drack"},
		{"a--b", "a_h_hb"},
		{"a-", "a_h"},
		{"my_host", "my__host"},
		{"pdu-a/inlet/feed-a", "pdu-a_sinlet_sfeed-a"},
		{"a b\"<", "a_x20b_x22_x3c"},
	}
	for _, c := range cases {
		if got := openpsa.Escape(c.id); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.id, got, c.want)
		}
	}
}

// TestNamesValidAndDistinct: over random ids of every character the ids
// and links hold (and some they do not), every name is a valid MEF
// identifier and decodes back to its id: two ids never share a name.
func TestNamesValidAndDistinct(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := "aZ09-_.:/~ \"é"
	for range 20000 {
		b := make([]byte, 1+r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		id := string(b)
		for _, name := range []string{"psu-" + openpsa.Escape(id), openpsa.GateName("power", id, true), openpsa.TopName(id)} {
			if !identifier.MatchString(name) {
				t.Fatalf("id %q: name %q is not a MEF identifier", id, name)
			}
		}
		if back, ok := unescape(openpsa.Escape(id)); !ok || back != id {
			t.Fatalf("id %q: Escape %q decodes to %q", id, openpsa.Escape(id), back)
		}
	}
}

// FuzzEscape: for any id (inventory ids and port names are outside
// input), the name is a MEF identifier and decodes back to the id.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"db-1/PSU1", "a:b~c:d", "-", "_", "é", "a--b-", ".x."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if id == "" {
			return
		}
		name := "psu-" + openpsa.Escape(id)
		if !identifier.MatchString(name) {
			t.Fatalf("id %q: name %q is not a MEF identifier", id, name)
		}
		if back, ok := unescape(openpsa.Escape(id)); !ok || back != id {
			t.Fatalf("id %q: Escape %q decodes to %q", id, openpsa.Escape(id), back)
		}
	})
}
