package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Options change how an inventory is loaded.
type Options struct {
	// Strict turns warnings (a plaintext secret, TLS verification off) into errors.
	Strict bool
	// Strings, when set, is shared with other loads (see Strings).
	Strings *Strings
}

// Load reads and validates the inventory file at path. When the file is
// invalid the error is an *Error holding every problem, each positioned as
// FILE:LINE:COL. Warnings of a valid inventory are in its Warnings field.
// The file is read by ReadFile: a regular file, never through a link.
func Load(path string, opts Options) (*Inventory, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, opts)
}

// Parse is Load for an inventory already in memory; file names it in messages.
//
// A large file is parsed in chunks (see chunk.go), never holding the whole
// file's YAML node tree; anything the chunked path cannot vouch for is
// parsed whole, with the same result either way.
func Parse(file string, data []byte, opts Options) (*Inventory, error) {
	inv, diags, ok := parseChunked(file, data, chunkBytes, opts.Strings)
	if !ok {
		inv, diags = parseWhole(file, data)
	}
	return finishParse(inv, diags, opts)
}

// parseWhole decodes the file from one node tree of the whole document
// (the serial path). A nil inventory means a YAML syntax error.
func parseWhole(file string, data []byte) (*Inventory, Diagnostics) {
	inv := &Inventory{File: file}
	root, err := parseYAML(data)
	if err != nil {
		return nil, Diagnostics{syntaxDiagnostic(file, syntaxError(err))}
	}
	d := &decoder{reporter: reporter{file: file}, budget: aliasBudget(data)}
	d.decode(root, reflectValue(inv), "the inventory")
	return inv, d.diags
}

// aliasBudget bounds the values decoded from a file, aliases followed: a
// file without aliases never reaches it; one that repeats large parts of
// itself through aliases is refused. It bounds the whole file, however it
// is parsed.
func aliasBudget(data []byte) int { return 4*len(data) + 10000 }

// finishParse validates a decoded inventory and sorts its diagnostics into
// errors and warnings.
func finishParse(inv *Inventory, diags Diagnostics, opts Options) (*Inventory, error) {
	if inv == nil {
		return nil, &Error{Diagnostics: diags}
	}
	r := &reporter{file: inv.File, diags: diags}
	// Validate even after decoding errors, so one run reports everything;
	// fields that failed to decode are left empty and checked as such.
	validate(inv, r)

	errs, warns := splitDiagnostics(r.diags, opts.Strict)
	if len(errs) > 0 {
		all := append(errs, warns...)
		all.sort()
		return nil, &Error{Diagnostics: all}
	}
	warns.sort()
	inv.Warnings = warns
	return inv, nil
}

// splitDiagnostics sorts diagnostics into errors and warnings; under
// strict, every warning is an error.
func splitDiagnostics(diags Diagnostics, strict bool) (errs, warns Diagnostics) {
	for _, dg := range diags {
		if dg.Severity == SevWarning && strict {
			dg.Severity = SevError
			dg.Message += " (an error with --strict)"
		}
		if dg.Severity == SevError {
			errs = append(errs, dg)
		} else {
			warns = append(warns, dg)
		}
	}
	return errs, warns
}

// Dir is the directory of the inventory file, against which relative
// ${file:..} secrets and CA paths are resolved.
func (inv *Inventory) Dir() string {
	if inv.File == "" {
		return ""
	}
	return filepath.Dir(inv.File)
}

func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty: start it with \"version: 1\"")
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("line %d: a second YAML document: keep one inventory per file", extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, err
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, errors.New("the file is empty: start it with \"version: 1\"")
		}
		return doc.Content[0], nil
	}
	return &doc, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxDiagnostic turns a yaml.v3 parse error into a positioned message.
// The parser reports a line but no column; column 1 stands in for it.
func syntaxDiagnostic(file string, err error) Diagnostic {
	msg := err.Error()
	d := Diagnostic{File: file, Pos: Pos{Line: 1, Col: 1}, Message: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		d.Pos.Line = int32(n)
		d.Message = "YAML syntax: " + m[2]
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		d.Message = "YAML syntax: " + msg[6:]
	}
	return d
}

// Summary counts what an inventory holds.
type Summary struct {
	Sites    int `json:"sites"`
	Racks    int `json:"racks"`
	Power    int `json:"power_nodes"`
	Devices  int `json:"devices"`
	PSUs     int `json:"psus"`
	Links    int `json:"links"`
	Services int `json:"services"`
}

// Summarize counts the inventory's entries.
func (inv *Inventory) Summarize() Summary {
	s := Summary{Sites: len(inv.Sites), Racks: len(inv.Racks), Power: len(inv.Power),
		Devices: len(inv.Devices), Links: len(inv.Links), Services: len(inv.Services)}
	for i := range inv.Devices {
		s.PSUs += len(inv.Devices[i].PSUs)
	}
	return s
}

func (s Summary) String() string {
	return fmt.Sprintf("%d sites, %d racks, %d power nodes, %d devices, %d links, %d services",
		s.Sites, s.Racks, s.Power, s.Devices, s.Links, s.Services)
}
