package snmp

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the ASN.1/SMI type of a variable as the device sent it.
type Kind uint8

// The kinds of variable. The last three are the SNMPv2 exceptions a device
// answers instead of a value.
const (
	KindNull Kind = iota
	KindInteger
	KindOctetString
	KindOID
	KindIPAddress
	KindCounter32
	KindGauge32
	KindTimeTicks
	KindCounter64
	KindOpaque
	KindOther
	KindNoSuchObject
	KindNoSuchInstance
	KindEndOfMibView
)

var kindNames = [...]string{"NULL", "INTEGER", "OCTET STRING", "OBJECT IDENTIFIER", "IpAddress",
	"Counter32", "Gauge32", "TimeTicks", "Counter64", "Opaque", "unknown type",
	"noSuchObject", "noSuchInstance", "endOfMibView"}

// String names the kind as the SMI does.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind " + strconv.Itoa(int(k))
}

// Exception reports whether the kind is noSuchObject, noSuchInstance or
// endOfMibView: no value at all.
func (k Kind) Exception() bool { return k >= KindNoSuchObject }

// Var is one variable binding read from a device.
type Var struct {
	OID  OID
	Kind Kind
	// Int holds INTEGER values; Uint the unsigned kinds (Counter32,
	// Gauge32, TimeTicks, Counter64); Bytes OCTET STRING, Opaque and
	// IpAddress; Obj an OBJECT IDENTIFIER value.
	Int   int64
	Uint  uint64
	Bytes []byte
	Obj   OID
}

// typeError says a variable has a type its MIB does not allow.
func (v Var) typeError(want string) error {
	return fmt.Errorf("%s: want %s, device sent %s", v.OID, want, v.Kind)
}

// Integer returns an INTEGER (enumerations, signed numbers).
func (v Var) Integer() (int64, error) {
	if v.Kind != KindInteger {
		return 0, v.typeError("INTEGER")
	}
	return v.Int, nil
}

// Number returns any numeric kind as a float64: INTEGER, Counter32,
// Gauge32, TimeTicks, Counter64.
func (v Var) Number() (float64, error) {
	switch v.Kind {
	case KindInteger:
		return float64(v.Int), nil
	case KindCounter32, KindGauge32, KindTimeTicks, KindCounter64:
		return float64(v.Uint), nil
	}
	return 0, v.typeError("a number")
}

// Text returns an OCTET STRING as printable text: invalid UTF-8 is
// replaced, control characters dropped, trailing NULs and spaces trimmed.
func (v Var) Text() (string, error) {
	if v.Kind != KindOctetString {
		return "", v.typeError("OCTET STRING")
	}
	return printable(v.Bytes), nil
}

// ObjectID returns an OBJECT IDENTIFIER value.
func (v Var) ObjectID() (OID, error) {
	if v.Kind != KindOID {
		return nil, v.typeError("OBJECT IDENTIFIER")
	}
	return v.Obj, nil
}

// printable makes device text safe to print and compare.
func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if strings.IndexFunc(s, isControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimRight(s, " \x00")
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// hexColons formats bytes as "aa:bb:cc".
func hexColons(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, len(b)*3)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}

// isText reports whether b reads as text a person wrote (printable ASCII
// or valid UTF-8 without control characters).
func isText(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// scaled returns n/div, rejecting values that are not finite.
func scaled(n float64, div float64) *float64 {
	if div == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil
	}
	v := n / div
	return &v
}
