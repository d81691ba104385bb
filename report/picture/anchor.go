package picture

import (
	"html/template"
	"strings"
)

// Element ids in the SVG. A component's place in the power picture is
// "c-" followed by its id; a device's place in the network picture is "n-"
// followed by its id; the box standing for a site's racks that are not
// drawn is "agg-" followed by the site id. Inventory ids are restricted to
// [A-Za-z0-9._-], but link ids carry port names, which are free text: a
// byte outside the set kept below is written as "!" and two hex digits (so
// "!" itself is "!21"). The mapping is injective, and what it keeps is safe
// both in an HTML id and in a URL fragment.

// ComponentID returns the element id of a component's place in the power
// picture (or, for a link, in the network picture).
func ComponentID(id string) string { return "c-" + escapeID(id) }

// NetworkID returns the element id of a device's place in the network picture.
func NetworkID(device string) string { return "n-" + escapeID(device) }

func aggregateID(site string) string { return "agg-" + escapeID(site) }

// FindingID returns the element id of a finding's entry in the page.
func FindingID(id string) string { return "f-" + escapeID(id) }

const hexDigits = "0123456789abcdef"

func escapeID(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !keep(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('!')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// keep reports whether a byte stands for itself in an element id.
func keep(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("._-~:/@", c) >= 0
}

// Href returns the link to an element of the page by its id. The id must
// come from ComponentID, NetworkID or FindingID, whose bytes are all safe
// in a URL fragment; html/template would otherwise refuse a fragment with
// a colon (a link end's "device:port") as a possible URL scheme.
func Href(elementID string) template.URL {
	// An element id from this package is "#"-safe: see escapeID.
	return template.URL("#" + elementID)
}
