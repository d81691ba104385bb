package redfish

// Remembered parts: a system, chassis or manager read from one answer is
// kept, and used again while the BMC gives the same answer.

import (
	"context"
	"hash/fnv"
	"sync/atomic"
)

// fetches counts, for one part being read, the resources that did not
// come inline in its top answer (so the part depends on more than it).
type fetches struct{ n atomic.Int32 }

type fetchesKey struct{}

// reuse returns the part read last time from this same answer: a 304
// for the same request, or the same bytes again (a BMC without ETags).
func (pl *poll) reuse(uri string, a answer) (any, bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	e, ok := pl.dev.parts[uri]
	if !ok || e.target != a.target {
		return nil, false
	}
	if a.unchanged || a.body != nil && e.sum == sum64(a.body) {
		return e.part, true
	}
	return nil, false
}

// remember keeps a part read from one answer alone (f counted no other
// read, and nothing failed) in place of the answer's body, which the ETag
// cache then drops: a remembered part is smaller than the JSON it came
// from. Otherwise the part of uri is forgotten.
func (pl *poll) remember(uri string, a answer, part any, f *fetches, clean bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.dev.parts == nil {
		pl.dev.parts = make(map[string]cachedPart)
	}
	if f.n.Load() != 0 || !clean || a.body == nil {
		delete(pl.dev.parts, uri)
		return
	}
	pl.dev.parts[uri] = cachedPart{target: a.target, sum: sum64(a.body), part: part}
	pl.c.cache.dropBody(a.target)
}

func sum64(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// reread reads a top resource again in full when its answer was a 304
// whose body was dropped for a part that no longer matches it.
func (pl *poll) reread(ctx context.Context, a answer, read func() (answer, error)) (answer, error) {
	if a.body != nil {
		return a, nil
	}
	pl.c.cache.forget(a.target)
	return read()
}

// readTop reads a top-level resource (a system or a chassis, expanded as
// far as the BMC allows). When the BMC says it has not changed since the
// last poll, it returns the part kept from then as reused; otherwise it
// decodes the answer into doc.
func (pl *poll) readTop(ctx context.Context, uri, sel string, levels int, doc any) (a answer, reused any, err error) {
	read := func() (answer, error) { return pl.top(ctx, uri, sel, levels) }
	if a, err = read(); err != nil {
		return a, nil, err
	}
	if p, ok := pl.reuse(uri, a); ok {
		return a, p, nil
	}
	if a, err = pl.reread(ctx, a, read); err != nil {
		return a, nil, err
	}
	return a, nil, pl.decode(a.body, doc)
}
