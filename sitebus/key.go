package sitebus

import (
	"fmt"
	"strings"
)

// KV keys may hold only [-/_=.a-zA-Z0-9], and "." separates tokens. Ids
// in an inventory may hold anything else, so a key escapes every other
// byte (and "." and "=" themselves) as "=XX", two upper-case hex digits:
// reversible, and a valid key token for any id.

const hexDigits = "0123456789ABCDEF"

func keyByteOK(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/'
}

// EscapeKey turns any string into one KV key token (no "."); the empty
// string becomes "=" alone, which no other string escapes to.
func EscapeKey(s string) string {
	if s == "" {
		return "="
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keyByteOK(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('=')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xF])
	}
	return b.String()
}

// UnescapeKey reverses EscapeKey. A token EscapeKey cannot have made
// (a stray "=", lower-case hex, an escape of a byte that needs none) is
// an error, so that one id has exactly one key.
func UnescapeKey(tok string) (string, error) {
	if tok == "=" {
		return "", nil
	}
	if tok == "" {
		return "", fmt.Errorf("empty key token")
	}
	var b strings.Builder
	b.Grow(len(tok))
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if keyByteOK(c) {
			b.WriteByte(c)
			continue
		}
		if c != '=' || i+2 >= len(tok) {
			return "", fmt.Errorf("key token %q: byte %d is not a valid escape", tok, i)
		}
		hi, lo := strings.IndexByte(hexDigits, tok[i+1]), strings.IndexByte(hexDigits, tok[i+2])
		if hi < 0 || lo < 0 {
			return "", fmt.Errorf("key token %q: bad escape at byte %d", tok, i)
		}
		v := byte(hi<<4 | lo)
		if keyByteOK(v) {
			return "", fmt.Errorf("key token %q: escape at byte %d of a byte that needs none", tok, i)
		}
		b.WriteByte(v)
		i += 2
	}
	return b.String(), nil
}

// ObservationKey is the key of a device's observation from one source
// in the observations bucket: DEVICE.SOURCE, each escaped.
func ObservationKey(id, source string) string { return EscapeKey(id) + "." + EscapeKey(source) }

// ParseObservationKey splits and unescapes a key ObservationKey made.
func ParseObservationKey(key string) (id, source string, err error) {
	a, b, ok := strings.Cut(key, ".")
	if !ok || strings.Contains(b, ".") {
		return "", "", fmt.Errorf("key %q is not DEVICE.SOURCE", key)
	}
	if id, err = UnescapeKey(a); err != nil {
		return "", "", err
	}
	if source, err = UnescapeKey(b); err != nil {
		return "", "", err
	}
	return id, source, nil
}
