package snmpsim

import (
	"strconv"
	"time"
)

var (
	oidSysUpTime = mustOID("1.3.6.1.2.1.1.3.0")
	// ifEntry is where the endless, loop and wrong-order faults act.
	oidIfEntry = mustOID("1.3.6.1.2.1.2.2.1")
)

// maxBulkVarbinds bounds one answer whatever the request and the options
// ask.
const maxBulkVarbinds = 4096

// Oversize is how an agent answers a request whose response would exceed
// its MaxMessageSize or MaxVarbinds. Real agents differ; the collector
// must cope with each.
type Oversize int

const (
	// Truncate cuts a GetBulk answer to the variables that fit (RFC 3416
	// section 4.2.3) and answers a Get or GetNext that does not fit with
	// tooBig (net-snmp).
	Truncate Oversize = iota
	// TooBig answers tooBig, with no variables, to any request whose
	// answer does not fit (agents that never truncate).
	TooBig
	// CutRepetitions is Debian's snmpsimd (pysnmp): a GetBulk's
	// max-repetitions is cut to MaxVarbinds divided by the number of
	// repeated variables, non-repeaters not counted, so a request with
	// more columns than MaxVarbinds gets only its non-repeaters back, and
	// an answer with no variables at all is genErr. Get and GetNext are
	// not capped by count.
	CutRepetitions
)

// SNMP error-status values the simulator answers.
const (
	statusTooBig      = 1
	statusGenErr      = 5
	statusNotWritable = 17
)

// respond builds the response PDU for a request within size bytes.
func (a *Agent) respond(q *request, size int) []byte {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.behavior.hostile.tooBig {
		return failedPDU(q, statusTooBig)
	}
	for i, o := range q.oids {
		for _, sub := range a.behavior.genErrUnder {
			if hasPrefix(o, sub) && q.typ != pduSet {
				return encodePDU(pduResponse, q.reqID, statusGenErr, int64(i+1), nil)
			}
		}
	}
	var vbs []byte
	switch q.typ {
	case pduSet:
		for _, o := range q.oids {
			vbs = appendVarbind(vbs, o, Value{Tag: TagNull})
		}
		return encodePDU(pduResponse, q.reqID, statusNotWritable, 1, vbs)
	case pduGet:
		for _, o := range q.oids {
			vbs = appendVarbind(vbs, o, a.outgoing(q, a.getValue(o)))
		}
	case pduGetNext:
		for _, o := range q.oids {
			no, v := a.next(o)
			vbs = appendVarbind(vbs, no, a.outgoing(q, v))
		}
	case pduGetBulk:
		return a.bulk(q, size)
	}
	// Get and GetNext cannot be cut: all of it or tooBig.
	if len(vbs) > size || (a.opts.Oversize != CutRepetitions && len(q.oids) > a.opts.MaxVarbinds) {
		return failedPDU(q, statusTooBig)
	}
	return encodePDU(pduResponse, q.reqID, 0, 0, vbs)
}

// failedPDU is the answer to q with an error status and no variables.
func failedPDU(q *request, status int64) []byte {
	return encodePDU(pduResponse, q.reqID, status, 0, nil)
}

// getValue is what a Get finds at o: the value, else noSuchInstance when
// o's column (or scalar) exists, else noSuchObject.
func (a *Agent) getValue(o []uint32) Value {
	v, ok := a.lookup(o)
	if ok {
		return v
	}
	if _, ok := a.table.get(o[:len(o)-1]); !ok {
		return Value{Tag: tagNoSuchObject}
	}
	return Value{Tag: tagNoSuchInstance}
}

// bulk answers a GetBulk: each non-repeater's successor once, then up to
// max-repetitions rows of the repeaters' successors, until every
// repeater is past the end of the MIB. Where the answer stops fitting it
// is cut, or refused, as the Oversize policy says.
func (a *Agent) bulk(q *request, size int) []byte {
	policy, capVB := a.opts.Oversize, a.opts.MaxVarbinds
	nonRep := int(min(max(q.nonRep, 0), int64(len(q.oids))))
	maxRep := int(min(max(q.maxRep, 0), maxBulkVarbinds))
	repeaters := len(q.oids) - nonRep
	if policy == CutRepetitions && repeaters > 0 {
		maxRep = min(maxRep, capVB/repeaters)
	}
	b := &bulkAnswer{size: size, policy: policy, capVB: capVB}
	for _, o := range q.oids[:nonRep] {
		no, v := a.next(o)
		if !b.add(no, a.outgoing(q, v)) {
			if policy == TooBig {
				return failedPDU(q, statusTooBig)
			}
			return encodePDU(pduResponse, q.reqID, 0, 0, b.vbs)
		}
	}
	if !a.repeat(q, b, q.oids[nonRep:], maxRep) && policy == TooBig {
		return failedPDU(q, statusTooBig)
	}
	if policy == CutRepetitions && len(b.vbs) == 0 {
		return failedPDU(q, statusGenErr)
	}
	return encodePDU(pduResponse, q.reqID, 0, 0, b.vbs)
}

// repeat adds up to maxRep rows of successors of the repeaters oids to b,
// stopping early once every repeater has ended. It reports false when a
// variable did not fit (and was left out).
func (a *Agent) repeat(q *request, b *bulkAnswer, oids [][]uint32, maxRep int) bool {
	rep := make([][]uint32, len(oids))
	copy(rep, oids)
	// at[i] is where rep[i] sits in the table (-1: not known), so that
	// each repetition steps to the next entry without a search.
	at := make([]int, len(rep))
	for i := range at {
		at[i] = -1
	}
	for r := 0; r < maxRep && len(rep) > 0; r++ {
		ended := 0
		for i, o := range rep {
			no, v, pos := a.nextFrom(o, at[i])
			at[i] = pos
			if !b.add(no, a.outgoing(q, v)) {
				return false
			}
			rep[i] = no
			if v.Tag == tagEndOfMibView {
				ended++
			}
		}
		if ended == len(rep) {
			break
		}
	}
	return true
}

// bulkAnswer is a GetBulk answer being built within its bounds: size
// bytes, maxBulkVarbinds variables, and MaxVarbinds unless the policy
// caps repetitions instead.
type bulkAnswer struct {
	vbs    []byte
	count  int
	size   int
	policy Oversize
	capVB  int
}

// add appends a variable if it fits, and reports whether it did.
func (b *bulkAnswer) add(o []uint32, v Value) bool {
	before := len(b.vbs)
	b.vbs = appendVarbind(b.vbs, o, v)
	b.count++
	if len(b.vbs) > b.size || b.count > maxBulkVarbinds || (b.policy != CutRepetitions && b.count > b.capVB) {
		b.vbs = b.vbs[:before]
		return false
	}
	return true
}

// lookup returns the value at oid, faults applied.
func (a *Agent) lookup(o []uint32) (Value, bool) {
	i, ok := a.table.get(o)
	if !ok {
		if v, ok := a.overlay[oidString(o)]; ok {
			return v, true
		}
		return Value{}, false
	}
	return a.valueAt(i), true
}

// next returns the successor of oid, faults applied.
func (a *Agent) next(o []uint32) ([]uint32, Value) {
	no, v, _ := a.nextFrom(o, -1)
	return no, v
}

// nextFrom is next for an oid known to sit at table position at (-1 when
// not known); it also returns the successor's position (-1 if none).
func (a *Agent) nextFrom(o []uint32, at int) ([]uint32, Value, int) {
	if (a.behavior.endless || a.behavior.loop) && hasPrefix(o, oidIfEntry) && len(o) > len(oidIfEntry) {
		col := o[len(oidIfEntry)]
		if len(o) == len(oidIfEntry)+1 || a.behavior.loop {
			// loop: always answer the column's first row, going backwards.
			return appendOID(oidIfEntry, col, 1), String("loop"), -1
		}
		n := o[len(oidIfEntry)+1] + 1
		return appendOID(oidIfEntry, col, n), String("endless " + strconv.FormatUint(uint64(n), 10)), -1
	}
	i := at + 1
	if at < 0 {
		i = a.table.next(o)
	}
	if h := &a.behavior.hostile; h.repeat || h.endlessAll {
		var real []uint32
		if i < len(a.table.entries) {
			real = a.table.entries[i].OID
		}
		if no, v, ok := a.hostileNext(o, real); ok {
			return no, v, -1
		}
	}
	if i >= len(a.table.entries) {
		return o, Value{Tag: tagEndOfMibView}, -1
	}
	return a.table.entries[i].OID, a.valueAt(i), i
}

// valueAt is the value of table entry i, faults applied.
func (a *Agent) valueAt(i int) Value {
	e := &a.table.entries[i]
	if len(a.overlay) > 0 {
		if v, ok := a.overlay[oidString(e.OID)]; ok {
			return v
		}
	}
	if a.liveUp && compareOID(e.OID, oidSysUpTime) == 0 {
		return TimeTicks(uint32(time.Since(a.bootedAt) / (10 * time.Millisecond)))
	}
	return e.Value
}

// outgoing is the value as it goes out, faults applied.
func (a *Agent) outgoing(q *request, v Value) Value { return a.hostileValue(q, a.shape(v)) }

// shape applies the wrong-types fault: every value goes out as a type its
// MIB does not allow.
func (a *Agent) shape(v Value) Value {
	if !a.behavior.wrongTypes {
		return v
	}
	switch v.Tag {
	case TagOctetString:
		return Integer(7)
	case TagInteger, TagGauge32, TagCounter32, TagTimeTicks, TagCounter64, TagOID:
		return String("wrong type")
	}
	return v
}
