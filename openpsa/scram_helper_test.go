package openpsa_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/openpsa"
)

// scram returns the path of SCRAM, or skips the test when it is not
// installed (Debian's scram package, listed in .ci/apt-packages).
func scram(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("scram")
	if err != nil {
		t.Skip("scram is not installed (apt-get install scram): the export is not checked against SCRAM")
	}
	return path
}

// runScram runs SCRAM with args on files and returns its report.
func runScram(t *testing.T, bin string, args []string, files ...string) *report {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.xml")
	cmd := exec.Command(bin, append(append(args, "-o", out), files...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scram %v: %v\n%.2000s", args, err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := parseReport(f)
	if err != nil {
		t.Fatalf("scram %v: %v", args, err)
	}
	return r
}

// maxReport bounds a SCRAM report read by the tests.
const maxReport = 256 << 20

// report is what the tests read of a SCRAM report.
type report struct {
	Results struct {
		Sums []struct {
			Name        string `xml:"name,attr"`
			Probability string `xml:"probability,attr"`
			Products    []struct {
				Events []struct {
					Name string `xml:"name,attr"`
				} `xml:"basic-event"`
			} `xml:"product"`
		} `xml:"sum-of-products"`
		Importance []struct {
			Name   string `xml:"name,attr"`
			Events []struct {
				Name string `xml:"name,attr"`
				MIF  string `xml:"MIF,attr"`
				RRW  string `xml:"RRW,attr"`
			} `xml:"basic-event"`
		} `xml:"importance"`
	} `xml:"results"`
}

func parseReport(r io.Reader) (*report, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxReport+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxReport {
		return nil, fmt.Errorf("report larger than %d bytes", maxReport)
	}
	var rep report
	if err := xml.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return &rep, nil
}

// top is one top event's results: its minimal cut sets (event names),
// probability, and importance by event name.
type top struct {
	products [][]string
	prob     float64
	mif, fv  map[string]float64
}

// tops gathers a report's results by top event name.
func (r *report) tops(t *testing.T) map[string]*top {
	t.Helper()
	out := map[string]*top{}
	get := func(name string) *top {
		if out[name] == nil {
			out[name] = &top{prob: -1, mif: map[string]float64{}, fv: map[string]float64{}}
		}
		return out[name]
	}
	for _, s := range r.Results.Sums {
		tp := get(s.Name)
		if s.Probability != "" {
			tp.prob = mustFloat(t, s.Probability)
		}
		for _, p := range s.Products {
			set := []string{}
			for _, e := range p.Events {
				set = append(set, e.Name)
			}
			tp.products = append(tp.products, set)
		}
	}
	for _, imp := range r.Results.Importance {
		tp := get(imp.Name)
		for _, e := range imp.Events {
			tp.mif[e.Name] = mustFloat(t, e.MIF)
			// Fussell–Vesely is the share of the probability that goes
			// with the event never failing: 1 − 1/RRW.
			tp.fv[e.Name] = 1 - 1/mustFloat(t, e.RRW)
		}
	}
	return out
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("scram report: %q is not a number", s)
	}
	return f
}

// nameAttr is every MEF name in an export.
var nameAttr = regexp.MustCompile(`name="([^"]*)"`)

// export writes g's export to dir/FILE, every name prefixed with prefix
// so that several exports load into one SCRAM run (which merges its
// input files into one model).
func export(t *testing.T, dir, prefix string, g *model.Graph, q []float64) string {
	t.Helper()
	var buf bytes.Buffer
	if err := openpsa.Write(&buf, g, q, openpsa.Options{}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if prefix != "" {
		data = nameAttr.ReplaceAll(data, []byte(`name="`+prefix+`$1"`))
	}
	path := filepath.Join(dir, prefix+"model.xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
