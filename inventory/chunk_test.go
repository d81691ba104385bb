package inventory

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/faultline/faultline/fleet"
	"github.com/google/go-cmp/cmp"
)

// parseAt is Parse with pieces of about size bytes; chunked says whether
// the chunked path vouched for the result (false: it fell back).
func parseAt(file string, data []byte, opts Options, size int) (inv *Inventory, err error, chunked bool) {
	i, diags, ok := parseChunked(file, data, size, opts.Strings)
	if !ok {
		i, diags = parseWhole(file, data)
	}
	inv, err = finishParse(i, diags, opts)
	return inv, err, ok
}

// sameLoad fails t unless the chunked load of data, with pieces of about
// size bytes, gives what the serial load gives: a deep-equal inventory,
// positions included, or the same diagnostics in the same order.
func sameLoad(t testing.TB, name string, data []byte, size int) (chunked bool) {
	t.Helper()
	want, werr := parseSerial(name, data, Options{})
	got, gerr, chunked := parseAt(name, data, Options{}, size)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s (pieces of %d bytes): serial error %v, chunked error %v", name, size, werr, gerr)
	}
	if werr != nil {
		var we, ge *Error
		if !errors.As(werr, &we) || !errors.As(gerr, &ge) {
			t.Fatalf("%s: errors of type %T and %T", name, werr, gerr)
		}
		if diff := cmp.Diff(we.Diagnostics, ge.Diagnostics); diff != "" {
			t.Fatalf("%s (pieces of %d bytes, chunked %v): diagnostics differ (-serial +chunked):\n%s", name, size, chunked, diff)
		}
		return chunked
	}
	want.idx, got.idx = nil, nil
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s (pieces of %d bytes): inventories differ (-serial +chunked):\n%s", name, size, cmp.Diff(want, got, cmp.AllowUnexported(Inventory{})))
	}
	return chunked
}

func generated(t testing.TB, spec fleet.Spec) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := fleet.Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// corpus is every file the differential test starts from: the invalid-file
// corpus, the fuzz corpus, the bundled inventory and generated ones.
func corpus(t *testing.T) map[string][]byte {
	files := map[string][]byte{}
	paths, _ := filepath.Glob("testdata/invalid/*.yaml")
	paths = append(paths, "../inventory.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = data
	}
	fuzz, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	for _, p := range fuzz {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := fuzzInput(data)
		if !ok {
			t.Fatalf("%s: not a fuzz corpus file of one []byte", p)
		}
		files[p] = v
	}
	if len(fuzz) == 0 {
		t.Fatal("no fuzz corpus in testdata/fuzz/FuzzParse")
	}
	for _, spec := range []fleet.Spec{
		{Seed: 1, Sites: 2, RacksPerSite: 3, ServersPerRack: 5},
		{Seed: 7, Sites: 2, RacksPerSite: 3, ServersPerRack: 8, Flaws: 0.2, Tolerate2: 0.3},
	} {
		files["gen-"+itoa(int(spec.Seed))] = generated(t, spec)
	}
	return files
}

// fuzzInput reads the one []byte value of a "go test fuzz v1" file.
func fuzzInput(data []byte) ([]byte, bool) {
	lines := strings.SplitN(string(data), "\n", 2)
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return nil, false
	}
	s := strings.TrimSpace(lines[1])
	if !strings.HasPrefix(s, "[]byte(") || !strings.HasSuffix(s, ")") {
		return nil, false
	}
	v, err := strconv.Unquote(s[len("[]byte(") : len(s)-1])
	return []byte(v), err == nil
}

// TestChunkedLoadIsTheSerialLoad is the differential test: over the corpus,
// and over thousands of mutations of it, the chunked load and the serial
// one agree exactly, at several piece sizes.
func TestChunkedLoadIsTheSerialLoad(t *testing.T) {
	files := corpus(t)
	for name, data := range files {
		for _, size := range []int{16, 100, 1000, 1 << 14} {
			chunked := sameLoad(t, name, data, size)
			// The comparison is not vacuous: the bundled and generated
			// inventories take the chunked path whenever they are cut.
			if !chunked && len(data) >= 2*size && (strings.HasPrefix(name, "gen-") || name == "../inventory.yaml") {
				t.Errorf("%s (pieces of %d bytes) fell back to the serial load", name, size)
			}
		}
	}

	n := 3000
	if testing.Short() || raceEnabled {
		n = 300 // make test runs the full count without the race detector
	}
	var bases []string
	for name := range files {
		if !strings.Contains(name, "fuzz") {
			bases = append(bases, name)
		}
	}
	slices.Sort(bases)
	r := rand.New(rand.NewPCG(23, 1))
	chunked := 0
	for i := range n {
		base := bases[r.IntN(len(bases))]
		data := mutate(r, files[base])
		if sameLoad(t, base+"~"+itoa(i), data, 8+r.IntN(120)) {
			chunked++
		}
	}
	if chunked < n/5 {
		t.Errorf("only %d of %d mutated files took the chunked path", chunked, n)
	}
}

// mutate makes one to four deterministic edits to data: delete, duplicate
// or re-indent a line, swap two neighbouring bytes, or insert a byte that
// means something to YAML.
func mutate(r *rand.Rand, data []byte) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	for range 1 + r.IntN(4) {
		if len(lines) == 0 {
			break
		}
		i := r.IntN(len(lines))
		switch r.IntN(6) {
		case 0:
			lines = append(lines[:i], lines[i+1:]...)
		case 1:
			lines = append(lines[:i+1], lines[i:]...)
		case 2:
			lines[i] = "  " + lines[i]
		case 3:
			lines[i] = strings.TrimPrefix(lines[i], " ")
		case 4:
			if b := []byte(lines[i]); len(b) > 1 {
				j := r.IntN(len(b) - 1)
				b[j], b[j+1] = b[j+1], b[j]
				lines[i] = string(b)
			}
		case 5:
			ins := []string{"-", " ", ":", "#", "\t", "[", "{", "\"", "'", "&a ", "*a", "|", "\r", "---\n", "- ", "\n"}[r.IntN(16)]
			j := r.IntN(len(lines[i]) + 1)
			lines[i] = lines[i][:j] + ins + lines[i][j:]
		}
	}
	return []byte(strings.Join(lines, ""))
}

// TestChunkedLoadOfAGeneratedFleet: a generated fleet large enough to be
// cut at the default piece size takes the chunked path and loads as the
// serial path does.
func TestChunkedLoadOfAGeneratedFleet(t *testing.T) {
	data := generated(t, fleet.Spec{Seed: 3, Sites: 2, RacksPerSite: 40, ServersPerRack: 20})
	if len(data) < 2*chunkBytes {
		t.Fatalf("fleet of %d bytes is too small to be cut", len(data))
	}
	if !sameLoad(t, "fleet.yaml", data, chunkBytes) {
		t.Fatal("a generated fleet fell back to the serial load")
	}
}

// TestChunkedLoadFallsBack: what the pre-split cannot vouch for is parsed
// whole, and gives the serial path's result.
func TestChunkedLoadFallsBack(t *testing.T) {
	base := "version: 1\nsites:\n  - {id: a}\n  - {id: b}\nracks:\n  - {id: r, site: a}\n  - {id: q, site: b}\n"
	tests := []struct{ name, yaml string }{
		{"alias across pieces", "version: 1\nsites:\n  - &s {id: a}\n  - {id: b}\n  - *s\n  - {id: c}\n"},
		{"document marker", "---\n" + base},
		{"second document", base + "---\nversion: 1\n"},
		{"CRLF", strings.ReplaceAll(base, "\n", "\r\n")},
		{"top-level list", "- version: 1\n" + base},
		{"quoted key", "\"version\": 1\n" + base},
		{"item out of line", base + "  - {id: z, site: a}\n - {id: y, site: a}\n"},
		{"string across pieces", "version: 1\nsites:\n  - {id: a, name: \"x\n  - y\"}\n  - {id: b}\n"},
		{"syntax error", base + "  - {id: x\n"},
		{"tab", base + "\t- {id: t}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if sameLoad(t, tc.name, []byte(tc.yaml), 8) {
				t.Errorf("took the chunked path; want the serial one")
			}
		})
	}
}

// TestAliasBudgetBoundsTheWholeFile: aliases that each piece alone keeps
// within the bound, but the file as a whole does not, are refused as the
// serial load refuses them.
func TestAliasBudgetBoundsTheWholeFile(t *testing.T) {
	// Every anchor and its aliases take the same number of bytes, so that
	// pieces of that size hold one anchor and its aliases each.
	var b strings.Builder
	b.WriteString("version: 1\nsites: [{id: a}]\nracks: [{id: r, site: a}]\npower: [{id: p, kind: pdu, rack: r}]\ndevices:\n")
	psus := make([]string, 200)
	for i := range psus {
		psus[i] = "{id: P" + itoa(100+i) + ", pdu: p}"
	}
	var group int
	for c := 10; c < 26; c++ {
		start := b.Len()
		b.WriteString("  - {id: d" + itoa(c) + ", kind: server, rack: r, psus: &p" + itoa(c) + " [" + strings.Join(psus, ", ") + "]}\n")
		for i := 10; i < 70; i++ {
			b.WriteString("  - {id: d" + itoa(c) + "x" + itoa(i) + ", kind: server, rack: r, psus: *p" + itoa(c) + "}\n")
		}
		group = b.Len() - start
	}
	data := []byte(b.String())
	size := group
	secs, ok := presplit(data, size)
	if !ok {
		t.Fatal("the pre-split refused the file")
	}
	// Each piece alone is well within the bound.
	budget := aliasBudget(data)
	for _, p := range secs[len(secs)-1].pieces {
		n, err := parsePiece(data[p.start:p.end], p.line-1)
		if err != nil {
			t.Fatalf("piece at line %d: %v", p.line, err)
		}
		d := &decoder{reporter: reporter{file: "f"}, budget: budget}
		var devs []Device
		d.decode(n, reflect.ValueOf(&devs).Elem(), "devices")
		if d.work > budget/4 {
			t.Fatalf("piece at line %d alone does %d of %d", p.line, d.work, budget)
		}
	}
	_, err, chunked := parseAt("bomb.yaml", data, Options{}, size)
	if chunked {
		t.Error("the chunked path vouched for a file over the bound")
	}
	if err == nil || !strings.Contains(err.Error(), "too much data through aliases") {
		t.Fatalf("alias bomb across pieces: %.300v", err)
	}
	sameLoad(t, "bomb.yaml", data, size)
}

// TestLoadsShareStrings: two loads at once with one string table each
// give what the serial load gives, and hold the ids the files have in
// common once.
func TestLoadsShareStrings(t *testing.T) {
	var datas [2][]byte
	for i := range datas {
		datas[i] = generated(t, fleet.Spec{Seed: uint64(i + 1), Sites: 2, RacksPerSite: 4, ServersPerRack: 10})
	}
	strs := NewStrings()
	var invs [2]*Inventory
	var errs [2]error
	var wg sync.WaitGroup
	for i := range invs {
		wg.Go(func() {
			invs[i], errs[i], _ = parseAt("f"+itoa(i), datas[i], Options{Strings: strs}, 1000)
		})
	}
	wg.Wait()
	for i := range invs {
		want, err := parseSerial("f"+itoa(i), datas[i], Options{})
		if err != nil || errs[i] != nil {
			t.Fatalf("fleet %d: %v, %v", i, err, errs[i])
		}
		want.idx, invs[i].idx = nil, nil
		if !reflect.DeepEqual(want, invs[i]) {
			t.Fatalf("fleet %d with a shared table differs from the serial load", i)
		}
	}
	a, b := invs[0].Devices[0].ID, invs[1].Devices[0].ID
	if a != b || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("device ids %q and %q are not one string", a, b)
	}
}
