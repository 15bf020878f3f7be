package contracttest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Router maps a request to the operation of an OpenAPI document that
// answers it, the way the services route: the document's path templates
// ("/products/{id}") are Go ServeMux patterns as they stand.
type Router struct {
	doc    *openapi3.T
	mux    *http.ServeMux
	routes map[string]*routers.Route // "GET /products/{id}" -> operation
}

var defineFormats sync.Once

// NewRouter returns the router of doc.
func NewRouter(doc *openapi3.T) *Router {
	defineFormats.Do(func() {
		// kin-openapi checks only the formats it is told about; the
		// contracts use email for accounts.User.email.
		openapi3.DefineStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail))
	})
	r := &Router{doc: doc, mux: http.NewServeMux(), routes: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			r.routes[key] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			r.mux.Handle(key, http.NotFoundHandler())
		}
	}
	return r
}

// Operations lists the document's operations as "METHOD /path".
func (r *Router) Operations() []string {
	out := make([]string, 0, len(r.routes))
	for k := range r.routes {
		out = append(out, k)
	}
	return out
}

// Operation returns the "METHOD /path" of the operation req maps to, or ""
// when the document has none.
func (r *Router) Operation(req *http.Request) string {
	_, pattern := r.mux.Handler(req)
	if r.routes[pattern] == nil {
		return ""
	}
	return pattern
}

// ErrNoOperation is CheckAnswer's error for a request the document does
// not describe.
var ErrNoOperation = errors.New("the contract has no operation for this request")

// CheckAnswer validates an answer (status, headers, JSON body) to req
// against the operation req maps to: the status must be one the operation
// lists, and the body must match that status's schema (types, required
// properties, no unknown ones where additionalProperties is false,
// patterns, enums, bounds). The error lists every violation found.
func (r *Router) CheckAnswer(req *http.Request, status int, header http.Header, body []byte) error {
	route := r.routes[r.Operation(req)]
	if route == nil {
		return ErrNoOperation
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: opts}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	})
}
