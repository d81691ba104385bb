package hostilebmc

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, url string, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// healthy answers every path with a small collection.
var healthy = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{"@odata.id": r.URL.Path, "Members": []any{map[string]any{"@odata.id": r.URL.Path + "/1"}}})
})

func TestTricks(t *testing.T) {
	b, err := Start(healthy,
		HugeCollection("/redfish/v1/Systems", 100_000),
		EndlessPages("/redfish/v1/Chassis"),
		EchoRequest(http.StatusBadRequest, true, func(p string) bool { return p == "/echo" }),
		DuplicateLinks("/redfish/v1/Managers", "Members", "/redfish/v1/Managers/1", 3))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !strings.HasPrefix(b.URL, "http://127.0.0.1:") {
		t.Errorf("listening at %s, want loopback", b.URL)
	}

	_, body := get(t, b.URL+"/redfish/v1/Systems", nil)
	var c struct {
		Members []struct {
			ID string `json:"@odata.id"`
		}
	}
	if err := json.Unmarshal(body, &c); err != nil || len(c.Members) != 100_000 || c.Members[99_999].ID != "/redfish/v1/Systems/m99999" {
		t.Errorf("huge collection: %v, %d members", err, len(c.Members))
	}

	next := "/redfish/v1/Chassis"
	for i := range 3 {
		_, body := get(t, b.URL+next, nil)
		var p struct {
			Next string `json:"Members@odata.nextLink"`
		}
		_ = json.Unmarshal(body, &p)
		if want := "/redfish/v1/Chassis?$skiptoken=" + string(rune('1'+i)); p.Next != want {
			t.Fatalf("page %d names %q next, want %q", i, p.Next, want)
		}
		next = p.Next
	}

	code, body := get(t, b.URL+"/echo", http.Header{"Authorization": {"Basic c2VjcmV0"}})
	if code != http.StatusBadRequest || !strings.Contains(string(body), "Authorization: Basic c2VjcmV0") {
		t.Errorf("echo: %d %s", code, body)
	}
	if s := b.Secrets(); len(s) != 2 || s[0] != "Basic c2VjcmV0" || s[1] != "c2VjcmV0" {
		t.Errorf("secrets recorded: %q", s)
	}

	_, body = get(t, b.URL+"/redfish/v1/Managers", nil)
	if n := strings.Count(string(body), `"/redfish/v1/Managers/1"`); n != 4 {
		t.Errorf("the duplicated link appears %d times, want 4: %s", n, body)
	}
	if n := b.Count("GET /redfish/v1/Chassis"); n != 3 {
		t.Errorf("%d requests counted for the pages, want 3", n)
	}
}
