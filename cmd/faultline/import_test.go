package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/netbox/nbsim"
)

// TestImportNetBox: import the recorded estate through the CLI, from a
// simulated NetBox that pages by 50: the file equals the golden (up to
// the server's URL), validates with the hand-kept file beside it, a
// re-import leaves it as it is, --check exits 0 and then 1 once NetBox
// changes, and an import that would not validate writes nothing.
func TestImportNetBox(t *testing.T) {
	objs, err := nbsim.LoadRecorded(filepath.Join("..", "..", "..", "shared", "testdata", "netbox-estate"))
	if err != nil || len(objs) == 0 {
		t.Skipf("recorded NetBox answers not present: %v", err)
	}
	sim := nbsim.New(objs, 50, "nbt_test.token")
	srv := httptest.NewServer(sim)
	defer srv.Close()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("nbt_test.token\n"), 0o600)
	inv := filepath.Join(dir, "inventory")
	os.MkdirAll(inv, 0o755)
	hand, err := os.ReadFile("../../netbox/testdata/estate-handkept.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(inv, "netbox.yaml")
	args := []string{"import", "netbox", "--url", srv.URL, "--token-file", tokenFile, "--config", "../../netbox/testdata/estate-config.yaml", "-o", out}

	// Without the hand-kept file the panels' inputs dangle: exit 2, nothing written.
	code, _, errOut := cli(t, args...)
	if code != 2 || !strings.Contains(errOut, `unknown power input "ups-a"`) || !strings.Contains(errOut, out+":") {
		t.Fatalf("without the hand-kept file: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("an invalid import was written")
	}
	os.WriteFile(filepath.Join(inv, "site.yaml"), hand, 0o644)
	code, _, errOut = cli(t, args...)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "nbt_test.token") {
		t.Error("the token is in the output")
	}
	for _, w := range []string{`netbox dcim.powerport/137 "ncsu-kvm03 PSU2": cable #`, "planned", `dcim.powerfeed/12 "P2-6B": status failed`, "requests"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("report lacks %q\n%s", w, errOut)
		}
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile("../../netbox/testdata/netbox-estate.golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.ReplaceAll(got, []byte(srv.URL), []byte(nbsim.RecordedBase)), want) {
		t.Error("the CLI's import differs from netbox/testdata/netbox-estate.golden.yaml")
	}
	if code, out, errOut := cli(t, "validate", inv); code != 0 {
		t.Errorf("validate the directory: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := cli(t, append(args, "--check")...); code != 0 || !strings.Contains(errOut, "up to date") {
		t.Errorf("--check with no change: exit %d\n%s", code, errOut)
	}
	// -o json report on stdout.
	code, stdout, _ := cli(t, append(args, "--check", "--report", "json")...)
	var rep struct {
		Issues []struct{ NetBox, Why string }
		Stats  struct{ Requests int }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 || len(rep.Issues) == 0 || rep.Stats.Requests == 0 {
		t.Errorf("json report: exit %d, %v\n%s", code, err, stdout)
	}
	// NetBox changes: a serial number is recorded.
	devs := sim.Objects("dcim/devices")
	changed := append([]json.RawMessage(nil), devs...)
	changed[0] = json.RawMessage(bytes.Replace(devs[0], []byte(`"serial":""`), []byte(`"serial":"SN-0001"`), 1))
	if bytes.Equal(changed[0], devs[0]) {
		t.Fatal("the test could not change the answer")
	}
	sim.Set("dcim/devices", changed)
	if code, _, errOut := cli(t, append(args, "--check")...); code != 1 || !strings.Contains(errOut, "would change") {
		t.Errorf("--check after a change: exit %d\n%s", code, errOut)
	}
	before, _ := os.ReadFile(out)
	if !bytes.Equal(before, got) {
		t.Error("--check wrote the file")
	}
}

// TestReportLinksToNetBox: the HTML report of an imported estate links
// what its findings name to their NetBox pages.
func TestReportLinksToNetBox(t *testing.T) {
	dir := t.TempDir()
	for src, dst := range map[string]string{"../../netbox/testdata/netbox-estate.golden.yaml": "netbox.yaml", "../../netbox/testdata/estate-handkept.yaml": "site.yaml"} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, dst), data, 0o644)
	}
	code, out, errOut := cli(t, "audit", "-i", dir, "-o", "html")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, `<a href="http://netbox.example.test/dcim/devices/153/" rel="noopener">ncsu-app05</a>`) {
		t.Error("the report does not link ncsu-app05 to its NetBox page")
	}
}
