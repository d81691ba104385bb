package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// readQuery parses the request's query strictly: a parameter not in
// known is refused (400) rather than ignored, as the JSON bodies refuse
// unknown keys, so that a misspelt ?fial= is an error and not an empty
// answer. It answers the 400 itself when it returns false.
func readQuery(c *gin.Context, known ...string) (url.Values, bool) {
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		jsonError(c, http.StatusBadRequest, "bad query string: "+err.Error())
		return nil, false
	}
	for k := range q {
		if !slices.Contains(known, k) {
			jsonError(c, http.StatusBadRequest, "unknown query parameter "+strconv.Quote(k)+": use "+strings.Join(known, ", "))
			return nil, false
		}
	}
	return q, true
}
