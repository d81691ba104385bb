package inventory

// Suggest returns `did you mean "X"?` for the candidate closest to word,
// or "" when none is close.
func Suggest(word string, candidates []string) string { return suggest(word, candidates) }
