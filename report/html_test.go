package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/report/picture"
)

// htmlCase is an inventory rendered as a page in the tests.
type htmlCase struct {
	name, path string
	opts       HTMLOptions
	// firstSeen sets the first finding's first_seen, as serve --data does.
	firstSeen *time.Time
}

var openSince = fixedTime.Add(-75 * time.Hour)

var htmlCases = []htmlCase{
	{name: "inventory", path: "../inventory.yaml", opts: HTMLOptions{Inventory: "inventory.yaml"}},
	{name: "core-feed", path: "testdata/cases/core-feed.yaml",
		opts:      HTMLOptions{Title: "Core pair audit", Inventory: "core-feed.yaml", Note: "live: 3 of 4 devices collected"},
		firstSeen: &openSince},
	{name: "network", path: "testdata/cases/network.yaml", opts: HTMLOptions{Inventory: "network.yaml"}},
}

// renderPage audits an inventory and renders its page.
func renderPage(t testing.TB, path string, opts HTMLOptions, firstSeen *time.Time) ([]byte, *model.Graph, *audit.Report) {
	t.Helper()
	g := graph(t, path)
	a, fs := audit.Audit(g, audit.Options{Reliability: true})
	r := audit.NewReport(fixedTime, fs)
	r.Reliability = a.ReliabilityReport()
	if firstSeen != nil && len(r.Findings) > 0 {
		r.Findings[0].FirstSeen = firstSeen
	}
	var b bytes.Buffer
	if err := HTML(&b, g, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), g, r
}

func TestGoldenHTML(t *testing.T) {
	for _, c := range htmlCases {
		t.Run(c.name, func(t *testing.T) {
			page, _, _ := renderPage(t, c.path, c.opts, c.firstSeen)
			golden(t, "page-"+c.name+".html", page)
		})
	}
}

// element is an element of the page, as encoding/xml read it.
type element struct {
	name, id, class, href string
	inSVG                 bool
}

// parsePage reads the page as XML (it is written to be well-formed) and
// returns its elements in document order.
func parsePage(t testing.TB, page []byte) []element {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	var out []element
	depth, svgDepth := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the page is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if tok.Name.Local == "svg" && svgDepth == 0 {
				svgDepth = depth
			}
			e := element{name: tok.Name.Local, inSVG: svgDepth > 0}
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "id":
					e.id = a.Value
				case "class":
					e.class = a.Value
				case "href":
					e.href = a.Value
				}
			}
			out = append(out, e)
		case xml.EndElement:
			if depth == svgDepth {
				svgDepth = 0
			}
			depth--
		}
	}
	return out
}

func hasClass(e element, class string) bool {
	return strings.Contains(" "+e.class+" ", " "+class+" ")
}

// allCases is every inventory the page tests look at.
func allCases(t *testing.T) []htmlCase {
	cases := append([]htmlCase(nil), htmlCases...)
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.path] = true
	}
	paths, _ := filepath.Glob("testdata/cases/*.yaml")
	for _, p := range paths {
		if !seen[p] {
			cases = append(cases, htmlCase{name: strings.TrimSuffix(filepath.Base(p), ".yaml"), path: p})
		}
	}
	cases = append(cases, htmlCase{name: "fleet", path: writeFleet(t), opts: HTMLOptions{MaxDevices: 200}})
	return cases
}

// writeFleet writes a generated fleet of about 350 devices: more than a
// picture with MaxDevices 200 draws one by one.
func writeFleet(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	var b bytes.Buffer
	if err := fleet.Write(&b, fleet.Spec{Seed: 7, Sites: 2, RacksPerSite: 10, ServersPerRack: 16, Flaws: 0.05}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// placeOf is where a finding's cause must be drawn: its own element, or
// for a drive its device's.
func placeOf(g *model.Graph, id string) string {
	if c := g.Lookup(id); c >= 0 && g.Kinds[c] == model.KindDrive {
		return picture.ComponentID(g.Devices[g.Entities[c]].ID)
	}
	return picture.ComponentID(id)
}

// TestHTMLMarksCriticalCauses: every cause of every critical finding has
// its element in the picture, marked critical, and the finding links to it.
func TestHTMLMarksCriticalCauses(t *testing.T) {
	for _, c := range allCases(t) {
		t.Run(c.name, func(t *testing.T) {
			page, g, r := renderPage(t, c.path, c.opts, nil)
			elems := parsePage(t, page)
			byID := map[string]element{}
			links := map[string]map[string]bool{} // finding element id -> hrefs in it
			var card string
			for _, e := range elems {
				if e.id != "" {
					byID[e.id] = e
				}
				if e.name == "article" {
					card = e.id
					links[card] = map[string]bool{}
				}
				if e.href != "" && card != "" && !e.inSVG {
					links[card][e.href] = true
				}
			}
			crit := 0
			for _, f := range r.Findings {
				if f.Severity != audit.Critical {
					continue
				}
				for _, cause := range f.Causes {
					crit++
					id := placeOf(g, cause)
					e, ok := byID[id]
					switch {
					case !ok:
						t.Errorf("%s: cause %s has no element #%s", f.ID, cause, id)
					case !e.inSVG:
						t.Errorf("%s: cause %s: #%s is not in the picture", f.ID, cause, id)
					case !hasClass(e, "crit"):
						t.Errorf("%s: cause %s: #%s has classes %q, want crit", f.ID, cause, id, e.class)
					}
					if card := picture.FindingID(f.ID); !links[card]["#"+id] {
						t.Errorf("%s: the finding does not link to #%s", f.ID, id)
					}
				}
			}
			if c.name == "inventory" && crit < 20 {
				t.Errorf("only %d critical causes checked in the demo inventory", crit)
			}
		})
	}
}

var externalRef = regexp.MustCompile(`(?i)(src|href|xlink:href|action)\s*=\s*["']?\s*(https?:|//|data:|ftp:)|url\(|@import`)

// TestHTMLSelfContained: the page is well-formed, refers to nothing
// outside itself, and every link inside it leads somewhere.
func TestHTMLSelfContained(t *testing.T) {
	for _, c := range allCases(t) {
		t.Run(c.name, func(t *testing.T) {
			page, _, _ := renderPage(t, c.path, c.opts, nil)
			if m := externalRef.Find(page); m != nil {
				t.Errorf("the page refers outside itself: %q", m)
			}
			for _, tag := range []string{"<link", "<img", "<iframe", "<object", "<embed", "<script src"} {
				if bytes.Contains(page, []byte(tag)) {
					t.Errorf("the page has a %s element", tag)
				}
			}
			elems := parsePage(t, page)
			ids := map[string]bool{}
			for _, e := range elems {
				if e.id != "" {
					if ids[e.id] {
						t.Errorf("duplicate id %q", e.id)
					}
					ids[e.id] = true
				}
			}
			for _, e := range elems {
				if e.href == "" {
					continue
				}
				if !strings.HasPrefix(e.href, "#") {
					t.Errorf("link to %q: want only links within the page", e.href)
				} else if !ids[e.href[1:]] {
					t.Errorf("link to %q: no such element", e.href)
				}
			}
		})
	}
}

// TestHTMLEscapes: text from the inventory and the findings is text.
func TestHTMLEscapes(t *testing.T) {
	const evil = `<script>alert("x")</script> & <img src=x onerror=alert(1)>`
	src := `version: 1
sites: [{id: lon1, name: '` + evil + `'}]
racks: [{id: r1, site: lon1, room: '` + evil + `'}]
devices:
  - {id: db-1, kind: server, rack: r1, model: '` + evil + `'}
services:
  - {id: db, members: [db-1]}
`
	path := filepath.Join(t.TempDir(), "evil.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	g := graph(t, path)
	a, fs := audit.Audit(g, audit.Options{Reliability: true})
	minutes := 42.0
	fs = append(fs, audit.Finding{ID: "drift/db-1", Rule: "drift", Severity: audit.Warning, Subject: "db-1",
		Causes: []string{"db-1"}, Message: evil, Evidence: []string{evil}, Remediation: evil},
		audit.Finding{ID: "spof/" + evil, Rule: "spof", Severity: audit.Critical, Subject: evil, Causes: []string{evil}, DowntimeMinutesPerYear: &minutes})
	r := audit.NewReport(fixedTime, fs)
	r.Reliability = a.ReliabilityReport()
	r.Reliability.Services = append(r.Reliability.Services, audit.ServiceReliability{ID: evil, DowntimeMinutesPerYear: minutes,
		Importance: []audit.ComponentImportance{{Component: evil, FussellVesely: 1, Birnbaum: 1}}})
	var b bytes.Buffer
	if err := HTML(&b, g, r, HTMLOptions{Title: evil, Inventory: evil, Note: evil}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, raw := range []string{"<script>alert", "<img src", `onerror=alert(1)>`} {
		if strings.Contains(page, raw) {
			t.Errorf("the page contains %q unescaped", raw)
		}
	}
	if n := strings.Count(page, "&lt;script&gt;alert("); n < 8 {
		t.Errorf("the escaped text appears %d times, want it in title, meta, note, message, evidence, fix, site and rack", n)
	}
	section := page[strings.Index(page, `id="reliability"`):strings.Index(page, `id="findings"`)]
	if n := strings.Count(section, "&lt;script&gt;alert("); n < 4 {
		t.Errorf("the escaped text appears %d times in the expected downtime section, want it as service, component, finding subject and id", n)
	}
	parsePage(t, b.Bytes())
}

// TestHTMLDeterministic: the same audit renders the same bytes.
func TestHTMLDeterministic(t *testing.T) {
	for _, c := range allCases(t) {
		t.Run(c.name, func(t *testing.T) {
			first, g, r := renderPage(t, c.path, c.opts, nil)
			for i := 0; i < 2; i++ {
				var again bytes.Buffer
				if err := HTML(&again, g, r, c.opts); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, again.Bytes()) {
					t.Fatalf("render %d differs from the first", i+2)
				}
			}
		})
	}
}

// TestHTMLSummarizesBigInventories: above MaxDevices the picture draws
// the devices findings name, says what it left out, and stays small.
func TestHTMLSummarizesBigInventories(t *testing.T) {
	path := writeFleet(t)
	page, g, r := renderPage(t, path, HTMLOptions{MaxDevices: 200}, nil)
	if len(g.Devices) <= 200 {
		t.Fatalf("the fleet has %d devices, want more than 200", len(g.Devices))
	}
	if !bytes.Contains(page, []byte("more than are drawn one by one")) {
		t.Error("the page does not say the picture is summarized")
	}
	drawn := 0
	for _, e := range parsePage(t, page) {
		if e.inSVG && hasClass(e, "dev") && strings.HasPrefix(e.id, "c-") {
			drawn++
		}
	}
	if drawn == 0 || drawn >= len(g.Devices)/2 {
		t.Errorf("%d of %d devices drawn one by one", drawn, len(g.Devices))
	}
	if len(r.Findings) == 0 {
		t.Error("the fleet has no findings to draw")
	}
	if n := len(page); n > 1<<20 {
		t.Errorf("the page is %d bytes", n)
	}
	full, _, _ := renderPage(t, path, HTMLOptions{MaxDevices: 10000}, nil)
	if bytes.Contains(full, []byte("more than are drawn one by one")) {
		t.Error("with MaxDevices above the fleet's size the picture still summarizes")
	}
}

func TestHTMLRequiresGraphAndReport(t *testing.T) {
	if err := HTML(io.Discard, nil, &audit.Report{}, HTMLOptions{}); err == nil {
		t.Error("no error without a graph")
	}
	inv, err := inventory.Parse("empty.yaml", []byte("version: 1\n"), inventory.Options{})
	if err != nil {
		t.Fatalf("an empty inventory: %v", err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := HTML(io.Discard, g, nil, HTMLOptions{}); err == nil {
		t.Error("no error without a report")
	}
	var b bytes.Buffer
	if err := HTML(&b, g, audit.NewReport(fixedTime, nil), HTMLOptions{}); err != nil {
		t.Fatalf("an empty inventory: %v", err)
	}
	parsePage(t, b.Bytes())
}

// TestHTMLFormat: "-o html" parses, and Audit, which has no graph, refuses it.
func TestHTMLFormat(t *testing.T) {
	f, err := ParseFormat("html")
	if err != nil || f != HTMLPage {
		t.Fatalf(`ParseFormat("html") = %q, %v`, f, err)
	}
	if err := Audit(io.Discard, f, "x", audit.NewReport(fixedTime, nil)); err == nil {
		t.Error("Audit rendered the html format without a graph")
	}
}
