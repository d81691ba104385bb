package redfish

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/stmcginnis/gofish/schemas"
)

// login opens a session (auth: session) through gofish, and returns where
// it lives, for logout.
func (pl *poll) login(ctx context.Context, user, pass string) (string, error) {
	auth, err := schemas.CreateSession(gofishClient{c: pl.c, ctx: ctx}, pl.dev.sessionsURI, user, pass)
	if err != nil {
		if statusOf(err) == http.StatusServiceUnavailable {
			return "", fmt.Errorf("login: the BMC has no free session (it limits them; other tools may be leaking sessions): %w", err)
		}
		return "", fmt.Errorf("login: %w", err)
	}
	if auth == nil || auth.Token == "" {
		return "", errors.New("login: the BMC answered without an X-Auth-Token")
	}
	pl.c.token = auth.Token
	pl.c.scrub.add(auth.Token)
	if auth.Session == "" {
		w := "the BMC did not say where the new session is (no Location): it stays open until it times out"
		pl.warn(w)
	}
	return auth.Session, nil
}

// logout deletes the session on a fresh context bounded by LogoutTimeout,
// so it runs even when the poll's own deadline has passed: BMCs allow few
// sessions (iDRAC 8), and a leaked one locks people out until it expires.
func (pl *poll) logout(ctx context.Context, loc string) {
	if loc == "" {
		return
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pl.p.opts.LogoutTimeout)
	defer cancel()
	path, foreign := canonicalRef(pl.base, loc)
	if foreign {
		pl.warn(fmt.Sprintf("the BMC put the new session off its origin (%q); not deleting it there", clip(loc, 120)))
		return
	}
	if err := schemas.DeleteSession(gofishClient{c: pl.c, ctx: lctx}, path); err != nil {
		pl.warn(fmt.Sprintf("logout failed, the session stays open until it times out: %v", err))
	}
}
