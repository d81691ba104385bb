package inventory

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

	"gopkg.in/yaml.v3"
)

// The chunked load. yaml.v3 parses into a node tree that costs about 25
// bytes of memory for every byte of YAML, and the walk into typed structs
// can only begin once the whole tree exists. For a large file the loader
// instead cuts the text at lines it can vouch for — the top-level keys,
// and the items of a block list under one — parses each piece on its own,
// shifts its line numbers, decodes it into the typed structs at once and
// drops its tree. At most one tree per worker is alive at a time.
//
// The result is the serial path's to the byte: the same inventory, the
// same positions, the same diagnostics in the same order. Wherever the
// pre-split cannot vouch for the cut — an anchor or alias that crosses
// pieces, a line it does not recognize, a syntax error in a piece, a
// document marker, a line break other than "\n" — it gives up and the
// whole file is parsed as one tree, which also gives the exact message.

// chunkBytes is how much YAML a piece holds, about: big enough that the
// per-piece overhead is noise, small enough that a worker's tree is a few
// MiB. Files smaller than two pieces are parsed whole.
var chunkBytes = 256 << 10

// parseSlots bounds the pieces being parsed at once across every load in
// the process (diff loads two files at once; serve reloads while serving),
// so concurrent loads share the cores and the trees alive stay bounded.
var parseSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// loadWorkers is how many pieces one load parses at once.
func loadWorkers() int { return max(1, min(2, runtime.GOMAXPROCS(0))) }

// piece is a run of whole lines of the file, parsed on its own.
type piece struct {
	start, end int // byte offsets
	line       int // line number of its first line, 1-based
	items      int // list sections: how many items it holds
	first      int // list sections: index of its first item in the list
}

// section is one top-level key and its value.
type section struct {
	key    string
	line   int    // line of the key, which starts at column 1
	keyAt  [2]int // the key's line, from its first byte to past its "\n"
	list   bool   // a block list cut into pieces of whole items
	indent int    // list: the items' column - 1
	items  int    // list: items in all
	pieces []piece
}

// parseSerial is the load as a single node tree of the whole file; the
// differential test and the benchmarks hold the chunked load to it.
func parseSerial(file string, data []byte, opts Options) (*Inventory, error) {
	inv, diags := parseWhole(file, data)
	return finishParse(inv, diags, opts)
}

// parseChunked decodes data piece by piece, keeping one copy of equal
// strings in strs when it is set. ok is false when it cannot vouch for the
// result; the caller then parses the file whole.
func parseChunked(file string, data []byte, size int, strs *Strings) (*Inventory, Diagnostics, bool) {
	secs, ok := splitFile(data, size)
	if !ok {
		return nil, nil, false
	}
	inv := &Inventory{File: file}
	c := &chunkLoad{file: file, data: data, strs: strs, secs: secs, root: reflectValue(inv), budget: aliasBudget(data)}
	if !c.plan() || !c.run() {
		return nil, nil, false
	}
	return inv, c.gather(), true
}

// splitFile cuts data into sections and pieces, and checks that the text
// no piece holds — the comments above the first key, and the key lines of
// the lists — parses too, for its syntax errors.
func splitFile(data []byte, size int) ([]section, bool) {
	if len(data) < 2*size {
		return nil, false
	}
	secs, ok := presplit(data, size)
	if !ok || !parses(data[:secs[0].keyAt[0]]) {
		return nil, false
	}
	for i := range secs {
		if s := &secs[i]; s.list && !parses(data[s.keyAt[0]:s.keyAt[1]]) {
			return nil, false
		}
	}
	return secs, true
}

// chunkLoad is one chunked load under way.
type chunkLoad struct {
	file   string
	data   []byte
	strs   *Strings
	secs   []section
	root   reflect.Value // the inventory
	budget int           // of the whole file's decoding work

	keyDiags []Diagnostics // by section: what checking its key found
	fields   []fieldPlan   // by section: the field its key names
	decoded  []bool        // by section: whether its key names a field
	jobs     []job         // the pieces, in file order
	results  []pieceResult // by job
	work     int           // decoding work outside the pieces
}

// job is one piece of one section.
type job struct{ sec, piece int }

// plan checks the top-level keys in file order, as the serial walk checks
// them, and sizes the lists; false when the inventory's field is not what
// the pre-split saw.
func (c *chunkLoad) plan() bool {
	plan := planFor(c.root.Type())
	c.keyDiags = make([]Diagnostics, len(c.secs))
	c.fields = make([]fieldPlan, len(c.secs))
	c.decoded = make([]bool, len(c.secs))
	var seen [32]int32
	c.work = 1 // the root mapping
	for i := range c.secs {
		s := &c.secs[i]
		kd := &decoder{reporter: reporter{file: c.file}}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.key, Line: s.line, Column: 1}
		f, ok := kd.key(plan, k, &seen)
		c.keyDiags[i] = kd.diags
		for j := range s.pieces {
			// A key the walk skips is parsed all the same: a syntax error
			// in its value is the file's error.
			c.jobs = append(c.jobs, job{i, j})
		}
		if !ok {
			continue
		}
		c.fields[i], c.decoded[i] = f, true
		if s.list {
			fv := c.root.Field(f.index)
			if fv.Kind() != reflect.Slice {
				return false
			}
			fv.Set(reflect.MakeSlice(fv.Type(), s.items, s.items))
			c.work++ // the list itself
		}
	}
	return true
}

// run parses and decodes the pieces, results kept by piece in file order;
// false when a piece failed or the file's decoding went over its budget.
func (c *chunkLoad) run() bool {
	c.results = make([]pieceResult, len(c.jobs))
	var failed atomic.Bool
	var total atomic.Int64
	total.Store(int64(c.work))
	next := make(chan int, len(c.jobs))
	for i := range c.jobs {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(loadWorkers(), len(c.jobs)) {
		wg.Go(func() {
			for ji := range next {
				if failed.Load() || !c.piece(ji, &total) {
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	return !failed.Load()
}

// piece parses and decodes job ji, adding its work to total; false when
// the piece is not what the pre-split expected, does not parse, or takes
// the file over its budget.
func (c *chunkLoad) piece(ji int, total *atomic.Int64) bool {
	j := c.jobs[ji]
	s := &c.secs[j.sec]
	p := s.pieces[j.piece]
	parseSlots <- struct{}{}
	defer func() { <-parseSlots }()
	n, ok := c.parse(s, p)
	if !ok {
		return false
	}
	d := &decoder{reporter: reporter{file: c.file}, budget: c.budget, strs: c.strs}
	r := &c.results[ji]
	ok = decodePiece(d, n, s, p, c.root, c.fields[j.sec], c.decoded[j.sec], r)
	r.diags, r.work = d.diags, d.work
	return ok && d.work <= d.budget && total.Add(int64(d.work)) <= int64(c.budget)
}

// parse builds the node tree of piece p of section s: by the fast path
// for a piece of a list of one-line flow items (flow.go), by yaml.v3
// otherwise; false for a syntax error.
func (c *chunkLoad) parse(s *section, p piece) (*yaml.Node, bool) {
	text := c.data[p.start:p.end]
	if s.list {
		if n, ok := parseFlowItems(text, p.line-1, s.indent); ok {
			return n, true
		}
	}
	n, err := parsePiece(text, p.line-1)
	return n, err == nil
}

// gather returns the diagnostics in the serial walk's order, and sets the
// positions of the list sections' items where the schema keeps them.
func (c *chunkLoad) gather() Diagnostics {
	var diags Diagnostics
	ji := 0
	for i := range c.secs {
		diags = append(diags, c.keyDiags[i]...)
		s := &c.secs[i]
		if !c.decoded[i] {
			ji += len(s.pieces)
			continue
		}
		f := c.fields[i]
		var ps []Pos
		if f.posIndex >= 0 && s.list {
			ps = make([]Pos, 0, s.items)
		}
		for j := range s.pieces {
			r := &c.results[ji+j]
			diags = append(diags, r.diags...)
			if ps != nil {
				ps = append(ps, r.pos...)
			}
		}
		if ps != nil {
			pf := c.root.Field(f.posIndex)
			if pf.Type() == posType {
				*pf.Addr().Interface().(*Pos) = c.results[ji].seq
			} else {
				*pf.Addr().Interface().(*[]Pos) = ps
			}
		}
		ji += len(s.pieces)
	}
	return diags
}

// parsePiece parses one piece and shifts its lines by off. A piece holds
// no document marker (the pre-split refuses one at column 1, the only
// place it is one), so it is one document, read straight from memory.
func parsePiece(text []byte, off int) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("not one document")
	}
	shiftLines(doc.Content[0], off)
	return doc.Content[0], nil
}

// parses reports whether yaml.v3 reads text without an error.
func parses(text []byte) bool {
	var n yaml.Node
	return yaml.Unmarshal(text, &n) == nil
}

// shiftLines adds off to the line of n and of every node under it. An
// alias's target is a node of the same tree, shifted where it stands.
func shiftLines(n *yaml.Node, off int) {
	n.Line += off
	for _, c := range n.Content {
		shiftLines(c, off)
	}
}

// pieceResult is what decoding one piece found.
type pieceResult struct {
	diags Diagnostics
	pos   []Pos // list sections: where each item is
	seq   Pos   // list sections: where the list is
	work  int
}

// decodePiece decodes a parsed piece of section s into field f of root,
// the inventory. It returns false when the piece is not what the pre-split
// expected.
func decodePiece(d *decoder, n *yaml.Node, s *section, p piece, root reflect.Value, f fieldPlan, decode bool, r *pieceResult) bool {
	if !s.list {
		// One key and its value, the key where the pre-split saw it.
		if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
			return false
		}
		k, val := n.Content[0], n.Content[1]
		if k.Kind != yaml.ScalarNode || k.Value != s.key || k.Line != s.line || k.Column != 1 {
			return false
		}
		if decode {
			d.fieldValue(f, root, val, s.key)
		}
		return true
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) != p.items {
		return false
	}
	if !decode {
		return true
	}
	fv := root.Field(f.index)
	for i, item := range n.Content {
		d.decode(item, fv.Index(p.first+i), s.key)
	}
	if f.posIndex >= 0 {
		r.seq = posOf(n)
		r.pos = make([]Pos, len(n.Content))
		for i, item := range n.Content {
			r.pos[i] = posOf(item)
		}
	}
	return true
}

// presplit cuts data into sections and pieces by its lines alone. It
// returns false for anything it does not recognize: a line break other
// than "\n", a byte-order mark, a top-level line that is not a plain
// "key:" (a document marker, a directive, a quoted or complex key, a
// top-level list), or an item of a split list out of line with the others.
func presplit(data []byte, size int) ([]section, bool) {
	if !plainBreaks(data) {
		return nil, false
	}
	sp := &splitter{size: size, indent: -1}
	line := 0
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			end += off
			next = end + 1
		} else {
			end = len(data)
		}
		line++
		if !sp.line(data[off:end], off, next, line) {
			return nil, false
		}
		off = next
	}
	if sp.cur == nil {
		return nil, false
	}
	sp.closePiece(len(data))
	return sp.secs, true
}

// plainBreaks reports whether data has no line break but "\n" and no
// byte-order mark: the pre-split counts lines as yaml.v3 does only then.
func plainBreaks(data []byte) bool {
	return bytes.IndexByte(data, '\r') < 0 && !bytes.Contains(data, []byte("\xc2\x85")) &&
		!bytes.Contains(data, []byte("\xe2\x80\xa8")) && !bytes.Contains(data, []byte("\xe2\x80\xa9")) &&
		!bytes.HasPrefix(data, []byte("\xef\xbb\xbf"))
}

// splitter is presplit's state between lines.
type splitter struct {
	size     int
	secs     []section
	cur      *section
	indent   int  // the items' column - 1 in a list section, -1 otherwise
	pending  bool // a "key:" line whose value is on the lines below
	afterKey int  // the offset of the line below the last key
}

// line takes the line text, from offset off to next (past its "\n"), the
// line-th of the file; false when the pre-split cannot vouch for it.
func (sp *splitter) line(text []byte, off, next, line int) bool {
	ind, blank := lineIndent(text)
	switch {
	case blank && sp.cur == nil && !headerLine(text):
		// Before the first key only comments and empty lines are
		// vouched for: no piece holds them.
		return false
	case blank:
		// A blank or comment line goes with what is above it.
	case sp.pending && (ind > 0 || isItem(text[ind:])):
		// The first line of a "key:" section's value: a block list
		// whose items are cut between pieces, or anything else, kept
		// whole.
		sp.pending = false
		if isItem(text[ind:]) {
			// The first piece starts below the key, with any blank
			// and comment lines between them.
			sp.cur.list, sp.cur.indent, sp.indent = true, ind, ind
			sp.cur.pieces[0] = piece{start: sp.afterKey, line: sp.cur.line + 1, items: 1}
			sp.cur.items++
		}
	case sp.indent >= 0 && ind == sp.indent && isItem(text[ind:]):
		p := &sp.cur.pieces[len(sp.cur.pieces)-1]
		if off-p.start >= sp.size {
			sp.closePiece(off)
			sp.cur.pieces = append(sp.cur.pieces, piece{start: off, line: line, first: sp.cur.items})
			p = &sp.cur.pieces[len(sp.cur.pieces)-1]
		}
		sp.cur.items++
		p.items++
	case sp.cur != nil && ind > sp.indent && ind > 0:
		// A line inside the current item or section.
	case ind == 0:
		key, rest, ok := topKey(text)
		if !ok {
			return false
		}
		sp.closePiece(off)
		sp.secs = append(sp.secs, section{key: key, line: line, keyAt: [2]int{off, next}})
		sp.cur = &sp.secs[len(sp.secs)-1]
		sp.cur.pieces = append(sp.cur.pieces, piece{start: off, line: line})
		sp.indent = -1
		sp.pending, sp.afterKey = rest, next
	default:
		return false
	}
	return true
}

// closePiece ends the current section's last piece at off.
func (sp *splitter) closePiece(off int) {
	if sp.cur != nil && len(sp.cur.pieces) > 0 {
		sp.cur.pieces[len(sp.cur.pieces)-1].end = off
	}
}

// lineIndent returns the spaces before a line's first character, and
// whether the line is blank or a comment.
func lineIndent(text []byte) (int, bool) {
	i := 0
	for i < len(text) && text[i] == ' ' {
		i++
	}
	j := i
	for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	return i, j == len(text) || text[j] == '#'
}

// headerLine reports whether a line before the first key is empty or a
// comment, indented by spaces only.
func headerLine(text []byte) bool {
	i := 0
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i == len(text) || text[i] == '#'
}

// isItem reports whether text, after its indentation, begins a block list
// item: "-" then a space or the end of the line.
func isItem(text []byte) bool {
	return len(text) > 0 && text[0] == '-' && (len(text) == 1 || text[1] == ' ')
}

// topKey reads a top-level line "key:" or "key: value": a plain key of
// letters, digits, '_' and '-', starting with a letter or '_'. empty says
// whether the value is on the lines below (nothing but a comment follows
// the colon).
func topKey(text []byte) (key string, empty, ok bool) {
	i := 0
	for i < len(text) {
		c := text[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '-') {
			i++
			continue
		}
		break
	}
	if i == 0 || i >= len(text) || text[i] != ':' {
		return "", false, false
	}
	rest := text[i+1:]
	if len(rest) > 0 && rest[0] != ' ' {
		return "", false, false
	}
	_, blank := lineIndent(rest)
	return string(text[:i]), blank, true
}
