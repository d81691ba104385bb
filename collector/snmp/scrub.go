package snmp

import (
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/faultline/faultline/observation"
)

// Text a device sends is bounded before it leaves the collector: a value
// (a name, a description, a state) at maxText bytes, an error at
// maxErrorText. DisplayString and SnmpAdminString allow 255 octets; the
// room above that is for rendered values (hex, joined states).
const (
	maxText      = 512
	maxErrorText = 2048
	cutMark      = "…"
	redacted     = "[redacted]"
)

// scrubber cleans every string of an observation before it leaves the
// poller: the poll's secrets (a device may echo them back, in a value or
// in an error) become [redacted], control characters other than newline
// and tab are dropped, and each string is cut to its bound.
type scrubber struct {
	secrets []string
}

// secrets lists the values no output may carry: the community and the
// SNMPv3 passphrases.
func (cfg dialConfig) secrets() scrubber {
	var s []string
	add := func(v string) {
		if v != "" {
			s = append(s, v)
		}
	}
	add(cfg.community)
	if cfg.usm != nil {
		add(cfg.usm.AuthenticationPassphrase)
		add(cfg.usm.PrivacyPassphrase)
	}
	return scrubber{secrets: s}
}

// device cleans every string field of d, wherever it sits (nested
// structs, slices, pointers), so that a field added later is covered too;
// but the inventory's own words (the device's id, source and address),
// which the device did not send and which tie the observation to its
// entry, stay as they are.
func (s scrubber) device(d *observation.Device) {
	id, source, endpoint := d.ID, d.Source, d.Endpoint
	s.value(reflect.ValueOf(d).Elem(), "")
	d.ID, d.Source, d.Endpoint = id, source, endpoint
}

func (s scrubber) value(v reflect.Value, field string) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			limit := maxText
			if field == "Error" {
				limit = maxErrorText
			}
			if c := s.clean(v.String(), limit); c != v.String() {
				v.SetString(c)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			s.value(v.Elem(), field)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				s.value(v.Field(i), t.Field(i).Name)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			s.value(v.Index(i), field)
		}
	}
}

// clean redacts the secrets in text, makes it valid UTF-8, drops
// control characters other than newline and tab, and cuts it to limit bytes (on a character
// boundary, marked with "…").
func (s scrubber) clean(text string, limit int) string {
	for _, sec := range s.secrets {
		if strings.Contains(text, sec) {
			text = strings.ReplaceAll(text, sec, redacted)
		}
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if strings.IndexFunc(text, isUnsafe) >= 0 {
		text = strings.Map(func(r rune) rune {
			if isUnsafe(r) {
				return -1
			}
			return r
		}, text)
	}
	return cut(text, limit)
}

// isUnsafe reports control characters (C0 but newline and tab, DEL, C1)
// and the bidirectional overrides that make text read other than it is.
func isUnsafe(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// cut shortens text to at most limit bytes on a character boundary.
func cut(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	n := limit - len(cutMark)
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n] + cutMark
}
