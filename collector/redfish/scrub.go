package redfish

// Scrubbing: every string from a BMC that ends up in an error, a warning
// or a log line (an error body's message, a link shown in an error) is
// reduced to a short line without secrets. A BMC is untrusted input, and
// some echo the request — headers and all — into their error bodies; the
// observation is served by the unauthenticated GET /api/v1/devices.

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode"

	"github.com/faultline/faultline/observation"
)

// maxMessage bounds a BMC's error message as reported (bytes).
const maxMessage = 160

// maxShownPath bounds a link shown in an error (bytes).
const maxShownPath = 120

var (
	// An echoed request: the message is cut where the first request
	// header (or request line) starts; what follows is the request.
	echoStart = regexp.MustCompile(`(?i)(\b(authorization|proxy-authorization|x-auth-token|cookie|user-agent|odata-version|accept|host|if-none-match|content-type|content-length)\s*"?\s*[:=]|\b(GET|POST|DELETE|PATCH|PUT|HEAD) /\S* HTTP/\d)`)
	// Credentials anywhere else: scheme tokens and token-like headers.
	schemeToken = regexp.MustCompile(`(?i)\b(basic|bearer|digest|negotiate)\s+[A-Za-z0-9+/=._~\-]{6,}`)
	headerValue = regexp.MustCompile(`(?i)\b(authorization|x-auth-token|cookie)("?\s*[:=]\s*"?)[^\s",;}]+`)
)

// scrubber knows the secrets of one poll: the password, the basic
// credentials as sent, and the session token once there is one.
type scrubber struct{ secrets []string }

func newScrubber(user, pass string) *scrubber {
	s := &scrubber{}
	if pass != "" {
		cred := user + ":" + pass
		s.add(pass, cred, base64.StdEncoding.EncodeToString([]byte(cred)), base64.RawStdEncoding.EncodeToString([]byte(cred)))
	}
	return s
}

// add registers more secrets (the session token).
func (s *scrubber) add(secrets ...string) {
	for _, v := range secrets {
		if len(v) >= 3 {
			s.secrets = append(s.secrets, v)
		}
	}
}

// clean returns msg without an echoed request, credentials or control
// characters, at most n bytes long.
func (s *scrubber) clean(msg string, n int) string {
	if s != nil {
		for _, v := range s.secrets {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	msg = strings.Map(func(r rune) rune {
		switch {
		case r == unicode.ReplacementChar:
			return '?'
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', unicode.Is(unicode.Bidi_Control, r):
			return ' '
		}
		return r
	}, msg)
	if loc := echoStart.FindStringIndex(msg); loc != nil {
		msg = strings.TrimSpace(msg[:loc[0]]) + " [echoed request dropped]"
	}
	msg = schemeToken.ReplaceAllStringFunc(msg, func(m string) string {
		scheme, tok, _ := strings.Cut(m, " ")
		tok = strings.TrimSpace(tok)
		if len(tok) < 16 && !strings.ContainsAny(tok, "0123456789+/=") {
			return m // a word ("basic settings"), not a credential
		}
		return scheme + " [redacted]"
	})
	msg = headerValue.ReplaceAllString(msg, "$1$2[redacted]")
	msg = strings.Join(strings.Fields(msg), " ")
	return s.clipSecret(clip(s.clipSecret(msg), n))
}

// clipSecret drops the start of a secret left at the end of a clipped
// message ("hunt…" of "hunter2"), which whole-secret replacement cannot
// see.
func (s *scrubber) clipSecret(msg string) string {
	body, ell := strings.CutSuffix(msg, "…")
	if s == nil || !ell {
		return msg
	}
	for _, v := range s.secrets {
		for k := len(v) - 1; k >= 3; k-- {
			if strings.HasSuffix(body, v[:k]) {
				body = body[:len(body)-k]
				break
			}
		}
	}
	return body + "…"
}

// scrubObservation cleans every message of an observation: the error,
// the warnings and the part errors (the parts' names hold links and ids
// from the BMC too).
func (s *scrubber) scrubObservation(obs *observation.Device) {
	const long = 1024 // our own context around a BMC's message
	obs.Error = s.clean(obs.Error, long)
	for i := range obs.Warnings {
		obs.Warnings[i] = s.clean(obs.Warnings[i], long)
	}
	for i := range obs.PartErrors {
		obs.PartErrors[i].Part = s.clean(obs.PartErrors[i].Part, 2*maxShownPath)
		obs.PartErrors[i].Error = s.clean(obs.PartErrors[i].Error, long)
	}
}
