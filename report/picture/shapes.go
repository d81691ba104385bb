package picture

import "html/template"

// The shapes a panel is drawn with. Layout fills them with coordinates in
// whole pixels and already fitted text; svg.go writes them out through
// html/template, which escapes every string.

// panel is one drawing. Shapes are drawn kind by kind in field order:
// site frames, then power edges (so that an edge to a row of racks further
// down passes behind the racks above it), rack frames, cords and links,
// nodes, PSUs and labels.
type panel struct {
	W, H   int
	Sites  []frame
	Edges  []wire
	Frames []frame
	Wires  []wire
	Links  []link
	Nodes  []node
	Dots   []dot
	Labels []label
}

// frame is a site or rack box with its caption.
type frame struct {
	ID, Class, Title string
	X, Y, W, H       int
	Caption, Sub     string // caption, then muted text after it
	CX, CY           int    // caption position
	Middle           bool   // caption centred on CX (else starting there)
}

// wire is a line that is nobody's place: a power edge or a PSU's cord.
type wire struct {
	Class, D string
}

// link is a network cable: its place in the picture.
type link struct {
	ID, Class, Title, D string
	Href                template.URL
}

// node is a box with a label: a power node, a PDU (with its rail), a device.
type node struct {
	ID, Class, Title string
	Href             template.URL // the first finding naming it as a cause
	X, Y, W, H       int
	Kind             string // small capitals above the label (power nodes)
	KindY            int
	Label            string
	LX, LY           int
	Middle           bool   // label centred on LX
	Tag              string // muted, right-aligned (a device's kind)
	TX               int
	Bar              string // a PDU's rail down the side of its rack
}

// dot is a PSU: a small square on its device's edge.
type dot struct {
	ID, Class, Title string
	Href             template.URL
	X, Y, W, H       int
}

// label is free text.
type label struct {
	Class  string
	X, Y   int
	Middle bool
	Text   string
}
