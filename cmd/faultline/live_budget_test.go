package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLiveHugeAnswerRefused: a --live answer of 1,000 MB (under the 1 GiB
// byte cap) — one device whose temperatures never end, generated as it is
// sent — is refused at the budget of parts per device, having read a
// small part of it, within that budget's memory (bytes allocated are
// measured, not time).
func TestLiveHugeAnswerRefused(t *testing.T) {
	const size = 1000 << 20
	var sent atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		head := `{"version":1,"generated_at":"2026-11-21T12:00:00Z","devices":[{"id":"db-1","source":"redfish","attempted_at":"2026-11-21T12:00:00Z","temperatures":[{"name":"t","celsius":20}`
		chunk := []byte(strings.Repeat(`,{"name":"t","celsius":20}`, 1000))
		n, err := w.Write([]byte(head))
		sent.Add(int64(n))
		for err == nil && sent.Load() < size {
			n, err = w.Write(chunk)
			sent.Add(int64(n))
		}
	}))
	defer ts.Close()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	client, err := liveClient("")
	if err != nil {
		t.Fatal(err)
	}
	_, err = fetchObservations(context.Background(), client, ts.URL, 30*time.Second, "", maxLiveBody)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), `device 0 ("db-1"): more than 4096 members in temperatures`) {
		t.Fatalf("error %v, want the parts budget named", err)
	}
	if !strings.HasPrefix(err.Error(), "--live "+ts.URL) {
		t.Errorf("error %q does not name the URL", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MB refusing the answer, want at most 32 MB", alloc>>20)
	}
	ts.CloseClientConnections()
	if s := sent.Load(); s >= size {
		t.Errorf("the server sent all %d MB: the client read to the end", s>>20)
	}
}
