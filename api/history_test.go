package api

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/history"
)

// TestReadyzHistoryFailing: while another program holds the history
// database's write lock (SQLITE_BUSY after the store's 5 s busy timeout),
// the failures are counted in /metrics and /readyz is 503 with the
// reason; the next write that succeeds makes it ready again.
func TestReadyzHistoryFailing(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("../inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ctx, engine.Config{InventoryFile: path, DataDir: filepath.Join(dir, "data"), WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	s := New(eng, Options{Token: token})
	check := func(status int, wants ...string) {
		t.Helper()
		rec := do(t, s, call{method: "GET", path: "/readyz"})
		if rec.Code != status {
			t.Errorf("/readyz %d, want %d: %s", rec.Code, status, rec.Body.String())
		}
		body := rec.Body.String() + do(t, s, call{method: "GET", path: "/metrics"}).Body.String()
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("/readyz and /metrics lack %q", w)
			}
		}
	}
	check(http.StatusOK, `"ready":true`, `"failing":false`, "faultline_history_write_failures_total 0")

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data", history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if err := eng.Reload(ctx); err != nil { // an audit: its findings cannot be written
		t.Fatal(err)
	}
	check(http.StatusServiceUnavailable, `"ready":false`, "history writes failing since", "database is locked", "faultline_history_write_failures_total 1")
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := eng.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	check(http.StatusOK, `"ready":true`, `"write_failures":1`, "faultline_history_write_failures_total 1")
	if strings.Contains(do(t, s, call{method: "GET", path: "/metrics"}).Body.String(), "faultline_history_last_write_success_timestamp_seconds 0\n") {
		t.Error("no last success time after a write succeeded")
	}
}
