package netbox

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/faultline/faultline/netbox/nbsim"
)

// recordedBase is the base URL baked into the recorded answers.
const recordedBase = nbsim.RecordedBase

const testToken = "0123456789abcdef"

// corpus loads a recorded NetBox (../shared/testdata/<name>), or skips.
func corpus(t testing.TB, name string) map[string][]json.RawMessage {
	t.Helper()
	objs, err := nbsim.LoadRecorded(filepath.Join("..", "..", "shared", "testdata", name))
	if err != nil || len(objs) == 0 {
		t.Skipf("recorded NetBox answers not present (../shared/testdata/%s): %v", name, err)
	}
	return objs
}

func newFakeNetBox(t testing.TB, objects map[string][]json.RawMessage, maxPage int) (*nbsim.Server, *httptest.Server) {
	f := nbsim.New(objects, maxPage, testToken)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}
