package api

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

type nestedRequest struct {
	Fail   []string          `json:"fail"`
	Labels map[string]string `json:"labels,omitempty"`
	Window *struct {
		From string `json:"from"`
	} `json:"window,omitempty"`
	Steps  []struct{ Name string } `json:"steps,omitempty"`
	Ignore string                  `json:"-"`
	Custom *selfDecoding           `json:"custom,omitempty"`
}

// selfDecoding takes any object (its own UnmarshalJSON decides).
type selfDecoding struct{ keys int }

func (s *selfDecoding) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	s.keys = len(m)
	return nil
}

// TestDecodeStrict: what encoding/json lets through (case-folded keys,
// duplicates, unknown keys, trailing values) is refused, at any depth.
func TestDecodeStrict(t *testing.T) {
	cases := []struct {
		name, body string
		err        string // substring; "" accepts
	}{
		{"ok", `{"fail":["feed-a"]}`, ""},
		{"ok nested", `{"fail":[],"labels":{"a":"1","A":"2"},"window":{"from":"x"},"steps":[{"Name":"s"}]}`, ""},
		{"null window", `{"fail":["x"],"window":null}`, ""},
		{"self-decoding", `{"fail":[],"custom":{"Any":1,"keys":2}}`, ""},
		{"self-decoding duplicate", `{"fail":[],"custom":{"a":1,"a":2}}`, `$.custom: key "a" appears twice`},
		{"case-folded", `{"FAIL":["feed-a"]}`, `unknown key "FAIL": keys are case-sensitive, write "fail"`},
		{"case-folded kelvin", "{\"fai\u212a\":[]}", `unknown key`},
		{"duplicate", `{"fail":["a"],"fail":["b"]}`, `$: key "fail" appears twice`},
		{"duplicate escaped", `{"fail":["a"],"f\u0061il":["b"]}`, `key "fail" appears twice`},
		{"duplicate in map", `{"fail":[],"labels":{"a":"1","a":"2"}}`, `$.labels: key "a" appears twice`},
		{"case-folded nested", `{"fail":[],"window":{"From":"x"}}`, `$.window: unknown key "From"`},
		{"case-folded in slice", `{"fail":[],"steps":[{"Name":"a"},{"name":"b"}]}`, `$.steps[1]: unknown key "name"`},
		{"unknown", `{"fails":["x"]}`, `unknown key "fails": use "custom", "fail", "labels", "steps", "window"`},
		{"ignored field", `{"fail":[],"Ignore":"x"}`, `unknown key "Ignore"`},
		{"two values", `{"fail":[]} {"fail":[]}`, "more than one JSON value"},
		{"truncated", `{"fail":[`, "unexpected EOF"},
		{"wrong type", `{"fail":"feed-a"}`, "cannot unmarshal string"},
		{"not an object", `["feed-a"]`, "cannot unmarshal array"},
		{"syntax", `{"fail":[,]}`, "invalid character"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got nestedRequest
			err := decodeStrict([]byte(tc.body), &got)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && err == nil:
				t.Fatalf("accepted, want an error with %q", tc.err)
			case tc.err != "" && !strings.Contains(err.Error(), tc.err):
				t.Fatalf("error %q, want %q", err, tc.err)
			}
		})
	}
}

// TestStrictBodies: the API answers 400 with the reason, as JSON.
func TestStrictBodies(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	for _, c := range []struct{ body, want string }{
		{`{"FAIL":["feed-a"]}`, `write \"fail\"`},
		{`{"fail":["feed-a"],"fail":["feed-b"]}`, `key \"fail\" appears twice`},
		{`{"Fail":["feed-a"]}`, `unknown key \"Fail\"`},
		{`   `, "empty request body"},
	} {
		rec := do(t, s, call{method: "POST", path: "/api/v1/whatif", body: c.body, header: bearer})
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), c.want) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s %s", c.body, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
	}
}

// FuzzDecodeStrict: never panics, and what it accepts encoding/json
// decodes to the same value.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"fail":["a"]}`, `{"fail":["a"],"fail":[]}`, `{"FAIL":[]}`, `{"labels":{"a":"b"},"steps":[{"Name":"x"}]}`, `[`, `{"window":{"from":"x"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var strict nestedRequest
		if err := decodeStrict(data, &strict); err != nil {
			return
		}
		var loose nestedRequest
		if err := json.Unmarshal(data, &loose); err != nil {
			t.Fatalf("accepted by decodeStrict, refused by encoding/json: %v", err)
		}
		if !reflect.DeepEqual(strict, loose) {
			t.Fatalf("decoded differently: %+v and %+v", strict, loose)
		}
	})
}

// TestNetHTTPErrorsAreJSON: the answers net/http writes before any
// handler runs come out as JSON through Listener, over a real connection.
func TestNetHTTPErrorsAreJSON(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s, MaxHeaderBytes: 4 << 10, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(Listener(ln))
	t.Cleanup(func() { hs.Close() })
	cases := []struct {
		name, request string
		status        int
		want          string
	}{
		{"oversized headers", "GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", 431, "request header fields too large: send smaller headers"},
		{"no host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "missing required host header"},
		{"malformed", "GET\r\n\r\n", 400, "bad request"},
		{"transfer encoding", "POST /api/v1/whatif HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: rot13\r\n\r\n", 501, "unsupported transfer encoding"},
		{"version", "GET /healthz HTTP/2.7\r\nHost: x\r\n\r\n", 505, "http version not supported"},
		{"handler errors pass through", "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, "no such endpoint"},
		{"ok passes through", "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200, `"ok"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			go func() { _, _ = io.WriteString(conn, tc.request) }()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q: %s", ct, body)
			}
			var e map[string]any
			if err := json.Unmarshal(body, &e); err != nil {
				t.Errorf("body is not JSON: %v: %q", err, body)
			}
			if !strings.Contains(string(body), tc.want) {
				t.Errorf("body %q lacks %q", body, tc.want)
			}
		})
	}
}

// TestExpectContinueTooLarge: a body over the limit sent as curl sends it
// (Content-Length and "Expect: 100-continue", the body held back until the
// server says go on) gets a clean 413 before any "100 Continue", every
// time, over a real TCP connection; a body within the limit is asked for
// and decoded as usual.
func TestExpectContinueTooLarge(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(Listener(ln))
	t.Cleanup(func() { hs.Close() })
	head := func(n int) string {
		return "POST /api/v1/whatif HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n"
	}
	const tries = 30
	clean := 0
	for i := range tries {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(conn, head(100<<20)); err != nil {
			t.Fatalf("try %d: %v", i, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("try %d: no answer: %v", i, err)
			conn.Close()
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		switch {
		case err != nil:
			t.Errorf("try %d: reading the answer: %v", i, err)
		case resp.StatusCode != http.StatusRequestEntityTooLarge:
			t.Errorf("try %d: status %d, want 413 (before any 100 Continue): %s", i, resp.StatusCode, body)
		case !strings.Contains(string(body), "over 1024 bytes (Content-Length 104857600)"):
			t.Errorf("try %d: body %q does not say the limit", i, body)
		default:
			clean++
		}
	}
	if clean != tries {
		t.Errorf("%d/%d clean 413s", clean, tries)
	}

	// Within the limit: 100 Continue, then the answer to the body.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	body := `{"fail": ["feed-a"]}`
	if _, err := io.WriteString(conn, head(len(body))); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue for a body within the limit: %v %v", resp, err)
	}
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		got, _ := io.ReadAll(resp.Body)
		t.Errorf("status %d after 100 Continue: %s", resp.StatusCode, got)
	}
}
