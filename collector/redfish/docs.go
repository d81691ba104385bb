package redfish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// The collector reads resources through get: a resource that already came
// inline in an $expand answer this poll costs nothing; otherwise it is
// requested, expanded as deep as the caller will walk below it when the
// BMC does $expand well. The walking code is the same whether the BMC
// expands or not — expansion only prefills what the walk finds.

// get returns the resource a link leads to: as it came inline, or read
// (getPath). want is how many levels of links below it the caller will
// follow (0: none).
func (pl *poll) get(ctx context.Context, r ref, want int) ([]byte, error) {
	if r.inline != nil && !pl.cutShort(r.inline, want) {
		return r.inline, nil
	}
	return pl.getPath(ctx, r.ID, want)
}

// cutShort reports whether a resource that came inline should be read
// again, expanded: the BMC's $levels limit (iLO 5: 1) left at least two
// links below it that the walk wants, and one expanded read costs less
// than a read per link.
func (pl *poll) cutShort(b []byte, want int) bool {
	return want > 0 && pl.shallow() && pl.expandLevels(want) > 0 && bareLinks(b) >= 2
}

// shallow reports whether the BMC expands less deep than the collector
// reads (only then can an expansion be cut short).
func (pl *poll) shallow() bool {
	eq := pl.dev.features.ExpandQuery
	return eq.NoLinks && (!eq.Levels || int(eq.MaxLevels) < systemLevels)
}

// fetches counts, for one part being read, the resources that did not
// come inline in its top answer (so the part depends on more than it).
type fetches struct{ n atomic.Int32 }

type fetchesKey struct{}

// getPath returns the resource at a link: from an expansion already read
// this poll, else from the BMC.
func (pl *poll) getPath(ctx context.Context, ref string, want int) ([]byte, error) {
	if f, ok := ctx.Value(fetchesKey{}).(*fetches); ok {
		f.n.Add(1)
	}
	path, foreign := canonicalRef(pl.base, ref)
	if foreign {
		return nil, fmt.Errorf("%s: a link to another host, not followed", ref)
	}
	if path == "" {
		return nil, errors.New("an empty link")
	}
	if b := pl.inlined(path); b != nil && !pl.cutShort(b, want) {
		return b, nil
	}
	if levels := pl.expandLevels(want); levels > 0 {
		a, err := pl.getExpanded(ctx, path, fmt.Sprintf("$expand=.($levels=%d)", levels), "")
		return a.body, err
	}
	return pl.c.get(ctx, path, "")
}

// answer is a BMC's answer to a request for a system, chassis or manager:
// the body (nil when it is unchanged and its part is remembered instead),
// the request target, and whether it was a 304 for what was read before.
type answer struct {
	body      []byte
	target    string
	unchanged bool
}

func (pl *poll) plain(ctx context.Context, path string) (answer, error) {
	b, unchanged, err := pl.c.revalidate(ctx, path, "")
	return answer{body: b, target: path, unchanged: unchanged}, err
}

// top reads a system, chassis or manager: with $select of the properties
// the collector uses and $expand of the want levels below it, in one
// request, when the BMC does both (and deep enough); plainly otherwise,
// leaving the walk to expand the collections below one by one.
func (pl *poll) top(ctx context.Context, ref, sel string, want int) (answer, error) {
	path, foreign := canonicalRef(pl.base, ref)
	if foreign {
		return answer{}, fmt.Errorf("%s: a link to another host, not followed", ref)
	}
	if !pl.selectOK() {
		return pl.plain(ctx, path)
	}
	if want == 0 {
		return pl.getSelected(ctx, path, "$select="+sel, sel)
	}
	if pl.expandLevels(want) < want {
		return pl.plain(ctx, path)
	}
	return pl.getExpanded(ctx, path, fmt.Sprintf("$select=%s&$expand=.($levels=%d)", sel, want), sel)
}

// getSelected reads with $select alone, and turns $select off for this
// BMC if it fails on it.
func (pl *poll) getSelected(ctx context.Context, path, query, sel string) (answer, error) {
	b, unchanged, err := pl.c.revalidate(ctx, path, query)
	if err == nil {
		if !unchanged {
			pl.judgeSelect(b, sel)
		}
		return answer{body: b, target: path + "?" + query, unchanged: unchanged}, nil
	}
	if !rejectsQuery(err) || ctx.Err() != nil {
		return answer{}, err
	}
	a, perr := pl.plain(ctx, path)
	if perr != nil {
		return answer{}, perr
	}
	pl.featureOff(false, fmt.Sprintf("the BMC answered %d to $select", statusOf(err)))
	return a, nil
}

// getExpanded makes one $expand request (with $select when sel is set) and
// judges it. An error answer, a timeout past ExpandTimeout, an answer with
// nothing inline, or one slower than reading its resources one by one
// turns $expand off for this BMC until Options.Reprobe; the resource is
// then read plainly in the same poll.
func (pl *poll) getExpanded(ctx context.Context, path, query, sel string) (answer, error) {
	budget := pl.p.opts.ExpandTimeout
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)/2)
	}
	ectx, cancel := context.WithTimeout(ctx, budget)
	start := time.Now()
	b, unchanged, err := pl.c.revalidate(ectx, path, query)
	took := time.Since(start)
	timedOut := ectx.Err() != nil
	cancel()

	switch {
	case err == nil:
		pl.answered(b)
		a := answer{body: b, target: path + "?" + query, unchanged: unchanged}
		if unchanged {
			return a, nil // judged when it first came
		}
		if sel != "" {
			pl.judgeSelect(b, sel)
		}
		// Resources inline, roughly: every @odata.id but the top's.
		n := bytes.Count(b, []byte(`"@odata.id"`)) - 1
		est := pl.dev.rtt.estimate()
		switch bare, inline := linkCounts(b); {
		case bare > 0 && inline == 0:
			pl.featureOff(true, "the BMC ignored $expand")
		case est > 0 && took > 250*time.Millisecond && took > time.Duration(n+1)*est:
			pl.featureOff(true, fmt.Sprintf("$expand took %v for about %d resources, slower than reading them one by one (%v each)", took.Round(time.Millisecond), n, est.Round(time.Millisecond)))
		}
		return a, nil
	case ctx.Err() != nil:
		return answer{}, err // the poll's own deadline: not $expand's fault
	case !timedOut && !rejectsQuery(err):
		return answer{}, err
	}
	// Read it plainly; only if that works was $expand the trouble.
	plain, perr := pl.plain(ctx, path)
	if perr != nil {
		return answer{}, perr
	}
	if timedOut {
		pl.featureOff(true, fmt.Sprintf("$expand did not answer within %v", budget.Round(time.Millisecond)))
	} else {
		pl.featureOff(true, fmt.Sprintf("the BMC answered %d to $expand", statusOf(err)))
		if sel != "" {
			pl.featureOff(false, fmt.Sprintf("the BMC answered %d to $select with $expand", statusOf(err)))
		}
	}
	return plain, nil
}

// rejectsQuery reports whether an error is the BMC refusing a query
// parameter (rather than the resource, the credentials or the network).
func rejectsQuery(err error) bool {
	switch statusOf(err) {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusNotAcceptable,
		http.StatusInternalServerError, http.StatusNotImplemented:
		return true
	}
	return false
}

// judgeSelect turns $select off when the answer has properties that were
// not selected (the BMC ignored $select, and every answer is full size).
func (pl *poll) judgeSelect(b []byte, sel string) {
	want := map[string]bool{}
	for _, s := range strings.Split(sel, ",") {
		want[s] = true
	}
	extra := false
	eachKey(b, func(key, _ []byte) {
		extra = extra || !want[string(key)] && len(key) > 0 && key[0] != '@'
	})
	if extra {
		pl.featureOff(false, "the BMC ignored $select")
	}
}

// expandLevels is how many levels to ask $expand for (0: do not).
func (pl *poll) expandLevels(want int) int {
	if want <= 0 || pl.p.opts.NoExpand {
		return 0
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.dev.expandOff {
		if pl.now.Sub(pl.dev.expandAt) < pl.p.opts.Reprobe {
			return 0
		}
		pl.dev.expandOff = false
	}
	eq := pl.dev.features.ExpandQuery
	if !eq.NoLinks {
		return 0
	}
	most := 1
	if eq.Levels && eq.MaxLevels > 0 {
		most = int(min(eq.MaxLevels, 8))
	}
	return min(want, most)
}

func (pl *poll) selectOK() bool {
	if pl.p.opts.NoExpand || !pl.dev.features.SelectQuery {
		return false
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.dev.selectOff {
		if pl.now.Sub(pl.dev.selectAt) < pl.p.opts.Reprobe {
			return false
		}
		pl.dev.selectOff = false
	}
	return true
}

// featureOff records that the BMC mishandled $expand (expand true) or
// $select, once per poll, in the log and the observation.
func (pl *poll) featureOff(expand bool, why string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	name := "$select"
	if expand {
		if pl.dev.expandOff {
			return
		}
		pl.dev.expandOff, pl.dev.expandWhy, pl.dev.expandAt = true, why, pl.now
		name = "$expand"
	} else {
		if pl.dev.selectOff {
			return
		}
		pl.dev.selectOff, pl.dev.selectWhy, pl.dev.selectAt = true, why, pl.now
	}
	msg := fmt.Sprintf("%s turned off for this BMC (%s): walking instead, trying again in %v", name, why, pl.p.opts.Reprobe)
	pl.warnings = append(pl.warnings, msg)
	pl.log.Info("redfish feature turned off", "feature", name, "reason", why)
}

// answered keeps an expanded answer, for the index.
func (pl *poll) answered(b []byte) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.answers = append(pl.answers, b)
}

// inlined looks a path up among the resources that came inline in this
// poll's expanded answers. Most resources are found where they came (a
// link's inline object); this index serves the links that point across
// the tree, and is built only when one is followed.
func (pl *poll) inlined(path string) []byte {
	pl.mu.Lock()
	pending := pl.answers[pl.indexed:]
	pl.indexed = len(pl.answers)
	pl.mu.Unlock()
	for _, b := range pending {
		pl.index(b)
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.inline[path]
}

// index records every resource that came inline in an answer (any object
// with an @odata.id and properties of its own, below the top), keyed by
// canonical path.
func (pl *poll) index(b []byte) {
	found := map[string][]byte{}
	walkInline(b, true, found, 0)
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for k, v := range found {
		p, foreign := canonicalRef(pl.base, k)
		if foreign || pl.ambiguous[p] {
			continue
		}
		if old, ok := pl.inline[p]; v == nil || ok && !bytes.Equal(old, v) {
			// Two different resources claim one @odata.id (DMTF
			// public-tower's NVMeSecondary volumes say they are
			// RAIDIntegrated's): trust neither, read that path itself.
			delete(pl.inline, p)
			pl.ambiguous[p] = true
			continue
		}
		pl.inline[p] = v
	}
}

func walkInline(b []byte, top bool, found map[string][]byte, depth int) {
	if depth > 32 {
		return
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return
	}
	if !top {
		var id string
		if raw, ok := m["@odata.id"]; ok && json.Unmarshal(raw, &id) == nil && id != "" && !strings.Contains(id, "#") && hasOwnProperties(m) {
			if old, dup := found[id]; dup && !bytes.Equal(old, b) {
				b = nil // claimed twice in one answer: index neither
			}
			found[id] = b
		}
	}
	for _, v := range m {
		v = bytes.TrimSpace(v)
		if len(v) == 0 {
			continue
		}
		switch v[0] {
		case '{':
			walkInline(v, false, found, depth+1)
		case '[':
			var arr []json.RawMessage
			if json.Unmarshal(v, &arr) == nil {
				for _, e := range arr {
					if e = bytes.TrimSpace(e); len(e) > 0 && e[0] == '{' {
						walkInline(e, false, found, depth+1)
					}
				}
			}
		}
	}
}

func hasOwnProperties(m map[string]json.RawMessage) bool {
	for k := range m {
		if !strings.HasPrefix(k, "@") {
			return true
		}
	}
	return false
}

// bareLinks counts the links of a resource (outside Links) that were not
// expanded: hyperlink properties and hyperlinks in arrays.
func bareLinks(b []byte) int {
	bare, _ := linkCounts(b)
	return bare
}

// linkCounts counts a resource's top-level links (outside Links): those
// left bare, and those that came expanded.
func linkCounts(b []byte) (bare, inline int) {
	count := func(v []byte) {
		if id, own := scanLink(v); id != "" {
			if own {
				inline++
			} else {
				bare++
			}
		}
	}
	eachKey(b, func(key, val []byte) {
		if string(key) == "Links" || len(key) > 0 && key[0] == '@' || len(val) == 0 {
			return
		}
		switch val[0] {
		case '{':
			count(val)
		case '[':
			eachElement(val, count)
		}
	})
	return bare, inline
}

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
