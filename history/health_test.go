package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/observation"
)

// TestOpenLocksDirectory: a second Open of a directory in use fails,
// naming the directory and the process, until the first is closed.
func TestOpenLocksDirectory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	for _, want := range []string{dir, fmt.Sprintf("process %d", os.Getpid()), "another --data directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s.Close()
}

// TestWriteFailuresReported: writes that fail on a full disk are counted
// and mark the store failing until a write succeeds again. The disk is
// made full with SQLite's own page limit on the store's one connection.
func TestWriteFailuresReported(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h := s.Health(); h.WriteFailures != 0 || h.Failing || !h.LastSuccess.IsZero() {
		t.Fatalf("fresh store: %+v", h)
	}
	if err := s.SaveCollection(ctx, t0, []observation.Device{obs("sw-1", t0, 100, "")}); err != nil {
		t.Fatal(err)
	}
	ok := s.Health()
	if ok.Failing || ok.LastSuccess.IsZero() {
		t.Fatalf("after a write: %+v", ok)
	}
	var pages int
	if err := s.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	big := make([]observation.Device, 200)
	for i := range big {
		big[i] = obs(fmt.Sprintf("device-%03d-%s", i, strings.Repeat("x", 200)), t0, 1, "")
	}
	var failingSince time.Time
	for i := 1; i <= 2; i++ {
		err := s.SaveCollection(ctx, t0.Add(time.Duration(i)*time.Minute), big)
		if err == nil || !strings.Contains(err.Error(), "full") {
			t.Fatalf("write %d on a full disk: %v", i, err)
		}
		h := s.Health()
		if h.WriteFailures != uint64(i) || !h.Failing || !strings.Contains(h.LastError, "full") || h.LastSuccess != ok.LastSuccess {
			t.Fatalf("after %d failures: %+v", i, h)
		}
		if i == 1 {
			failingSince = h.FailingSince
		} else if !h.FailingSince.Equal(failingSince) {
			t.Errorf("failing since moved from %s to %s while still failing", failingSince, h.FailingSince)
		}
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCollection(ctx, t0.Add(time.Duration(3)*time.Minute), big); err != nil {
		t.Fatalf("write after space came back: %v", err)
	}
	h := s.Health()
	if h.Failing || !h.FailingSince.IsZero() || h.WriteFailures != 2 || h.LastSuccess.Before(ok.LastSuccess) {
		t.Errorf("after recovery: %+v", h)
	}
}

// TestCancelledWriteIsNotAFailure: a write cut short by shutdown does
// not count.
func TestCancelledWriteIsNotAFailure(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.SaveCollection(ctx, t0, []observation.Device{obs("sw-1", t0, 1, "")}); err == nil {
		t.Fatal("a cancelled write succeeded")
	}
	if h := s.Health(); h.WriteFailures != 0 || h.Failing {
		t.Errorf("a cancelled write counted: %+v", h)
	}
}
