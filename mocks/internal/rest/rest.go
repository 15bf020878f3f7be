package rest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Route is one endpoint: a Go 1.22 ServeMux pattern ("GET /products/{id}")
// and its handler. The pattern is also the route's key for counters and
// faults, and must appear in the service's OpenAPI document.
type Route struct {
	Pattern string
	Handler http.HandlerFunc
}

// Error codes of the contract.
const (
	CodeBadRequest  = "BAD_REQUEST"
	CodeNotFound    = "NOT_FOUND"
	CodeConflict    = "CONFLICT"
	CodeInternal    = "INTERNAL"
	CodeUnavailable = "UNAVAILABLE"
)

// Limits of the contract.
const (
	MaxBatch     = 500
	DefaultLimit = 20
	MaxLimit     = 100
)

// ErrorBody is the JSON error envelope.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and human-readable message of an error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteJSON answers status with v encoded as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, http.StatusInternalServerError, CodeInternal, "could not encode the response")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// WriteError answers status with the JSON error envelope.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(ErrorBody{ErrorDetail{Code: code, Message: message}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// CodeForStatus is the contract's error code for an HTTP status.
func CodeForStatus(status int) string {
	switch {
	case status == http.StatusNotFound:
		return CodeNotFound
	case status == http.StatusConflict:
		return CodeConflict
	case status == http.StatusServiceUnavailable || status == http.StatusBadGateway || status == http.StatusGatewayTimeout || status == http.StatusTooManyRequests:
		return CodeUnavailable
	case status >= 400 && status < 500:
		return CodeBadRequest
	default:
		return CodeInternal
	}
}

// BadRequest answers 400 BAD_REQUEST.
func BadRequest(w http.ResponseWriter, format string, args ...any) {
	WriteError(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf(format, args...))
}

// NotFound answers 404 NOT_FOUND.
func NotFound(w http.ResponseWriter, format string, args ...any) {
	WriteError(w, http.StatusNotFound, CodeNotFound, fmt.Sprintf(format, args...))
}

// BatchResult is the answer of a batch form: found items in request order
// and the ids that were not found.
type BatchResult[T any] struct {
	Items   []T      `json:"items"`
	Missing []string `json:"missing"`
}

// ParseIDs reads a comma-separated id list from query parameter name,
// dropping duplicates (first occurrence wins) and checking each id with
// valid. It fails for an empty list, a malformed id or more than MaxBatch ids.
func ParseIDs(r *http.Request, name string, valid func(string) bool) ([]string, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return nil, fmt.Errorf("%s must list at least one id", name)
	}
	parts := strings.Split(raw, ",")
	seen := make(map[string]bool, len(parts))
	ids := make([]string, 0, len(parts))
	for _, id := range parts {
		if seen[id] {
			continue
		}
		if !valid(id) {
			return nil, fmt.Errorf("malformed id %q in %s", truncate(id), name)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if len(ids) > MaxBatch {
		return nil, fmt.Errorf("%s lists %d ids; at most %d are allowed", name, len(ids), MaxBatch)
	}
	return ids, nil
}

// Batch looks every id up and splits them into found items (in order) and
// missing ids.
func Batch[T any](ids []string, lookup func(id string) (T, bool)) BatchResult[T] {
	res := BatchResult[T]{Items: make([]T, 0, len(ids)), Missing: []string{}}
	for _, id := range ids {
		if v, ok := lookup(id); ok {
			res.Items = append(res.Items, v)
		} else {
			res.Missing = append(res.Missing, id)
		}
	}
	return res
}

// truncate shortens user input echoed in messages.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// PageInfo tells whether a list goes on and where.
type PageInfo struct {
	EndCursor   string `json:"endCursor"`
	HasNextPage bool   `json:"hasNextPage"`
}

// Page is one page of a list.
type Page[T any] struct {
	Items    []T      `json:"items"`
	PageInfo PageInfo `json:"pageInfo"`
}

// ParseLimit reads ?limit= (1..MaxLimit, default DefaultLimit).
func ParseLimit(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("limit")
	if raw == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, fmt.Errorf("limit must be an integer from 1 to %d", MaxLimit)
	}
	return n, nil
}

// ErrBadCursor is returned for a cursor that this list did not issue.
var ErrBadCursor = errors.New("after is not a cursor of this list")

// Cursor is a position in a list: the sort key of the last item seen. It is
// opaque to clients (base64url) and tagged with the list it belongs to, so a
// cursor of one list is rejected by another.
type Cursor struct {
	List string
	Key  []int64
}

// String encodes the cursor.
func (c Cursor) String() string {
	var b strings.Builder
	b.WriteString("v1|")
	b.WriteString(c.List)
	for _, k := range c.Key {
		b.WriteByte('|')
		b.WriteString(strconv.FormatInt(k, 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(b.String()))
}

// ParseCursor decodes ?after= for list; it returns nil, nil when there is
// none, and ErrBadCursor unless the cursor was issued by list with keyLen
// key parts.
func ParseCursor(r *http.Request, list string, keyLen int) (*Cursor, error) {
	raw := r.URL.Query().Get("after")
	if raw == "" {
		if r.URL.Query().Has("after") {
			return nil, ErrBadCursor
		}
		return nil, nil
	}
	dec, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, ErrBadCursor
	}
	parts := strings.Split(string(dec), "|")
	if len(parts) != 2+keyLen || parts[0] != "v1" || parts[1] != list {
		return nil, ErrBadCursor
	}
	c := &Cursor{List: list, Key: make([]int64, keyLen)}
	for i := range keyLen {
		if c.Key[i], err = strconv.ParseInt(parts[2+i], 10, 64); err != nil {
			return nil, ErrBadCursor
		}
	}
	return c, nil
}

// Paginate answers one page of a list of n items in list order. after is
// the index of the first item after the cursor (0 without a cursor); key
// gives the cursor key of item i.
func Paginate[T any](list string, n, after, limit int, item func(i int) T, key func(i int) []int64) Page[T] {
	end := min(n, after+limit)
	page := Page[T]{Items: make([]T, 0, max(0, end-after))}
	for i := after; i < end; i++ {
		page.Items = append(page.Items, item(i))
	}
	if end > after {
		page.PageInfo.EndCursor = Cursor{List: list, Key: key(end - 1)}.String()
	}
	page.PageInfo.HasNextPage = end < n
	return page
}
