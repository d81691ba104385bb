package inventory

import (
	"fmt"
	"sort"
	"strings"
)

// suggest returns a "did you mean" hint for word among candidates, or "".
// A candidate qualifies when it is within a third of the word's length in
// edit distance (at least 1, at most 3); the closest wins, ties by name.
func suggest(word string, candidates []string) string {
	if word == "" || len(candidates) == 0 {
		return ""
	}
	limit := len(word) / 3
	if limit < 1 {
		limit = 1
	}
	if limit > 3 {
		limit = 3
	}
	best, bestD := "", limit+1
	lw := strings.ToLower(word)
	for _, c := range candidates {
		if abs(len(c)-len(word)) > limit {
			continue
		}
		d := distance(lw, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %s?", quote(best))
}

// oneOf lists the allowed values for an enum, for a hint.
func oneOf(choices []string) string {
	c := append([]string(nil), choices...)
	sort.Strings(c)
	return "expected one of " + strings.Join(c, ", ")
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distance is the Damerau–Levenshtein (optimal string alignment) distance,
// so a swapped pair of letters ("pud" for "pdu") costs one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
