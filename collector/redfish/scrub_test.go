package redfish

import (
	"strings"
	"testing"
)

func TestScrub(t *testing.T) {
	sc := newScrubber("audit", "hunter2-pw")
	sc.add("0123456789abcdef-token")
	for _, tc := range []struct{ in, want string }{
		{"the basic settings are invalid", "the basic settings are invalid"},
		{"Property Accept is not allowed", "Property Accept is not allowed"},
		{"bad request: GET /redfish/v1 HTTP/1.1\r\nAuthorization: Basic YXVkaXQ6aHVudGVyMi1wdw==\r\nUser-Agent: x", "bad request: [echoed request dropped]"},
		{"denied for Authorization: Basic YXVkaXQ6aHVudGVyMi1wdw==", "denied for [echoed request dropped]"},
		{"token 0123456789abcdef-token expired", "token [redacted] expired"},
		{"password hunter2-pw is wrong", "password [redacted] is wrong"},
		{"use Bearer eyJhbGciOiJIUzI1NiJ9.x.y instead", "use Bearer [redacted] instead"},
		{"line\x1b[31m one\u202eevil", "line [31m one evil"},
		{"{\"authorization\":\"Basic abc\"}", "{\" [echoed request dropped]"},
	} {
		if got := sc.clean(tc.in, maxMessage); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A secret cut in half by the length limit is not left half.
	for _, in := range []string{
		strings.Repeat("x", maxMessage-4) + " hunter2-pw",   // cut here
		strings.Repeat("x", 100) + " hunter2…",              // cut by redfishMessage
		strings.Repeat("y", 100) + " YXVkaXQ6aHVudGVyMi1w…", // base64, cut
	} {
		if cut := sc.clean(in, maxMessage); strings.Contains(cut, "hunt") || strings.Contains(cut, "YXVkaXQ6") {
			t.Errorf("half a secret left at the cut: %q", cut)
		}
	}
	if got := sc.clean("failed for user audit", maxMessage); got != "failed for user audit" {
		t.Errorf("a message not cut lost its end: %q", got)
	}
	long := sc.clean(strings.Repeat("é", 500), maxMessage)
	if len(long) > maxMessage+len("…") || !strings.HasSuffix(long, "…") {
		t.Errorf("a long message is %d bytes: %q", len(long), long)
	}
}
