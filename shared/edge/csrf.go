package edge

import (
	"mime"
	"net/http"
	"strings"

	"github.com/tandemgw/tandem/shared/errcode"
)

// simpleContentTypes are the Content-Types a browser sends cross-site
// without a preflight.
var simpleContentTypes = map[string]bool{
	"text/plain":                        true,
	"application/x-www-form-urlencoded": true,
	"multipart/form-data":               true,
}

// csrfMessage tells a developer how to get through, as Apollo Server's does.
func csrfMessage(headers []string) string {
	return "this request has been blocked as a potential cross-site request forgery: send it with " +
		"Content-Type: application/json, or with a non-empty header " + strings.Join(headers, ", ")
}

// preventCSRF refuses, with 400 CSRF_PREFLIGHT_REQUIRED, a request a
// browser could send from another site without a CORS preflight: a page can
// make a victim's browser send a GET or a "simple" POST with its cookies,
// and although it cannot read the answer, a query with side effects or a
// costly one would still run. A preflight lets CORS decide first.
func preventCSRF(headers []string) func(http.Handler) http.Handler {
	msg := csrfMessage(headers)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Only GET and POST can run an operation; other methods are
			// answered 405 (OPTIONS: the preflight itself) further in.
			if (r.Method != http.MethodGet && r.Method != http.MethodPost) || forcesPreflight(r, headers) {
				next.ServeHTTP(w, r)
				return
			}
			WriteError(w, r, http.StatusBadRequest, errcode.New(errcode.CSRFPreflightRequired, msg))
		})
	}
}

// forcesPreflight is Apollo Server's rule: a Content-Type a browser would
// preflight (anything parseable that is not a simple type), or a non-empty
// preflight-forcing header.
func forcesPreflight(r *http.Request, headers []string) bool {
	if ct := r.Header.Values("Content-Type"); len(ct) > 0 {
		mt, _, err := mime.ParseMediaType(strings.Join(ct, ", "))
		if err != nil {
			// Browsers only send parseable simple types without a
			// preflight; something unparseable was not sent that way.
			return true
		}
		if !simpleContentTypes[mt] {
			return true
		}
	}
	for _, h := range headers {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}
