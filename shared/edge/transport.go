package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/persisted"
)

// Transport is the GraphQL-over-HTTP transport of /graphql: GET and POST
// (any other method but OPTIONS is answered 405 here; gqlgen's
// transport.Options answers OPTIONS). See the package comment for what it
// does beyond gqlgen's own transports.
type Transport struct {
	// CacheMaxAge is CacheConfig.MaxAge: the max-age of Cache-Control:
	// public on cacheable GET answers; 0: never public.
	CacheMaxAge time.Duration
}

var _ graphql.Transport = Transport{}

// Supports implements graphql.Transport: every request but OPTIONS.
func (Transport) Supports(r *http.Request) bool { return r.Method != http.MethodOptions }

// allowed is the Allow header of /graphql.
const allowed = "GET, POST, OPTIONS"

// Do implements graphql.Transport.
func (t Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	n := Negotiate(r.Header.Get("Accept"))
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", allowed)
		writeErrors(w, n, http.StatusMethodNotAllowed, gqlerror.List{errcode.New(errcode.MethodNotAllowed,
			"/graphql accepts GET, POST and OPTIONS")})
		return
	}
	if !n.Acceptable {
		writeErrors(w, n, http.StatusNotAcceptable, gqlerror.List{errcode.New(errcode.NotAcceptable,
			"the Accept header must admit application/graphql-response+json or application/json")})
		return
	}
	start := graphql.Now()
	var req request
	var status int
	var perr *gqlerror.Error
	if r.Method == http.MethodGet {
		req, perr = fromURL(r.URL.RawQuery)
		status = http.StatusBadRequest
	} else {
		req, status, perr = fromBody(r)
	}
	if perr != nil {
		writeErrors(w, n, status, gqlerror.List{perr})
		return
	}
	params := &graphql.RawParams{
		Query:         req.query,
		OperationName: req.operationName,
		Variables:     req.variables,
		Extensions:    req.extensions,
		Headers:       r.Header,
		ReadTime:      graphql.TraceTiming{Start: start, End: graphql.Now()},
	}
	ctx := context.WithValue(r.Context(), methodKey{}, r.Method)
	if req.documentID != "" {
		ctx = persisted.WithDocumentID(ctx, req.documentID)
	}
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		code := requestErrorStatus(resp.Errors, n)
		if code == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "POST")
		}
		writeJSON(w, n, code, "no-store", requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	first := responses(ctx)
	if first == nil {
		// The client went away before the first answer.
		return
	}
	if first.HasNext != nil && *first.HasNext {
		if n.Multipart {
			stream(w, first, func() *graphql.Response { return responses(ctx) })
			return
		}
		mergeDeferred(first, func() *graphql.Response { return responses(ctx) })
	}
	first.HasNext = nil
	writeJSON(w, n, http.StatusOK, t.cacheControl(r, opCtx, first), first)
}

// requestErrorStatus is the status of an answer to a request that did not
// execute. GraphQL over HTTP: with application/graphql-response+json a
// request error is 400; with application/json, 200. Exceptions: a
// malformed request (BAD_REQUEST, a hash that does not match its text) is
// 400 either way, a GET mutation 405, and PERSISTED_QUERY_NOT_FOUND 200
// either way, as Apollo's persisted query links expect.
func requestErrorStatus(errs gqlerror.List, n Negotiated) int {
	for _, e := range errs {
		switch errcode.Of(e.Extensions) {
		case errcode.MethodNotAllowed:
			return http.StatusMethodNotAllowed
		case errcode.BadRequest, errcode.PersistedQueryHashMismatch:
			return http.StatusBadRequest
		case errcode.PersistedQueryNotFound:
			return http.StatusOK
		}
	}
	if n.MediaType == MediaTypeGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// requestErrorBody is the answer to a request that did not execute: no
// data entry at all (GraphQL over HTTP).
type requestErrorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func writeJSON(w http.ResponseWriter, n Negotiated, status int, cacheControl string, v any) {
	var parts [3][]byte
	var err error
	if resp, ok := v.(*graphql.Response); ok {
		parts, err = responseParts(resp)
	} else {
		parts[0], err = json.Marshal(v)
	}
	if err != nil {
		writeErrors(w, n, http.StatusInternalServerError, gqlerror.List{errcode.New(errcode.InternalServerError, "internal server error")})
		return
	}
	h := w.Header()
	h.Set("Content-Type", n.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(parts[0])+len(parts[1])+len(parts[2])))
	h.Set("Cache-Control", cacheControl)
	w.WriteHeader(status)
	for _, p := range parts {
		if len(p) > 0 {
			_, _ = w.Write(p)
		}
	}
}

// responseParts is json.Marshal(resp), byte for byte, in three parts
// written one after another: what comes before the data, the data, and
// what comes after it. It spares encoding/json's second pass over the
// data, which validates and compacts a json.RawMessage character by
// character though the data is the executor's own compact output (see
// BenchmarkMarshalResponse), and a copy of the data, which is written as
// the executor wrote it unless it holds a character encoding/json escapes
// for HTML, escaped the same way. The incremental fields, which only a
// payload after the first carries, take json.Marshal.
func responseParts(resp *graphql.Response) (parts [3][]byte, err error) {
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		parts[0], err = json.Marshal(resp)
		return parts, err
	}
	head := make([]byte, 0, 64)
	head = append(head, '{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return parts, err
		}
		head = append(head, `"errors":`...)
		head = append(head, errs...)
		head = append(head, ',')
	}
	head = append(head, `"data":`...)
	parts[0] = head
	switch {
	case len(resp.Data) == 0:
		parts[1] = []byte("null")
	case htmlEscaped(resp.Data):
		var b bytes.Buffer
		b.Grow(len(resp.Data) + 64)
		writeHTMLEscaped(&b, resp.Data)
		parts[1] = b.Bytes()
	default:
		parts[1] = resp.Data
	}
	tail := []byte{'}'}
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			return parts, err
		}
		tail = make([]byte, 0, len(ext)+16)
		tail = append(tail, `,"extensions":`...)
		tail = append(tail, ext...)
		tail = append(tail, '}')
	}
	parts[2] = tail
	return parts, nil
}

// htmlEscaped reports whether b holds a character json.Marshal escapes in
// a json.RawMessage: <, > or &, or U+2028 or U+2029 (E2 80 A8/A9). One
// vectorised IndexByte pass per byte looked for, where bytes.ContainsAny
// with a non-ASCII set would decode every rune.
func htmlEscaped(b []byte) bool {
	if bytes.IndexByte(b, '<') >= 0 || bytes.IndexByte(b, '>') >= 0 || bytes.IndexByte(b, '&') >= 0 {
		return true
	}
	for rest := b; ; {
		i := bytes.IndexByte(rest, 0xE2)
		if i < 0 || i+2 >= len(rest) {
			return false
		}
		if rest[i+1] == 0x80 && (rest[i+2] == 0xA8 || rest[i+2] == 0xA9) {
			return true
		}
		rest = rest[i+1:]
	}
}

// writeHTMLEscaped writes b with those characters escaped as
// encoding/json escapes them. In valid JSON they can only stand inside
// strings, so no parse is needed.
func writeHTMLEscaped(w *bytes.Buffer, b []byte) {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '<' || c == '>' || c == '&':
			w.Write(b[start:i])
			w.Write([]byte{'\\', 'u', '0', '0', hex[c>>4], hex[c&0xF]})
			start = i + 1
		case c == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9):
			w.Write(b[start:i])
			w.WriteString(`\u202`)
			w.WriteByte(hex[b[i+2]&0xF])
			i += 2
			start = i + 1
		}
	}
	w.Write(b[start:])
}

// cacheControl decides whether a shared cache may keep the answer: only a
// GET of a persisted query sent by reference (its URL names the document
// and the variables, so the URL is the cache key), without Authorization,
// answered without errors.
func (t Transport) cacheControl(r *http.Request, oc *graphql.OperationContext, resp *graphql.Response) string {
	if r.Header.Get("Authorization") != "" {
		return "private, no-store"
	}
	if r.Method != http.MethodGet || t.CacheMaxAge <= 0 || len(resp.Errors) > 0 {
		return "no-store"
	}
	if res, ok := persisted.ResolutionOf(oc); !ok || !res.ByReference {
		return "no-store"
	}
	return "public, max-age=" + strconv.Itoa(int(t.CacheMaxAge/time.Second))
}

// request is the GraphQL request parameters read from GET or POST.
type request struct {
	query, operationName, documentID string
	variables, extensions            map[string]any
}

// hasOperation reports whether the request names something to run.
func (q request) hasOperation() bool {
	if q.query != "" || q.documentID != "" {
		return true
	}
	return q.extensions["persistedQuery"] != nil
}

var errNoOperation = errcode.New(errcode.BadRequest, "a GraphQL request needs a query, a documentId or extensions.persistedQuery")

// fromBody reads a POST: Content-Type application/json (UTF-8), a JSON
// object. Errors describe what is wrong without repeating the input.
func fromBody(r *http.Request) (request, int, *gqlerror.Error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != MediaTypeJSON {
		return request{}, http.StatusUnsupportedMediaType, errcode.New(errcode.UnsupportedMediaType,
			"a POST to /graphql needs Content-Type: application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return request{}, http.StatusUnsupportedMediaType, errcode.New(errcode.UnsupportedMediaType,
			"the request body must be UTF-8")
	}
	var body []byte
	if r.Body != nil {
		body, err = io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return request{}, http.StatusRequestEntityTooLarge, BodyTooLarge(tooBig.Limit)
			}
			return request{}, http.StatusBadRequest, errcode.New(errcode.BadRequest, "could not read the request body")
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return request{}, http.StatusBadRequest, errcode.New(errcode.BadRequest, "the request body is empty")
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil || dec.More() || fields == nil {
		return request{}, http.StatusBadRequest, errcode.New(errcode.BadRequest, "the request body is not a JSON object")
	}
	var req request
	for _, f := range []struct {
		name string
		dst  *string
	}{{"query", &req.query}, {"operationName", &req.operationName}, {"documentId", &req.documentID}} {
		if perr := stringParam(f.name, fields[f.name], f.dst); perr != nil {
			return request{}, http.StatusBadRequest, perr
		}
	}
	for _, f := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &req.variables}, {"extensions", &req.extensions}} {
		if perr := objectParam(f.name, fields[f.name], f.dst); perr != nil {
			return request{}, http.StatusBadRequest, perr
		}
	}
	if !req.hasOperation() {
		return request{}, http.StatusBadRequest, errNoOperation
	}
	return req, 0, nil
}

// fromURL reads a GET's query string: query, operationName, documentId,
// and variables and extensions as JSON-encoded strings.
func fromURL(rawQuery string) (request, *gqlerror.Error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return request{}, errcode.New(errcode.BadRequest, "the query string is not URL-encoded")
	}
	req := request{
		query:         values.Get("query"),
		operationName: values.Get("operationName"),
		documentID:    values.Get("documentId"),
	}
	for _, f := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &req.variables}, {"extensions", &req.extensions}} {
		if v := values.Get(f.name); v != "" {
			if perr := objectParam(f.name, json.RawMessage(v), f.dst); perr != nil {
				return request{}, perr
			}
		}
	}
	if !req.hasOperation() {
		return request{}, errNoOperation
	}
	return req, nil
}

// stringParam decodes a string-or-null parameter.
func stringParam(name string, raw json.RawMessage, dst *string) *gqlerror.Error {
	if isAbsent(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return errcode.New(errcode.BadRequest, "the "+name+" parameter must be a string")
	}
	return nil
}

// objectParam decodes an object-or-null parameter, numbers as json.Number
// (as gqlgen's own transports do, so large integers survive).
func objectParam(name string, raw json.RawMessage, dst *map[string]any) *gqlerror.Error {
	if isAbsent(raw) {
		return nil
	}
	bad := errcode.New(errcode.BadRequest, "the "+name+" parameter must be a JSON object")
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return bad
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil || dec.More() {
		return bad
	}
	return nil
}

func isAbsent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// mergeDeferred runs the deferred fragments of an operation to the end and
// merges their data into first, for a client that does not accept
// multipart/mixed: it gets the whole answer in one body, never a deferred
// field left null. A deferred payload whose parent is not an object in the
// data (nulled by an error, which is in the errors) is skipped.
func mergeDeferred(first *graphql.Response, next func() *graphql.Response) {
	data := []byte(first.Data)
	for r := next(); r != nil; r = next() {
		first.Errors = append(first.Errors, r.Errors...)
		for k, v := range r.Extensions {
			if first.Extensions == nil {
				first.Extensions = map[string]any{}
			}
			if _, ok := first.Extensions[k]; !ok {
				first.Extensions[k] = v
			}
		}
		deferred := gjson.ParseBytes(r.Data)
		if !deferred.IsObject() {
			continue
		}
		prefix := jsonPath(r.Path)
		if prefix != "" && !gjson.GetBytes(data, prefix).IsObject() {
			continue
		}
		deferred.ForEach(func(key, value gjson.Result) bool {
			p := key.String()
			if prefix != "" {
				p = prefix + "." + p
			}
			if merged, err := sjson.SetRawBytes(data, p, []byte(value.Raw)); err == nil {
				data = merged
			}
			return true
		})
	}
	first.Data = data
}

// jsonPath turns a response path into a gjson/sjson path. GraphQL names and
// aliases are [_A-Za-z][_0-9A-Za-z]*, so nothing needs escaping.
func jsonPath(p ast.Path) string {
	var b strings.Builder
	for i, el := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		switch e := el.(type) {
		case ast.PathName:
			b.WriteString(string(e))
		case ast.PathIndex:
			b.WriteString(strconv.Itoa(int(e)))
		}
	}
	return b.String()
}

// Multipart framing as Apollo Server writes it for deferSpec=20220824: the
// boundary is "-", every part is followed at once by the next delimiter so
// the client can act on it, and the close delimiter ends the stream.
const (
	multipartContentType = `multipart/mixed; boundary="-"; deferSpec=20220824`
	partHeader           = "\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
	delimiter            = "\r\n---"
	closeDelimiter       = "--\r\n"
)

// incrementalPayload is a subsequent payload of the 2022-08-24 format.
type incrementalPayload struct {
	Incremental []incrementalItem `json:"incremental"`
	HasNext     bool              `json:"hasNext"`
}

type incrementalItem struct {
	Data       json.RawMessage `json:"data"`
	Path       ast.Path        `json:"path"`
	Label      string          `json:"label,omitempty"`
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// stream writes the initial payload and each deferred one as it
// completes, flushing each part.
func stream(w http.ResponseWriter, first *graphql.Response, next func() *graphql.Response) {
	h := w.Header()
	h.Set("Content-Type", multipartContentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	writePart := func(v any) bool {
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		if _, err := io.WriteString(w, partHeader); err != nil {
			return false
		}
		if _, err := w.Write(b); err != nil {
			return false
		}
		if _, err := io.WriteString(w, delimiter); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if _, err := io.WriteString(w, delimiter); err != nil {
		return
	}
	if !writePart(first) {
		return
	}
	for r := next(); r != nil; r = next() {
		hasNext := r.HasNext != nil && *r.HasNext
		if !writePart(incrementalPayload{HasNext: hasNext, Incremental: []incrementalItem{{
			Data: r.Data, Path: r.Path, Label: r.Label, Errors: r.Errors, Extensions: r.Extensions,
		}}}) {
			return
		}
	}
	_, _ = io.WriteString(w, closeDelimiter)
	_ = rc.Flush()
}

type methodKey struct{}

// getQueriesOnly refuses, with 405, an operation other than a query sent
// with GET (GraphQL over HTTP: GET must not change anything). It runs after
// parsing, since only then is the operation type known, and before the
// cost and limits extensions, so a refused mutation spends no budget.
type getQueriesOnly struct{}

// GETQueriesOnly returns the extension that refuses mutations over GET;
// the server adds it before the cost and limits extensions.
func GETQueriesOnly() graphql.HandlerExtension { return getQueriesOnly{} }

var _ graphql.OperationContextMutator = getQueriesOnly{}

func (getQueriesOnly) ExtensionName() string                   { return "GETQueriesOnly" }
func (getQueriesOnly) Validate(graphql.ExecutableSchema) error { return nil }

func (getQueriesOnly) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if m, _ := ctx.Value(methodKey{}).(string); m != http.MethodGet || oc.Operation == nil || oc.Operation.Operation == ast.Query {
		return nil
	}
	return errcode.New(errcode.MethodNotAllowed, "only queries may be sent with GET; send "+string(oc.Operation.Operation)+"s with POST")
}
