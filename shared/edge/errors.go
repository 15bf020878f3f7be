package edge

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
)

// Media types of GraphQL responses.
const (
	MediaTypeGraphQLResponse = "application/graphql-response+json"
	MediaTypeJSON            = "application/json"
)

// Negotiated is what a request's Accept header allows.
type Negotiated struct {
	// MediaType is MediaTypeGraphQLResponse or MediaTypeJSON; MediaTypeJSON
	// when nothing is acceptable, so an error can still be written.
	MediaType string
	// Acceptable is false when Accept lists neither media type (nor a
	// wildcard that covers one).
	Acceptable bool
	// Multipart is true when Accept admits multipart/mixed (incremental
	// delivery for @defer).
	Multipart bool
}

// ContentType is the Content-Type header value of a JSON answer.
func (n Negotiated) ContentType() string { return n.MediaType + "; charset=utf-8" }

// Negotiate reads an Accept header value. An empty header means
// application/json (GraphQL over HTTP: "assume application/json"); */* and
// application/* mean application/json too. Between the two GraphQL media
// types the higher q wins, then the one listed first.
func Negotiate(accept string) Negotiated {
	accept = strings.TrimSpace(accept)
	if accept == "" {
		return Negotiated{MediaType: MediaTypeJSON, Acceptable: true}
	}
	var gqlResp, jsonResp *acceptCandidate
	var multipart bool
	for i, part := range strings.Split(accept, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		c := &acceptCandidate{q: q, pos: i}
		switch mt {
		case MediaTypeGraphQLResponse:
			gqlResp = better(gqlResp, c)
		case MediaTypeJSON:
			jsonResp = better(jsonResp, c)
		case "*/*", "application/*":
			c.wild = true
			jsonResp = better(jsonResp, c)
		case "multipart/mixed":
			multipart = q > 0
		}
	}
	n := Negotiated{MediaType: MediaTypeJSON, Multipart: multipart}
	ok := func(c *acceptCandidate) bool { return c != nil && c.q > 0 }
	switch {
	case ok(gqlResp) && ok(jsonResp):
		n.Acceptable = true
		if gqlResp.q > jsonResp.q || (gqlResp.q == jsonResp.q && (jsonResp.wild || gqlResp.pos < jsonResp.pos)) {
			n.MediaType = MediaTypeGraphQLResponse
		}
	case ok(gqlResp):
		n.Acceptable, n.MediaType = true, MediaTypeGraphQLResponse
	case ok(jsonResp):
		n.Acceptable = true
	}
	return n
}

// acceptCandidate is one Accept entry that covers a GraphQL media type.
type acceptCandidate struct {
	q    float64
	pos  int
	wild bool
}

// better keeps the candidate with the higher q (an explicit type over a
// wildcard at equal q); the first seen at equal rank.
func better(cur, next *acceptCandidate) *acceptCandidate {
	if cur == nil || next.q > cur.q || (next.q == cur.q && cur.wild && !next.wild) {
		return next
	}
	return cur
}

// errorBody is an error answer: errors only, no data entry (GraphQL over
// HTTP: a request error has no data).
type errorBody struct {
	Errors gqlerror.List `json:"errors"`
}

// WriteError writes an error answer whose media type follows r's Accept
// header, with Cache-Control: no-store. Every error should carry
// extensions.code.
func WriteError(w http.ResponseWriter, r *http.Request, status int, errs ...*gqlerror.Error) {
	writeErrors(w, Negotiate(r.Header.Get("Accept")), status, errs)
}

func writeErrors(w http.ResponseWriter, n Negotiated, status int, errs gqlerror.List) {
	body, err := json.Marshal(errorBody{Errors: errs})
	if err != nil {
		body = []byte(`{"errors":[{"message":"internal server error","extensions":{"code":"` + string(errcode.InternalServerError) + `"}}]}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", n.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// BodyTooLarge is the error of a body over the server's hard cap, in the
// shape of the operation limits' body size error.
func BodyTooLarge(maxBytes int64) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "the request body exceeds the limit of " + strconv.FormatInt(maxBytes, 10) + " bytes",
		Extensions: map[string]any{"code": string(errcode.OperationLimitExceeded), "limit": "bodyBytes", "max": maxBytes},
	}
}
