package sitebus

import "time"

// Link is a site collector's connection and publisher, as its status
// shows them (api.Publishing).
type Link struct {
	b *Bus
	p *Publisher
}

// CollectorLink is the link of a collector connected by b, publishing
// through p.
func CollectorLink(b *Bus, p *Publisher) Link { return Link{b: b, p: p} }

// Connected reports whether the connection to NATS is up.
func (l Link) Connected() bool { return l.b.Connected() }

// Pending counts the observations held to send.
func (l Link) Pending() int { return l.p.Pending() }

// Published counts the observations the bucket acknowledged.
func (l Link) Published() uint64 { return l.p.Published.Load() }

// LastPublished is when the bucket last acknowledged an observation.
func (l Link) LastPublished() time.Time { return l.p.LastPublished() }
