package picture

import (
	"strings"
	"testing"
)

func TestElementIDs(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"feed-a", "c-feed-a"},
		{"db-1/PSU1", "c-db-1/PSU1"},
		{"db-1:eno1~tor-2a:Ethernet1/1", "c-db-1:eno1~tor-2a:Ethernet1/1"},
		{"sw-1:Gi 0/1", "c-sw-1:Gi!200/1"},
		{`a!b"c<d>`, "c-a!21b!22c!3cd!3e"},
		{"é", "c-!c3!a9"},
	} {
		if got := ComponentID(tc.id); got != tc.want {
			t.Errorf("ComponentID(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

// TestElementIDsAreInjective: different ids never share an element id,
// and element ids hold only bytes safe in an id and a URL fragment.
func TestElementIDsAreInjective(t *testing.T) {
	ids := []string{"a", "a!", "a!21", "a:b", "a!3ab", "a b", "a!20b", "a/b", "a~b", "a_b", "a.b", "", "!"}
	seen := map[string]string{}
	for _, id := range ids {
		e := escapeID(id)
		if prev, ok := seen[e]; ok {
			t.Errorf("%q and %q both map to %q", prev, id, e)
		}
		seen[e] = id
		for i := 0; i < len(e); i++ {
			if !keep(e[i]) && e[i] != '!' {
				t.Errorf("%q maps to %q, with unsafe byte %q", id, e, e[i])
			}
		}
		if strings.ContainsAny(e, " \t\n\"'<>&#%") {
			t.Errorf("%q maps to %q", id, e)
		}
	}
}
