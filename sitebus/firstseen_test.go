package sitebus

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// TestFirstSeenForgets: a record resolved longer ago than forgetAfter is
// purged from the bucket; a recently resolved one stays.
func TestFirstSeenForgets(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The test plays a week in a moment: records may be dated up to
	// eight days after they are stored.
	b := connect(t, s.ClientURL(), func(o *Options) { o.MaxSkew = 8 * 24 * time.Hour })
	f := b.FirstSeen(ctx)
	t0 := time.Now().UTC()
	if _, err := f.Record(ctx, t0, []string{"old/x", "recent/y"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Record(ctx, t0.Add(time.Hour), []string{"recent/y"}); err != nil { // old/x resolves
		t.Fatal(err)
	}
	later := t0.Add(time.Hour + forgetAfter + time.Minute)
	if _, err := f.Record(ctx, later.Add(-2*time.Minute), nil); err != nil { // recent/y resolves, later
		t.Fatal(err)
	}
	if _, err := f.Record(ctx, later, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.find.Get(ctx, EscapeKey("old/x")); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Errorf("old/x: %v, want it purged", err)
	}
	if _, err := b.find.Get(ctx, EscapeKey("recent/y")); err != nil {
		t.Errorf("recent/y: %v, want it kept", err)
	}
}
