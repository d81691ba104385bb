package snmp

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Limits bound what one poll asks of a device and accepts from it.
type Limits struct {
	// MaxRepetitions caps GetBulk max-repetitions per column (default 50).
	MaxRepetitions int
	// MaxVarbinds is the most variables asked for in one request; columns
	// walked together share it (default 250). It is where each poll
	// starts: an agent that answers less, tooBig or genErr lowers it for
	// the rest of that poll (see walk).
	MaxVarbinds int
	// MaxRows caps the rows read from one column: a table that never ends
	// is cut there, and that table alone is a part error (default 10,000).
	MaxRows int
	// MaxRequests caps the request packets of one poll, retries and
	// SNMPv3 discovery included (default 2,000): an agent that makes the
	// walk crawl, one variable a request, or refuses every variable one
	// by one, ends the poll with ErrBudget.
	MaxRequests int
	// MaxVariables caps the variables one poll takes in, over every
	// answer (default 100,000): many tables that each stay under MaxRows
	// still end the poll with ErrBudget.
	MaxVariables int
	// MaxBytes caps the memory the variables of one poll may take, each
	// counted as its OID (4 bytes an arc), its value and varOverhead
	// (default 32 MiB): huge OCTET STRINGs end the poll with ErrBudget.
	MaxBytes int
}

// DefaultMaxRows is the default of Limits.MaxRows, the rows read from one
// table. Auditors bound each list of parts they accept from site
// collectors by it.
const DefaultMaxRows = 10000

func (l Limits) withDefaults() Limits {
	if l.MaxRepetitions <= 0 {
		l.MaxRepetitions = 50
	}
	if l.MaxVarbinds <= 0 {
		l.MaxVarbinds = 250
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxRequests <= 0 {
		l.MaxRequests = 2000
	}
	if l.MaxVariables <= 0 {
		l.MaxVariables = 100000
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = 32 << 20
	}
	return l
}

// varOverhead is what one variable costs in memory besides its OID and
// value (the Var itself, its slice headers), for Limits.MaxBytes.
const varOverhead = 96

// varSize is what v counts against Limits.MaxBytes.
func varSize(v Var) int { return varOverhead + 4*len(v.OID) + len(v.Bytes) + 4*len(v.Obj) }

// refusalsBeforeGivingUp is how many variables, each asked alone, an
// agent may refuse before the walk ends, when it has answered no table
// variable at all (not even a table's end): an agent that refuses
// everything is not read column by column, each column a bisection.
const refusalsBeforeGivingUp = 3

// Errors of a walk that a device caused.
var (
	ErrNotIncreasing = errors.New("agent returned OIDs out of order (a loop)")
	ErrTooManyRows   = errors.New("table does not end")
	// ErrBudget ends a poll that spent one of its Limits; the error names
	// the budget (request, variable or byte).
	ErrBudget = errors.New("over budget")
	// ErrRefusesAll ends a poll whose agent refused every table
	// variable, even asked alone, and answered none.
	ErrRefusesAll = errors.New("agent refuses every table")
)

// maxNonRepeaters is the most non-repeaters gosnmp can put in a GetBulk.
const maxNonRepeaters = 255

// column is one subtree being walked.
type column struct {
	root OID
	next OID // where the next request starts
	vars []Var
	err  error
	done bool
}

// walkResult holds what was read: scalars by OID and columns by root.
type walkResult struct {
	scalars map[string]Var
	// refused are scalars the agent would not answer even alone.
	refused map[string]error
	cols    map[string]*column
	// budget is the request size the walk ended with: the agent's limit
	// where it showed one, else Limits.MaxVarbinds.
	budget int
	// vars and bytes are what the walk took in (see Limits).
	vars, bytes int
	// ctx is the poll's: decoding stops when it is done.
	ctx context.Context
}

// walker is the state of one walk of one device.
type walker struct {
	c   Client
	lim Limits
	res *walkResult
	// pending are the scalars not read yet, active the unfinished columns
	// in the order the next requests serve them.
	pending []OID
	active  []*column
	// budget is the variables one request may ask for: Limits.MaxVarbinds
	// at first, cut to what the agent shows it can answer. bisecting is
	// the budget when the agent began refusing requests (0 if it has not).
	budget, bisecting int
	// colAnswers counts the answers that carried a variable for a
	// column, refusedAlone the variables refused even when asked alone.
	colAnswers, refusedAlone int
}

// walk reads scalars (each X.0 asked as a GETNEXT of X among the
// non-repeaters) and walks every column at once with GetBulk: a request
// carries the scalars not yet read, then one variable per column it
// serves, with max-repetitions sharing what is left of the request's
// budget among the columns.
//
// The budget starts at lim.MaxVarbinds and adapts to the agent for the
// rest of the walk: a tooBig or genErr answer halves it (down to a single
// variable, which then fails alone: a column the agent cannot answer is
// that column's error); an answer cut short sets it to the number of
// variables the agent did send, or halves it when not one column got a
// variable. Columns not served by a request go first in the next.
//
// A column that goes backwards or never ends fails alone; a request that
// goes unanswered or is refused otherwise ends the walk, marking the
// unfinished columns with its error, which is returned.
func walk(ctx context.Context, c Client, scalars, roots []OID, lim Limits) (*walkResult, error) {
	lim = lim.withDefaults()
	w := &walker{c: c, lim: lim, budget: lim.MaxVarbinds,
		res:     &walkResult{scalars: make(map[string]Var, len(scalars)), cols: make(map[string]*column, len(roots)), ctx: ctx},
		pending: slices.Clone(scalars)}
	for _, r := range roots {
		if _, dup := w.res.cols[r.String()]; dup {
			continue
		}
		col := &column{root: r, next: r}
		w.res.cols[r.String()] = col
		w.active = append(w.active, col)
	}
	defer func() { w.res.budget = w.budget }()
	for len(w.pending) > 0 || len(w.active) > 0 {
		if err := ctx.Err(); err != nil {
			return w.res, failAll(w.active, context.Cause(ctx))
		}
		if n := c.Requests(); n >= lim.MaxRequests {
			return w.res, failAll(w.active, fmt.Errorf("%w: %d requests sent, the request budget of one poll, and the walk is not finished: the agent answers too little at a time or its tables never end; raise the budget only for a device known to be that large", ErrBudget, n))
		}
		if err := w.step(ctx); err != nil {
			return w.res, failAll(w.active, err)
		}
	}
	return w.res, nil
}

// step sends one GetBulk and takes in its answer.
func (w *walker) step(ctx context.Context) error {
	q := w.plan()
	vars, err := w.c.GetBulk(ctx, q.ns, q.reps, q.ask)
	if err != nil {
		var es *ErrorStatus
		if errors.As(err, &es) && (es.Status == statusTooBig || es.Status == statusGenErr) {
			w.refused(es, q.ns, q.cols, q.asked)
			if w.colAnswers == 0 && w.refusedAlone >= refusalsBeforeGivingUp {
				return fmt.Errorf("%w: %d variables refused even asked alone (%w), and no table variable answered (check the agent's view and message size for this community or user)", ErrRefusesAll, w.refusedAlone, es)
			}
			return nil
		}
		return err
	}
	if len(vars) > q.asked {
		vars = vars[:q.asked] // more than asked: the rest is not ours to read
	}
	if err := w.account(vars); err != nil {
		return err
	}
	n := min(q.ns, len(vars))
	for i, v := range vars[:n] {
		if s := w.pending[i]; v.OID.Compare(s) == 0 && !v.Kind.Exception() {
			w.res.scalars[s.String()] = v
		}
	}
	w.pending = w.pending[n:]
	rest := vars[n:]
	if len(rest) > 0 {
		w.colAnswers++
	}
	k := len(q.cols)
	served := make([]bool, k)
	for i, v := range rest {
		col := q.cols[i%k]
		if col.done {
			continue
		}
		served[i%k] = true
		w.take(col, v, q.reps)
	}
	if err := w.adapt(q, len(vars), n, rest); err != nil {
		return err
	}
	w.reorder(q.cols, served)
	return nil
}

// bulkRequest is one GetBulk of a walk: ns scalars (non-repeaters), then
// the first columns of the active ones (cols) with reps repetitions each,
// asked variables in all.
type bulkRequest struct {
	ns, reps, asked int
	cols            []*column
	ask             []OID
}

// plan sizes the next request within the budget: as many pending scalars
// as fit (and gosnmp can carry), then the active columns that fit, with
// the rest of the budget shared out as repetitions.
func (w *walker) plan() bulkRequest {
	ns := min(len(w.pending), w.budget, maxNonRepeaters)
	k := min(len(w.active), w.budget-ns)
	reps := 0
	if k > 0 {
		reps = max(1, min(w.lim.MaxRepetitions, (w.budget-ns)/k))
	}
	ask := make([]OID, 0, ns+k)
	for _, s := range w.pending[:ns] {
		ask = append(ask, s[:len(s)-1]) // GETNEXT of X yields X.0
	}
	cols := w.active[:k:k]
	for _, col := range cols {
		ask = append(ask, col.next)
	}
	return bulkRequest{ns: ns, reps: reps, asked: ns + k*reps, cols: cols, ask: ask}
}

// adapt sets the budget from how an answer of got variables (n of them
// scalars, rest for the columns) fell short of request q: a complete
// answer (all that was asked, or rows up to every column's end) leaves
// it; one cut short sets it to what the agent sent; one with nothing for
// any column halves it, and for a single variable asked is an error.
func (w *walker) adapt(q bulkRequest, got, n int, rest []Var) error {
	k := len(q.cols)
	complete := got == q.asked ||
		k > 0 && len(rest) >= k && len(rest)%k == 0 && allEnded(rest[len(rest)-k:])
	switch {
	case complete:
	case len(rest) > 0 || (n > 0 && n < q.ns):
		// Cut short: the agent's limit is what it sent.
		w.budget = got
	default:
		// Nothing for any column (only the scalars, or nothing at all).
		if q.asked <= 1 {
			return errors.New("agent answered a GetBulk for one variable with none")
		}
		w.budget = max(1, q.asked/2)
	}
	return nil
}

// reorder makes the next order of the active columns: those of this
// request it did not reach first, then those it did not ask for, then
// those it served; finished columns leave.
func (w *walker) reorder(cols []*column, served []bool) {
	next := make([]*column, 0, len(w.active))
	for i, col := range cols {
		if !col.done && !served[i] {
			next = append(next, col)
		}
	}
	for _, col := range w.active[len(cols):] {
		if !col.done {
			next = append(next, col)
		}
	}
	for i, col := range cols {
		if !col.done && served[i] {
			next = append(next, col)
		}
	}
	w.active = next
}

// take adds one variable the agent answered for col, in a request of
// reps repetitions (room for the rest of them is made at once).
func (w *walker) take(col *column, v Var, reps int) {
	switch {
	case v.Kind == KindEndOfMibView || v.Kind == KindNoSuchObject || v.Kind == KindNoSuchInstance || !v.OID.HasPrefix(col.root):
		col.done = true
	case v.OID.Compare(col.next) <= 0:
		col.done = true
		col.err = fmt.Errorf("%w: %s after %s", ErrNotIncreasing, v.OID, col.next)
	case len(col.vars) >= w.lim.MaxRows:
		col.done = true
		col.err = fmt.Errorf("%w: more than %d rows under %s", ErrTooManyRows, w.lim.MaxRows, col.root)
	default:
		if len(col.vars) == cap(col.vars) {
			col.vars = slices.Grow(col.vars, min(reps, w.lim.MaxRows-len(col.vars)))
		}
		col.vars = append(col.vars, v)
		col.next = v.OID
	}
}

// refused takes in a tooBig or genErr answer: a request of several
// variables is retried at half the size; a single variable the agent
// will not answer fails alone, and the budget goes back to what it was
// before the refusals began (the agent refused that variable, not the
// size; if it refuses the size too, halving starts again).
func (w *walker) refused(es *ErrorStatus, ns int, cols []*column, asked int) {
	if asked > 1 {
		if w.bisecting == 0 {
			w.bisecting = w.budget
		}
		w.budget = max(1, asked/2)
		return
	}
	w.refusedAlone++
	if ns == 1 {
		if w.res.refused == nil {
			w.res.refused = map[string]error{}
		}
		w.res.refused[w.pending[0].String()] = es
		w.pending = w.pending[1:]
	} else {
		col := cols[0]
		col.done, col.err = true, es
		w.active = slices.DeleteFunc(w.active, func(c *column) bool { return c == col })
	}
	w.budget, w.bisecting = max(w.budget, w.bisecting), 0
}

// account counts an answer's variables against the poll's budget.
func (w *walker) account(vars []Var) error {
	w.res.vars += len(vars)
	for _, v := range vars {
		w.res.bytes += varSize(v)
	}
	switch {
	case w.res.vars > w.lim.MaxVariables:
		return fmt.Errorf("%w: more than %d variables, the variable budget of one poll, and the walk is not finished: the agent's tables never end, or the device is larger than the budget allows", ErrBudget, w.lim.MaxVariables)
	case w.res.bytes > w.lim.MaxBytes:
		return fmt.Errorf("%w: more than %d bytes of variables, the byte budget of one poll, and the walk is not finished: the agent sends huge values, or the device is larger than the budget allows", ErrBudget, w.lim.MaxBytes)
	}
	return nil
}

func allEnded(vars []Var) bool {
	for _, v := range vars {
		if v.Kind != KindEndOfMibView {
			return false
		}
	}
	return true
}

func failAll(cols []*column, err error) error {
	for _, c := range cols {
		if !c.done {
			c.done, c.err = true, err
		}
	}
	return err
}

// noTable returns an error when not one of the columns (roots, in
// order) could be read: an agent that refused or broke every table has
// given nothing a rule can use, and is not verified. A column that ended
// at once (the device has no such table) was read.
func (r *walkResult) noTable(roots []OID) error {
	var first error
	for _, o := range roots {
		col := r.cols[o.String()]
		if col == nil {
			continue
		}
		if col.err == nil {
			return nil
		}
		if first == nil {
			first = fmt.Errorf("column %s: %w", o, col.err)
		}
	}
	if first == nil {
		return nil
	}
	return fmt.Errorf("no table could be read, so nothing is verified (check the agent's view for this community or user; the first: %w)", first)
}

// anyData reports whether the walk read a table row, or a scalar other
// than the given ones (the system group, which no rule but restarts
// uses).
func (r *walkResult) anyData(except []OID) bool {
	for _, c := range r.cols {
		if len(c.vars) > 0 {
			return true
		}
	}
	skip := make(map[string]bool, len(except))
	for _, o := range except {
		skip[o.String()] = true
	}
	for k := range r.scalars {
		if !skip[k] {
			return true
		}
	}
	return false
}

// scalar returns a scalar read by the walk.
func (r *walkResult) scalar(o OID) (Var, bool) {
	v, ok := r.scalars[o.String()]
	return v, ok
}

// scalarErr returns the refusals of the named scalars, joined.
func (r *walkResult) scalarErr(oids ...OID) error {
	var errs []error
	for _, o := range oids {
		if err := r.refused[o.String()]; err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o, err))
		}
	}
	return errors.Join(errs...)
}

// checkEvery is how many items a decoding or matching loop handles
// between two looks at the poll's deadline.
const checkEvery = 256

// row is one table row: its index and the cells of the asked columns.
type row struct {
	index OID
	cells []Var
	has   []bool
}

// cell returns column i of the row.
func (r *row) cell(i int) (Var, bool) { return r.cells[i], r.has[i] }

// table groups columns of one table (entry OID + column numbers) by row
// index, in index order of the first column that has the row. It returns
// the errors of the columns that failed (joined), with the rows read.
func (r *walkResult) table(entry OID, cols ...uint32) ([]*row, error) {
	var (
		rows  []*row
		byIdx = map[string]*row{}
		errs  []error
	)
	for i, c := range cols {
		root := entry.Append(c)
		col := r.cols[root.String()]
		if col == nil {
			continue
		}
		if col.err != nil {
			errs = append(errs, fmt.Errorf("column %s: %w", root, col.err))
		}
		for j, v := range col.vars {
			if j%checkEvery == 0 && r.ctx != nil && r.ctx.Err() != nil {
				errs = append(errs, fmt.Errorf("column %s: decoding stopped: %w", root, context.Cause(r.ctx)))
				break
			}
			idx := v.OID.Index(root)
			if len(idx) == 0 {
				continue
			}
			k := idx.key()
			rw := byIdx[k]
			if rw == nil {
				rw = &row{index: idx, cells: make([]Var, len(cols)), has: make([]bool, len(cols))}
				byIdx[k] = rw
				rows = append(rows, rw)
			}
			rw.cells[i], rw.has[i] = v, true
		}
	}
	sortRows(rows)
	return rows, errors.Join(errs...)
}

func sortRows(rows []*row) {
	slices.SortStableFunc(rows, func(a, b *row) int { return a.index.Compare(b.index) })
}
