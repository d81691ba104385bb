package snmpsim

import (
	"errors"
	"fmt"
)

// PDU types (context-specific constructed tags).
const (
	pduGet      byte = 0xa0
	pduGetNext  byte = 0xa1
	pduResponse byte = 0xa2
	pduSet      byte = 0xa3
	pduGetBulk  byte = 0xa5
	pduReport   byte = 0xa8
)

const tagSequence byte = 0x30

var errTruncated = errors.New("truncated")

// berReader reads BER TLVs from a buffer, tracking absolute offsets (the
// SNMPv3 digest is computed over the whole message).
type berReader struct {
	b   []byte
	pos int
	end int
}

func newReader(b []byte) *berReader { return &berReader{b: b, end: len(b)} }

// tlv reads one element; content is b[start:end].
func (r *berReader) tlv() (tag byte, start, end int, err error) {
	if r.pos+2 > r.end {
		return 0, 0, 0, errTruncated
	}
	tag = r.b[r.pos]
	if tag&0x1f == 0x1f {
		return 0, 0, 0, fmt.Errorf("multi-byte tag 0x%02x", tag)
	}
	l := int(r.b[r.pos+1])
	p := r.pos + 2
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 3 {
			return 0, 0, 0, fmt.Errorf("unsupported length form 0x%02x", l)
		}
		if p+n > r.end {
			return 0, 0, 0, errTruncated
		}
		l = 0
		for _, c := range r.b[p : p+n] {
			l = l<<8 | int(c)
		}
		p += n
	}
	if l > r.end-p {
		return 0, 0, 0, errTruncated
	}
	r.pos = p + l
	return tag, p, p + l, nil
}

// expect reads an element with the given tag.
func (r *berReader) expect(want byte, what string) (start, end int, err error) {
	tag, s, e, err := r.tlv()
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", what, err)
	}
	if tag != want {
		return 0, 0, fmt.Errorf("%s: tag 0x%02x, want 0x%02x", what, tag, want)
	}
	return s, e, nil
}

// sub returns a reader over b[start:end].
func (r *berReader) sub(start, end int) *berReader { return &berReader{b: r.b, pos: start, end: end} }

func (r *berReader) done() bool { return r.pos >= r.end }

func (r *berReader) integer(what string) (int64, error) {
	s, e, err := r.expect(TagInteger, what)
	if err != nil {
		return 0, err
	}
	return decodeInt(r.b[s:e], what)
}

func (r *berReader) octets(what string) ([]byte, error) {
	s, e, err := r.expect(TagOctetString, what)
	if err != nil {
		return nil, err
	}
	return r.b[s:e], nil
}

func decodeInt(b []byte, what string) (int64, error) {
	if len(b) == 0 || len(b) > 8 {
		return 0, fmt.Errorf("%s: integer of %d bytes", what, len(b))
	}
	n := int64(int8(b[0]))
	for _, c := range b[1:] {
		n = n<<8 | int64(c)
	}
	return n, nil
}

func decodeOID(b []byte) ([]uint32, error) {
	if len(b) == 0 {
		return nil, errors.New("empty oid")
	}
	o := make([]uint32, 0, len(b)+1)
	var v uint64
	for i, c := range b {
		v = v<<7 | uint64(c&0x7f)
		if v > 0xffffffff {
			return nil, errors.New("oid arc overflows 32 bits")
		}
		if c&0x80 != 0 {
			if i == len(b)-1 {
				return nil, errors.New("oid ends inside an arc")
			}
			continue
		}
		if len(o) == 0 {
			switch {
			case v < 40:
				o = append(o, 0, uint32(v))
			case v < 80:
				o = append(o, 1, uint32(v-40))
			default:
				o = append(o, 2, uint32(v-80))
			}
		} else {
			o = append(o, uint32(v))
		}
		v = 0
		if len(o) > 128 {
			return nil, errors.New("oid longer than 128 arcs")
		}
	}
	return o, nil
}

// request is a decoded Get, GetNext, GetBulk or Set PDU.
type request struct {
	typ    byte
	reqID  int64
	nonRep int64 // or error-status
	maxRep int64 // or error-index
	oids   [][]uint32
	// secret is what authenticated the request (the community, or the
	// SNMPv3 user's passwords), for the echo-secret fault.
	secret []byte
}

// decodePDU reads a PDU's request id, its two integers and the names of
// its variable bindings (values are ignored: the simulator is read-only).
func decodePDU(r *berReader) (*request, error) {
	tag, s, e, err := r.tlv()
	if err != nil {
		return nil, fmt.Errorf("pdu: %w", err)
	}
	switch tag {
	case pduGet, pduGetNext, pduGetBulk, pduSet:
	default:
		return nil, fmt.Errorf("pdu type 0x%02x not served", tag)
	}
	p := r.sub(s, e)
	q := &request{typ: tag}
	if q.reqID, err = p.integer("request-id"); err != nil {
		return nil, err
	}
	if q.nonRep, err = p.integer("non-repeaters"); err != nil {
		return nil, err
	}
	if q.maxRep, err = p.integer("max-repetitions"); err != nil {
		return nil, err
	}
	vs, ve, err := p.expect(tagSequence, "varbind list")
	if err != nil {
		return nil, err
	}
	vl := p.sub(vs, ve)
	for !vl.done() {
		bs, be, err := vl.expect(tagSequence, "varbind")
		if err != nil {
			return nil, err
		}
		vb := vl.sub(bs, be)
		os, oe, err := vb.expect(TagOID, "varbind name")
		if err != nil {
			return nil, err
		}
		oid, err := decodeOID(vb.b[os:oe])
		if err != nil {
			return nil, fmt.Errorf("varbind name: %w", err)
		}
		if _, _, _, err := vb.tlv(); err != nil {
			return nil, fmt.Errorf("varbind value: %w", err)
		}
		if len(q.oids) >= 1024 {
			return nil, errors.New("more than 1024 varbinds")
		}
		q.oids = append(q.oids, oid)
	}
	return q, nil
}

// --- encoding ---

// appendLength appends a BER definite length.
func appendLength(b []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(b, byte(n))
	case n < 0x100:
		return append(b, 0x81, byte(n))
	case n < 0x10000:
		return append(b, 0x82, byte(n>>8), byte(n))
	default:
		return append(b, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
}

// wrap returns tag, length and content.
func wrap(tag byte, content []byte) []byte {
	out := make([]byte, 0, len(content)+6)
	out = append(out, tag)
	out = appendLength(out, len(content))
	return append(out, content...)
}

func appendTLV(b []byte, tag byte, content []byte) []byte {
	b = append(b, tag)
	b = appendLength(b, len(content))
	return append(b, content...)
}

func appendInt(b []byte, tag byte, n int64) []byte {
	var tmp [9]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte(n)
		n >>= 8
		if (n == 0 && tmp[i]&0x80 == 0) || (n == -1 && tmp[i]&0x80 != 0) || i == 1 {
			break
		}
	}
	return appendTLV(b, tag, tmp[i:])
}

func appendUint(b []byte, tag byte, n uint64) []byte {
	var tmp [9]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte(n)
		n >>= 8
		if n == 0 {
			break
		}
	}
	if tmp[i]&0x80 != 0 {
		i--
		tmp[i] = 0
	}
	return appendTLV(b, tag, tmp[i:])
}

func oidBytes(o []uint32) []byte { return appendOIDBytes(make([]byte, 0, len(o)+4), o) }

// appendOIDBytes appends the BER content of an OID.
func appendOIDBytes(out []byte, o []uint32) []byte {
	if len(o) < 2 {
		return append(out, 0)
	}
	out = appendArc(out, uint64(o[0])*40+uint64(o[1]))
	for _, a := range o[2:] {
		out = appendArc(out, uint64(a))
	}
	return out
}

func appendArc(b []byte, v uint64) []byte {
	var tmp [10]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7f)
	for v >>= 7; v > 0; v >>= 7 {
		i--
		tmp[i] = byte(v&0x7f) | 0x80
	}
	return append(b, tmp[i:]...)
}

// appendValue appends a value's TLV.
func appendValue(b []byte, v Value) []byte {
	switch v.Tag {
	case TagInteger:
		return appendInt(b, TagInteger, v.Int)
	case TagCounter32, TagGauge32, TagTimeTicks, TagCounter64:
		return appendUint(b, v.Tag, v.Uint)
	case TagOID:
		return appendTLV(b, TagOID, oidBytes(v.OID))
	case TagNull, tagNoSuchObject, tagNoSuchInstance, tagEndOfMibView:
		return append(b, v.Tag, 0)
	default:
		return appendTLV(b, v.Tag, v.Bytes)
	}
}

// appendVarbind appends SEQUENCE { name, value }.
func appendVarbind(b []byte, oid []uint32, v Value) []byte {
	var nameBuf, valBuf [64]byte
	name := appendOIDBytes(nameBuf[:0], oid)
	val := appendValue(valBuf[:0], v)
	b = append(b, tagSequence)
	b = appendLength(b, 1+lenOfLen(len(name))+len(name)+len(val))
	b = appendTLV(b, TagOID, name)
	return append(b, val...)
}

func lenOfLen(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n < 0x100:
		return 2
	case n < 0x10000:
		return 3
	}
	return 4
}

// encodePDU builds a response (or report) PDU around encoded varbinds.
func encodePDU(typ byte, reqID, errStatus, errIndex int64, varbinds []byte) []byte {
	var b []byte
	b = appendInt(b, TagInteger, reqID)
	b = appendInt(b, TagInteger, errStatus)
	b = appendInt(b, TagInteger, errIndex)
	b = appendTLV(b, tagSequence, varbinds)
	return wrap(typ, b)
}
