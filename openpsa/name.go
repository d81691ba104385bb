package openpsa

import (
	"strconv"
	"strings"

	"github.com/faultline/faultline/model"
)

// MEF names are XML NCNames without '.', that neither start nor end with
// '-' nor hold "--" (the Identifier of the MEF schema). faultline ids hold
// '/', ':', '~' and '.', so every name is an escaped id: letters and
// digits stand for themselves, '-' stands for itself between two of them,
// and everything else is '_' and a letter (see escapes), or "_x" and two
// hex digits for any other byte. The escape is a prefix code, so two ids
// never share a name.
var escapes = [256]string{
	'_': "__", '.': "_d", '/': "_s", ':': "_c", '~': "_t", '-': "_h",
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Escape returns id in the alphabet of MEF names (see escapes): it
// starts and ends with a letter, a digit or an escape, and holds no "--".
func Escape(id string) string {
	var b strings.Builder
	b.Grow(len(id) + 8)
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case alnum(c):
			b.WriteByte(c)
		case c == '-' && i > 0 && alnum(id[i-1]) && i+1 < len(id) && alnum(id[i+1]):
			b.WriteByte('-')
		case escapes[c] != "":
			b.WriteString(escapes[c])
		default:
			b.WriteString("_x")
			if c < 16 {
				b.WriteByte('0')
			}
			b.WriteString(strconv.FormatUint(uint64(c), 16))
		}
	}
	return b.String()
}

// kindWord is the word an event's name starts with, by component kind.
func kindWord(k model.Kind) string {
	switch k {
	case model.KindPower:
		return "power"
	default:
		return k.String() // site, rack, device, psu, drive, link, inlet, cable
	}
}

// EventName is the MEF name of component c's event (basic, or house when
// observed failed): its kind, '-', its escaped id ("psu-db-1_sPSU1").
func EventName(g *model.Graph, c int32) string {
	return kindWord(g.Kinds[c]) + "-" + Escape(g.Comps[c].ID)
}

// GateName is the MEF name of a gate of the given kind for id: "down-",
// the kind, '-', the escaped id; "dr-down-…" for the variant that counts
// sites (under services with dr: true).
func GateName(kind, id string, dr bool) string {
	n := "down-" + kind + "-" + Escape(id)
	if dr {
		n = "dr-" + n
	}
	return n
}

// TopName is the MEF name of service id's top event: "top-" and its
// escaped id.
func TopName(id string) string { return "top-" + Escape(id) }
