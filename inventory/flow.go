package inventory

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// The flow-item fast path. Large inventories, generated or exported, are
// mostly block lists of one-line flow mappings:
//
//	- {id: s0-r0-srv1, kind: server, rack: s0-r0, psus: [{id: PSU1, pdu: s0-r0-pdu-a, outlet: 4}]}
//
// yaml.v3 spends most of a load tokenizing them. parseFlowItems reads a
// piece of such a list itself and builds the very nodes yaml.v3 would —
// kinds, tags, styles, values, lines and columns — for a deliberately
// narrow subset of YAML: printable ASCII only; no comments, anchors,
// aliases, tags or escapes; keys and plain values of letters, digits and
// a few safe punctuation marks; "key: value" pairs and list elements
// separated by ", " exactly. It says no to anything else, and the piece
// is then parsed by yaml.v3. The differential tests and FuzzFlowItems
// hold it to yaml.v3's nodes.

// maxFlowLine is the longest line the fast path reads; yaml.v3 treats
// keys more than 1024 characters from their colon differently, and a
// shorter line can hold no such key.
const maxFlowLine = 1000

// maxFlowDepth bounds the nesting of flow collections in one item.
const maxFlowDepth = 8

// flowParser is the fast path's state within one piece.
type flowParser struct {
	text   []byte // the current line
	i      int    // the offset in text
	line   int    // the current line's number in the file
	depth  int
	nodes  []yaml.Node  // a slab the nodes are cut from
	ptrs   []*yaml.Node // a slab the Content slices are cut from
	stack  []*yaml.Node // the children of the collections being read
	values map[string]string
}

// parseFlowItems builds the node tree of a piece of a block list whose
// items, every one a one-line flow mapping, start at column indent+1; off
// is the number of lines before the piece. false: not of the subset (or
// not a piece of items only); parse it with yaml.v3.
func parseFlowItems(text []byte, off, indent int) (*yaml.Node, bool) {
	p := &flowParser{values: make(map[string]string, 256)}
	var items []*yaml.Node
	for ln := 0; len(text) > 0; ln++ {
		line := text
		if k := bytes.IndexByte(text, '\n'); k >= 0 {
			line, text = text[:k], text[k+1:]
		} else {
			text = nil
		}
		n, ok := p.item(line, off+ln+1, indent)
		if !ok {
			return nil, false
		}
		items = append(items, n)
	}
	if len(items) == 0 {
		return nil, false
	}
	seq := p.node(yaml.SequenceNode, "!!seq", "", 0, indent)
	seq.Line = items[0].Line
	seq.Content = items
	return seq, true
}

// item reads one line, "- {...}" at the list's indentation.
func (p *flowParser) item(line []byte, num, indent int) (*yaml.Node, bool) {
	if len(line) > maxFlowLine || len(line) < indent+4 || line[len(line)-1] != '}' {
		return nil, false
	}
	for _, c := range line[:indent] {
		if c != ' ' {
			return nil, false
		}
	}
	if line[indent] != '-' || line[indent+1] != ' ' || line[indent+2] != '{' {
		return nil, false
	}
	p.text, p.i, p.line = line, indent+2, num
	n, ok := p.mapping()
	return n, ok && p.i == len(line)
}

// node cuts a node from the slab; col is the 0-based column.
func (p *flowParser) node(kind yaml.Kind, tag, value string, style yaml.Style, col int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]yaml.Node, 0, 1024)
	}
	p.nodes = append(p.nodes, yaml.Node{Kind: kind, Tag: tag, Value: value, Style: style, Line: p.line, Column: col + 1})
	return &p.nodes[len(p.nodes)-1]
}

// content moves the children read since mark from the stack into a slice
// of their own.
func (p *flowParser) content(mark int) []*yaml.Node {
	kids := p.stack[mark:]
	p.stack = p.stack[:mark]
	if len(kids) == 0 {
		return nil
	}
	if cap(p.ptrs)-len(p.ptrs) < len(kids) {
		p.ptrs = make([]*yaml.Node, 0, max(4096, len(kids)))
	}
	start := len(p.ptrs)
	p.ptrs = append(p.ptrs, kids...)
	return p.ptrs[start:len(p.ptrs):len(p.ptrs)]
}

// mapping reads "{key: value, ...}" at p.i.
func (p *flowParser) mapping() (*yaml.Node, bool) {
	return p.collection(yaml.MappingNode, "!!map", '}')
}

// sequence reads "[value, ...]" at p.i.
func (p *flowParser) sequence() (*yaml.Node, bool) {
	return p.collection(yaml.SequenceNode, "!!seq", ']')
}

// collection reads a flow mapping or sequence from its opening bracket at
// p.i to its closing one, close.
func (p *flowParser) collection(kind yaml.Kind, tag string, close byte) (*yaml.Node, bool) {
	if p.depth++; p.depth > maxFlowDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	n := p.node(kind, tag, "", yaml.FlowStyle, p.i)
	p.i++
	mark := len(p.stack)
	for {
		if p.i < len(p.text) && p.text[p.i] == close {
			p.i++
			n.Content = p.content(mark)
			return n, true
		}
		if len(p.stack) > mark && !p.separator() {
			return nil, false // not the first element, and no ", " before it
		}
		if kind == yaml.MappingNode && !p.key() {
			return nil, false
		}
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		p.stack = append(p.stack, v)
	}
}

// separator reads ", " before an element that is not a space.
func (p *flowParser) separator() bool {
	t := p.text
	if p.i+2 >= len(t) || t[p.i] != ',' || t[p.i+1] != ' ' || t[p.i+2] == ' ' {
		return false
	}
	p.i += 2
	return true
}

// key reads a plain key and its ": ".
func (p *flowParser) key() bool {
	start := p.i
	k, ok := p.plain()
	if !ok || p.i-start > 64 {
		return false
	}
	t := p.text
	if p.i+2 >= len(t) || t[p.i] != ':' || t[p.i+1] != ' ' || t[p.i+2] == ' ' {
		return false
	}
	p.i += 2
	p.stack = append(p.stack, k)
	return true
}

// value reads a flow mapping, a flow sequence or a scalar at p.i.
func (p *flowParser) value() (*yaml.Node, bool) {
	if p.i >= len(p.text) {
		return nil, false
	}
	switch p.text[p.i] {
	case '{':
		return p.mapping()
	case '[':
		return p.sequence()
	case '"':
		return p.quoted('"', yaml.DoubleQuotedStyle)
	case '\'':
		return p.quoted('\'', yaml.SingleQuotedStyle)
	}
	return p.plain()
}

// quoted reads a quoted scalar without escapes: printable ASCII up to the
// closing quote q.
func (p *flowParser) quoted(q byte, style yaml.Style) (*yaml.Node, bool) {
	t := p.text
	for j := p.i + 1; j < len(t); j++ {
		switch c := t[j]; {
		case c == q:
			n := p.node(yaml.ScalarNode, "!!str", p.str(t[p.i+1:j]), style, p.i)
			p.i = j + 1
			return n, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// plain reads a plain scalar: a letter or digit, then letters, digits,
// '_', '-', '.' and '/', with single spaces between them.
func (p *flowParser) plain() (*yaml.Node, bool) {
	t := p.text
	start := p.i
	if start >= len(t) || !alnum(t[start]) {
		return nil, false
	}
	j := start + 1
	for j < len(t) {
		if plainByte(t[j]) || t[j] == ' ' && j+1 < len(t) && alnum(t[j+1]) {
			j++
			continue
		}
		break
	}
	tag := plainTag(t[start:j])
	if tag == "" {
		return nil, false
	}
	p.i = j
	return p.node(yaml.ScalarNode, tag, p.str(t[start:j]), 0, start), true
}

// plainTag is the tag yaml.v3 resolves a plain scalar of the subset to:
// a word is a string unless it is true, false or null (as yaml.v3 spells
// them); digits without a leading zero are an integer. "" for anything
// else (a float, a date, a number with a leading zero, ...).
func plainTag(v []byte) string {
	if v[0] >= '0' && v[0] <= '9' {
		if len(v) > 18 || len(v) > 1 && v[0] == '0' {
			return ""
		}
		for _, c := range v {
			if c < '0' || c > '9' {
				return ""
			}
		}
		return "!!int"
	}
	switch string(v) {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "null", "Null", "NULL":
		return "!!null"
	}
	return "!!str"
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func plainByte(c byte) bool {
	return alnum(c) || c == '_' || c == '-' || c == '.' || c == '/'
}

// str returns b as a string, one copy for the values a piece repeats (a
// rack, a PDU, a kind, a key).
func (p *flowParser) str(b []byte) string {
	if s, ok := p.values[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(p.values) < 4096 {
		p.values[s] = s
	}
	return s
}
