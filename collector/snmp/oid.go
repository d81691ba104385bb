package snmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// OID is an object identifier as a list of arcs.
type OID []uint32

// maxArcs bounds the length of an OID we accept from a device (RFC 2578
// allows 128 sub-identifiers).
const maxArcs = 128

// ParseOID parses a dotted OID such as "1.3.6.1.2.1.1.5.0" or
// ".1.3.6.1.2.1.1.5.0" (gosnmp's form). Arcs are decimal without leading
// zeros and fit in 32 bits.
func ParseOID(s string) (OID, error) {
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		return nil, errors.New("empty oid")
	}
	n := strings.Count(s, ".") + 1
	if n > maxArcs {
		return nil, fmt.Errorf("oid has %d arcs, more than %d", n, maxArcs)
	}
	o := make(OID, 0, n)
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			continue
		}
		part := s[start:i]
		v, ok := parseArc(part)
		if !ok {
			return nil, fmt.Errorf("oid %q: bad arc %q", s, part)
		}
		o = append(o, v)
		start = i + 1
	}
	return o, nil
}

// parseArc parses one decimal arc: digits only, no leading zero, at most
// 2³²−1.
func parseArc(s string) (uint32, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v > math.MaxUint32 {
		return 0, false
	}
	return uint32(v), true
}

// MustOID parses a constant OID written in this package; it is only used
// with literals, checked by the tests.
func MustOID(s string) OID {
	o, err := ParseOID(s)
	if err != nil {
		panic(err)
	}
	return o
}

// String returns the dotted form without a leading dot.
func (o OID) String() string {
	var b strings.Builder
	for i, a := range o {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(a), 10))
	}
	return b.String()
}

// HasPrefix reports whether p is a prefix of o (or equal to it).
func (o OID) HasPrefix(p OID) bool {
	if len(p) > len(o) {
		return false
	}
	for i := range p {
		if o[i] != p[i] {
			return false
		}
	}
	return true
}

// Compare orders OIDs lexicographically, as SNMP walks them.
func (o OID) Compare(p OID) int {
	for i := 0; i < len(o) && i < len(p); i++ {
		switch {
		case o[i] < p[i]:
			return -1
		case o[i] > p[i]:
			return 1
		}
	}
	switch {
	case len(o) < len(p):
		return -1
	case len(o) > len(p):
		return 1
	}
	return 0
}

// Append returns o followed by arcs, in new memory.
func (o OID) Append(arcs ...uint32) OID {
	out := make(OID, 0, len(o)+len(arcs))
	return append(append(out, o...), arcs...)
}

// key is a compact map key for o (not for people: see String).
func (o OID) key() string {
	b := make([]byte, 0, 4*len(o))
	for _, a := range o {
		b = binary.BigEndian.AppendUint32(b, a)
	}
	return string(b)
}

// Index is the part of o after prefix p (o must have the prefix).
func (o OID) Index(p OID) OID { return o[len(p):] }
