package snmp

import (
	"errors"
	"fmt"
	"strconv"
)

// problems collects a module's decoding errors, one per column (the first
// bad value and how many more there were), so that one garbled column of
// a thousand rows is one line, not a thousand.
type problems struct {
	order []string
	first map[string]error
	more  map[string]int
}

func (p *problems) add(key string, err error) {
	if err == nil {
		return
	}
	if p.first == nil {
		p.first, p.more = map[string]error{}, map[string]int{}
	}
	if _, ok := p.first[key]; ok {
		p.more[key]++
		return
	}
	p.order = append(p.order, key)
	p.first[key] = err
}

// addTable records a table's column failures (loops, endless tables).
func (p *problems) addTable(err error) { p.add("table:"+errString(err), err) }

func (p *problems) err() error {
	var out []error
	for _, k := range p.order {
		e := p.first[k]
		if n := p.more[k]; n > 0 {
			e = fmt.Errorf("%w (and %d more like it)", e, n)
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// text returns cell i as text ("" when absent), noting a wrong type.
func (p *problems) text(r *row, i int) string {
	v, ok := r.cell(i)
	if !ok {
		return ""
	}
	s, err := v.Text()
	p.add("text#"+itoa(int64(i)), err)
	return s
}

// integer returns cell i as an INTEGER, and whether it is there and sound.
func (p *problems) integer(r *row, i int) (int64, bool) {
	v, ok := r.cell(i)
	if !ok {
		return 0, false
	}
	n, err := v.Integer()
	p.add("int#"+itoa(int64(i)), err)
	return n, err == nil
}

// number returns cell i as a number, and whether it is there and sound.
func (p *problems) number(r *row, i int) (float64, bool) {
	v, ok := r.cell(i)
	if !ok {
		return 0, false
	}
	n, err := v.Number()
	p.add("num#"+itoa(int64(i)), err)
	return n, err == nil
}

// last returns the last arc of an index (0 for an empty one).
func last(idx OID) int64 {
	if len(idx) == 0 {
		return 0
	}
	return int64(idx[len(idx)-1])
}

// first returns the first arc of an index (0 for an empty one).
func firstArc(idx OID) int64 {
	if len(idx) == 0 {
		return 0
	}
	return int64(idx[0])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ptr[T any](v T) *T { return &v }

// scalarInt returns a scalar read as an INTEGER.
func (p *problems) scalarInt(r *walkResult, o OID, name string) (int64, bool) {
	v, ok := r.scalar(o)
	if !ok {
		return 0, false
	}
	n, err := v.Integer()
	p.add(name, err)
	return n, err == nil
}

// scalarNumber returns a scalar read as any number.
func (p *problems) scalarNumber(r *walkResult, o OID, name string) (float64, bool) {
	v, ok := r.scalar(o)
	if !ok {
		return 0, false
	}
	n, err := v.Number()
	p.add(name, err)
	return n, err == nil
}
