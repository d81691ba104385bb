package redfish

// The budget of one poll of one BMC. A BMC is untrusted input: a
// collection of 350,000 members, next pages that never end, links that
// point back at themselves. Every limit is enforced where the work
// happens (the transport counts requests, the body reader counts bytes,
// the collection reader counts members and pages, the walk bounds its
// workers and checks the deadline before each step), and a BMC over one
// stops its own poll with an error naming the limit; the other BMCs of the
// sweep are untouched.

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Defaults of the budget options (docs/redfish.md, "Limits").
const (
	defaultMaxMembers  = 4096
	defaultMaxPages    = 64
	defaultMaxRequests = 2000
	defaultMaxBytes    = 32 << 20
)

// DefaultMaxMembers is the default bound on the members of one
// collection (a chassis's power supplies, a storage's drives). Auditors
// bound each list of parts they accept from site collectors by it.
const DefaultMaxMembers = defaultMaxMembers

// LimitError is the error of a poll stopped because the BMC took it over
// one of its limits.
type LimitError struct {
	// Option is the Options field that sets the limit ("MaxRequests").
	Option string
	// Limit is its value.
	Limit int64
	// What is counted ("requests in one poll", "members in one
	// collection"), and Where, when it is about one resource, its path.
	What, Where string
}

func (e *LimitError) Error() string {
	where := ""
	if e.Where != "" {
		where = e.Where + ": "
	}
	return fmt.Sprintf("%smore than %d %s (Options.%s); stopped", where, e.Limit, e.What, e.Option)
}

// budget counts one poll's requests and bytes against their limits, and
// cancels the poll the first time one is passed.
type budget struct {
	maxRequests, maxBytes int64
	requests, bytes       atomic.Int64
	cancel                context.CancelCauseFunc

	mu  sync.Mutex
	err *LimitError
}

// over records that a limit was passed and stops the poll; the first
// limit passed is the one reported.
func (b *budget) over(e *LimitError) error {
	b.mu.Lock()
	if b.err == nil {
		b.err = e
	}
	b.mu.Unlock()
	if b.cancel != nil {
		b.cancel(e)
	}
	return e
}

// exceeded is the limit that stopped the poll, if any.
func (b *budget) exceeded() *LimitError {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// request counts one request put on the wire.
func (b *budget) request() error {
	if n := b.requests.Add(1); n > b.maxRequests {
		return b.over(&LimitError{Option: "MaxRequests", Limit: b.maxRequests, What: "requests in one poll"})
	}
	return nil
}

// read counts n bytes of answers.
func (b *budget) read(n int64) error {
	if t := b.bytes.Add(n); t > b.maxBytes {
		return b.over(&LimitError{Option: "MaxBytes", Limit: b.maxBytes, What: "bytes of answers in one poll"})
	}
	return nil
}

// each runs f(0..n-1) on at most PerDevice workers, and stops handing out
// work once ctx ends (the deadline, or a limit passed): the items not
// run are left as they were, and the poll fails for its deadline or its
// limit. A collection's members are walked this way, never with one
// goroutine each.
func (pl *poll) each(ctx context.Context, n int, f func(i int)) {
	workers := min(n, pl.p.opts.PerDevice)
	if workers <= 1 {
		for i := range n {
			if ctx.Err() != nil {
				return
			}
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// visit is one link followed in this poll: the first caller reads it, the
// others wait for and share its answer (a storage listing one missing
// drive 32 times costs one request and one part error).
type visit struct {
	done chan struct{}
	body []byte
	err  error
}

// once reads key through read the first time it is asked for in this
// poll, and gives every later caller the same answer.
func (pl *poll) once(ctx context.Context, key string, read func() ([]byte, error)) ([]byte, error) {
	pl.mu.Lock()
	v, ok := pl.visited[key]
	if !ok {
		v = &visit{done: make(chan struct{})}
		pl.visited[key] = v
	}
	pl.mu.Unlock()
	if ok {
		select {
		case <-v.done:
			return v.body, v.err
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	v.body, v.err = read()
	close(v.done)
	return v.body, v.err
}

// distinct returns the links of an array a resource lists (a storage's
// Drives), each once and in order, within Options.MaxMembers; links off
// the origin are kept (reading them fails on its own, as a part error).
func (pl *poll) distinct(where, what string, refs []ref) ([]ref, error) {
	if len(refs) > pl.p.opts.MaxMembers {
		return nil, pl.budget.over(&LimitError{Option: "MaxMembers", Limit: int64(pl.p.opts.MaxMembers), What: "links in one array (" + what + ")", Where: clip(shown(where), 120)})
	}
	seen := make(map[string]bool, len(refs))
	out := refs[:0:0]
	dup := 0
	for _, r := range refs {
		p, _ := canonicalRef(pl.base, r.ID)
		if seen[p] {
			dup++
			continue
		}
		seen[p] = true
		out = append(out, r)
	}
	if dup > 0 {
		pl.warn(fmt.Sprintf("%s: %d %s listed more than once; each read once", clip(shown(where), 120), dup, what))
	}
	return out, nil
}

// decode is decodeJSON for a BMC's answer, within Options.MaxMembers
// elements in any one array: arrays inline in a resource (legacy
// Temperatures, StorageControllers, an expanded collection's Members) are
// bounded like collections, before they are decoded.
func (pl *poll) decode(b []byte, v any) error {
	// An array of more than n elements takes at least 2n+1 bytes ("[1,2]"):
	// smaller answers, most of them, need no scan.
	if m := pl.p.opts.MaxMembers; len(b) > 2*m+1 && maxArray(b) > m {
		return pl.budget.over(&LimitError{Option: "MaxMembers", Limit: int64(pl.p.opts.MaxMembers), What: "elements in one array"})
	}
	return decodeJSON(b, v)
}

// maxArray is the length of the longest array anywhere in the JSON b,
// counted by scanning bytes (strings skipped), without decoding. It does
// not validate: on malformed input it counts what it saw.
func maxArray(b []byte) int {
	type level struct {
		array, any bool
		commas     int
	}
	var stack []level
	best := 0
	value := func() {
		if k := len(stack) - 1; k >= 0 && stack[k].array {
			stack[k].any = true
		}
	}
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\n', '\r', ':':
		case '"':
			value()
			j := skipString(b, i)
			if j < 0 {
				return best
			}
			i = j - 1
		case '[', '{':
			value()
			stack = append(stack, level{array: b[i] == '['})
		case ']', '}':
			if k := len(stack) - 1; k >= 0 {
				if l := stack[k]; l.array && l.any {
					best = max(best, l.commas+1)
				}
				stack = stack[:k]
			}
		case ',':
			if k := len(stack) - 1; k >= 0 && stack[k].array {
				stack[k].commas++
			}
		default:
			value()
		}
	}
	return best
}
