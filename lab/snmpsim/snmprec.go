package snmpsim

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ParseSnmprec reads a recording in snmpsim's snmprec format: one
// "OID|TYPE|VALUE" a line, TYPE the BER tag in decimal, with an "x" suffix
// when VALUE is hex. Errors name the line.
func ParseSnmprec(r io.Reader) (*Table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var es []Entry
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseSnmprecLine(line)
		if err != nil {
			return nil, fmt.Errorf("snmprec line %d: %w", n, err)
		}
		es = append(es, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("snmprec: %w", err)
	}
	// Real recordings repeat an OID now and then (a table walked twice):
	// the first line wins, as a walk would have seen it.
	slices.SortStableFunc(es, func(a, b Entry) int { return compareOID(a.OID, b.OID) })
	es = slices.CompactFunc(es, func(a, b Entry) bool { return compareOID(a.OID, b.OID) == 0 })
	return &Table{entries: es}, nil
}

// LoadSnmprec reads a recording file.
func LoadSnmprec(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := ParseSnmprec(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func parseSnmprecLine(line string) (Entry, error) {
	oidS, rest, ok := strings.Cut(line, "|")
	typS, val, ok2 := strings.Cut(rest, "|")
	if !ok || !ok2 {
		return Entry{}, fmt.Errorf("want OID|TYPE|VALUE")
	}
	oid, err := parseOID(oidS)
	if err != nil {
		return Entry{}, err
	}
	isHex := strings.HasSuffix(typS, "x")
	typS = strings.TrimSuffix(typS, "x")
	tag, err := strconv.ParseUint(typS, 10, 8)
	if err != nil {
		return Entry{}, fmt.Errorf("bad type %q", typS)
	}
	raw := []byte(val)
	if isHex {
		if raw, err = hex.DecodeString(val); err != nil {
			return Entry{}, fmt.Errorf("bad hex value: %w", err)
		}
	}
	v := Value{Tag: byte(tag)}
	switch v.Tag {
	case TagInteger:
		if v.Int, err = strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 32); err != nil {
			return Entry{}, fmt.Errorf("bad INTEGER %q", val)
		}
	case TagOctetString, TagOpaque:
		v.Bytes = raw
	case TagNull:
	case TagOID:
		if v.OID, err = parseOID(string(raw)); err != nil {
			return Entry{}, fmt.Errorf("bad OBJECT IDENTIFIER value: %w", err)
		}
	case TagIPAddress:
		if isHex {
			if len(raw) != 4 {
				return Entry{}, fmt.Errorf("IpAddress of %d bytes", len(raw))
			}
			v.Bytes = raw
		} else {
			ip := net.ParseIP(val).To4()
			if ip == nil {
				// Sanitised recordings replace addresses with text such
				// as "<private>": serve it as the text it is.
				v = String(val)
				break
			}
			v.Bytes = ip
		}
	case TagCounter32, TagGauge32, TagTimeTicks:
		if v.Uint, err = strconv.ParseUint(string(raw), 10, 32); err != nil {
			return Entry{}, fmt.Errorf("bad unsigned value %q", val)
		}
	case TagCounter64:
		if v.Uint, err = strconv.ParseUint(string(raw), 10, 64); err != nil {
			return Entry{}, fmt.Errorf("bad Counter64 %q", val)
		}
	default:
		return Entry{}, fmt.Errorf("type %d is not supported", tag)
	}
	return Entry{OID: oid, Value: v}, nil
}
