package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// decodeStrict decodes one JSON value into v (a pointer) more strictly
// than encoding/json, which matches keys case-insensitively and lets the
// last of duplicate keys win: a request that says {"FAIL": …} or names a
// key twice is ambiguous, and is refused. Every object key must be
// exactly a field's JSON name (or any string, for maps) and appear once;
// unknown keys and a second value after the first are errors too.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := checkValue(dec, reflect.TypeOf(v), "$"); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more than one JSON value")
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// checkValue reads one value from dec and checks its keys against t,
// the Go type it will decode into (nil: any type, only duplicates are
// checked). path names the value in errors, like $.fail[2].
func checkValue(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && reflect.PointerTo(t).Implements(unmarshalerType) {
		t = nil // decodes itself: only duplicates are checked
	}
	tok, err := nextToken(dec)
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: encoding/json checks its type
	}
	switch delim {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := checkValue(dec, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case '{':
		var fields map[string]reflect.Type
		var elem reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			fields = jsonFields(t)
		case t != nil && t.Kind() == reflect.Map:
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := nextToken(dec)
			if err != nil {
				return err
			}
			key := tok.(string) // the decoder guarantees a string key here
			if seen[key] {
				return fmt.Errorf("%s: key %q appears twice", path, key)
			}
			seen[key] = true
			ft := elem
			if fields != nil {
				var ok bool
				if ft, ok = fields[key]; !ok {
					return unknownKey(path, key, fields)
				}
			}
			if err := checkValue(dec, ft, path+"."+key); err != nil {
				return err
			}
		}
	}
	_, err = nextToken(dec) // the closing delimiter
	return err
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// nextToken is the next token; the end of input inside a value is an error.
func nextToken(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return tok, err
}

func unknownKey(path, key string, fields map[string]reflect.Type) error {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Errorf("%s: unknown key %q: keys are case-sensitive, write %q", path, key, name)
		}
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, fmt.Sprintf("%q", name))
	}
	sort.Strings(names)
	return fmt.Errorf("%s: unknown key %q: use %s", path, key, strings.Join(names, ", "))
}

// jsonFields maps a struct's JSON keys (as encoding/json names them,
// embedded structs flattened) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	return out
}

// limitBody refuses a request whose declared Content-Length is over the
// body limit before anything reads the body. Reading it is what makes
// net/http answer a client's "Expect: 100-continue" with "100 Continue";
// refusing first means such a client never sends the body and gets a
// clean 413 (net/http then closes the connection, since the body was not
// read). A body without a Content-Length (chunked) is still bounded while
// it is read (readBody).
func (s *Server) limitBody(c *gin.Context) {
	if n := c.Request.ContentLength; n > s.opts.MaxBody {
		c.Header("Connection", "close")
		jsonError(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes (Content-Length %d): send a smaller body", s.opts.MaxBody, n))
		c.Abort()
		return
	}
	c.Next()
}
