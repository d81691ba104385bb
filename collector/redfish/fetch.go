package redfish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
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

// getPath returns the resource at a link: from an expansion already read
// this poll, else from the BMC.
func (pl *poll) getPath(ctx context.Context, ref string, want int) ([]byte, error) {
	if f, ok := ctx.Value(fetchesKey{}).(*fetches); ok {
		f.n.Add(1)
	}
	path, foreign := canonicalRef(pl.base, ref)
	if foreign {
		return nil, fmt.Errorf("%s: a link to another host, not followed", clip(ref, 120))
	}
	if path == "" {
		return nil, errors.New("an empty link")
	}
	if b := pl.inlined(ctx, path); b != nil && !pl.cutShort(b, want) {
		return b, nil
	}
	levels := pl.expandLevels(want)
	return pl.once(ctx, path+"\x00"+itoa(levels), func() ([]byte, error) {
		if levels > 0 {
			a, err := pl.getExpanded(ctx, path, fmt.Sprintf("$expand=.($levels=%d)", levels), "")
			return a.body, err
		}
		return pl.c.get(ctx, path, "")
	})
}

// getPage reads a page of a collection: the first as any link, the next
// ones (Members@odata.nextLink) with their query, which tells the pages
// apart ($skip, a token).
func (pl *poll) getPage(ctx context.Context, r ref, want int, next bool) ([]byte, error) {
	_, q, _ := strings.Cut(r.ID, "?")
	q, _, _ = strings.Cut(q, "#")
	if !next || q == "" {
		return pl.get(ctx, r, want)
	}
	path, foreign := canonicalRef(pl.base, r.ID)
	if foreign || path == "" {
		return nil, fmt.Errorf("%s: a link to another host, not followed", clip(r.ID, 120))
	}
	return pl.once(ctx, path+"?"+q, func() ([]byte, error) { return pl.c.get(ctx, path, q) })
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
		return answer{}, fmt.Errorf("%s: a link to another host, not followed", clip(ref, 120))
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
