package snmp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// OID is an object identifier as a list of arcs.
type OID []uint32

// maxArcs bounds the length of an OID we accept from a device (RFC 2578
// allows 128 sub-identifiers).
const maxArcs = 128

// ParseOID parses a dotted OID such as "1.3.6.1.2.1.1.5.0" or
// ".1.3.6.1.2.1.1.5.0" (gosnmp's form).
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
	for part := range strings.SplitSeq(s, ".") {
		v, err := strconv.ParseUint(part, 10, 32)
		if err != nil || part == "" || (len(part) > 1 && part[0] == '0') {
			return nil, fmt.Errorf("oid %q: bad arc %q", s, part)
		}
		o = append(o, uint32(v))
	}
	return o, nil
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

// Index is the part of o after prefix p (o must have the prefix).
func (o OID) Index(p OID) OID { return o[len(p):] }
