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
	// walked together share it (default 250).
	MaxVarbinds int
	// MaxRows caps the rows read from one column: a table that never ends
	// is cut there and reported (default 10,000).
	MaxRows int
}

func (l Limits) withDefaults() Limits {
	if l.MaxRepetitions <= 0 {
		l.MaxRepetitions = 50
	}
	if l.MaxVarbinds <= 0 {
		l.MaxVarbinds = 250
	}
	if l.MaxRows <= 0 {
		l.MaxRows = 10000
	}
	return l
}

// Errors of a walk that a device caused.
var (
	ErrNotIncreasing = errors.New("agent returned OIDs out of order (a loop)")
	ErrTooManyRows   = errors.New("table does not end")
)

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
	cols    map[string]*column
}

// walk reads scalars (each X.0 asked as a GETNEXT of X in the first
// request's non-repeaters) and walks every column at once with GetBulk:
// each request carries one variable per unfinished column, and
// max-repetitions shares the request's budget among them. A column that
// goes backwards or never ends fails alone; a request that fails ends the
// walk, marking the unfinished columns with its error, which is returned.
func walk(ctx context.Context, c Client, scalars, roots []OID, lim Limits) (*walkResult, error) {
	lim = lim.withDefaults()
	res := &walkResult{scalars: make(map[string]Var, len(scalars)), cols: make(map[string]*column, len(roots))}
	active := make([]*column, 0, len(roots))
	for _, r := range roots {
		if _, dup := res.cols[r.String()]; dup {
			continue
		}
		col := &column{root: r, next: r}
		res.cols[r.String()] = col
		active = append(active, col)
	}
	nonRep := len(scalars)
	if nonRep > 255 {
		return nil, fmt.Errorf("%d scalars in one request, more than 255", nonRep)
	}
	first := true
	for first || len(active) > 0 {
		if err := ctx.Err(); err != nil {
			return res, failAll(active, context.Cause(ctx))
		}
		var ask []OID
		if first {
			for _, s := range scalars {
				ask = append(ask, s[:len(s)-1]) // GETNEXT of X yields X.0
			}
		}
		for _, col := range active {
			ask = append(ask, col.next)
		}
		reps := 0
		if len(active) > 0 {
			reps = max(1, min(lim.MaxRepetitions, (lim.MaxVarbinds-len(ask)+len(active))/len(active)))
		}
		vars, err := c.GetBulk(ctx, boolInt(first)*nonRep, reps, ask)
		if err != nil {
			return res, failAll(active, err)
		}
		if len(vars) == 0 {
			return res, failAll(active, errors.New("agent answered a GetBulk with no variables"))
		}
		if first {
			n := min(nonRep, len(vars))
			for i, v := range vars[:n] {
				if v.OID.Compare(scalars[i]) == 0 && !v.Kind.Exception() {
					res.scalars[scalars[i].String()] = v
				}
			}
			vars = vars[n:]
			first = false
		}
		progress := false
		for i, v := range vars {
			col := active[i%len(active)]
			if col.done {
				continue
			}
			if v.Kind == KindEndOfMibView || v.Kind == KindNoSuchObject || v.Kind == KindNoSuchInstance || !v.OID.HasPrefix(col.root) {
				col.done = true
				continue
			}
			if v.OID.Compare(col.next) <= 0 {
				col.done = true
				col.err = fmt.Errorf("%w: %s after %s", ErrNotIncreasing, v.OID, col.next)
				continue
			}
			if len(col.vars) >= lim.MaxRows {
				col.done = true
				col.err = fmt.Errorf("%w: more than %d rows under %s", ErrTooManyRows, lim.MaxRows, col.root)
				continue
			}
			col.vars = append(col.vars, v)
			col.next = v.OID
			progress = true
		}
		still := active[:0]
		for _, col := range active {
			if !col.done {
				still = append(still, col)
			}
		}
		if !progress && len(still) > 0 {
			return res, failAll(still, errors.New("agent made no progress in a GetBulk walk"))
		}
		active = still
	}
	return res, nil
}

func failAll(cols []*column, err error) error {
	for _, c := range cols {
		if !c.done {
			c.done, c.err = true, err
		}
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scalar returns a scalar read by the walk.
func (r *walkResult) scalar(o OID) (Var, bool) {
	v, ok := r.scalars[o.String()]
	return v, ok
}

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
		for _, v := range col.vars {
			idx := v.OID.Index(root)
			if len(idx) == 0 {
				continue
			}
			k := idx.String()
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
