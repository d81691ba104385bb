package picture

import (
	"fmt"
	"html/template"
	"strings"
)

// svgTemplate writes a panel as an inline SVG element. The page's style
// sheet styles it by class; html/template escapes every string, and the
// markup is also well-formed XML.
var svgTemplate = template.Must(template.New("svg").Parse(
	`<svg xmlns="http://www.w3.org/2000/svg" class="pic" id="{{.ID}}" viewBox="0 0 {{.P.W}} {{.P.H}}" width="{{.P.W}}" height="{{.P.H}}" style="min-width: {{.MinW}}px" role="img" aria-label="{{.Label}}">
{{range .P.Sites}}{{template "frame" .}}{{end}}{{range .P.Edges}}<path class="{{.Class}}" d="{{.D}}"/>
{{end}}{{range .P.Frames}}{{template "frame" .}}{{end}}{{range .P.Wires}}<path class="{{.Class}}" d="{{.D}}"/>
{{end}}{{range .P.Links}}<g id="{{.ID}}" class="{{.Class}}"><title>{{.Title}}</title>{{if .Href}}<a href="{{.Href}}">{{end}}<path class="hit" d="{{.D}}"/><path class="line" d="{{.D}}"/>{{if .Href}}</a>{{end}}</g>
{{end}}{{range $n := .P.Nodes}}<g id="{{$n.ID}}" class="{{$n.Class}}">{{with $n.Title}}<title>{{.}}</title>{{end}}{{if $n.Href}}<a href="{{$n.Href}}">{{end}}{{with $n.Bar}}<path class="bar" d="{{.}}"/>{{end}}<rect x="{{$n.X}}" y="{{$n.Y}}" width="{{$n.W}}" height="{{$n.H}}" rx="4"/>{{with $n.Kind}}<text class="kind mid" x="{{$n.LX}}" y="{{$n.KindY}}">{{.}}</text>{{end}}<text class="label{{if $n.Middle}} mid{{end}}" x="{{$n.LX}}" y="{{$n.LY}}">{{$n.Label}}</text>{{with $n.Tag}}<text class="tag" x="{{$n.TX}}" y="{{$n.LY}}">{{.}}</text>{{end}}{{if $n.Href}}</a>{{end}}</g>
{{end}}{{range .P.Dots}}{{if .Href}}<a href="{{.Href}}">{{end}}<rect id="{{.ID}}" class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="1.5">{{with .Title}}<title>{{.}}</title>{{end}}</rect>{{if .Href}}</a>{{end}}
{{end}}{{range .P.Labels}}<text class="{{.Class}}{{if .Middle}} mid{{end}}" x="{{.X}}" y="{{.Y}}">{{.Text}}</text>
{{end}}</svg>
{{- define "frame"}}<g{{with .ID}} id="{{.}}"{{end}} class="{{.Class}}">{{with .Title}}<title>{{.}}</title>{{end}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="6"/><text class="cap{{if .Middle}} mid{{end}}" x="{{.CX}}" y="{{.CY}}">{{.Caption}}{{with .Sub}}<tspan class="sub">{{.}}</tspan>{{end}}</text></g>
{{end}}`))

// Power renders the picture of the power chain as an inline SVG element,
// or "" when the inventory has no sites.
func (p *Picture) Power() (template.HTML, error) {
	if p.power == nil {
		return "", nil
	}
	return render("pic-power", "Power chain from sources to devices, by site and rack", p.power)
}

// Network renders the picture of the network as an inline SVG element,
// or "" when the inventory has no links.
func (p *Picture) Network() (template.HTML, error) {
	if p.network == nil {
		return "", nil
	}
	return render("pic-network", "Network links between devices, roots on top", p.network)
}

func render(id, label string, pn *panel) (template.HTML, error) {
	var b strings.Builder
	// Narrow windows scroll the picture rather than shrink it below 70%,
	// where its labels would be too small to read.
	err := svgTemplate.Execute(&b, struct {
		ID, Label string
		MinW      int
		P         *panel
	}{id, label, pn.W * 7 / 10, pn})
	if err != nil {
		return "", fmt.Errorf("picture: %s: %w", id, err)
	}
	// The template's output is escaped markup: safe to embed as HTML.
	return template.HTML(b.String()), nil
}
