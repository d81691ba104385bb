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

// Key is a parsed key of the observations bucket.
type Key struct {
	// Site is the inventory site of the device ("" for a device with no
	// site, token "="); empty too in a legacy key.
	Site, Device, Source string
	// Legacy marks a key of the two-token form DEVICE.SOURCE written
	// before keys carried the site (accepted for one release).
	Legacy bool
}

// ObservationKey is the key of a device's observation from one source
// in the observations bucket: SITE.DEVICE.SOURCE, each escaped, where
// SITE is the device's site in the inventory. The site comes first so
// that one NATS permission covers a site:
// $KV.faultline_observations.SITE.>.
func ObservationKey(site, id, source string) string {
	return EscapeKey(site) + "." + EscapeKey(id) + "." + EscapeKey(source)
}

// LegacyObservationKey is the key of the releases before keys carried
// the site: DEVICE.SOURCE.
func LegacyObservationKey(id, source string) string { return EscapeKey(id) + "." + EscapeKey(source) }

// String is the key in the bucket.
func (k Key) String() string {
	if k.Legacy {
		return LegacyObservationKey(k.Device, k.Source)
	}
	return ObservationKey(k.Site, k.Device, k.Source)
}

// ParseObservationKey splits and unescapes a key: SITE.DEVICE.SOURCE, or
// the legacy DEVICE.SOURCE.
func ParseObservationKey(key string) (Key, error) {
	toks := strings.Split(key, ".")
	var k Key
	switch len(toks) {
	case 3:
	case 2:
		k.Legacy = true
		toks = append([]string{""}, toks...)
	default:
		return Key{}, fmt.Errorf("key %q is not SITE.DEVICE.SOURCE", key)
	}
	var err error
	if !k.Legacy {
		if k.Site, err = UnescapeKey(toks[0]); err != nil {
			return Key{}, err
		}
	}
	if k.Device, err = UnescapeKey(toks[1]); err != nil {
		return Key{}, err
	}
	if k.Source, err = UnescapeKey(toks[2]); err != nil {
		return Key{}, err
	}
	return k, nil
}
