package snmpsim

import (
	"fmt"
	"strconv"
	"strings"
)

// BER tags of the SMI types the simulator serves.
const (
	TagInteger     byte = 0x02
	TagOctetString byte = 0x04
	TagNull        byte = 0x05
	TagOID         byte = 0x06
	TagIPAddress   byte = 0x40
	TagCounter32   byte = 0x41
	TagGauge32     byte = 0x42
	TagTimeTicks   byte = 0x43
	TagOpaque      byte = 0x44
	TagCounter64   byte = 0x46

	tagNoSuchObject   byte = 0x80
	tagNoSuchInstance byte = 0x81
	tagEndOfMibView   byte = 0x82
)

// Value is one variable's value: its BER tag and content. Integers use
// Int (INTEGER) or Uint (the unsigned types); strings, IpAddress and
// Opaque use Bytes; OIDs use OID.
type Value struct {
	Tag   byte
	Int   int64
	Uint  uint64
	Bytes []byte
	OID   []uint32
}

// Integer, String, Gauge, TimeTicks and ObjectID build values.
func Integer(n int64) Value            { return Value{Tag: TagInteger, Int: n} }
func String(s string) Value            { return Value{Tag: TagOctetString, Bytes: []byte(s)} }
func Bytes(b []byte) Value             { return Value{Tag: TagOctetString, Bytes: b} }
func Gauge(n uint32) Value             { return Value{Tag: TagGauge32, Uint: uint64(n)} }
func Counter(n uint32) Value           { return Value{Tag: TagCounter32, Uint: uint64(n)} }
func TimeTicks(n uint32) Value         { return Value{Tag: TagTimeTicks, Uint: uint64(n)} }
func ObjectID(o []uint32) Value        { return Value{Tag: TagOID, OID: o} }
func mustObjectID(s string) Value      { return ObjectID(mustOID(s)) }
func stringf(f string, a ...any) Value { return String(fmt.Sprintf(f, a...)) }

// parseOID parses a dotted OID ("1.3.6.1" or ".1.3.6.1").
func parseOID(s string) ([]uint32, error) {
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		return nil, fmt.Errorf("empty oid")
	}
	n := strings.Count(s, ".") + 1
	if n > 128 {
		return nil, fmt.Errorf("oid with %d arcs", n)
	}
	o := make([]uint32, 0, n)
	for part := range strings.SplitSeq(s, ".") {
		v, err := strconv.ParseUint(part, 10, 32)
		if err != nil || part == "" || len(part) > 1 && part[0] == '0' {
			return nil, fmt.Errorf("oid %q: bad arc %q", s, part)
		}
		o = append(o, uint32(v))
	}
	if len(o) < 2 || o[0] > 2 || o[0] < 2 && o[1] > 39 {
		return nil, fmt.Errorf("oid %q: not encodable", s)
	}
	return o, nil
}

// mustOID parses an OID literal of this package.
func mustOID(s string) []uint32 {
	o, err := parseOID(s)
	if err != nil {
		panic(err)
	}
	return o
}

// oidString formats an OID without a leading dot.
func oidString(o []uint32) string {
	var b strings.Builder
	for i, a := range o {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(a), 10))
	}
	return b.String()
}

// compareOID orders OIDs as SNMP walks them.
func compareOID(a, b []uint32) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func hasPrefix(o, p []uint32) bool {
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

func appendOID(o []uint32, arcs ...uint32) []uint32 {
	out := make([]uint32, 0, len(o)+len(arcs))
	return append(append(out, o...), arcs...)
}
