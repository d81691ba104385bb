package inventory

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestIDSyntax: idPattern's scan matches what the regular expression it
// replaced matches.
func TestIDSyntax(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	tests := []string{"", "a", "A9", "s0-r0-srv1", "PSU1", "x.y_z-1", "-a", ".a", "_a", "a b", "a/b", "a:b", "é", "a\n", "\na", "0", "a..", "a\x00"}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09._-/: \n\x00é"
	for range 5000 {
		b := make([]byte, rng.IntN(6))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		tests = append(tests, string(b))
	}
	for _, s := range tests {
		if got, want := idPattern.MatchString(s), re.MatchString(s); got != want {
			t.Errorf("idPattern.MatchString(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}
