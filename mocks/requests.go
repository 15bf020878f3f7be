package mocks

import (
	"sync"
	"time"
)

// requestLog is how many requests per service a cluster remembers.
const requestLog = 512

// RecordedRequest is what a service saw of one call: which route, and the
// identity and trace context the gateway propagated (headers on REST,
// metadata on gRPC).
// Authorization is recorded verbatim for identity-propagation tests; the
// mocks never log it.
type RecordedRequest struct {
	Service          string `json:"service"`
	Route            string `json:"route"`  // ServeMux pattern, gRPC full method or RouteUnmatched
	Target           string `json:"target"` // REST: method, path and query; gRPC: full method
	Subject          string `json:"subject"`
	Scopes           string `json:"scopes"` // as sent: space-separated
	ClientID         string `json:"clientId"`
	HasAuthorization bool   `json:"hasAuthorization"`
	Authorization    string `json:"authorization,omitempty"`
	// Traceparent is the W3C trace context the caller sent (header or
	// metadata "traceparent"), empty when none; for tracing tests.
	Traceparent string `json:"traceparent,omitempty"`
	// DeadlineMs is how long the caller said it would wait, in
	// milliseconds: the X-Tandem-Deadline-Ms header (REST) or the time left
	// to the call's deadline (gRPC); 0 when it said nothing.
	DeadlineMs int64     `json:"deadlineMs,omitempty"`
	At         time.Time `json:"at"`
}

// recorder keeps the last requestLog requests of each service.
type recorder struct {
	mu   sync.Mutex
	logs map[string]*ring
}

type ring struct {
	buf  []RecordedRequest
	next int
	full bool
}

func newRecorder() *recorder { return &recorder{logs: map[string]*ring{}} }

func (r *recorder) add(req RecordedRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.logs[req.Service]
	if g == nil {
		g = &ring{buf: make([]RecordedRequest, requestLog)}
		r.logs[req.Service] = g
	}
	g.buf[g.next] = req
	g.next = (g.next + 1) % len(g.buf)
	if g.next == 0 {
		g.full = true
	}
}

// list returns service's requests, oldest first.
func (r *recorder) list(service string) []RecordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.logs[service]
	if g == nil {
		return []RecordedRequest{}
	}
	if !g.full {
		return append([]RecordedRequest{}, g.buf[:g.next]...)
	}
	return append(append(make([]RecordedRequest, 0, len(g.buf)), g.buf[g.next:]...), g.buf[:g.next]...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.logs)
}
