package snmpsim

import (
	"fmt"
	"slices"
	"sort"
)

// Entry is one OID and its value.
type Entry struct {
	OID   []uint32
	Value Value
}

// Table is an immutable, sorted OID table; agents share it.
type Table struct {
	entries []Entry
}

// NewTable sorts entries into a table; a duplicate OID is an error.
func NewTable(entries []Entry) (*Table, error) {
	es := slices.Clone(entries)
	slices.SortFunc(es, func(a, b Entry) int { return compareOID(a.OID, b.OID) })
	for i := 1; i < len(es); i++ {
		if compareOID(es[i-1].OID, es[i].OID) == 0 {
			return nil, fmt.Errorf("duplicate oid %s", oidString(es[i].OID))
		}
	}
	return &Table{entries: es}, nil
}

// Len is the number of entries.
func (t *Table) Len() int { return len(t.entries) }

// Entries returns the table's entries in order (do not modify them).
func (t *Table) Entries() []Entry { return t.entries }

// find returns the position of the first entry ≥ oid.
func (t *Table) find(oid []uint32) int {
	return sort.Search(len(t.entries), func(i int) bool { return compareOID(t.entries[i].OID, oid) >= 0 })
}

// get returns the entry for exactly oid.
func (t *Table) get(oid []uint32) (int, bool) {
	i := t.find(oid)
	return i, i < len(t.entries) && compareOID(t.entries[i].OID, oid) == 0
}

// next returns the position of the first entry after oid.
func (t *Table) next(oid []uint32) int {
	i := t.find(oid)
	if i < len(t.entries) && compareOID(t.entries[i].OID, oid) == 0 {
		i++
	}
	return i
}
