package inventory

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

var updateSchema = flag.Bool("update", false, "rewrite ../inventory.schema.json")

// compileSchema compiles Schema() with a real JSON Schema validator, at
// the given pointer ("" for the whole inventory, "/$defs/Device" for a
// device).
func compileSchema(t *testing.T, ptr string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("inventory.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("inventory.schema.json#" + ptr)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return s
}

// TestSchemaDescribesEveryKey: every key the decoder knows has a
// description, and every description names a key.
func TestSchemaDescribesEveryKey(t *testing.T) {
	keys := SchemaKeys()
	if len(keys) < 50 {
		t.Fatalf("only %d keys found: the walk over the types is broken", len(keys))
	}
	known := map[string]bool{}
	for _, k := range keys {
		known[k] = true
		if strings.TrimSpace(schemaDocs[k]) == "" {
			t.Errorf("key %s has no description: add one to schemaDocs in schema_docs.go", k)
		}
	}
	for k := range schemaDocs {
		if !known[k] {
			t.Errorf("schemaDocs describes %s, which is no key of the inventory", k)
		}
	}
	types := map[string]bool{}
	for _, k := range keys {
		typ, _, _ := strings.Cut(k, ".")
		types[typ] = true
	}
	for typ := range types {
		if schemaTypeDocs[typ] == "" {
			t.Errorf("type %s has no description: add one to schemaTypeDocs", typ)
		}
	}
}

// TestSchemaFile: the committed inventory.schema.json, which the bundled
// inventory's yaml-language-server line names, is what Schema generates.
func TestSchemaFile(t *testing.T) {
	path := filepath.Join("..", SchemaFile)
	if *updateSchema {
		if err := os.WriteFile(path, Schema(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, Schema()) {
		t.Errorf("%s is stale: run go test ./inventory -run TestSchemaFile -update", path)
	}
	inv, err := os.ReadFile("../inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(inv), "\n"); first != SchemaComment {
		t.Errorf("inventory.yaml starts %q, want %q", first, SchemaComment)
	}
}

// toJSON turns a YAML node tree into the JSON data model the way the
// decoder reads it: scalars by their resolved tag, mappings with their
// keys as written. ok is false for what JSON cannot express (a key that
// is not a scalar, a duplicate key, an infinite number), which the test
// then leaves to the decoder's own tests.
func toJSON(n *yaml.Node, budget *int) (any, bool) {
	*budget--
	if *budget < 0 {
		return nil, false
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, false
		}
		return toJSON(n.Alias, budget)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, false
			}
			if _, dup := m[k.Value]; dup {
				return nil, false
			}
			v, ok := toJSON(n.Content[i+1], budget)
			if !ok {
				return nil, false
			}
			m[k.Value] = v
		}
		return m, true
	case yaml.SequenceNode:
		s := []any{}
		for _, item := range n.Content {
			v, ok := toJSON(item, budget)
			if !ok {
				return nil, false
			}
			s = append(s, v)
		}
		return s, true
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, true
		case "!!bool":
			b, err := strconv.ParseBool(n.Value)
			if err != nil {
				return n.Value, true
			}
			return b, true
		case "!!int":
			i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			if err != nil {
				return json.Number("99999999999999999999"), true // out of every range
			}
			return json.Number(strconv.FormatInt(i, 10)), true
		case "!!float":
			f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, false
			}
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
		}
		return n.Value, true
	}
	return nil, false
}

func yamlToJSON(t *testing.T, data []byte) (any, bool) {
	root, err := parseYAML(data)
	if err != nil {
		return nil, false
	}
	budget := 4*len(data) + 10000
	v, ok := toJSON(root, &budget)
	if !ok {
		return nil, false
	}
	// Through JSON text, as an editor's language server sees it.
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out, true
}

// TestSchemaAcceptsDocsAndBundled: the bundled inventory and every YAML
// example in docs/ validate against the schema; a fragment (a section, or
// the body of a device) validates as part of an inventory.
func TestSchemaAcceptsDocsAndBundled(t *testing.T) {
	whole := compileSchema(t, "")
	parts := map[string]*jsonschema.Schema{}
	for _, typ := range []string{"Device", "PowerNode", "Service"} {
		parts[typ] = compileSchema(t, "/$defs/"+typ)
	}
	check := func(name string, data []byte) {
		v, ok := yamlToJSON(t, data)
		if !ok {
			t.Errorf("%s: not expressible as JSON", name)
			return
		}
		err := whole.Validate(v)
		if m, isMap := v.(map[string]any); err != nil && isMap {
			if _, has := m["version"]; !has {
				m["version"] = json.Number("1")
				err = whole.Validate(m)
				delete(m, "version")
				for _, s := range parts {
					if err == nil {
						break
					}
					if s.Validate(m) == nil {
						err = nil
					}
				}
			}
		}
		if err != nil {
			t.Errorf("%s does not validate against the schema: %v", name, err)
		}
	}
	bundled, err := os.ReadFile("../inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	check("inventory.yaml", bundled)
	docs, _ := filepath.Glob("../docs/*.md")
	n := 0
	for _, doc := range docs {
		if notInventories[filepath.Base(doc)] {
			continue
		}
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range yamlBlock.FindAllSubmatch(data, -1) {
			n++
			check(filepath.Base(doc)+"#"+itoa(i+1), m[1])
		}
	}
	if n == 0 {
		t.Error("no YAML examples found in docs/")
	}
}

// TestSchemaRejectsWhatTheDecoderRejects runs the fuzz corpus and the
// invalid-inventory cases through both the strict decoder and the schema:
// a file with a structural error (an unknown key, a wrong type, a bad
// enum value, a missing or wrong version) must fail the schema, and a file
// the schema rejects must have one.
func TestSchemaRejectsWhatTheDecoderRejects(t *testing.T) {
	s := compileSchema(t, "")
	files, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	files = append(files, invalid...)
	if len(files) < 50 {
		t.Fatalf("only %d corpus files", len(files))
	}
	compared, rejected := 0, 0
	for _, f := range files {
		data := readCorpus(t, f)
		v, ok := yamlToJSON(t, data)
		if !ok {
			continue // a syntax error, or not JSON: the decoder's own tests
		}
		root, _ := parseYAML(data)
		d := &decoder{reporter: reporter{file: f}, budget: 4*len(data) + 10000}
		inv := &Inventory{}
		d.decode(root, reflect.ValueOf(inv).Elem(), "the inventory")
		structural := len(d.diags) > 0 || inv.Version != Version
		err := s.Validate(v)
		compared++
		if structural {
			rejected++
		}
		switch {
		case structural && err == nil:
			t.Errorf("%s: the decoder rejects it (%v, version %d) but the schema accepts it", f, d.diags, inv.Version)
		case !structural && err != nil:
			t.Errorf("%s: the schema rejects it but the decoder accepts it:\n%v", f, err)
		}
	}
	t.Logf("%d corpus files compared, %d rejected by both", compared, rejected)
	if rejected == 0 || rejected == compared {
		t.Errorf("the corpus has %d structural rejections of %d: it tests one side only", rejected, compared)
	}
}

// readCorpus reads a fuzz corpus file ("go test fuzz v1" and one
// []byte("…") line) or a plain YAML file.
func readCorpus(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := bytes.CutPrefix(data, []byte("go test fuzz v1\n"))
	if !ok {
		return data
	}
	line := strings.TrimSpace(string(rest))
	lit, ok := strings.CutPrefix(line, "[]byte(")
	if !ok || !strings.HasSuffix(lit, ")") {
		t.Fatalf("%s: not a []byte corpus entry", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
