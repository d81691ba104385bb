package redfish

// A byte scanner for the few questions asked of every link in an
// expanded answer (its @odata.id, whether it came expanded), cheaper than
// decoding each subtree again.

import (
	"encoding/json"
)

// scanLink reads an object's @odata.id and whether it has properties of
// its own (not annotations), looking only at its top-level keys: links
// are decoded at every level of an expanded answer, and building a map of
// each subtree to find one key would cost the subtree's size each time.
// Anything but an object yields nothing.
func scanLink(b []byte) (id string, own bool) {
	eachKey(b, func(key, val []byte) {
		switch {
		case string(key) == "@odata.id":
			_ = json.Unmarshal(val, &id)
		case len(key) > 0 && key[0] != '@':
			own = true
		}
	})
	return id, own
}

// eachKey calls f with each top-level key of the JSON object b (raw,
// without quotes) and its raw value. It scans bytes without decoding, and
// stops quietly at anything malformed or not an object.
func eachKey(b []byte, f func(key, val []byte)) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return
		}
		end := skipString(b, i)
		if end < 0 {
			return
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = skipSpace(b, i+1)
		vend := skipValue(b, i)
		if vend < 0 {
			return
		}
		f(key, b[i:vend])
		i = skipSpace(b, vend)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i++
	}
}

// eachElement calls f with each element of the JSON array b.
func eachElement(b []byte, f func(val []byte)) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == ']' {
			return
		}
		end := skipValue(b, i)
		if end < 0 {
			return
		}
		f(b[i:end])
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] ('"'),
// or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skipValue returns the index after the JSON value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				k := skipString(b, j)
				if k < 0 {
					return -1
				}
				j = k - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
			j++
		}
		return j
	}
}
