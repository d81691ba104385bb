package inventory

import (
	"hash/maphash"
	"sync"
)

// Strings is a table of the strings that loads have read: loads given the
// same table keep one copy of each equal string (an id, a rack or PDU
// reference, a kind) instead of one per occurrence. diff loads its two
// sides with one table, so the ids the two files have in common are held
// once. It is safe for loads running at once; drop it once they are done.
type Strings struct {
	seed   maphash.Seed
	shards [64]stringShard
}

type stringShard struct {
	sync.Mutex
	m map[string]string
}

// NewStrings returns an empty table.
func NewStrings() *Strings { return &Strings{seed: maphash.MakeSeed()} }

// intern returns the table's copy of s, adding s if it has none.
func (t *Strings) intern(s string) string {
	sh := &t.shards[maphash.String(t.seed, s)%uint64(len(t.shards))]
	sh.Lock()
	defer sh.Unlock()
	if v, ok := sh.m[s]; ok {
		return v
	}
	if sh.m == nil {
		sh.m = make(map[string]string)
	}
	sh.m[s] = s
	return s
}
